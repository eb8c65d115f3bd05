// SPDX-License-Identifier: BSD-2-Clause
/* explain: the drops grouped by diagnosis, most frequent first, each with its explanation. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../budget.h"
#include "../explain.h"
#include "../grow.h"
#include "../htab.h"
#include "../stacktext.h"
#include "../views.h"

/*
 * A group is the reason plus the drop's diagnosis line (rpt_explain_drop()): the diagnosis
 * holds exactly the facts that change what the drop means (port, hook, device, flags,
 * state), so grouping by it keeps apart what needs different action.
 */
struct group {
	char *key;	   /* escaped reason, SEP, diagnosis; owned */
	size_t reason_len; /* bytes of key before SEP */
	uint64_t hash;
	uint64_t count, first_ns, last_ns;
	uint32_t code; /* the first drop's raw reason value */
	char *example; /* the first drop, escaped; owned */
};

#define SEP '\x1f' /* never in escaped text */

/*
 * What a new group is charged to the views' budget: the array's doubling slack, its index
 * slots (a quarter to half full), its key; its example is charged once made.
 */
#define GROUP_COST(klen)                                                                           \
	(2 * sizeof(struct group) + 4 * sizeof(struct rpt_hslot) + (klen) + 1 +                    \
	 RPT_BUDGET_MALLOC_OVERHEAD)

struct explain {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	uint64_t start_ns;
	struct group *groups;
	size_t ngroups, cap;
	struct rpt_htab index;
	uint64_t total, lost, excluded;
	uint64_t other; /* drops in groups past the budget */
	bool full;	/* an example did not fit: no more groups (nor examples made in vain) */
	size_t charged; /* bytes charged to the views' budget */
	struct rpt_stacktext *frames;
};

static int explain_begin(void *ctx, const struct rpt_begin *b)
{
	struct explain *x = ctx;

	x->start_ns = b->start_real_ns;
	return 0;
}

/* "SRC > DST FLAGS, state S, on DEV (netns N), in LOCATION, pid/comm P/C[, owner C/P]". */
static char *example_of(struct explain *x, const struct rpt_drop *rd)
{
	const struct tdf_drop *d = rd->d;
	char src[64], dst[64], flags[32], comm[TDF_COMM_LEN * 4 + 1], dev[TDF_IFNAME_LEN * 4 + 1];
	char state[TDF_NAME_MAX * 4 + 1], *out = NULL;
	char ocomm[TDF_COMM_LEN * 4 + 1], owner[TDF_COMM_LEN * 4 + 32] = "";
	const char *loc = "?";
	size_t loc_len = 1;

	rpt_text_escape(comm, sizeof(comm), d->comm, TDF_COMM_LEN);
	rpt_text_escape(dev, sizeof(dev), d->ifname[0] ? d->ifname : "no device", TDF_IFNAME_LEN);
	rpt_text_escape(state, sizeof(state), rd->state ? rd->state : "no socket", TDF_NAME_MAX);
	rpt_fmt_flags(d->tcp_flags, flags, sizeof(flags));
	if (d->location.mod != TDF_MOD_UNKNOWN) {
		loc = rpt_stacktext_addr(x->frames, rd->file, d->location, &loc_len);
		if (!loc)
			return NULL;
	}
	if (rd->owner) {
		rpt_text_escape(ocomm, sizeof(ocomm), rd->owner->comm, TDF_COMM_LEN);
		snprintf(owner, sizeof(owner), ", owner %s/%" PRIu32, ocomm, rd->owner->pid);
	}
	if (asprintf(&out,
		     "%s > %s %s, %s, on %s (netns %" PRIu32 "), in %.*s, pid/comm %" PRIu32
		     "/%s%s",
		     rpt_fmt_endpoint(d->family, d->saddr, d->sport, src, sizeof(src)),
		     rpt_fmt_endpoint(d->family, d->daddr, d->dport, dst, sizeof(dst)),
		     flags[0] ? flags : "-", state, dev, d->netns, (int)loc_len, loc, d->pid, comm,
		     owner) < 0)
		return NULL;
	return out;
}

static int explain_drop(void *ctx, const struct rpt_drop *rd)
{
	struct explain *x = ctx;
	char key[TDF_NAME_MAX * 4 + 2 + RPT_EXPLAIN_LINE_MAX];
	size_t rlen, klen, pos, i, ex_cost;
	struct group *g;
	uint64_t h;
	int rc;

	rlen = rpt_text_escape(key, TDF_NAME_MAX * 4 + 1, rd->reason, TDF_NAME_MAX);
	if (rlen > TDF_NAME_MAX * 4)
		rlen = TDF_NAME_MAX * 4;
	key[rlen] = SEP;
	klen = rpt_explain_drop(rd, key + rlen + 1, sizeof(key) - rlen - 1);
	klen = rlen + 1 + (klen < sizeof(key) - rlen - 1 ? klen : sizeof(key) - rlen - 2);
	h = rpt_hash_mem(key, klen);
	x->total++;
	for (i = rpt_htab_first(&x->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&x->index, h, &pos)) {
		g = &x->groups[i];
		if (g->hash == h && strlen(g->key) == klen && memcmp(g->key, key, klen) == 0) {
			g->count++;
			if (rd->real_ns < g->first_ns)
				g->first_ns = rd->real_ns;
			if (rd->real_ns > g->last_ns)
				g->last_ns = rd->real_ns;
			return 0;
		}
	}
	if (x->full || !rpt_budget_take(RPT_POOL_VIEWS, GROUP_COST(klen))) {
		x->other++;
		return 0;
	}
	x->charged += GROUP_COST(klen);
	rc = rpt_grow((void **)&x->groups, &x->cap, x->ngroups + 1, sizeof(*x->groups));
	if (rc)
		return rc;
	g = &x->groups[x->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = strndup(key, klen);
	g->example = example_of(x, rd);
	if (!g->key || !g->example) {
		free(g->key);
		free(g->example);
		return -ENOMEM;
	}
	ex_cost = strlen(g->example) + 1 + RPT_BUDGET_MALLOC_OVERHEAD;
	if (!rpt_budget_take(RPT_POOL_VIEWS, ex_cost)) {
		free(g->key);
		free(g->example);
		rpt_budget_give(RPT_POOL_VIEWS, GROUP_COST(klen));
		x->charged -= GROUP_COST(klen);
		x->full = true;
		x->other++;
		return 0;
	}
	x->charged += ex_cost;
	g->reason_len = rlen;
	g->hash = h;
	g->count = 1;
	g->first_ns = g->last_ns = rd->real_ns;
	g->code = rd->d->reason;
	rc = rpt_htab_insert(&x->index, h, x->ngroups);
	if (rc) {
		free(g->key);
		free(g->example);
		return rc;
	}
	x->ngroups++;
	return 0;
}

static int explain_loss(void *ctx, const struct rpt_loss *l)
{
	struct explain *x = ctx;

	if (l->kind == TDF_LOSS_RINGBUF)
		x->lost += l->count;
	else if (l->kind == TDF_LOSS_EXCLUDED)
		x->excluded += l->count;
	return 0;
}

/* Most drops first; ties by first appearance, so the output is deterministic. */
static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* A list of the knowledge base under a label, one item a line. */
static void put_list(FILE *out, const char *label, const char *const *items, bool numbered)
{
	for (int i = 0; i < RPT_EXPLAIN_LIST_MAX && items[i]; i++) {
		fprintf(out, "  %-9s ", i == 0 ? label : "");
		if (numbered)
			fprintf(out, "%d. ", i + 1);
		else
			fputs("- ", out);
		fprintf(out, "%s\n", items[i]);
	}
}

/* Has an earlier group (in printing order) the same reason? */
static bool reason_seen(const struct group *g, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (g[j].reason_len == g[i].reason_len &&
		    memcmp(g[j].key, g[i].key, g[i].reason_len) == 0)
			return true;
	return false;
}

static void put_group(struct explain *x, const struct group *groups, size_t i)
{
	const struct group *g = &groups[i];
	char reason[TDF_NAME_MAX * 4 + 1], sub[48], t1[64], t2[64];
	const struct rpt_reason_info *ri;
	FILE *out = x->out;

	memcpy(reason, g->key, g->reason_len);
	reason[g->reason_len] = '\0';
	/* The name was escaped for the key; an escaped name only matches an entry when it
	 * needed no escaping, which every real name is. */
	ri = rpt_explain_reason(reason);
	fprintf(out, "%s (%s): %" PRIu64 " drop%s, %.1f%%, ", reason,
		rpt_explain_subsys(reason, g->code, sub, sizeof(sub)), g->count,
		g->count == 1 ? "" : "s", 100.0 * (double)g->count / (double)x->total);
	rpt_fmt_time(g->first_ns, x->start_ns, &x->o, t1, sizeof(t1));
	if (g->count == 1) {
		fprintf(out, "at %s\n", t1);
	} else {
		rpt_fmt_time(g->last_ns, x->start_ns, &x->o, t2, sizeof(t2));
		fprintf(out, "%s to %s\n", t1, t2);
	}
	fprintf(out, "  %-9s %s\n", "why:", g->key + g->reason_len + 1);
	fprintf(out, "  %-9s %s\n", "example:", g->example);
	if (!ri) {
		fprintf(out, "  %-9s %s\n", "next:",
			"look the name up in the source of the recording kernel (tcpdrop-report "
			"--info names it), or use a newer tcpdrop");
	} else if (reason_seen(groups, i)) {
		fprintf(out, "  %-9s see %s above\n", "about:", reason);
	} else {
		fprintf(out, "  %-9s %s\n", "checked:", ri->check);
		if (ri->counters[0]) {
			fprintf(out, "  %-9s nstat -az", "counters:");
			for (int k = 0; k < RPT_EXPLAIN_LIST_MAX && ri->counters[k]; k++)
				fprintf(out, " %s", ri->counters[k]);
			fputc('\n', out);
		}
		put_list(out, "causes:", ri->causes, true);
		put_list(out, "next:", ri->next, false);
		fprintf(out, "  %-9s %s\n", "verdict:", rpt_verdict_text(ri->verdict));
	}
}

static int explain_finish(void *ctx)
{
	struct explain *x = ctx;
	FILE *out = x->out;

	if (x->ngroups) /* qsort's array must not be NULL, even for no elements */
		qsort(x->groups, x->ngroups, sizeof(*x->groups), cmp_group);
	/* The index points at the unsorted order: no lookups after this. */
	rpt_htab_free(&x->index);
	fprintf(out,
		"%" PRIu64 " drop%s in %zu group%s (a reason and the facts that change what it "
		"means), most frequent first\n",
		x->total, x->total == 1 ? "" : "s", x->ngroups, x->ngroups == 1 ? "" : "s");
	for (size_t i = 0; i < x->ngroups; i++) {
		fputc('\n', out);
		put_group(x, x->groups, i);
	}
	if (x->other)
		fprintf(out, "\n(other): %" PRIu64 " drop%s in groups past the memory budget\n",
			x->other, x->other == 1 ? "" : "s");
	if (x->lost || x->excluded)
		fputc('\n', out);
	if (x->lost)
		fprintf(out,
			"%" PRIu64
			" drops were lost (ring buffer full) and are not explained above\n",
			x->lost);
	if (x->excluded)
		fprintf(out,
			"%" PRIu64 " NOT_SPECIFIED frees were left out by the recorder "
			"(tcpdrop-record --all-reasons keeps them)\n",
			x->excluded);
	return rpt_out_status(out, true);
}

static void explain_close(void *ctx)
{
	struct explain *x = ctx;

	for (size_t i = 0; i < x->ngroups; i++) {
		free(x->groups[i].key);
		free(x->groups[i].example);
	}
	free(x->groups);
	rpt_htab_free(&x->index);
	rpt_budget_give(RPT_POOL_VIEWS, x->charged);
	rpt_stacktext_free(x->frames);
	free(x);
}

static const struct rpt_sink_ops explain_ops = {
    .begin = explain_begin,
    .drop = explain_drop,
    .loss = explain_loss,
    .finish = explain_finish,
    .close = explain_close,
};

/* A frame as the table shows it, without its indentation. */
static const struct rpt_frame_style explain_frames = {.between = " < "};

struct rpt_sink *rpt_explain_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct explain *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->out = out;
	if (cfg)
		x->o = cfg->o;
	x->frames = rpt_stacktext_new(&explain_frames);
	if (!x->frames) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->sink.ops = &explain_ops;
	x->sink.ctx = x;
	return &x->sink;
}
