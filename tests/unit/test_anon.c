// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for report/anon and report/rewrite: Crypto-PAn, packets, names, keys, copies. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include "../../report/opts.h"
#include "../../report/rewrite.h"
#include "../lib/inetsum.h"
#include "../lib/tdftest.h"

/* The key of the Crypto-PAn reference implementation's sample (sample.cpp). */
static const uint8_t ref_key[RPT_ANON_KEY_LEN] = {
    21,	 34,  23,  141, 51,  164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
    216, 152, 143, 131, 121, 121, 101, 39,  98, 87, 76, 45, 42, 132, 34,  2};

static struct rpt_anon *anon_with(const uint8_t *key, const struct rpt_anon_opts *o)
{
	static const struct rpt_anon_opts none;
	struct rpt_anon *a = rpt_anon_new(key, o ? o : &none);

	assert_non_null(a);
	return a;
}

static void map4(struct rpt_anon *a, const char *in, char *out)
{
	uint8_t addr[16] = {0};

	assert_int_equal(inet_pton(AF_INET, in, addr), 1);
	rpt_anon_addr(a, 4, addr);
	inet_ntop(AF_INET, addr, out, INET_ADDRSTRLEN);
}

/* The published sample trace (sample_trace_raw.txt -> sample_trace_sanitized.txt). */
static void test_cryptopan_vectors(void **state)
{
	static const char *const v[][2] = {
	    {"128.11.68.132", "135.242.180.132"},   {"129.118.74.4", "134.136.186.123"},
	    {"130.132.252.244", "133.68.164.234"},  {"141.223.7.43", "141.167.8.160"},
	    {"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
	    {"156.29.3.236", "147.225.12.42"},	    {"165.247.96.84", "162.9.99.234"},
	    {"166.107.77.190", "160.132.178.185"},  {"192.102.249.13", "252.138.62.131"},
	    {"192.215.32.125", "252.43.47.189"},    {"192.233.80.103", "252.25.108.8"},
	    {"192.41.57.43", "252.222.221.184"},    {"193.150.244.223", "253.169.52.216"},
	    {"195.205.63.100", "255.186.223.5"},    {"198.200.171.101", "249.199.68.213"},
	    {"198.26.132.101", "249.36.123.202"},   {"198.36.213.5", "249.7.21.132"},
	    {"198.51.77.238", "249.18.186.254"},    {"199.217.79.101", "248.38.184.213"},
	    {"202.49.198.20", "245.206.7.234"},	    {"203.12.160.252", "244.248.163.4"},
	    {"204.184.162.189", "243.192.77.90"},   {"204.202.136.230", "243.178.4.198"},
	    {"204.29.20.4", "243.33.20.123"},	    {"205.178.38.67", "242.108.198.51"},
	    {"207.105.49.5", "241.118.205.138"},    {"208.147.89.59", "227.237.98.191"},
	    {"209.238.72.3", "226.6.119.243"},	    {"212.120.124.31", "228.135.163.231"},
	    {"216.148.237.145", "235.84.194.111"},  {"38.15.67.68", "64.3.66.187"},
	    {"4.3.88.225", "124.60.155.63"},	    {"63.14.55.111", "95.9.215.7"},
	    {"63.195.241.44", "95.179.238.44"},	    {"64.14.118.196", "0.255.183.58"},
	    {"64.34.154.117", "0.221.154.117"},
	};
	struct rpt_anon *a = anon_with(ref_key, NULL);
	char out[INET_ADDRSTRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		map4(a, v[i][0], out);
		assert_string_equal(out, v[i][1]);
		map4(a, v[i][0], out); /* again, from the cache */
		assert_string_equal(out, v[i][1]);
	}
	rpt_anon_free(a);
}

static unsigned common_prefix(const uint8_t *x, const uint8_t *y, unsigned nbits)
{
	unsigned i;

	for (i = 0; i < nbits; i++)
		if (((x[i / 8] ^ y[i / 8]) >> (7 - i % 8)) & 1)
			break;
	return i;
}

/* Random pairs that share every possible prefix length, both families. */
static void test_prefix_property(void **state)
{
	struct rpt_anon *a = anon_with(ref_key, NULL);
	uint8_t x[16], y[16], mx[16], my[16];
	unsigned fam, n, k, i, nbits;

	(void)state;
	srand(7);
	for (fam = 4; fam <= 6; fam += 2) {
		nbits = fam == 4 ? 32 : 128;
		for (n = 0; n < 4000; n++) {
			memset(x, 0, sizeof(x));
			for (i = 0; i < nbits / 8; i++)
				x[i] = (uint8_t)rand();
			x[0] = (uint8_t)(0x20 + x[0] % 0x40); /* clear of the kept networks */
			if (fam == 6)
				x[0] = 0x20;
			memcpy(y, x, sizeof(y));
			k = (unsigned)rand() % (nbits + 1); /* the shared prefix */
			if (k < 3)
				k = 3;
			if (k < nbits) {
				y[k / 8] ^= (uint8_t)(0x80 >> (k % 8));
				for (i = k + 1; i < nbits; i++)
					if (rand() & 1)
						y[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
			}
			memcpy(mx, x, 16);
			memcpy(my, y, 16);
			rpt_anon_addr(a, (uint8_t)fam, mx);
			rpt_anon_addr(a, (uint8_t)fam, my);
			assert_int_equal(common_prefix(mx, my, nbits), common_prefix(x, y, nbits));
			if (k < nbits)
				assert_memory_not_equal(mx, x, nbits / 8);
		}
	}
	rpt_anon_free(a);
}

/* One key, one mapping; another key, another; kept networks stay. */
static void test_keys_and_kept(void **state)
{
	uint8_t other[RPT_ANON_KEY_LEN], addr[16];
	struct rpt_anon_opts o = {0};
	struct rpt_anon *a, *b, *c;
	char s1[INET_ADDRSTRLEN], s2[INET_ADDRSTRLEN];
	const char *keep[] = {"127.0.0.1", "169.254.3.4", "0.0.0.0", "192.0.2.77", "198.51.100.1"};
	size_t i;

	(void)state;
	memcpy(other, ref_key, sizeof(other));
	other[31] ^= 1;
	assert_int_equal(rpt_anon_net_parse("192.0.2.0/24", &o.keep[o.nkeep++]), 0);
	assert_int_equal(rpt_anon_net_parse("198.51.100.9/24", &o.keep[o.nkeep++]), 0);
	assert_int_equal(rpt_anon_net_parse("2001:db8::/32", &o.keep[o.nkeep++]), 0);
	a = anon_with(ref_key, &o);
	b = anon_with(ref_key, NULL);
	c = anon_with(other, NULL);
	map4(a, "10.1.2.3", s1);
	map4(b, "10.1.2.3", s2);
	assert_string_equal(s1, s2);
	map4(c, "10.1.2.3", s2);
	assert_string_not_equal(s1, s2);
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		map4(a, keep[i], s1);
		assert_string_equal(s1, keep[i]);
	}
	map4(a, "192.0.3.1", s1);
	assert_string_not_equal(s1, "192.0.3.1");
	for (i = 0; i < 4; i++) {
		const char *v6[] = {"::1", "fe80::1:2", "2001:db8:1::5", "::"};
		char t[INET6_ADDRSTRLEN];

		inet_pton(AF_INET6, v6[i], addr);
		rpt_anon_addr(a, 6, addr);
		inet_ntop(AF_INET6, addr, t, sizeof(t));
		assert_string_equal(t, v6[i]);
	}
	/* ::ffff:10.1.2.3 maps its IPv4 part as IPv4 */
	inet_pton(AF_INET6, "::ffff:10.1.2.3", addr);
	rpt_anon_addr(a, 6, addr);
	map4(b, "10.1.2.3", s2);
	inet_ntop(AF_INET, addr + 12, s1, sizeof(s1));
	assert_string_equal(s1, s2);
	/* bad networks */
	assert_int_equal(rpt_anon_net_parse("10.0.0.0/33", &o.keep[0]), -EINVAL);
	assert_int_equal(rpt_anon_net_parse("10.0.0.0/", &o.keep[0]), -EINVAL);
	assert_int_equal(rpt_anon_net_parse("10.0.0.0/-1", &o.keep[0]), -EINVAL);
	assert_int_equal(rpt_anon_net_parse("::/129", &o.keep[0]), -EINVAL);
	assert_int_equal(rpt_anon_net_parse("host.example", &o.keep[0]), -EINVAL);
	assert_int_equal(rpt_anon_net_parse("10.9.8.7/12", &o.keep[0]), 0);
	assert_int_equal(o.keep[0].addr[1], 0); /* host bits cleared: 10.0.0.0/12 */
	rpt_anon_free(a);
	rpt_anon_free(b);
	rpt_anon_free(c);
	rpt_anon_free(NULL);
}

/* ---- packets ---- */

static bool ip4_ok(const uint8_t *p)
{
	return inet_fold(inet_sum16(0, p, (size_t)(p[0] & 15) * 4)) == 0;
}

static bool tcp_ok(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	uint8_t ph[40] = {0};
	size_t t, seg;

	if ((p[0] >> 4) == 4) {
		t = (size_t)(p[0] & 15) * 4;
		seg = len - t;
		memcpy(ph, p + 12, 8);
		ph[9] = 6;
		ph[10] = (uint8_t)(seg >> 8);
		ph[11] = (uint8_t)seg;
		s = inet_sum16(0, ph, 12);
	} else {
		t = 40;
		seg = len - t;
		memcpy(ph, p + 8, 32);
		s = inet_sum16(0, ph, 32);
		memset(ph, 0, 8);
		ph[2] = (uint8_t)(seg >> 8);
		ph[3] = (uint8_t)seg;
		ph[7] = 6;
		s = inet_sum16(s, ph, 8);
	}
	return inet_fold(inet_sum16(s, p + t, seg)) == 0;
}

static void fix_tcp(uint8_t *p, size_t len)
{
	size_t t = (p[0] >> 4) == 4 ? (size_t)(p[0] & 15) * 4 : 40;
	unsigned c;

	p[t + 16] = p[t + 17] = 0;
	for (c = 0; c < 0x10000; c++) {
		p[t + 16] = (uint8_t)(c >> 8);
		p[t + 17] = (uint8_t)c;
		if (tcp_ok(p, len))
			return;
	}
	fail();
}

/* IPv4 10.1.2.3:40000 -> 10.9.8.7:80, MSS option, 12 bytes of payload; checksums right. */
static size_t build4(uint8_t *p)
{
	static const uint8_t tmpl[] = {
	    0x45, 0,	0,   56,  0x12, 0x34, 0x40, 0,	  64,  6,   0,	 0,   10,  1,
	    2,	  3,	10,  9,	  8,	7,    0x9c, 0x40, 0,   80,  0,	 0,   0,   1,
	    0,	  0,	0,   0,	  0x60, 0x18, 0xff, 0xff, 0,   0,   0,	 0,   2,   4,
	    5,	  0xb4, 'p', 'a', 's',	's',  'w',  'o',  'r', 'd', '=', 'x', 'y', 'z'};
	uint32_t s;

	memcpy(p, tmpl, sizeof(tmpl));
	s = inet_sum16(0, p, 20);
	p[10] = (uint8_t)(inet_fold(s) >> 8);
	p[11] = (uint8_t)inet_fold(s);
	fix_tcp(p, sizeof(tmpl));
	return sizeof(tmpl);
}

static void test_packet4(void **state)
{
	struct rpt_anon_opts keep = {.keep_payload = true};
	struct rpt_anon *a = anon_with(ref_key, NULL), *k = anon_with(ref_key, &keep);
	uint8_t p[128], q[128], want[16] = {10, 1, 2, 3};
	size_t len = build4(p), i;

	(void)state;
	assert_true(ip4_ok(p));
	assert_true(tcp_ok(p, len));
	memcpy(q, p, len);
	rpt_anon_packet(a, q, len);
	rpt_anon_addr(a, 4, want);
	assert_memory_equal(q + 12, want, 4);
	assert_memory_not_equal(q + 16, p + 16, 4);
	assert_true(ip4_ok(q));
	assert_true(tcp_ok(q, len));
	for (i = 44; i < len; i++)
		assert_int_equal(q[i], 0);
	assert_memory_equal(q + 40, p + 40, 4);	 /* the MSS option stays */
	assert_memory_equal(q + 20, p + 20, 16); /* ports, seq, ack, flags, window */

	memcpy(q, p, len);
	rpt_anon_packet(k, q, len);
	assert_memory_equal(q + 44, "password=xyz", 12);
	assert_true(tcp_ok(q, len));

	/* A wrong TCP checksum stays wrong; a wrong IP checksum too. */
	memcpy(q, p, len);
	q[36] ^= 0x01;
	q[10] ^= 0x10;
	rpt_anon_packet(a, q, len);
	assert_false(tcp_ok(q, len));
	assert_false(ip4_ok(q));

	/* Cut short: the checksum is adjusted, the addresses mapped, no byte past caplen. */
	memset(q, 0xee, sizeof(q));
	memcpy(q, p, 48);
	rpt_anon_packet(a, q, 48);
	assert_memory_equal(q + 12, want, 4);
	assert_true(ip4_ok(q));
	assert_int_equal(q[44], 0);
	assert_int_equal(q[48], 0xee);
	rpt_anon_free(a);
	rpt_anon_free(k);
}

/* IPv6 with a type 0 routing header: every address in it mapped, the pseudo header's final
 * destination the last one. */
static void test_packet6(void **state)
{
	struct rpt_anon *a = anon_with(ref_key, NULL);
	uint8_t p[200] = {0}, q[200], m[16];
	size_t len = 40 + 40 + 20 + 4, i;

	(void)state;
	p[0] = 0x60;
	p[4] = 0;
	p[5] = (uint8_t)(len - 40);
	p[6] = 43;
	p[7] = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", p + 8);
	inet_pton(AF_INET6, "2001:db8:2::2", p + 24);
	p[40] = 6; /* next: TCP */
	p[41] = 4; /* (4 + 1) * 8 = 40 bytes: two addresses */
	p[42] = 0; /* type 0 */
	p[43] = 1; /* segments left */
	inet_pton(AF_INET6, "2001:db8:3::3", p + 48);
	inet_pton(AF_INET6, "2001:db8:4::4", p + 64);
	p[80] = 0x9c;
	p[83] = 80;
	p[92] = 0x50;
	p[93] = 0x02;
	memcpy(p + 100, "data", 4);
	/* the TCP checksum over the pseudo header with the final destination (p + 64) */
	memcpy(q, p, len);
	memcpy(q + 24, p + 64, 16);
	memmove(q + 40, q + 80, 24);
	fix_tcp(q, len - 40);
	p[96] = q[56];
	p[97] = q[57];
	memcpy(q, p, len);
	rpt_anon_packet(a, q, len);
	for (i = 8; i < 80; i += 16) {
		if (i == 40)
			i = 48;
		memcpy(m, p + i, 16);
		rpt_anon_addr(a, 6, m);
		assert_memory_equal(q + i, m, 16);
	}
	assert_memory_equal(q + 100, "\0\0\0\0", 4);
	memcpy(m, q + 64, 16);
	memcpy(q + 24, m, 16);
	memmove(q + 40, q + 80, 24);
	assert_true(tcp_ok(q, len - 40));
	rpt_anon_free(a);
}

/* Whatever the bytes: no read or write past caplen (the sanitizer build sees it). */
static void test_packet_hostile(void **state)
{
	struct rpt_anon *a = anon_with(ref_key, NULL);
	uint8_t p[128], *q;
	size_t len = build4(p), cut, i, bit;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		q = malloc(cut ? cut : 1);
		for (i = 0; i < cut; i++)
			for (bit = 0; bit < 8; bit++) {
				memcpy(q, p, cut);
				q[i] ^= (uint8_t)(1 << bit);
				rpt_anon_packet(a, q, cut);
			}
		free(q);
	}
	srand(3);
	for (i = 0; i < 20000; i++) {
		size_t n = (size_t)rand() % 120;

		q = malloc(n ? n : 1);
		for (cut = 0; cut < n; cut++)
			q[cut] = (uint8_t)rand();
		if (n)
			q[0] = (uint8_t)((rand() & 1 ? 0x60 : 0x40) | (q[0] & 15));
		rpt_anon_packet(a, q, n);
		free(q);
	}
	rpt_anon_free(a);
}

static void test_names_meta(void **state)
{
	struct rpt_anon_opts o = {.scrub_names = true};
	struct rpt_anon *a = anon_with(ref_key, &o);
	struct tdf_drop d, out;
	char buf[80], buf2[80];
	const char *v;
	uint8_t data[TDF_SNAP_MAX];

	(void)state;
	rpt_anon_meta(a, TDF_META_HOST, "db1.corp.example", &v, buf, sizeof(buf));
	assert_int_equal(strlen(v), 17);
	assert_memory_equal(v, "host-", 5);
	rpt_anon_meta(a, TDF_META_HOST, "db1.corp.example", &v, buf2, sizeof(buf2));
	assert_string_equal(buf, buf2);
	rpt_anon_meta(a, TDF_META_HOST, "db2.corp.example", &v, buf2, sizeof(buf2));
	assert_string_not_equal(buf, buf2);
	rpt_anon_meta(a, TDF_META_BOOT_ID, "5f1b6a58-3c64-4b1e-9f0e-2a0b4e0d9c11", &v, buf,
		      sizeof(buf));
	assert_int_equal(strlen(v), 36);
	assert_int_equal(v[8], '-');
	rpt_anon_meta(a, TDF_META_CMDLINE, "tcpdrop-record --saddr 10.1.2.3", &v, buf, 80);
	assert_null(v);
	rpt_anon_meta(a, TDF_META_FILTERS, "saddr=10.1.2.3", &v, buf, 80);
	assert_null(v);
	rpt_anon_meta(a, "future_key", "x", &v, buf, 80);
	assert_null(v);
	rpt_anon_meta(a, RPT_META_ANONYMIZED, "old", &v, buf, 80);
	assert_null(v);
	rpt_anon_meta(a, TDF_META_KERNEL_RELEASE, "6.1.0-18-amd64", &v, buf, 80);
	assert_string_equal(v, "6.1.0-18-amd64");
	assert_non_null(strstr(rpt_anon_describe(a), "names=pseudonyms"));
	assert_non_null(strstr(rpt_anon_describe(a), "crypto-pan"));

	tdftest_drop(&d, 1, 40);
	strcpy(d.comm, "secret-daemon");
	strcpy(d.ifname, "wg-corp0");
	rpt_anon_drop(a, &d, &out, data);
	assert_memory_equal(out.comm, "comm-", 5);
	assert_int_equal(strnlen(out.comm, TDF_COMM_LEN), 15);
	assert_memory_equal(out.ifname, "if-", 3);
	assert_int_equal(out.sport, d.sport);
	assert_int_equal(out.tcp_seq, d.tcp_seq);
	assert_int_equal(out.reason, d.reason);
	assert_memory_not_equal(out.saddr, d.saddr, 4);
	assert_ptr_equal(out.data, data);
	rpt_anon_free(a);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/test_anon.XXXXXX", path[128], link[160], err[256];
	uint8_t k1[RPT_ANON_KEY_LEN], k2[RPT_ANON_KEY_LEN];
	struct stat st;
	bool created;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/key", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(rpt_anon_key_load(path, k1, &created, err, sizeof(err)), 0);
	assert_true(created);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, RPT_ANON_KEY_LEN);
	assert_int_equal(rpt_anon_key_load(path, k2, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_memory_equal(k1, k2, sizeof(k1));
	/* never through a symbolic link, neither to read nor to create */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(rpt_anon_key_load(link, k2, &created, err, sizeof(err)), -ELOOP);
	unlink(link);
	assert_int_equal(symlink("/tmp/test_anon-nonexistent-target", link), 0);
	assert_true(rpt_anon_key_load(link, k2, &created, err, sizeof(err)) < 0);
	assert_int_equal(access("/tmp/test_anon-nonexistent-target", F_OK), -1);
	unlink(link);
	/* readable by others, or the wrong size: refused */
	chmod(path, 0644);
	assert_int_equal(rpt_anon_key_load(path, k2, &created, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(path, 0600);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(rpt_anon_key_load(path, k2, &created, err, sizeof(err)), -EINVAL);
	unlink(path);
	assert_int_equal(rpt_anon_key_load(dir, k2, &created, err, sizeof(err)), -EINVAL);
	rmdir(dir);
}

/* ---- the copy ---- */

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
	fstat(ofd, &st);
	buf = malloc((size_t)st.st_size);
	assert_int_equal(pread(ofd, buf, (size_t)st.st_size, 0), st.st_size);
	*outlen = (size_t)st.st_size;
	close(ifd);
	close(ofd);
	return buf;
}

static void test_rewrite(void **state)
{
	struct rpt_anon_opts ao = {.time_shift_ns = 3600000000000};
	struct rpt_anon *a = anon_with(ref_key, &ao);
	struct rpt_rewrite_opts plain = {0}, anon = {.anon = a};
	struct tdftest_counts c0, c1, c2;
	size_t inlen, l1, l2, l3;
	uint8_t *in = tdftest_sample(500, 4096, true, &inlen), *o1, *o2, *o3;
	const uint8_t orig[4] = {10, 0, 0, 1};

	(void)state;
	tdftest_read(in, inlen, &c0);
	o1 = rewrite_mem(in, inlen, &plain, &l1);
	tdftest_read(o1, l1, &c1);
	assert_int_equal(c1.ret, 0);
	assert_int_equal(c1.drops, c0.drops);
	assert_int_equal(c1.seq_sum, c0.seq_sum);
	assert_int_equal(c1.summary.lost, c0.summary.lost);
	assert_int_equal(c1.summary.excluded, c0.summary.excluded);
	assert_memory_equal(c1.records, c0.records, sizeof(c0.records));

	o2 = rewrite_mem(in, inlen, &anon, &l2);
	o3 = rewrite_mem(in, inlen, &anon, &l3);
	assert_int_equal(l2, l3); /* deterministic */
	assert_memory_equal(o2, o3, l2);
	tdftest_read(o2, l2, &c2);
	assert_int_equal(c2.ret, 0);
	assert_int_equal(c2.drops, c0.drops);
	assert_int_equal(c2.seq_sum, c0.seq_sum);
	assert_int_equal(c2.records[TDF_REC_STACK], c0.records[TDF_REC_STACK]);
	assert_int_equal(c2.records[TDF_REC_KSYMS], c0.records[TDF_REC_KSYMS]);
	assert_int_equal(c2.records[TDF_REC_LOSS], c0.records[TDF_REC_LOSS]);
	assert_int_equal(c2.summary.lost, c0.summary.lost);
	{
		struct tdf_reader *r = tdf_reader_open_mem(o2, l2, "o2");
		struct tdf_record rec;
		bool said = false;

		while (tdf_reader_next(r, &rec) == 1) {
			if (rec.type == TDF_REC_DROP) {
				assert_memory_not_equal(rec.drop.saddr, orig, 4);
				assert_true(rec.drop.caplen == 0 ||
					    memmem(rec.drop.data, rec.drop.caplen, orig, 4) ==
						NULL);
			}
			if (rec.type == TDF_REC_META)
				for (uint32_t i = 0; i < rec.meta.count; i++)
					said |=
					    strcmp(rec.meta.kv[i].key, RPT_META_ANONYMIZED) == 0;
		}
		tdf_reader_close(r);
		assert_true(said);
	}
	free(in);
	free(o1);
	free(o2);
	free(o3);
	rpt_anon_free(a);
}

/* ---- the options ---- */

static int parse(struct rpt_opts *o, int argc, const char **argv)
{
	return rpt_opts_parse(argc, (char **)argv, o);
}

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_opts(void **state)
{
	const char *all[] = {
	    "r",	  "-r",		  "in.tdrop",	    "--anonymize",   "--key-file=k",
	    "--keep-net", "192.0.2.0/24", "--keep-payload", "--scrub-names", "--time-shift=-60",
	    "-w",	  "out.tdrop"};
	const char *pcap[] = {"r", "-r", "in.tdrop", "--anonymize", "-w", "out.pcapng"};
	const char *copy[] = {"r", "-r", "in.tdrop", "-w", "x.tdrop", "--reason=no_socket"};
	const char *lonely[] = {"r", "-r", "in.tdrop", "--scrub-names"};
	const char *two[] = {"r", "-r", "a", "-r", "b", "-w", "o.tdrop"};
	const char *badnet[] = {"r", "-r", "a", "--anonymize", "--keep-net=10.0.0.0/99"};
	const char *badshift[] = {"r", "-r", "a", "--anonymize", "--time-shift=1h"};
	const char *justext[] = {"r", "-r", "a", "-w", ".tdrop"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(all), all), 0);
	assert_true(o.anonymize && o.write_trace);
	assert_string_equal(o.anon.key_file, "k");
	assert_int_equal(o.anon.nkeep, 1);
	assert_int_equal(o.anon.keep[0].bits, 24);
	assert_true(o.anon.keep_payload && o.anon.scrub_names && !o.anon.filtered);
	assert_true(o.anon.time_shift_ns == -60000000000LL);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(pcap), pcap), 0);
	assert_true(o.anonymize && !o.write_trace);
	assert_string_equal(o.view->name, "pcapng");
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(copy), copy), 0);
	assert_true(!o.anonymize && o.write_trace && o.anon.filtered);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(lonely), lonely), -EINVAL);
	assert_string_equal(o.err, "--scrub-names: only with --anonymize");
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(two), two), -EINVAL);
	assert_non_null(strstr(o.err, "one -r file"));
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(badnet), badnet), -EINVAL);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(badshift), badshift), -EINVAL);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(justext), justext), 0);
	assert_false(o.write_trace); /* a name, not just the extension */
	rpt_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cryptopan_vectors), cmocka_unit_test(test_prefix_property),
	    cmocka_unit_test(test_keys_and_kept),     cmocka_unit_test(test_packet4),
	    cmocka_unit_test(test_packet6),	      cmocka_unit_test(test_packet_hostile),
	    cmocka_unit_test(test_names_meta),	      cmocka_unit_test(test_key_file),
	    cmocka_unit_test(test_rewrite),	      cmocka_unit_test(test_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
