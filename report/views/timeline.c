// SPDX-License-Identifier: BSD-2-Clause
/* timeline: drops per time interval as a text chart, optionally stacked by reason. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../strmap.h"
#include "../views.h"

#define NS_PER_SEC     UINT64_C(1000000000)
#define BAR_WIDTH      50 /* characters of the longest bar */
#define AUTO_ROWS      60 /* the automatic interval keeps the chart about this long */
#define EMPTY_RUN_MAX  5  /* longer runs of empty intervals collapse into one line */
#define REASON_LETTERS 26 /* reasons beyond the 25 most common share the letter '+' */

int rpt_interval_parse(const char *s, uint64_t *ns)
{
	uint64_t v = 0, mult = NS_PER_SEC;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p)) {
		if (v > UINT64_MAX / 10 - 9)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (strcmp(p, "") == 0 || strcmp(p, "s") == 0)
		mult = NS_PER_SEC;
	else if (strcmp(p, "ms") == 0)
		mult = UINT64_C(1000000);
	else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
		mult = 60 * NS_PER_SEC;
	else if (strcmp(p, "h") == 0)
		mult = 3600 * NS_PER_SEC;
	else if (strcmp(p, "d") == 0)
		mult = 86400 * NS_PER_SEC;
	else
		return -EINVAL;
	if (v == 0)
		return -ERANGE;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*ns = v * mult;
	return 0;
}

/* Counts per bucket; with by_reason also per (bucket, reason). Keys are decimal strings. */
struct timeline {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct rpt_timeline_opts to;
	uint64_t base_ns; /* bucket width while collecting */
	uint64_t start_ns;
	struct strmap buckets; /* "bucket" -> count */
	struct strmap cells;   /* "bucket\x1freason" -> count */
	struct strmap reasons; /* reason -> count */
	uint64_t total, lost;
};

static int timeline_begin(void *ctx, const struct rpt_begin *b)
{
	struct timeline *t = ctx;

	t->start_ns = b->start_real_ns;
	return 0;
}

static int timeline_drop(void *ctx, const struct rpt_drop *rd)
{
	struct timeline *t = ctx;
	char key[32], reason[300], cell[340];
	int rc;

	snprintf(key, sizeof(key), "%" PRIu64, rd->real_ns / t->base_ns);
	rc = strmap_add(&t->buckets, key, 1);
	if (rc)
		return rc;
	t->total++;
	if (!t->to.by_reason)
		return 0;
	rpt_text_escape(reason, sizeof(reason), rd->reason, TDF_NAME_MAX);
	snprintf(cell, sizeof(cell), "%s\x1f%s", key, reason);
	rc = strmap_add(&t->cells, cell, 1);
	return rc ? rc : strmap_add(&t->reasons, reason, 1);
}

static int timeline_loss(void *ctx, const struct rpt_loss *l)
{
	struct timeline *t = ctx;

	if (l->kind == TDF_LOSS_RINGBUF)
		t->lost += l->count;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

struct row {
	uint64_t bucket;
	uint64_t count;
};

static int cmp_row(const void *a, const void *b)
{
	return cmp_u64(&((const struct row *)a)->bucket, &((const struct row *)b)->bucket);
}

struct cell {
	uint64_t row;
	size_t reason; /* index in the reasons sorted most common first */
	uint64_t count;
};

static int cmp_cell(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

/* The automatic interval: a round width that keeps the chart within about AUTO_ROWS rows. */
static uint64_t auto_interval(uint64_t span_ns)
{
	static const uint64_t steps[] = {1,   2,   5,	 10,   15,   30,    60,	   120,	  300,
					 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span_ns / (steps[i] * NS_PER_SEC) < AUTO_ROWS)
			return steps[i] * NS_PER_SEC;
	return ((span_ns / AUTO_ROWS / (86400 * NS_PER_SEC)) + 1) * 86400 * NS_PER_SEC;
}

static void put_time(struct timeline *t, uint64_t ns, uint64_t interval)
{
	char buf[64];

	rpt_fmt_time(ns, t->start_ns, &t->o, buf, sizeof(buf));
	if (t->o.time_fmt == RPT_TIME_CLOCK && interval < NS_PER_SEC)
		fprintf(t->out, "%s.%03" PRIu64, buf, ns % NS_PER_SEC / 1000000);
	else
		fputs(buf, t->out);
}

static int timeline_finish(void *ctx)
{
	struct timeline *t = ctx;
	struct strmap_ent *ents = NULL, *reasons = NULL;
	struct row *rows = NULL;
	struct cell *cells = NULL;
	size_t nents, nrows = 0, nreasons = 0, ncells = 0, nc = 0, i, j;
	uint64_t interval, maxc = 0, prev = 0;
	FILE *out = t->out;
	int rc = 0;

	ents = strmap_sorted(&t->buckets, &nents);
	if (!ents && t->buckets.n)
		return -ENOMEM;
	if (nents && ents[nents - 1].key == strmap_other)
		nents--; /* past the views' budget: no interval, only the total counts them */
	rows = calloc(nents ? nents : 1, sizeof(*rows));
	if (!rows) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nents; i++) {
		rows[i].bucket = strtoull(ents[i].key, NULL, 10);
		rows[i].count = ents[i].count;
	}
	qsort(rows, nents, sizeof(*rows), cmp_row);
	interval = t->base_ns;
	if (t->to.interval_ns == 0 && nents) {
		interval = auto_interval((rows[nents - 1].bucket - rows[0].bucket) * t->base_ns);
		/* Regroup the one-second buckets into the wider interval (both sorted). */
		for (i = 0; i < nents; i++) {
			uint64_t b = rows[i].bucket * t->base_ns / interval;

			if (nrows && rows[nrows - 1].bucket == b) {
				rows[nrows - 1].count += rows[i].count;
			} else {
				rows[nrows].bucket = b;
				rows[nrows].count = rows[i].count;
				nrows++;
			}
		}
	} else {
		nrows = nents;
	}
	for (i = 0; i < nrows; i++)
		if (rows[i].count > maxc)
			maxc = rows[i].count;

	if (t->to.by_reason) {
		reasons = strmap_sorted(&t->reasons, &nreasons);
		cells = calloc(t->cells.n ? t->cells.n : 1, sizeof(*cells));
		if (!cells || (!reasons && t->reasons.n)) {
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < t->cells.n; i++) {
			const struct strmap_ent *e = &t->cells.ents[i];
			const char *r;

			r = strchr(e->key, '\x1f');
			if (!r)
				continue;
			cells[ncells].row = strtoull(e->key, NULL, 10) * t->base_ns / interval;
			cells[ncells].count = e->count;
			for (j = 0; j < nreasons; j++)
				if (strcmp(reasons[j].key, r + 1) == 0)
					break;
			cells[ncells].reason = j;
			ncells++;
		}
		qsort(cells, ncells, sizeof(*cells), cmp_cell);
		fputs("reasons:", out);
		for (j = 0; j < nreasons; j++)
			fprintf(out, "  %c=%s", j < REASON_LETTERS - 1 ? (int)('A' + j) : '+',
				reasons[j].key);
		fputc('\n', out);
	}
	fprintf(out,
		"interval %" PRIu64 ".%03" PRIu64 "s, %" PRIu64 " drops, one mark = %.3g drops\n",
		interval / NS_PER_SEC, interval % NS_PER_SEC / 1000000, t->total,
		maxc > BAR_WIDTH ? (double)maxc / BAR_WIDTH : 1.0);
	for (i = 0; i < nrows; i++) {
		uint64_t bar;

		if (i > 0 && rows[i].bucket - prev > 1) {
			uint64_t gap = rows[i].bucket - prev - 1, g;

			if (gap > EMPTY_RUN_MAX) {
				fprintf(out, "  ... %" PRIu64 " intervals without drops\n", gap);
			} else {
				for (g = prev + 1; g < rows[i].bucket; g++) {
					put_time(t, g * interval, interval);
					fprintf(out, " %8d |\n", 0);
				}
			}
		}
		prev = rows[i].bucket;
		put_time(t, rows[i].bucket * interval, interval);
		fprintf(out, " %8" PRIu64 " |", rows[i].count);
		bar = maxc > BAR_WIDTH ? (rows[i].count * BAR_WIDTH + maxc - 1) / maxc
				       : rows[i].count;
		if (!t->to.by_reason) {
			for (j = 0; j < bar; j++)
				fputc('#', out);
		} else {
			/* Each reason gets its share of the bar, rounded; the most common first. */
			uint64_t drawn = 0, cum = 0, upto, k;

			for (; nc < ncells && cells[nc].row < rows[i].bucket; nc++)
				;
			for (; nc < ncells && cells[nc].row == rows[i].bucket; nc++) {
				cum += cells[nc].count;
				upto = (cum * bar + rows[i].count / 2) / rows[i].count;
				for (k = drawn; k < upto; k++)
					fputc(cells[nc].reason < REASON_LETTERS - 1
						  ? (int)('A' + cells[nc].reason)
						  : '+',
					      out);
				if (upto > drawn)
					drawn = upto;
			}
		}
		fputc('\n', out);
	}
	if (t->lost)
		fprintf(out, "%" PRIu64 " drops lost (ring buffer full), not charted\n", t->lost);
	rc = rpt_out_status(out, true);
out:
	free(cells);
	free(rows);
	free(ents);
	free(reasons);
	return rc;
}

static void timeline_close(void *ctx)
{
	struct timeline *t = ctx;

	strmap_free(&t->buckets);
	strmap_free(&t->cells);
	strmap_free(&t->reasons);
	free(t);
}

static const struct rpt_sink_ops timeline_ops = {
    .begin = timeline_begin,
    .drop = timeline_drop,
    .loss = timeline_loss,
    .finish = timeline_finish,
    .close = timeline_close,
};

struct rpt_sink *rpt_timeline_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct timeline *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->out = out;
	if (cfg) {
		t->o = cfg->o;
		t->to = cfg->timeline;
	}
	t->base_ns = t->to.interval_ns ? t->to.interval_ns : NS_PER_SEC;
	t->sink.ops = &timeline_ops;
	t->sink.ctx = t;
	return &t->sink;
}
