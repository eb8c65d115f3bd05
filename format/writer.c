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
	uint64_t prev_seq, prev_ts; /* of the open chunk's last DROP: the DELTA base */

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
	w->prev_seq = w->prev_ts = 0;
	return 0;
}

/* Move the record encoded in w->rec (body_len bytes of body) into the open chunk. */
static int emit(struct tdf_writer *w, uint8_t type, uint8_t flags, size_t body_len)
{
	size_t len = TDF_REC_HDR_LEN + body_len;
	int ret;

	w->rec[0] = type;
	w->rec[1] = flags;
	le16_put(w->rec + 2, (uint16_t)body_len);
	/* A record larger than a small chunk_raw_max travels alone (raw stays <= the cap). */
	if (w->raw_len > 0 && w->raw_len + len > w->chunk_raw_max) {
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

static size_t str_put(uint8_t *p, const char *s)
{
	size_t n = strlen(s);

	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return 1 + n;
}

static int add_meta(struct tdf_writer *w, const struct tdf_meta *m)
{
	uint8_t *body = w->rec + TDF_REC_HDR_LEN;
	size_t off = 2;
	uint16_t count = 0;
	bool emitted = false;
	int ret;

	if (m->count && !m->kv)
		return -EINVAL;
	for (uint32_t i = 0; i < m->count; i++)
		if (str_check(m->kv[i].key) || str_check(m->kv[i].value))
			return -EINVAL;
	for (uint32_t i = 0; i < m->count; i++) {
		size_t need = 2 + strlen(m->kv[i].key) + strlen(m->kv[i].value);
		if (off + need > TDF_RECORD_BODY_MAX || count == UINT16_MAX) {
			le16_put(body, count);
			ret = emit(w, TDF_REC_META, 0, off);
			if (ret)
				return ret;
			emitted = true;
			off = 2;
			count = 0;
		}
		off += str_put(body + off, m->kv[i].key);
		off += str_put(body + off, m->kv[i].value);
		count++;
	}
	if (count || !emitted) {
		le16_put(body, count);
		return emit(w, TDF_REC_META, 0, off);
	}
	return 0;
}

static int add_names(struct tdf_writer *w, uint8_t type, const struct tdf_names *nm)
{
	uint8_t *body = w->rec + TDF_REC_HDR_LEN;
	size_t off = 2;
	uint16_t count = 0;
	bool emitted = false;
	int ret;

	if (nm->count && !nm->names)
		return -EINVAL;
	for (uint32_t i = 0; i < nm->count; i++)
		if (str_check(nm->names[i].name))
			return -EINVAL;
	for (uint32_t i = 0; i < nm->count; i++) {
		size_t need = 4 + 1 + strlen(nm->names[i].name);
		if (off + need > TDF_RECORD_BODY_MAX || count == UINT16_MAX) {
			le16_put(body, count);
			ret = emit(w, type, 0, off);
			if (ret)
				return ret;
			emitted = true;
			off = 2;
			count = 0;
		}
		le32_put(body + off, nm->names[i].value);
		off += 4;
		off += str_put(body + off, nm->names[i].name);
		count++;
	}
	if (count || !emitted) {
		le16_put(body, count);
		return emit(w, type, 0, off);
	}
	return 0;
}

static int add_ksyms(struct tdf_writer *w, const struct tdf_ksyms *ks)
{
	uint8_t *body = w->rec + TDF_REC_HDR_LEN;
	size_t off = TDF_KSYMS_MIN;
	uint16_t count = 0;
	bool emitted = false;
	int ret;

	if (ks->count && !ks->syms)
		return -EINVAL;
	for (uint32_t i = 0; i < ks->count; i++)
		if (str_check(ks->syms[i].name))
			return -EINVAL;
	le32_put(body, ks->mod);
	for (uint32_t i = 0; i < ks->count; i++) {
		size_t need = 4 + 1 + strlen(ks->syms[i].name);
		if (off + need > TDF_RECORD_BODY_MAX || count == UINT16_MAX) {
			le16_put(body + 4, count);
			ret = emit(w, TDF_REC_KSYMS, 0, off);
			if (ret)
				return ret;
			emitted = true;
			off = TDF_KSYMS_MIN;
			count = 0;
		}
		le32_put(body + off, ks->syms[i].off);
		off += 4;
		off += str_put(body + off, ks->syms[i].name);
		count++;
	}
	if (count || !emitted) {
		le16_put(body + 4, count);
		return emit(w, TDF_REC_KSYMS, 0, off);
	}
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

static int add_drop(struct tdf_writer *w, const struct tdf_drop *d)
{
	uint8_t *b = w->rec + TDF_REC_HDR_LEN, *t;
	uint8_t flags = TDF_REC_FLAG_DELTA;
	size_t body_len;
	int ret;

	if (d->caplen > TDF_SNAP_MAX || (d->caplen && !d->data))
		return -EINVAL;
	if (drop_elidable(d))
		flags |= TDF_REC_FLAG_ELIDED;
	body_len =
	    (flags & TDF_REC_FLAG_ELIDED ? TDF_DROP_ELIDED_FIXED : TDF_DROP_FIXED) + d->caplen;
	/* Close a full chunk first: the DELTA base depends on which chunk the record lands in. */
	if (w->raw_len > 0 && w->raw_len + TDF_REC_HDR_LEN + body_len > w->chunk_raw_max) {
		ret = tdf_writer_flush(w);
		if (ret)
			return ret;
	}
	le64_put(b + 0, d->seq_no - w->prev_seq);
	le64_put(b + 8, d->ts_ns - w->prev_ts);
	le32_put(b + 16, d->cpu);
	le32_put(b + 20, d->pid);
	le32_put(b + 24, d->tid);
	memcpy(b + 28, d->comm, TDF_COMM_LEN);
	if (flags & TDF_REC_FLAG_ELIDED) {
		b[44] = d->state;
		b[45] = d->dir;
		t = b + 46;
	} else {
		b[44] = d->family;
		b[45] = d->tcp_flags;
		b[46] = d->state;
		b[47] = d->dir;
		memcpy(b + 48, d->saddr, 16);
		memcpy(b + 64, d->daddr, 16);
		le16_put(b + 80, d->sport);
		le16_put(b + 82, d->dport);
		le32_put(b + 84, d->tcp_seq);
		le32_put(b + 88, d->tcp_ack);
		le16_put(b + 92, d->win);
		t = b + 94;
	}
	le32_put(t + 0, d->reason);
	le32_put(t + 4, d->location.mod);
	le32_put(t + 8, d->location.off);
	le32_put(t + 12, d->netns);
	le32_put(t + 16, d->ifindex);
	memcpy(t + 20, d->ifname, TDF_IFNAME_LEN);
	le32_put(t + 36, d->len);
	le32_put(t + 40, d->stack_id);
	le16_put(t + 44, d->caplen);
	if (d->caplen)
		memcpy(t + TDF_DROP_TAIL, d->data, d->caplen);

	ret = emit(w, TDF_REC_DROP, flags, body_len);
	if (ret)
		return ret;
	w->prev_seq = d->seq_no;
	w->prev_ts = d->ts_ns;
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

int tdf_writer_add(struct tdf_writer *w, const struct tdf_record *rec)
{
	uint8_t *b;
	int ret;

	if (!w || !rec)
		return -EINVAL;
	if (w->err)
		return w->err;
	b = w->rec + TDF_REC_HDR_LEN;

	switch (rec->type) {
	case TDF_REC_META:
		return add_meta(w, &rec->meta);
	case TDF_REC_CLOCK:
		le64_put(b, rec->clock.boot_ns);
		le64_put(b + 8, rec->clock.real_ns);
		return emit(w, TDF_REC_CLOCK, 0, TDF_CLOCK_MIN);
	case TDF_REC_REASONS:
	case TDF_REC_STATES:
		return add_names(w, (uint8_t)rec->type, &rec->names);
	case TDF_REC_KMOD:
		if (rec->kmod.id == TDF_MOD_VMLINUX || rec->kmod.id == TDF_MOD_UNKNOWN ||
		    str_check(rec->kmod.name))
			return -EINVAL;
		le32_put(b, rec->kmod.id);
		return emit(w, TDF_REC_KMOD, 0, 4 + str_put(b + 4, rec->kmod.name));
	case TDF_REC_KSYMS:
		return add_ksyms(w, &rec->ksyms);
	case TDF_REC_STACK:
		if (rec->stack.id == 0 || rec->stack.depth > TDF_STACK_MAX ||
		    (rec->stack.depth && !rec->stack.frames))
			return -EINVAL;
		le32_put(b, rec->stack.id);
		le16_put(b + 4, (uint16_t)rec->stack.depth);
		for (uint32_t i = 0; i < rec->stack.depth; i++) {
			le32_put(b + 6 + 8 * i, rec->stack.frames[i].mod);
			le32_put(b + 10 + 8 * i, rec->stack.frames[i].off);
		}
		return emit(w, TDF_REC_STACK, 0, TDF_STACK_MIN + 8 * rec->stack.depth);
	case TDF_REC_LOSS:
		if (rec->loss.kind != TDF_LOSS_RINGBUF && rec->loss.kind != TDF_LOSS_EXCLUDED)
			return -EINVAL;
		b[0] = rec->loss.kind;
		le32_put(b + 1, rec->loss.cpu);
		le64_put(b + 5, rec->loss.count);
		le64_put(b + 13, rec->loss.from_ns);
		le64_put(b + 21, rec->loss.to_ns);
		ret = emit(w, TDF_REC_LOSS, 0, TDF_LOSS_MIN);
		if (ret)
			return ret;
		if (rec->loss.kind == TDF_LOSS_RINGBUF)
			w->lost += rec->loss.count;
		else
			w->excluded += rec->loss.count;
		return 0;
	case TDF_REC_DROP:
		return add_drop(w, &rec->drop);
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

static int write_index_and_trailer(struct tdf_writer *w)
{
	uint8_t *p = w->out + TDF_BLOCK_HDR_LEN;
	size_t entries = w->index_broken ? 0 : w->index_len;
	size_t payload_len;
	uint64_t index_offset;
	uint8_t trailer[TDF_TRAILER_LEN];
	int ret;

	/* An index too large for one block is left out; the summary is always written. */
	if (entries > (TDF_BLOCK_PAYLOAD_MAX - TDF_INDEX_SUMMARY_LEN) / TDF_INDEX_ENTRY_LEN)
		entries = 0;
	payload_len = TDF_INDEX_SUMMARY_LEN + entries * TDF_INDEX_ENTRY_LEN;
	le32_put(p, w->chunks);
	le32_put(p + 4, (uint32_t)entries);
	le64_put(p + 8, w->drops);
	le64_put(p + 16, w->lost);
	le64_put(p + 24, w->excluded);
	le64_put(p + 32, w->first_ns);
	le64_put(p + 40, w->last_ns);
	p += TDF_INDEX_SUMMARY_LEN;
	for (size_t i = 0; i < entries; i++, p += TDF_INDEX_ENTRY_LEN) {
		le64_put(p, w->index[i].offset);
		le64_put(p + 8, w->index[i].first_ts);
		le64_put(p + 16, w->index[i].last_ts);
		le32_put(p + 24, w->index[i].drops);
	}
	block_header_put(w->out, TDF_BLOCK_INDEX, TDF_FLAG_SKIPPABLE, (uint32_t)payload_len);
	index_offset = w->bytes;
	ret = write_all(w, w->out, TDF_BLOCK_HDR_LEN + payload_len);
	if (ret)
		return ret;

	p = trailer + TDF_BLOCK_HDR_LEN;
	le64_put(p, index_offset);
	le32_put(p + 8, (uint32_t)(TDF_BLOCK_HDR_LEN + payload_len));
	le32_put(p + 12, 0);
	memcpy(p + 16, TDF_TRAILER_MAGIC, 8);
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
