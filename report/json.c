// SPDX-License-Identifier: BSD-2-Clause
/* json: one JSON object per drop or loss, one per line. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "views.h"

struct json {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
};

static void put_key_str(FILE *out, const char *key, const char *val, size_t maxlen)
{
	fprintf(out, ",\"%s\":", key);
	rpt_fput_json(out, val, maxlen);
}

static void put_frame(FILE *out, const struct rpt_file *f, struct tdf_kaddr a)
{
	char buf[600];

	rpt_file_symbolize(f, a, buf, sizeof(buf));
	rpt_fput_json(out, buf, sizeof(buf));
}

static int json_drop(void *ctx, const struct rpt_drop *rd)
{
	struct json *j = ctx;
	const struct tdf_drop *d = rd->d;
	char buf[64];
	FILE *out = j->out;
	uint32_t i;
	bool first = true;

	fprintf(out, "{\"type\":\"drop\",\"time\":\"%s\"",
		rpt_fmt_iso_utc(rd->real_ns, buf, sizeof(buf)));
	fprintf(out, ",\"ts_ns\":%" PRIu64, rd->real_ns);
	put_key_str(out, "host", rd->host, TDF_NAME_MAX);
	fprintf(out, ",\"cpu\":%" PRIu32 ",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32, d->cpu, d->pid,
		d->tid);
	put_key_str(out, "comm", d->comm, TDF_COMM_LEN);
	fprintf(out, ",\"family\":%u", d->family);
	fprintf(out, ",\"saddr\":\"%s\"", rpt_fmt_addr(d->family, d->saddr, buf, sizeof(buf)));
	fprintf(out, ",\"sport\":%u", d->sport);
	fprintf(out, ",\"daddr\":\"%s\"", rpt_fmt_addr(d->family, d->daddr, buf, sizeof(buf)));
	fprintf(out, ",\"dport\":%u", d->dport);
	fprintf(out, ",\"flags\":\"%s\"", rpt_fmt_flags(d->tcp_flags, buf, sizeof(buf)));
	fprintf(out, ",\"seq\":%" PRIu32 ",\"ack\":%" PRIu32 ",\"win\":%u", d->tcp_seq, d->tcp_ack,
		d->win);
	if (rd->state)
		put_key_str(out, "state", rd->state, TDF_NAME_MAX);
	else
		fputs(",\"state\":null", out);
	put_key_str(out, "reason", rd->reason, TDF_NAME_MAX);
	fprintf(out, ",\"reason_code\":%" PRIu32 ",\"location\":", d->reason);
	put_frame(out, rd->file, d->location);
	fprintf(out, ",\"netns\":%" PRIu32 ",\"ifindex\":%" PRIu32, d->netns, d->ifindex);
	put_key_str(out, "ifname", d->ifname, TDF_IFNAME_LEN);
	fprintf(out, ",\"len\":%" PRIu32 ",\"caplen\":%u,\"stack\":[", d->len, d->caplen);
	if (!j->o.no_stack && rd->stack) {
		for (i = rpt_stack_skip(rd->file, rd->stack); i < rd->stack->depth; i++) {
			if (!first)
				fputc(',', out);
			first = false;
			put_frame(out, rd->file, rd->stack->frames[i]);
		}
	}
	fputs("]}\n", out);
	if (j->o.flush)
		fflush(out);
	return ferror(out) ? -EIO : 0;
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
	if (j->o.flush)
		fflush(j->out);
	return ferror(j->out) ? -EIO : 0;
}

static int json_finish(void *ctx)
{
	struct json *j = ctx;

	return fflush(j->out) == EOF ? -EIO : 0;
}

static void json_close(void *ctx)
{
	free(ctx);
}

static const struct rpt_sink_ops json_ops = {
    .drop = json_drop,
    .loss = json_loss,
    .finish = json_finish,
    .close = json_close,
};

struct rpt_sink *rpt_json_open(FILE *out, const struct rpt_view_opts *o)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->out = out;
	j->o = *o;
	j->sink.ops = &json_ops;
	j->sink.ctx = j;
	return &j->sink;
}
