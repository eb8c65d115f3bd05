// SPDX-License-Identifier: BSD-2-Clause
/* table: the classic tcpdrop table, one line per drop with its kernel stack below. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lbuf.h"
#include "../stacktext.h"
#include "../views.h"

/* A frame per line below its drop, indented by a tab. */
static const struct rpt_frame_style table_frames = {.before = "\t", .between = "\n", .after = "\n"};

struct table {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	uint64_t start_ns;
	bool host_col;
	int time_w;
	struct rpt_stacktext *frames;
	/* The clock column of the last drop: HH:MM:SS only changes once a second. */
	bool have_clock;
	uint64_t clock_secs;
	char clock_buf[64];
};

static int table_begin(void *ctx, const struct rpt_begin *b)
{
	struct table *t = ctx;

	t->start_ns = b->start_real_ns;
	t->host_col = b->nhosts > 1;
	switch (t->o.time_fmt) {
	case RPT_TIME_CLOCK:
		t->time_w = 8;
		break;
	case RPT_TIME_ISO:
		t->time_w = t->o.utc ? 30 : 35;
		break;
	case RPT_TIME_EPOCH:
		t->time_w = 20;
		break;
	case RPT_TIME_RELATIVE:
		t->time_w = 14;
		break;
	}
	fprintf(t->out, "%-*s ", t->time_w, "TIME");
	if (t->host_col)
		fprintf(t->out, "%-16s ", "HOST");
	fprintf(t->out, "%-7s %-16s %-22s %-22s %-22s %-12s %-11s %s\n", "PID", "COMM", "OWNER",
		"SADDR:SPORT", "DADDR:DPORT", "STATE", "FLAGS", "REASON");
	return rpt_out_status(t->out, false);
}

/* An escaped string padded to width w (escaping may make it longer: then no padding). */
static void put_padded(FILE *out, const char *s, size_t maxlen, int w)
{
	char buf[256];
	int n;

	rpt_text_escape(buf, sizeof(buf), s, maxlen);
	n = (int)strlen(buf);
	fputs(buf, out);
	if (w > n)
		fprintf(out, "%*s", w - n, "");
}

/* The same into a line buffer (escaped in place, cut at 255 bytes like put_padded). */
static void lbuf_padded(struct rpt_lbuf *b, const char *s, size_t maxlen, int w)
{
	size_t room = b->cap - b->len, need, n;

	if (room < 256) {
		b->over = true;
		return;
	}
	need = rpt_text_escape(b->p + b->len, 256, s, maxlen);
	n = need < 255 ? need : 255;
	b->len += n;
	rpt_lbuf_pad(b, (long)w - (long)n);
}

/* The socket owner as COMM/PID (comm escaped), "-" without one, padded to w. */
static void lbuf_owner(struct rpt_lbuf *b, const struct rpt_owner *o, int w)
{
	size_t start = b->len;
	char tmp[24], *q;

	if (!o) {
		rpt_lbuf_padded(b, "-", w);
		return;
	}
	lbuf_padded(b, o->comm, TDF_COMM_LEN, 0);
	rpt_lbuf_chr(b, '/');
	q = rpt_lbuf_fmt_u64(tmp, o->pid);
	rpt_lbuf_mem(b, q, (size_t)(tmp + 24 - q));
	if (!b->over)
		rpt_lbuf_pad(b, (long)w - (long)(b->len - start));
}

/* The lines below a drop: its stack, or its drop site when no stack was recorded. */
static int put_frames(struct table *t, const struct rpt_drop *rd)
{
	const struct tdf_drop *d = rd->d;
	const char *text;
	size_t len;

	if (rd->stack) {
		text = rpt_stacktext_stack(t->frames, rd->file, rd->stack, &len);
		if (!text)
			return -errno;
		return len && fwrite(text, 1, len, t->out) != len ? rpt_out_status(t->out, false)
								  : 0;
	}
	if (d->location.mod == TDF_MOD_UNKNOWN)
		return 0;
	text = rpt_stacktext_addr(t->frames, rd->file, d->location, &len);
	if (!text)
		return -errno;
	fputc('\t', t->out);
	fwrite(text, 1, len, t->out);
	fputc('\n', t->out);
	return 0;
}

static const char *table_time(struct table *t, uint64_t real_ns, char *buf, size_t len)
{
	uint64_t secs = real_ns / 1000000000u;

	if (t->o.time_fmt != RPT_TIME_CLOCK)
		return rpt_fmt_time(real_ns, t->start_ns, &t->o, buf, len);
	if (!t->have_clock || t->clock_secs != secs) {
		rpt_fmt_time(real_ns, t->start_ns, &t->o, t->clock_buf, sizeof(t->clock_buf));
		t->clock_secs = secs;
		t->have_clock = true;
	}
	return t->clock_buf;
}

static int table_drop(void *ctx, const struct rpt_drop *rd)
{
	struct table *t = ctx;
	const struct tdf_drop *d = rd->d;
	char tbuf[64], src[64], dst[64], flags[40], line[4096];
	struct rpt_lbuf b;
	int rc;

	rpt_lbuf_init(&b, line, sizeof(line));
	rpt_lbuf_padded(&b, table_time(t, rd->real_ns, tbuf, sizeof(tbuf)), t->time_w);
	rpt_lbuf_chr(&b, ' ');
	if (t->host_col) {
		lbuf_padded(&b, rd->host, TDF_NAME_MAX, 16);
		rpt_lbuf_chr(&b, ' ');
	}
	{
		char tmp[24], *q = rpt_lbuf_fmt_u64(tmp, d->pid);
		size_t n = (size_t)(tmp + 24 - q);

		rpt_lbuf_mem(&b, q, n);
		rpt_lbuf_pad(&b, 7 - (long)n);
	}
	rpt_lbuf_chr(&b, ' ');
	lbuf_padded(&b, d->comm, TDF_COMM_LEN, 16);
	rpt_lbuf_chr(&b, ' ');
	lbuf_owner(&b, rd->owner, 22);
	rpt_lbuf_chr(&b, ' ');
	rpt_lbuf_padded(&b, rpt_fmt_endpoint(d->family, d->saddr, d->sport, src, sizeof(src)), 22);
	rpt_lbuf_chr(&b, ' ');
	rpt_lbuf_padded(&b, rpt_fmt_endpoint(d->family, d->daddr, d->dport, dst, sizeof(dst)), 22);
	rpt_lbuf_chr(&b, ' ');
	lbuf_padded(&b, rd->state ? rd->state : "-", TDF_NAME_MAX, 12);
	rpt_lbuf_chr(&b, ' ');
	rpt_fmt_flags(d->tcp_flags, flags, sizeof(flags));
	rpt_lbuf_padded(&b, flags[0] ? flags : "-", 11);
	rpt_lbuf_chr(&b, ' ');
	{
		size_t room = b.cap - b.len, need;

		need = rpt_text_escape(b.p + b.len, room, rd->reason, TDF_NAME_MAX);
		if (need < room)
			b.len += need;
		else
			b.over = true;
	}
	rpt_lbuf_chr(&b, '\n');
	rc = rpt_lbuf_flush(&b, t->out);
	if (rc)
		return rc == -E2BIG ? -EOVERFLOW : rc; /* cannot happen: fields are bounded */
	if (!t->o.no_stack) {
		rc = put_frames(t, rd);
		if (rc)
			return rc;
	}
	return rpt_out_status(t->out, t->o.flush);
}

static int table_loss(void *ctx, const struct rpt_loss *l)
{
	struct table *t = ctx;
	char from[64], to[64];

	if (l->kind != TDF_LOSS_RINGBUF)
		return 0;
	rpt_fmt_time(l->from_real_ns, t->start_ns, &t->o, from, sizeof(from));
	rpt_fmt_time(l->to_real_ns, t->start_ns, &t->o, to, sizeof(to));
	fprintf(t->out, "%-*s ", t->time_w, from);
	if (t->host_col) {
		put_padded(t->out, l->host, TDF_NAME_MAX, 16);
		fputc(' ', t->out);
	}
	fprintf(t->out, "*** LOST %" PRIu64 " drop%s from %s to %s (ring buffer full", l->count,
		l->count == 1 ? "" : "s", from, to);
	if (l->cpu != UINT32_MAX)
		fprintf(t->out, ", cpu %" PRIu32, l->cpu);
	fputs(") ***\n", t->out);
	return rpt_out_status(t->out, t->o.flush);
}

static int table_finish(void *ctx)
{
	struct table *t = ctx;

	return rpt_out_status(t->out, true);
}

static void table_close(void *ctx)
{
	struct table *t = ctx;

	rpt_stacktext_free(t->frames);
	free(t);
}

static const struct rpt_sink_ops table_ops = {
    .begin = table_begin,
    .drop = table_drop,
    .loss = table_loss,
    .finish = table_finish,
    .close = table_close,
};

struct rpt_sink *rpt_table_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->out = out;
	if (cfg)
		t->o = cfg->o;
	t->time_w = 8;
	t->frames = rpt_stacktext_new(&table_frames);
	if (!t->frames) {
		free(t);
		return NULL;
	}
	t->sink.ops = &table_ops;
	t->sink.ctx = t;
	return &t->sink;
}
