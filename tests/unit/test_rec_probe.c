// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/probe's kernel check: tracepoint arguments read from (made-up) BTF. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/btf.h>
#include <cmocka.h>

#include "../../record/probe.h"

/* typedef void (*btf_trace_kfree_skb)(void *, <nargs - 1 more pointer args>) */
static struct btf *make_btf(int nargs, bool with_typedef)
{
	struct btf *b = btf__new_empty();
	int vp, proto, ptr;

	assert_non_null(b);
	vp = btf__add_ptr(b, 0);
	assert_true(vp > 0);
	proto = btf__add_func_proto(b, 0);
	assert_true(proto > 0);
	for (int i = 0; i < nargs; i++)
		assert_int_equal(btf__add_func_param(b, "", vp), 0);
	ptr = btf__add_ptr(b, proto);
	assert_true(ptr > 0);
	if (with_typedef)
		assert_true(btf__add_typedef(b, "btf_trace_kfree_skb", ptr) > 0);
	return b;
}

static void test_versions(void **state)
{
	static const struct {
		int nargs;
		int rc;
		bool reason, rx_sk;
	} cases[] = {
	    {3, -EOPNOTSUPP, false, false}, /* (void *, skb, location): before 5.17 */
	    {4, 0, true, false},	    /* + reason: 5.17 .. 6.10 */
	    {5, 0, true, true},		    /* + rx_sk: 6.11+ */
	};
	struct probe_kernel k;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct btf *b = make_btf(cases[i].nargs, true);

		assert_int_equal(probe_kernel_check(b, &k), cases[i].rc);
		assert_int_equal(k.has_reason, cases[i].reason);
		assert_int_equal(k.has_rx_sk, cases[i].rx_sk);
		btf__free(b);
	}
}

static void test_no_tracepoint(void **state)
{
	struct btf *b = make_btf(5, false);
	struct probe_kernel k;

	(void)state;
	assert_int_equal(probe_kernel_check(b, &k), -ENOENT);
	btf__free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_no_tracepoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
