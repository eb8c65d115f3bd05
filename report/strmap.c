// SPDX-License-Identifier: BSD-2-Clause
/* strmap: an open-addressing hash map from strings to counts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

/* Eight bytes at a time: summary keys are long (whole stacks), so this is on the hot path. */
static uint64_t hash_str(const char *s)
{
	size_t n = strlen(s), i;
	uint64_t h = 1469598103934665603ull ^ n, w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

static struct strmap_ent *slot(struct strmap_ent *tab, size_t cap, const char *key)
{
	size_t mask = cap - 1, i;

	for (i = hash_str(key) & mask; tab[i].key && strcmp(tab[i].key, key) != 0;
	     i = (i + 1) & mask)
		;
	return &tab[i];
}

int strmap_add(struct strmap *m, const char *key, uint64_t count)
{
	struct strmap_ent *e;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct strmap_ent *tab = calloc(ncap, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*slot(tab, ncap, m->slots[i].key) = m->slots[i];
		free(m->slots);
		m->slots = tab;
		m->cap = ncap;
	}
	e = slot(m->slots, m->cap, key);
	if (!e->key) {
		e->key = strdup(key);
		if (!e->key)
			return -ENOMEM;
		e->count = 0;
		e->order = m->n++;
	}
	e->count += count;
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
	size_t i, k = 0;

	*n = 0;
	if (m->n == 0)
		return NULL;
	v = calloc(m->n, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			v[k++] = m->slots[i];
	qsort(v, k, sizeof(*v), cmp_ent);
	*n = k;
	return v;
}

void strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}
