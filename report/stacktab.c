// SPDX-License-Identifier: BSD-2-Clause
/* stacktab: one file's stack definitions by id, found through report/htab. */
#include "stacktab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "grow.h"

#define STACK_MAX RPT_STACKTAB_MAX

/*
 * What one stack costs: its entry with the doubling array's slack, its index slots (the
 * index is kept between a quarter and half full) and its frames, allocated on their own.
 */
#define STACK_COST (2 * sizeof(struct tdf_stack) + 4 * sizeof(struct rpt_hslot))
#define FRAMES_COST(depth)                                                                         \
	((size_t)((depth) ? (depth) : 1) * sizeof(struct tdf_kaddr) + RPT_BUDGET_MALLOC_OVERHEAD)

static bool charge(struct rpt_stacktab *t, size_t bytes)
{
	if (!rpt_budget_take(RPT_POOL_FILES, bytes))
		return false;
	t->charged += bytes;
	return true;
}

static void uncharge(struct rpt_stacktab *t, size_t bytes)
{
	rpt_budget_give(RPT_POOL_FILES, bytes);
	t->charged -= bytes;
}

static struct tdf_stack *find(const struct rpt_stacktab *t, uint32_t id)
{
	uint64_t h = rpt_hash_u64(id);
	size_t pos, i;

	for (i = rpt_htab_first(&t->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&t->index, h, &pos))
		if (t->stacks[i].id == id)
			return &t->stacks[i];
	return NULL;
}

const struct tdf_stack *rpt_stacktab_find(const struct rpt_stacktab *t, uint32_t id)
{
	return id ? find(t, id) : NULL;
}

int rpt_stacktab_add(struct rpt_stacktab *t, const struct tdf_stack *s)
{
	struct tdf_stack *old;
	struct tdf_kaddr *frames;
	size_t cost;
	int rc;

	if (s->id == 0 || s->depth > TDF_STACK_MAX)
		return 0;
	old = find(t, s->id);
	if (!old && t->n >= STACK_MAX)
		return RPT_FULL_COUNT;
	/* a redefinition that does not fit keeps the old frames */
	cost = FRAMES_COST(s->depth) + (old ? 0 : STACK_COST);
	if (!charge(t, cost))
		return RPT_FULL_BYTES;
	frames = calloc(s->depth ? s->depth : 1, sizeof(*frames));
	if (!frames) {
		uncharge(t, cost);
		return -ENOMEM;
	}
	if (s->depth)
		memcpy(frames, s->frames, s->depth * sizeof(*frames));
	if (old) {
		uncharge(t, FRAMES_COST(old->depth));
		free((void *)old->frames);
		old->depth = s->depth;
		old->frames = frames;
		t->gen++; /* a redefined id: text rendered from the old frames is stale */
		return 0;
	}
	rc = rpt_grow((void **)&t->stacks, &t->cap, t->n + 1, sizeof(*t->stacks));
	if (!rc)
		rc = rpt_htab_insert(&t->index, rpt_hash_u64(s->id), t->n);
	if (rc) {
		uncharge(t, cost);
		free(frames);
		return rc;
	}
	t->stacks[t->n++] = (struct tdf_stack){.id = s->id, .depth = s->depth, .frames = frames};
	return 0;
}

void rpt_stacktab_free(struct rpt_stacktab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free((void *)t->stacks[i].frames);
	free(t->stacks);
	rpt_htab_free(&t->index);
	rpt_budget_give(RPT_POOL_FILES, t->charged);
	memset(t, 0, sizeof(*t));
}
