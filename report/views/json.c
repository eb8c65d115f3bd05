// SPDX-License-Identifier: BSD-2-Clause
/* json: one JSON object per drop or loss, one per line. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../explain.h"
#include "../lbuf.h"
#include "../stacktext.h"
#include "../views.h"

/* A stack is an array of strings: frames between the brackets, comma-separated. */
static const struct rpt_frame_style json_frames = {.json = true, .between = ","};

struct json {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct rpt_stacktext *frames;
	bool explain; /* cfg->explain: a last key "why" */
	/* The ISO time of the last drop's second, its nanoseconds left to fill in. */
	bool have_secs;
	uint64_t secs;
	char secs_buf[64];
	size_t secs_len; /* strlen(secs_buf), 0 when it is not "...SS.000000000Z" */
	/* The TCP flags as text, rendered the first time each combination is seen. */
	char flags_txt[256][32];
	uint8_t flags_len[256]; /* 0: not rendered yet ("" renders as length 0 every time) */
};

static void put_key_str(FILE *out, const char *key, const char *val, size_t maxlen)
{
	fprintf(out, ",\"%s\":", key);
	rpt_fput_json(out, val, maxlen);
}

/* A JSON string with quotes into b, escaped in place. */
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

static void lbuf_key_str(struct rpt_lbuf *b, const char *key, const char *val, size_t maxlen)
{
	rpt_lbuf_str(b, key);
	lbuf_json(b, val, maxlen);
}

static void lbuf_key_u64(struct rpt_lbuf *b, const char *key, uint64_t v)
{
	rpt_lbuf_str(b, key);
	rpt_lbuf_u64(b, v);
}

/* The ISO time into the line: the cached second with the nanoseconds filled in. */
static void lbuf_time(struct json *j, struct rpt_lbuf *b, uint64_t real_ns)
{
	static const char zero_frac[] = ".000000000Z";
	uint64_t secs = real_ns / 1000000000u;
	size_t n, start;
	char tmp[24], *q;

	if (!j->have_secs || j->secs != secs) {
		rpt_fmt_iso_utc(secs * 1000000000u, j->secs_buf, sizeof(j->secs_buf));
		j->secs = secs;
		j->have_secs = true;
		n = strlen(j->secs_buf);
		/* Only a well-formed time gets its nanoseconds filled in here. */
		j->secs_len =
		    n >= sizeof(zero_frac) - 1 &&
			    strcmp(j->secs_buf + n - (sizeof(zero_frac) - 1), zero_frac) == 0
			? n
			: 0;
	}
	n = j->secs_len;
	if (!n) {
		char buf[64];

		rpt_lbuf_str(b, rpt_fmt_iso_utc(real_ns, buf, sizeof(buf)));
		return;
	}
	start = b->len;
	rpt_lbuf_mem(b, j->secs_buf, n);
	if (b->over)
		return;
	q = rpt_lbuf_fmt_u64(tmp, real_ns % 1000000000u);
	/* The digits end just before the 'Z'; the zeros before them stay. */
	memcpy(b->p + start + n - 1 - (size_t)(tmp + 24 - q), q, (size_t)(tmp + 24 - q));
}

/* An address as text: IPv4 digits straight into the line, anything else through text.c. */
static void lbuf_addr(struct rpt_lbuf *b, uint8_t family, const uint8_t addr[16])
{
	char buf[64];
	int i;

	if (family == 4) {
		for (i = 0; i < 4; i++) {
			if (i)
				rpt_lbuf_chr(b, '.');
			rpt_lbuf_u64(b, addr[i]);
		}
		return;
	}
	rpt_lbuf_str(b, rpt_fmt_addr(family, addr, buf, sizeof(buf)));
}

static void lbuf_flags(struct json *j, struct rpt_lbuf *b, uint8_t flags)
{
	if (!j->flags_len[flags]) {
		rpt_fmt_flags(flags, j->flags_txt[flags], sizeof(j->flags_txt[flags]));
		j->flags_len[flags] = (uint8_t)strlen(j->flags_txt[flags]);
	}
	rpt_lbuf_mem(b, j->flags_txt[flags], j->flags_len[flags]);
}

/* A string key, or null when s is NULL. */
static void lbuf_key_opt(struct rpt_lbuf *b, const char *key, const char *s, size_t maxlen)
{
	if (s)
		lbuf_key_str(b, key, s, maxlen);
	else {
		rpt_lbuf_str(b, key);
		rpt_lbuf_str(b, "null");
	}
}

/* owner_pid, owner_comm, cgroup, container (null without an owner), netns_name. */
static void lbuf_owner(struct rpt_lbuf *b, const struct rpt_drop *rd)
{
	const struct rpt_owner *o = rd->owner;

	if (o) {
		lbuf_key_u64(b, ",\"owner_pid\":", o->pid);
		lbuf_key_str(b, ",\"owner_comm\":", o->comm, TDF_COMM_LEN);
	} else {
		rpt_lbuf_str(b, ",\"owner_pid\":null,\"owner_comm\":null");
	}
	lbuf_key_opt(b, ",\"cgroup\":", o ? o->cgroup_path : NULL, RPT_TEXT_PATH_MAX);
	lbuf_key_opt(b, ",\"container\":", o ? o->container : NULL, TDF_NAME_MAX);
	lbuf_key_opt(b, ",\"netns_name\":", rd->netns_name, TDF_NAME_MAX);
}

static int json_drop(void *ctx, const struct rpt_drop *rd)
{
	struct json *j = ctx;
	const struct tdf_drop *d = rd->d;
	char line[16384];
	FILE *out = j->out;
	struct rpt_lbuf b;
	const char *text;
	size_t len;
	int rc;

	rpt_lbuf_init(&b, line, sizeof(line));
	rpt_lbuf_str(&b, "{\"type\":\"drop\",\"time\":\"");
	lbuf_time(j, &b, rd->real_ns);
	lbuf_key_u64(&b, "\",\"ts_ns\":", rd->real_ns);
	lbuf_key_str(&b, ",\"host\":", rd->host, TDF_NAME_MAX);
	lbuf_key_u64(&b, ",\"cpu\":", d->cpu);
	lbuf_key_u64(&b, ",\"pid\":", d->pid);
	lbuf_key_u64(&b, ",\"tid\":", d->tid);
	lbuf_key_str(&b, ",\"comm\":", d->comm, TDF_COMM_LEN);
	lbuf_key_u64(&b, ",\"family\":", d->family);
	rpt_lbuf_str(&b, ",\"saddr\":\"");
	lbuf_addr(&b, d->family, d->saddr);
	lbuf_key_u64(&b, "\",\"sport\":", d->sport);
	rpt_lbuf_str(&b, ",\"daddr\":\"");
	lbuf_addr(&b, d->family, d->daddr);
	lbuf_key_u64(&b, "\",\"dport\":", d->dport);
	rpt_lbuf_str(&b, ",\"flags\":\"");
	lbuf_flags(j, &b, d->tcp_flags);
	lbuf_key_u64(&b, "\",\"seq\":", d->tcp_seq);
	lbuf_key_u64(&b, ",\"ack\":", d->tcp_ack);
	lbuf_key_u64(&b, ",\"win\":", d->win);
	if (rd->state)
		lbuf_key_str(&b, ",\"state\":", rd->state, TDF_NAME_MAX);
	else
		rpt_lbuf_str(&b, ",\"state\":null");
	lbuf_key_str(&b, ",\"reason\":", rd->reason, TDF_NAME_MAX);
	lbuf_key_u64(&b, ",\"reason_code\":", d->reason);
	rpt_lbuf_str(&b, ",\"location\":");
	text = rpt_stacktext_addr(j->frames, rd->file, d->location, &len);
	if (!text)
		return -errno;
	rpt_lbuf_mem(&b, text, len);
	lbuf_key_u64(&b, ",\"netns\":", d->netns);
	lbuf_key_u64(&b, ",\"ifindex\":", d->ifindex);
	lbuf_key_str(&b, ",\"ifname\":", d->ifname, TDF_IFNAME_LEN);
	if (rd->ip_len)
		lbuf_key_u64(&b, ",\"len\":", rd->ip_len);
	else
		rpt_lbuf_str(&b, ",\"len\":null");
	lbuf_key_u64(&b, ",\"caplen\":", d->caplen);
	lbuf_key_u64(&b, ",\"skb_len\":", d->len);
	lbuf_owner(&b, rd);
	rpt_lbuf_str(&b, ",\"stack\":[");
	if (!j->o.no_stack && rd->stack) {
		text = rpt_stacktext_stack(j->frames, rd->file, rd->stack, &len);
		if (!text)
			return -errno;
		if (len + 3 <= b.cap - b.len) {
			/* The usual case: the whole line, stack included, in one write. */
			rpt_lbuf_mem(&b, text, len);
		} else {
			rc = rpt_lbuf_flush(&b, out);
			if (rc)
				return rc == -E2BIG ? -EOVERFLOW : rc; /* cannot happen: bounded */
			if (fwrite(text, 1, len, out) != len)
				return rpt_out_status(out, false);
		}
	}
	rpt_lbuf_chr(&b, ']');
	if (j->explain) {
		char why[RPT_EXPLAIN_LINE_MAX];

		rpt_explain_drop(rd, why, sizeof(why));
		lbuf_key_str(&b, ",\"why\":", why, sizeof(why));
	}
	rpt_lbuf_mem(&b, "}\n", 2);
	rc = rpt_lbuf_flush(&b, out);
	if (rc)
		return rc == -E2BIG ? -EOVERFLOW : rc; /* cannot happen: fields are bounded */
	return rpt_out_status(out, j->o.flush);
}

static int json_loss(void *ctx, const struct rpt_loss *l)
{
	struct json *j = ctx;
	char from[64], to[64];

	if (l->kind != TDF_LOSS_RINGBUF)
		return 0;
	fprintf(j->out, "{\"type\":\"lost\",\"count\":%" PRIu64 ",\"from\":\"%s\",\"to\":\"%s\"",
		l->count, rpt_fmt_iso_utc(l->from_real_ns, from, sizeof(from)),
		rpt_fmt_iso_utc(l->to_real_ns, to, sizeof(to)));
	put_key_str(j->out, "host", l->host, TDF_NAME_MAX);
	fputs("}\n", j->out);
	return rpt_out_status(j->out, j->o.flush);
}

static int json_finish(void *ctx)
{
	struct json *j = ctx;

	return rpt_out_status(j->out, true);
}

static void json_close(void *ctx)
{
	struct json *j = ctx;

	rpt_stacktext_free(j->frames);
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

	if (!j)
		return NULL;
	j->out = out;
	if (cfg) {
		j->o = cfg->o;
		j->explain = cfg->explain;
	}
	j->frames = rpt_stacktext_new(&json_frames);
	if (!j->frames) {
		free(j);
		return NULL;
	}
	j->sink.ops = &json_ops;
	j->sink.ctx = j;
	return &j->sink;
}
