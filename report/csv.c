// SPDX-License-Identifier: BSD-2-Clause
/* csv: a header row and one row per drop or loss (RFC 4180 quoting, untrusted text escaped). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "views.h"

struct csv {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
};

/*
 * The drop keys of the JSON view, in the same order, then "count": 1 for a drop, the number of
 * lost drops for a "lost" row, so summing the column counts every drop that happened.
 */
static const char header[] = "type,time,ts_ns,host,cpu,pid,tid,comm,family,saddr,sport,daddr,"
			     "dport,flags,seq,ack,win,state,reason,reason_code,location,netns,"
			     "ifindex,ifname,len,caplen,stack,count\n";

/* Escape untrusted text, then quote it if it holds a comma or a quote. */
static void put_field(FILE *out, const char *s, size_t maxlen)
{
	char small[512], *buf = small;
	size_t need = rpt_text_escape(small, sizeof(small), s, maxlen);
	const char *p;

	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (!buf) {
			fputs("?", out);
			return;
		}
		rpt_text_escape(buf, need + 1, s, maxlen);
	}
	if (!strpbrk(buf, ",\"")) {
		fputs(buf, out);
	} else {
		fputc('"', out);
		for (p = buf; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		fputc('"', out);
	}
	if (buf != small)
		free(buf);
}

static int csv_begin(void *ctx, const struct rpt_begin *b)
{
	struct csv *c = ctx;

	(void)b;
	fputs(header, c->out);
	return ferror(c->out) ? -EIO : 0;
}

static int csv_drop(void *ctx, const struct rpt_drop *rd)
{
	struct csv *c = ctx;
	const struct tdf_drop *d = rd->d;
	FILE *out = c->out;
	char buf[64], sym[600];
	char *stack = NULL;
	size_t stack_len = 0;
	FILE *sf;
	uint32_t i;

	fprintf(out, "drop,%s,%" PRIu64 ",", rpt_fmt_iso_utc(rd->real_ns, buf, sizeof(buf)),
		rd->real_ns);
	put_field(out, rd->host, TDF_NAME_MAX);
	fprintf(out, ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",", d->cpu, d->pid, d->tid);
	put_field(out, d->comm, TDF_COMM_LEN);
	fprintf(out, ",%u,%s,%u", d->family, rpt_fmt_addr(d->family, d->saddr, buf, sizeof(buf)),
		d->sport);
	fprintf(out, ",%s,%u", rpt_fmt_addr(d->family, d->daddr, buf, sizeof(buf)), d->dport);
	fprintf(out, ",%s,%" PRIu32 ",%" PRIu32 ",%u,",
		rpt_fmt_flags(d->tcp_flags, buf, sizeof(buf)), d->tcp_seq, d->tcp_ack, d->win);
	if (rd->state)
		put_field(out, rd->state, TDF_NAME_MAX);
	fputc(',', out);
	put_field(out, rd->reason, TDF_NAME_MAX);
	fprintf(out, ",%" PRIu32 ",", d->reason);
	rpt_file_symbolize(rd->file, d->location, sym, sizeof(sym));
	put_field(out, sym, sizeof(sym));
	fprintf(out, ",%" PRIu32 ",%" PRIu32 ",", d->netns, d->ifindex);
	put_field(out, d->ifname, TDF_IFNAME_LEN);
	fprintf(out, ",%" PRIu32 ",%u,", d->len, d->caplen);
	if (!c->o.no_stack && rd->stack) {
		sf = open_memstream(&stack, &stack_len);
		if (!sf)
			return -ENOMEM;
		uint32_t skip = rpt_stack_skip(rd->file, rd->stack);

		for (i = skip; i < rd->stack->depth; i++) {
			rpt_file_symbolize(rd->file, rd->stack->frames[i], sym, sizeof(sym));
			fprintf(sf, "%s%s", i > skip ? ";" : "", sym);
		}
		fclose(sf);
		put_field(out, stack, stack_len + 1);
		free(stack);
	}
	fputs(",1\n", out);
	if (c->o.flush)
		fflush(out);
	return ferror(out) ? -EIO : 0;
}

static int csv_loss(void *ctx, const struct rpt_loss *l)
{
	struct csv *c = ctx;
	char buf[64];

	if (l->kind != TDF_LOSS_RINGBUF)
		return 0;
	fprintf(c->out, "lost,%s,%" PRIu64 ",", rpt_fmt_iso_utc(l->from_real_ns, buf, sizeof(buf)),
		l->from_real_ns);
	put_field(c->out, l->host, TDF_NAME_MAX);
	fprintf(c->out, ",,,,,,,,,,,,,,,,,,,,,,,,%" PRIu64 "\n", l->count);
	if (c->o.flush)
		fflush(c->out);
	return ferror(c->out) ? -EIO : 0;
}

static int csv_finish(void *ctx)
{
	struct csv *c = ctx;

	return fflush(c->out) == EOF ? -EIO : 0;
}

static void csv_close(void *ctx)
{
	free(ctx);
}

static const struct rpt_sink_ops csv_ops = {
    .begin = csv_begin,
    .drop = csv_drop,
    .loss = csv_loss,
    .finish = csv_finish,
    .close = csv_close,
};

struct rpt_sink *rpt_csv_open(FILE *out, const struct rpt_view_opts *o)
{
	struct csv *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->out = out;
	c->o = *o;
	c->sink.ops = &csv_ops;
	c->sink.ctx = c;
	return &c->sink;
}
