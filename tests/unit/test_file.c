// SPDX-License-Identifier: BSD-2-Clause
/* test_file: a file's own metadata names everything: symbols, reasons, states, clocks, stacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/file.h"
#include "../../report/rpt.h"
#include "../../report/stacktext.h"
#include "../lib/rptsample.h"
#include "../lib/tdftest.h"

#define NS UINT64_C(1000000000)

static struct rpt_file *open_sample(bool beta, uint8_t **buf)
{
	size_t len;
	struct rpt_file *f;

	*buf = beta ? rptsample_beta(&len) : rptsample_alpha(true, &len);
	assert_non_null(*buf);
	f = rpt_file_open_mem(*buf, len, beta ? "beta" : "alpha");
	assert_non_null(f);
	assert_int_equal(rpt_file_prime(f), 1);
	return f;
}

static const char *sym(const struct rpt_file *f, uint32_t mod, uint32_t off)
{
	static char buf[4][128];
	static int i;
	struct tdf_kaddr a = {mod, off};
	char *b = buf[i++ & 3];

	rpt_file_symbolize(f, a, b, 128);
	return b;
}

static void test_symbolize_from_the_file(void **state)
{
	uint8_t *ab, *bb;
	struct rpt_file *a = open_sample(false, &ab), *b = open_sample(true, &bb);

	(void)state;
	/* Names this machine's kernel does not have: they can only come from the snapshot. */
	assert_string_equal(sym(a, TDF_MOD_VMLINUX, 0x8123), "tcpdrop_sample_rx_path+0x123");
	assert_string_equal(sym(b, TDF_MOD_VMLINUX, 0x8123), "tcpdrop_sample_beta_path+0x23");
	/* The same offset names different code in the two kernels. */
	assert_string_equal(sym(a, TDF_MOD_VMLINUX, 0x2090), "sk_skb_reason_drop+0x90");
	assert_string_equal(sym(b, TDF_MOD_VMLINUX, 0x2190), "kfree_skb_reason+0x90");
	assert_string_equal(sym(b, TDF_MOD_VMLINUX, 0x2090), "__traceiter_kfree_skb+0xf90");
	/* Exactly at a symbol, one before the first, a module, unknowns. */
	assert_string_equal(sym(a, TDF_MOD_VMLINUX, 0x3000), "tcp_v4_rcv+0x0");
	assert_string_equal(sym(a, TDF_MOD_VMLINUX, 0xfff), "0xfff?");
	assert_string_equal(sym(a, 1, 0x412), "nft_immediate_eval+0x12 [nf_tables]");
	assert_string_equal(sym(a, 1, 0x3ff), "nft_do_chain+0x3ff [nf_tables]");
	assert_string_equal(sym(a, 9, 0x5), "0x5? [mod9]");
	assert_string_equal(sym(a, TDF_MOD_UNKNOWN, 0), "?");
	assert_string_equal(rpt_file_module(a, 1), "nf_tables");
	assert_null(rpt_file_module(a, 2));
	/* snprintf semantics: the full length is returned, the buffer stays terminated. */
	{
		char small[8];
		struct tdf_kaddr k = {TDF_MOD_VMLINUX, 0x3099};

		assert_int_equal(rpt_file_symbolize(a, k, small, sizeof(small)),
				 (int)strlen("tcp_v4_rcv+0x99"));
		assert_string_equal(small, "tcp_v4_");
	}
	rpt_file_close(a);
	rpt_file_close(b);
	free(ab);
	free(bb);
}

static void test_names_and_meta(void **state)
{
	uint8_t *buf;
	struct rpt_file *f = open_sample(false, &buf);

	(void)state;
	assert_string_equal(rpt_file_name(f), "alpha");
	assert_string_equal(rpt_file_host(f), "alpha");
	assert_string_equal(rpt_file_meta(f, TDF_META_KERNEL_RELEASE), "6.18.0-sample");
	assert_null(rpt_file_meta(f, "no-such-key"));
	assert_int_equal(rpt_file_meta_count(f), 10);
	assert_string_equal(rpt_file_reason(f, 2), "NO_SOCKET");
	assert_string_equal(rpt_file_reason(f, 30), "TCP_LISTEN_OVERFLOW");
	assert_null(rpt_file_reason(f, 999));
	assert_string_equal(rpt_file_state(f, 10), "LISTEN");
	assert_null(rpt_file_state(f, TDF_STATE_NONE));
	assert_null(rpt_file_state(f, 200));
	assert_non_null(rpt_file_stack(f, 1));
	assert_int_equal(rpt_file_stack(f, 1)->depth, 6);
	assert_null(rpt_file_stack(f, 0));
	assert_null(rpt_file_stack(f, 3)); /* defined later in the file */
	rpt_file_close(f);
	free(buf);
}

static void test_realtime_anchors(void **state)
{
	uint8_t *buf;
	struct rpt_file *f = open_sample(false, &buf);
	struct rpt_event ev;
	uint64_t boot0 = 5000 * NS;
	int n = 0;

	(void)state;
	assert_int_equal(rpt_file_start(f), RPTSAMPLE_START_NS);
	assert_int_equal(rpt_file_realtime(f, boot0 + 7), RPTSAMPLE_START_NS + 7);
	/* Before the first anchor: extrapolated back from it. */
	assert_int_equal(rpt_file_realtime(f, boot0 - NS), RPTSAMPLE_START_NS - NS);
	/* Read everything: the second anchor (stepped +2 ms at 60 s) then applies after it. */
	while (rpt_file_next(f, &ev) == 1)
		n++;
	assert_int_equal(n, RPTSAMPLE_ALPHA_DROPS + 2);
	assert_int_equal(rpt_file_realtime(f, boot0 + 59 * NS), RPTSAMPLE_START_NS + 59 * NS);
	assert_int_equal(rpt_file_realtime(f, boot0 + 61 * NS),
			 RPTSAMPLE_START_NS + 61 * NS + 2000000);
	assert_non_null(rpt_file_index(f));
	assert_int_equal(rpt_file_index(f)->drops, RPTSAMPLE_ALPHA_DROPS);
	rpt_file_close(f);
	free(buf);
}

static void test_events(void **state)
{
	uint8_t *buf;
	struct rpt_file *f = open_sample(false, &buf);
	struct rpt_event ev;
	uint64_t lost_seen = 0;

	(void)state;
	while (rpt_file_next(f, &ev) == 1) {
		if (ev.type == TDF_REC_LOSS)
			continue;
		assert_int_equal(ev.type, TDF_REC_DROP);
		switch (ev.drop.d->seq_no) {
		case 1:
			assert_string_equal(ev.drop.reason, "NO_SOCKET");
			assert_null(ev.drop.state);
			assert_int_equal(ev.drop.real_ns, RPTSAMPLE_START_NS + NS + 1);
			assert_int_equal(ev.drop.lost_before, 0);
			break;
		case 3:
			assert_string_equal(ev.drop.state, "ESTABLISHED");
			break;
		case 4:
			/* The ring-buffer loss (7) came just before it; excluded frees do not
			 * count. */
			lost_seen = ev.drop.lost_before;
			assert_non_null(ev.drop.stack);
			assert_int_equal(ev.drop.stack->id, 3);
			assert_int_equal(rpt_stack_skip(f, ev.drop.stack), 1);
			break;
		case 5:
			assert_string_equal(ev.drop.reason, "UNKNOWN_999");
			assert_string_equal(ev.drop.state, "LISTEN");
			assert_null(ev.drop.stack);
			break;
		}
	}
	assert_int_equal(lost_seen, 7);
	rpt_file_close(f);
	free(buf);
}

static void test_machinery(void **state)
{
	uint8_t *buf;
	struct rpt_file *f = open_sample(false, &buf);

	(void)state;
	assert_true(rpt_sym_is_machinery("bpf_prog_6deef7357e7b4530_tcpdrop"));
	assert_true(rpt_sym_is_machinery("__traceiter_kfree_skb"));
	assert_true(rpt_sym_is_machinery("bpf_trace_run4"));
	assert_true(rpt_sym_is_machinery("__bpf_trace_kfree_skb"));
	assert_true(rpt_sym_is_machinery("trace_kfree_skb"));
	assert_false(rpt_sym_is_machinery("sk_skb_reason_drop"));
	assert_false(rpt_sym_is_machinery("kfree_skb_reason"));
	assert_false(rpt_sym_is_machinery("tcp_v4_rcv"));
	assert_false(rpt_sym_is_machinery(NULL));
	/* stack 1: bpf_trace_run4, __traceiter_kfree_skb, sk_skb_reason_drop...: skip 2 */
	assert_int_equal(rpt_stack_skip(f, rpt_file_stack(f, 1)), 2);
	assert_int_equal(rpt_stack_skip(f, NULL), 0);
	rpt_file_close(f);
	free(buf);
}

/* A stack of unplaceable frames with no machinery after them is shown whole. */
static void test_skip_keeps_unknown_without_machinery(void **state)
{
	static const struct tdf_kaddr frames[] = {{TDF_MOD_UNKNOWN, 0}, {0, 0x3099}};
	struct tdf_record recs[2];
	struct rpt_event ev;
	struct rpt_file *f;
	uint8_t *buf;
	size_t len;

	(void)state;
	memset(recs, 0, sizeof(recs));
	recs[0].type = TDF_REC_STACK;
	recs[0].stack.id = 1;
	recs[0].stack.depth = 2;
	recs[0].stack.frames = frames;
	recs[1].type = TDF_REC_DROP;
	tdftest_drop(&recs[1].drop, 1, 40);
	recs[1].drop.stack_id = 1;
	recs[1].drop.state = 42; /* no STATES record names it */
	buf = tdftest_write(recs, 2, NULL, true, &len);
	assert_non_null(buf);
	f = rpt_file_open_mem(buf, len, "m");
	assert_int_equal(rpt_file_prime(f), 1);
	assert_int_equal(rpt_stack_skip(f, rpt_file_stack(f, 1)), 0);
	/* No anchors, no host: boot time as is, the file name as host. */
	assert_int_equal(rpt_file_realtime(f, 42), 42);
	assert_string_equal(rpt_file_host(f), "m");
	assert_int_equal(rpt_file_next(f, &ev), 1);
	assert_int_equal(ev.type, TDF_REC_DROP);
	assert_string_equal(ev.drop.state, "UNKNOWN_42");
	assert_string_equal(ev.drop.reason, "UNKNOWN_2");
	rpt_file_close(f);
	free(buf);
}

static void test_not_a_trace_file(void **state)
{
	static const char junk[] = "this is not a trace file, not at all, no magic here";
	struct rpt_file *f;
	struct rpt_event ev;

	(void)state;
	f = rpt_file_open_mem(junk, sizeof(junk), "junk");
	if (!f)
		return; /* refusing at open is fine too */
	assert_true(rpt_file_next(f, &ev) < 0);
	assert_true(strlen(rpt_file_error(f)) > 0);
	rpt_file_close(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_symbolize_from_the_file),
	    cmocka_unit_test(test_names_and_meta),
	    cmocka_unit_test(test_realtime_anchors),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_machinery),
	    cmocka_unit_test(test_skip_keeps_unknown_without_machinery),
	    cmocka_unit_test(test_not_a_trace_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
