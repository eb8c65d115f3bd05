// SPDX-License-Identifier: BSD-2-Clause
/* stacktab: one file's stack definitions by id, found through report/htab. */
#include "stacktab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* Distinct stacks kept: a recording has some thousand; this stops a hostile file. */
#define STACK_MAX (1u << 20)

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
	int rc;

	if (s->id == 0 || s->depth > TDF_STACK_MAX)
		return 0;
	old = find(t, s->id);
	if (!old && t->n >= STACK_MAX)
		return 0;
	frames = calloc(s->depth ? s->depth : 1, sizeof(*frames));
	if (!frames)
		return -ENOMEM;
	if (s->depth)
		memcpy(frames, s->frames, s->depth * sizeof(*frames));
	if (old) {
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
	memset(t, 0, sizeof(*t));
}
