// SPDX-License-Identifier: BSD-2-Clause
/* htab: the one open-addressing hash index of report/ (growth and insertion). */
#include "htab.h"

#include <errno.h>
#include <stdlib.h>

static void place(struct rpt_hslot *slots, size_t cap, uint32_t h, uint32_t ent)
{
	size_t mask = cap - 1, i;

	for (i = h & mask; slots[i].ent; i = (i + 1) & mask)
		;
	slots[i].hash = h;
	slots[i].ent = ent;
}

static int grow(struct rpt_htab *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 64, i;
	struct rpt_hslot *slots;

	if (t->cap > SIZE_MAX / 2 / sizeof(*slots))
		return -ENOMEM;
	slots = calloc(ncap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].ent)
			place(slots, ncap, t->slots[i].hash, t->slots[i].ent);
	free(t->slots);
	t->slots = slots;
	t->cap = ncap;
	return 0;
}

int rpt_htab_insert(struct rpt_htab *t, uint64_t h, size_t ent)
{
	int rc;

	if (ent >= UINT32_MAX)
		return -EOVERFLOW;
	if ((t->count + 1) * 2 > t->cap) {
		rc = grow(t);
		if (rc)
			return rc;
	}
	place(t->slots, t->cap, (uint32_t)h, (uint32_t)ent + 1);
	t->count++;
	return 0;
}

void rpt_htab_clear(struct rpt_htab *t)
{
	if (t->cap)
		memset(t->slots, 0, t->cap * sizeof(*t->slots));
	t->count = 0;
}

void rpt_htab_free(struct rpt_htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}
