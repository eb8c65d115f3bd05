/* SPDX-License-Identifier: BSD-2-Clause */
/* test_format: round trips, corruption classes, truncation and pipes for the trace file library. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../lib/tdftest.h"
#include "pktparse.h"
#include "tdf.h"
#include "wire.h"

/* ---- helpers ---- */

struct blk {
	size_t off, len;
	uint16_t type;
};

/* Walk the blocks of a well-formed file. Returns how many were found. */
static size_t walk_blocks(const uint8_t *buf, size_t len, struct blk *b, size_t max)
{
	size_t off = TDF_FILE_HDR_LEN, n = 0;

	while (off + TDF_BLOCK_HDR_LEN <= len && n < max) {
		assert_memory_equal(buf + off, TDF_SYNC, 4);
		b[n].off = off;
		b[n].type = le16_get(buf + off + 4);
		b[n].len = TDF_BLOCK_HDR_LEN + le32_get(buf + off + 8);
		off += b[n].len;
		n++;
	}
	assert_int_equal(off, len);
	return n;
}

/* Recompute both CRCs of the block at off (after a test changed its bytes on purpose). */
static void reseal(uint8_t *buf, size_t off)
{
	uint32_t plen = le32_get(buf + off + 8);

	le32_put(buf + off + 12, tdf_crc32c(0, buf + off + TDF_BLOCK_HDR_LEN, plen));
	le32_put(buf + off + 16, tdf_crc32c(0, buf + off, TDF_BLOCK_HDR_CRC_SPAN));
}

static void assert_drop_equal(const struct tdf_drop *a, const struct tdf_drop *b)
{
	assert_int_equal(a->seq_no, b->seq_no);
	assert_int_equal(a->ts_ns, b->ts_ns);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->tid, b->tid);
	assert_memory_equal(a->comm, b->comm, TDF_COMM_LEN);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->tcp_flags, b->tcp_flags);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->dir, b->dir);
	assert_memory_equal(a->saddr, b->saddr, 16);
	assert_memory_equal(a->daddr, b->daddr, 16);
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
	assert_int_equal(a->tcp_seq, b->tcp_seq);
	assert_int_equal(a->tcp_ack, b->tcp_ack);
	assert_int_equal(a->win, b->win);
	assert_int_equal(a->reason, b->reason);
	assert_int_equal(a->location.mod, b->location.mod);
	assert_int_equal(a->location.off, b->location.off);
	assert_int_equal(a->netns, b->netns);
	assert_int_equal(a->ifindex, b->ifindex);
	assert_memory_equal(a->ifname, b->ifname, TDF_IFNAME_LEN);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->stack_id, b->stack_id);
	assert_int_equal(a->caplen, b->caplen);
	if (a->caplen)
		assert_memory_equal(a->data, b->data, a->caplen);
}

/* A file: header + the given raw records in one chunk (count honest). */
static void one_chunk_file(struct tdftest_buf *f, const struct tdftest_buf *raw, uint32_t count)
{
	tdftest_put_file_header(f, TDF_VERSION_MAJOR, TDF_VERSION_MINOR);
	tdftest_put_chunk(f, raw->p, raw->len, (uint32_t)raw->len, count);
}

/* The raw body of a drop record, as the writer lays it out. */
static void drop_body(struct tdftest_buf *raw, uint64_t seq, uint8_t type, uint8_t flags)
{
	struct tdf_record rec = {.type = TDF_REC_DROP};
	size_t len;
	uint8_t *file;
	struct blk b[4];
	ZSTD_DCtx *d = ZSTD_createDCtx();
	uint8_t body[4 + TDF_DROP_FIXED + 64];
	size_t got;

	tdftest_drop(&rec.drop, seq, 64);
	file = tdftest_write(&rec, 1, NULL, false, &len);
	assert_non_null(file);
	assert_int_equal(walk_blocks(file, len, b, 4), 1);
	got = ZSTD_decompressDCtx(d, body, sizeof(body), file + b[0].off + 28, b[0].len - 28);
	assert_int_equal(got, sizeof(body));
	body[0] = type;
	body[1] = flags;
	tdftest_buf_put(raw, body, sizeof(body));
	ZSTD_freeDCtx(d);
	free(file);
}

/* ---- helpers under test ---- */

static void test_crc32c(void **state)
{
	(void)state;
	/* The standard check value of CRC-32C. */
	assert_int_equal(tdf_crc32c(0, "123456789", 9), 0xE3069283u);
	assert_int_equal(tdf_crc32c(0, "", 0), 0);
	/* Continuing from a previous CRC equals one pass. */
	assert_int_equal(tdf_crc32c(tdf_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	/* 32 zero bytes: RFC 3720 B.4 test pattern. */
	uint8_t zeros[32] = {0};
	assert_int_equal(tdf_crc32c(0, zeros, 32), 0x8A9136AAu);
}

/* Bit-at-a-time reference: what the table-driven code must equal. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
	}
	return ~crc;
}

static void test_crc32c_matches_bitwise(void **state)
{
	uint8_t data[300];
	uint32_t x = 0x12345678u;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (uint8_t)x;
	}
	/* every length around the 8-byte stride, from every start offset */
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= sizeof(data); len++)
			assert_int_equal(tdf_crc32c(0, data + off, len),
					 crc32c_bitwise(data + off, len));
	/* 3 + 8 + 5: continuing across a split that breaks the stride */
	assert_int_equal(tdf_crc32c(tdf_crc32c(0, data, 3), data + 3, 13),
			 crc32c_bitwise(data, 16));
}

/* The write cursor is the read cursor's mirror: what one puts, the other gets back. */
static void test_wire_cursors(void **state)
{
	uint8_t buf[32], canary[4] = {0xaa, 0xaa, 0xaa, 0xaa};
	struct wcursor w;
	struct cursor r;
	char s[8];
	(void)state;

	/* exact fit: 1 + 2 + 4 + 8 + (1 + 3) + 4 + 9 bytes of 32 */
	memset(buf, 0xaa, sizeof(buf));
	wcur_init(&w, buf, 32);
	wcur_u8(&w, 0x12);
	wcur_u16(&w, 0x3456);
	wcur_u32(&w, 0x789abcde);
	wcur_u64(&w, 0x0102030405060708ull);
	wcur_str(&w, "abc");
	wcur_copy(&w, "wxyz", 4);
	wcur_copy(&w, "123456789", 9);
	assert_false(w.bad);
	assert_int_equal(w.len, 32);
	assert_int_equal(w.left, 0);
	assert_int_equal(buf[1], 0x56); /* little-endian */
	assert_int_equal(buf[2], 0x34);

	cur_init(&r, buf, 32);
	assert_int_equal(cur_u8(&r), 0x12);
	assert_int_equal(cur_u16(&r), 0x3456);
	assert_int_equal(cur_u32(&r), 0x789abcde);
	assert_true(cur_u64(&r) == 0x0102030405060708ull);
	assert_int_equal(cur_u8(&r), 3);
	cur_copy(&r, s, 3);
	assert_memory_equal(s, "abc", 3);
	cur_copy(&r, s, 4);
	assert_memory_equal(s, "wxyz", 4);
	assert_non_null(cur_take(&r, 9));
	assert_false(r.bad);

	/* one byte short: nothing is written, the error latches, later puts do nothing */
	memset(buf, 0xaa, sizeof(buf));
	wcur_init(&w, buf, 3);
	wcur_u16(&w, 0xffff);
	wcur_u16(&w, 0xffff);
	assert_true(w.bad);
	wcur_u8(&w, 0xff);
	assert_true(w.bad);
	assert_int_equal(w.len, 2);
	assert_memory_equal(buf + 2, canary, 4);

	/* a string of 0 bytes is its length byte alone */
	wcur_init(&w, buf, 1);
	wcur_str(&w, "");
	assert_false(w.bad);
	assert_int_equal(buf[0], 0);
}

static void test_reason_short(void **state)
{
	(void)state;
	assert_string_equal(tdf_reason_short("SKB_DROP_REASON_NO_SOCKET"), "NO_SOCKET");
	assert_string_equal(tdf_reason_short("NO_SOCKET"), "NO_SOCKET");
	/* Exactly the prefix: the empty rest. */
	assert_string_equal(tdf_reason_short("SKB_DROP_REASON_"), "");
	assert_string_equal(tdf_reason_short("SKB_DROP_REASO"), "SKB_DROP_REASO");
	assert_null(tdf_reason_short(NULL));
}

/* ---- round trips ---- */

static void test_roundtrip_every_kind(void **state)
{
	static const struct tdf_kv kv[] = {
	    {TDF_META_HOST, "h1"}, {TDF_META_CMDLINE, "tcpdrop-record -w x"}, {"empty", ""}};
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NOT_SPECIFIED"},
						  {0x30001, "SKB_DROP_REASON_SUB"}};
	static const struct tdf_name states[] = {{1, "ESTABLISHED"}};
	static const struct tdf_ksym syms[] = {{0, "_text"}, {0xffff00, "tcp_v4_rcv"}};
	struct tdf_kaddr frames[TDF_STACK_MAX];
	struct tdf_record in[12], out;
	struct tdf_reader *r;
	uint8_t *file;
	size_t len, n = 0;
	char name255[TDF_NAME_MAX + 1];

	(void)state;
	memset(name255, 'k', TDF_NAME_MAX);
	name255[TDF_NAME_MAX] = '\0';
	for (unsigned i = 0; i < TDF_STACK_MAX; i++)
		frames[i] = (struct tdf_kaddr){i % 3 ? 1 : 0, 0x1000 + i};
	frames[5] = (struct tdf_kaddr){TDF_MOD_UNKNOWN, 0};
	memset(in, 0, sizeof(in));
	in[n].type = TDF_REC_META;
	in[n++].meta = (struct tdf_meta){3, kv};
	in[n].type = TDF_REC_CLOCK;
	in[n++].clock = (struct tdf_clock){123456789, 1700000000123456789ull};
	in[n].type = TDF_REC_REASONS;
	in[n++].names = (struct tdf_names){2, reasons};
	in[n].type = TDF_REC_STATES;
	in[n++].names = (struct tdf_names){1, states};
	in[n].type = TDF_REC_KMOD;
	in[n++].kmod = (struct tdf_kmod){7, name255}; /* longest name: exact fit */
	in[n].type = TDF_REC_KSYMS;
	in[n++].ksyms = (struct tdf_ksyms){7, 2, syms};
	in[n].type = TDF_REC_STACK; /* deepest stack */
	in[n++].stack = (struct tdf_stack){9, TDF_STACK_MAX, frames};
	in[n].type = TDF_REC_LOSS;
	in[n++].loss = (struct tdf_loss){TDF_LOSS_RINGBUF, UINT32_MAX, 1ull << 40, 5, 6};
	in[n].type = TDF_REC_LOSS;
	in[n++].loss = (struct tdf_loss){TDF_LOSS_EXCLUDED, 3, 11, 7, 8};
	in[n].type = TDF_REC_DROP; /* caplen 0: no packet bytes */
	tdftest_drop(&in[n++].drop, 1, 0);
	in[n].type = TDF_REC_DROP; /* caplen TDF_SNAP_MAX: exact cap */
	tdftest_drop(&in[n].drop, 2, TDF_SNAP_MAX);
	in[n].drop.family = 6;
	memset(in[n].drop.saddr, 0xfe, 16);
	memset(in[n].drop.daddr, 0x20, 16);
	memcpy(in[n].drop.comm, "0123456789abcde", 16); /* full 15 chars + NUL */
	in[n].drop.location = (struct tdf_kaddr){TDF_MOD_UNKNOWN, 0};
	n++;
	in[n].type = TDF_REC_DROP;
	tdftest_drop(&in[n++].drop, 3, 1);

	file = tdftest_write(in, n, NULL, true, &len);
	assert_non_null(file);
	r = tdf_reader_open_mem(file, len, "rt");
	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(tdf_reader_next(r, &out), 1);
		assert_int_equal(out.type, in[i].type);
		assert_int_equal(out.offset, TDF_FILE_HDR_LEN); /* all in the first chunk */
		switch (out.type) {
		case TDF_REC_META:
			assert_int_equal(out.meta.count, 3);
			for (unsigned k = 0; k < 3; k++) {
				assert_string_equal(out.meta.kv[k].key, kv[k].key);
				assert_string_equal(out.meta.kv[k].value, kv[k].value);
			}
			break;
		case TDF_REC_CLOCK:
			assert_int_equal(out.clock.boot_ns, in[i].clock.boot_ns);
			assert_int_equal(out.clock.real_ns, in[i].clock.real_ns);
			break;
		case TDF_REC_REASONS:
		case TDF_REC_STATES:
			assert_int_equal(out.names.count, in[i].names.count);
			for (unsigned k = 0; k < out.names.count; k++) {
				assert_int_equal(out.names.names[k].value,
						 in[i].names.names[k].value);
				assert_string_equal(out.names.names[k].name,
						    in[i].names.names[k].name);
			}
			break;
		case TDF_REC_KMOD:
			assert_int_equal(out.kmod.id, 7);
			assert_string_equal(out.kmod.name, name255);
			break;
		case TDF_REC_KSYMS:
			assert_int_equal(out.ksyms.mod, 7);
			assert_int_equal(out.ksyms.count, 2);
			for (unsigned k = 0; k < 2; k++) {
				assert_int_equal(out.ksyms.syms[k].off, syms[k].off);
				assert_string_equal(out.ksyms.syms[k].name, syms[k].name);
			}
			break;
		case TDF_REC_STACK:
			assert_int_equal(out.stack.id, 9);
			assert_int_equal(out.stack.depth, TDF_STACK_MAX);
			assert_memory_equal(out.stack.frames, frames, sizeof(frames));
			break;
		case TDF_REC_LOSS:
			assert_int_equal(out.loss.kind, in[i].loss.kind);
			assert_int_equal(out.loss.cpu, in[i].loss.cpu);
			assert_int_equal(out.loss.count, in[i].loss.count);
			assert_int_equal(out.loss.from_ns, in[i].loss.from_ns);
			assert_int_equal(out.loss.to_ns, in[i].loss.to_ns);
			break;
		case TDF_REC_DROP:
			assert_drop_equal(&out.drop, &in[i].drop);
			break;
		}
	}
	/* Clean close: the index summary, then the end. */
	assert_int_equal(tdf_reader_next(r, &out), 1);
	assert_int_equal(out.type, TDF_EV_INDEX);
	assert_int_equal(out.index.chunks, 1);
	assert_int_equal(out.index.drops, 3);
	assert_int_equal(out.index.lost, 1ull << 40);
	assert_int_equal(out.index.excluded, 11);
	assert_int_equal(out.index.first_ns, 1000000);
	assert_int_equal(out.index.last_ns, 3000000);
	assert_int_equal(tdf_reader_next(r, &out), 0);
	assert_int_equal(tdf_reader_next(r, &out), 0); /* the end stays the end */
	struct tdf_reader_stats st;
	tdf_reader_stats(r, &st);
	assert_true(st.clean_close);
	assert_false(st.truncated);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(st.corrupt, 0);
	assert_string_equal(tdf_reader_error(r), "");
	tdf_reader_close(r);
	free(file);
}

/*
 * 1.1: OWNER, CGROUP and NETNS round-trip and are written skippable (a 1.0 reader passes over
 * them); a drop's owner id follows its packet bytes only when it has one, so a drop without
 * an owner keeps the 1.0 body.
 */
static void test_owner_records(void **state)
{
	struct tdf_record in[5], out;
	struct tdf_reader *r;
	struct blk b[4];
	uint8_t *file, raw[4096];
	size_t len, got;
	ZSTD_DCtx *dz = ZSTD_createDCtx();
	uint32_t off;
	unsigned seen = 0, drop_body_len[2] = {0, 0}, ndrops = 0;

	(void)state;
	memset(in, 0, sizeof(in));
	in[0].type = TDF_REC_CGROUP;
	in[0].cgroup = (struct tdf_cgroup){1234567, "/system.slice/docker-0123456789abcdef.scope",
					   "0123456789abcdef"};
	in[1].type = TDF_REC_OWNER;
	in[1].owner = (struct tdf_owner){.id = 3, .pid = 4242, .cgroup = 1234567};
	memcpy(in[1].owner.comm, "nginx", 6);
	in[2].type = TDF_REC_NETNS;
	in[2].netns = (struct tdf_netns){4026532000u, "blue"};
	in[3].type = TDF_REC_DROP;
	tdftest_drop(&in[3].drop, 1, 40);
	in[3].drop.owner = 3;
	in[4].type = TDF_REC_DROP;
	tdftest_drop(&in[4].drop, 2, 40);
	file = tdftest_write(in, 5, NULL, true, &len);
	assert_non_null(file);

	r = tdf_reader_open_mem(file, len, "owner");
	assert_non_null(r);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(tdf_reader_next(r, &out), 1);
		assert_int_equal(out.type, in[i].type);
		switch (out.type) {
		case TDF_REC_CGROUP:
			assert_int_equal(out.cgroup.id, 1234567);
			assert_string_equal(out.cgroup.path, in[0].cgroup.path);
			assert_string_equal(out.cgroup.container, "0123456789abcdef");
			break;
		case TDF_REC_OWNER:
			assert_int_equal(out.owner.id, 3);
			assert_int_equal(out.owner.pid, 4242);
			assert_string_equal(out.owner.comm, "nginx");
			assert_int_equal(out.owner.cgroup, 1234567);
			break;
		case TDF_REC_NETNS:
			assert_int_equal(out.netns.inode, 4026532000u);
			assert_string_equal(out.netns.name, "blue");
			break;
		case TDF_REC_DROP:
			assert_drop_equal(&out.drop, &in[i].drop);
			assert_int_equal(out.drop.owner, in[i].drop.owner);
			break;
		}
	}
	tdf_reader_close(r);

	/* The raw chunk: the new types carry the skippable bit; owner 0 adds no bytes. */
	assert_true(walk_blocks(file, len, b, 4) >= 1);
	got = ZSTD_decompressDCtx(dz, raw, sizeof(raw), file + b[0].off + 28, b[0].len - 28);
	assert_false(ZSTD_isError(got));
	for (off = 0; off + 4 <= got;) {
		uint8_t type = raw[off], flags = raw[off + 1];
		uint16_t blen = (uint16_t)(raw[off + 2] | raw[off + 3] << 8);

		if (type >= TDF_REC_OWNER) {
			assert_true(flags & TDF_REC_FLAG_SKIPPABLE);
			seen++;
		}
		if (type == TDF_REC_DROP)
			drop_body_len[ndrops++] = blen;
		off += 4u + blen;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(ndrops, 2);
	assert_int_equal(drop_body_len[0], drop_body_len[1] + 4);
	ZSTD_freeDCtx(dz);
	free(file);
}

/* Reserved ids are damage; a string over 255 bytes or id 0 is refused by the writer. */
static void test_owner_rejects(void **state)
{
	char big[TDF_NAME_MAX + 2];
	struct tdf_record rec = {.type = TDF_REC_NETNS};
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	uint8_t body[24] = {0};

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rec.netns = (struct tdf_netns){5, big};
	assert_null(tdftest_write(&rec, 1, NULL, true, &(size_t){0}));
	rec.netns = (struct tdf_netns){0, "zero"};
	assert_null(tdftest_write(&rec, 1, NULL, true, &(size_t){0}));
	rec.type = TDF_REC_OWNER;
	rec.owner = (struct tdf_owner){.id = 0};
	assert_null(tdftest_write(&rec, 1, NULL, true, &(size_t){0}));

	/* a hand-made OWNER with id 0 is damage: its chunk is discarded */
	tdftest_put_record(&raw, TDF_REC_OWNER, TDF_REC_FLAG_SKIPPABLE, body, 28 - 4);
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.records[TDF_REC_OWNER], 0);
	free(raw.p);
	free(f.p);
}

/* tdf_ip_len: the datagram length the IP header states, 0 where it cannot say. */
static void test_ip_len(void **state)
{
	uint8_t v4[20] = {0x45, 0, 0x05, 0xdc}, v6[40] = {0x60, 0, 0, 0, 0x00, 0x14, 6};
	uint8_t jumbo[40] = {0x60, 0, 0, 0, 0, 0, 0}, other[20] = {0x20};

	(void)state;
	assert_int_equal(tdf_ip_len(v4, sizeof(v4)), 1500);
	assert_int_equal(tdf_ip_len(v4, 4), 1500);
	assert_int_equal(tdf_ip_len(v4, 3), 0);
	assert_int_equal(tdf_ip_len(v6, sizeof(v6)), 60);
	assert_int_equal(tdf_ip_len(v6, 6), 60);
	assert_int_equal(tdf_ip_len(v6, 5), 0);
	assert_int_equal(tdf_ip_len(jumbo, sizeof(jumbo)), 0);
	assert_int_equal(tdf_ip_len(other, sizeof(other)), 0);
	assert_int_equal(tdf_ip_len(NULL, 0), 0);
}

/* Big tables are split into several records, each body <= TDF_RECORD_BODY_MAX. */
static void test_split_big_tables(void **state)
{
	enum { NSYMS = 20000, NREASONS = 700, NMETA = 300 };
	struct tdf_ksym *syms = calloc(NSYMS, sizeof(*syms));
	struct tdf_name *reasons = calloc(NREASONS, sizeof(*reasons));
	struct tdf_kv *kv = calloc(NMETA, sizeof(*kv));
	char *names = calloc(NSYMS, 64);
	char *long_name = malloc(TDF_NAME_MAX + 1);
	struct tdf_record in[3] = {
	    {.type = TDF_REC_KSYMS}, {.type = TDF_REC_REASONS}, {.type = TDF_REC_META}};
	struct tdf_record out;
	struct tdf_reader *r;
	size_t len, nsyms = 0, nreasons = 0, nmeta = 0, ksym_records = 0, reason_records = 0,
		    meta_records = 0;
	uint8_t *file;

	(void)state;
	memset(long_name, 'R', TDF_NAME_MAX);
	long_name[TDF_NAME_MAX] = '\0';
	for (unsigned i = 0; i < NSYMS; i++) {
		snprintf(names + 64 * i, 64, "symbol_number_%u_with_some_length", i);
		syms[i] = (struct tdf_ksym){i * 16, names + 64 * i};
	}
	for (unsigned i = 0; i < NREASONS; i++)
		reasons[i] = (struct tdf_name){i, long_name};
	for (unsigned i = 0; i < NMETA; i++)
		kv[i] = (struct tdf_kv){long_name, long_name};
	in[0].ksyms = (struct tdf_ksyms){3, NSYMS, syms};
	in[1].names = (struct tdf_names){NREASONS, reasons};
	in[2].meta = (struct tdf_meta){NMETA, kv};
	file = tdftest_write(in, 3, NULL, true, &len);
	assert_non_null(file);

	r = tdf_reader_open_mem(file, len, "split");
	assert_non_null(r);
	while (tdf_reader_next(r, &out) == 1) {
		switch (out.type) {
		case TDF_REC_KSYMS:
			ksym_records++;
			assert_int_equal(out.ksyms.mod, 3);
			for (unsigned k = 0; k < out.ksyms.count; k++, nsyms++) {
				assert_int_equal(out.ksyms.syms[k].off, syms[nsyms].off);
				assert_string_equal(out.ksyms.syms[k].name, syms[nsyms].name);
			}
			break;
		case TDF_REC_REASONS:
			reason_records++;
			for (unsigned k = 0; k < out.names.count; k++, nreasons++) {
				assert_int_equal(out.names.names[k].value, nreasons);
				assert_string_equal(out.names.names[k].name, long_name);
			}
			break;
		case TDF_REC_META:
			meta_records++;
			for (unsigned k = 0; k < out.meta.count; k++, nmeta++) {
				assert_string_equal(out.meta.kv[k].key, long_name);
				assert_string_equal(out.meta.kv[k].value, long_name);
			}
			break;
		case TDF_EV_INDEX:
			break;
		default:
			fail_msg("unexpected record type %u", out.type);
		}
	}
	assert_int_equal(nsyms, NSYMS);
	assert_int_equal(nreasons, NREASONS);
	assert_int_equal(nmeta, NMETA);
	/* ~37 bytes per symbol: 740 KB cannot fit one 64 KiB body. */
	assert_true(ksym_records >= 12);
	assert_true(reason_records >= 3); /* 700 * 260 bytes */
	assert_true(meta_records >= 3);	  /* 300 * 512 bytes */
	tdf_reader_close(r);
	free(file);
	free(syms);
	free(reasons);
	free(kv);
	free(names);
	free(long_name);
}

/* Empty tables still produce one record (a kernel without drop reasons is information). */
static void test_empty_tables(void **state)
{
	struct tdf_record in[2] = {{.type = TDF_REC_REASONS}, {.type = TDF_REC_KSYMS}}, out;
	struct tdftest_counts c;
	size_t len;
	uint8_t *file;

	(void)state;
	in[1].ksyms.mod = 2;
	file = tdftest_write(in, 2, NULL, false, &len);
	assert_non_null(file);
	tdftest_read(file, len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.records[TDF_REC_REASONS], 1);
	assert_int_equal(c.records[TDF_REC_KSYMS], 1);
	(void)out;
	free(file);
}

static void test_writer_rejects(void **state)
{
	struct tdf_writer *w;
	struct tdf_record rec;
	struct tdf_kaddr frames[TDF_STACK_MAX + 1] = {{0, 0}};
	char long_name[TDF_NAME_MAX + 2];
	struct tdf_writer_opts bad = {.chunk_raw_max = TDF_CHUNK_RAW_MAX + 1};
	int fd = memfd_create("rej", 0);

	(void)state;
	assert_true(fd >= 0);
	errno = 0;
	assert_null(tdf_writer_open(fd, &bad)); /* chunk_raw_max one over the cap */
	assert_int_equal(errno, EINVAL);
	bad = (struct tdf_writer_opts){.zstd_level = 1000};
	assert_null(tdf_writer_open(fd, &bad));
	assert_null(tdf_writer_open(-1, NULL));
	w = tdf_writer_open(fd, NULL);
	assert_non_null(w);
	assert_int_equal(tdf_writer_bytes(w), TDF_FILE_HDR_LEN);

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_DROP;
	tdftest_drop(&rec.drop, 1, 0);
	rec.drop.caplen = TDF_SNAP_MAX + 1; /* one over the snap cap */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);
	rec.drop.caplen = 4;
	rec.drop.data = NULL; /* bytes promised, none given */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_STACK;
	rec.stack = (struct tdf_stack){1, TDF_STACK_MAX + 1, frames}; /* one frame too deep */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);
	rec.stack = (struct tdf_stack){0, 1, frames}; /* id 0 means "no stack" */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0'; /* 256 bytes: one over TDF_NAME_MAX */
	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_KMOD;
	rec.kmod = (struct tdf_kmod){1, long_name};
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);
	rec.kmod = (struct tdf_kmod){0, "vmlinux"}; /* id 0 is implicit */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);
	rec.kmod = (struct tdf_kmod){1, NULL};
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_EV_CORRUPT; /* reader-only type */
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);
	rec.type = 77;
	assert_int_equal(tdf_writer_add(w, &rec), -EINVAL);

	/* Nothing rejected left a trace. */
	assert_int_equal(tdf_writer_pending(w), 0);
	assert_int_equal(tdf_writer_close(w), 0);
	assert_int_equal(tdf_writer_close(NULL), 0);
	tdf_writer_abandon(NULL);
	close(fd);
}

/* Chunks close at chunk_raw_max and on flush; pending/bytes follow. */
static void test_writer_chunking(void **state)
{
	struct tdf_writer_opts opts = {.chunk_raw_max = 4096};
	struct tdf_record rec = {.type = TDF_REC_DROP};
	struct tdftest_counts c;
	struct blk b[64];
	int fd = memfd_create("chunking", 0);
	struct tdf_writer *w = tdf_writer_open(fd, &opts);
	uint8_t *file;
	off_t size;
	size_t nb, rec_len = TDF_REC_HDR_LEN + TDF_DROP_FIXED + 100;

	(void)state;
	assert_non_null(w);
	tdftest_drop(&rec.drop, 1, 100);
	assert_int_equal(tdf_writer_add(w, &rec), 0);
	assert_int_equal(tdf_writer_pending(w), rec_len);
	assert_int_equal(tdf_writer_bytes(w), TDF_FILE_HDR_LEN);
	assert_int_equal(tdf_writer_flush(w), 0);
	assert_int_equal(tdf_writer_pending(w), 0);
	assert_true(tdf_writer_bytes(w) > TDF_FILE_HDR_LEN);
	assert_int_equal(tdf_writer_flush(w), 0); /* nothing pending: no empty chunk */
	for (unsigned i = 2; i <= 100; i++) {
		tdftest_drop(&rec.drop, i, 100);
		assert_int_equal(tdf_writer_add(w, &rec), 0);
		assert_true(tdf_writer_pending(w) <= 4096);
	}
	assert_int_equal(tdf_writer_close(w), 0);
	size = lseek(fd, 0, SEEK_END);
	file = malloc((size_t)size);
	assert_int_equal(pread(fd, file, (size_t)size, 0), size);
	nb = walk_blocks(file, (size_t)size, b, 64);
	/* 1 flushed chunk + 99 drops of 244 bytes at 16 per 4096-byte chunk + index + trailer */
	assert_int_equal(nb, 1 + 7 + 2);
	assert_int_equal(b[nb - 1].type, TDF_BLOCK_TRAILER);
	assert_int_equal(b[nb - 1].len, TDF_TRAILER_LEN);
	assert_int_equal(b[nb - 2].type, TDF_BLOCK_INDEX);
	/* The trailer points back at the index. */
	assert_int_equal(le64_get(file + b[nb - 1].off + 20), b[nb - 2].off);
	assert_int_equal(le32_get(file + b[nb - 1].off + 28), b[nb - 2].len);
	tdftest_read(file, (size_t)size, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.drops, 100);
	assert_int_equal(c.seq_sum, 5050);
	assert_int_equal(c.summary.chunks, 8);
	assert_int_equal(c.stats.chunks, 8);
	/* Index entries: offsets and drop counts per chunk. */
	const uint8_t *ix = file + b[nb - 2].off + 20;
	assert_int_equal(le32_get(ix + 4), 8);
	uint32_t total = 0;
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(le64_get(ix + 48 + 28 * i), b[i].off);
		total += le32_get(ix + 48 + 28 * i + 24);
	}
	assert_int_equal(le32_get(ix + 48 + 24), 1);
	assert_int_equal(le64_get(ix + 48 + 8), 1000000);
	assert_int_equal(total, 100);
	free(file);
	close(fd);
}

/* Writer on a pipe in a child process; reader streams from the pipe in the parent. */
static void test_pipe_both_ends(void **state)
{
	enum { NDROPS = 30000 }; /* ~7 MB raw: several full 1 MiB chunks through a 64 KiB pipe */
	int p[2], status;
	pid_t pid;
	struct tdf_reader *r;
	struct tdf_record rec;
	uint64_t drops = 0, next_seq = 1;
	int ret;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct tdf_writer *w;
		struct tdf_record d = {.type = TDF_REC_DROP};

		close(p[0]);
		w = tdf_writer_open(p[1], NULL);
		if (!w)
			_exit(1);
		for (unsigned i = 1; i <= NDROPS; i++) {
			tdftest_drop(&d.drop, i, 200);
			d.drop.tcp_seq ^= i * 40503u; /* some entropy */
			if (tdf_writer_add(w, &d))
				_exit(2);
		}
		_exit(tdf_writer_close(w) ? 3 : 0);
	}
	close(p[1]);
	r = tdf_reader_open_fd(p[0], "pipe");
	assert_non_null(r);
	bool index_seen = false;
	while ((ret = tdf_reader_next(r, &rec)) == 1) {
		if (rec.type == TDF_REC_DROP) {
			assert_int_equal(rec.drop.seq_no, next_seq);
			assert_int_equal(rec.drop.caplen, 200);
			next_seq++;
			drops++;
		} else if (rec.type == TDF_EV_INDEX) {
			assert_int_equal(rec.index.drops, NDROPS);
			index_seen = true;
		} else {
			fail_msg("unexpected record type %u: %s", rec.type,
				 rec.type >= 0x100 ? rec.problem.what : "");
		}
	}
	assert_int_equal(ret, 0);
	assert_int_equal(drops, NDROPS);
	assert_true(index_seen);
	struct tdf_reader_stats st;
	tdf_reader_stats(r, &st);
	assert_true(st.clean_close);
	assert_true(st.chunks >= 5);
	tdf_reader_close(r);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A reader fed through a pipe a few bytes at a time sees the same as from memory. */
static void test_reader_pipe_trickle(void **state)
{
	size_t len;
	uint8_t *file = tdftest_sample(300, 2000, true, &len);
	struct tdftest_counts mem;
	int p[2], status;
	pid_t pid;

	(void)state;
	assert_non_null(file);
	tdftest_read(file, len, &mem);
	assert_int_equal(mem.ret, 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < len;) {
			size_t n = len - off < 7 ? len - off : 7; /* odd-sized dribbles */
			ssize_t k = write(p[1], file + off, n);
			if (k <= 0)
				_exit(1);
			off += (size_t)k;
		}
		_exit(0);
	}
	close(p[1]);
	struct tdf_reader *r = tdf_reader_open_fd(p[0], "-");
	struct tdf_record rec;
	uint64_t drops = 0, seq_sum = 0, records = 0;
	int ret;
	while ((ret = tdf_reader_next(r, &rec)) == 1) {
		records++;
		if (rec.type == TDF_REC_DROP) {
			drops++;
			seq_sum += rec.drop.seq_no;
		}
	}
	assert_int_equal(ret, 0);
	assert_int_equal(drops, mem.drops);
	assert_int_equal(seq_sum, mem.seq_sum);
	assert_int_equal(drops, 300);
	tdf_reader_close(r);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	free(file);
}

/* Read buf through a pipe (a child writes it) and count like tdftest_read does. */
static void read_via_pipe(const uint8_t *buf, size_t len, struct tdftest_counts *c)
{
	int p[2], status;
	pid_t pid;
	struct tdf_reader *r;
	struct tdf_record rec;
	int ret;

	memset(c, 0, sizeof(*c));
	c->first_problem_offset = UINT64_MAX;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < len;) {
			ssize_t k = write(p[1], buf + off, len - off);
			if (k <= 0)
				_exit(1);
			off += (size_t)k;
		}
		_exit(0);
	}
	close(p[1]);
	r = tdf_reader_open_fd(p[0], "pipe");
	assert_non_null(r);
	while ((ret = tdf_reader_next(r, &rec)) == 1) {
		if (rec.type == TDF_REC_DROP) {
			c->drops++;
			c->seq_sum += rec.drop.seq_no;
		} else if (rec.type == TDF_EV_CORRUPT || rec.type == TDF_EV_TRUNCATED) {
			if (rec.type == TDF_EV_CORRUPT)
				c->corrupt++;
			else
				c->truncated++;
			if (c->first_problem_offset == UINT64_MAX)
				c->first_problem_offset = rec.problem.offset;
		} else if (rec.type == TDF_EV_INDEX) {
			c->index++;
			c->summary = rec.index;
		}
	}
	c->ret = ret;
	tdf_reader_stats(r, &c->stats);
	tdf_reader_close(r);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/*
 * Full-size chunks of incompressible packets (each block close to the 1 MiB cap) read through
 * a pipe: the input window slides and resynchronisation scans across window refills.
 */
static void test_fd_large_blocks_and_resync(void **state)
{
	enum { NDROPS = 4000 }; /* ~4.6 MB raw: 5 chunks */
	struct tdf_record *recs = calloc(NDROPS, sizeof(*recs));
	uint8_t *packets = malloc((size_t)NDROPS * TDF_SNAP_MAX);
	struct tdftest_counts mem, fdc;
	struct blk b[16];
	uint64_t x = 88172645463325252ull;
	size_t len, nb, max_block = 0;
	uint8_t *file;

	(void)state;
	for (size_t i = 0; i < (size_t)NDROPS * TDF_SNAP_MAX; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: incompressible bytes */
		packets[i] = (uint8_t)x;
	}
	for (unsigned i = 0; i < NDROPS; i++) {
		recs[i].type = TDF_REC_DROP;
		tdftest_drop(&recs[i].drop, i + 1, TDF_SNAP_MAX);
		recs[i].drop.data = packets + (size_t)i * TDF_SNAP_MAX;
	}
	file = tdftest_write(recs, NDROPS, NULL, true, &len);
	assert_non_null(file);
	nb = walk_blocks(file, len, b, 16);
	for (size_t k = 0; k < nb; k++)
		max_block = b[k].len > max_block ? b[k].len : max_block;
	assert_true(max_block > 900u << 10); /* the packet bytes do not compress */
	assert_true(max_block <= TDF_BLOCK_HDR_LEN + TDF_BLOCK_PAYLOAD_MAX);

	read_via_pipe(file, len, &fdc);
	assert_int_equal(fdc.ret, 0);
	assert_int_equal(fdc.drops, NDROPS);
	assert_int_equal(fdc.index, 1);
	assert_true(fdc.stats.clean_close);

	/* Damage chunk 2's header: the reader scans its whole 1 MiB payload for the next sync. */
	file[b[2].off + 5] ^= 0x10;
	tdftest_read(file, len, &mem);
	read_via_pipe(file, len, &fdc);
	assert_int_equal(fdc.ret, 0);
	assert_int_equal(fdc.corrupt, 1);
	assert_int_equal(fdc.first_problem_offset, b[2].off);
	assert_int_equal(fdc.stats.skipped_bytes, b[2].len);
	assert_int_equal(fdc.drops, mem.drops);
	assert_int_equal(fdc.seq_sum, mem.seq_sum);
	assert_true(fdc.drops < NDROPS && fdc.drops > NDROPS / 2);

	/* Cut inside the last chunk: truncated at its offset, same answer from a pipe. */
	read_via_pipe(file, b[nb - 3].off + 1000, &fdc);
	assert_int_equal(fdc.truncated, 1);
	assert_int_equal(fdc.corrupt, 1);
	assert_int_equal(fdc.first_problem_offset, b[2].off); /* the corrupt one came first */
	assert_int_equal(fdc.stats.truncated, true);
	free(file);
	free(packets);
	free(recs);
}

/* ---- corruption classes ---- */

/* Short file header: a prefix of the magic is a truncated file, anything else is not ours. */
static void test_short_file_header(void **state)
{
	struct tdftest_counts c;
	struct tdftest_buf f = {0};

	(void)state;
	/* Empty input: the header is missing entirely. */
	tdftest_read("", 0, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 1);
	/* 15 of 16 header bytes: one byte short. */
	tdftest_put_file_header(&f, 1, 0);
	tdftest_read(f.p, 15, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 1);
	assert_int_equal(c.first_problem_offset, 0);
	/* Exact fit: a header and nothing else is a valid, empty, unclosed file. */
	tdftest_read(f.p, 16, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 0);
	assert_false(c.stats.clean_close);
	/* Not the magic (a pcap file's first bytes). */
	tdftest_read("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8, &c);
	assert_int_equal(c.ret, -EBADMSG);
	assert_non_null(strstr(c.error, "not a tcpdrop trace file"));
	/* Three bytes that are not a magic prefix. */
	tdftest_read("abc", 3, &c);
	assert_int_equal(c.ret, -EBADMSG);
	tdftest_buf_free(&f);
}

static void test_version(void **state)
{
	struct tdftest_counts c;
	struct tdftest_buf f = {0};

	(void)state;
	/* A newer minor is readable. */
	tdftest_put_file_header(&f, 1, 9);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, 0);
	tdftest_buf_free(&f);
	/* A newer major is not. */
	tdftest_put_file_header(&f, 2, 0);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, -ENOTSUP);
	assert_non_null(strstr(c.error, "newer"));
	tdftest_buf_free(&f);
	/* Major 0 never existed. */
	tdftest_put_file_header(&f, 0, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, -EBADMSG);
	tdftest_buf_free(&f);
}

/* Block length past the end (header CRC valid): indistinguishable from a cut file. */
static void test_length_past_end(void **state)
{
	struct tdftest_buf f = {0};
	uint8_t payload[100] = {0};
	struct tdftest_counts c;

	(void)state;
	tdftest_put_file_header(&f, 1, 0);
	tdftest_put_block(&f, TDF_BLOCK_CHUNK, 0, payload, sizeof(payload));
	tdftest_read(f.p, f.len - 1, &c); /* one payload byte short */
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 1);
	assert_int_equal(c.first_problem_offset, TDF_FILE_HDR_LEN);
	assert_true(c.stats.truncated);
	tdftest_buf_free(&f);
}

/* payload_len 0xffffffff with a valid header CRC: over the cap, skipped, next block read. */
static void test_length_ffffffff(void **state)
{
	size_t len;
	uint8_t *good = tdftest_sample(5, 0, false, &len);
	struct tdftest_buf f = {0};
	uint8_t hdr[TDF_BLOCK_HDR_LEN];
	struct tdftest_counts c;

	(void)state;
	tdftest_put_file_header(&f, 1, 0);
	memcpy(hdr, TDF_SYNC, 4);
	le16_put(hdr + 4, TDF_BLOCK_CHUNK);
	le16_put(hdr + 6, 0);
	le32_put(hdr + 8, 0xffffffffu);
	le32_put(hdr + 12, 0);
	le32_put(hdr + 16, tdf_crc32c(0, hdr, 16));
	tdftest_buf_put(&f, hdr, sizeof(hdr));
	tdftest_buf_put(&f, good + TDF_FILE_HDR_LEN, len - TDF_FILE_HDR_LEN);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.first_problem_offset, TDF_FILE_HDR_LEN);
	assert_int_equal(c.stats.skipped_bytes, TDF_BLOCK_HDR_LEN);
	assert_int_equal(c.drops, 5);
	/* Cap exact fit is allowed by the header check; one over is not (covered above). */
	tdftest_buf_free(&f);
	free(good);
}

/* Bad header CRC / bad payload CRC: the block is skipped, the next one decodes. */
static void check_flip(size_t which_block, size_t byte_in_block, const char *why)
{
	size_t len, nb;
	uint8_t *file = tdftest_sample(60, 2000, true, &len);
	struct blk b[32];
	struct tdftest_counts c, full;
	struct tdf_reader *r;
	struct tdf_record rec;
	uint64_t lost = 0, lost_seq = 0;

	assert_non_null(file);
	tdftest_read(file, len, &full);
	nb = walk_blocks(file, len, b, 32);
	assert_true(which_block < nb);
	/* Count the drops that live in the damaged block. */
	r = tdf_reader_open_mem(file, len, "x");
	while (tdf_reader_next(r, &rec) == 1)
		if (rec.type == TDF_REC_DROP && rec.offset == b[which_block].off) {
			lost++;
			lost_seq += rec.drop.seq_no;
		}
	tdf_reader_close(r);
	assert_true(lost > 0);

	file[b[which_block].off + byte_in_block] ^= 0x40;
	tdftest_read(file, len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.first_problem_offset, b[which_block].off);
	assert_int_equal(c.drops, full.drops - lost);
	assert_int_equal(c.seq_sum, full.seq_sum - lost_seq);
	assert_true(c.stats.clean_close);

	r = tdf_reader_open_mem(file, len, "x");
	while (tdf_reader_next(r, &rec) == 1)
		if (rec.type == TDF_EV_CORRUPT) {
			assert_non_null(strstr(rec.problem.what, why));
			assert_int_equal(rec.problem.skipped, b[which_block].len);
		}
	tdf_reader_close(r);
	free(file);
}

static void test_bad_header_crc(void **state)
{
	(void)state;
	check_flip(2, 9, "header CRC32C");  /* a byte of payload_len */
	check_flip(1, 17, "header CRC32C"); /* the stored header CRC itself */
}

static void test_bad_payload_crc(void **state)
{
	(void)state;
	check_flip(2, 40, "payload CRC32C");
	check_flip(1, 25, "payload CRC32C"); /* the chunk's record count */
	/* The stored payload CRC is inside the header CRC's span: a header error. */
	check_flip(1, 13, "header CRC32C");
}

/* Unknown types marked skippable are skipped silently; the rest of the file decodes. */
static void test_unknown_skippable(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	uint8_t junk[300];

	(void)state;
	memset(junk, 0xab, sizeof(junk));
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	tdftest_put_record(&raw, 200, TDF_REC_FLAG_SKIPPABLE, junk, sizeof(junk));
	tdftest_put_record(&raw, 201, TDF_REC_FLAG_SKIPPABLE, junk, 0); /* empty body */
	drop_body(&raw, 2, TDF_REC_DROP, 0);
	one_chunk_file(&f, &raw, 4);
	tdftest_put_block(&f, 77, TDF_FLAG_SKIPPABLE, junk, sizeof(junk)); /* unknown block */
	tdftest_put_block(&f, 78, TDF_FLAG_SKIPPABLE | 0x8000, junk, 0);
	tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 4);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 0);
	assert_int_equal(c.drops, 4);
	assert_int_equal(c.seq_sum, 6);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);
}

/* Unknown must-understand record: records before it come out, then -ENOTSUP with a message. */
static void test_unknown_must_understand_record(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	uint8_t junk[8] = {0};

	(void)state;
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	tdftest_put_record(&raw, 77, 0, junk, sizeof(junk));
	drop_body(&raw, 2, TDF_REC_DROP, 0);
	one_chunk_file(&f, &raw, 3);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, -ENOTSUP);
	assert_int_equal(c.drops, 1);
	assert_string_equal(c.error, "test: offset 16: record type 77 is not known to this "
				     "reader (newer tcpdrop?)");
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);
}

static void test_unknown_must_understand_block(void **state)
{
	struct tdftest_buf f = {0};
	struct tdftest_counts c;

	(void)state;
	tdftest_put_file_header(&f, 1, 0);
	tdftest_put_block(&f, 9, 0, "abc", 3);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, -ENOTSUP);
	assert_non_null(strstr(c.error, "offset 16: block type 9 is not known"));
	tdftest_buf_free(&f);
}

/* A zstd frame cut short inside a block whose CRCs were recomputed: corrupt, skipped. */
static void test_truncated_zstd_frame(void **state)
{
	struct tdftest_buf raw = {0}, f = {0}, g = {0};
	struct tdftest_counts c;
	struct blk b[2];

	(void)state;
	for (unsigned i = 1; i <= 20; i++)
		drop_body(&raw, i, TDF_REC_DROP, 0);
	one_chunk_file(&f, &raw, 20);
	walk_blocks(f.p, f.len, b, 2);
	/* Drop the frame's last 5 bytes (part of its checksum) and reseal the block. */
	tdftest_buf_put(&g, f.p, f.len - 5);
	le32_put(g.p + b[0].off + 8, (uint32_t)(b[0].len - TDF_BLOCK_HDR_LEN - 5));
	reseal(g.p, b[0].off);
	tdftest_put_chunk(&g, raw.p, raw.len, (uint32_t)raw.len, 20);
	tdftest_read(g.p, g.len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.first_problem_offset, TDF_FILE_HDR_LEN);
	assert_int_equal(c.drops, 20);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);
	tdftest_buf_free(&g);
}

/* Checksum damage inside the frame (block CRCs recomputed): zstd's own check catches it. */
static void test_zstd_checksum(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	struct blk b[2];

	(void)state;
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	one_chunk_file(&f, &raw, 1);
	walk_blocks(f.p, f.len, b, 2);
	f.p[f.len - 1] ^= 1; /* last byte of the frame's XXH64 checksum */
	reseal(f.p, b[0].off);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.drops, 0);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);
}

/* raw_len that lies, bigger and smaller than the frame's content; and over the cap. */
static void test_raw_len_lies(void **state)
{
	const uint32_t lies[] = {1, 0, TDF_CHUNK_RAW_MAX + 1, 0xffffffffu};
	struct tdftest_buf raw = {0};
	struct tdftest_counts c;

	(void)state;
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	drop_body(&raw, 2, TDF_REC_DROP, 0);
	for (unsigned i = 0; i < 2 + sizeof(lies) / sizeof(lies[0]); i++) {
		struct tdftest_buf f = {0};
		uint32_t field = i == 0	  ? (uint32_t)raw.len + 1 /* one bigger */
				 : i == 1 ? (uint32_t)raw.len - 1 /* one smaller */
					  : lies[i - 2];
		tdftest_put_file_header(&f, 1, 0);
		tdftest_put_chunk(&f, raw.p, raw.len, field, 2);
		tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 2);
		tdftest_read(f.p, f.len, &c);
		assert_int_equal(c.ret, 0);
		assert_int_equal(c.corrupt, 1);
		assert_int_equal(c.drops, 2); /* only the honest chunk */
		tdftest_buf_free(&f);
	}
	tdftest_buf_free(&raw);
}

/* Record body_len running past the chunk end, by one byte; and a header cut short. */
static void test_record_past_chunk_end(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	uint8_t hdr[4];

	(void)state;
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	drop_body(&raw, 2, TDF_REC_DROP, 0);
	le16_put(raw.p + raw.len / 2 + 2, (uint16_t)(raw.len / 2 - 4 + 1));
	one_chunk_file(&f, &raw, 2);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.drops, 0); /* not even the first: the chunk is judged whole */
	tdftest_buf_free(&f);

	/* Three stray bytes after the last record: a record header cut short. */
	le16_put(raw.p + raw.len / 2 + 2, (uint16_t)(raw.len / 2 - 4));
	memset(hdr, 0, sizeof(hdr));
	tdftest_buf_put(&raw, hdr, 3);
	one_chunk_file(&f, &raw, 2);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.drops, 0);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);
}

/* Bodies of known types: one byte short is corrupt, longer ones keep their known fields. */
static void test_body_lengths(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	uint8_t clock[TDF_CLOCK_MIN + 10] = {0};
	struct tdf_reader *r;
	struct tdf_record rec;

	(void)state;
	/* CLOCK body 15 bytes: one short. */
	tdftest_put_record(&raw, TDF_REC_CLOCK, 0, clock, TDF_CLOCK_MIN - 1);
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.records[TDF_REC_CLOCK], 0);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);

	/* CLOCK body 26 bytes: a newer writer appended fields; the known ones still read. */
	le64_put(clock, 42);
	le64_put(clock + 8, 43);
	tdftest_put_record(&raw, TDF_REC_CLOCK, 0, clock, sizeof(clock));
	/* A DROP body longer than fixed part + caplen: tail ignored. */
	drop_body(&raw, 9, TDF_REC_DROP, 0);
	one_chunk_file(&f, &raw, 2);
	r = tdf_reader_open_mem(f.p, f.len, "t");
	assert_int_equal(tdf_reader_next(r, &rec), 1);
	assert_int_equal(rec.type, TDF_REC_CLOCK);
	assert_int_equal(rec.clock.boot_ns, 42);
	assert_int_equal(rec.clock.real_ns, 43);
	assert_int_equal(tdf_reader_next(r, &rec), 1);
	assert_int_equal(rec.drop.seq_no, 9);
	assert_int_equal(tdf_reader_next(r, &rec), 0);
	tdf_reader_close(r);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);

	/* DROP whose caplen says more bytes than the body has. */
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	le16_put(raw.p + 4 + 138, 65); /* body holds 64 */
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	tdftest_buf_free(&f);
	/* DROP caplen over TDF_SNAP_MAX, even when the body is long enough to hold it. */
	tdftest_buf_free(&raw);
	{
		uint8_t *big = calloc(1, TDF_DROP_FIXED + TDF_SNAP_MAX + 1);
		le16_put(big + 138, TDF_SNAP_MAX + 1);
		tdftest_put_record(&raw, TDF_REC_DROP, 0, big, TDF_DROP_FIXED + TDF_SNAP_MAX + 1);
		free(big);
	}
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);

	/* STACK depth 128: one over the cap. */
	{
		uint8_t stack[6 + 8 * 128] = {0};
		le32_put(stack, 1);
		le16_put(stack + 4, TDF_STACK_MAX + 1);
		tdftest_put_record(&raw, TDF_REC_STACK, 0, stack, sizeof(stack));
	}
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);

	/* REASONS whose count promises more entries than the body holds. */
	{
		uint8_t names[2 + 5] = {0};
		le16_put(names, 2);
		tdftest_put_record(&raw, TDF_REC_REASONS, 0, names, sizeof(names));
	}
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);

	/* A string whose length byte runs past the body end (KMOD). */
	{
		uint8_t kmod[4 + 1 + 3] = {2, 0, 0, 0, 4, 'a', 'b', 'c'};
		tdftest_put_record(&raw, TDF_REC_KMOD, 0, kmod, sizeof(kmod));
	}
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);
}

/* One record with the given body in a chunk of its own: is it judged corrupt? */
static bool body_is_corrupt(uint8_t type, const void *body, uint16_t len)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;

	tdftest_put_record(&raw, type, 0, body, len);
	one_chunk_file(&f, &raw, 1);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, 0);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);
	return c.corrupt == 1;
}

/* Each known type at its minimum body length is fine, and one byte less is corrupt. */
static void test_min_body_lengths(void **state)
{
	uint8_t body[TDF_DROP_FIXED] = {0};
	const struct {
		uint8_t type;
		uint16_t min;
	} t[] = {
	    {TDF_REC_META, 2},	 {TDF_REC_CLOCK, 16}, {TDF_REC_REASONS, 2},
	    {TDF_REC_STATES, 2}, {TDF_REC_KMOD, 5},   {TDF_REC_KSYMS, 6},
	    {TDF_REC_STACK, 6},	 {TDF_REC_LOSS, 29},  {TDF_REC_DROP, TDF_DROP_FIXED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(body, 0, sizeof(body));
		if (t[i].type == TDF_REC_KMOD || t[i].type == TDF_REC_STACK)
			body[0] = 1; /* id 0 is reserved for both */
		if (body_is_corrupt(t[i].type, body, t[i].min))
			fail_msg("type %u: exact minimum %u rejected", t[i].type, t[i].min);
		if (!body_is_corrupt(t[i].type, body, (uint16_t)(t[i].min - 1)))
			fail_msg("type %u: one byte short accepted", t[i].type);
	}
	/* META: a count of 2 pairs needs at least 4 more bytes; 3 given. */
	uint8_t meta[2 + 3] = {2, 0, 0, 0, 0};
	assert_true(body_is_corrupt(TDF_REC_META, meta, sizeof(meta)));
	/* Exactly 2 empty pairs: fits. */
	uint8_t meta_ok[2 + 4] = {2, 0, 0, 0, 0, 0};
	assert_false(body_is_corrupt(TDF_REC_META, meta_ok, sizeof(meta_ok)));
	/* KSYMS: count 1 but no entry. */
	uint8_t ksyms[6] = {0, 0, 0, 0, 1, 0};
	assert_true(body_is_corrupt(TDF_REC_KSYMS, ksyms, sizeof(ksyms)));
	/* KMOD with reserved ids 0 and 0xffffffff. */
	uint8_t kmod0[5] = {0, 0, 0, 0, 0};
	uint8_t kmodff[5] = {0xff, 0xff, 0xff, 0xff, 0};
	assert_true(body_is_corrupt(TDF_REC_KMOD, kmod0, sizeof(kmod0)));
	assert_true(body_is_corrupt(TDF_REC_KMOD, kmodff, sizeof(kmodff)));
	/* STACK of depth 2 with one frame present. */
	uint8_t stack[6 + 8] = {1, 0, 0, 0, 2, 0};
	assert_true(body_is_corrupt(TDF_REC_STACK, stack, sizeof(stack)));
}

/* The chunk header's record count must match what the chunk holds. */
static void test_record_count_mismatch(void **state)
{
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;

	(void)state;
	drop_body(&raw, 1, TDF_REC_DROP, 0);
	tdftest_put_file_header(&f, 1, 0);
	tdftest_put_chunk(&f, raw.p, raw.len, (uint32_t)raw.len, 2);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.drops, 0);
	tdftest_buf_free(&f);
	tdftest_buf_free(&raw);
}

/* Garbage between blocks: reported once with the exact number of bytes skipped. */
static void test_resync_over_garbage(void **state)
{
	size_t len, nb;
	uint8_t *file = tdftest_sample(40, 2000, false, &len);
	struct blk b[16];
	struct tdftest_buf f = {0};
	struct tdftest_counts c;
	/* Includes a false sync marker with a wrong header CRC. */
	uint8_t garbage[77];

	(void)state;
	memset(garbage, 'T', sizeof(garbage));
	memcpy(garbage + 10, "TDBK", 4);
	nb = walk_blocks(file, len, b, 16);
	assert_true(nb >= 3);
	tdftest_buf_put(&f, file, b[1].off);
	tdftest_buf_put(&f, garbage, sizeof(garbage));
	tdftest_buf_put(&f, file + b[1].off, len - b[1].off);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.first_problem_offset, b[1].off);
	assert_int_equal(c.stats.skipped_bytes, sizeof(garbage));
	assert_int_equal(c.drops, 40);
	/* Garbage at the very end that cannot be a block start. */
	tdftest_buf_put(&f, "xyz", 3);
	tdftest_read(f.p, f.len, &c);
	assert_int_equal(c.corrupt, 2);
	assert_int_equal(c.truncated, 0);
	assert_int_equal(c.drops, 40);
	tdftest_buf_free(&f);
	free(file);
}

/* A damaged middle chunk of three: its exact offset is reported, the others decode whole. */
static void test_damaged_middle_chunk(void **state)
{
	size_t len, nb;
	uint8_t *file;
	struct blk b[8];
	struct tdf_reader *r;
	struct tdf_record rec;
	uint64_t per_chunk[3] = {0}, seq_chunk[3] = {0};
	uint64_t corrupt_offset = 0;

	(void)state;
	/* 3 chunks: 8 metadata records + 45 drops of ~184 bytes at 3000-byte chunks. */
	file = tdftest_sample(45, 3000, true, &len);
	nb = walk_blocks(file, len, b, 8);
	assert_int_equal(nb, 5);
	assert_int_equal(b[1].type, TDF_BLOCK_CHUNK);
	r = tdf_reader_open_mem(file, len, "x");
	while (tdf_reader_next(r, &rec) == 1)
		for (unsigned k = 0; k < 3; k++)
			if (rec.type == TDF_REC_DROP && rec.offset == b[k].off) {
				per_chunk[k]++;
				seq_chunk[k] += rec.drop.seq_no;
			}
	tdf_reader_close(r);
	assert_true(per_chunk[0] && per_chunk[1] && per_chunk[2]);

	file[b[1].off + b[1].len / 2] ^= 0xff;
	r = tdf_reader_open_mem(file, len, "x");
	uint64_t drops = 0, seq = 0;
	while (tdf_reader_next(r, &rec) == 1) {
		if (rec.type == TDF_REC_DROP) {
			drops++;
			seq += rec.drop.seq_no;
		} else if (rec.type == TDF_EV_CORRUPT) {
			corrupt_offset = rec.problem.offset;
		}
	}
	tdf_reader_close(r);
	assert_int_equal(corrupt_offset, b[1].off);
	assert_int_equal(drops, per_chunk[0] + per_chunk[2]);
	assert_int_equal(seq, seq_chunk[0] + seq_chunk[2]);
	free(file);
}

/* Cut a small multi-chunk file at every byte: no crash, exactly the complete chunks' drops. */
static void test_truncate_everywhere(void **state)
{
	size_t len, nb;
	uint8_t *file = tdftest_sample(30, 1500, true, &len);
	struct blk b[32];
	uint64_t drops_in[32] = {0};
	struct tdf_reader *r;
	struct tdf_record rec;

	(void)state;
	assert_non_null(file);
	nb = walk_blocks(file, len, b, 32);
	assert_true(nb >= 5); /* >= 3 chunks + index + trailer */
	r = tdf_reader_open_mem(file, len, "x");
	while (tdf_reader_next(r, &rec) == 1)
		for (size_t k = 0; k < nb; k++)
			if (rec.type == TDF_REC_DROP && rec.offset == b[k].off)
				drops_in[k]++;
	tdf_reader_close(r);

	for (size_t cut = 0; cut <= len; cut++) {
		/* A private copy so ASan sees reads past the cut. */
		uint8_t *copy = malloc(cut ? cut : 1);
		struct tdftest_counts c;
		uint64_t want = 0;
		bool inside = cut < TDF_FILE_HDR_LEN;

		memcpy(copy, file, cut);
		for (size_t k = 0; k < nb; k++) {
			if (b[k].off + b[k].len <= cut)
				want += drops_in[k];
			else if (b[k].off < cut)
				inside = true;
		}
		tdftest_read(copy, cut, &c);
		if (c.ret != 0 || c.drops != want || c.corrupt != 0 ||
		    c.truncated != (inside ? 1u : 0u))
			fail_msg("cut at %zu of %zu: ret %d drops %" PRIu64 " (want %" PRIu64
				 ") corrupt %" PRIu64 " truncated %" PRIu64 " (want %d)",
				 cut, len, c.ret, c.drops, want, c.corrupt, c.truncated, inside);
		assert_int_equal(c.stats.clean_close, cut == len);
		assert_int_equal(c.index, cut >= b[nb - 2].off + b[nb - 2].len);
		free(copy);
	}
	free(file);
}

/* Clean close gives the summary; a killed writer's file has none but reads fine. */
static void test_clean_close_summary(void **state)
{
	size_t len;
	uint8_t *file;
	struct tdftest_counts c;

	(void)state;
	file = tdftest_sample(25, 2500, true, &len);
	tdftest_read(file, len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.index, 1);
	assert_int_equal(c.summary.drops, 25);
	assert_int_equal(c.summary.lost, 7);
	assert_int_equal(c.summary.excluded, 0);
	assert_int_equal(c.summary.first_ns, 1000000);
	assert_int_equal(c.summary.last_ns, 25000000);
	assert_int_equal(c.summary.chunks, c.stats.chunks);
	assert_true(c.stats.chunks >= 2);
	assert_true(c.stats.clean_close);
	free(file);

	file = tdftest_sample(25, 2500, false, &len);
	tdftest_read(file, len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.index, 0);
	assert_int_equal(c.drops, 25);
	assert_false(c.stats.clean_close);
	assert_false(c.stats.truncated);
	free(file);

	/* No drops at all: first/last are 0. */
	file = tdftest_sample(0, 0, true, &len);
	tdftest_read(file, len, &c);
	assert_int_equal(c.summary.drops, 0);
	assert_int_equal(c.summary.first_ns, 0);
	assert_int_equal(c.summary.last_ns, 0);
	free(file);
}

/* Writes that fail report -errno and never count bytes that were not written. */
static void test_writer_enospc(void **state)
{
	int full = open("/dev/full", O_WRONLY);
	int fd = memfd_create("enospc", 0);
	struct tdf_writer *w;
	struct tdf_record rec = {.type = TDF_REC_DROP};

	(void)state;
	if (full < 0)
		skip();
	/* The file header itself cannot be written. */
	errno = 0;
	assert_null(tdf_writer_open(full, NULL));
	assert_int_equal(errno, ENOSPC);

	/* Header written, then the disk fills up under the writer. */
	w = tdf_writer_open(fd, NULL);
	assert_non_null(w);
	tdftest_drop(&rec.drop, 1, 64);
	assert_int_equal(tdf_writer_add(w, &rec), 0);
	assert_int_equal(dup2(full, fd), fd);
	assert_int_equal(tdf_writer_flush(w), -ENOSPC);
	assert_int_equal(tdf_writer_bytes(w), TDF_FILE_HDR_LEN);
	/* Sticky: the file's tail is unknown now. */
	assert_int_equal(tdf_writer_add(w, &rec), -ENOSPC);
	assert_int_equal(tdf_writer_close(w), -ENOSPC);
	close(full);
	close(fd);
}

/*
 * A write that stops part-way (file size limit reached inside a block): the writer counts
 * exactly the bytes that reached the file, reports -EFBIG, and the file reads as a prefix.
 */
static void test_writer_partial_write(void **state)
{
	char path[] = "/tmp/tdf-test-XXXXXX";
	int fd = mkstemp(path), status;
	const rlim_t limit = 3000; /* inside the second chunk block */
	pid_t pid;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {limit, limit};
		struct tdf_writer_opts opts = {.chunk_raw_max = 2000};
		struct tdf_record rec = {.type = TDF_REC_DROP};
		struct tdf_writer *w;
		int ret = 0;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl))
			_exit(10);
		w = tdf_writer_open(fd, &opts);
		if (!w)
			_exit(11);
		for (unsigned i = 1; i <= 200 && !ret; i++) {
			tdftest_drop(&rec.drop, i, 64);
			rec.drop.tcp_seq = i * 2654435761u ^ (i << 7); /* keep chunks big */
			ret = tdf_writer_add(w, &rec);
		}
		if (ret != -EFBIG)
			_exit(12);
		if (tdf_writer_bytes(w) != limit)
			_exit(13);
		tdf_writer_abandon(w);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	off_t size = lseek(fd, 0, SEEK_END);
	assert_int_equal(size, limit);
	uint8_t *file = malloc(limit);
	assert_int_equal(pread(fd, file, limit, 0), (ssize_t)limit);
	struct tdftest_counts c;
	tdftest_read(file, limit, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 1);
	assert_int_equal(c.corrupt, 0);
	assert_true(c.drops > 0);
	/* Exactly the drops of the complete chunks: 1..drops, in order. */
	assert_int_equal(c.seq_sum, c.drops * (c.drops + 1) / 2);
	free(file);
	close(fd);
}

/* The reader reports read errors as -errno, not as damage. */
static void test_reader_read_error(void **state)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	struct tdf_reader *r;
	struct tdf_record rec;

	(void)state;
	assert_true(fd >= 0);
	r = tdf_reader_open_fd(fd, "/");
	assert_int_equal(tdf_reader_next(r, &rec), -EISDIR);
	assert_non_null(strstr(tdf_reader_error(r), "/: offset 0: read:"));
	assert_int_equal(tdf_reader_next(r, &rec), -EISDIR); /* sticky */
	tdf_reader_close(r);
	tdf_reader_close(NULL);
	close(fd);
}

/* ---- DROP encoding: DELTA and ELIDED ---- */

/* An IPv4 SYN as it would sit in a drop's packet bytes: 20-byte IP header, 20-byte TCP. */
static size_t pkt_ipv4(uint8_t *p, const struct tdf_drop *d)
{
	memset(p, 0, 40);
	p[0] = 0x45;
	p[3] = 40;
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, d->saddr, 4);
	memcpy(p + 16, d->daddr, 4);
	p[20] = (uint8_t)(d->sport >> 8);
	p[21] = (uint8_t)d->sport;
	p[22] = (uint8_t)(d->dport >> 8);
	p[23] = (uint8_t)d->dport;
	for (int i = 0; i < 4; i++) {
		p[24 + i] = (uint8_t)(d->tcp_seq >> (24 - 8 * i));
		p[28 + i] = (uint8_t)(d->tcp_ack >> (24 - 8 * i));
	}
	p[32] = 0x50;
	p[33] = d->tcp_flags;
	p[34] = (uint8_t)(d->win >> 8);
	p[35] = (uint8_t)d->win;
	return 40;
}

/*
 * An IPv6 packet with every walked extension header: hop-by-hop (8), routing (24), a first
 * fragment (8), AH (16), destination options (16), then the TCP header of d.
 */
static size_t pkt_ipv6_ext(uint8_t *p, const struct tdf_drop *d)
{
	uint8_t v4[40];
	size_t off = 40;

	memset(p, 0, 40 + 8 + 24 + 8 + 16 + 16 + 20);
	p[0] = 0x60;
	p[6] = 0; /* hop-by-hop */
	p[7] = 64;
	memcpy(p + 8, d->saddr, 16);
	memcpy(p + 24, d->daddr, 16);
	p[off] = 43; /* -> routing */
	p[off + 1] = 0;
	off += 8;
	p[off] = 44; /* -> fragment */
	p[off + 1] = 2;
	off += 24;
	p[off] = 51; /* -> AH; fragment offset 0, more-fragments set */
	p[off + 3] = 1;
	off += 8;
	p[off] = 60; /* -> destination options */
	p[off + 1] = 2;
	off += 16;
	p[off] = 6; /* -> TCP */
	p[off + 1] = 1;
	off += 16;
	pkt_ipv4(v4, d);
	memcpy(p + off, v4 + 20, 20);
	return off + 20;
}

/* IPv6 with count empty destination-options headers before the TCP header of d. */
static size_t pkt_ipv6_chain(uint8_t *p, const struct tdf_drop *d, unsigned count)
{
	uint8_t v4[40];
	size_t off = 40;

	memset(p, 0, 40);
	p[0] = 0x60;
	p[6] = count ? 60 : 6;
	memcpy(p + 8, d->saddr, 16);
	memcpy(p + 24, d->daddr, 16);
	for (unsigned k = 0; k < count; k++, off += 8) {
		memset(p + off, 0, 8);
		p[off] = k + 1 == count ? 6 : 60;
	}
	pkt_ipv4(v4, d);
	memcpy(p + off, v4 + 20, 20);
	return off + 20;
}

/* The decompressed content of the CHUNK block b of file (malloc'd); its length in *raw_len. */
static uint8_t *chunk_raw(const uint8_t *file, const struct blk *b, size_t *raw_len)
{
	const uint8_t *payload = file + b->off + TDF_BLOCK_HDR_LEN;
	uint8_t *raw;

	assert_int_equal(b->type, TDF_BLOCK_CHUNK);
	*raw_len = le32_get(payload);
	raw = malloc(*raw_len ? *raw_len : 1);
	assert_non_null(raw);
	assert_int_equal(ZSTD_decompress(raw, *raw_len, payload + TDF_CHUNK_HDR_LEN,
					 b->len - TDF_BLOCK_HDR_LEN - TDF_CHUNK_HDR_LEN),
			 *raw_len);
	return raw;
}

/* Read every DROP of file into out[] (at most max); returns how many, asserts no damage. */
static size_t read_drops(const uint8_t *file, size_t len, struct tdf_drop *out, uint8_t *pkts,
			 size_t max)
{
	struct tdf_reader *r = tdf_reader_open_mem(file, len, "t");
	struct tdf_record rec;
	size_t n = 0;
	int ret;

	assert_non_null(r);
	while ((ret = tdf_reader_next(r, &rec)) > 0) {
		assert_true(rec.type == TDF_REC_DROP || rec.type == TDF_EV_INDEX);
		if (rec.type != TDF_REC_DROP)
			continue;
		assert_true(n < max);
		out[n] = rec.drop;
		/* The pointer dies with the next call: keep the bytes. */
		if (rec.drop.caplen)
			memcpy(pkts + n * TDF_SNAP_MAX, rec.drop.data, rec.drop.caplen);
		out[n].data = pkts + n * TDF_SNAP_MAX;
		n++;
	}
	assert_int_equal(ret, 0);
	tdf_reader_close(r);
	return n;
}

#define ELIDE_CASES 14

/*
 * Drops whose packet bytes say exactly what their fields say are written ELIDED; any other
 * (a field disagrees, caplen 0, TCP header one byte short, not TCP, a later fragment, too
 * many extension headers, IPv4 claimed as family 6, junk after an IPv4 address) in full.
 * Every one reads back field for field.
 */
static void test_drop_elide_roundtrip(void **state)
{
	static uint8_t pkt[ELIDE_CASES][TDF_SNAP_MAX];
	static uint8_t back_pkts[ELIDE_CASES * TDF_SNAP_MAX];
	struct tdf_record in[ELIDE_CASES];
	struct tdf_drop back[ELIDE_CASES];
	bool want_elided[ELIDE_CASES];
	struct blk b[4];
	uint8_t *file, *raw;
	size_t len, raw_len, pos, n = 0;

	(void)state;
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < ELIDE_CASES; i++) {
		in[i].type = TDF_REC_DROP;
		tdftest_drop(&in[i].drop, 10 + i, 0);
		in[i].drop.tcp_ack = 0x01020304u * (uint32_t)i;
		in[i].drop.tcp_flags = (uint8_t)(TDF_TCP_SYN | (i << 3));
		in[i].drop.data = pkt[i];
	}
	/* 0: IPv4, fields match: elided. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	want_elided[n++] = true;
	/* 1: the same with payload bytes after the TCP header (caplen 200): elided. */
	pkt_ipv4(pkt[n], &in[n].drop);
	memset(pkt[n] + 40, 0xab, 160);
	in[n].drop.caplen = 200;
	want_elided[n++] = true;
	/* 2: IPv6 through five extension headers: elided. */
	in[n].drop.family = 6;
	memset(in[n].drop.saddr, 0x20, 16);
	memset(in[n].drop.daddr, 0xfe, 16);
	in[n].drop.caplen = (uint16_t)pkt_ipv6_ext(pkt[n], &in[n].drop);
	want_elided[n++] = true;
	/* 3: the window field disagrees with the packet: full. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	in[n].drop.win ^= 1;
	want_elided[n++] = false;
	/* 4: the destination address disagrees: full. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	in[n].drop.daddr[3] ^= 0x80;
	want_elided[n++] = false;
	/* 5: caplen 0: full. */
	in[n].drop.caplen = 0;
	in[n].drop.data = NULL;
	want_elided[n++] = false;
	/* 6: TCP header one byte short (caplen 39): full. */
	in[n].drop.caplen = (uint16_t)(pkt_ipv4(pkt[n], &in[n].drop) - 1);
	want_elided[n++] = false;
	/* 7: UDP, not TCP: full. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	pkt[n][9] = 17;
	want_elided[n++] = false;
	/* 8: IPv4 bytes but the drop says family 6: full. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	in[n].drop.family = 6;
	want_elided[n++] = false;
	/* 9: IPv4 with bytes after the 4-byte source address: full. */
	in[n].drop.caplen = (uint16_t)pkt_ipv4(pkt[n], &in[n].drop);
	in[n].drop.saddr[4] = 1;
	want_elided[n++] = false;
	/* 10: IPv6 whose fragment header is not the first fragment: full. */
	in[n].drop.family = 6;
	in[n].drop.caplen = (uint16_t)pkt_ipv6_ext(pkt[n], &in[n].drop);
	pkt[n][40 + 8 + 24 + 2] = 0x01; /* offset 32 (in 8-byte units) */
	want_elided[n++] = false;
	/* 11: IPv6 with one extension header over TDF_PKT_EXT_MAX: full. */
	in[n].drop.family = 6;
	{
		struct tdf_pkt_fields f;
		size_t at_max = pkt_ipv6_chain(pkt[n], &in[n].drop, TDF_PKT_EXT_MAX);

		assert_int_equal(tdf_pkt_parse(pkt[n], at_max, &f), 0); /* exact bound: fine */
		in[n].drop.caplen =
		    (uint16_t)pkt_ipv6_chain(pkt[n], &in[n].drop, TDF_PKT_EXT_MAX + 1);
		assert_int_equal(tdf_pkt_parse(pkt[n], in[n].drop.caplen, &f), -EBADMSG);
	}
	want_elided[n++] = false;
	/* 12: IPv4 with options (IHL 6) and a later fragment: full; 13: IHL 6, first: elided. */
	for (int k = 0; k < 2; k++) {
		uint8_t v4[40];

		pkt_ipv4(v4, &in[n].drop);
		memcpy(pkt[n], v4, 20);
		pkt[n][0] = 0x46;
		memset(pkt[n] + 20, 1, 4); /* NOP options */
		memcpy(pkt[n] + 24, v4 + 20, 20);
		pkt[n][6] = 0x20; /* more fragments */
		pkt[n][7] = k == 0 ? 0x10 : 0;
		in[n].drop.caplen = 44;
		want_elided[n++] = k == 1;
	}
	assert_int_equal(n, ELIDE_CASES);

	file = tdftest_write(in, n, NULL, true, &len);
	assert_non_null(file);
	assert_int_equal(read_drops(file, len, back, back_pkts, ELIDE_CASES), n);
	for (size_t i = 0; i < n; i++)
		assert_drop_equal(&back[i], &in[i].drop);

	/* On disk: the flag bits and body lengths each case should have. */
	assert_int_equal(walk_blocks(file, len, b, 4), 3);
	raw = chunk_raw(file, &b[0], &raw_len);
	pos = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t flags = raw[pos + 1];
		uint16_t body_len = le16_get(raw + pos + 2);

		assert_int_equal(raw[pos], TDF_REC_DROP);
		assert_true(flags & TDF_REC_FLAG_DELTA);
		if (!!(flags & TDF_REC_FLAG_ELIDED) != want_elided[i])
			fail_msg("case %zu: ELIDED is %d", i, !!(flags & TDF_REC_FLAG_ELIDED));
		assert_int_equal(body_len,
				 (want_elided[i] ? TDF_DROP_ELIDED_FIXED : TDF_DROP_FIXED) +
				     in[i].drop.caplen);
		/* seq_no 10, 11, ...: the first is from 0, the others one more than the last. */
		assert_int_equal(le64_get(raw + pos + 4), i == 0 ? 10 : 1);
		pos += TDF_REC_HDR_LEN + body_len;
	}
	assert_int_equal(pos, raw_len);
	free(raw);
	free(file);
}

/*
 * Every prefix of a parseable packet shorter than its TCP header is refused, the whole one is
 * accepted; each prefix sits in a buffer of exactly its size, so a read past caplen shows up
 * under ASan.
 */
static void test_pkt_parse_bounds(void **state)
{
	uint8_t pkt[TDF_SNAP_MAX];
	struct tdf_drop d;
	struct tdf_pkt_fields f;

	(void)state;
	for (int v = 4; v <= 6; v += 2) {
		size_t full;

		tdftest_drop(&d, 1, 0);
		full = v == 4 ? pkt_ipv4(pkt, &d) : pkt_ipv6_ext(pkt, &d);
		for (size_t n = 0; n <= full; n++) {
			uint8_t *copy = malloc(n ? n : 1);

			memcpy(copy, pkt, n);
			assert_int_equal(tdf_pkt_parse(n ? copy : NULL, n, &f),
					 n == full ? 0 : -EBADMSG);
			free(copy);
		}
		assert_int_equal(f.family, v);
		assert_int_equal(f.sport, d.sport);
		assert_int_equal(f.tcp_seq, d.tcp_seq);
		assert_int_equal(f.win, d.win);
	}
	/* Versions other than 4 and 6, and IHL under 5. */
	tdftest_drop(&d, 1, 0);
	pkt_ipv4(pkt, &d);
	pkt[0] = 0x55;
	assert_int_equal(tdf_pkt_parse(pkt, 40, &f), -EBADMSG);
	pkt[0] = 0x44;
	assert_int_equal(tdf_pkt_parse(pkt, 40, &f), -EBADMSG);
	/* An extension header whose length runs past caplen. */
	pkt_ipv6_ext(pkt, &d);
	pkt[41] = 0xff;
	assert_int_equal(tdf_pkt_parse(pkt, 120, &f), -EBADMSG);
}

#define DELTA_DROPS 60

/*
 * DELTA across chunk boundaries: every chunk's first DROP holds absolute values, the rest
 * differences; timestamps that go backwards and wrap past 2^64 and sequence numbers that
 * jump both ways come back exact, and a chunk copied alone into a file decodes by itself.
 */
static void test_drop_delta_chunks(void **state)
{
	static uint8_t pkts[DELTA_DROPS][TDF_SNAP_MAX];
	static uint8_t back_pkts[DELTA_DROPS * TDF_SNAP_MAX];
	struct tdf_writer_opts opts = {.chunk_raw_max = 1200};
	struct tdf_record in[DELTA_DROPS];
	struct tdf_drop back[DELTA_DROPS];
	struct blk b[64];
	uint8_t *file;
	size_t len, nb, drops_seen = 0;

	(void)state;
	memset(in, 0, sizeof(in));
	for (size_t i = 0; i < DELTA_DROPS; i++) {
		struct tdf_drop *d = &in[i].drop;

		in[i].type = TDF_REC_DROP;
		tdftest_drop(d, 1 + i, 0);
		d->data = pkts[i];
		d->caplen = (uint16_t)pkt_ipv4(pkts[i], d);
		if (i % 3 == 2) /* every third one in full */
			d->win++;
	}
	/* Backwards, wrapping both ways, and the extremes. */
	in[5].drop.ts_ns = 3;
	in[6].drop.ts_ns = UINT64_MAX;
	in[7].drop.ts_ns = 0;
	in[8].drop.ts_ns = UINT64_MAX - 1;
	in[9].drop.seq_no = UINT64_MAX;
	in[10].drop.seq_no = 2;
	in[11].drop.seq_no = 0;
	in[30].drop.ts_ns = in[29].drop.ts_ns; /* a difference of 0 */

	file = tdftest_write(in, DELTA_DROPS, &opts, true, &len);
	assert_non_null(file);
	assert_int_equal(read_drops(file, len, back, back_pkts, DELTA_DROPS), DELTA_DROPS);
	for (size_t i = 0; i < DELTA_DROPS; i++)
		assert_drop_equal(&back[i], &in[i].drop);

	nb = walk_blocks(file, len, b, 64);
	assert_true(nb >= 2 + 4); /* several chunks, index, trailer */
	for (size_t k = 0; k + 2 < nb; k++) {
		struct tdftest_buf f = {0};
		struct tdf_drop one[DELTA_DROPS];
		size_t raw_len, got;
		uint8_t *raw = chunk_raw(file, &b[k], &raw_len);

		/* The chunk's first record holds its drop's values as they are. */
		assert_int_equal(raw[0], TDF_REC_DROP);
		assert_int_equal(le64_get(raw + 4), in[drops_seen].drop.seq_no);
		assert_int_equal(le64_get(raw + 4 + 8), in[drops_seen].drop.ts_ns);
		free(raw);
		/* This chunk alone, after a file header: its drops, exact. */
		tdftest_put_file_header(&f, TDF_VERSION_MAJOR, TDF_VERSION_MINOR);
		tdftest_buf_put(&f, file + b[k].off, b[k].len);
		got = read_drops(f.p, f.len, one, back_pkts, DELTA_DROPS);
		assert_true(got > 0);
		for (size_t i = 0; i < got; i++)
			assert_drop_equal(&one[i], &in[drops_seen + i].drop);
		drops_seen += got;
		tdftest_buf_free(&f);
	}
	assert_int_equal(drops_seen, DELTA_DROPS);
	free(file);
}

/* A hand-made DROP body laid out as tcpdrop-file(5) says, appended as one record to raw. */
static void put_drop_raw(struct tdftest_buf *raw, uint8_t flags, uint64_t seq, uint64_t ts,
			 const uint8_t *pkt, uint16_t caplen, uint16_t cut)
{
	uint8_t body[TDF_DROP_FIXED + TDF_SNAP_MAX] = {0};
	bool elided = flags & TDF_REC_FLAG_ELIDED;
	size_t tail = elided ? 46 : 94, len;

	le64_put(body, seq);
	le64_put(body + 8, ts);
	memcpy(body + 28, "hand", 4);
	if (!elided) {
		body[44] = 4;
		body[45] = TDF_TCP_RST;
	}
	body[elided ? 45 : 47] = TDF_DIR_OUT;
	le32_put(body + tail, 77); /* reason */
	le16_put(body + tail + 44, caplen);
	memcpy(body + tail + TDF_DROP_TAIL, pkt, caplen);
	len = tail + TDF_DROP_TAIL + caplen - cut;
	tdftest_put_record(raw, TDF_REC_DROP, flags, body, (uint16_t)len);
}

/*
 * Hand-made DELTA/ELIDED records decode as the spec says; an ELIDED drop whose packet bytes
 * do not parse, one a byte short, and any unknown flag bit (3 to 7) make the chunk corrupt.
 */
static void test_drop_flags_hand_made(void **state)
{
	const uint8_t DE = TDF_REC_FLAG_DELTA | TDF_REC_FLAG_ELIDED;
	struct tdftest_buf raw = {0}, f = {0};
	struct tdftest_counts c;
	struct tdf_drop d, back[4];
	static uint8_t back_pkts[4 * TDF_SNAP_MAX];
	uint8_t pkt[64], junk[64];

	(void)state;
	tdftest_drop(&d, 1, 0);
	pkt_ipv4(pkt, &d);
	memset(junk, 0x33, sizeof(junk));

	/* Full absolute, then DELTA+ELIDED minimal (92-byte fixed part), then DELTA full. */
	put_drop_raw(&raw, 0, 100, 5000, pkt, 40, 0);
	put_drop_raw(&raw, DE, 3, (uint64_t)-1000, pkt, 40, 0);
	put_drop_raw(&raw, TDF_REC_FLAG_DELTA | TDF_REC_FLAG_SKIPPABLE, 1, 1, junk, 7, 0);
	one_chunk_file(&f, &raw, 3);
	assert_int_equal(read_drops(f.p, f.len, back, back_pkts, 4), 3);
	assert_int_equal(back[0].seq_no, 100);
	assert_int_equal(back[0].ts_ns, 5000);
	assert_int_equal(back[0].family, 4);
	assert_int_equal(back[0].tcp_flags, TDF_TCP_RST);
	assert_int_equal(back[1].seq_no, 103);
	assert_int_equal(back[1].ts_ns, 4000);
	assert_int_equal(back[1].family, 4);
	assert_memory_equal(back[1].saddr, d.saddr, 16);
	assert_memory_equal(back[1].daddr, d.daddr, 16);
	assert_int_equal(back[1].sport, d.sport);
	assert_int_equal(back[1].dport, d.dport);
	assert_int_equal(back[1].tcp_seq, d.tcp_seq);
	assert_int_equal(back[1].tcp_ack, d.tcp_ack);
	assert_int_equal(back[1].tcp_flags, d.tcp_flags);
	assert_int_equal(back[1].win, d.win);
	assert_int_equal(back[1].dir, TDF_DIR_OUT);
	assert_int_equal(back[1].reason, 77);
	assert_int_equal(back[1].caplen, 40);
	assert_memory_equal(back[1].comm, "hand", 5);
	assert_int_equal(back[2].seq_no, 104);
	assert_int_equal(back[2].ts_ns, 4001);
	assert_int_equal(back[2].caplen, 7);
	tdftest_buf_free(&raw);
	tdftest_buf_free(&f);

	/* Corrupt, each alone after a good drop in its chunk: nothing of the chunk comes out. */
	for (int k = 0; k < 9; k++) {
		put_drop_raw(&raw, 0, 1, 1, pkt, 40, 0);
		switch (k) {
		case 0: /* ELIDED, packet bytes not IP */
			put_drop_raw(&raw, DE, 1, 1, junk, 40, 0);
			break;
		case 1: /* ELIDED, caplen 0 */
			put_drop_raw(&raw, TDF_REC_FLAG_ELIDED, 1, 1, pkt, 0, 0);
			break;
		case 2: /* ELIDED, TCP header one byte short */
			put_drop_raw(&raw, DE, 1, 1, pkt, 39, 0);
			break;
		case 3: /* ELIDED body one byte short of its fixed part (91 bytes) */
			put_drop_raw(&raw, DE, 1, 1, pkt, 0, 1);
			break;
		default: /* unknown flag bits 3..7 */
			put_drop_raw(&raw, (uint8_t)(DE | (1u << (k - 1))), 1, 1, pkt, 40, 0);
			break;
		}
		one_chunk_file(&f, &raw, 2);
		tdftest_read(f.p, f.len, &c);
		if (c.corrupt != 1 || c.drops != 0 || c.ret != 0)
			fail_msg("case %d: %" PRIu64 " corrupt, %" PRIu64 " drops, ret %d", k,
				 c.corrupt, c.drops, c.ret);
		tdftest_buf_free(&raw);
		tdftest_buf_free(&f);
	}
}

/*
 * A stray but sound block header whose length runs past the end of the input, with whole
 * chunks after it: it is damage, not a truncation, and the chunks after it still decode.
 */
static void test_stray_header_past_end(void **state)
{
	size_t len, nb;
	uint8_t *file = tdftest_sample(60, 2000, true, &len);
	struct blk b[32];
	struct tdftest_counts whole, c;

	(void)state;
	assert_non_null(file);
	nb = walk_blocks(file, len, b, 32);
	assert_true(nb >= 6);
	tdftest_read(file, len, &whole);
	/* Block 2's header now claims more payload than the file has left (CRC made right). */
	le32_put(file + b[2].off + 8, (uint32_t)(len - b[2].off));
	le32_put(file + b[2].off + 16, tdf_crc32c(0, file + b[2].off, TDF_BLOCK_HDR_CRC_SPAN));
	tdftest_read(file, len, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.truncated, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.first_problem_offset, b[2].off);
	assert_true(c.stats.clean_close);
	assert_true(c.drops > 0 && c.drops < whole.drops);
	/*
	 * The last chunk's header claiming past the end: the index and trailer after it are
	 * sound, so damage again; cut right after that chunk, it is a truncation as before.
	 */
	le32_put(file + b[nb - 3].off + 8, (uint32_t)(len - b[nb - 3].off));
	le32_put(file + b[nb - 3].off + 16,
		 tdf_crc32c(0, file + b[nb - 3].off, TDF_BLOCK_HDR_CRC_SPAN));
	tdftest_read(file, len, &c);
	assert_int_equal(c.truncated, 0);
	assert_int_equal(c.corrupt, 2);
	assert_true(c.stats.clean_close);
	tdftest_read(file, b[nb - 2].off, &c);
	assert_int_equal(c.ret, 0);
	assert_int_equal(c.corrupt, 1);
	assert_int_equal(c.truncated, 1);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32c),
	    cmocka_unit_test(test_crc32c_matches_bitwise),
	    cmocka_unit_test(test_wire_cursors),
	    cmocka_unit_test(test_reason_short),
	    cmocka_unit_test(test_roundtrip_every_kind),
	    cmocka_unit_test(test_owner_records),
	    cmocka_unit_test(test_owner_rejects),
	    cmocka_unit_test(test_ip_len),
	    cmocka_unit_test(test_split_big_tables),
	    cmocka_unit_test(test_empty_tables),
	    cmocka_unit_test(test_writer_rejects),
	    cmocka_unit_test(test_writer_chunking),
	    cmocka_unit_test(test_pipe_both_ends),
	    cmocka_unit_test(test_reader_pipe_trickle),
	    cmocka_unit_test(test_fd_large_blocks_and_resync),
	    cmocka_unit_test(test_short_file_header),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_length_past_end),
	    cmocka_unit_test(test_length_ffffffff),
	    cmocka_unit_test(test_bad_header_crc),
	    cmocka_unit_test(test_bad_payload_crc),
	    cmocka_unit_test(test_unknown_skippable),
	    cmocka_unit_test(test_unknown_must_understand_record),
	    cmocka_unit_test(test_unknown_must_understand_block),
	    cmocka_unit_test(test_truncated_zstd_frame),
	    cmocka_unit_test(test_zstd_checksum),
	    cmocka_unit_test(test_raw_len_lies),
	    cmocka_unit_test(test_record_past_chunk_end),
	    cmocka_unit_test(test_body_lengths),
	    cmocka_unit_test(test_min_body_lengths),
	    cmocka_unit_test(test_record_count_mismatch),
	    cmocka_unit_test(test_resync_over_garbage),
	    cmocka_unit_test(test_damaged_middle_chunk),
	    cmocka_unit_test(test_truncate_everywhere),
	    cmocka_unit_test(test_clean_close_summary),
	    cmocka_unit_test(test_writer_enospc),
	    cmocka_unit_test(test_writer_partial_write),
	    cmocka_unit_test(test_reader_read_error),
	    cmocka_unit_test(test_drop_elide_roundtrip),
	    cmocka_unit_test(test_pkt_parse_bounds),
	    cmocka_unit_test(test_drop_delta_chunks),
	    cmocka_unit_test(test_drop_flags_hand_made),
	    cmocka_unit_test(test_stray_header_past_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
