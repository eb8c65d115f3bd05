// SPDX-License-Identifier: BSD-2-Clause
/* test_filter: every filter kind of the report, alone and combined, on the sample recording. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../report/filter.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"

static uint8_t *alpha;
static size_t alpha_len;

/* A sink that records which drops (by seq_no, as a bit mask) and how many losses arrived. */
struct collect {
	uint64_t mask;
	unsigned drops, losses;
};

static int col_drop(void *ctx, const struct rpt_drop *d)
{
	struct collect *c = ctx;

	c->mask |= UINT64_C(1) << d->d->seq_no;
	c->drops++;
	return 0;
}

static int col_loss(void *ctx, const struct rpt_loss *l)
{
	struct collect *c = ctx;

	(void)l;
	c->losses++;
	return 0;
}

static const struct rpt_sink_ops col_ops = {.drop = col_drop, .loss = col_loss};

#define SEQ(n) (UINT64_C(1) << (n))

/* Run the alpha sample through f and return the mask of drops that passed. */
static uint64_t run(struct rpt_filter *f, uint64_t max, struct collect *out)
{
	struct rpt_file *file = rpt_file_open_mem(alpha, alpha_len, "alpha");
	struct collect c = {0};
	struct rpt_sink sink = {&col_ops, &c};
	struct rpt_run_opts ro = {.filter = f, .max_drops = max};

	assert_non_null(file);
	assert_int_equal(rpt_run(&file, 1, &sink, &ro), 0);
	rpt_file_close(file);
	if (out)
		*out = c;
	return c.mask;
}

static struct rpt_filter *pcap(const char *expr)
{
	struct rpt_filter *f = rpt_filter_new();
	char err[512];

	assert_non_null(f);
	if (rpt_filter_set_pcap(f, expr, err, sizeof(err)))
		fail_msg("%s: %s", expr, err);
	return f;
}

static void test_empty_filter_passes_all(void **state)
{
	struct rpt_filter *f = rpt_filter_new();
	struct collect c;

	(void)state;
	assert_int_equal(run(f, 0, &c), SEQ(1) | SEQ(2) | SEQ(3) | SEQ(4) | SEQ(5) | SEQ(6));
	assert_int_equal(c.losses, 2); /* ringbuf and excluded both reach the sink */
	rpt_filter_free(f);
}

/* tcpdump syntax on DLT_RAW: "tcp port 80" must see IPv4 (1, 4, 5) and IPv6 (6) packets. */
static void test_pcap_port_v4_and_v6(void **state)
{
	struct rpt_filter *f = pcap("tcp port 80");

	(void)state;
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(4) | SEQ(5) | SEQ(6));
	rpt_filter_free(f);
	f = pcap("ip6");
	assert_int_equal(run(f, 0, NULL), SEQ(2) | SEQ(6));
	rpt_filter_free(f);
	f = pcap("ip6 and dst port 443");
	assert_int_equal(run(f, 0, NULL), SEQ(2));
	rpt_filter_free(f);
	f = pcap("src host 10.0.0.3");
	assert_int_equal(run(f, 0, NULL), SEQ(3));
	rpt_filter_free(f);
	f = pcap("tcp[tcpflags] & tcp-rst != 0");
	assert_int_equal(run(f, 0, NULL), SEQ(5));
	rpt_filter_free(f);
	f = pcap("ip6[53] & 1 != 0"); /* IPv6 TCP flags byte: FIN */
	assert_int_equal(run(f, 0, NULL), SEQ(6));
	rpt_filter_free(f);
}

static void test_pcap_bad_expression(void **state)
{
	struct rpt_filter *f = rpt_filter_new();
	char err[512] = "";

	(void)state;
	assert_int_equal(rpt_filter_set_pcap(f, "tcp port", err, sizeof(err)), -EINVAL);
	assert_true(strlen(err) > 0);
	rpt_filter_free(f);
}

static void test_reason(void **state)
{
	struct rpt_filter *f = rpt_filter_new();

	(void)state;
	assert_int_equal(rpt_filter_add_reasons(f, "no_socket"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2));
	/* A second option ORs with the first; the prefix is optional. */
	assert_int_equal(rpt_filter_add_reasons(f, "SKB_DROP_REASON_NETFILTER_DROP,UNKNOWN_999"),
			 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(4) | SEQ(5));
	assert_int_equal(rpt_filter_add_reasons(f, "a,,b"), -EINVAL);
	rpt_filter_free(f);
}

static void test_state(void **state)
{
	struct rpt_filter *f = rpt_filter_new();

	(void)state;
	assert_int_equal(rpt_filter_add_states(f, "established"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(3));
	rpt_filter_free(f);
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_states(f, "-"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(4));
	assert_int_equal(rpt_filter_add_states(f, "TCP_LISTEN"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(4) | SEQ(5));
	/* a name that is no TCP state, alone or in a list, adds nothing */
	assert_int_equal(rpt_filter_add_states(f, "BOGUS"), -ENOENT);
	assert_int_equal(rpt_filter_add_states(f, "established,LISTENING"), -ENOENT);
	assert_int_equal(rpt_filter_add_states(f, "ESTABLISHE"), -ENOENT);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(4) | SEQ(5));
	/* every documented name is accepted, with or without TCP_ */
	assert_int_equal(rpt_filter_add_states(f, rpt_tcp_state_names), 0);
	assert_int_equal(rpt_filter_add_states(f, "tcp_bound_inactive,new_syn_recv,none"), 0);
	rpt_filter_free(f);
}

static void test_comm_pid_netns_ifname(void **state)
{
	struct rpt_filter *f = rpt_filter_new();

	(void)state;
	assert_int_equal(rpt_filter_add_comm(f, "sshd"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(3));
	rpt_filter_free(f);

	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_comm(f, "ssh"), 0); /* exact, not a prefix */
	assert_int_equal(run(f, 0, NULL), 0);
	rpt_filter_free(f);

	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_pid(f, 1234), 0);
	assert_int_equal(rpt_filter_add_pid(f, 77), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(2) | SEQ(6));
	rpt_filter_free(f);

	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_netns(f, 4026532999u), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(3));
	rpt_filter_free(f);

	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_ifname(f, "lo"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(5) | SEQ(6));
	rpt_filter_free(f);
}

static void test_stack_contains(void **state)
{
	struct rpt_filter *f = rpt_filter_new();

	(void)state;
	assert_int_equal(rpt_filter_add_stack_sym(f, "nft_do_chain"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(4));
	rpt_filter_free(f);
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_stack_sym(f, "tcp_v4_rcv"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(3) | SEQ(6));
	rpt_filter_free(f);
	/* The location counts too: drop 5 has no stack, only its location. */
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_stack_sym(f, "sk_skb_reason_drop"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2) | SEQ(3) | SEQ(4) | SEQ(5) | SEQ(6));
	rpt_filter_free(f);
}

static void test_time_range(void **state)
{
	struct rpt_filter *f = rpt_filter_new();
	struct rpt_when w;
	struct collect c;

	(void)state;
	/* Offsets from the start: [1.5 s, 3.1 s) */
	assert_int_equal(rpt_when_parse("+1.5", true, &w), 0);
	rpt_filter_set_since(f, &w);
	assert_int_equal(rpt_when_parse("+3.1", true, &w), 0);
	rpt_filter_set_until(f, &w);
	assert_int_equal(run(f, 0, &c), SEQ(2) | SEQ(3));
	assert_int_equal(c.losses, 2); /* the losses at 2.5..3.0 overlap */
	rpt_filter_free(f);

	/* Wall clock, UTC: from 12:01:00 on. */
	f = rpt_filter_new();
	assert_int_equal(rpt_when_parse("2024-05-01 12:01:00", true, &w), 0);
	rpt_filter_set_since(f, &w);
	assert_int_equal(run(f, 0, &c), SEQ(5) | SEQ(6));
	assert_int_equal(c.losses, 0);
	rpt_filter_free(f);

	/* ISO with a zone, whatever --utc says. */
	f = rpt_filter_new();
	assert_int_equal(rpt_when_parse("2024-05-01T14:00:02.2+02:00", false, &w), 0);
	rpt_filter_set_until(f, &w);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(2));
	rpt_filter_free(f);
}

static void test_when_parse(void **state)
{
	struct rpt_when w;

	(void)state;
	assert_int_equal(rpt_when_parse("2024-05-01T12:00:00Z", false, &w), 0);
	assert_false(w.relative);
	assert_int_equal(w.ns, (int64_t)RPTSAMPLE_START_NS);
	assert_int_equal(rpt_when_parse("2024-05-01 12:00:00.000000001", true, &w), 0);
	assert_int_equal(w.ns, (int64_t)RPTSAMPLE_START_NS + 1);
	/* Local time follows TZ. */
	setenv("TZ", "XST-5:30", 1);
	tzset();
	assert_int_equal(rpt_when_parse("2024-05-01 17:30:00", false, &w), 0);
	assert_int_equal(w.ns, (int64_t)RPTSAMPLE_START_NS);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(rpt_when_parse("@1714564800.5", false, &w), 0);
	assert_int_equal(w.ns, (int64_t)RPTSAMPLE_START_NS + 500000000);
	assert_int_equal(rpt_when_parse("+90", false, &w), 0);
	assert_true(w.relative);
	assert_int_equal(w.ns, INT64_C(90000000000));
	/* Malformed */
	assert_int_equal(rpt_when_parse("", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("+", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("+1.", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("+1x", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("2024-13-01 00:00:00", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("2024-05-01 12:00", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("2024-05-01 12:00:00Q", false, &w), -EINVAL);
	assert_int_equal(rpt_when_parse("+99999999999999999999", false, &w), -EINVAL);
}

/* Kinds AND together; -c stops after N passed drops. */
static void test_combined_and_count(void **state)
{
	struct rpt_filter *f = pcap("tcp port 80");

	(void)state;
	assert_int_equal(rpt_filter_add_states(f, "none"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1) | SEQ(4));
	assert_int_equal(rpt_filter_add_comm(f, "swapper/0"), 0);
	assert_int_equal(run(f, 0, NULL), SEQ(1));
	rpt_filter_free(f);
	assert_int_equal(run(NULL, 2, NULL), SEQ(1) | SEQ(2));
	f = pcap("ip6");
	assert_int_equal(run(f, 1, NULL), SEQ(2));
	rpt_filter_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_filter_passes_all),
	    cmocka_unit_test(test_pcap_port_v4_and_v6),
	    cmocka_unit_test(test_pcap_bad_expression),
	    cmocka_unit_test(test_reason),
	    cmocka_unit_test(test_state),
	    cmocka_unit_test(test_comm_pid_netns_ifname),
	    cmocka_unit_test(test_stack_contains),
	    cmocka_unit_test(test_time_range),
	    cmocka_unit_test(test_when_parse),
	    cmocka_unit_test(test_combined_and_count),
	};
	int rc;

	setenv("TZ", "UTC", 1);
	tzset();
	alpha = rptsample_alpha(true, &alpha_len);
	if (!alpha)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(alpha);
	return rc;
}
