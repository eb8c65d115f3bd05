// SPDX-License-Identifier: BSD-2-Clause
/* mkhostile: write a trace file whose strings are hostile (control characters, terminal escape
 * sequences, quotes and commas, invalid and C1 UTF-8) for the output-safety test. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/tdftest.h"

/*
 * One string per drop for comm (and, rotated by three, for ifname). At most 15 bytes: the
 * 16-byte fields keep a NUL. The shell test knows this list by its index (drop seq - 1).
 */
static const char *const hostile[] = {
    "\x1b[31mred\x1b[0m",	    /*  0 ANSI colour escape */
    "a\tb\nc\rd\x01\x7f",	    /*  1 tab, newline, CR, SOH, DEL */
    "q\"u'o,t;e\\",		    /*  2 CSV and JSON specials */
    "\x80\xbf\xc0\xaf\xed\xa0\x80", /*  3 lone continuations, overlong, surrogate */
    "\xf8\x88\x80\x80\x80\xff\xfe", /*  4 5-byte form, 0xff, 0xfe */
    "ok\xe2\x82",		    /*  5 a sequence cut by the field's end */
    "\xf4\x90\x80\x80",		    /*  6 beyond U+10FFFF */
    "caf\xc3\xa9\xe2\x82\xac",	    /*  7 valid: café€ */
    "\xf0\x9f\x98\x80smile",	    /*  8 valid: 4-byte emoji */
    "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12", /* 9 C0 controls */
    "\x13\x14\x15\x16\x17\x18\x19\x1a\x1c\x1d\x1e\x1f",		    /* 10 more C0 controls */
    "c1\xc2\x9b"
    "31m\xc2\x85",	/* 11 C1 controls CSI and NEL as UTF-8 */
    "\x1b]0;pwned\x07", /* 12 terminal title (OSC) */
    "\x1b[2J\x1b[H",	/* 13 clear screen, cursor home */
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static void put_str(char *dst, size_t size, const char *s)
{
	memset(dst, 0, size);
	memcpy(dst, s, strlen(s) < size - 1 ? strlen(s) : size - 1);
}

int main(int argc, char **argv)
{
	static const struct tdf_kv kv[] = {
	    {TDF_META_HOST, "evil\x1b[1mhost\xff"},
	    {TDF_META_KERNEL_RELEASE, "6.18.0\n\"injected\": 1"},
	    {TDF_META_ARCH, "x86_64"},
	    {TDF_META_SNAPLEN, "128"},
	    {TDF_META_CMDLINE, "tcpdrop-record -w \x1b]0;x\x07 \xc3\x28"},
	};
	static const struct tdf_name reasons[] = {
	    {2, "SKB_DROP_REASON_NOT_SPECIFIED"},
	    {3, "SKB_DROP_REASON_NO\x1b[5m_SOCKET"},
	    {4, "SKB_DROP_REASON_BAD,\"CSV\"\n\xfe"},
	};
	static const struct tdf_name states[] = {{1, "ESTAB\x07LISHED"}, {10, "LISTEN"}};
	static const struct tdf_ksym syms[] = {{0x100, "tcp_v4_rcv\x1b[0m"},
					       {0x200, "evil\xff,\"sym"}};
	static const struct tdf_kaddr frames[] = {{0, 0x104}, {0, 0x210}, {1, 0x8}};
	struct tdf_record recs[8 + NHOSTILE];
	size_t n = 0, len;
	uint8_t *buf;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mkhostile FILE\n");
		return 2;
	}
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){sizeof(kv) / sizeof(kv[0]), kv};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){0, 1714564800000000000ull};
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){3, reasons};
	recs[n].type = TDF_REC_STATES;
	recs[n++].names = (struct tdf_names){2, states};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){1, "mod\x1b[0m\xc0"};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 3, frames};
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct tdf_drop *d = &recs[n].drop;

		recs[n++].type = TDF_REC_DROP;
		tdftest_drop(d, i + 1, 40);
		put_str(d->comm, sizeof(d->comm), hostile[i]);
		put_str(d->ifname, sizeof(d->ifname), hostile[(i + 3) % NHOSTILE]);
		d->reason = 2 + (uint32_t)(i % 3);
		d->state = i % 2 ? 1 : 0;
	}
	buf = tdftest_write(recs, n, NULL, true, &len);
	if (!buf) {
		fprintf(stderr, "mkhostile: cannot build the file: %s\n", strerror(errno));
		return 1;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd) != 0) {
		fprintf(stderr, "mkhostile: %s: %s\n", argv[1], strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}
