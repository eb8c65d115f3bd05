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

/* ---- --budget: files that fill one table of tcpdrop-report (tests/integration/harden_report.sh)
 */

static int add(struct tdf_writer *w, const struct tdf_record *rec)
{
	int rc = tdf_writer_add(w, rec);

	if (rc)
		fprintf(stderr, "mkhostile: record type %u: %s\n", rec->type, strerror(-rc));
	return rc;
}

/* A name of exactly len bytes (<= TDF_NAME_MAX) that differs for every i. */
static const char *name_of(char *buf, uint64_t i, size_t len)
{
	int n = snprintf(buf, TDF_NAME_MAX + 1, "n%llx_", (unsigned long long)i);

	memset(buf + n, 'x', len > (size_t)n ? len - (size_t)n : 0);
	buf[len > (size_t)n ? len : (size_t)n] = '\0';
	return buf;
}

static int flood_stacks(struct tdf_writer *w, uint32_t count, uint32_t depth)
{
	static struct tdf_kaddr frames[TDF_STACK_MAX];
	struct tdf_record rec = {.type = TDF_REC_STACK};
	int rc = 0;

	for (uint32_t i = 1; i <= count && !rc; i++) {
		for (uint32_t f = 0; f < depth; f++)
			frames[f] = (struct tdf_kaddr){0, 0x100 + i + f};
		rec.stack = (struct tdf_stack){i, depth, frames};
		rc = add(w, &rec);
	}
	return rc;
}

static int flood_symbols(struct tdf_writer *w, uint64_t count, size_t len)
{
	static struct tdf_ksym syms[256];
	static char names[256][TDF_NAME_MAX + 1];
	struct tdf_record rec = {.type = TDF_REC_KSYMS};
	int rc = 0;

	for (uint64_t i = 0; i < count && !rc; i += 256) {
		uint32_t n = count - i < 256 ? (uint32_t)(count - i) : 256;

		for (uint32_t k = 0; k < n; k++)
			syms[k] = (struct tdf_ksym){(uint32_t)(i + k) * 16,
						    name_of(names[k], i + k, len)};
		rec.ksyms = (struct tdf_ksyms){0, n, syms};
		rc = add(w, &rec);
	}
	return rc;
}

static int flood_names(struct tdf_writer *w, uint32_t type, uint32_t count)
{
	char name[TDF_NAME_MAX + 1], value[TDF_NAME_MAX + 1];
	struct tdf_record rec = {.type = type};
	int rc = 0;

	for (uint32_t i = 0; i < count && !rc; i++) {
		struct tdf_kv kv = {name_of(name, i, TDF_NAME_MAX),
				    name_of(value, ~i, TDF_NAME_MAX)};
		struct tdf_name nm = {0x1000 + i, name};

		if (type == TDF_REC_META)
			rec.meta = (struct tdf_meta){1, &kv};
		else if (type == TDF_REC_REASONS)
			rec.names = (struct tdf_names){1, &nm};
		else if (type == TDF_REC_KMOD)
			rec.kmod = (struct tdf_kmod){i + 1, name};
		else
			rec.clock =
			    (struct tdf_clock){(uint64_t)i * 1000000000, 1714564800000000000ull};
		rc = add(w, &rec);
	}
	return rc;
}

/* count drops; distinct: each from its own source and with its own unknown reason. */
static int flood_drops(struct tdf_writer *w, uint32_t count, bool distinct, uint32_t stacks)
{
	struct tdf_record rec = {.type = TDF_REC_DROP};
	int rc = 0;

	for (uint32_t i = 1; i <= count && !rc; i++) {
		tdftest_drop(&rec.drop, i, 40);
		rec.drop.stack_id = stacks ? stacks - (i - 1) % stacks : 0; /* the last: left out */
		if (distinct) {
			rec.drop.saddr[0] = 10;
			rec.drop.saddr[1] = (uint8_t)(i >> 16);
			rec.drop.saddr[2] = (uint8_t)(i >> 8);
			rec.drop.saddr[3] = (uint8_t)i;
			rec.drop.sport = (uint16_t)(i * 7);
			rec.drop.reason = 0x10000 + i;
			rec.drop.netns = i;
		}
		rc = add(w, &rec);
	}
	return rc;
}

static const char *const budget_tables[] = {
    "stacks", "stacks-count", "symbols", "symbols-long", "modules",
    "meta",   "clocks",	      "reasons", "views",	 "all",
};

/*
 * Sizes: past the files' budget (160 MiB) or the table's count cap (report/file.c,
 * symtab.h, stacktab.h), and a few drops after it all that must still be decoded.
 */
static int budget_file(struct tdf_writer *w, const char *table)
{
	static const struct tdf_kv kv[] = {{TDF_META_HOST, "budget"}, {TDF_META_SNAPLEN, "128"}};
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NOT_SPECIFIED"}};
	struct tdf_record rec = {.type = TDF_REC_META, .meta = {2, kv}};
	bool all = strcmp(table, "all") == 0;
	uint32_t stacks = 0;
	int rc;

	rc = add(w, &rec);
	rec = (struct tdf_record){.type = TDF_REC_CLOCK, .clock = {0, 1714564800000000000ull}};
	if (!rc)
		rc = add(w, &rec);
	rec = (struct tdf_record){.type = TDF_REC_REASONS, .names = {1, reasons}};
	if (!rc)
		rc = add(w, &rec);
	if (!rc && (all || !strcmp(table, "symbols"))) /* 42 B each: the budget, at 3.9 M */
		rc = flood_symbols(w, 4u << 20, 1);
	if (!rc && !strcmp(table, "symbols-long")) /* 288 B each: the budget, at 0.57 M */
		rc = flood_symbols(w, 800000, TDF_NAME_MAX);
	if (!rc && (all || !strcmp(table, "modules")))
		rc = flood_names(w, TDF_REC_KMOD, 5000);
	if (!rc && (all || !strcmp(table, "meta")))
		rc = flood_names(w, TDF_REC_META, 5000);
	if (!rc && (all || !strcmp(table, "clocks")))
		rc = flood_names(w, TDF_REC_CLOCK, (1u << 20) + 1000);
	if (!rc && (all || !strcmp(table, "reasons")))
		rc = flood_names(w, TDF_REC_REASONS, 17000);
	if (!rc && (all || !strcmp(table, "stacks"))) /* 1.1 KiB each: the budget, at 150 K */
		rc = flood_stacks(w, stacks = 200000, TDF_STACK_MAX);
	if (!rc && !strcmp(table, "stacks-count")) /* 88 B each: the cap first */
		rc = flood_stacks(w, stacks = (1u << 20) + 1000, 1);
	if (!rc)
		rc = flood_drops(w, all || !strcmp(table, "views") ? 400000 : 1000,
				 all || !strcmp(table, "views"), stacks);
	return rc;
}

static int budget_main(const char *table, const char *path)
{
	struct tdf_writer *w;
	size_t i;
	int fd, rc;

	for (i = 0; i < sizeof(budget_tables) / sizeof(budget_tables[0]); i++)
		if (strcmp(table, budget_tables[i]) == 0)
			break;
	if (i == sizeof(budget_tables) / sizeof(budget_tables[0])) {
		fprintf(stderr, "mkhostile: --budget: unknown table %s\n", table);
		return 2;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "mkhostile: %s: %s\n", path, strerror(errno));
		return 1;
	}
	w = tdf_writer_open(fd, NULL);
	if (!w) {
		fprintf(stderr, "mkhostile: %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	rc = budget_file(w, table);
	if (rc)
		tdf_writer_abandon(w);
	else
		rc = tdf_writer_close(w);
	if (close(fd) && !rc)
		rc = -errno;
	if (rc) {
		fprintf(stderr, "mkhostile: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	return 0;
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

	if (argc == 4 && strcmp(argv[1], "--budget") == 0)
		return budget_main(argv[2], argv[3]);
	if (argc != 2) {
		fprintf(stderr,
			"usage: mkhostile FILE\n"
			"       mkhostile --budget stacks|stacks-count|symbols|symbols-long|"
			"modules|meta|clocks|reasons|views|all FILE\n");
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
