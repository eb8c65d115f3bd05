// SPDX-License-Identifier: BSD-2-Clause
/* test_export: trace files made with the format library, exported, read back by libpcap/tshark. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../report/explain.h"
#include "../../report/views.h"
#include "../lib/tdftest.h"
#include "pcapng_util.h"

#define NDROPS 12
#define NS_A   4026531840u
#define NS_B   4026532999u
#define BOOT0  1000000000ull
#define REAL0  1700000000000000000ull
#define SEQ0   100u

static const uint32_t reason_cycle[5] = {2, 5, 2, 77, 99};
static const char *const reason_name[5] = {"NO_SOCKET", "TCP_CSUM", "NO_SOCKET",
					   "TCP_INVALID_SEQUENCE", "UNKNOWN_99"};

static const struct tdf_kv meta_kv[] = {
    {TDF_META_HOST, "testhost"},
    {TDF_META_KERNEL_RELEASE, "6.18.0-test"},
    {TDF_META_KERNEL_VERSION, "#1 SMP PREEMPT_DYNAMIC"},
    {TDF_META_ARCH, "x86_64"},
    {TDF_META_TOOL_VERSION, "0.1.0"},
    {TDF_META_SNAPLEN, "128"},
};
static const struct tdf_kv meta_kv_b[] = {
    {TDF_META_HOST, "otherhost"},
    {TDF_META_KERNEL_RELEASE, "6.1.0-deb"},
    {TDF_META_ARCH, "aarch64"},
    {TDF_META_SNAPLEN, "96"},
};
static const struct tdf_name reasons[] = {
    {2, "SKB_DROP_REASON_NO_SOCKET"},
    {5, "SKB_DROP_REASON_TCP_CSUM"},
    {77, "SKB_DROP_REASON_TCP_INVALID_SEQUENCE"},
};
static const struct tdf_name states[] = {{1, "ESTABLISHED"}, {10, "LISTEN"}};
static const struct tdf_ksym vmlinux_syms[] = {
    {0x1000, "kfree_skb_reason"},	 {0x2000, "bpf_trace_run4"}, {0x3000, "tcp_v4_rcv"},
    {0x4000, "ip_local_deliver_finish"}, {0x5000, "zzz_end"},
};
static const struct tdf_ksym bpf_syms[] = {{0, "bpf_prog_0123456789abcdef_tcpdrop"}};
static const struct tdf_kaddr frames[] = {
    {1, 0x10},		       /* our BPF program */
    {TDF_MOD_VMLINUX, 0x2010}, /* bpf_trace_run4+0x10 */
    {TDF_MOD_VMLINUX, 0x1020}, /* kfree_skb_reason+0x20 */
    {TDF_MOD_VMLINUX, 0x3030}, /* tcp_v4_rcv+0x30 */
    {TDF_MOD_VMLINUX, 0x4040}, /* ip_local_deliver_finish+0x40 */
};

struct trace {
	uint8_t *buf;
	size_t len;
	uint8_t pkt[NDROPS][200];
	uint32_t pktlen[NDROPS];
	uint64_t want_real[NDROPS];
};

static uint64_t drop_boot_ns(int i)
{
	return BOOT0 + (uint64_t)i * 1000003u + 7;
}

/*
 * NDROPS drops (IPv4 and IPv6, two netns with the same ifindex 2, one without a device, one
 * truncated, one hostile comm, one without a stack) with a ring-buffer loss of 5 after the
 * third drop and of 2 after the last, and 9 excluded NOT_SPECIFIED drops.
 */
static void make_trace(struct trace *t, bool clean, bool other_host)
{
	struct tdf_record recs[16 + NDROPS];
	size_t n = 0;

	recs[n++] = (struct tdf_record){.type = TDF_REC_META,
					.meta = other_host ? (struct tdf_meta){4, meta_kv_b}
							   : (struct tdf_meta){6, meta_kv}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_CLOCK, .clock = {BOOT0, REAL0}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_REASONS, .names = {3, reasons}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_STATES, .names = {2, states}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_KMOD, .kmod = {1, "bpf"}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_KSYMS, .ksyms = {0, 5, vmlinux_syms}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_KSYMS, .ksyms = {1, 1, bpf_syms}};
	recs[n++] = (struct tdf_record){.type = TDF_REC_STACK, .stack = {1, 5, frames}};
	recs[n++] = (struct tdf_record){
	    .type = TDF_REC_LOSS, .loss = {TDF_LOSS_EXCLUDED, UINT32_MAX, 9, BOOT0, BOOT0 + 10}};
	for (int i = 0; i < NDROPS; i++) {
		struct tdf_drop *d = &recs[n].drop;
		size_t payload = i == 5 ? 100 : (size_t)i;

		recs[n++].type = TDF_REC_DROP;
		memset(d, 0, sizeof(*d));
		d->family = i % 3 == 2 ? 6 : 4;
		t->pktlen[i] = (uint32_t)make_tcp_packet(
		    t->pkt[i], d->family, 1, 2, (uint16_t)(40000 + i), 80,
		    TDF_TCP_SYN | (i == 1 ? TDF_TCP_ACK : 0), (uint32_t)i * 1000, payload);
		d->seq_no = SEQ0 + (uint64_t)i;
		d->ts_ns = drop_boot_ns(i);
		d->cpu = (uint32_t)i % 2;
		d->pid = 1000 + (uint32_t)i;
		if (i == 4)
			memcpy(d->comm,
			       "\x01"
			       "bad\xff",
			       5);
		else
			snprintf(d->comm, sizeof(d->comm), "proc%d", i);
		d->tcp_flags = TDF_TCP_SYN | (i == 1 ? TDF_TCP_ACK : 0);
		d->state = i % 4 == 0 ? 1 : TDF_STATE_NONE;
		d->dir = (uint8_t)(i % 3); /* unknown, in, out */
		if (d->family == 4) {
			memcpy(d->saddr, "\x0a\x00\x00\x01", 4);
			memcpy(d->daddr, "\x0a\x00\x00\x02", 4);
		} else {
			d->saddr[0] = d->daddr[0] = 0xfd;
			d->saddr[15] = 1;
			d->daddr[15] = 2;
		}
		d->sport = (uint16_t)(40000 + i);
		d->dport = 80;
		d->reason = reason_cycle[i % 5];
		d->location = (struct tdf_kaddr){TDF_MOD_VMLINUX, 0x3030};
		d->netns = i % 2 ? NS_B : NS_A;
		d->ifindex = i == 7 ? 0 : 2;
		if (i != 7)
			snprintf(d->ifname, sizeof(d->ifname), "veth0");
		/* drops 0-3: skb->len after the IP header was pulled, like at tcp_v4_rcv */
		d->len = t->pktlen[i] - (i < 4 ? (d->family == 4 ? 20u : 40u) : 0u);
		d->caplen = (uint16_t)(i == 5 ? 64 : t->pktlen[i]);
		d->data = t->pkt[i];
		d->stack_id = i == 6 ? 0 : 1;
		t->want_real[i] = REAL0 + (drop_boot_ns(i) - BOOT0);
		if (i == 2)
			recs[n++] = (struct tdf_record){
			    .type = TDF_REC_LOSS,
			    .loss = {TDF_LOSS_RINGBUF, 1, 5, drop_boot_ns(2), drop_boot_ns(3)}};
	}
	recs[n++] = (struct tdf_record){
	    .type = TDF_REC_LOSS,
	    .loss = {TDF_LOSS_RINGBUF, UINT32_MAX, 2, drop_boot_ns(11), drop_boot_ns(11) + 5}};
	t->buf = tdftest_write(recs, n, NULL, clean, &t->len);
	assert_non_null(t->buf);
}

/* What the report hands to every sink: the reference for times and reasons. */
struct seen {
	size_t n;
	uint64_t real[NDROPS * 2];
	char reason[NDROPS * 2][64];
};

static int seen_drop(void *ctx, const struct rpt_drop *d)
{
	struct seen *s = ctx;

	assert_true(s->n < NDROPS * 2);
	s->real[s->n] = d->real_ns;
	snprintf(s->reason[s->n], sizeof(s->reason[0]), "%s", d->reason);
	s->n++;
	return 0;
}

static const struct rpt_sink_ops seen_ops = {.drop = seen_drop};

static void run_sink(struct trace *const *tr, size_t ntr, struct rpt_sink *sink)
{
	struct rpt_file *files[4];

	assert_true(ntr <= 4);
	for (size_t i = 0; i < ntr; i++) {
		files[i] = rpt_file_open_mem(tr[i]->buf, tr[i]->len, "mem");
		assert_non_null(files[i]);
	}
	assert_int_equal(rpt_run(files, ntr, sink, NULL), 0);
	for (size_t i = 0; i < ntr; i++)
		rpt_file_close(files[i]);
}

static void export_to(const char *path, struct trace *const *tr, size_t ntr,
		      const struct rpt_view_opts *o)
{
	FILE *f = fopen(path, "wb");
	struct rpt_view_cfg cfg = {0};
	struct rpt_sink *sink;

	assert_non_null(f);
	if (o)
		cfg.o = *o;
	sink = rpt_pcapng_open(f, &cfg);
	assert_non_null(sink);
	run_sink(tr, ntr, sink);
	rpt_sink_close(sink);
	assert_int_equal(fclose(f), 0);
}

/* The opt_comment of the i-th EPB of a walked file, NUL-terminated in buf. */
static const char *epb_comment(const struct walk *w, int nth, char *buf, size_t len)
{
	int seen = -1;

	for (uint32_t b = 0; b < w->nblocks; b++) {
		const struct walked_opt *o;

		if (w->types[b] != 6 || ++seen != nth)
			continue;
		o = find_opt(w, b, 1);
		assert_non_null(o);
		assert_true(o->len < len);
		memcpy(buf, w->file + o->value_off, o->len);
		buf[o->len] = '\0';
		return buf;
	}
	fail_msg("no EPB %d", nth);
	return NULL;
}

static uint64_t opt_u64(const struct walk *w, const struct walked_opt *o)
{
	assert_int_equal(o->len, 8);
	return le32(w->file + o->value_off) | (uint64_t)le32(w->file + o->value_off + 4) << 32;
}

static void test_packets_and_times(void **state)
{
	static struct trace tr;
	struct trace *trs[1] = {&tr};
	static struct read_pkt got[NDROPS + 1];
	struct seen seen = {0};
	struct rpt_sink seen_sink = {&seen_ops, &seen};
	struct tmp_file t;
	int linktype, snaplen;

	(void)state;
	make_trace(&tr, true, false);
	run_sink(trs, 1, &seen_sink);
	assert_int_equal(seen.n, NDROPS);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	assert_int_equal(pcap_read_all(t.path, got, NDROPS + 1, &linktype, &snaplen), NDROPS);
	assert_int_equal(linktype, DLT_RAW);
	assert_int_equal(snaplen, 128); /* from META snaplen */
	for (int i = 0; i < NDROPS; i++) {
		uint32_t caplen = i == 5 ? 64 : tr.pktlen[i];

		/* the report's time, to the nanosecond, and the one the clock anchor gives */
		assert_int_equal(got[i].ts_ns, seen.real[i]);
		assert_int_equal(got[i].ts_ns, tr.want_real[i]);
		assert_int_equal(got[i].caplen, caplen);
		assert_int_equal(got[i].len, tr.pktlen[i]);
		assert_memory_equal(got[i].data, tr.pkt[i], caplen);
	}
	free(tr.buf);
	tmp_done(&t);
}

static void test_blocks(void **state)
{
	static struct trace tr;
	static struct walk w;
	struct trace *trs[1] = {&tr};
	struct tmp_file t;
	char c[20000];
	uint32_t nisb = 0;
	uint64_t isb_osdrop[8] = {0};
	int epb = 0;

	(void)state;
	make_trace(&tr, true, false);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	walk_file(t.path, &w);
	/* SHB, then IDB 0 (NS_A/2) and IDB 1 (NS_B/2) before their first packets, IDB 2 (no
	 * device) before drop 7, the packets, 3 ISBs */
	assert_int_equal(w.types[0], 0x0a0d0d0a);
	assert_opt_str(&w, 0, 2, "x86_64");
	assert_opt_str(&w, 0, 3, "Linux 6.18.0-test #1 SMP PREEMPT_DYNAMIC");
	assert_opt_str(&w, 0, 4, "tcpdrop-report " TCPDROP_VERSION);
	{
		const struct walked_opt *o = find_opt(&w, 0, 1);
		char shb[4096];

		assert_non_null(o);
		memcpy(shb, w.file + o->value_off, o->len);
		shb[o->len] = '\0';
		assert_non_null(strstr(shb, "host: testhost\n"));
		/* the end (the last loss, 5 ns after the last drop) is filled in at the end */
		assert_non_null(strstr(shb,
				       "\nrecorded: 2023-11-14T22:13:20.000000000Z to "
				       "2023-11-14T22:13:20.011000045Z (recording start to last "
				       "event)\n"));
	}
	assert_int_equal(w.types[1], 1);
	assert_opt_str(&w, 1, 2, "veth0");
	assert_opt_str(&w, 1, 3, "netns 4026531840, ifindex 2");
	assert_int_equal(w.types[3], 1);
	assert_opt_str(&w, 3, 2, "veth0");
	assert_opt_str(&w, 3, 3, "netns 4026532999, ifindex 2");
	assert_int_equal(w.nblocks, 1 + 3 + NDROPS + 3);
	for (uint32_t b = 0; b < w.nblocks; b++) {
		const struct walked_opt *o;

		if (w.types[b] == 5) {
			assert_true(nisb < 8);
			o = find_opt(&w, b, 7);
			assert_non_null(o);
			isb_osdrop[nisb] = opt_u64(&w, o);
			assert_non_null(find_opt(&w, b, 2));
			assert_non_null(find_opt(&w, b, 3));
			assert_null(find_opt(&w, b, 5)); /* never isb_ifdrop */
			nisb++;
			continue;
		}
		if (w.types[b] != 6)
			continue;
		/* epb_packetid = seq, epb_dropcount = losses since the previous drop */
		o = find_opt(&w, b, 5);
		assert_non_null(o);
		assert_int_equal(opt_u64(&w, o), SEQ0 + (uint64_t)epb);
		o = find_opt(&w, b, 4);
		assert_non_null(o);
		assert_int_equal(opt_u64(&w, o), epb == 3 ? 5 : 0);
		/* direction where known */
		o = find_opt(&w, b, 2);
		if (epb % 3 == 0) {
			assert_null(o);
		} else {
			assert_non_null(o);
			assert_int_equal(le32(w.file + o->value_off), (uint32_t)(epb % 3));
		}
		epb++;
	}
	assert_int_equal(epb, NDROPS);
	assert_int_equal(nisb, 3);
	/* interface order NS_A, NS_B, no device: 5 lost before drop 3 (NS_B) + 2 after the last
	 * drop (11, NS_B) */
	assert_int_equal(isb_osdrop[0], 0);
	assert_int_equal(isb_osdrop[1], 7);
	assert_int_equal(isb_osdrop[2], 0);

	/* comments */
	epb_comment(&w, 0, c, sizeof(c));
	/* the second line: why, from report/explain.h */
	assert_true(strncmp(c, "TCP drop: NO_SOCKET\nwhy: a SYN to port 80, where nothing listens ",
			    65) == 0);
	assert_non_null(strstr(c, "'connection refused')\nstate: ESTABLISHED\nflags: SYN\n"));
	assert_non_null(strstr(c, "\nflow: 10.0.0.1:40000 -> 10.0.0.2:80\n"));
	assert_non_null(strstr(c, "\npid/comm: 1000/proc0 "));
	assert_non_null(strstr(c, "\nskb len: 20\n"));
	assert_non_null(strstr(c, "\nlocation: tcp_v4_rcv+0x30\n"));
	assert_non_null(strstr(c, "\ninterface: veth0 (ifindex 2, netns 4026531840)\n"));
	assert_non_null(strstr(c, "\nstack:\n  kfree_skb_reason+0x20\n  tcp_v4_rcv+0x30\n"
				  "  ip_local_deliver_finish+0x40"));
	assert_null(strstr(c, "bpf_trace_run"));
	assert_null(strstr(c, "bpf_prog"));
	assert_int_not_equal(c[strlen(c) - 1], '\n');
	epb_comment(&w, 1, c, sizeof(c));
	assert_true(strncmp(c, "TCP drop: TCP_CSUM\nwhy: bad TCP checksum ", 40) == 0);
	assert_non_null(strstr(c, "\nstate: - (no socket)\nflags: SYN|ACK\n"));
	epb_comment(&w, 2, c, sizeof(c));
	assert_non_null(strstr(c, "\nflow: [fd00::1]:40002 -> [fd00::2]:80\n"));
	epb_comment(&w, 4, c, sizeof(c));
	assert_true(strncmp(c,
			    "TCP drop: UNKNOWN_99\nwhy: " RPT_EXPLAIN_UNKNOWN
			    " (subsystem core, code 99",
			    26 + strlen(RPT_EXPLAIN_UNKNOWN) + 24) == 0);
	assert_non_null(strstr(c, "\npid/comm: 1004/\\x01bad\\xff "));
	epb_comment(&w, 6, c, sizeof(c));
	assert_null(strstr(c, "stack:"));
	epb_comment(&w, 7, c, sizeof(c));
	assert_non_null(strstr(c, "\ninterface: - (no device; netns 4026532999)\n"));
	free(w.file);
	free(tr.buf);
	tmp_done(&t);
}

/* Per reason, tshark's comment filter counts what the report counts. */
static void test_tshark_counts_per_reason(void **state)
{
	static struct trace tr;
	struct trace *trs[1] = {&tr};
	struct seen seen = {0};
	struct rpt_sink seen_sink = {&seen_ops, &seen};
	struct tmp_file t;
	char *out, *err;
	unsigned total = 0;

	(void)state;
	REQUIRE_TOOL("tshark");
	make_trace(&tr, true, false);
	run_sink(trs, 1, &seen_sink);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	for (int r = 0; r < 5; r++) {
		unsigned want = 0;

		if (r == 2)
			continue; /* NO_SOCKET twice in the cycle */
		for (size_t i = 0; i < seen.n; i++)
			want += strcmp(seen.reason[i], reason_name[r]) == 0;
		assert_true(want > 0);
		assert_int_equal(
		    run_capture(&out, &err,
				"tshark -n -r '%s' -Y 'frame.comment contains \"TCP drop: %s\"' "
				"-T fields -e frame.number",
				t.path, reason_name[r]),
		    0);
		assert_string_equal(tshark_real_stderr(err), "");
		assert_int_equal(count_lines(out), want);
		total += want;
		free(out);
		free(err);
	}
	assert_int_equal(total, NDROPS);
	/* the README's filter, as typed */
	assert_int_equal(run_capture(&out, &err,
				     "tshark -n -r '%s' -Y 'frame.comment contains "
				     "\"NO_SOCKET\"' -T fields -e frame.number",
				     t.path),
			 0);
	assert_int_equal(count_lines(out), 5);
	free(out);
	free(err);
	/* two netns with the same ifindex are two interfaces; IPv4 and IPv6 in one file */
	assert_int_equal(run_capture(&out, &err,
				     "tshark -n -r '%s' -T fields "
				     "-e frame.interface_id -e frame.interface_description "
				     "-e ip.version -e ipv6.version -e frame.packet_id "
				     "-e frame.drop_count",
				     t.path),
			 0);
	assert_non_null(strstr(out, "0\tnetns 4026531840, ifindex 2\t4\t\t100\t0\n"));
	assert_non_null(strstr(out, "\n1\tnetns 4026532999, ifindex 2\t4\t\t101\t0\n"));
	assert_non_null(strstr(out, "\n0\tnetns 4026531840, ifindex 2\t6\t6\t102\t0\n"));
	assert_non_null(
	    strstr(out, "\n2\tnetns 4026532999, drops without a device\t4\t\t107\t0\n"));
	assert_int_equal(count_lines(out), NDROPS);
	free(out);
	free(err);
	assert_int_equal(run_capture(&out, &err,
				     "tshark -n -r '%s' -Y 'frame.interface_id == 1 "
				     "&& ipv6' -T fields -e frame.packet_id "
				     "-e frame.drop_count",
				     t.path),
			 0);
	assert_string_equal(out, "105\t0\n111\t0\n");
	free(out);
	free(err);
	assert_int_equal(run_capture(&out, &err,
				     "tshark -n -r '%s' -Y 'frame.drop_count > 0' "
				     "-T fields -e frame.packet_id -e frame.drop_count",
				     t.path),
			 0);
	assert_string_equal(out, "103\t5\n");
	free(out);
	free(err);
	assert_tshark_clean(t.path);
	free(tr.buf);
	tmp_done(&t);
}

static void test_capinfos_and_tcpdump(void **state)
{
	static struct trace tr;
	struct trace *trs[1] = {&tr};
	struct tmp_file t;
	char *out, *err;

	(void)state;
	REQUIRE_TOOL("capinfos");
	REQUIRE_TOOL("tcpdump");
	make_trace(&tr, false, false); /* killed recorder: no index, still exports */
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	assert_int_equal(run_capture(&out, &err, "capinfos '%s'", t.path), 0);
	assert_non_null(
	    strstr(out, "Capture oper-sys:    Linux 6.18.0-test #1 SMP PREEMPT_DYNAMIC"));
	assert_non_null(strstr(out, "Capture hardware:    x86_64"));
	assert_non_null(strstr(out, "Number of interfaces in file: 3"));
	assert_non_null(strstr(out, "Number of packets:   12"));
	free(out);
	free(err);
	assert_int_equal(run_capture(&out, &err, "tcpdump -nn -r '%s'", t.path), 0);
	assert_int_equal(count_lines(out), NDROPS);
	assert_non_null(strstr(out, "IP6 fd00::1.40002 > fd00::2.80: Flags [S]"));
	free(out);
	free(err);
	free(tr.buf);
	tmp_done(&t);
}

/* Two hosts, same netns and ifindex: separate interfaces, host in the description. */
static void test_two_hosts(void **state)
{
	static struct trace a, b;
	static struct walk w;
	struct trace *trs[2] = {&a, &b};
	static struct read_pkt got[2 * NDROPS + 1];
	struct tmp_file t;
	int snaplen;
	uint32_t idbs = 0;

	(void)state;
	make_trace(&a, true, false);
	make_trace(&b, true, true);
	tmp_init(&t, "export");
	export_to(t.path, trs, 2, NULL);
	/* the larger declared snaplen wins (128 over 96) */
	assert_int_equal(pcap_read_all(t.path, got, 2 * NDROPS + 1, NULL, &snaplen), 2 * NDROPS);
	assert_int_equal(snaplen, 128);
	walk_file(t.path, &w);
	assert_opt_str(&w, 0, 3, "Linux 6.18.0-test #1 SMP PREEMPT_DYNAMIC; Linux 6.1.0-deb");
	assert_opt_str(&w, 0, 2, "x86_64; aarch64");
	for (uint32_t i = 0; i < w.nblocks; i++)
		idbs += w.types[i] == 1;
	assert_int_equal(idbs, 6);
	assert_opt_str(&w, 1, 3, "netns 4026531840, ifindex 2, host testhost");
	assert_opt_str(&w, 3, 3, "netns 4026531840, ifindex 2, host otherhost");
	free(w.file);
	free(a.buf);
	free(b.buf);
	tmp_done(&t);
}

static void test_no_stack_option(void **state)
{
	static struct trace tr;
	static struct walk w;
	struct trace *trs[1] = {&tr};
	struct rpt_view_opts o = {.no_stack = true, .flush = true};
	struct tmp_file t;
	char c[20000];

	(void)state;
	make_trace(&tr, true, false);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, &o);
	walk_file(t.path, &w);
	epb_comment(&w, 0, c, sizeof(c));
	assert_null(strstr(c, "stack:"));
	assert_non_null(strstr(c, "location: tcp_v4_rcv+0x30"));
	free(w.file);
	free(tr.buf);
	tmp_done(&t);
}

/* No drops at all: still a file libpcap opens (it refuses one without an interface). */
static void test_empty(void **state)
{
	struct tdf_record recs[2] = {
	    {.type = TDF_REC_META, .meta = {6, meta_kv}},
	    {.type = TDF_REC_LOSS, .loss = {TDF_LOSS_RINGBUF, 0, 3, 1, 2}},
	};
	static struct trace tr;
	static struct walk w;
	struct trace *trs[1] = {&tr};
	static struct read_pkt got[1];
	struct tmp_file t;

	(void)state;
	tmp_init(&t, "export");
	for (size_t n = 1; n <= 2; n++) {
		tr.buf = tdftest_write(recs, n, NULL, true, &tr.len);
		export_to(t.path, trs, 1, NULL);
		assert_int_equal(pcap_read_all(t.path, got, 1, NULL, NULL), 0);
		walk_file(t.path, &w);
		assert_int_equal(w.nblocks, 3); /* SHB, IDB, ISB */
		/* losses with no drop to charge them to still reach isb_osdrop */
		assert_int_equal(opt_u64(&w, find_opt(&w, 2, 7)), n == 2 ? 3 : 0);
		assert_opt_str(&w, 1, 2, n == 2 ? "(lost drops)" : "(no drops)");
		free(w.file);
		free(tr.buf);
	}
	tmp_done(&t);
}

/* A full stack of long hostile names: the comment is capped and says what it left out. */
static void test_comment_cap(void **state)
{
	static struct tdf_kaddr deep[TDF_STACK_MAX];
	static struct tdf_ksym syms[TDF_STACK_MAX];
	static char names[TDF_STACK_MAX][TDF_NAME_MAX + 1];
	static struct trace tr;
	static struct walk w;
	struct trace *trs[1] = {&tr};
	struct tdf_record recs[4];
	struct tmp_file t;
	static char c[70000];
	const char *more;
	uint8_t pkt[64];

	(void)state;
	for (uint32_t i = 0; i < TDF_STACK_MAX; i++) {
		memset(names[i], 0x01, TDF_NAME_MAX); /* escapes to \x01: 4 bytes each */
		names[i][0] = (char)('a' + i % 26);
		names[i][TDF_NAME_MAX] = '\0';
		syms[i] = (struct tdf_ksym){0x100 * (i + 1), names[i]};
		deep[i] = (struct tdf_kaddr){TDF_MOD_VMLINUX, 0x100 * (i + 1) + 1};
	}
	recs[0] = (struct tdf_record){.type = TDF_REC_KSYMS, .ksyms = {0, TDF_STACK_MAX, syms}};
	recs[1] = (struct tdf_record){.type = TDF_REC_STACK, .stack = {1, TDF_STACK_MAX, deep}};
	recs[2] = (struct tdf_record){.type = TDF_REC_REASONS, .names = {3, reasons}};
	recs[3].type = TDF_REC_DROP;
	memset(&recs[3].drop, 0, sizeof(recs[3].drop));
	recs[3].drop.family = 4;
	recs[3].drop.len = recs[3].drop.caplen =
	    (uint16_t)make_tcp_packet(pkt, 4, 1, 2, 3, 4, TDF_TCP_RST, 5, 0);
	recs[3].drop.data = pkt;
	recs[3].drop.stack_id = 1;
	recs[3].drop.seq_no = 1;
	recs[3].drop.reason = 5;
	tr.buf = tdftest_write(recs, 4, NULL, true, &tr.len);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	walk_file(t.path, &w);
	epb_comment(&w, 0, c, sizeof(c));
	assert_true(strlen(c) < 16384);
	assert_true(strncmp(c, "TCP drop: TCP_CSUM\n", 19) == 0);
	more = strstr(c, " more frames)");
	assert_non_null(more);
	assert_null(strchr(more, '\n'));
	if (have_tool("tshark"))
		assert_tshark_clean(t.path);
	free(w.file);
	free(tr.buf);
	tmp_done(&t);
}

/* An output that fails is reported by the sink (and so by rpt_run), not swallowed. */
static void test_write_error(void **state)
{
	static struct trace tr;
	struct rpt_file *file;
	struct rpt_sink *sink;
	FILE *f = fopen("/dev/full", "wb");
	int rc;

	(void)state;
	if (!f)
		skip();
	make_trace(&tr, true, false);
	file = rpt_file_open_mem(tr.buf, tr.len, "mem");
	assert_non_null(file);
	sink = rpt_pcapng_open(f, NULL);
	assert_non_null(sink);
	rc = rpt_run(&file, 1, sink, NULL);
	assert_int_equal(rc, -ENOSPC);
	rpt_sink_close(sink);
	rpt_file_close(file);
	fclose(f);
	free(tr.buf);
}

/* Into a pipe nothing can be revisited: the comment says so, the file is the same otherwise. */
static void test_streamed_output(void **state)
{
	static struct trace tr;
	static struct walk w;
	struct trace *trs[1] = {&tr};
	static struct read_pkt got[NDROPS + 1];
	struct rpt_sink *sink;
	struct tmp_file t;
	char cmd[128], shb[4096];
	const struct walked_opt *o;
	FILE *p;

	(void)state;
	make_trace(&tr, true, false);
	tmp_init(&t, "export");
	snprintf(cmd, sizeof(cmd), "cat > '%s'", t.path);
	p = popen(cmd, "w");
	assert_non_null(p);
	sink = rpt_pcapng_open(p, NULL);
	assert_non_null(sink);
	run_sink(trs, 1, sink);
	rpt_sink_close(sink);
	assert_int_equal(pclose(p), 0);
	walk_file(t.path, &w);
	o = find_opt(&w, 0, 1);
	assert_non_null(o);
	memcpy(shb, w.file + o->value_off, o->len);
	shb[o->len] = '\0';
	assert_non_null(strstr(shb, "\nrecorded: from 2023-11-14T22:13:20.000000000Z (streamed"));
	assert_null(strstr(shb, "YYYY"));
	assert_int_equal(pcap_read_all(t.path, got, NDROPS + 1, NULL, NULL), NDROPS);
	free(w.file);
	free(tr.buf);
	tmp_done(&t);
}

/* Original length: nothing captured (skb->len stands), or a zero IPv4 total length (BIG TCP). */
static void test_original_length(void **state)
{
	static struct trace tr;
	struct trace *trs[1] = {&tr};
	static struct read_pkt got[3];
	struct tdf_record recs[2];
	struct tmp_file t;
	uint8_t pkt[64];
	size_t n = make_tcp_packet(pkt, 4, 1, 2, 3, 4, TDF_TCP_ACK, 5, 0);

	(void)state;
	pkt[2] = pkt[3] = 0; /* GSO/BIG TCP packets carry 0 here */
	for (int i = 0; i < 2; i++) {
		recs[i].type = TDF_REC_DROP;
		memset(&recs[i].drop, 0, sizeof(recs[i].drop));
		recs[i].drop.family = 4;
		recs[i].drop.seq_no = (uint64_t)i + 1;
		recs[i].drop.ts_ns = (uint64_t)i + 1;
	}
	recs[0].drop.len = 1500; /* nothing captured */
	recs[1].drop.len = 70000;
	recs[1].drop.caplen = (uint16_t)n;
	recs[1].drop.data = pkt;
	tr.buf = tdftest_write(recs, 2, NULL, true, &tr.len);
	tmp_init(&t, "export");
	export_to(t.path, trs, 1, NULL);
	assert_int_equal(pcap_read_all(t.path, got, 3, NULL, NULL), 2);
	assert_int_equal(got[0].caplen, 0);
	assert_int_equal(got[0].len, 1500);
	assert_int_equal(got[1].caplen, n);
	assert_int_equal(got[1].len, 70000);
	free(tr.buf);
	tmp_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_packets_and_times),
	    cmocka_unit_test(test_blocks),
	    cmocka_unit_test(test_tshark_counts_per_reason),
	    cmocka_unit_test(test_capinfos_and_tcpdump),
	    cmocka_unit_test(test_two_hosts),
	    cmocka_unit_test(test_no_stack_option),
	    cmocka_unit_test(test_streamed_output),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_original_length),
	    cmocka_unit_test(test_comment_cap),
	    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
