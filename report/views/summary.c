// SPDX-License-Identifier: BSD-2-Clause
/* summary: drop counts and shares per distinct key tuple (reason, flow, stack...), most first. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../explain.h"
#include "../stacktext.h"
#include "../strmap.h"
#include "../views.h"

/* Separators inside a stored tuple: escaped text never holds control characters. */
#define SEP_PART  '\x1f'
#define SEP_FRAME '\x1e'

/* Frames inside a tuple, each cut where the 600-byte buffer of the first version cut it. */
static const struct rpt_frame_style summary_frames = {.between = "\x1e", .frame_max = 599};

static const char *const key_names[RPT_KEY_COUNT_] = {
    [RPT_KEY_REASON] = "reason", [RPT_KEY_LOCATION] = "location", [RPT_KEY_STACK] = "stack",
    [RPT_KEY_FLOW] = "flow",	 [RPT_KEY_SADDR] = "saddr",	  [RPT_KEY_DADDR] = "daddr",
    [RPT_KEY_DPORT] = "dport",	 [RPT_KEY_STATE] = "state",	  [RPT_KEY_COMM] = "comm",
    [RPT_KEY_NETNS] = "netns",	 [RPT_KEY_IFNAME] = "ifname",	  [RPT_KEY_FLAGS] = "flags",
    [RPT_KEY_HOST] = "host",	 [RPT_KEY_OWNER] = "owner",	  [RPT_KEY_CONTAINER] = "container",
};

int rpt_summary_parse_keys(const char *list, struct rpt_summary_opts *so, const char **bad,
			   size_t *badlen)
{
	const char *p = list;
	int k;

	so->nkeys = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		for (k = 0; k < RPT_KEY_COUNT_; k++)
			if (strlen(key_names[k]) == n && strncasecmp(p, key_names[k], n) == 0)
				break;
		if (k == RPT_KEY_COUNT_) {
			*bad = p;
			*badlen = n;
			return -EINVAL;
		}
		if (so->nkeys == RPT_SUMMARY_KEYS_MAX)
			return -E2BIG;
		so->keys[so->nkeys++] = (enum rpt_key)k;
		if (!end)
			return 0;
		p = end + 1;
	}
}

struct summary {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct rpt_summary_opts so;
	struct strmap map;
	uint64_t total, lost;
	char *buf;
	size_t buf_len;
	FILE *mem;
	struct rpt_stacktext *frames;
};

static void put_esc(FILE *m, const char *s, size_t maxlen)
{
	char buf[600];

	rpt_text_escape(buf, sizeof(buf), s, maxlen);
	fputs(buf, m);
}

/* A stack (a == NULL) or one address, from the stack-text service. */
static int put_frames(struct summary *s, FILE *m, const struct rpt_drop *rd,
		      const struct tdf_kaddr *a)
{
	const char *text;
	size_t len;

	if (!a && !rd->stack) {
		fputs("(no stack)", m);
		return 0;
	}
	text = a ? rpt_stacktext_addr(s->frames, rd->file, *a, &len)
		 : rpt_stacktext_stack(s->frames, rd->file, rd->stack, &len);
	if (!text)
		return -errno;
	fwrite(text, 1, len, m);
	return 0;
}

static int put_key(struct summary *s, FILE *m, enum rpt_key k, const struct rpt_drop *rd)
{
	const struct tdf_drop *d = rd->d;
	char a[64], b[64];

	switch (k) {
	case RPT_KEY_REASON:
		put_esc(m, rd->reason, TDF_NAME_MAX);
		break;
	case RPT_KEY_LOCATION:
		return put_frames(s, m, rd, &d->location);
	case RPT_KEY_STACK:
		return put_frames(s, m, rd, NULL);
	case RPT_KEY_FLOW:
		fprintf(m, "%s > %s", rpt_fmt_endpoint(d->family, d->saddr, d->sport, a, sizeof(a)),
			rpt_fmt_endpoint(d->family, d->daddr, d->dport, b, sizeof(b)));
		break;
	case RPT_KEY_SADDR:
		fputs(rpt_fmt_addr(d->family, d->saddr, a, sizeof(a)), m);
		break;
	case RPT_KEY_DADDR:
		fputs(rpt_fmt_addr(d->family, d->daddr, a, sizeof(a)), m);
		break;
	case RPT_KEY_DPORT:
		fprintf(m, "%u", d->dport);
		break;
	case RPT_KEY_STATE:
		put_esc(m, rd->state ? rd->state : "-", TDF_NAME_MAX);
		break;
	case RPT_KEY_COMM:
		put_esc(m, d->comm, TDF_COMM_LEN);
		break;
	case RPT_KEY_NETNS:
		fprintf(m, "%" PRIu32, d->netns);
		if (rd->netns_name) {
			fputs(" (", m);
			put_esc(m, rd->netns_name, TDF_NAME_MAX);
			fputc(')', m);
		}
		break;
	case RPT_KEY_OWNER:
		if (!rd->owner) {
			fputc('-', m);
			break;
		}
		put_esc(m, rd->owner->comm, TDF_COMM_LEN);
		fprintf(m, "/%" PRIu32, rd->owner->pid);
		break;
	case RPT_KEY_CONTAINER:
		put_esc(m, rd->owner && rd->owner->container ? rd->owner->container : "-",
			TDF_NAME_MAX);
		break;
	case RPT_KEY_IFNAME:
		put_esc(m, d->ifname[0] ? d->ifname : "-", TDF_IFNAME_LEN);
		break;
	case RPT_KEY_FLAGS:
		rpt_fmt_flags(d->tcp_flags, a, sizeof(a));
		fputs(a[0] ? a : "-", m);
		break;
	case RPT_KEY_HOST:
		put_esc(m, rd->host, TDF_NAME_MAX);
		break;
	case RPT_KEY_COUNT_:
		break;
	}
	return 0;
}

static int summary_drop(void *ctx, const struct rpt_drop *rd)
{
	struct summary *s = ctx;
	size_t i;
	int rc;

	rewind(s->mem);
	for (i = 0; i < s->so.nkeys; i++) {
		if (i)
			fputc(SEP_PART, s->mem);
		rc = put_key(s, s->mem, s->so.keys[i], rd);
		if (rc)
			return rc;
	}
	fputc('\0', s->mem);
	if (fflush(s->mem) == EOF)
		return -ENOMEM;
	s->total++;
	return strmap_add(&s->map, s->buf, 1);
}

static int summary_loss(void *ctx, const struct rpt_loss *l)
{
	struct summary *s = ctx;

	if (l->kind == TDF_LOSS_RINGBUF)
		s->lost += l->count;
	return 0;
}

/* The i-th part of a tuple, as [*p, *p + return). */
static size_t part(const char *key, size_t i, const char **p)
{
	const char *s = key, *e;

	while (i-- > 0) {
		s = strchr(s, SEP_PART);
		if (!s) {
			*p = "";
			return 0;
		}
		s++;
	}
	e = strchr(s, SEP_PART);
	*p = s;
	return e ? (size_t)(e - s) : strlen(s);
}

static int summary_finish(void *ctx)
{
	struct summary *s = ctx;
	struct strmap_ent *rows;
	size_t nrows, shown, i, k, w[RPT_SUMMARY_KEYS_MAX] = {0};
	uint64_t rest = 0;
	int stack_part = -1, reason_part = -1; /* reason alone adds the WHY column */
	size_t last_col = 0; /* the last column printed on the row: no padding after it */
	FILE *out = s->out;

	rows = strmap_sorted(&s->map, &nrows);
	if (!rows && s->map.n)
		return -ENOMEM;
	shown = s->so.top && s->so.top < nrows ? s->so.top : nrows;
	for (k = 0; k < s->so.nkeys; k++) {
		if (s->so.keys[k] == RPT_KEY_STACK)
			stack_part = (int)k;
		/* --summary=reason alone: other keys make rows that a reason's line does not
		 * describe better than the reason column already does */
		if (s->so.keys[k] == RPT_KEY_REASON && s->so.nkeys == 1)
			reason_part = (int)k;
		w[k] = strlen(key_names[s->so.keys[k]]);
		for (i = 0; i < shown; i++) {
			const char *p;
			size_t n = part(rows[i].key, k, &p);

			if (n > w[k])
				w[k] = n;
		}
	}
	for (k = 0; k < s->so.nkeys; k++)
		if ((int)k != stack_part)
			last_col = k;
	fprintf(out, "%8s %7s", "COUNT", "SHARE");
	for (k = 0; k < s->so.nkeys; k++) {
		char name[16];
		size_t j;

		if ((int)k == stack_part)
			continue;
		for (j = 0; key_names[s->so.keys[k]][j] && j < sizeof(name) - 1; j++)
			name[j] = (char)(key_names[s->so.keys[k]][j] - 'a' + 'A');
		name[j] = '\0';
		fprintf(out, "  %-*s", k < last_col || reason_part >= 0 ? (int)w[k] : 0, name);
	}
	if (reason_part >= 0)
		fputs("  WHY", out);
	if (stack_part >= 0)
		fputs("  STACK (below)", out);
	fputc('\n', out);
	for (i = 0; i < nrows; i++) {
		if (i >= shown) {
			rest += rows[i].count;
			continue;
		}
		fprintf(out, "%8" PRIu64 " %6.1f%%", rows[i].count,
			100.0 * (double)rows[i].count / (double)s->total);
		for (k = 0; k < s->so.nkeys; k++) {
			const char *p;
			size_t n = part(rows[i].key, k, &p);

			if ((int)k == stack_part)
				continue;
			fprintf(out, "  %.*s", (int)n, p);
			if ((k < last_col || reason_part >= 0) && w[k] > n)
				fprintf(out, "%*s", (int)(w[k] - n), "");
		}
		if (reason_part >= 0) {
			const char *p;
			size_t n = part(rows[i].key, (size_t)reason_part, &p);
			char name[TDF_NAME_MAX * 4 + 1];

			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			fprintf(out, "  %s", rpt_explain_summary(name));
		}
		fputc('\n', out);
		if (stack_part >= 0) {
			const char *p, *f;
			size_t n = part(rows[i].key, (size_t)stack_part, &p);

			while (n > 0) {
				f = memchr(p, SEP_FRAME, n);
				size_t fl = f ? (size_t)(f - p) : n;

				fprintf(out, "\t%.*s\n", (int)fl, p);
				if (!f)
					break;
				n -= fl + 1;
				p = f + 1;
			}
		}
	}
	if (rest)
		fprintf(out, "%8" PRIu64 " %6.1f%%  (%zu more)\n", rest,
			100.0 * (double)rest / (double)s->total, nrows - shown);
	fprintf(out, "%8" PRIu64 " %7s  (total)\n", s->total, s->total ? "100.0%" : "-");
	if (s->lost)
		fprintf(out,
			"%8" PRIu64 " %7s  (lost: ring buffer full, not in the counts above)\n",
			s->lost, "");
	free(rows);
	return rpt_out_status(out, true);
}

static void summary_close(void *ctx)
{
	struct summary *s = ctx;

	if (s->mem)
		fclose(s->mem);
	free(s->buf);
	rpt_stacktext_free(s->frames);
	strmap_free(&s->map);
	free(s);
}

static const struct rpt_sink_ops summary_ops = {
    .drop = summary_drop,
    .loss = summary_loss,
    .finish = summary_finish,
    .close = summary_close,
};

struct rpt_sink *rpt_summary_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct summary *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	if (cfg) {
		s->o = cfg->o;
		s->so = cfg->summary;
	}
	s->mem = open_memstream(&s->buf, &s->buf_len);
	s->frames = rpt_stacktext_new(&summary_frames);
	if (!s->mem || !s->frames) {
		summary_close(s);
		errno = ENOMEM;
		return NULL;
	}
	s->sink.ops = &summary_ops;
	s->sink.ctx = s;
	return &s->sink;
}
