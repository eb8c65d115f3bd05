// SPDX-License-Identifier: BSD-2-Clause
/* csv: a header row and one row per drop or loss (RFC 4180 quoting, untrusted text escaped). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../explain.h"
#include "../stacktext.h"
#include "../views.h"

/* A stack is one field, its frames separated by semicolons. */
static const struct rpt_frame_style csv_frames = {.between = ";"};

struct csv {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct rpt_stacktext *frames;
	bool explain; /* cfg->explain: a last column "why" */
};

/*
 * The drop keys of the JSON view, in the same order, then "count": 1 for a drop, the number of
 * lost drops for a "lost" row, so summing the column counts every drop that happened.
 */
static const char header[] = "type,time,ts_ns,host,cpu,pid,tid,comm,family,saddr,sport,daddr,"
			     "dport,flags,seq,ack,win,state,reason,reason_code,location,netns,"
			     "ifindex,ifname,len,caplen,skb_len,owner_pid,owner_comm,cgroup,"
			     "container,netns_name,stack,count\n";

/* Escaped text as one field: quoted when it holds a comma or a quote. */
static void put_quoted(FILE *out, const char *s, size_t n)
{
	size_t i;

	if (!memchr(s, ',', n) && !memchr(s, '"', n)) {
		fwrite(s, 1, n, out);
		return;
	}
	fputc('"', out);
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

/* Untrusted text as one field: escaped, then quoted if needed. */
static void put_field(FILE *out, const char *s, size_t maxlen)
{
	char small[512], *buf = small;
	size_t need = rpt_text_escape(small, sizeof(small), s, maxlen);

	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (!buf) {
			fputs("?", out);
			return;
		}
		rpt_text_escape(buf, need + 1, s, maxlen);
	}
	put_quoted(out, buf, need);
	if (buf != small)
		free(buf);
}

static int csv_begin(void *ctx, const struct rpt_begin *b)
{
	struct csv *c = ctx;

	(void)b;
	if (c->explain) {
		/* the same header, one column more after count */
		fwrite(header, 1, sizeof(header) - 2, c->out);
		fputs(",why\n", c->out);
	} else {
		fputs(header, c->out);
	}
	return rpt_out_status(c->out, false);
}

static int csv_drop(void *ctx, const struct rpt_drop *rd)
{
	struct csv *c = ctx;
	const struct tdf_drop *d = rd->d;
	FILE *out = c->out;
	const char *text;
	char buf[64];
	size_t len;

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
	text = rpt_stacktext_addr(c->frames, rd->file, d->location, &len);
	if (!text)
		return -errno;
	put_quoted(out, text, len);
	fprintf(out, ",%" PRIu32 ",%" PRIu32 ",", d->netns, d->ifindex);
	put_field(out, d->ifname, TDF_IFNAME_LEN);
	fputc(',', out);
	if (rd->ip_len)
		fprintf(out, "%" PRIu32, rd->ip_len);
	fprintf(out, ",%u,%" PRIu32 ",", d->caplen, d->len);
	if (rd->owner) {
		fprintf(out, "%" PRIu32 ",", rd->owner->pid);
		put_field(out, rd->owner->comm, TDF_COMM_LEN);
	} else {
		fputc(',', out);
	}
	fputc(',', out);
	if (rd->owner && rd->owner->cgroup_path)
		put_field(out, rd->owner->cgroup_path, RPT_TEXT_PATH_MAX);
	fputc(',', out);
	if (rd->owner && rd->owner->container)
		put_field(out, rd->owner->container, TDF_NAME_MAX);
	fputc(',', out);
	if (rd->netns_name)
		put_field(out, rd->netns_name, TDF_NAME_MAX);
	fputc(',', out);
	if (!c->o.no_stack && rd->stack) {
		text = rpt_stacktext_stack(c->frames, rd->file, rd->stack, &len);
		if (!text)
			return -errno;
		put_quoted(out, text, len);
	}
	fputs(",1", out);
	if (c->explain) {
		char why[RPT_EXPLAIN_LINE_MAX];

		rpt_explain_drop(rd, why, sizeof(why));
		fputc(',', out);
		put_field(out, why, sizeof(why));
	}
	fputc('\n', out);
	return rpt_out_status(out, c->o.flush);
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
	fprintf(c->out, ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,%" PRIu64 "%s\n", l->count,
		c->explain ? "," : "");
	return rpt_out_status(c->out, c->o.flush);
}

static int csv_finish(void *ctx)
{
	struct csv *c = ctx;

	return rpt_out_status(c->out, true);
}

static void csv_close(void *ctx)
{
	struct csv *c = ctx;

	rpt_stacktext_free(c->frames);
	free(c);
}

static const struct rpt_sink_ops csv_ops = {
    .begin = csv_begin,
    .drop = csv_drop,
    .loss = csv_loss,
    .finish = csv_finish,
    .close = csv_close,
};

struct rpt_sink *rpt_csv_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct csv *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->out = out;
	if (cfg) {
		c->o = cfg->o;
		c->explain = cfg->explain;
	}
	c->frames = rpt_stacktext_new(&csv_frames);
	if (!c->frames) {
		free(c);
		return NULL;
	}
	c->sink.ops = &csv_ops;
	c->sink.ctx = c;
	return &c->sink;
}
