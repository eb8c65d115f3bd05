// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/btfnames (on BTF built in memory) and meta's command-line quoting. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpf/btf.h>
#include <cmocka.h>

#include "../../record/btfnames.h"
#include "../../record/meta.h"

/* A kernel-like BTF: the core enum, the subsystem-id enum, a subsystem reason enum, states. */
static struct btf *make_btf(bool with_states)
{
	struct btf *b = btf__new_empty();
	int id;

	assert_non_null(b);
	assert_true(btf__add_int(b, "int", 4, BTF_INT_SIGNED) > 0);
	id = btf__add_enum(b, "skb_drop_reason", 4);
	assert_true(id > 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_NOT_DROPPED_YET", 0), 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_CONSUMED", 1), 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_DROP_REASON_NOT_SPECIFIED", 2), 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_DROP_REASON_NO_SOCKET", 3), 0);
	/* subsystem ids: must not be taken for reasons (0 would shadow NOT_DROPPED_YET) */
	assert_true(btf__add_enum(b, "skb_drop_reason_subsys", 4) > 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_CORE", 0), 0);
	assert_int_equal(btf__add_enum_value(b, "SKB_DROP_REASON_SUBSYS_OPENVSWITCH", 3), 0);
	assert_true(btf__add_enum(b, "ovs_drop_reason", 4) > 0);
	assert_int_equal(btf__add_enum_value(b, "OVS_DROP_LAST_ACTION", 3 << 16), 0);
	assert_int_equal(btf__add_enum_value(b, "OVS_DROP_DUPLICATE", 3), 0); /* value taken */
	/* an unrelated enum */
	assert_true(btf__add_enum(b, "tcp_ca_state", 4) > 0);
	assert_int_equal(btf__add_enum_value(b, "TCP_CA_Open", 0), 0);
	if (with_states) {
		assert_true(btf__add_enum(b, NULL, 4) > 0);
		assert_int_equal(btf__add_enum_value(b, "TCP_ESTABLISHED", 1), 0);
		assert_int_equal(btf__add_enum_value(b, "TCP_SYN_SENT", 2), 0);
		assert_int_equal(btf__add_enum_value(b, "TCP_LISTEN", 10), 0);
		assert_int_equal(btf__add_enum_value(b, "TCP_MAX_STATES", 11), 0);
	}
	return b;
}

static void test_reasons(void **state)
{
	struct btf *b = make_btf(false);
	struct btfnames t;
	uint32_t v;

	(void)state;
	assert_int_equal(btfnames_reasons(b, "/nonexistent", &t), 0);
	assert_int_equal(t.count, 5);
	assert_int_equal(btfnames_find_exact(&t, "SKB_DROP_REASON_NO_SOCKET", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(btfnames_find_exact(&t, "OVS_DROP_LAST_ACTION", &v), 0);
	assert_int_equal(v, 3u << 16);
	/* first name wins for a value; subsystem ids are not reasons */
	assert_int_equal(btfnames_find_exact(&t, "OVS_DROP_DUPLICATE", &v), -ENOENT);
	assert_int_equal(btfnames_find_exact(&t, "SKB_DROP_REASON_SUBSYS_CORE", &v), -ENOENT);
	assert_int_equal(btfnames_find_exact(&t, "TCP_CA_Open", &v), -ENOENT);
	/* --reason accepts the short form in any case */
	assert_int_equal(btfnames_find(&t, "no_socket", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(btfnames_find(&t, "SKB_DROP_REASON_NOT_SPECIFIED", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(btfnames_find(&t, "ovs_drop_last_action", &v), 0);
	assert_int_equal(btfnames_find(&t, "NO_SUCH", &v), -ENOENT);
	assert_int_equal(btfnames_find(&t, "", &v), -ENOENT);
	btfnames_free(&t);
	btf__free(b);
}

static void test_no_reason_enum(void **state)
{
	struct btf *b = btf__new_empty();
	struct btfnames t;

	(void)state;
	assert_true(btf__add_int(b, "int", 4, BTF_INT_SIGNED) > 0);
	assert_int_equal(btfnames_reasons(b, "/nonexistent", &t), -ENOENT);
	assert_int_equal(t.count, 0);
	btf__free(b);
}

static void test_states(void **state)
{
	struct btf *b = make_btf(true);
	struct btfnames t;
	uint32_t v;

	(void)state;
	assert_int_equal(btfnames_states(b, &t), 0);
	assert_int_equal(t.count, 3); /* TCP_MAX_STATES is not a state */
	assert_int_equal(btfnames_find_exact(&t, "LISTEN", &v), 0);
	assert_int_equal(v, 10);
	btfnames_free(&t);
	btf__free(b);
}

static void test_states_fallback(void **state)
{
	struct btf *b = make_btf(false);
	struct btfnames t;
	uint32_t v;

	(void)state;
	assert_int_equal(btfnames_states(b, &t), 0);
	assert_int_equal(t.count, 13);
	assert_int_equal(btfnames_find_exact(&t, "NEW_SYN_RECV", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(btfnames_find_exact(&t, "TIME_WAIT", &v), 0);
	assert_int_equal(v, 6);
	btfnames_free(&t);
	btf__free(b);
}

static void test_cmdline(void **state)
{
	char *argv[] = {"tcpdrop-record", "-w", "a b.tdrop", "--reason", "it's", ""};
	char buf[128], small[8];

	(void)state;
	meta_cmdline(6, argv, buf, sizeof(buf));
	assert_string_equal(buf, "tcpdrop-record -w 'a b.tdrop' --reason 'it'\\''s' ''");
	/* truncation keeps a terminated string */
	assert_int_equal(meta_cmdline(2, argv, small, sizeof(small)), 7);
	assert_string_equal(small, "tcpdrop");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reasons), cmocka_unit_test(test_no_reason_enum),
	    cmocka_unit_test(test_states),  cmocka_unit_test(test_states_fallback),
	    cmocka_unit_test(test_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
