// SPDX-License-Identifier: BSD-2-Clause
/* table: the classic tcpdrop table, one line per drop with its kernel stack below. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

struct table {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	uint64_t start_ns;
	bool host_col;
	int time_w;
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
	fprintf(t->out, "%-7s %-16s %-22s %-22s %-12s %-11s %s\n", "PID", "COMM", "SADDR:SPORT",
		"DADDR:DPORT", "STATE", "FLAGS", "REASON");
	return ferror(t->out) ? -EIO : 0;
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

static void put_frame(FILE *out, const struct rpt_file *f, struct tdf_kaddr a)
{
	char buf[600];

	rpt_file_symbolize(f, a, buf, sizeof(buf));
	fputc('\t', out);
	rpt_fput_text(out, buf, sizeof(buf));
	fputc('\n', out);
}

static int table_drop(void *ctx, const struct rpt_drop *rd)
{
	struct table *t = ctx;
	const struct tdf_drop *d = rd->d;
	char tbuf[64], src[64], dst[64], flags[40], pid[16];
	uint32_t i;

	rpt_fmt_time(rd->real_ns, t->start_ns, &t->o, tbuf, sizeof(tbuf));
	fprintf(t->out, "%-*s ", t->time_w, tbuf);
	if (t->host_col) {
		put_padded(t->out, rd->host, TDF_NAME_MAX, 16);
		fputc(' ', t->out);
	}
	snprintf(pid, sizeof(pid), "%" PRIu32, d->pid);
	fprintf(t->out, "%-7s ", pid);
	put_padded(t->out, d->comm, TDF_COMM_LEN, 16);
	fprintf(t->out, " %-22s %-22s ",
		rpt_fmt_endpoint(d->family, d->saddr, d->sport, src, sizeof(src)),
		rpt_fmt_endpoint(d->family, d->daddr, d->dport, dst, sizeof(dst)));
	put_padded(t->out, rd->state ? rd->state : "-", TDF_NAME_MAX, 12);
	rpt_fmt_flags(d->tcp_flags, flags, sizeof(flags));
	fprintf(t->out, " %-11s ", flags[0] ? flags : "-");
	rpt_fput_text(t->out, rd->reason, TDF_NAME_MAX);
	fputc('\n', t->out);
	if (!t->o.no_stack) {
		if (rd->stack) {
			for (i = rpt_stack_skip(rd->file, rd->stack); i < rd->stack->depth; i++)
				put_frame(t->out, rd->file, rd->stack->frames[i]);
		} else if (d->location.mod != TDF_MOD_UNKNOWN) {
			/* No stack was recorded: the drop site is all we know. */
			put_frame(t->out, rd->file, d->location);
		}
	}
	if (t->o.flush)
		fflush(t->out);
	return ferror(t->out) ? -EIO : 0;
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
	if (t->o.flush)
		fflush(t->out);
	return ferror(t->out) ? -EIO : 0;
}

static int table_finish(void *ctx)
{
	struct table *t = ctx;

	return fflush(t->out) == EOF ? -EIO : 0;
}

static void table_close(void *ctx)
{
	free(ctx);
}

static const struct rpt_sink_ops table_ops = {
    .begin = table_begin,
    .drop = table_drop,
    .loss = table_loss,
    .finish = table_finish,
    .close = table_close,
};

struct rpt_sink *rpt_table_open(FILE *out, const struct rpt_view_opts *o)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->out = out;
	t->o = *o;
	t->time_w = 8;
	t->sink.ops = &table_ops;
	t->sink.ctx = t;
	return &t->sink;
}
