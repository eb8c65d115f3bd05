// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for bpf/event.h: the kernel -> user event layout, as its _Static_asserts pin it. */
#include <linux/types.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../bpf/event.h"

/* The layout userspace compiles; a change here must also change record/'s decoding. */
static void test_event_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct tde_event), TDE_EVENT_SIZE);
	assert_int_equal(sizeof(struct tde_event), 152);
	assert_int_equal(sizeof(struct tde_event) % 8, 0); /* the frames after the tail align */
	assert_int_equal(offsetof(struct tde_event, ts_ns), 0);
	assert_int_equal(offsetof(struct tde_event, location), 8);
	assert_int_equal(offsetof(struct tde_event, cpu), 16);
	assert_int_equal(offsetof(struct tde_event, pid), 20);
	assert_int_equal(offsetof(struct tde_event, tid), 24);
	assert_int_equal(offsetof(struct tde_event, reason), 28);
	assert_int_equal(offsetof(struct tde_event, netns), 32);
	assert_int_equal(offsetof(struct tde_event, ifindex), 36);
	assert_int_equal(offsetof(struct tde_event, len), 40);
	assert_int_equal(offsetof(struct tde_event, tcp_seq), 44);
	assert_int_equal(offsetof(struct tde_event, tcp_ack), 48);
	assert_int_equal(offsetof(struct tde_event, sport), 52);
	assert_int_equal(offsetof(struct tde_event, dport), 54);
	assert_int_equal(offsetof(struct tde_event, win), 56);
	assert_int_equal(offsetof(struct tde_event, caplen), 58);
	assert_int_equal(offsetof(struct tde_event, stack_bytes), 60);
	assert_int_equal(offsetof(struct tde_event, family), 64);
	assert_int_equal(offsetof(struct tde_event, tcp_flags), 65);
	assert_int_equal(offsetof(struct tde_event, state), 66);
	assert_int_equal(offsetof(struct tde_event, dir), 67);
	assert_int_equal(offsetof(struct tde_event, flags), 68);
	assert_int_equal(offsetof(struct tde_event, pad), 69);
	assert_int_equal(offsetof(struct tde_event, saddr), 72);
	assert_int_equal(offsetof(struct tde_event, daddr), 88);
	assert_int_equal(offsetof(struct tde_event, comm), 104);
	assert_int_equal(offsetof(struct tde_event, ifname), 120);
	assert_int_equal(offsetof(struct tde_event, owner_sk), 136);
	assert_int_equal(offsetof(struct tde_event, owner_cookie), 144);
	assert_int_equal(sizeof(struct tde_owner_rec), 56 + 8 * 128);
	assert_int_equal(offsetof(struct tde_owner_rec, cg_names), 56);
	assert_int_equal(offsetof(struct tde_owner_rec, pid), 24);
	assert_int_equal(offsetof(struct tde_owner_rec, comm), 32);
}

static void test_counter_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct tde_counter), 16);
	assert_int_equal(offsetof(struct tde_counter, count), 0);
	assert_int_equal(offsetof(struct tde_counter, last_ns), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_event_layout),
	    cmocka_unit_test(test_counter_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
