// SPDX-License-Identifier: BSD-2-Clause
/* test_pcapng: the pcapng block writer, judged by its own block walk, libpcap, tshark, tcpdump. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../report/pcapng_write.h"
#include "pcapng_util.h"

/* ---- a sample file: 2 interfaces, IPv4 and IPv6, odd lengths, truncation, options ---- */

#define NPKT 5
static const uint64_t sample_ts[NPKT] = {
    1700000000123456789ull, 1700000000123456790ull,	   1700000001000000000ull,
    1700000002999999999ull, 4294967296ull * 1000000007ull, /* high word > 0, low word odd */
};

struct sample {
	uint8_t data[NPKT][200];
	uint32_t caplen[NPKT], len[NPKT];
};

static void write_sample_lt(const char *path, struct sample *s, uint16_t linktype);

static void write_sample(const char *path, struct sample *s)
{
	write_sample_lt(path, s, PCAPNG_LINKTYPE_DLT_RAW);
}

static void write_sample_lt(const char *path, struct sample *s, uint16_t linktype)
{
	static const struct pcapng_section sec = {.hardware = "x86_64",
						  .os = "Linux 6.18.0 #1 SMP",
						  .userappl = "tcpdrop-report test",
						  .comment = "host test-host\ncapture: test"};
	static const struct pcapng_iface lo = {.name = "lo", .description = "netns 4026531840"};
	static const struct pcapng_iface veth = {.name = "veth-ü", .description = "netns 2"};
	FILE *f = fopen(path, "wb");
	struct pcapng_writer *w;
	uint32_t id0 = 99, id1 = 99;
	size_t n;

	assert_non_null(f);
	w = pcapng_writer_open(f, &sec, linktype, 128);
	assert_non_null(w);
	assert_int_equal(pcapng_writer_add_iface(w, &lo, &id0), 0);
	assert_int_equal(pcapng_writer_add_iface(w, &veth, &id1), 0);
	assert_int_equal(id0, 0);
	assert_int_equal(id1, 1);
	assert_int_equal(pcapng_writer_ifaces(w), 2);

	/* 0: IPv4 SYN, 40 bytes (caplen % 4 == 0) */
	n = make_tcp_packet(s->data[0], 4, 1, 2, 40000, 80, 0x02, 1000, 0);
	s->caplen[0] = s->len[0] = (uint32_t)n;
	/* 1: IPv6 SYN with 3 payload bytes (63: padding 1) */
	n = make_tcp_packet(s->data[1], 6, 1, 2, 40001, 443, 0x02, 2000, 3);
	s->caplen[1] = s->len[1] = (uint32_t)n;
	/* 2: IPv4 with 150 payload bytes, captured 128 of 190 (exact snaplen) */
	n = make_tcp_packet(s->data[2], 4, 3, 4, 40002, 22, 0x18, 3000, 150);
	s->caplen[2] = 128, s->len[2] = (uint32_t)n;
	/* 3: IPv6 RST, 60 bytes */
	n = make_tcp_packet(s->data[3], 6, 5, 6, 40003, 8080, 0x04, 4000, 0);
	s->caplen[3] = s->len[3] = (uint32_t)n;
	/* 4: nothing captured: caplen 0, original 1500 */
	s->caplen[4] = 0, s->len[4] = 1500;

	for (int i = 0; i < NPKT; i++) {
		char comment[128];
		struct pcapng_packet p = {
		    .if_id = (uint32_t)(i % 2),
		    .ts_ns = sample_ts[i],
		    .caplen = s->caplen[i],
		    .len = s->len[i],
		    .data = i == 4 ? NULL : s->data[i],
		    .comment = comment,
		    .has_flags = i != 4,
		    .flags = i % 2 ? PCAPNG_EPB_DIR_OUT : PCAPNG_EPB_DIR_IN,
		    .has_packet_id = true,
		    .packet_id = 100 + (uint64_t)i,
		    .has_dropcount = i >= 2,
		    .dropcount = (uint64_t)i * 1000,
		};

		snprintf(comment, sizeof(comment), "TCP drop: %s\npacket %d",
			 i % 2 ? "NO_SOCKET" : "TCP_CSUM", i);
		assert_int_equal(pcapng_writer_add_packet(w, &p), 0);
	}
	for (uint32_t i = 0; i < 2; i++) {
		struct pcapng_stats st = {
		    .if_id = i,
		    .ts_ns = sample_ts[3],
		    .has_span = true,
		    .start_ns = sample_ts[0],
		    .end_ns = sample_ts[3],
		    .has_osdrop = true,
		    .osdrop = 7 + i,
		};

		assert_int_equal(pcapng_writer_add_stats(w, &st), 0);
	}
	assert_true(pcapng_writer_bytes(w) > 0);
	assert_int_equal(pcapng_writer_close(w), 0);
	assert_int_equal(fclose(f), 0);
}

static void test_structure(void **state)
{
	struct tmp_file t;
	struct sample s;
	static struct walk w;
	const struct walked_opt *o;
	const uint8_t *f;

	(void)state;
	tmp_init(&t, "pcapng");
	write_sample(t.path, &s);
	walk_file(t.path, &w);
	f = w.file;
	/* SHB, IDB, IDB, 5 EPB, 2 ISB */
	assert_int_equal(w.nblocks, 10);
	assert_int_equal(w.types[0], 0x0a0d0d0a);
	assert_int_equal(w.types[1], 1);
	assert_int_equal(w.types[2], 1);
	for (int i = 3; i < 8; i++)
		assert_int_equal(w.types[i], 6);
	assert_int_equal(w.types[8], 5);
	assert_int_equal(w.types[9], 5);
	/* SHB: byte-order magic, version 1.0, section length -1 */
	assert_int_equal(le32(f + 8), 0x1a2b3c4d);
	assert_int_equal(le16(f + 12), 1);
	assert_int_equal(le16(f + 14), 0);
	assert_int_equal(le32(f + 16), 0xffffffffu);
	assert_int_equal(le32(f + 20), 0xffffffffu);
	assert_opt_str(&w, 0, 1, "host test-host\ncapture: test");
	assert_opt_str(&w, 0, 2, "x86_64");
	assert_opt_str(&w, 0, 3, "Linux 6.18.0 #1 SMP");
	assert_opt_str(&w, 0, 4, "tcpdrop-report test");
	/* IDB: LINKTYPE_RAW, snaplen, if_name, if_description, if_tsresol = 9 */
	{
		size_t idb = le32(f + 4);

		assert_int_equal(le16(f + idb + 8), 12);
		assert_int_equal(le16(f + idb + 10), 0);
		assert_int_equal(le32(f + idb + 12), 128);
	}
	assert_opt_str(&w, 1, 2, "lo");
	assert_opt_str(&w, 1, 3, "netns 4026531840");
	assert_opt_str(&w, 2, 2, "veth-ü");
	o = find_opt(&w, 1, 9);
	assert_non_null(o);
	assert_int_equal(o->len, 1);
	assert_int_equal(f[o->value_off], 9);
	/* EPB 4 (block 7): no flags option, has drop count 4000 */
	assert_null(find_opt(&w, 7, 2));
	o = find_opt(&w, 7, 4);
	assert_non_null(o);
	assert_int_equal(o->len, 8);
	assert_int_equal(le32(f + o->value_off), 4000);
	assert_int_equal(le32(f + o->value_off + 4), 0);
	/* EPB 0: flags = inbound, packet id 100, no drop count */
	o = find_opt(&w, 3, 2);
	assert_non_null(o);
	assert_int_equal(o->len, 4);
	assert_int_equal(le32(f + o->value_off), 1);
	assert_null(find_opt(&w, 3, 4));
	o = find_opt(&w, 3, 5);
	assert_non_null(o);
	assert_int_equal(le32(f + o->value_off), 100);
	/* ISB: isb_starttime as high word then low word; isb_osdrop; no isb_ifdrop */
	o = find_opt(&w, 8, 2);
	assert_non_null(o);
	assert_int_equal(le32(f + o->value_off), (uint32_t)(sample_ts[0] >> 32));
	assert_int_equal(le32(f + o->value_off + 4), (uint32_t)sample_ts[0]);
	assert_non_null(find_opt(&w, 8, 3));
	o = find_opt(&w, 9, 7);
	assert_non_null(o);
	assert_int_equal(le32(f + o->value_off), 8);
	assert_null(find_opt(&w, 9, 5));
	free(w.file);
	tmp_done(&t);
}

static void test_libpcap_reads_back(void **state)
{
	struct tmp_file t;
	struct sample s;
	static struct read_pkt got[NPKT + 1];
	int linktype, snaplen;
	size_t n;

	(void)state;
	tmp_init(&t, "pcapng");
	write_sample(t.path, &s);
	n = pcap_read_all(t.path, got, NPKT + 1, &linktype, &snaplen);
	assert_int_equal(n, NPKT);
	assert_int_equal(linktype, DLT_RAW);
	assert_int_equal(snaplen, 128);
	for (int i = 0; i < NPKT; i++) {
		assert_int_equal(got[i].caplen, s.caplen[i]);
		assert_int_equal(got[i].len, s.len[i]);
		assert_int_equal(got[i].ts_ns, sample_ts[i]);
		assert_memory_equal(got[i].data, s.data[i], s.caplen[i]);
	}
	tmp_done(&t);
}

static void test_tshark_reads_options(void **state)
{
	struct tmp_file t;
	struct sample s;
	char *out, *err, *line;
	int rc, i = 0;

	(void)state;
	REQUIRE_TOOL("tshark");
	tmp_init(&t, "pcapng");
	write_sample(t.path, &s);
	rc = run_capture(&out, &err,
			 "tshark -n -r '%s' -T fields -E separator=, -e frame.packet_id "
			 "-e frame.drop_count -e frame.packet_flags_direction -e frame.time_epoch "
			 "-e frame.interface_name -e frame.len -e frame.cap_len",
			 t.path);
	assert_int_equal(rc, 0);
	assert_string_equal(tshark_real_stderr(err), "");
	line = strtok(out, "\n");
	for (i = 0; line; i++, line = strtok(NULL, "\n")) {
		char want[256], dc[32] = "", dir[16] = "";

		assert_true(i < NPKT);
		if (i >= 2)
			snprintf(dc, sizeof(dc), "%d", i * 1000);
		if (i != 4)
			snprintf(dir, sizeof(dir), "0x%08x", i % 2 ? 2 : 1);
		snprintf(want, sizeof(want), "%d,%s,%s,%llu.%09llu,%s,%u,%u", 100 + i, dc, dir,
			 (unsigned long long)(sample_ts[i] / 1000000000u),
			 (unsigned long long)(sample_ts[i] % 1000000000u), i % 2 ? "veth-ü" : "lo",
			 s.len[i], s.caplen[i]);
		assert_string_equal(line, want);
	}
	assert_int_equal(i, NPKT);
	free(out);
	free(err);

	/* the comment filter the README recommends */
	rc = run_capture(&out, &err,
			 "tshark -n -r '%s' -Y 'frame.comment contains \"NO_SOCKET\"' "
			 "-T fields -e frame.number",
			 t.path);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "2\n4\n");
	free(out);
	free(err);

	assert_tshark_clean(t.path);
	tmp_done(&t);
}

static void test_tshark_shows_section(void **state)
{
	struct tmp_file t;
	struct sample s;
	char *out, *err;

	(void)state;
	REQUIRE_TOOL("capinfos");
	tmp_init(&t, "pcapng");
	write_sample(t.path, &s);
	assert_int_equal(run_capture(&out, &err, "capinfos '%s'", t.path), 0);
	assert_non_null(strstr(out, "Capture hardware:    x86_64"));
	assert_non_null(strstr(out, "Capture oper-sys:    Linux 6.18.0 #1 SMP"));
	assert_non_null(strstr(out, "Capture application: tcpdrop-report test"));
	assert_non_null(strstr(out, "host test-host"));
	assert_non_null(strstr(out, "Number of interfaces in file: 2"));
	assert_non_null(strstr(out, "Encapsulation = Raw IP"));
	assert_non_null(strstr(out, "Time precision = nanoseconds"));
	assert_non_null(strstr(out, "Number of stat entries = 1"));
	free(out);
	free(err);
	tmp_done(&t);
}

static void test_tcpdump_reads(void **state)
{
	struct tmp_file t;
	struct sample s;
	char *out, *err;

	(void)state;
	REQUIRE_TOOL("tcpdump");
	tmp_init(&t, "pcapng");
	write_sample(t.path, &s);
	assert_int_equal(run_capture(&out, &err, "tcpdump -nn -r '%s'", t.path), 0);
	assert_int_equal(count_lines(out), NPKT);
	assert_non_null(strstr(out, "10.0.0.1.40000 > 10.0.0.2.80: Flags [S]"));
	assert_non_null(strstr(out, "fd00::1.40001 > fd00::2.443: Flags [S]"));
	free(out);
	free(err);
	/* and its filter language over the raw IP link type */
	assert_int_equal(
	    run_capture(&out, NULL, "tcpdump -nn -r '%s' 'ip6 and ip6[53] & 4 != 0'", t.path), 0);
	assert_int_equal(count_lines(out), 1);
	free(out);
	tmp_done(&t);
}

/* Boundary: a comment of exactly PCAPNG_OPT_MAX bytes fits, one more does not. */
static void test_comment_limits(void **state)
{
	struct tmp_file t;
	char *big = malloc(PCAPNG_OPT_MAX + 2);
	uint8_t pkt[64];
	size_t n = make_tcp_packet(pkt, 4, 1, 2, 1, 2, 0x02, 1, 0);
	struct pcapng_packet p = {.if_id = 0,
				  .ts_ns = 1,
				  .caplen = (uint32_t)n,
				  .len = (uint32_t)n,
				  .data = pkt,
				  .comment = big};
	static struct read_pkt got[2];
	struct pcapng_writer *w;
	static struct walk wk;
	FILE *f;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', PCAPNG_OPT_MAX + 1);
	big[PCAPNG_OPT_MAX + 1] = '\0';
	tmp_init(&t, "pcapng");
	f = fopen(t.path, "wb");
	assert_non_null(f);
	w = pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, 64);
	assert_non_null(w);
	assert_int_equal(pcapng_writer_add_iface(w, NULL, NULL), 0);
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL); /* 65536 */
	big[PCAPNG_OPT_MAX] = '\0';
	assert_int_equal(pcapng_writer_add_packet(w, &p), 0); /* 65535: exact fit */
	assert_int_equal(pcapng_writer_close(w), 0);
	fclose(f);
	walk_file(t.path, &wk);
	assert_int_equal(wk.nblocks, 3);
	assert_int_equal(find_opt(&wk, 2, 1)->len, PCAPNG_OPT_MAX);
	free(wk.file);
	assert_int_equal(pcap_read_all(t.path, got, 2, NULL, NULL), 1);
	free(big);
	tmp_done(&t);
}

static void test_bad_arguments(void **state)
{
	FILE *f = tmpfile();
	struct pcapng_writer *w;
	uint8_t pkt[64] = {0x45};
	struct pcapng_packet p = {.if_id = 0, .caplen = 20, .len = 20, .data = pkt};
	struct pcapng_stats st = {.if_id = 0};

	(void)state;
	assert_non_null(f);
	errno = 0;
	assert_null(pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, PCAPNG_SNAP_MAX + 1));
	assert_null(pcapng_writer_open(NULL, NULL, PCAPNG_LINKTYPE_RAW, 64));
	w = pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, 32);
	assert_non_null(w);
	/* no interface yet */
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL);
	assert_int_equal(pcapng_writer_add_stats(w, &st), -EINVAL);
	assert_int_equal(pcapng_writer_add_iface(w, NULL, NULL), 0);
	assert_int_equal(pcapng_writer_add_packet(w, &p), 0);
	p.caplen = 33, p.len = 40; /* one byte over the snaplen */
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL);
	p.caplen = 32; /* exact snaplen */
	assert_int_equal(pcapng_writer_add_packet(w, &p), 0);
	p.caplen = 21, p.len = 20; /* captured more than the original */
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL);
	p.caplen = 4, p.len = 20, p.data = NULL; /* bytes promised, none given */
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL);
	p.if_id = 1;
	p.data = pkt;
	assert_int_equal(pcapng_writer_add_packet(w, &p), -EINVAL);
	assert_int_equal(pcapng_writer_add_packet(w, NULL), -EINVAL);
	assert_int_equal(pcapng_writer_close(w), 0);
	assert_int_equal(pcapng_writer_close(NULL), 0);
	fclose(f);
}

/* A full disk shows up at the latest in close(), as -ENOSPC. */
static void test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "wb");
	struct pcapng_writer *w;
	uint8_t pkt[40];
	struct pcapng_packet p = {.if_id = 0, .caplen = 40, .len = 40, .data = pkt};
	int rc = 0;

	(void)state;
	if (!f)
		skip();
	memset(pkt, 0, sizeof(pkt));
	w = pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, 64);
	assert_non_null(w); /* buffered: the error is not seen yet */
	assert_int_equal(pcapng_writer_add_iface(w, NULL, NULL), 0);
	for (int i = 0; i < 1000 && rc == 0; i++)
		rc = pcapng_writer_add_packet(w, &p);
	/* once a write failed, every later call says so too */
	if (rc) {
		assert_int_equal(rc, -ENOSPC);
		assert_int_equal(pcapng_writer_add_packet(w, &p), -ENOSPC);
	}
	assert_int_equal(pcapng_writer_close(w), -ENOSPC);
	fclose(f);
}

/* With one interface the registry's LINKTYPE_RAW (101) is read by libpcap as DLT_RAW too. */
static void test_single_iface_linktype_101(void **state)
{
	struct tmp_file t;
	uint8_t pkt[2][80];
	static struct read_pkt got[3];
	struct pcapng_writer *w;
	int linktype, snaplen;
	FILE *f;

	(void)state;
	tmp_init(&t, "pcapng");
	f = fopen(t.path, "wb");
	assert_non_null(f);
	w = pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_RAW, 96);
	assert_non_null(w);
	assert_int_equal(pcapng_writer_add_iface(w, NULL, NULL), 0);
	for (int i = 0; i < 2; i++) {
		size_t n = make_tcp_packet(pkt[i], i ? 6 : 4, 9, 8, 7, 6, 0x11, 5, (size_t)i);
		struct pcapng_packet p = {.ts_ns = 5000000000ull + (uint64_t)i,
					  .caplen = (uint32_t)n,
					  .len = (uint32_t)n,
					  .data = pkt[i]};

		assert_int_equal(pcapng_writer_add_packet(w, &p), 0);
	}
	assert_int_equal(pcapng_writer_close(w), 0);
	fclose(f);
	assert_int_equal(pcap_read_all(t.path, got, 3, &linktype, &snaplen), 2);
	assert_int_equal(linktype, DLT_RAW);
	assert_int_equal(snaplen, 96);
	assert_int_equal(got[1].ts_ns, 5000000001ull);
	assert_int_equal(got[1].caplen, 61);
	assert_memory_equal(got[1].data, pkt[1], 61);
	tmp_done(&t);
}

/* The clean-file judge must be able to say no: a bogus IPv4 header is malformed. */
static void test_tshark_judge_can_fail(void **state)
{
	struct tmp_file t;
	uint8_t pkt[40];
	size_t n = make_tcp_packet(pkt, 4, 1, 2, 3, 4, 0x02, 5, 0);
	struct pcapng_packet p = {.caplen = (uint32_t)n, .len = (uint32_t)n, .data = pkt};
	struct pcapng_writer *w;
	char *msg;
	FILE *f;

	(void)state;
	REQUIRE_TOOL("tshark");
	pkt[0] = 0x43; /* header length 12 bytes: less than the minimum */
	tmp_init(&t, "pcapng");
	f = fopen(t.path, "wb");
	assert_non_null(f);
	w = pcapng_writer_open(f, NULL, PCAPNG_LINKTYPE_DLT_RAW, 64);
	assert_non_null(w);
	assert_int_equal(pcapng_writer_add_iface(w, NULL, NULL), 0);
	assert_int_equal(pcapng_writer_add_packet(w, &p), 0);
	assert_int_equal(pcapng_writer_close(w), 0);
	fclose(f);
	msg = tshark_problems(t.path);
	assert_non_null(msg);
	free(msg);
	tmp_done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_structure),
	    cmocka_unit_test(test_libpcap_reads_back),
	    cmocka_unit_test(test_tshark_reads_options),
	    cmocka_unit_test(test_tshark_judge_can_fail),
	    cmocka_unit_test(test_tshark_shows_section),
	    cmocka_unit_test(test_tcpdump_reads),
	    cmocka_unit_test(test_single_iface_linktype_101),
	    cmocka_unit_test(test_comment_limits),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
