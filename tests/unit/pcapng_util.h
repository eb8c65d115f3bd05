/* SPDX-License-Identifier: BSD-2-Clause */
/* pcapng_util: what test_pcapng.c and test_export.c share: packets, tool runs, libpcap reads. */
#ifndef TCPDROP_TEST_PCAPNG_UTIL_H
#define TCPDROP_TEST_PCAPNG_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>

/* A temporary file name of the test (removed by tmp_done()). */
struct tmp_file {
	char path[64];
};

static inline void tmp_init(struct tmp_file *t, const char *tag)
{
	int fd;

	snprintf(t->path, sizeof(t->path), "/tmp/tcpdrop-%s.XXXXXX", tag);
	fd = mkstemp(t->path);
	if (fd < 0) {
		perror("mkstemp");
		abort();
	}
	close(fd);
}

static inline void tmp_done(struct tmp_file *t)
{
	unlink(t->path);
}

/* Internet checksum over two pieces (pseudo header + segment). */
static inline uint16_t inet_csum2(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < alen; i += 2)
		sum += (uint32_t)(a[i] << 8 | a[i + 1]);
	for (i = 0; i + 1 < blen; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (blen & 1)
		sum += (uint32_t)(b[blen - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * A TCP segment with payload_len zero bytes, correct IP and TCP checksums, in buf
 * (>= 60 + payload_len bytes). family 4: 10.0.0.<src>  -> 10.0.0.<dst>; family 6: fd00::<src>
 * -> fd00::<dst>. Returns the packet length.
 */
static inline size_t make_tcp_packet(uint8_t *buf, int family, uint8_t src, uint8_t dst,
				     uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
				     size_t payload_len)
{
	uint8_t pseudo[40];
	size_t ip_len = family == 4 ? 20 : 40, tcp_len = 20 + payload_len, plen;
	uint8_t *tcp = buf + ip_len;
	uint16_t c;

	memset(buf, 0, ip_len + tcp_len);
	memset(pseudo, 0, sizeof(pseudo));
	if (family == 4) {
		buf[0] = 0x45;
		buf[2] = (uint8_t)((ip_len + tcp_len) >> 8);
		buf[3] = (uint8_t)(ip_len + tcp_len);
		buf[6] = 0x40; /* DF */
		buf[8] = 64;
		buf[9] = 6;
		buf[12] = 10, buf[15] = src;
		buf[16] = 10, buf[19] = dst;
		c = inet_csum2(buf, 20, NULL, 0);
		buf[10] = (uint8_t)(c >> 8), buf[11] = (uint8_t)c;
		memcpy(pseudo, buf + 12, 8);
		pseudo[9] = 6;
		pseudo[10] = (uint8_t)(tcp_len >> 8), pseudo[11] = (uint8_t)tcp_len;
		plen = 12;
	} else {
		buf[0] = 0x60;
		buf[4] = (uint8_t)(tcp_len >> 8), buf[5] = (uint8_t)tcp_len;
		buf[6] = 6;
		buf[7] = 64;
		buf[8] = 0xfd, buf[23] = src;
		buf[24] = 0xfd, buf[39] = dst;
		memcpy(pseudo, buf + 8, 32);
		pseudo[34] = (uint8_t)(tcp_len >> 8), pseudo[35] = (uint8_t)tcp_len;
		pseudo[39] = 6;
		plen = 40;
	}
	tcp[0] = (uint8_t)(sport >> 8), tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8), tcp[3] = (uint8_t)dport;
	tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xfa, tcp[15] = 0xf0;
	c = inet_csum2(pseudo, plen, tcp, tcp_len);
	tcp[16] = (uint8_t)(c >> 8), tcp[17] = (uint8_t)c;
	return ip_len + tcp_len;
}

/* Is an external tool installed? */
static inline bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* Under CI a missing judge is a failure, elsewhere the test is skipped with a message. */
#define REQUIRE_TOOL(name)                                                                         \
	do {                                                                                       \
		if (!have_tool(name)) {                                                            \
			const char *ci_ = getenv("CI");                                            \
			if (ci_ && strcmp(ci_, "true") == 0)                                       \
				fail_msg("%s is not installed (make deps) and CI=true", name);     \
			print_message("%s not installed: skipped\n", name);                        \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/*
 * Run a shell command; its stdout goes into a malloc'd NUL-terminated *out (caller frees), its
 * stderr into *err when err is non-NULL (else to /dev/null). Returns the exit status or -1.
 */
static inline int run_capture(char **out, char **err, const char *fmt, ...)
{
	char cmd[4096], errpath[64] = "";
	va_list ap;
	FILE *p;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int st, n;

	if (!buf)
		abort();
	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 96, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 96)
		abort();
	if (err) {
		int fd;

		snprintf(errpath, sizeof(errpath), "/tmp/tcpdrop-stderr.XXXXXX");
		fd = mkstemp(errpath);
		if (fd < 0)
			abort();
		close(fd);
		snprintf(cmd + n, 96, " 2>%s", errpath);
	} else {
		snprintf(cmd + n, 96, " 2>/dev/null");
	}
	p = popen(cmd, "r");
	if (!p)
		abort();
	for (;;) {
		size_t got;

		if (cap - len < 1024) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + len, 1, cap - len - 1, p);
		if (got == 0)
			break;
		len += got;
	}
	buf[len] = '\0';
	st = pclose(p);
	*out = buf;
	if (err) {
		FILE *f = fopen(errpath, "r");
		size_t elen = 0;
		char *e = calloc(1, 65536);

		if (!f || !e)
			abort();
		elen = fread(e, 1, 65535, f);
		e[elen] = '\0';
		fclose(f);
		unlink(errpath);
		*err = e;
	}
	return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * tshark's stderr with its lines about running as root removed: what is left is a real
 * warning. Returns a pointer into s (modified in place).
 */
static inline char *tshark_real_stderr(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		char *nl = strchr(r, '\n');
		size_t n = nl ? (size_t)(nl - r) + 1 : strlen(r);

		if (!(strstr(r, "Running as user") && (!nl || strstr(r, "Running as user") < nl))) {
			memmove(w, r, n);
			w += n;
		}
		r += n;
	}
	*w = '\0';
	return s;
}

/* Count lines of s. */
static inline unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * What tshark says is wrong with path: its stderr (root notice removed) and its expert
 * information. -z expert prints one section per severity that occurred ("Errors (N)",
 * "Warns (N)"...). Dropped segments carry warnings of their own (RST, "previous segment not
 * captured"): those are the traffic, not the file. A defect of the file shows up as an error
 * or in the Malformed/Undecoded groups. Returns a malloc'd description, or NULL when clean.
 */
static inline char *tshark_problems(const char *path)
{
	char *out, *err, *msg = NULL;
	int rc = run_capture(&out, &err, "tshark -n -r '%s' -q -z expert", path);

	if (rc != 0 || *tshark_real_stderr(err) || strstr(out, "Errors (") ||
	    strstr(out, "Malformed") || strstr(out, "Undecoded")) {
		if (asprintf(&msg, "exit %d, stderr: %s\nexpert:\n%s", rc, err, out) < 0)
			abort();
	}
	free(out);
	free(err);
	return msg;
}

/* tshark reads path without warnings on stderr and without malformed packets or errors. */
static inline void assert_tshark_clean(const char *path)
{
	char *msg = tshark_problems(path);

	if (msg)
		fail_msg("tshark -r %s: %s", path, msg);
}

/* A packet read back through libpcap. */
struct read_pkt {
	uint32_t caplen, len;
	uint64_t ts_ns;
	uint8_t data[2048];
};

/*
 * Read every packet of path with libpcap (nanosecond precision) into pkts (up to max). Returns
 * the number read; *linktype and *snaplen receive the file's values. Fails the test if libpcap
 * refuses the file or reports an error.
 */
static inline size_t pcap_read_all(const char *path, struct read_pkt *pkts, size_t max,
				   int *linktype, int *snaplen)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p =
	    pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	size_t n = 0;
	int rc;

	if (!p)
		fail_msg("libpcap refuses %s: %s", path, errbuf);
	if (linktype)
		*linktype = pcap_datalink(p);
	if (snaplen)
		*snaplen = pcap_snapshot(p);
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		if (n < max) {
			if (h->caplen > sizeof(pkts[n].data))
				fail_msg("caplen %u too large", h->caplen);
			pkts[n].caplen = h->caplen;
			pkts[n].len = h->len;
			pkts[n].ts_ns =
			    (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
			memcpy(pkts[n].data, bytes, h->caplen);
		}
		n++;
	}
	if (rc != PCAP_ERROR_BREAK)
		fail_msg("libpcap reading %s: %s", path, pcap_geterr(p));
	pcap_close(p);
	return n;
}

/* ---- an independent walk over the file's blocks ---- */

struct walked_opt {
	uint32_t block; /* index of the block */
	uint32_t type;	/* its block type */
	uint16_t code;
	uint16_t len;
	size_t value_off; /* file offset of the value */
};

struct walk {
	uint8_t *file;
	size_t size;
	uint32_t types[1024];
	size_t nblocks;
	struct walked_opt opts[8192];
	size_t nopts;
};

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void slurp(const char *path, uint8_t **buf, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	*buf = malloc((size_t)n + 1);
	assert_non_null(*buf);
	assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
}

/* Offset of the options of a block (after its fixed body), given the block's start. */
static inline size_t body_fixed(const uint8_t *blk, uint32_t type)
{
	switch (type) {
	case 0x0a0d0d0a:
		return 8 + 16;
	case 1:
		return 8 + 8;
	case 5:
		return 8 + 12;
	case 6:
		return 8 + 20 + ((le32(blk + 8 + 12) + 3u) & ~3u);
	default:
		fail_msg("unexpected block type %#x", type);
	}
	return 0;
}

/* Every block: lengths equal at both ends, multiple of 4, options well-formed and terminated. */
static inline void walk_file(const char *path, struct walk *w)
{
	size_t off = 0;

	memset(w, 0, sizeof(*w));
	slurp(path, &w->file, &w->size);
	while (off < w->size) {
		uint8_t *blk = w->file + off;
		uint32_t type, total;
		size_t o, end;
		bool ended = false;

		assert_true(w->size - off >= 12);
		type = le32(blk);
		total = le32(blk + 4);
		assert_true(total >= 12 && total % 4 == 0 && total <= w->size - off);
		assert_int_equal(le32(blk + total - 4), total);
		assert_true(w->nblocks < 1024);
		w->types[w->nblocks] = type;
		o = body_fixed(blk, type);
		end = total - 4;
		assert_true(o <= end);
		while (o < end) {
			uint16_t code, len;

			assert_false(ended);
			assert_true(end - o >= 4);
			code = le16(blk + o);
			len = le16(blk + o + 2);
			assert_true(((len + 3u) & ~3u) <= end - o - 4);
			/* padding bytes are zero */
			for (size_t i = len; i < ((len + 3u) & ~3u); i++)
				assert_int_equal(blk[o + 4 + i], 0);
			if (code == 0) {
				assert_int_equal(len, 0);
				ended = true;
			} else {
				assert_true(w->nopts < 8192);
				w->opts[w->nopts++] =
				    (struct walked_opt){.block = (uint32_t)w->nblocks,
							.type = type,
							.code = code,
							.len = len,
							.value_off = off + o + 4};
			}
			o += 4 + ((len + 3u) & ~3u);
		}
		/* a block that has options ends them with opt_endofopt */
		assert_true(ended || o == body_fixed(blk, type));
		off += total;
		w->nblocks++;
	}
	assert_int_equal(off, w->size);
}

static inline const struct walked_opt *find_opt(const struct walk *w, uint32_t block, uint16_t code)
{
	for (size_t i = 0; i < w->nopts; i++)
		if (w->opts[i].block == block && w->opts[i].code == code)
			return &w->opts[i];
	return NULL;
}

static inline void assert_opt_str(const struct walk *w, uint32_t block, uint16_t code,
				  const char *s)
{
	const struct walked_opt *o = find_opt(w, block, code);

	assert_non_null(o);
	assert_int_equal(o->len, strlen(s));
	assert_memory_equal(w->file + o->value_off, s, o->len);
}

#endif /* TCPDROP_TEST_PCAPNG_UTIL_H */
