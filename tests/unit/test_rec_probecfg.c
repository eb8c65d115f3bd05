// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/probecfg: reason values, --reason lookups, state values, filters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../record/probecfg.h"

/* A 6.x-like reason table; values deliberately differ from any real kernel's. */
static struct tdf_name reason_names[] = {
    {0, "SKB_NOT_DROPPED_YET"},		  {1, "SKB_CONSUMED"},
    {3, "SKB_DROP_REASON_NOT_SPECIFIED"}, {4, "SKB_DROP_REASON_NO_SOCKET"},
    {9, "SKB_DROP_REASON_TCP_CSUM"},
};
static const struct btfnames reasons = {5, reason_names};

static struct tdf_name state_names[] = {{1, "ESTABLISHED"}, {7, "TIME_WAIT"}, {13, "NEW_SYN_RECV"}};
static const struct btfnames states = {3, state_names};
static const struct btfnames no_states = {0, NULL};

static void parse(struct rec_opts *o, int argc, char **argv)
{
	char err[OPTS_ERR_LEN];

	assert_int_equal(opts_parse(argc, argv, o, err, sizeof(err)), 0);
}

static void test_defaults(void **state)
{
	char *argv[] = {"tcpdrop-record", "-w", "x", NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad = 99;

	(void)state;
	parse(&o, 3, argv);
	assert_int_equal(probecfg_build(&o, &reasons, &states, &pc, &bad), 0);
	assert_int_equal(pc.reason_not_dropped, 0);
	assert_int_equal(pc.reason_consumed, 1);
	assert_int_equal(pc.reason_not_specified, 3);
	assert_int_equal(pc.nreasons, 0);
	assert_false(pc.all_reasons);
	assert_false(pc.force_raw_tp);
	assert_int_equal(pc.state_time_wait, 7);
	assert_int_equal(pc.state_new_syn_recv, 13);
	assert_int_equal(pc.snaplen, OPTS_SNAPLEN_DEFAULT);
	assert_int_equal(pc.stack_depth, OPTS_STACK_DEPTH_DEFAULT);
	assert_int_equal(pc.ringbuf_bytes, OPTS_RINGBUF_DEFAULT);
	assert_int_equal(bad, 99);
}

/* Before Linux 6.0 there is no SKB_CONSUMED; without TCP state names, Linux's numbers. */
static void test_old_kernel(void **state)
{
	static struct tdf_name old_names[] = {{0, "SKB_NOT_DROPPED_YET"},
					      {2, "SKB_DROP_REASON_NOT_SPECIFIED"}};
	const struct btfnames old = {2, old_names};
	char *argv[] = {"tcpdrop-record", "-w", "x", NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad;

	(void)state;
	parse(&o, 3, argv);
	assert_int_equal(probecfg_build(&o, &old, &no_states, &pc, &bad), 0);
	assert_int_equal(pc.reason_consumed, UINT32_MAX);
	assert_int_equal(pc.reason_not_specified, 2);
	assert_int_equal(pc.state_time_wait, PROBECFG_TIME_WAIT_DEFAULT);
	assert_int_equal(pc.state_new_syn_recv, PROBECFG_NEW_SYN_RECV_DEFAULT);
}

static void test_no_not_specified(void **state)
{
	static struct tdf_name odd_names[] = {{0, "SKB_NOT_DROPPED_YET"}};
	const struct btfnames odd = {1, odd_names};
	char *argv[] = {"tcpdrop-record", NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad;

	(void)state;
	parse(&o, 1, argv);
	assert_int_equal(probecfg_build(&o, &odd, &states, &pc, &bad), -ENOENT);
}

static void test_reasons_and_filters(void **state)
{
	char *argv[] = {"tcpdrop-record",
			"-w",
			"x",
			"--reason",
			"no_socket,TCP_CSUM",
			"--port",
			"443",
			"-6",
			"--netns",
			"4026531840",
			NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad;

	(void)state;
	parse(&o, 10, argv);
	assert_int_equal(probecfg_build(&o, &reasons, &states, &pc, &bad), 0);
	assert_int_equal(pc.nreasons, 2);
	assert_int_equal(pc.reasons[0], 4);
	assert_int_equal(pc.reasons[1], 9);
	assert_false(pc.all_reasons);
	assert_int_equal(pc.port, 443);
	assert_int_equal(pc.family, 6);
	assert_int_equal(pc.netns, 4026531840u);
}

/* Naming NOT_SPECIFIED records it, like --all-reasons. */
static void test_not_specified_by_name(void **state)
{
	char *argv[] = {"tcpdrop-record", "--reason", "NO_SOCKET,NOT_SPECIFIED", NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad;

	(void)state;
	parse(&o, 3, argv);
	assert_int_equal(probecfg_build(&o, &reasons, &states, &pc, &bad), 0);
	assert_true(pc.all_reasons);
}

static void test_unknown_reason(void **state)
{
	char *argv[] = {"tcpdrop-record", "--reason", "NO_SOCKET,NO_SUCH_THING", NULL};
	struct rec_opts o;
	struct probe_cfg pc;
	uint32_t bad = 99;

	(void)state;
	parse(&o, 3, argv);
	assert_int_equal(probecfg_build(&o, &reasons, &states, &pc, &bad), -EINVAL);
	assert_int_equal(bad, 1); /* the second name */
	assert_string_equal(o.reasons[bad], "NO_SUCH_THING");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_old_kernel),
	    cmocka_unit_test(test_no_not_specified),
	    cmocka_unit_test(test_reasons_and_filters),
	    cmocka_unit_test(test_not_specified_by_name),
	    cmocka_unit_test(test_unknown_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
