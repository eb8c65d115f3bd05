// SPDX-License-Identifier: BSD-2-Clause
/* test_owner: socket owners, cgroups, netns names and the IP length in every report view. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../report/anon.h"
#include "../../report/budget.h"
#include "../../report/filter.h"
#include "../../report/ownertab.h"
#include "../../report/rewrite.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"
#include "../lib/tdftest.h"

#define NS_BLUE	 4026532314u
#define NS_OTHER 4026532999u
#define CG_WEB	 77u
#define CTR_ID	 "3f2a9c0d1e4b5a6978c0d1e2f3a4b5c6d7e8f90123456789abcdef0123456789"

/* Packets: only their IP headers matter here (tdf_ip_len), the rest is zero. */
static uint8_t pkt_v4[40], pkt_v6[60], pkt_v6ext[68], pkt_frag[40], pkt_short[3];

static void make_packets(void)
{
	/* IPv4, total length 60 (a SYN with options), 40 bytes captured */
	pkt_v4[0] = 0x45, pkt_v4[2] = 0, pkt_v4[3] = 60, pkt_v4[9] = 6;
	/* IPv6, payload 20: 60 bytes */
	pkt_v6[0] = 0x60, pkt_v6[4] = 0, pkt_v6[5] = 20, pkt_v6[6] = 6;
	/* IPv6 with an 8-byte hop-by-hop header before TCP: payload 28, 68 bytes */
	pkt_v6ext[0] = 0x60, pkt_v6ext[5] = 28, pkt_v6ext[6] = 0, pkt_v6ext[40] = 6;
	/* an IPv4 fragment (MF, offset 0) of a 1500-byte datagram: its own length */
	pkt_frag[0] = 0x45, pkt_frag[2] = 0x05, pkt_frag[3] = 0xdc, pkt_frag[6] = 0x20;
	pkt_frag[9] = 6;
	/* too short to hold a length: unknown */
	pkt_short[0] = 0x45;
}

static void drop_with(struct tdf_record *r, uint64_t seq, const uint8_t *data, uint16_t caplen,
		      uint32_t skb_len, uint32_t owner, uint32_t netns)
{
	r->type = TDF_REC_DROP;
	tdftest_drop(&r->drop, seq, 40);
	snprintf(r->drop.comm, sizeof(r->drop.comm), "swapper/%u", (unsigned)(seq % 2));
	r->drop.pid = 0;
	r->drop.data = data;
	r->drop.caplen = caplen;
	r->drop.len = skb_len;
	r->drop.owner = owner;
	r->drop.netns = netns;
	r->drop.family = data && (data[0] >> 4) == 6 ? 6 : 4;
	r->drop.stack_id = 0;
}

/*
 * One file: a web server in a container (owner 1), sshd without a cgroup (owner 2), netns
 * NS_BLUE named twice (the last name wins). Drops:
 *   1 v4 len 60 skb 20, owner 1, NS_BLUE      4 v4 fragment len 1500 skb 1480, owner 1,
 *                                               NS_BLUE, TCP_LISTEN_OVERFLOW
 *   2 v6 len 60 skb 80, owner 2, NS_OTHER     5 caplen 3: len unknown, owner 0
 *   3 v6 ext len 68 skb 28, no owner          6 owner 99: never defined, so none
 */
static uint8_t *owner_file(size_t *len)
{
	static const struct tdf_kv meta[] = {{"host", "gamma"}};
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NO_SOCKET"},
						  {3, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW"}};
	struct tdf_record recs[16];
	size_t n = 0;

	make_packets();
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n].meta = (struct tdf_meta){.count = 1, .kv = meta};
	n++;
	recs[n].type = TDF_REC_CLOCK;
	recs[n].clock = (struct tdf_clock){.boot_ns = 0, .real_ns = RPTSAMPLE_START_NS};
	n++;
	recs[n].type = TDF_REC_REASONS;
	recs[n].names = (struct tdf_names){.count = 2, .names = reasons};
	n++;
	recs[n].type = TDF_REC_CGROUP;
	recs[n].cgroup =
	    (struct tdf_cgroup){CG_WEB, "/system.slice/docker-" CTR_ID ".scope", CTR_ID};
	n++;
	recs[n].type = TDF_REC_OWNER;
	recs[n].owner = (struct tdf_owner){.id = 1, .pid = 812, .comm = "nginx", .cgroup = CG_WEB};
	n++;
	recs[n].type = TDF_REC_OWNER;
	recs[n].owner = (struct tdf_owner){.id = 2, .pid = 900, .comm = "sshd", .cgroup = 0};
	n++;
	recs[n].type = TDF_REC_NETNS;
	recs[n].netns = (struct tdf_netns){NS_BLUE, "green"};
	n++;
	recs[n].type = TDF_REC_NETNS;
	recs[n].netns = (struct tdf_netns){NS_BLUE, "blue"}; /* repeated: last wins */
	n++;
	drop_with(&recs[n++], 1, pkt_v4, sizeof(pkt_v4), 20, 1, NS_BLUE);
	drop_with(&recs[n++], 2, pkt_v6, sizeof(pkt_v6), 80, 2, NS_OTHER);
	drop_with(&recs[n++], 3, pkt_v6ext, sizeof(pkt_v6ext), 28, 0, NS_OTHER);
	drop_with(&recs[n++], 4, pkt_frag, sizeof(pkt_frag), 1480, 1, NS_BLUE);
	recs[n - 1].drop.reason = 3;
	recs[n - 1].drop.state = 10; /* LISTEN (the file names no states: UNKNOWN_10) */
	drop_with(&recs[n++], 5, pkt_short, sizeof(pkt_short), 40, 0, NS_OTHER);
	drop_with(&recs[n++], 6, pkt_v4, sizeof(pkt_v4), 40, 99, NS_OTHER);
	return tdftest_write(recs, n, NULL, true, len);
}

/* Render buf through a view (with an optional filter) into a NUL-terminated string. */
static char *render(const uint8_t *buf, size_t len, rpt_view_open_fn *open,
		    const struct rpt_view_cfg *cfg, const struct rpt_filter *filter)
{
	struct rpt_run_opts ro = {.filter = filter};
	struct rpt_file *f;
	struct rpt_sink *sink;
	char *out = NULL;
	size_t out_len = 0;
	FILE *m;

	setenv("TZ", "UTC", 1);
	m = open_memstream(&out, &out_len);
	assert_non_null(m);
	f = rpt_file_open_mem(buf, len, "gamma.tdrop");
	assert_non_null(f);
	sink = open(m, cfg);
	assert_non_null(sink);
	assert_int_equal(rpt_run(&f, 1, sink, &ro), 0);
	rpt_sink_close(sink);
	rpt_file_close(f);
	assert_int_equal(fclose(m), 0);
	return out;
}

/* The n-th line (from 0) of s, copied into a static buffer. */
static const char *line_of(const char *s, int n)
{
	static char buf[8192];
	const char *e;

	while (n-- > 0) {
		s = strchr(s, '\n');
		assert_non_null(s);
		s++;
	}
	e = strchr(s, '\n');
	snprintf(buf, sizeof(buf), "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
	return buf;
}

static void test_table_owner_column(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.utc = true, .no_stack = true}};
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out = render(buf, len, rpt_table_open, &cfg, NULL);

	(void)state;
	/* OWNER after the on-CPU PID and COMM */
	assert_non_null(strstr(line_of(out, 0), "PID     COMM             OWNER                  "
						"SADDR:SPORT"));
	assert_non_null(
	    strstr(line_of(out, 1), " swapper/1        nginx/812              10.0.0.1"));
	assert_non_null(strstr(line_of(out, 2), " swapper/0        sshd/900               ["));
	assert_non_null(strstr(line_of(out, 3), " swapper/1        -                      ["));
	assert_non_null(
	    strstr(line_of(out, 6), " swapper/0        -                      10.0.0.1"));
	free(out);
	free(buf);
}

static void test_json_keys(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out = render(buf, len, rpt_json_open, &cfg, NULL);
	const char *l;

	(void)state;
	l = line_of(out, 0);
	assert_non_null(strstr(l, "\"pid\":0,"));
	assert_non_null(strstr(l,
			       "\"len\":60,\"caplen\":40,\"skb_len\":20,\"owner_pid\":812,"
			       "\"owner_comm\":\"nginx\",\"cgroup\":\"/system.slice/docker-" CTR_ID
			       ".scope\",\"container\":\"" CTR_ID "\",\"netns_name\":\"blue\""));
	l = line_of(out, 1);
	assert_non_null(strstr(l, "\"len\":60,\"caplen\":60,\"skb_len\":80,\"owner_pid\":900,"
				  "\"owner_comm\":\"sshd\",\"cgroup\":null,\"container\":null,"
				  "\"netns_name\":null"));
	/* IPv6 with an extension header: 40 + the payload length, extension included */
	l = line_of(out, 2);
	assert_non_null(strstr(l, "\"len\":68,\"caplen\":68,\"skb_len\":28,\"owner_pid\":null,"
				  "\"owner_comm\":null,\"cgroup\":null,\"container\":null"));
	/* a fragment: the length its own header says */
	assert_non_null(strstr(line_of(out, 3), "\"len\":1500,\"caplen\":40,\"skb_len\":1480,"));
	/* too few bytes for a length: null, skb_len still there */
	assert_non_null(strstr(line_of(out, 4), "\"len\":null,\"caplen\":3,\"skb_len\":40,"));
	/* an owner id the file never defined: none */
	assert_non_null(strstr(line_of(out, 5), "\"owner_pid\":null,\"owner_comm\":null,"));
	free(out);
	free(buf);
}

static void test_csv_columns(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out = render(buf, len, rpt_csv_open, &cfg, NULL);

	(void)state;
	assert_non_null(strstr(line_of(out, 0), ",ifname,len,caplen,skb_len,owner_pid,owner_comm,"
						"cgroup,container,netns_name,stack,count"));
	assert_non_null(strstr(line_of(out, 1),
			       ",lo,60,40,20,812,nginx,/system.slice/docker-" CTR_ID
			       ".scope," CTR_ID ",blue,,1"));
	assert_non_null(strstr(line_of(out, 2), ",lo,60,60,80,900,sshd,,,,,1"));
	assert_non_null(strstr(line_of(out, 5), ",lo,,3,40,,,,,,,1"));
	free(out);
	free(buf);
}

static char *summary_of(const uint8_t *buf, size_t len, const char *keys)
{
	struct rpt_view_cfg cfg = {0};
	const char *bad;
	size_t badlen;

	assert_int_equal(rpt_summary_parse_keys(keys, &cfg.summary, &bad, &badlen), 0);
	return render(buf, len, rpt_summary_open, &cfg, NULL);
}

static void test_summaries(void **state)
{
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out;

	(void)state;
	out = summary_of(buf, len, "owner");
	assert_string_equal(out, "   COUNT   SHARE  OWNER\n"
				 "       3   50.0%  -\n"
				 "       2   33.3%  nginx/812\n"
				 "       1   16.7%  sshd/900\n"
				 "       6  100.0%  (total)\n");
	free(out);
	out = summary_of(buf, len, "container");
	assert_non_null(strstr(out, "       4   66.7%  -\n"));
	assert_non_null(strstr(out, "       2   33.3%  " CTR_ID "\n"));
	free(out);
	/* netns names where the file has them */
	out = summary_of(buf, len, "netns");
	assert_non_null(strstr(out, "       2   33.3%  4026532314 (blue)\n"));
	assert_non_null(strstr(out, "       4   66.7%  4026532999\n"));
	free(out);
	free(buf);
}

static size_t count_drops(const uint8_t *buf, size_t len, const struct rpt_filter *f)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	char *out = render(buf, len, rpt_json_open, &cfg, f), *p;
	size_t n = 0;

	for (p = out; (p = strstr(p, "\"type\":\"drop\"")); p++)
		n++;
	free(out);
	return n;
}

static void test_filters(void **state)
{
	size_t len;
	uint8_t *buf = owner_file(&len);
	struct rpt_filter *f;
	char err[256];

	(void)state;
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_owner(f, "nginx"), 0);
	assert_int_equal(count_drops(buf, len, f), 2);
	assert_int_equal(rpt_filter_add_owner(f, "900"), 0); /* ORed with the first */
	assert_int_equal(count_drops(buf, len, f), 3);
	rpt_filter_free(f);

	/* the on-CPU pid is 0 everywhere: --owner 0 names an owner's pid, so nothing */
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_owner(f, "0"), 0);
	assert_int_equal(count_drops(buf, len, f), 0);
	assert_int_equal(rpt_filter_add_owner(f, "99999999999"), -ERANGE);
	assert_int_equal(rpt_filter_add_owner(f, ""), -EINVAL);
	rpt_filter_free(f);

	/* a container id or a prefix of it (docker ps shows 12 characters) */
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_container(f, "3f2a9c0d1e4b"), 0);
	assert_int_equal(count_drops(buf, len, f), 2);
	rpt_filter_free(f);
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_container(f, "3f2a9c0d1e4c"), 0);
	assert_int_equal(count_drops(buf, len, f), 0);
	rpt_filter_free(f);

	/* tcpdump's len (less, greater) is the IP header's length where there is one */
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_set_pcap(f, "less 30", err, sizeof(err)), 0);
	assert_int_equal(count_drops(buf, len, f), 0); /* skb_len 20 and 28: not what counts */
	assert_int_equal(rpt_filter_set_pcap(f, "greater 1490", err, sizeof(err)), 0);
	assert_int_equal(count_drops(buf, len, f), 1); /* the fragment: 1500, skb_len 1480 */
	assert_int_equal(rpt_filter_set_pcap(f, "len == 40", err, sizeof(err)), 0);
	assert_int_equal(count_drops(buf, len, f), 1); /* no length in 3 bytes: skb_len 40 */
	rpt_filter_free(f);

	/* ANDed with other kinds */
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_owner(f, "nginx"), 0);
	assert_int_equal(rpt_filter_add_container(f, CTR_ID), 0);
	assert_int_equal(rpt_filter_add_netns(f, NS_BLUE), 0);
	assert_int_equal(count_drops(buf, len, f), 2);
	assert_int_equal(rpt_filter_add_pid(f, 1), 0);
	assert_int_equal(count_drops(buf, len, f), 0);
	rpt_filter_free(f);
	free(buf);
}

/* An old file (format 1.0 samples): no owner anywhere, nothing fails. */
static void test_old_file(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	size_t len, n = 0;
	uint8_t *buf = rptsample_alpha(true, &len);
	struct rpt_filter *f;
	char *out, *p;

	(void)state;
	out = render(buf, len, rpt_json_open, &cfg, NULL);
	for (p = out; (p = strstr(p, "\"owner_pid\":null,\"owner_comm\":null,\"cgroup\":null,"
				     "\"container\":null,\"netns_name\":null"));
	     p++)
		n++;
	assert_int_equal(n, RPTSAMPLE_ALPHA_DROPS);
	free(out);
	out = render(buf, len, rpt_table_open, &cfg, NULL);
	assert_non_null(
	    strstr(line_of(out, 1), " swapper/0        -                      10.0.0.1"));
	free(out);
	f = rpt_filter_new();
	assert_int_equal(rpt_filter_add_owner(f, "sshd"), 0);
	assert_int_equal(count_drops(buf, len, f), 0);
	rpt_filter_free(f);
	free(buf);
}

static char *pcapng_of(const uint8_t *buf, size_t len)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	char *out = NULL;
	size_t out_len = 0;
	FILE *m = open_memstream(&out, &out_len);
	struct rpt_file *f = rpt_file_open_mem(buf, len, "gamma.tdrop");
	struct rpt_sink *sink;
	char *s;

	assert_non_null(m);
	assert_non_null(f);
	sink = rpt_pcapng_open(m, &cfg);
	assert_non_null(sink);
	assert_int_equal(rpt_run(&f, 1, sink, NULL), 0);
	rpt_sink_close(sink);
	rpt_file_close(f);
	assert_int_equal(fclose(m), 0);
	/* binary: a copy with NULs turned into newlines, to search it as text */
	s = malloc(out_len + 1);
	assert_non_null(s);
	for (size_t i = 0; i < out_len; i++)
		s[i] = out[i] ? out[i] : '\n';
	s[out_len] = '\0';
	free(out);
	return s;
}

static void test_pcapng_comment(void **state)
{
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *s = pcapng_of(buf, len);

	(void)state;
	assert_non_null(strstr(s,
			       "owner: 812/nginx (the socket's process; cgroup "
			       "/system.slice/docker-" CTR_ID ".scope; container " CTR_ID ")\n"));
	assert_non_null(strstr(s, "owner: 900/sshd (the socket's process)\n"));
	assert_non_null(strstr(s, "owner: - (no socket owner recorded)\n"));
	assert_non_null(strstr(s, "netns 4026532314 blue)\n"));
	assert_non_null(strstr(s, "skb len: 20\n"));
	free(s);
	free(buf);
}

static void test_folded_and_info(void **state)
{
	struct rpt_view_cfg cfg = {.folded_root = RPT_FOLDED_ROOT_OWNER};
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out;

	(void)state;
	out = render(buf, len, rpt_folded_open, &cfg, NULL);
	assert_non_null(strstr(out, "owner:nginx;"));
	assert_non_null(strstr(out, "owner:sshd;"));
	assert_non_null(strstr(out, "on-cpu:swapper/"));
	free(out);
	out = render(buf, len, rpt_info_open, &(struct rpt_view_cfg){0}, NULL);
	assert_non_null(
	    strstr(out, "owners:          2 socket owners, 1 cgroups, 1 netns names\n"));
	free(out);
	free(buf);
}

/* The diagnoses name the namespace and, at a full accept queue, the listening service. */
static void test_explain(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}, .explain = true};
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out = render(buf, len, rpt_json_open, &cfg, NULL);

	(void)state;
	assert_non_null(
	    strstr(line_of(out, 0), "where nothing listens in netns blue (4026532314):"));
	assert_non_null(strstr(line_of(out, 3),
			       "\"why\":\"the accept queue of the listener on port "
			       "80 (nginx/812) in netns blue (4026532314) is full"));
	assert_non_null(strstr(line_of(out, 1), "where nothing listens in netns 4026532999:"));
	free(out);
	out = render(buf, len, rpt_explain_open, &(struct rpt_view_cfg){0}, NULL);
	assert_non_null(strstr(out, "pid/comm 0/swapper/0, owner nginx/812\n"));
	free(out);
	free(buf);
}

static uint8_t *rewrite_mem(const uint8_t *in, size_t inlen, const struct rpt_rewrite_opts *o,
			    size_t *outlen)
{
	int ifd = memfd_create("in", 0), ofd = memfd_create("out", 0);
	char err[256];
	uint8_t *buf;
	struct stat st;

	assert_true(ifd >= 0 && ofd >= 0);
	assert_int_equal(write(ifd, in, inlen), (ssize_t)inlen);
	lseek(ifd, 0, SEEK_SET);
	assert_int_equal(rpt_rewrite(ifd, "in", ofd, o, NULL, err, sizeof(err)), 0);
	assert_int_equal(fstat(ofd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(pread(ofd, buf, (size_t)st.st_size, 0), st.st_size);
	*outlen = (size_t)st.st_size;
	close(ifd);
	close(ofd);
	return buf;
}

static void test_rewrite_carries_owners(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	struct rpt_rewrite_opts plain = {0};
	struct rpt_filter *f = rpt_filter_new();
	size_t len, l1, l2;
	uint8_t *buf = owner_file(&len), *o1, *o2;
	char *a, *b;

	(void)state;
	o1 = rewrite_mem(buf, len, &plain, &l1);
	a = render(buf, len, rpt_json_open, &cfg, NULL);
	b = render(o1, l1, rpt_json_open, &cfg, NULL);
	assert_string_equal(a, b);
	free(b);
	/* a filtered copy judges drops by their owner too */
	assert_int_equal(rpt_filter_add_owner(f, "sshd"), 0);
	plain.filter = f;
	o2 = rewrite_mem(buf, len, &plain, &l2);
	b = render(o2, l2, rpt_json_open, &cfg, NULL);
	assert_non_null(strstr(b, "\"owner_comm\":\"sshd\""));
	assert_null(strstr(b, "nginx"));
	assert_int_equal(count_drops(o2, l2, NULL), 1);
	free(a);
	free(b);
	free(o1);
	free(o2);
	rpt_filter_free(f);
	free(buf);
}

static const uint8_t key[RPT_ANON_KEY_LEN] = "0123456789abcdef0123456789abcdef";

static char *anon_json(const uint8_t *buf, size_t len, bool scrub)
{
	struct rpt_anon_opts ao = {.scrub_names = scrub};
	struct rpt_anon *an = rpt_anon_new(key, &ao);
	struct rpt_rewrite_opts o = {.anon = an};
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	size_t l;
	uint8_t *copy;
	char *out;

	assert_non_null(an);
	copy = rewrite_mem(buf, len, &o, &l);
	out = render(copy, l, rpt_json_open, &cfg, NULL);
	free(copy);
	rpt_anon_free(an);
	return out;
}

static void test_anonymize(void **state)
{
	size_t len;
	uint8_t *buf = owner_file(&len);
	char *out, *again, pseudo[80], want[256];
	struct rpt_anon *an = rpt_anon_new(key, &(struct rpt_anon_opts){0});

	(void)state;
	out = anon_json(buf, len, false);
	/* nothing the records named survives, but the owners' comm (kept like comm) */
	assert_null(strstr(out, "system.slice"));
	assert_null(strstr(out, "docker"));
	assert_null(strstr(out, CTR_ID));
	assert_null(strstr(out, "blue"));
	assert_null(strstr(out, "green"));
	assert_non_null(
	    strstr(out, "\"owner_pid\":812,\"owner_comm\":\"nginx\",\"cgroup\":\"/cg-"));
	/* the keyed pseudonyms, the same under the same key */
	rpt_anon_pseudonym(an, "container", "", CTR_ID, pseudo, 65);
	assert_int_equal(strlen(pseudo), 64);
	snprintf(want, sizeof(want), "\"container\":\"%s\"", pseudo);
	assert_non_null(strstr(out, want));
	rpt_anon_pseudonym(an, "netns", "netns-", "blue", pseudo, 19);
	snprintf(want, sizeof(want), "\"netns_name\":\"%s\"", pseudo);
	assert_non_null(strstr(out, want));
	/* the path keeps its depth: two components */
	{
		const char *p = strstr(out, "\"cgroup\":\"/cg-") + strlen("\"cgroup\":\"");
		size_t n = strcspn(p, "\"");

		assert_int_equal(n, 2 * (1 + 3 + 12));
	}
	again = anon_json(buf, len, false);
	assert_string_equal(out, again);
	free(again);
	free(out);
	/* --scrub-names: the owner's comm is a pseudonym too */
	out = anon_json(buf, len, true);
	assert_null(strstr(out, "nginx"));
	assert_null(strstr(out, "sshd"));
	assert_non_null(strstr(out, "\"owner_comm\":\"comm-"));
	free(out);
	rpt_anon_free(an);
	free(buf);
}

static void test_anon_records(void **state)
{
	struct rpt_anon *an = rpt_anon_new(key, &(struct rpt_anon_opts){0});
	char buf[RPT_ANON_NAME_BUF], id[80], want[128];
	struct tdf_cgroup cg;
	struct tdf_netns ns;

	(void)state;
	/* "" stays "": unknown path, no container */
	rpt_anon_cgroup(an, &(struct tdf_cgroup){5, "", ""}, &cg, buf);
	assert_int_equal(cg.id, 5);
	assert_string_equal(cg.path, "");
	assert_string_equal(cg.container, "");
	/* the root stays the root */
	rpt_anon_cgroup(an, &(struct tdf_cgroup){1, "/", ""}, &cg, buf);
	assert_string_equal(cg.path, "/");
	/* "container:ID" keeps its prefix, its ID maps as the cgroup's container id does */
	rpt_anon_netns(an, &(struct tdf_netns){NS_BLUE, "container:" CTR_ID}, &ns, buf);
	rpt_anon_pseudonym(an, "container", "", CTR_ID, id, 65);
	snprintf(want, sizeof(want), "container:%s", id);
	assert_string_equal(ns.name, want);
	assert_int_equal(ns.inode, NS_BLUE);
	rpt_anon_netns(an, &(struct tdf_netns){NS_BLUE, ""}, &ns, buf);
	assert_string_equal(ns.name, "");
	/* a very deep path is cut at a component's end, inside the buffer */
	{
		static char deep[4097];

		for (size_t i = 0; i + 2 <= 4096; i += 2)
			deep[i] = '/', deep[i + 1] = 'a' + (char)(i / 2 % 26);
		rpt_anon_cgroup(an, &(struct tdf_cgroup){2, deep, ""}, &cg, buf);
		assert_true(strlen(cg.path) < RPT_ANON_NAME_BUF / 2);
		assert_int_equal(strlen(cg.path) % 16, 0);
	}
	rpt_anon_free(an);
}

/* Every cut of a file with owner records reads without harm (ASan in make check). */
static void test_every_cut(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.no_stack = true}};
	size_t len, cut;
	uint8_t *buf = owner_file(&len);

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);
		struct rpt_file *f;
		struct rpt_sink *sink;
		FILE *devnull = fopen("/dev/null", "w");
		int rc;

		assert_non_null(part);
		assert_non_null(devnull);
		memcpy(part, buf, cut);
		f = rpt_file_open_mem(part, cut, "cut.tdrop");
		assert_non_null(f);
		sink = rpt_table_open(devnull, &cfg);
		assert_non_null(sink);
		rc = rpt_run(&f, 1, sink, NULL);
		assert_true(rc == 0 || rc == -EBADMSG || rc == -ENOTSUP || rc == -EIO);
		rpt_sink_close(sink);
		rpt_file_close(f);
		fclose(devnull);
		free(part);
	}
	assert_int_equal(rpt_budget_used(RPT_POOL_FILES), 0);
	free(buf);
}

/* The owner tables: lookups, last-wins redefinition, id 0 ignored, the files' budget. */
static void test_ownertab(void **state)
{
	struct rpt_ownertab t = {0};
	size_t before = rpt_budget_used(RPT_POOL_FILES);
	const struct rpt_cgroup_ent *cg;
	uint32_t i;

	(void)state;
	assert_int_equal(rpt_ownertab_add_owner(&t, &(struct tdf_owner){.id = 0, .pid = 1}), 0);
	assert_int_equal(t.nowners, 0); /* id 0 means none: never stored */
	assert_int_equal(rpt_ownertab_add_owner(&t, &(struct tdf_owner){1, 10, "a", 7}), 0);
	assert_int_equal(rpt_ownertab_add_owner(&t, &(struct tdf_owner){1, 11, "b", 7}), 0);
	assert_int_equal(t.nowners, 1);
	assert_int_equal(rpt_ownertab_owner(&t, 1)->pid, 11);
	assert_null(rpt_ownertab_owner(&t, 0));
	assert_null(rpt_ownertab_owner(&t, 2));
	assert_int_equal(rpt_ownertab_add_cgroup(&t, &(struct tdf_cgroup){7, "/x", "c1"}), 0);
	assert_int_equal(rpt_ownertab_add_cgroup(&t, &(struct tdf_cgroup){7, "/y", ""}), 0);
	cg = rpt_ownertab_cgroup(&t, 7);
	assert_string_equal(cg->path, "/y");
	assert_string_equal(cg->container, "");
	assert_int_equal(rpt_ownertab_add_netns(&t, &(struct tdf_netns){5, ""}), 0);
	assert_null(rpt_ownertab_netns(&t, 5)); /* an empty name is no name */
	assert_int_equal(rpt_ownertab_add_netns(&t, &(struct tdf_netns){5, "n"}), 0);
	assert_string_equal(rpt_ownertab_netns(&t, 5), "n");
	assert_int_equal(t.nnetns, 1);
	/* many: the index grows */
	for (i = 2; i < 5000; i++)
		assert_int_equal(rpt_ownertab_add_owner(&t, &(struct tdf_owner){i, i, "p", 0}), 0);
	assert_int_equal(rpt_ownertab_owner(&t, 4321)->pid, 4321);
	assert_true(rpt_budget_used(RPT_POOL_FILES) > before);
	/* a used-up budget: left out, said so, and what is there stays */
	rpt_budget_set_limit(RPT_POOL_FILES, rpt_budget_used(RPT_POOL_FILES));
	assert_int_equal(rpt_ownertab_add_owner(&t, &(struct tdf_owner){9999, 1, "q", 0}),
			 RPT_FULL_BYTES);
	assert_int_equal(rpt_ownertab_add_cgroup(&t, &(struct tdf_cgroup){8, "/z", ""}),
			 RPT_FULL_BYTES);
	assert_int_equal(rpt_ownertab_add_cgroup(&t, &(struct tdf_cgroup){7, "/zz", "c"}),
			 RPT_FULL_BYTES);
	assert_string_equal(rpt_ownertab_cgroup(&t, 7)->path, "/y");
	assert_int_equal(rpt_ownertab_add_netns(&t, &(struct tdf_netns){6, "m"}), RPT_FULL_BYTES);
	assert_null(rpt_ownertab_owner(&t, 9999));
	rpt_budget_set_limit(RPT_POOL_FILES, 0);
	rpt_ownertab_free(&t);
	assert_int_equal(rpt_budget_used(RPT_POOL_FILES), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_owner_column),
	    cmocka_unit_test(test_json_keys),
	    cmocka_unit_test(test_csv_columns),
	    cmocka_unit_test(test_summaries),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_old_file),
	    cmocka_unit_test(test_pcapng_comment),
	    cmocka_unit_test(test_folded_and_info),
	    cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_rewrite_carries_owners),
	    cmocka_unit_test(test_anonymize),
	    cmocka_unit_test(test_anon_records),
	    cmocka_unit_test(test_ownertab),
	    cmocka_unit_test(test_every_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
