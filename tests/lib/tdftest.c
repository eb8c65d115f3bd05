/* SPDX-License-Identifier: BSD-2-Clause */
/* tdftest: build sample trace files in memory for tests and fuzz seeds; count what reads back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zstd.h>

#include "tdftest.h"
#include "wire.h"

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

void tdftest_buf_put(struct tdftest_buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

void tdftest_buf_free(struct tdftest_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static uint8_t snap_bytes[TDF_SNAP_MAX];

void tdftest_drop(struct tdf_drop *d, uint64_t seq, uint16_t caplen)
{
	for (size_t i = 0; i < sizeof(snap_bytes); i++)
		snap_bytes[i] = (uint8_t)(i * 7 + 3);
	memset(d, 0, sizeof(*d));
	d->seq_no = seq;
	d->ts_ns = 1000000ull * seq;
	d->cpu = (uint32_t)(seq % 2);
	d->pid = 100 + (uint32_t)seq;
	d->tid = 200 + (uint32_t)seq;
	snprintf(d->comm, sizeof(d->comm), "proc%u", (unsigned)(seq % 1000));
	d->family = 4;
	d->tcp_flags = TDF_TCP_SYN;
	d->state = TDF_STATE_NONE;
	d->dir = TDF_DIR_IN;
	memcpy(d->saddr, "\x0a\x00\x00\x01", 4);
	memcpy(d->daddr, "\x0a\x00\x00\x02", 4);
	d->sport = (uint16_t)(40000 + seq % 20000);
	d->dport = 80;
	d->tcp_seq = (uint32_t)(seq * 2654435761u);
	d->tcp_ack = 0;
	d->win = 64240;
	d->reason = 2;
	d->location = (struct tdf_kaddr){.mod = TDF_MOD_VMLINUX, .off = 0x123456};
	d->netns = 4026531840u;
	d->ifindex = 1;
	snprintf(d->ifname, sizeof(d->ifname), "lo");
	d->len = 60;
	d->stack_id = 1;
	d->caplen = caplen > TDF_SNAP_MAX ? TDF_SNAP_MAX : caplen;
	d->data = snap_bytes;
}

uint8_t *tdftest_write(const struct tdf_record *recs, size_t n, const struct tdf_writer_opts *opts,
		       bool clean_close, size_t *len)
{
	struct tdf_writer *w;
	uint8_t *out = NULL;
	off_t size;
	int fd, ret = 0;

	fd = memfd_create("tdftest", 0);
	if (fd < 0)
		return NULL;
	w = tdf_writer_open(fd, opts);
	if (!w)
		goto out;
	for (size_t i = 0; i < n && !ret; i++)
		ret = tdf_writer_add(w, &recs[i]);
	if (ret) {
		tdf_writer_abandon(w);
		goto out;
	}
	if (clean_close) {
		if (tdf_writer_close(w))
			goto out;
	} else {
		ret = tdf_writer_flush(w);
		tdf_writer_abandon(w);
		if (ret)
			goto out;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		goto out;
	out = xrealloc(NULL, (size_t)size);
	if (pread(fd, out, (size_t)size, 0) != size) {
		free(out);
		out = NULL;
		goto out;
	}
	*len = (size_t)size;
out:
	close(fd);
	return out;
}

uint8_t *tdftest_sample(unsigned drops, uint32_t chunk_raw_max, bool clean_close, size_t *len)
{
	static const struct tdf_kv kv[] = {
	    {TDF_META_HOST, "testhost"},
	    {TDF_META_KERNEL_RELEASE, "6.18.0-test"},
	    {TDF_META_ARCH, "x86_64"},
	    {TDF_META_SNAPLEN, "128"},
	};
	static const struct tdf_name reasons[] = {
	    {2, "SKB_DROP_REASON_NOT_SPECIFIED"},
	    {3, "SKB_DROP_REASON_NO_SOCKET"},
	    {0x10000, "SKB_DROP_REASON_SUBSYS_X"},
	};
	static const struct tdf_name states[] = {{1, "ESTABLISHED"}, {10, "LISTEN"}};
	static const struct tdf_ksym syms[] = {{0x100, "tcp_v4_rcv"}, {0x200, "kfree_skb_reason"}};
	static const struct tdf_kaddr frames[] = {{0, 0x100}, {0, 0x210}, {1, 0x8}};
	struct tdf_writer_opts opts = {.chunk_raw_max = chunk_raw_max};
	size_t n = 0, cap = 8 + (size_t)drops;
	struct tdf_record *recs = xrealloc(NULL, cap * sizeof(*recs));
	uint8_t *out;

	memset(recs, 0, cap * sizeof(*recs));
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){4, kv};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){5, 1700000000000000000ull};
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){3, reasons};
	recs[n].type = TDF_REC_STATES;
	recs[n++].names = (struct tdf_names){2, states};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){1, "nf_tables"};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 3, frames};
	recs[n].type = TDF_REC_LOSS;
	recs[n++].loss = (struct tdf_loss){TDF_LOSS_RINGBUF, 0, 7, 1, 2};
	for (unsigned i = 1; i <= drops; i++) {
		recs[n].type = TDF_REC_DROP;
		tdftest_drop(&recs[n++].drop, i, 40);
	}
	out = tdftest_write(recs, n, &opts, clean_close, len);
	free(recs);
	return out;
}

void tdftest_read(const void *buf, size_t len, struct tdftest_counts *c)
{
	struct tdf_reader *r = tdf_reader_open_mem(buf, len, "test");
	struct tdf_record rec;
	int ret;

	memset(c, 0, sizeof(*c));
	c->first_problem_offset = UINT64_MAX;
	if (!r) {
		c->ret = -errno;
		return;
	}
	while ((ret = tdf_reader_next(r, &rec)) > 0) {
		if (rec.type < 16)
			c->records[rec.type]++;
		switch (rec.type) {
		case TDF_REC_DROP:
			c->drops++;
			c->seq_sum += rec.drop.seq_no;
			break;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			if (rec.type == TDF_EV_CORRUPT)
				c->corrupt++;
			else
				c->truncated++;
			if (c->first_problem_offset == UINT64_MAX)
				c->first_problem_offset = rec.problem.offset;
			break;
		case TDF_EV_INDEX:
			c->index++;
			c->summary = rec.index;
			break;
		}
	}
	c->ret = ret;
	snprintf(c->error, sizeof(c->error), "%s", tdf_reader_error(r));
	tdf_reader_stats(r, &c->stats);
	tdf_reader_close(r);
}

void tdftest_put_file_header(struct tdftest_buf *b, uint16_t major, uint16_t minor)
{
	uint8_t h[TDF_FILE_HDR_LEN];

	memcpy(h, TDF_MAGIC, TDF_MAGIC_LEN);
	le16_put(h + 8, major);
	le16_put(h + 10, minor);
	le32_put(h + 12, 0);
	tdftest_buf_put(b, h, sizeof(h));
}

void tdftest_put_block(struct tdftest_buf *b, uint16_t type, uint16_t flags, const void *payload,
		       uint32_t len)
{
	uint8_t h[TDF_BLOCK_HDR_LEN];

	memcpy(h, TDF_SYNC, TDF_SYNC_LEN);
	le16_put(h + 4, type);
	le16_put(h + 6, flags);
	le32_put(h + 8, len);
	le32_put(h + 12, tdf_crc32c(0, payload, len));
	le32_put(h + 16, tdf_crc32c(0, h, TDF_BLOCK_HDR_CRC_SPAN));
	tdftest_buf_put(b, h, sizeof(h));
	tdftest_buf_put(b, payload, len);
}

void tdftest_put_chunk(struct tdftest_buf *b, const void *raw, size_t raw_len,
		       uint32_t raw_len_field, uint32_t count)
{
	size_t cap = TDF_CHUNK_HDR_LEN + ZSTD_compressBound(raw_len);
	uint8_t *payload = xrealloc(NULL, cap);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t z;

	if (!cctx)
		abort();
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	z = ZSTD_compress2(cctx, payload + TDF_CHUNK_HDR_LEN, cap - TDF_CHUNK_HDR_LEN, raw,
			   raw_len);
	if (ZSTD_isError(z))
		abort();
	ZSTD_freeCCtx(cctx);
	le32_put(payload, raw_len_field);
	le32_put(payload + 4, count);
	tdftest_put_block(b, TDF_BLOCK_CHUNK, 0, payload, (uint32_t)(TDF_CHUNK_HDR_LEN + z));
	free(payload);
}

void tdftest_put_record(struct tdftest_buf *b, uint8_t type, uint8_t flags, const void *body,
			uint16_t body_len)
{
	uint8_t h[TDF_REC_HDR_LEN] = {type, flags};

	le16_put(h + 2, body_len);
	tdftest_buf_put(b, h, sizeof(h));
	tdftest_buf_put(b, body, body_len);
}
