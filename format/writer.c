/* SPDX-License-Identifier: BSD-2-Clause */
/* writer: encodes records into chunks, compresses each into one zstd frame, appends blocks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "pktparse.h"
#include "wire.h"

#define ZSTD_LEVEL_DEFAULT 3 /* zstd's own default: ~300 MB/s per core, ratio close to 6 */

struct index_entry {
	uint64_t offset, first_ts, last_ts;
	uint32_t drops;
};

struct tdf_writer {
	int fd;
	int err; /* sticky: once a write failed, the file's tail is unknown */
	ZSTD_CCtx *cctx;
	uint32_t chunk_raw_max;

	uint8_t *raw; /* the open chunk's records, TDF_CHUNK_RAW_MAX bytes */
	size_t raw_len;
	uint32_t raw_records;
	uint8_t *out; /* block header + chunk header + zstd frame (also the index) */
	size_t out_cap;
	uint8_t *rec; /* one encoded record: header + body */

	uint64_t bytes;

	uint32_t chunk_drops;
	uint64_t chunk_first, chunk_last;
	struct drop_base base; /* the open chunk's last DROP */

	uint64_t drops, lost, excluded, first_ns, last_ns;
	uint32_t chunks;
	struct index_entry *index;
	size_t index_len, index_cap;
	bool index_broken; /* an allocation failed: write the summary without entries */
};

static int write_all(struct tdf_writer *w, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(w->fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		w->bytes += (uint64_t)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Header of a block whose payload already sits at hdr + TDF_BLOCK_HDR_LEN. */
static void block_header_put(uint8_t *hdr, uint16_t type, uint16_t flags, uint32_t payload_len)
{
	memcpy(hdr, TDF_SYNC, TDF_SYNC_LEN);
	le16_put(hdr + 4, type);
	le16_put(hdr + 6, flags);
	le32_put(hdr + 8, payload_len);
	le32_put(hdr + 12, tdf_crc32c(0, hdr + TDF_BLOCK_HDR_LEN, payload_len));
	le32_put(hdr + 16, tdf_crc32c(0, hdr, TDF_BLOCK_HDR_CRC_SPAN));
}

struct tdf_writer *tdf_writer_open(int fd, const struct tdf_writer_opts *opts)
{
	struct tdf_writer *w;
	int level = ZSTD_LEVEL_DEFAULT;
	uint32_t chunk_raw_max = TDF_CHUNK_RAW_MAX;
	uint8_t hdr[TDF_FILE_HDR_LEN];
	int ret = -ENOMEM;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	if (opts && opts->zstd_level) {
		if (opts->zstd_level < ZSTD_minCLevel() || opts->zstd_level > ZSTD_maxCLevel()) {
			errno = EINVAL;
			return NULL;
		}
		level = opts->zstd_level;
	}
	if (opts && opts->chunk_raw_max) {
		if (opts->chunk_raw_max > TDF_CHUNK_RAW_MAX) {
			errno = EINVAL;
			return NULL;
		}
		chunk_raw_max = opts->chunk_raw_max;
	}

	w = calloc(1, sizeof(*w));
	if (!w)
		goto err;
	w->fd = fd;
	w->chunk_raw_max = chunk_raw_max;
	w->out_cap = TDF_BLOCK_HDR_LEN + TDF_BLOCK_PAYLOAD_MAX;
	w->raw = malloc(TDF_CHUNK_RAW_MAX);
	w->out = malloc(w->out_cap);
	w->rec = malloc(TDF_REC_HDR_LEN + TDF_RECORD_BODY_MAX);
	w->cctx = ZSTD_createCCtx();
	if (!w->raw || !w->out || !w->rec || !w->cctx)
		goto err_free;
	/* ZSTD_compress2 keeps these across frames; ZSTD_compressCCtx would reset them. */
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
		ret = -EINVAL;
		goto err_free;
	}

	memcpy(hdr, TDF_MAGIC, TDF_MAGIC_LEN);
	le16_put(hdr + 8, TDF_VERSION_MAJOR);
	le16_put(hdr + 10, TDF_VERSION_MINOR);
	le32_put(hdr + 12, 0);
	ret = write_all(w, hdr, sizeof(hdr));
	if (ret)
		goto err_free;
	return w;

err_free:
	tdf_writer_abandon(w);
err:
	errno = -ret;
	return NULL;
}

static void index_add(struct tdf_writer *w, uint64_t offset)
{
	if (w->chunks < UINT32_MAX)
		w->chunks++;
	if (w->index_broken)
		return;
	if (w->index_len == w->index_cap) {
		size_t cap = w->index_cap ? w->index_cap * 2 : 64;
		struct index_entry *n = realloc(w->index, cap * sizeof(*n));
		if (!n) {
			/* The index is an optional accelerator: lose it, not the recording. */
			w->index_broken = true;
			return;
		}
		w->index = n;
		w->index_cap = cap;
	}
	w->index[w->index_len++] = (struct index_entry){
	    .offset = offset,
	    .first_ts = w->chunk_first,
	    .last_ts = w->chunk_last,
	    .drops = w->chunk_drops,
	};
}

int tdf_writer_flush(struct tdf_writer *w)
{
	size_t frame_len, payload_len;
	uint64_t offset;
	uint8_t *payload;
	int ret;

	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->raw_len == 0)
		return 0;

	payload = w->out + TDF_BLOCK_HDR_LEN;
	frame_len =
	    ZSTD_compress2(w->cctx, payload + TDF_CHUNK_HDR_LEN,
			   w->out_cap - TDF_BLOCK_HDR_LEN - TDF_CHUNK_HDR_LEN, w->raw, w->raw_len);
	if (ZSTD_isError(frame_len)) {
		w->err = -EIO;
		return w->err;
	}
	le32_put(payload, (uint32_t)w->raw_len);
	le32_put(payload + 4, w->raw_records);
	payload_len = TDF_CHUNK_HDR_LEN + frame_len;
	block_header_put(w->out, TDF_BLOCK_CHUNK, 0, (uint32_t)payload_len);

	offset = w->bytes;
	ret = write_all(w, w->out, TDF_BLOCK_HDR_LEN + payload_len);
	if (ret) {
		w->err = ret;
		return ret;
	}
	index_add(w, offset);
	w->raw_len = 0;
	w->raw_records = 0;
	w->chunk_drops = 0;
	w->chunk_first = w->chunk_last = 0;
	w->base = (struct drop_base){0, 0};
	return 0;
}

/* ---- records: one encoder per type, each the mirror of its decoder in reader.c ---- */

/* A cursor over the body of w->rec: no body is longer than TDF_RECORD_BODY_MAX. */
static void body_begin(struct tdf_writer *w, struct wcursor *c)
{
	wcur_init(c, w->rec + TDF_REC_HDR_LEN, TDF_RECORD_BODY_MAX);
}

/* Whether a record with body_len bytes of body still goes into the open chunk. */
static bool chunk_room(const struct tdf_writer *w, size_t body_len)
{
	/* A record larger than a small chunk_raw_max travels alone (raw stays <= the cap). */
	return w->raw_len == 0 || w->raw_len + TDF_REC_HDR_LEN + body_len <= w->chunk_raw_max;
}

/* Move the record whose body c wrote in w->rec into the open chunk. */
static int emit(struct tdf_writer *w, uint8_t type, uint8_t flags, const struct wcursor *c)
{
	size_t len = TDF_REC_HDR_LEN + c->len;
	int ret;

	if (c->bad)
		return -EINVAL; /* a body past TDF_RECORD_BODY_MAX: the caps above prevent it */
	w->rec[0] = type;
	w->rec[1] = flags;
	le16_put(w->rec + 2, (uint16_t)c->len);
	if (!chunk_room(w, c->len)) {
		ret = tdf_writer_flush(w);
		if (ret)
			return ret;
	}
	memcpy(w->raw + w->raw_len, w->rec, len);
	w->raw_len += len;
	w->raw_records++;
	return 0;
}

static int str_check(const char *s)
{
	if (!s || strlen(s) > TDF_NAME_MAX)
		return -EINVAL;
	return 0;
}

/*
 * A table (META, REASONS, STATES, KSYMS) is a head that ends in a u16 count, then entries.
 * One too large for a body is split into records that repeat the head. No entry is longer
 * than 2 * (1 + TDF_NAME_MAX) bytes, so each fits an otherwise empty body.
 */
typedef void (*entry_put_fn)(struct wcursor *c, const void *entries, uint32_t i);

struct table {
	struct wcursor c;
	struct wcursor first; /* just past the count: where each record's entries start */
	uint8_t *count_at;
	uint8_t type;
	uint16_t count;
	bool emitted;
};

static void table_begin(struct tdf_writer *w, struct table *t, uint8_t type)
{
	memset(t, 0, sizeof(*t));
	body_begin(w, &t->c);
	t->type = type;
}

/* After the head's own fields: reserve the count. */
static void table_count(struct table *t)
{
	t->count_at = wcur_take(&t->c, 2);
	t->first = t->c;
}

static int table_emit(struct tdf_writer *w, struct table *t)
{
	if (!t->count_at)
		return -EINVAL;
	le16_put(t->count_at, t->count);
	t->emitted = true;
	return emit(w, t->type, 0, &t->c);
}

static int table_put(struct tdf_writer *w, struct table *t, const void *entries, uint32_t n,
		     entry_put_fn put)
{
	int ret;

	for (uint32_t i = 0; i < n; i++) {
		struct wcursor before = t->c;

		if (t->count < UINT16_MAX)
			put(&t->c, entries, i);
		if (t->count == UINT16_MAX || t->c.bad) {
			/* Full: this record ends before the entry, the next one starts with it. */
			t->c = before;
			ret = table_emit(w, t);
			if (ret)
				return ret;
			t->c = t->first;
			t->count = 0;
			put(&t->c, entries, i);
		}
		t->count++;
	}
	/* An empty table is one record with count 0. */
	if (t->count || !t->emitted)
		return table_emit(w, t);
	return 0;
}

/* META: u16 count, count x (string key, string value). */
static void meta_entry_put(struct wcursor *c, const void *entries, uint32_t i)
{
	const struct tdf_kv *kv = (const struct tdf_kv *)entries + i;

	wcur_str(c, kv->key);
	wcur_str(c, kv->value);
}

static int meta_encode(struct tdf_writer *w, const struct tdf_meta *m)
{
	struct table t;

	if (m->count && !m->kv)
		return -EINVAL;
	for (uint32_t i = 0; i < m->count; i++)
		if (str_check(m->kv[i].key) || str_check(m->kv[i].value))
			return -EINVAL;
	table_begin(w, &t, TDF_REC_META);
	table_count(&t);
	return table_put(w, &t, m->kv, m->count, meta_entry_put);
}

/* CLOCK: u64 boot_ns, u64 real_ns. */
static int clock_encode(struct tdf_writer *w, const struct tdf_clock *k)
{
	struct wcursor c;

	body_begin(w, &c);
	wcur_u64(&c, k->boot_ns);
	wcur_u64(&c, k->real_ns);
	return emit(w, TDF_REC_CLOCK, 0, &c);
}

/* REASONS, STATES: u16 count, count x (u32 value, string name). */
static void name_entry_put(struct wcursor *c, const void *entries, uint32_t i)
{
	const struct tdf_name *nm = (const struct tdf_name *)entries + i;

	wcur_u32(c, nm->value);
	wcur_str(c, nm->name);
}

static int names_encode(struct tdf_writer *w, uint8_t type, const struct tdf_names *nm)
{
	struct table t;

	if (nm->count && !nm->names)
		return -EINVAL;
	for (uint32_t i = 0; i < nm->count; i++)
		if (str_check(nm->names[i].name))
			return -EINVAL;
	table_begin(w, &t, type);
	table_count(&t);
	return table_put(w, &t, nm->names, nm->count, name_entry_put);
}

/* KMOD: u32 id, string name. */
static int kmod_encode(struct tdf_writer *w, const struct tdf_kmod *km)
{
	struct wcursor c;

	if (km->id == TDF_MOD_VMLINUX || km->id == TDF_MOD_UNKNOWN || str_check(km->name))
		return -EINVAL;
	body_begin(w, &c);
	wcur_u32(&c, km->id);
	wcur_str(&c, km->name);
	return emit(w, TDF_REC_KMOD, 0, &c);
}

/* KSYMS: u32 module id, u16 count, count x (u32 offset, string name). */
static void ksym_entry_put(struct wcursor *c, const void *entries, uint32_t i)
{
	const struct tdf_ksym *ks = (const struct tdf_ksym *)entries + i;

	wcur_u32(c, ks->off);
	wcur_str(c, ks->name);
}

static int ksyms_encode(struct tdf_writer *w, const struct tdf_ksyms *ks)
{
	struct table t;

	if (ks->count && !ks->syms)
		return -EINVAL;
	for (uint32_t i = 0; i < ks->count; i++)
		if (str_check(ks->syms[i].name))
			return -EINVAL;
	table_begin(w, &t, TDF_REC_KSYMS);
	wcur_u32(&t.c, ks->mod);
	table_count(&t);
	return table_put(w, &t, ks->syms, ks->count, ksym_entry_put);
}

/* STACK: u32 id, u16 depth, depth x (u32 module id, u32 offset). */
static int stack_encode(struct tdf_writer *w, const struct tdf_stack *st)
{
	struct wcursor c;

	if (st->id == 0 || st->depth > TDF_STACK_MAX || (st->depth && !st->frames))
		return -EINVAL;
	body_begin(w, &c);
	wcur_u32(&c, st->id);
	wcur_u16(&c, (uint16_t)st->depth);
	for (uint32_t i = 0; i < st->depth; i++) {
		wcur_u32(&c, st->frames[i].mod);
		wcur_u32(&c, st->frames[i].off);
	}
	return emit(w, TDF_REC_STACK, 0, &c);
}

/* LOSS: u8 kind, u32 cpu, u64 count, u64 from_ns, u64 to_ns. */
static int loss_encode(struct tdf_writer *w, const struct tdf_loss *l)
{
	struct wcursor c;
	int ret;

	if (l->kind != TDF_LOSS_RINGBUF && l->kind != TDF_LOSS_EXCLUDED)
		return -EINVAL;
	body_begin(w, &c);
	wcur_u8(&c, l->kind);
	wcur_u32(&c, l->cpu);
	wcur_u64(&c, l->count);
	wcur_u64(&c, l->from_ns);
	wcur_u64(&c, l->to_ns);
	ret = emit(w, TDF_REC_LOSS, 0, &c);
	if (ret)
		return ret;
	if (l->kind == TDF_LOSS_RINGBUF)
		w->lost += l->count;
	else
		w->excluded += l->count;
	return 0;
}

/* Do the packet bytes say exactly what d says in the fields an ELIDED body leaves out? */
static bool drop_elidable(const struct tdf_drop *d)
{
	struct tdf_pkt_fields f;

	if (tdf_pkt_parse(d->data, d->caplen, &f))
		return false;
	return f.family == d->family && f.tcp_flags == d->tcp_flags &&
	       memcmp(f.saddr, d->saddr, 16) == 0 && memcmp(f.daddr, d->daddr, 16) == 0 &&
	       f.sport == d->sport && f.dport == d->dport && f.tcp_seq == d->tcp_seq &&
	       f.tcp_ack == d->tcp_ack && f.win == d->win;
}

/* DROP: both layouts (ELIDED leaves out family..win), seq_no and ts_ns against base (DELTA). */
static void drop_put(struct wcursor *c, const struct tdf_drop *d, uint8_t flags,
		     const struct drop_base *base)
{
	bool elided = flags & TDF_REC_FLAG_ELIDED;

	wcur_u64(c, flags & TDF_REC_FLAG_DELTA ? d->seq_no - base->seq : d->seq_no);
	wcur_u64(c, flags & TDF_REC_FLAG_DELTA ? d->ts_ns - base->ts : d->ts_ns);
	wcur_u32(c, d->cpu);
	wcur_u32(c, d->pid);
	wcur_u32(c, d->tid);
	wcur_copy(c, d->comm, TDF_COMM_LEN);
	if (!elided) {
		wcur_u8(c, d->family);
		wcur_u8(c, d->tcp_flags);
	}
	wcur_u8(c, d->state);
	wcur_u8(c, d->dir);
	if (!elided) {
		wcur_copy(c, d->saddr, 16);
		wcur_copy(c, d->daddr, 16);
		wcur_u16(c, d->sport);
		wcur_u16(c, d->dport);
		wcur_u32(c, d->tcp_seq);
		wcur_u32(c, d->tcp_ack);
		wcur_u16(c, d->win);
	}
	wcur_u32(c, d->reason);
	wcur_u32(c, d->location.mod);
	wcur_u32(c, d->location.off);
	wcur_u32(c, d->netns);
	wcur_u32(c, d->ifindex);
	wcur_copy(c, d->ifname, TDF_IFNAME_LEN);
	wcur_u32(c, d->len);
	wcur_u32(c, d->stack_id);
	wcur_u16(c, d->caplen);
	wcur_copy(c, d->data, d->caplen);
	/* 1.1: the owner after the packet, only when there is one (a reader reads it if present) */
	if (d->owner)
		wcur_u32(c, d->owner);
}

static int drop_encode(struct tdf_writer *w, const struct tdf_drop *d)
{
	uint8_t flags = TDF_REC_FLAG_DELTA;
	struct wcursor c;
	int ret;

	if (d->caplen > TDF_SNAP_MAX || (d->caplen && !d->data))
		return -EINVAL;
	if (drop_elidable(d))
		flags |= TDF_REC_FLAG_ELIDED;
	body_begin(w, &c);
	drop_put(&c, d, flags, &w->base);
	/* The DELTA base is the chunk's: a drop that opens a new chunk is encoded against 0. */
	if (!c.bad && !chunk_room(w, c.len)) {
		ret = tdf_writer_flush(w);
		if (ret)
			return ret;
		body_begin(w, &c);
		drop_put(&c, d, flags, &w->base);
	}
	ret = emit(w, TDF_REC_DROP, flags, &c);
	if (ret)
		return ret;
	w->base = (struct drop_base){d->seq_no, d->ts_ns};
	/* Earliest/latest rather than first/last: per-CPU buffers interleave slightly. */
	if (w->chunk_drops == 0 || d->ts_ns < w->chunk_first)
		w->chunk_first = d->ts_ns;
	if (w->chunk_drops == 0 || d->ts_ns > w->chunk_last)
		w->chunk_last = d->ts_ns;
	if (w->drops == 0 || d->ts_ns < w->first_ns)
		w->first_ns = d->ts_ns;
	if (w->drops == 0 || d->ts_ns > w->last_ns)
		w->last_ns = d->ts_ns;
	w->chunk_drops++;
	w->drops++;
	return 0;
}

/* OWNER: u32 id, u32 pid, 16 comm, u64 cgroup. Skippable: 1.0 readers pass over it. */
static int owner_encode(struct tdf_writer *w, const struct tdf_owner *o)
{
	struct wcursor c;

	if (o->id == 0)
		return -EINVAL;
	body_begin(w, &c);
	wcur_u32(&c, o->id);
	wcur_u32(&c, o->pid);
	wcur_copy(&c, o->comm, TDF_COMM_LEN);
	wcur_u64(&c, o->cgroup);
	return emit(w, TDF_REC_OWNER, TDF_REC_FLAG_SKIPPABLE, &c);
}

/* CGROUP: u64 id, string path, string container. */
static int cgroup_encode(struct tdf_writer *w, const struct tdf_cgroup *g)
{
	struct wcursor c;

	if (str_check(g->path) || str_check(g->container))
		return -EINVAL;
	body_begin(w, &c);
	wcur_u64(&c, g->id);
	wcur_str(&c, g->path);
	wcur_str(&c, g->container);
	return emit(w, TDF_REC_CGROUP, TDF_REC_FLAG_SKIPPABLE, &c);
}

/* NETNS: u32 inode, string name. */
static int netns_encode(struct tdf_writer *w, const struct tdf_netns *n)
{
	struct wcursor c;

	if (n->inode == 0 || str_check(n->name))
		return -EINVAL;
	body_begin(w, &c);
	wcur_u32(&c, n->inode);
	wcur_str(&c, n->name);
	return emit(w, TDF_REC_NETNS, TDF_REC_FLAG_SKIPPABLE, &c);
}

int tdf_writer_add(struct tdf_writer *w, const struct tdf_record *rec)
{
	if (!w || !rec)
		return -EINVAL;
	if (w->err)
		return w->err;
	switch (rec->type) {
	case TDF_REC_META:
		return meta_encode(w, &rec->meta);
	case TDF_REC_CLOCK:
		return clock_encode(w, &rec->clock);
	case TDF_REC_REASONS:
	case TDF_REC_STATES:
		return names_encode(w, (uint8_t)rec->type, &rec->names);
	case TDF_REC_KMOD:
		return kmod_encode(w, &rec->kmod);
	case TDF_REC_KSYMS:
		return ksyms_encode(w, &rec->ksyms);
	case TDF_REC_STACK:
		return stack_encode(w, &rec->stack);
	case TDF_REC_LOSS:
		return loss_encode(w, &rec->loss);
	case TDF_REC_DROP:
		return drop_encode(w, &rec->drop);
	case TDF_REC_OWNER:
		return owner_encode(w, &rec->owner);
	case TDF_REC_CGROUP:
		return cgroup_encode(w, &rec->cgroup);
	case TDF_REC_NETNS:
		return netns_encode(w, &rec->netns);
	default:
		return -EINVAL;
	}
}

size_t tdf_writer_pending(const struct tdf_writer *w)
{
	return w ? w->raw_len : 0;
}

uint64_t tdf_writer_bytes(const struct tdf_writer *w)
{
	return w ? w->bytes : 0;
}

/* INDEX: the summary, then the chunk entries; the mirror of the reader's index_decode. */
static void index_put(struct wcursor *c, const struct tdf_writer *w, size_t entries)
{
	wcur_u32(c, w->chunks);
	wcur_u32(c, (uint32_t)entries);
	wcur_u64(c, w->drops);
	wcur_u64(c, w->lost);
	wcur_u64(c, w->excluded);
	wcur_u64(c, w->first_ns);
	wcur_u64(c, w->last_ns);
	for (size_t i = 0; i < entries; i++) {
		wcur_u64(c, w->index[i].offset);
		wcur_u64(c, w->index[i].first_ts);
		wcur_u64(c, w->index[i].last_ts);
		wcur_u32(c, w->index[i].drops);
	}
}

static int write_index_and_trailer(struct tdf_writer *w)
{
	size_t entries = w->index_broken ? 0 : w->index_len;
	struct wcursor c;
	uint64_t index_offset;
	size_t index_block_len;
	uint8_t trailer[TDF_TRAILER_LEN];
	int ret;

	/* An index too large for one block is left out; the summary is always written. */
	if (entries > (TDF_BLOCK_PAYLOAD_MAX - TDF_INDEX_SUMMARY_LEN) / TDF_INDEX_ENTRY_LEN)
		entries = 0;
	wcur_init(&c, w->out + TDF_BLOCK_HDR_LEN, TDF_BLOCK_PAYLOAD_MAX);
	index_put(&c, w, entries);
	if (c.bad)
		return -EINVAL;
	block_header_put(w->out, TDF_BLOCK_INDEX, TDF_FLAG_SKIPPABLE, (uint32_t)c.len);
	index_offset = w->bytes;
	index_block_len = TDF_BLOCK_HDR_LEN + c.len;
	ret = write_all(w, w->out, index_block_len);
	if (ret)
		return ret;

	wcur_init(&c, trailer + TDF_BLOCK_HDR_LEN, TDF_TRAILER_PAYLOAD_LEN);
	wcur_u64(&c, index_offset);
	wcur_u32(&c, (uint32_t)index_block_len);
	wcur_u32(&c, 0);
	wcur_copy(&c, TDF_TRAILER_MAGIC, 8);
	block_header_put(trailer, TDF_BLOCK_TRAILER, TDF_FLAG_SKIPPABLE, TDF_TRAILER_PAYLOAD_LEN);
	return write_all(w, trailer, sizeof(trailer));
}

int tdf_writer_close(struct tdf_writer *w)
{
	int ret;

	if (!w)
		return 0;
	ret = tdf_writer_flush(w);
	if (!ret)
		ret = write_index_and_trailer(w);
	tdf_writer_abandon(w);
	return ret;
}

void tdf_writer_abandon(struct tdf_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->index);
	free(w->rec);
	free(w->out);
	free(w->raw);
	free(w);
}
