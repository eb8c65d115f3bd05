// SPDX-License-Identifier: BSD-2-Clause
/* strmap: string keys to counts, entries dense in an array and found through report/htab. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "grow.h"
#include "strmap.h"

const char strmap_other[] = "(other)";

/* A new key: its entry with the array's doubling slack, its index slots (a quarter to half
 * full), its own copy. */
#define KEY_COST(len)                                                                              \
	(2 * sizeof(struct strmap_ent) + 4 * sizeof(struct rpt_hslot) + (len) + 1 +                \
	 RPT_BUDGET_MALLOC_OVERHEAD)

int strmap_add(struct strmap *m, const char *key, uint64_t count)
{
	size_t n = strlen(key), pos, i;
	uint64_t h = rpt_hash_mem(key, n);
	struct strmap_ent *e;
	int rc;

	for (i = rpt_htab_first(&m->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&m->index, h, &pos)) {
		if (strcmp(m->ents[i].key, key) == 0) {
			m->ents[i].count += count;
			return 0;
		}
	}
	if (!rpt_budget_take(RPT_POOL_VIEWS, KEY_COST(n))) {
		m->other += count;
		m->has_other = true;
		return 0;
	}
	m->charged += KEY_COST(n);
	rc = rpt_grow((void **)&m->ents, &m->cap, m->n + 1, sizeof(*m->ents));
	if (rc)
		return rc;
	e = &m->ents[m->n];
	e->key = malloc(n + 1);
	if (!e->key)
		return -ENOMEM;
	memcpy(e->key, key, n + 1);
	e->count = count;
	rc = rpt_htab_insert(&m->index, h, m->n);
	if (rc) {
		free(e->key);
		return rc;
	}
	m->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	const struct strmap_ent *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct strmap_ent *strmap_sorted(const struct strmap *m, size_t *n)
{
	struct strmap_ent *v;

	*n = 0;
	if (m->n == 0 && !m->has_other)
		return NULL;
	v = malloc((m->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	if (m->n)
		memcpy(v, m->ents, m->n * sizeof(*v));
	qsort(v, m->n, sizeof(*v), cmp_ent);
	*n = m->n;
	if (m->has_other)
		v[(*n)++] = (struct strmap_ent){.key = (char *)strmap_other, .count = m->other};
	return v;
}

void strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ents[i].key);
	free(m->ents);
	rpt_htab_free(&m->index);
	rpt_budget_give(RPT_POOL_VIEWS, m->charged);
	m->ents = NULL;
	m->n = m->cap = m->charged = 0;
	m->other = 0;
	m->has_other = false;
}
