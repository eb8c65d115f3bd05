/* SPDX-License-Identifier: BSD-2-Clause */
/* reader: streams blocks from an fd or memory, validates and decompresses chunks, resyncs. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>

#include <zstd.h>

#include "pktparse.h"
#include "wire.h"

/*
 * The input window must hold one whole block: a block header plus the largest payload any
 * block may carry. That single buffer, the decompressed chunk (TDF_CHUNK_RAW_MAX) and the
 * per-record tables below are all the memory a reader ever holds, whatever the file size.
 */
#define INPUT_CAP ((size_t)TDF_BLOCK_HDR_LEN + TDF_BLOCK_PAYLOAD_MAX)

/*
 * Between blocks the fd window shrinks back to this read-ahead: a report merging many files
 * keeps one reader per file, and a window of INPUT_CAP each would cost 1 MiB per file while
 * only the block being decoded needs it. 64 KiB keeps reads large enough to be cheap.
 */
#define WINDOW_MIN ((size_t)64 << 10)

/*
 * Decoded strings of one record: every on-disk string is a length byte plus its bytes and
 * becomes the bytes plus a NUL, so one record body (<= TDF_RECORD_BODY_MAX) never needs more.
 */
#define STRINGS_CAP ((size_t)TDF_RECORD_BODY_MAX + 1)

#define WHAT_LEN  160
#define ERROR_LEN 512

enum state {
	ST_FILE_HEADER,
	ST_BLOCKS,
	ST_END,
	ST_ERROR,
};

struct tdf_reader {
	char *name;
	enum state state;
	int err;
	char error[ERROR_LEN];
	char what[WHAT_LEN]; /* text of the last TDF_EV_CORRUPT/TRUNCATED */

	/* Input window: data[0..len) holds file bytes from offset base; pos is the next byte. */
	int fd;
	const uint8_t *data;
	uint8_t *own;	/* fd mode: the window buffer, WINDOW_MIN to INPUT_CAP bytes */
	size_t own_cap; /* its size */
	size_t len, pos;
	uint64_t base;
	bool eof;

	/* The current chunk, validated as a whole before its first record is returned. */
	ZSTD_DCtx *dctx;
	uint8_t *raw;
	size_t raw_cap;
	size_t chunk_pos, chunk_end;
	uint64_t chunk_offset;
	struct drop_base base_next; /* for the records chunk_next returns */
	int chunk_err; /* returned once the chunk's records before the problem are out */
	char chunk_err_msg[WHAT_LEN];

	/* Storage behind the pointers of the last returned record. */
	void *items;
	size_t items_cap; /* bytes */
	char *strings;
	size_t strings_used;
	struct tdf_kaddr frames[TDF_STACK_MAX];

	struct tdf_reader_stats stats;

	struct pipe *pipe; /* the read-ahead worker (see pipe_start), or NULL */
};

static void pipe_start(struct tdf_reader *r);
static void pipe_stop(struct tdf_reader *r);

static struct tdf_reader *reader_new(const char *name)
{
	struct tdf_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->fd = -1;
	r->name = strdup(name ? name : "(input)");
	r->strings = malloc(STRINGS_CAP);
	r->dctx = ZSTD_createDCtx();
	if (!r->name || !r->strings || !r->dctx) {
		tdf_reader_close(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

struct tdf_reader *tdf_reader_open_fd(int fd, const char *name)
{
	struct tdf_reader *r;
	struct stat st;

	if (fd < 0) {
		errno = EBADF;
		return NULL;
	}
	r = reader_new(name);
	if (!r)
		return NULL;
	r->own = malloc(WINDOW_MIN);
	r->own_cap = WINDOW_MIN;
	if (!r->own) {
		tdf_reader_close(r);
		errno = ENOMEM;
		return NULL;
	}
	r->fd = fd;
	r->data = r->own;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		pipe_start(r);
	return r;
}

struct tdf_reader *tdf_reader_open_mem(const void *buf, size_t len, const char *name)
{
	struct tdf_reader *r;

	if (!buf && len) {
		errno = EINVAL;
		return NULL;
	}
	r = reader_new(name);
	if (!r)
		return NULL;
	r->data = buf ? buf : (const uint8_t *)"";
	r->len = len;
	r->eof = true;
	pipe_start(r);
	return r;
}

void tdf_reader_close(struct tdf_reader *r)
{
	if (!r)
		return;
	if (r->pipe)
		pipe_stop(r);
	ZSTD_freeDCtx(r->dctx);
	free(r->items);
	free(r->strings);
	free(r->raw);
	free(r->own);
	free(r->name);
	free(r);
}

const char *tdf_reader_error(const struct tdf_reader *r)
{
	return r ? r->error : "";
}

void tdf_reader_stats(const struct tdf_reader *r, struct tdf_reader_stats *st)
{
	if (r && st)
		*st = r->stats;
	else if (st)
		memset(st, 0, sizeof(*st));
}

__attribute__((format(printf, 4, 5))) static int fail(struct tdf_reader *r, int err,
						      uint64_t offset, const char *fmt, ...)
{
	char what[WHAT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->error, sizeof(r->error), "%s: offset %" PRIu64 ": %s", r->name, offset, what);
	r->err = err;
	r->state = ST_ERROR;
	return err;
}

static uint64_t here(const struct tdf_reader *r)
{
	return r->base + r->pos;
}

/*
 * Make n bytes from pos available if the input has them. Returns how many are (< n only at
 * the end of the input) or -errno. n never exceeds INPUT_CAP.
 */
static ssize_t fill(struct tdf_reader *r, size_t n)
{
	/* A large block is behind us: give its window back, keep what was read ahead. */
	if (r->fd >= 0 && r->own_cap > WINDOW_MIN && n <= WINDOW_MIN &&
	    r->len - r->pos <= WINDOW_MIN) {
		uint8_t *small = malloc(WINDOW_MIN);

		if (small) {
			memcpy(small, r->own + r->pos, r->len - r->pos);
			free(r->own);
			r->data = r->own = small;
			r->own_cap = WINDOW_MIN;
			r->base += r->pos;
			r->len -= r->pos;
			r->pos = 0;
		}
	}
	while (r->len - r->pos < n && !r->eof) {
		size_t want = n > WINDOW_MIN ? n : WINDOW_MIN;
		ssize_t got;

		if (r->pos) {
			memmove(r->own, r->own + r->pos, r->len - r->pos);
			r->base += r->pos;
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->own_cap < want) {
			uint8_t *big = realloc(r->own, want);

			if (!big)
				return -ENOMEM;
			r->data = r->own = big;
			r->own_cap = want;
		}
		/* up to the block being read (and the read-ahead), not a whole INPUT_CAP */
		got = read(r->fd, r->own + r->len, want - r->len);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			r->eof = true;
		r->len += (size_t)got;
	}
	return (ssize_t)(r->len - r->pos < n ? r->len - r->pos : n);
}

static bool header_valid(const uint8_t *h)
{
	return memcmp(h, TDF_SYNC, TDF_SYNC_LEN) == 0 &&
	       le32_get(h + 16) == tdf_crc32c(0, h, TDF_BLOCK_HDR_CRC_SPAN) &&
	       le32_get(h + 8) <= TDF_BLOCK_PAYLOAD_MAX;
}

/* Could the n (< TDF_BLOCK_HDR_LEN) bytes at p be the start of a block cut by the input end? */
static bool sync_prefix(const uint8_t *p, size_t n)
{
	return memcmp(p, TDF_SYNC, n < TDF_SYNC_LEN ? n : TDF_SYNC_LEN) == 0;
}

/*
 * Advance pos to the next block header whose sync marker and header CRC check out, or to a
 * tail that could be a block cut short by the end of the input, or to the end.
 */
static int resync(struct tdf_reader *r)
{
	for (;;) {
		ssize_t n = fill(r, TDF_BLOCK_HDR_LEN);
		const uint8_t *t;

		if (n < 0)
			return (int)n;
		if ((size_t)n < TDF_BLOCK_HDR_LEN) {
			while (r->pos < r->len && !sync_prefix(r->data + r->pos, r->len - r->pos))
				r->pos++;
			return 0;
		}
		if (header_valid(r->data + r->pos))
			return 0;
		r->pos++;
		t = memchr(r->data + r->pos, TDF_SYNC[0], r->len - r->pos);
		r->pos = t ? (size_t)(t - r->data) : r->len;
	}
}

static void problem(struct tdf_reader *r, struct tdf_record *rec, uint32_t type, uint64_t offset,
		    uint64_t skipped)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	rec->offset = offset;
	rec->problem.offset = offset;
	rec->problem.skipped = skipped;
	rec->problem.what = r->what;
}

/* ---- record bodies ---- */

static void *items_get(struct tdf_reader *r, size_t count, size_t size)
{
	size_t need = count * size; /* count <= UINT16_MAX, size <= 16: cannot overflow */

	if (need == 0)
		return r->items;
	if (need > r->items_cap) {
		void *n = realloc(r->items, need);
		if (!n)
			return NULL;
		r->items = n;
		r->items_cap = need;
	}
	return r->items;
}

static const char *cur_str(struct tdf_reader *r, struct cursor *c)
{
	uint8_t n = cur_u8(c);
	const uint8_t *p = cur_take(c, n);
	char *s;

	if (!p || r->strings_used + n + 1 > STRINGS_CAP) {
		c->bad = true;
		return "";
	}
	s = r->strings + r->strings_used;
	memcpy(s, p, n);
	s[n] = '\0';
	r->strings_used += n + 1;
	return s;
}

/*
 * One decoder per record type, each the mirror of its encoder in writer.c: the same fields in
 * the same order. A decoder returns 0 or -EBADMSG (reason in why) or -ENOMEM. A body that
 * ends early latches c->bad; the decoder may return 0 at once and decode_body reports the
 * short body. Bodies longer than this version knows are accepted: fields are only ever
 * appended, and a field a later minor version appends is read only when c->left has it.
 */

/* META: u16 count, count x (string key, string value). */
static int meta_decode(struct tdf_reader *r, struct cursor *c, struct tdf_meta *m)
{
	uint32_t count = cur_u16(c);
	struct tdf_kv *kv;

	/* Each pair takes at least its two length bytes. */
	if (c->bad || (uint64_t)count * 2 > c->left) {
		c->bad = true;
		return 0;
	}
	kv = items_get(r, count, sizeof(*kv));
	if (!kv && count)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		kv[i].key = cur_str(r, c);
		kv[i].value = cur_str(r, c);
	}
	m->count = count;
	m->kv = kv;
	return 0;
}

/* CLOCK: u64 boot_ns, u64 real_ns. */
static int clock_decode(struct cursor *c, struct tdf_clock *k)
{
	k->boot_ns = cur_u64(c);
	k->real_ns = cur_u64(c);
	return 0;
}

/* REASONS, STATES: u16 count, count x (u32 value, string name). */
static int names_decode(struct tdf_reader *r, struct cursor *c, struct tdf_names *names)
{
	uint32_t count = cur_u16(c);
	struct tdf_name *nm;

	/* Each entry takes at least a u32 value and a length byte. */
	if (c->bad || (uint64_t)count * 5 > c->left) {
		c->bad = true;
		return 0;
	}
	nm = items_get(r, count, sizeof(*nm));
	if (!nm && count)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		nm[i].value = cur_u32(c);
		nm[i].name = cur_str(r, c);
	}
	names->count = count;
	names->names = nm;
	return 0;
}

/* KMOD: u32 id, string name. */
static int kmod_decode(struct tdf_reader *r, struct cursor *c, struct tdf_kmod *km, char *why)
{
	km->id = cur_u32(c);
	km->name = cur_str(r, c);
	if (!c->bad && (km->id == TDF_MOD_VMLINUX || km->id == TDF_MOD_UNKNOWN)) {
		snprintf(why, WHAT_LEN, "KMOD record uses reserved module id %" PRIu32, km->id);
		return -EBADMSG;
	}
	return 0;
}

/* KSYMS: u32 module id, u16 count, count x (u32 offset, string name). */
static int ksyms_decode(struct tdf_reader *r, struct cursor *c, struct tdf_ksyms *ks)
{
	uint32_t count;
	struct tdf_ksym *sym;

	ks->mod = cur_u32(c);
	count = cur_u16(c);
	/* Each entry takes at least a u32 offset and a length byte. */
	if (c->bad || (uint64_t)count * 5 > c->left) {
		c->bad = true;
		return 0;
	}
	sym = items_get(r, count, sizeof(*sym));
	if (!sym && count)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		sym[i].off = cur_u32(c);
		sym[i].name = cur_str(r, c);
	}
	ks->count = count;
	ks->syms = sym;
	return 0;
}

/* STACK: u32 id, u16 depth, depth x (u32 module id, u32 offset). */
static int stack_decode(struct tdf_reader *r, struct cursor *c, struct tdf_stack *st, char *why)
{
	st->id = cur_u32(c);
	st->depth = cur_u16(c);
	if (c->bad)
		return 0;
	if (st->depth > TDF_STACK_MAX) {
		snprintf(why, WHAT_LEN, "stack depth %" PRIu32 " exceeds the cap %u", st->depth,
			 TDF_STACK_MAX);
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < st->depth; i++) {
		r->frames[i].mod = cur_u32(c);
		r->frames[i].off = cur_u32(c);
	}
	st->frames = r->frames;
	return 0;
}

/* LOSS: u8 kind, u32 cpu, u64 count, u64 from_ns, u64 to_ns. */
static int loss_decode(struct cursor *c, struct tdf_loss *l)
{
	l->kind = cur_u8(c);
	l->cpu = cur_u32(c);
	l->count = cur_u64(c);
	l->from_ns = cur_u64(c);
	l->to_ns = cur_u64(c);
	return 0;
}

/* DROP: both layouts (ELIDED leaves out family..win); the packet bytes stay in the chunk. */
static void drop_get(struct cursor *c, struct tdf_drop *d, uint8_t flags)
{
	bool elided = flags & TDF_REC_FLAG_ELIDED;

	d->seq_no = cur_u64(c);
	d->ts_ns = cur_u64(c);
	d->cpu = cur_u32(c);
	d->pid = cur_u32(c);
	d->tid = cur_u32(c);
	cur_copy(c, d->comm, TDF_COMM_LEN);
	if (!elided) {
		d->family = cur_u8(c);
		d->tcp_flags = cur_u8(c);
	}
	d->state = cur_u8(c);
	d->dir = cur_u8(c);
	if (!elided) {
		cur_copy(c, d->saddr, 16);
		cur_copy(c, d->daddr, 16);
		d->sport = cur_u16(c);
		d->dport = cur_u16(c);
		d->tcp_seq = cur_u32(c);
		d->tcp_ack = cur_u32(c);
		d->win = cur_u16(c);
	}
	d->reason = cur_u32(c);
	d->location.mod = cur_u32(c);
	d->location.off = cur_u32(c);
	d->netns = cur_u32(c);
	d->ifindex = cur_u32(c);
	cur_copy(c, d->ifname, TDF_IFNAME_LEN);
	d->len = cur_u32(c);
	d->stack_id = cur_u32(c);
	d->caplen = cur_u16(c);
	/* the cap before the take: a caplen above it is damage, not a short body */
	if (!c->bad && d->caplen <= TDF_SNAP_MAX)
		d->data = d->caplen ? cur_take(c, d->caplen) : NULL;
	/* 1.1: the owner id follows the packet bytes when the drop has one */
	d->owner = !c->bad && c->left >= 4 ? cur_u32(c) : 0;
}

/* base is the chunk's DELTA base, which each DROP advances. */
static int drop_decode(struct cursor *c, uint8_t flags, struct drop_base *base, struct tdf_drop *d,
		       char *why)
{
	if (flags & ~TDF_REC_FLAGS_DROP_KNOWN) {
		snprintf(why, WHAT_LEN, "DROP record has unknown flag bits 0x%02x",
			 (unsigned)(flags & ~TDF_REC_FLAGS_DROP_KNOWN));
		return -EBADMSG;
	}
	drop_get(c, d, flags);
	if (c->bad)
		return 0;
	if (d->caplen > TDF_SNAP_MAX) {
		snprintf(why, WHAT_LEN, "drop caplen %u exceeds the cap %u", d->caplen,
			 TDF_SNAP_MAX);
		return -EBADMSG;
	}
	if (flags & TDF_REC_FLAG_ELIDED) {
		struct tdf_pkt_fields f;

		if (tdf_pkt_parse(d->data, d->caplen, &f)) {
			snprintf(why, WHAT_LEN,
				 "ELIDED drop's %u packet bytes are not a TCP/IP header",
				 d->caplen);
			return -EBADMSG;
		}
		d->family = f.family;
		d->tcp_flags = f.tcp_flags;
		memcpy(d->saddr, f.saddr, 16);
		memcpy(d->daddr, f.daddr, 16);
		d->sport = f.sport;
		d->dport = f.dport;
		d->tcp_seq = f.tcp_seq;
		d->tcp_ack = f.tcp_ack;
		d->win = f.win;
	}
	/* Unsigned wraparound is the rule: a timestamp may go backwards. */
	if (flags & TDF_REC_FLAG_DELTA) {
		d->seq_no += base->seq;
		d->ts_ns += base->ts;
	}
	*base = (struct drop_base){d->seq_no, d->ts_ns};
	/* Untrusted fixed-size strings come out NUL-terminated whatever the file says. */
	d->comm[TDF_COMM_LEN - 1] = '\0';
	d->ifname[TDF_IFNAME_LEN - 1] = '\0';
	return 0;
}

/* OWNER: u32 id, u32 pid, 16 comm, u64 cgroup. */
static int owner_decode(struct cursor *c, struct tdf_owner *o, char *why)
{
	o->id = cur_u32(c);
	o->pid = cur_u32(c);
	cur_copy(c, o->comm, TDF_COMM_LEN);
	o->cgroup = cur_u64(c);
	o->comm[TDF_COMM_LEN - 1] = '\0';
	if (!c->bad && o->id == 0) {
		snprintf(why, WHAT_LEN, "OWNER record uses reserved id 0");
		return -EBADMSG;
	}
	return 0;
}

/* CGROUP: u64 id, string path, string container. */
static int cgroup_decode(struct tdf_reader *r, struct cursor *c, struct tdf_cgroup *g)
{
	g->id = cur_u64(c);
	g->path = cur_str(r, c);
	g->container = cur_str(r, c);
	return 0;
}

/* NETNS: u32 inode, string name. */
static int netns_decode(struct tdf_reader *r, struct cursor *c, struct tdf_netns *n, char *why)
{
	n->inode = cur_u32(c);
	n->name = cur_str(r, c);
	if (!c->bad && n->inode == 0) {
		snprintf(why, WHAT_LEN, "NETNS record uses reserved inode 0");
		return -EBADMSG;
	}
	return 0;
}

/*
 * Decode one body of a known type into rec. Returns 0, -EBADMSG with a reason in why, or
 * -ENOMEM. flags are the record header's.
 */
static int decode_body(struct tdf_reader *r, uint8_t type, uint8_t flags, const uint8_t *body,
		       size_t len, struct drop_base *base, struct tdf_record *rec, char *why)
{
	struct cursor c;
	int ret;

	cur_init(&c, body, len);
	r->strings_used = 0;
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	switch (type) {
	case TDF_REC_META:
		ret = meta_decode(r, &c, &rec->meta);
		break;
	case TDF_REC_CLOCK:
		ret = clock_decode(&c, &rec->clock);
		break;
	case TDF_REC_REASONS:
	case TDF_REC_STATES:
		ret = names_decode(r, &c, &rec->names);
		break;
	case TDF_REC_KMOD:
		ret = kmod_decode(r, &c, &rec->kmod, why);
		break;
	case TDF_REC_KSYMS:
		ret = ksyms_decode(r, &c, &rec->ksyms);
		break;
	case TDF_REC_STACK:
		ret = stack_decode(r, &c, &rec->stack, why);
		break;
	case TDF_REC_LOSS:
		ret = loss_decode(&c, &rec->loss);
		break;
	case TDF_REC_DROP:
		ret = drop_decode(&c, flags, base, &rec->drop, why);
		break;
	case TDF_REC_OWNER:
		ret = owner_decode(&c, &rec->owner, why);
		break;
	case TDF_REC_CGROUP:
		ret = cgroup_decode(r, &c, &rec->cgroup);
		break;
	case TDF_REC_NETNS:
		ret = netns_decode(r, &c, &rec->netns, why);
		break;
	default:
		snprintf(why, WHAT_LEN, "internal: record type %u has no decoder", type);
		return -EBADMSG;
	}
	if (ret)
		return ret;
	if (c.bad) {
		snprintf(why, WHAT_LEN, "record type %u: body of %zu bytes is too short", type,
			 len);
		return -EBADMSG;
	}
	return 0;
}

static bool rec_type_known(uint8_t type)
{
	return type >= TDF_REC_META && type <= TDF_REC_NETNS;
}

/* ---- blocks ---- */

/*
 * Decompress and check a whole chunk: sizes, zstd frame, every record header and every known
 * body. Returns 0 (chunk ready), -EBADMSG (reason in why) or -ENOMEM.
 */
static int chunk_load(struct tdf_reader *r, const uint8_t *payload, uint32_t payload_len,
		      uint64_t offset, char *why)
{
	uint32_t raw_len, record_count, records = 0;
	const uint8_t *frame;
	size_t frame_len, got, pos = 0;
	unsigned long long content;
	struct tdf_record scratch;
	struct drop_base base = {0, 0};
	int ret;

	r->chunk_pos = r->chunk_end = 0;
	r->chunk_err = 0;
	if (payload_len < TDF_CHUNK_HDR_LEN) {
		snprintf(why, WHAT_LEN, "chunk payload of %" PRIu32 " bytes is shorter than 8",
			 payload_len);
		return -EBADMSG;
	}
	raw_len = le32_get(payload);
	record_count = le32_get(payload + 4);
	frame = payload + TDF_CHUNK_HDR_LEN;
	frame_len = payload_len - TDF_CHUNK_HDR_LEN;
	if (raw_len > TDF_CHUNK_RAW_MAX) {
		snprintf(why, WHAT_LEN, "chunk raw length %" PRIu32 " exceeds the cap %u", raw_len,
			 TDF_CHUNK_RAW_MAX);
		return -EBADMSG;
	}
	content = ZSTD_getFrameContentSize(frame, frame_len);
	if (content == ZSTD_CONTENTSIZE_ERROR) {
		snprintf(why, WHAT_LEN, "chunk payload is not a zstd frame");
		return -EBADMSG;
	}
	if (content == ZSTD_CONTENTSIZE_UNKNOWN) {
		snprintf(why, WHAT_LEN, "zstd frame does not state its content size");
		return -EBADMSG;
	}
	if (content != raw_len) {
		snprintf(why, WHAT_LEN, "zstd content size %llu differs from raw length %" PRIu32,
			 content, raw_len);
		return -EBADMSG;
	}
	got = ZSTD_findFrameCompressedSize(frame, frame_len);
	if (ZSTD_isError(got)) {
		snprintf(why, WHAT_LEN, "zstd frame is cut short or damaged (%s)",
			 ZSTD_getErrorName(got));
		return -EBADMSG;
	}
	if (got != frame_len) {
		snprintf(why, WHAT_LEN, "%zu bytes follow the zstd frame", frame_len - got);
		return -EBADMSG;
	}
	if (raw_len > r->raw_cap || !r->raw) {
		/* Grow by doubling up to the cap: few reallocations, small files stay small. */
		size_t cap = r->raw_cap ? r->raw_cap : 64u << 10;
		uint8_t *n;

		while (cap < raw_len)
			cap *= 2;
		if (cap > TDF_CHUNK_RAW_MAX)
			cap = TDF_CHUNK_RAW_MAX;
		n = realloc(r->raw, cap);
		if (!n)
			return -ENOMEM;
		r->raw = n;
		r->raw_cap = cap;
	}
	got = ZSTD_decompressDCtx(r->dctx, r->raw, raw_len, frame, frame_len);
	if (ZSTD_isError(got)) {
		snprintf(why, WHAT_LEN, "zstd: %s", ZSTD_getErrorName(got));
		return -EBADMSG;
	}
	if (got != raw_len) {
		snprintf(why, WHAT_LEN, "chunk decompressed to %zu bytes, raw length says %" PRIu32,
			 got, raw_len);
		return -EBADMSG;
	}

	while (pos < raw_len) {
		uint8_t type, flags;
		uint16_t body_len;

		if (raw_len - pos < TDF_REC_HDR_LEN) {
			snprintf(why, WHAT_LEN, "record header at chunk byte %zu runs past the end",
				 pos);
			return -EBADMSG;
		}
		type = r->raw[pos];
		flags = r->raw[pos + 1];
		body_len = le16_get(r->raw + pos + 2);
		if (raw_len - pos - TDF_REC_HDR_LEN < body_len) {
			snprintf(why, WHAT_LEN,
				 "record body of %u bytes at chunk byte %zu runs past the end",
				 body_len, pos);
			return -EBADMSG;
		}
		if (rec_type_known(type)) {
			ret = decode_body(r, type, flags, r->raw + pos + TDF_REC_HDR_LEN, body_len,
					  &base, &scratch, why);
			if (ret)
				return ret;
		} else if (!(flags & TDF_REC_FLAG_SKIPPABLE)) {
			/* Records before it are sound and are returned first. */
			r->chunk_err = -ENOTSUP;
			snprintf(r->chunk_err_msg, sizeof(r->chunk_err_msg),
				 "record type %u is not known to this reader (newer tcpdrop?)",
				 type);
			break;
		}
		pos += TDF_REC_HDR_LEN + body_len;
		records++;
	}
	if (!r->chunk_err && records != record_count) {
		snprintf(why, WHAT_LEN, "chunk holds %" PRIu32 " records, its header says %" PRIu32,
			 records, record_count);
		return -EBADMSG;
	}
	r->chunk_end = pos;
	r->chunk_offset = offset;
	r->base_next = (struct drop_base){0, 0};
	r->stats.chunks++;
	return 0;
}

/* Next record of the loaded chunk: 1, 0 when the chunk is used up, or -errno. */
static int chunk_next(struct tdf_reader *r, struct tdf_record *rec)
{
	char why[WHAT_LEN];

	while (r->chunk_pos < r->chunk_end) {
		const uint8_t *h = r->raw + r->chunk_pos;
		uint16_t body_len = le16_get(h + 2);
		int ret;

		r->chunk_pos += TDF_REC_HDR_LEN + body_len;
		if (!rec_type_known(h[0]))
			continue; /* skippable: chunk_load stopped at any that is not */
		ret = decode_body(r, h[0], h[1], h + TDF_REC_HDR_LEN, body_len, &r->base_next, rec,
				  why);
		if (ret)
			return fail(r, ret, r->chunk_offset, "%s",
				    ret == -ENOMEM ? "out of memory" : why);
		rec->offset = r->chunk_offset;
		return 1;
	}
	if (r->chunk_err) {
		int err = r->chunk_err;

		r->chunk_err = 0;
		return fail(r, err, r->chunk_offset, "%s", r->chunk_err_msg);
	}
	return 0;
}

static int read_file_header(struct tdf_reader *r, struct tdf_record *rec)
{
	ssize_t n = fill(r, TDF_FILE_HDR_LEN);
	const uint8_t *h = r->data + r->pos;
	uint16_t major, minor;

	if (n < 0)
		return fail(r, (int)n, 0, "read: %s", strerror((int)-n));
	if ((size_t)n < TDF_FILE_HDR_LEN) {
		if (memcmp(h, TDF_MAGIC, (size_t)n < TDF_MAGIC_LEN ? (size_t)n : TDF_MAGIC_LEN))
			return fail(r, -EBADMSG, 0, "not a tcpdrop trace file");
		snprintf(r->what, sizeof(r->what), "input ends inside the %u-byte file header",
			 TDF_FILE_HDR_LEN);
		problem(r, rec, TDF_EV_TRUNCATED, 0, (uint64_t)n);
		r->stats.truncated = true;
		r->pos += (size_t)n;
		r->state = ST_END;
		return 1;
	}
	if (memcmp(h, TDF_MAGIC, TDF_MAGIC_LEN))
		return fail(r, -EBADMSG, 0, "not a tcpdrop trace file");
	major = le16_get(h + 8);
	minor = le16_get(h + 10);
	if (major == 0)
		return fail(r, -EBADMSG, 8, "format major version 0 does not exist");
	if (major > TDF_VERSION_MAJOR)
		return fail(
		    r, -ENOTSUP, 8,
		    "format version %u.%u is newer than this reader's %u.%u (newer tcpdrop?)",
		    major, minor, TDF_VERSION_MAJOR, TDF_VERSION_MINOR);
	r->pos += TDF_FILE_HDR_LEN;
	r->state = ST_BLOCKS;
	return 0;
}

/* Is there a sound block header among the n input bytes from pos on (past pos itself)? */
static bool header_ahead(const struct tdf_reader *r, size_t n)
{
	for (size_t i = 1; i + TDF_BLOCK_HDR_LEN <= n; i++) {
		const uint8_t *p = r->data + r->pos + i;

		if (p[0] == (uint8_t)TDF_SYNC[0] && header_valid(p))
			return true;
	}
	return false;
}

/* Skip from the damaged block at offset to the next plausible block; report it. */
static int corrupt(struct tdf_reader *r, struct tdf_record *rec, uint64_t offset)
{
	int ret;

	r->pos++;
	ret = resync(r);
	if (ret)
		return fail(r, ret, here(r), "read: %s", strerror(-ret));
	problem(r, rec, TDF_EV_CORRUPT, offset, here(r) - offset);
	r->stats.corrupt++;
	r->stats.skipped_bytes += here(r) - offset;
	return 1;
}

/* A block whose framing is sound but whose content is bad: skip exactly that block. */
static int corrupt_block(struct tdf_reader *r, struct tdf_record *rec, uint64_t offset,
			 size_t block_len)
{
	r->pos += block_len;
	problem(r, rec, TDF_EV_CORRUPT, offset, block_len);
	r->stats.corrupt++;
	r->stats.skipped_bytes += block_len;
	return 1;
}

/*
 * INDEX: the summary, then its chunk entries (which this reader does not need, but which
 * must fit the payload); the mirror of the writer's index_put. 0 or -EBADMSG.
 */
static int index_decode(const uint8_t *payload, uint32_t payload_len, struct tdf_index *ix)
{
	struct cursor c;
	uint32_t entries;

	cur_init(&c, payload, payload_len);
	ix->chunks = cur_u32(&c);
	entries = cur_u32(&c);
	ix->drops = cur_u64(&c);
	ix->lost = cur_u64(&c);
	ix->excluded = cur_u64(&c);
	ix->first_ns = cur_u64(&c);
	ix->last_ns = cur_u64(&c);
	if (c.bad || (uint64_t)entries * TDF_INDEX_ENTRY_LEN > c.left)
		return -EBADMSG;
	return 0;
}

static int read_block(struct tdf_reader *r, struct tdf_record *rec)
{
	uint64_t offset = here(r);
	const uint8_t *h, *payload;
	uint16_t type, flags;
	uint32_t payload_len;
	size_t block_len;
	ssize_t n;
	int ret;

	n = fill(r, TDF_BLOCK_HDR_LEN);
	if (n < 0)
		return fail(r, (int)n, offset, "read: %s", strerror((int)-n));
	if (n == 0) {
		r->state = ST_END;
		return 0;
	}
	h = r->data + r->pos;
	if ((size_t)n < TDF_BLOCK_HDR_LEN) {
		if (sync_prefix(h, (size_t)n))
			goto truncated;
		snprintf(r->what, sizeof(r->what), "%zd stray bytes at the end", n);
		return corrupt(r, rec, offset);
	}
	if (memcmp(h, TDF_SYNC, TDF_SYNC_LEN)) {
		snprintf(r->what, sizeof(r->what), "no block sync marker");
		return corrupt(r, rec, offset);
	}
	if (le32_get(h + 16) != tdf_crc32c(0, h, TDF_BLOCK_HDR_CRC_SPAN)) {
		snprintf(r->what, sizeof(r->what), "block header CRC32C mismatch");
		return corrupt(r, rec, offset);
	}
	type = le16_get(h + 4);
	flags = le16_get(h + 6);
	payload_len = le32_get(h + 8);
	if (payload_len > TDF_BLOCK_PAYLOAD_MAX) {
		snprintf(r->what, sizeof(r->what),
			 "block payload length %" PRIu32 " exceeds the cap %u", payload_len,
			 TDF_BLOCK_PAYLOAD_MAX);
		return corrupt(r, rec, offset);
	}
	block_len = TDF_BLOCK_HDR_LEN + (size_t)payload_len;
	n = fill(r, block_len);
	if (n < 0)
		return fail(r, (int)n, offset, "read: %s", strerror((int)-n));
	h = r->data + r->pos; /* fill may have moved the window */
	if ((size_t)n < block_len) {
		/*
		 * A sound header further on means this one is not a last block cut short but a
		 * stray header (say, inside a damaged block): skip to that one instead of stopping.
		 */
		if (header_ahead(r, (size_t)n)) {
			snprintf(
			    r->what, sizeof(r->what),
			    "block length runs past the end of the input, yet a block follows");
			return corrupt(r, rec, offset);
		}
		goto truncated;
	}
	payload = h + TDF_BLOCK_HDR_LEN;
	if (le32_get(h + 12) != tdf_crc32c(0, payload, payload_len)) {
		snprintf(r->what, sizeof(r->what), "block payload CRC32C mismatch");
		return corrupt(r, rec, offset);
	}

	switch (type) {
	case TDF_BLOCK_CHUNK:
		ret = chunk_load(r, payload, payload_len, offset, r->what);
		if (ret == -ENOMEM)
			return fail(r, ret, offset, "out of memory");
		if (ret)
			return corrupt_block(r, rec, offset, block_len);
		r->pos += block_len;
		return 0;
	case TDF_BLOCK_INDEX:
		memset(rec, 0, sizeof(*rec));
		rec->type = TDF_EV_INDEX;
		rec->offset = offset;
		if (index_decode(payload, payload_len, &rec->index)) {
			snprintf(r->what, sizeof(r->what),
				 "index of %" PRIu32 " bytes is too short for its contents",
				 payload_len);
			return corrupt_block(r, rec, offset, block_len);
		}
		r->pos += block_len;
		return 1;
	case TDF_BLOCK_TRAILER:
		if (payload_len != TDF_TRAILER_PAYLOAD_LEN ||
		    memcmp(payload + 16, TDF_TRAILER_MAGIC, 8)) {
			snprintf(r->what, sizeof(r->what), "malformed trailer");
			return corrupt_block(r, rec, offset, block_len);
		}
		r->stats.clean_close = true;
		r->pos += block_len;
		return 0;
	default:
		if (!(flags & TDF_FLAG_SKIPPABLE))
			return fail(r, -ENOTSUP, offset,
				    "block type %u is not known to this reader (newer tcpdrop?)",
				    type);
		r->pos += block_len;
		return 0;
	}

truncated:
	snprintf(r->what, sizeof(r->what), "input ends inside a block (%zd of its bytes present)",
		 n);
	problem(r, rec, TDF_EV_TRUNCATED, offset, (uint64_t)n);
	r->stats.truncated = true;
	r->pos += (size_t)n;
	r->state = ST_END;
	return 1;
}

/* ---- read-ahead: a worker thread loads the next chunk while the caller decodes this one ---- */

/*
 * Chunks are independent zstd frames, so the block layer (read, CRC32C, decompress, check every
 * record of the chunk) runs one chunk ahead in a worker thread, on a reader of its own (q->p,
 * which owns the input and the state machine above). The caller's reader only decodes the
 * records of the chunk it holds; chunks and the events between them (damage, index, end,
 * error) reach it through one queue, in file order, so records, damage and resync come out
 * exactly as without the worker. Two chunk buffers in all, one being decoded and one being
 * loaded: with one more zstd context and string table, still within a synchronous reader's
 * cap (tests/unit/test_hostile.c, READER_HEAP_MAX).
 */
#define PIPE_ITEMS 4 /* a chunk, or a few problems between two chunks */
#define PIPE_BUFS  2

/* Readers that may have a worker at once: the CPUs beside the caller's, at most this. */
#define PIPE_READERS_MAX 8

enum item_kind {
	IT_CHUNK,
	IT_RECORD, /* TDF_EV_CORRUPT, TDF_EV_TRUNCATED or TDF_EV_INDEX */
	IT_END,
	IT_ERROR,
};

struct item {
	enum item_kind kind;
	struct tdf_reader_stats stats; /* the worker's, once this item was made */
	uint8_t *raw;		       /* IT_CHUNK: the loaded chunk, handed over */
	size_t raw_cap, chunk_end;
	uint64_t chunk_offset;
	int chunk_err;
	char chunk_err_msg[WHAT_LEN];
	struct tdf_record rec; /* IT_RECORD; problem.what is re-pointed at the caller's what */
	char what[WHAT_LEN];
	int err; /* IT_ERROR */
	char error[ERROR_LEN];
};

struct pipe {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* an item queued or taken, a buffer returned, stop */
	struct tdf_reader *p;
	struct item items[PIPE_ITEMS];
	struct item work; /* the worker's item being made */
	unsigned head, count;
	uint8_t *spare[PIPE_BUFS];
	size_t spare_cap[PIPE_BUFS];
	unsigned nspare;
	unsigned bufs; /* chunk buffers in existence (the worker's count) */
	bool started, stop;
	uint8_t *held; /* the caller's: the chunk being decoded */
	size_t held_cap;
};

static atomic_int pipes_running;

static int pipe_readers_max(void)
{
	static int max = -1;
	const char *env;
	cpu_set_t set;
	int n;

	if (max >= 0)
		return max;
	/* TDF_READER_THREADS=0 reads synchronously (comparisons, debugging) */
	env = getenv("TDF_READER_THREADS");
	if (env && *env >= '0' && *env <= '9' && !env[1]) {
		max = *env - '0';
		return max;
	}
	n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
	max = n - 1 < PIPE_READERS_MAX ? n - 1 : PIPE_READERS_MAX;
	return max;
}

static void pipe_push(struct pipe *q, const struct item *it)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == PIPE_ITEMS && !q->stop)
		pthread_cond_wait(&q->cond, &q->lock);
	if (q->stop) {
		/* nobody takes it: keep its buffer for close to free */
		if (it->raw) {
			q->spare[q->nspare] = it->raw;
			q->spare_cap[q->nspare++] = it->raw_cap;
		}
	} else {
		q->items[(q->head + q->count) % PIPE_ITEMS] = *it;
		q->count++;
		pthread_cond_broadcast(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
}

static void *pipe_main(void *arg)
{
	struct pipe *q = arg;
	struct tdf_reader *p = q->p;
	struct item *it = &q->work;
	bool done = false;

	pthread_mutex_lock(&q->lock);
	q->started = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	while (!done) {
		uint64_t chunks = p->stats.chunks;
		bool had_raw;
		int ret = 0;

		/* a buffer to load the next chunk into before reading on */
		pthread_mutex_lock(&q->lock);
		while (!q->stop && !p->raw && !q->nspare && q->bufs == PIPE_BUFS)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->stop && !p->raw && q->nspare) {
			p->raw = q->spare[--q->nspare];
			p->raw_cap = q->spare_cap[q->nspare];
		}
		done = q->stop;
		pthread_mutex_unlock(&q->lock);
		if (done)
			break;
		memset(it, 0, offsetof(struct item, rec));
		had_raw = p->raw != NULL;
		switch (p->state) {
		case ST_FILE_HEADER:
			ret = read_file_header(p, &it->rec);
			break;
		case ST_BLOCKS:
			ret = read_block(p, &it->rec);
			break;
		case ST_END:
			it->kind = IT_END;
			done = true;
			break;
		case ST_ERROR:
			it->kind = IT_ERROR;
			it->err = p->err;
			memcpy(it->error, p->error, sizeof(it->error));
			done = true;
			break;
		}
		if (!had_raw && p->raw)
			q->bufs++; /* chunk_load allocated it */
		if (!done) {
			if (ret == 1) {
				it->kind = IT_RECORD;
				memcpy(it->what, p->what, sizeof(it->what));
			} else if (p->stats.chunks != chunks) {
				it->kind = IT_CHUNK;
				it->raw = p->raw;
				it->raw_cap = p->raw_cap;
				it->chunk_end = p->chunk_end;
				it->chunk_offset = p->chunk_offset;
				it->chunk_err = p->chunk_err;
				memcpy(it->chunk_err_msg, p->chunk_err_msg,
				       sizeof(it->chunk_err_msg));
				p->raw = NULL;
				p->raw_cap = 0;
				/* the caller stops at a must-understand record it does not know */
				done = it->chunk_err != 0;
			} else {
				continue; /* file header, trailer, skipped block, error */
			}
		}
		it->stats = p->stats;
		pipe_push(q, it);
	}
	return NULL;
}

/* The caller's side: the next item in file order. 1 with rec, 0 to go on, -errno. */
static int pipe_next(struct tdf_reader *r, struct tdf_record *rec)
{
	struct pipe *q = r->pipe;
	struct item *it;

	pthread_mutex_lock(&q->lock);
	if (q->held) {
		/* the records of the chunk before are used up: its buffer goes back */
		q->spare[q->nspare] = q->held;
		q->spare_cap[q->nspare++] = q->held_cap;
		q->held = NULL;
		r->raw = NULL;
		r->raw_cap = 0;
		pthread_cond_broadcast(&q->cond);
	}
	while (!q->count)
		pthread_cond_wait(&q->cond, &q->lock);
	it = &q->items[q->head];
	pthread_mutex_unlock(&q->lock);

	/* the worker does not touch a queued item: read it, then free its slot */
	r->stats = it->stats;
	switch (it->kind) {
	case IT_CHUNK:
		r->raw = q->held = it->raw;
		r->raw_cap = q->held_cap = it->raw_cap;
		r->chunk_pos = 0;
		r->chunk_end = it->chunk_end;
		r->chunk_offset = it->chunk_offset;
		r->chunk_err = it->chunk_err;
		memcpy(r->chunk_err_msg, it->chunk_err_msg, sizeof(r->chunk_err_msg));
		r->base_next = (struct drop_base){0, 0};
		rec = NULL;
		break;
	case IT_RECORD:
		*rec = it->rec;
		memcpy(r->what, it->what, sizeof(r->what));
		if (rec->type == TDF_EV_CORRUPT || rec->type == TDF_EV_TRUNCATED)
			rec->problem.what = r->what;
		break;
	case IT_END:
		r->state = ST_END;
		rec = NULL;
		break;
	case IT_ERROR:
		r->err = it->err;
		memcpy(r->error, it->error, sizeof(r->error));
		r->state = ST_ERROR;
		rec = NULL;
		break;
	}
	pthread_mutex_lock(&q->lock);
	q->head = (q->head + 1) % PIPE_ITEMS;
	q->count--;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	return rec ? 1 : r->state == ST_ERROR ? r->err : 0;
}

/*
 * Hand r's input to a worker (regular files and memory buffers: a pipe may block the worker
 * forever in read(), and a live stream needs no read-ahead). Without a CPU to spare, with
 * TDF_READER_THREADS=0 or when anything fails, r stays synchronous.
 */
static void pipe_start(struct tdf_reader *r)
{
	struct pipe *q;
	struct tdf_reader *p;

	if (atomic_fetch_add(&pipes_running, 1) >= pipe_readers_max())
		goto undo;
	q = calloc(1, sizeof(*q));
	p = q ? reader_new(r->name) : NULL;
	if (!p)
		goto fail;
	q->p = p;
	p->fd = r->fd;
	p->data = r->data;
	p->own = r->own;
	p->own_cap = r->own_cap;
	p->len = r->len;
	p->eof = r->eof;
	if (pthread_mutex_init(&q->lock, NULL))
		goto fail;
	if (pthread_cond_init(&q->cond, NULL))
		goto fail_lock;
	if (pthread_create(&q->thread, NULL, pipe_main, q))
		goto fail_cond;
	/*
	 * The new thread's own start-up (rseq, set_robust_list) is done once it runs: a seccomp
	 * filter the caller loads later (tcpdrop-report's, synced to all threads) need not allow
	 * those.
	 */
	pthread_mutex_lock(&q->lock);
	while (!q->started)
		pthread_cond_wait(&q->cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
	r->own = NULL;
	r->data = NULL;
	r->len = 0;
	r->pipe = q;
	r->state = ST_BLOCKS; /* the worker reads the file header */
	ZSTD_freeDCtx(r->dctx);
	r->dctx = NULL;
	return;

fail_cond:
	pthread_cond_destroy(&q->cond);
fail_lock:
	pthread_mutex_destroy(&q->lock);
fail:
	if (p)
		p->own = NULL; /* still r's */
	tdf_reader_close(p);
	free(q);
undo:
	atomic_fetch_sub(&pipes_running, 1);
}

static void pipe_stop(struct tdf_reader *r)
{
	struct pipe *q = r->pipe;

	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_broadcast(&q->cond);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	for (unsigned i = 0; i < q->count; i++)
		free(q->items[(q->head + i) % PIPE_ITEMS].raw);
	for (unsigned i = 0; i < q->nspare; i++)
		free(q->spare[i]);
	if (r->raw == q->held)
		r->raw = NULL;
	free(q->held);
	tdf_reader_close(q->p);
	pthread_cond_destroy(&q->cond);
	pthread_mutex_destroy(&q->lock);
	free(q);
	r->pipe = NULL;
	atomic_fetch_sub(&pipes_running, 1);
}

int tdf_reader_next(struct tdf_reader *r, struct tdf_record *rec)
{
	int ret;

	if (!r || !rec)
		return -EINVAL;
	for (;;) {
		switch (r->state) {
		case ST_ERROR:
			return r->err;
		case ST_END:
			return 0;
		case ST_FILE_HEADER:
			ret = read_file_header(r, rec);
			if (ret)
				return ret;
			break;
		case ST_BLOCKS:
			ret = chunk_next(r, rec);
			if (ret)
				return ret;
			ret = r->pipe ? pipe_next(r, rec) : read_block(r, rec);
			if (ret)
				return ret;
			break;
		}
	}
}
