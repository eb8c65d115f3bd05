// SPDX-License-Identifier: BSD-2-Clause
/* json: one JSON object per drop or loss, one per line. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../explain.h"
#include "../lbuf.h"
#include "../stacktext.h"
#include "../views.h"

/* A stack is an array of strings: frames between the brackets, comma-separated. */
static const struct rpt_frame_style json_frames = {.json = true, .between = ","};

/* A string field of at most n bytes as JSON: 6 bytes per byte at worst ("\u00XX"), quoted. */
#define JSON_STR_MAX(n) (6u * (n) + 2u)
/*
 * The longest line but its stack: keys, numbers, time and addresses (under 1 KiB) and every
 * string at its cap: host, state, reason, container and netns name (TDF_NAME_MAX), comm,
 * ifname and owner comm, the cgroup path, the why line and the location (one frame of at
 * most 600 symbol bytes, report/stacktext.c). A line starts only with this much room left.
 */
#define JSON_LINE_MAX                                                                              \
	(1024u + 5u * JSON_STR_MAX(TDF_NAME_MAX) + 3u * JSON_STR_MAX(TDF_COMM_LEN) +               \
	 JSON_STR_MAX(RPT_TEXT_PATH_MAX) + JSON_STR_MAX(RPT_EXPLAIN_LINE_MAX) +                    \
	 JSON_STR_MAX(600u))
/* What follows the stack: "]", the why key and "}\n". */
#define JSON_TAIL_MAX (16u + JSON_STR_MAX(RPT_EXPLAIN_LINE_MAX))
/*
 * Lines are collected and handed to stdio in blocks of this size: one fwrite and one error
 * check per few hundred drops instead of per drop, and blocks larger than stdio's buffer go
 * to write(2) mostly without being copied again.
 */
#define JSON_BLOCK_SIZE (512u << 10)

struct json {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct rpt_stacktext *frames;
	bool explain; /* cfg->explain: a last key "why" */
	/* Each line goes out when written (a live view, or a terminal someone reads): else the
	 * lines wait in blk until it is full or the run ends. */
	bool per_line;
	struct rpt_lbuf blk;
	char *blk_mem;
	/* The last drop's second: its ISO time up to the '.' (0: not well-formed, rendered per
	 * drop) and its decimal digits, the ts_ns digits before the nine of the nanoseconds. */
	bool have_secs;
	uint64_t secs;
	char secs_iso[64];
	size_t secs_iso_len;
	char secs_dec[24];
	size_t secs_dec_len;
	/* The TCP flags as text, rendered the first time each combination is seen. */
	char flags_txt[256][32];
	uint8_t flags_len[256]; /* 0: not rendered yet ("" renders as length 0 every time) */
	/* "0." .. "255.": a dotted quad is four of these, the last dot dropped. */
	char octet[256][4];
	uint8_t octet_len[256];
};

/* A JSON string with quotes into b, escaped in place (the loss line's checked appends). */
static void lbuf_json(struct rpt_lbuf *b, const char *s, size_t maxlen)
{
	size_t room, need;

	rpt_lbuf_chr(b, '"');
	room = b->cap - b->len;
	need = rpt_json_escape(b->p + b->len, room, s, maxlen);
	if (need < room)
		b->len += need;
	else
		b->over = true;
	rpt_lbuf_chr(b, '"');
}

/*
 * A drop's line is written through a cursor p (report/lbuf.h) after blk_room() made sure
 * JSON_LINE_MAX bytes are left; only the stack is measured on its own. Strings are still
 * escaped against the block's end: if the bound were ever wrong, the line is dropped with
 * -EOVERFLOW rather than written past the end.
 */
struct line {
	char *p;
	const char *end;
	bool over;
};

/* A JSON string with quotes. */
static void put_str(struct line *l, const char *s, size_t maxlen)
{
	size_t room = (size_t)(l->end - l->p) - 2, need;

	*l->p++ = '"';
	need = rpt_json_escape(l->p, room, s, maxlen);
	if (need >= room) {
		l->over = true;
		need = room ? room - 1 : 0;
	}
	l->p += need;
	*l->p++ = '"';
}

/* A string, or null when s is NULL. */
static void put_opt(struct line *l, const char *s, size_t maxlen)
{
	if (s)
		put_str(l, s, maxlen);
	else
		l->p = RPT_LBUF_PUT_LIT(l->p, "null");
}

/*
 * The ISO time and ts_ns: "2026-...T21:06:41.000001570Z","ts_ns":1795900001000001570. The
 * second's ISO text and digits are cached; the nine digits of the nanoseconds serve both.
 */
#define ISO_COPY 32u /* "2026-11-28T21:06:41." is 20 bytes; a year past 9999 renders per drop */

static char *put_time(struct json *j, char *p, uint64_t real_ns)
{
	static const char zero_frac[] = ".000000000Z";
	uint64_t secs = real_ns / 1000000000u;
	char ns9[9], tmp[24], *q;
	size_t n;

	if (!j->have_secs || j->secs != secs) {
		rpt_fmt_iso_utc(secs * 1000000000u, j->secs_iso, sizeof(j->secs_iso));
		j->secs = secs;
		j->have_secs = true;
		n = strlen(j->secs_iso);
		/* Only a well-formed time gets its nanoseconds filled in here. */
		j->secs_iso_len =
		    n >= sizeof(zero_frac) - 1 && n - (sizeof(zero_frac) - 2) <= ISO_COPY &&
			    strcmp(j->secs_iso + n - (sizeof(zero_frac) - 1), zero_frac) == 0
			? n - (sizeof(zero_frac) - 2) /* up to and with the '.' */
			: 0;
		q = rpt_lbuf_fmt_u64(tmp, secs);
		j->secs_dec_len = secs ? (size_t)(tmp + 24 - q) : 0;
		memcpy(j->secs_dec, q, j->secs_dec_len);
	}
	rpt_lbuf_fmt_9digits(ns9, (uint32_t)(real_ns % 1000000000u));
	if (j->secs_iso_len) {
		/* Copies of a fixed size (a few stores, no call), advanced by the real length. */
		memcpy(p, j->secs_iso, ISO_COPY);
		p += j->secs_iso_len;
		p = rpt_lbuf_put_mem(p, ns9, sizeof(ns9));
		*p++ = 'Z';
	} else {
		char buf[64];

		rpt_fmt_iso_utc(real_ns, buf, sizeof(buf));
		p = rpt_lbuf_put_mem(p, buf, strlen(buf));
	}
	p = RPT_LBUF_PUT_LIT(p, "\",\"ts_ns\":");
	if (j->secs_dec_len) {
		memcpy(p, j->secs_dec, sizeof(j->secs_dec));
		p += j->secs_dec_len;
		return rpt_lbuf_put_mem(p, ns9, sizeof(ns9));
	}
	return rpt_lbuf_put_u64(p, real_ns);
}

/* An address (at most INET6_ADDRSTRLEN - 1 bytes): IPv4 from the octet table. */
static char *put_addr(const struct json *j, char *p, uint8_t family, const uint8_t addr[16])
{
	int i;

	if (family == 4) {
		/* Four 4-byte copies, each advanced by its octet's length: no branch per digit. */
		for (i = 0; i < 4; i++) {
			memcpy(p, j->octet[addr[i]], 4);
			p += j->octet_len[addr[i]];
		}
		return p - 1;
	}
	rpt_fmt_addr(family, addr, p, 48);
	return p + strlen(p);
}

static char *put_flags(struct json *j, char *p, uint8_t flags)
{
	if (!j->flags_len[flags]) {
		rpt_fmt_flags(flags, j->flags_txt[flags], sizeof(j->flags_txt[flags]));
		j->flags_len[flags] = (uint8_t)strlen(j->flags_txt[flags]);
	}
	memcpy(p, j->flags_txt[flags], sizeof(j->flags_txt[flags]));
	return p + j->flags_len[flags];
}

/* owner_pid, owner_comm, cgroup, container (null without an owner), netns_name. */
static void put_owner(struct line *l, const struct rpt_drop *rd)
{
	const struct rpt_owner *o = rd->owner;

	if (o) {
		l->p = RPT_LBUF_PUT_LIT(l->p, ",\"owner_pid\":");
		l->p = rpt_lbuf_put_u32(l->p, o->pid);
		l->p = RPT_LBUF_PUT_LIT(l->p, ",\"owner_comm\":");
		put_str(l, o->comm, TDF_COMM_LEN);
	} else {
		l->p = RPT_LBUF_PUT_LIT(l->p, ",\"owner_pid\":null,\"owner_comm\":null");
	}
	l->p = RPT_LBUF_PUT_LIT(l->p, ",\"cgroup\":");
	put_opt(l, o ? o->cgroup_path : NULL, RPT_TEXT_PATH_MAX);
	l->p = RPT_LBUF_PUT_LIT(l->p, ",\"container\":");
	put_opt(l, o ? o->container : NULL, TDF_NAME_MAX);
	l->p = RPT_LBUF_PUT_LIT(l->p, ",\"netns_name\":");
	put_opt(l, rd->netns_name, TDF_NAME_MAX);
}

/* Hand the block to stdio; with push also fflush (a live view). 0 or the write's -errno. */
static int blk_flush(struct json *j, bool push)
{
	int rc = rpt_lbuf_flush(&j->blk, j->out);

	if (rc)
		return rc == -E2BIG ? -EOVERFLOW : rc; /* cannot happen: lines are bounded */
	return rpt_out_status(j->out, push);
}

/* Room for one more line of at most JSON_LINE_MAX bytes (but its stack). */
static int blk_room(struct json *j)
{
	return j->blk.cap - j->blk.len < JSON_LINE_MAX ? blk_flush(j, false) : 0;
}

/* After a line: out now when each line must be seen at once, else with the block. */
static int line_done(struct json *j, size_t start)
{
	if (j->blk.over) {
		j->blk.len = start; /* the line alone is lost, the ones before stay */
		j->blk.over = false;
		return -EOVERFLOW; /* cannot happen: fields are bounded */
	}
	return j->per_line ? blk_flush(j, j->o.flush) : 0;
}

/* The stack's frames: into the line when they fit in the block, else the line so far and
 * the frames go out first. */
static int put_stack(struct json *j, struct line *l, size_t *start, const char *text, size_t len)
{
	struct rpt_lbuf *b = &j->blk;
	int rc;

	if (len + JSON_TAIL_MAX > (size_t)(l->end - l->p) && !l->over) {
		rpt_lbuf_commit(b, l->p);
		rc = blk_flush(j, false);
		if (rc)
			return rc;
		*start = 0;
		l->p = rpt_lbuf_end(b);
		if (len + JSON_TAIL_MAX > b->cap) {
			if (fwrite(text, 1, len, j->out) != len)
				return rpt_out_status(j->out, false);
			return 0;
		}
	}
	if (len + JSON_TAIL_MAX > (size_t)(l->end - l->p)) {
		l->over = true;
		return 0;
	}
	l->p = rpt_lbuf_put_mem(l->p, text, len);
	return 0;
}

static int json_drop(void *ctx, const struct rpt_drop *rd)
{
	struct json *j = ctx;
	const struct tdf_drop *d = rd->d;
	struct rpt_lbuf *b = &j->blk;
	const char *text;
	struct line l;
	size_t len, start;
	int rc;

	rc = blk_room(j);
	if (rc)
		return rc;
	start = b->len;
	l = (struct line){.p = rpt_lbuf_end(b), .end = b->p + b->cap};
	l.p = RPT_LBUF_PUT_LIT(l.p, "{\"type\":\"drop\",\"time\":\"");
	l.p = put_time(j, l.p, rd->real_ns);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"host\":");
	put_str(&l, rd->host, TDF_NAME_MAX);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"cpu\":");
	l.p = rpt_lbuf_put_u32(l.p, d->cpu);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"pid\":");
	l.p = rpt_lbuf_put_u32(l.p, d->pid);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"tid\":");
	l.p = rpt_lbuf_put_u32(l.p, d->tid);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"comm\":");
	put_str(&l, d->comm, TDF_COMM_LEN);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"family\":");
	l.p = rpt_lbuf_put_u32(l.p, d->family);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"saddr\":\"");
	l.p = put_addr(j, l.p, d->family, d->saddr);
	l.p = RPT_LBUF_PUT_LIT(l.p, "\",\"sport\":");
	l.p = rpt_lbuf_put_u32(l.p, d->sport);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"daddr\":\"");
	l.p = put_addr(j, l.p, d->family, d->daddr);
	l.p = RPT_LBUF_PUT_LIT(l.p, "\",\"dport\":");
	l.p = rpt_lbuf_put_u32(l.p, d->dport);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"flags\":\"");
	l.p = put_flags(j, l.p, d->tcp_flags);
	l.p = RPT_LBUF_PUT_LIT(l.p, "\",\"seq\":");
	l.p = rpt_lbuf_put_u32(l.p, d->tcp_seq);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"ack\":");
	l.p = rpt_lbuf_put_u32(l.p, d->tcp_ack);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"win\":");
	l.p = rpt_lbuf_put_u32(l.p, d->win);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"state\":");
	put_opt(&l, rd->state, TDF_NAME_MAX);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"reason\":");
	put_str(&l, rd->reason, TDF_NAME_MAX);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"reason_code\":");
	l.p = rpt_lbuf_put_u32(l.p, d->reason);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"location\":");
	text = rpt_stacktext_addr(j->frames, rd->file, d->location, &len);
	if (!text)
		goto fail;
	if (len > JSON_STR_MAX(600u))
		l.over = true; /* cannot happen: one frame (report/stacktext.c) */
	else
		l.p = rpt_lbuf_put_mem(l.p, text, len);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"netns\":");
	l.p = rpt_lbuf_put_u32(l.p, d->netns);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"ifindex\":");
	l.p = rpt_lbuf_put_u32(l.p, d->ifindex);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"ifname\":");
	put_str(&l, d->ifname, TDF_IFNAME_LEN);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"len\":");
	if (rd->ip_len)
		l.p = rpt_lbuf_put_u32(l.p, rd->ip_len);
	else
		l.p = RPT_LBUF_PUT_LIT(l.p, "null");
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"caplen\":");
	l.p = rpt_lbuf_put_u32(l.p, d->caplen);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"skb_len\":");
	l.p = rpt_lbuf_put_u32(l.p, d->len);
	put_owner(&l, rd);
	l.p = RPT_LBUF_PUT_LIT(l.p, ",\"stack\":[");
	if (!j->o.no_stack && rd->stack) {
		text = rpt_stacktext_stack(j->frames, rd->file, rd->stack, &len);
		if (!text)
			goto fail;
		rc = put_stack(j, &l, &start, text, len);
		if (rc)
			return rc;
	}
	*l.p++ = ']';
	if (j->explain) {
		char why[RPT_EXPLAIN_LINE_MAX];

		rpt_explain_drop(rd, why, sizeof(why));
		l.p = RPT_LBUF_PUT_LIT(l.p, ",\"why\":");
		put_str(&l, why, sizeof(why));
	}
	l.p = RPT_LBUF_PUT_LIT(l.p, "}\n");
	rpt_lbuf_commit(b, l.p);
	b->over = l.over;
	return line_done(j, start);
fail:
	rc = -errno;
	b->len = start;
	return rc;
}

static int json_loss(void *ctx, const struct rpt_loss *l)
{
	struct json *j = ctx;
	struct rpt_lbuf *b = &j->blk;
	char from[64], to[64];
	size_t start;
	int rc;

	if (l->kind != TDF_LOSS_RINGBUF)
		return 0;
	rc = blk_room(j);
	if (rc)
		return rc;
	start = b->len;
	rpt_lbuf_str(b, "{\"type\":\"lost\",\"count\":");
	rpt_lbuf_u64(b, l->count);
	rpt_lbuf_str(b, ",\"from\":\"");
	rpt_lbuf_str(b, rpt_fmt_iso_utc(l->from_real_ns, from, sizeof(from)));
	rpt_lbuf_str(b, "\",\"to\":\"");
	rpt_lbuf_str(b, rpt_fmt_iso_utc(l->to_real_ns, to, sizeof(to)));
	rpt_lbuf_str(b, "\",\"host\":");
	lbuf_json(b, l->host, TDF_NAME_MAX);
	rpt_lbuf_mem(b, "}\n", 2);
	return line_done(j, start);
}

static int json_finish(void *ctx)
{
	struct json *j = ctx;

	return blk_flush(j, true);
}

static void json_close(void *ctx)
{
	struct json *j = ctx;

	/* A run that stopped early (a sink error, no finish): the lines before it still go out,
	 * as they did when each line was written at once. */
	if (j->blk.len && !j->blk.over)
		(void)rpt_lbuf_flush(&j->blk, j->out);
	rpt_stacktext_free(j->frames);
	free(j->blk_mem);
	free(j);
}

static const struct rpt_sink_ops json_ops = {
    .drop = json_drop,
    .loss = json_loss,
    .finish = json_finish,
    .close = json_close,
};

struct rpt_sink *rpt_json_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct json *j = calloc(1, sizeof(*j));
	int fd;
	unsigned v;

	if (!j)
		return NULL;
	j->out = out;
	if (cfg) {
		j->o = cfg->o;
		j->explain = cfg->explain;
	}
	fd = fileno(out);
	j->per_line = j->o.flush || (fd >= 0 && isatty(fd));
	for (v = 0; v < 256; v++) {
		char tmp[24], *q = rpt_lbuf_fmt_u64(tmp, v);

		j->octet_len[v] = (uint8_t)(tmp + 24 - q + 1);
		memcpy(j->octet[v], q, j->octet_len[v] - 1u);
		j->octet[v][j->octet_len[v] - 1] = '.';
	}
	j->blk_mem = malloc(JSON_BLOCK_SIZE);
	j->frames = rpt_stacktext_new(&json_frames);
	if (!j->blk_mem || !j->frames) {
		rpt_stacktext_free(j->frames);
		free(j->blk_mem);
		free(j);
		return NULL;
	}
	rpt_lbuf_init(&j->blk, j->blk_mem, JSON_BLOCK_SIZE);
	j->sink.ops = &json_ops;
	j->sink.ctx = j;
	return &j->sink;
}
