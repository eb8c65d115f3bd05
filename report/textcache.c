// SPDX-License-Identifier: BSD-2-Clause
/* textcache: a view's rendered text of deduplicated stacks and drop sites, under a byte budget. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "textcache.h"

struct tc_ent {
	const void *file; /* NULL = empty slot */
	uint64_t key;
	uint64_t gen;
	uint32_t kind;
	size_t len;
	char *text;
};

struct rpt_textcache {
	struct tc_ent *tab;
	size_t cap; /* power of two, 0 before the first insertion */
	size_t count;
	size_t bytes;
	size_t budget;
};

/* What one entry costs against the budget besides its text (slot share and allocator). */
#define TC_ENT_COST (2 * sizeof(struct tc_ent) + 16)

struct rpt_textcache *rpt_textcache_new(size_t budget)
{
	struct rpt_textcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->budget = budget;
	return c;
}

static void tc_clear(struct rpt_textcache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		free(c->tab[i].text);
	free(c->tab);
	c->tab = NULL;
	c->cap = c->count = c->bytes = 0;
}

void rpt_textcache_free(struct rpt_textcache *c)
{
	if (!c)
		return;
	tc_clear(c);
	free(c);
}

static size_t tc_hash(const void *file, uint32_t kind, uint64_t key)
{
	uint64_t x = (uint64_t)(uintptr_t)file ^ ((uint64_t)kind << 59) ^ key;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

static struct tc_ent *tc_slot(struct tc_ent *tab, size_t cap, const void *file, uint32_t kind,
			      uint64_t key)
{
	size_t mask = cap - 1, i;

	for (i = tc_hash(file, kind, key) & mask; tab[i].file; i = (i + 1) & mask)
		if (tab[i].file == file && tab[i].kind == kind && tab[i].key == key)
			break;
	return &tab[i];
}

const char *rpt_textcache_get(struct rpt_textcache *c, const void *file, uint32_t kind,
			      uint64_t key, uint64_t gen, size_t *len)
{
	struct tc_ent *e;

	if (!c || !c->cap || !file)
		return NULL;
	e = tc_slot(c->tab, c->cap, file, kind, key);
	if (!e->file || e->gen != gen)
		return NULL;
	*len = e->len;
	return e->text;
}

static int tc_grow(struct rpt_textcache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 64, i;
	struct tc_ent *tab = calloc(ncap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (i = 0; i < c->cap; i++)
		if (c->tab[i].file)
			*tc_slot(tab, ncap, c->tab[i].file, c->tab[i].kind, c->tab[i].key) =
			    c->tab[i];
	free(c->tab);
	c->tab = tab;
	c->cap = ncap;
	return 0;
}

int rpt_textcache_put(struct rpt_textcache *c, const void *file, uint32_t kind, uint64_t key,
		      uint64_t gen, const char *text, size_t len)
{
	size_t cost = len + TC_ENT_COST;
	struct tc_ent *e;
	char *copy;
	int rc;

	if (!c || !file)
		return -EINVAL;
	if (cost > c->budget || len > c->budget)
		return -E2BIG;
	if (c->cap) {
		e = tc_slot(c->tab, c->cap, file, kind, key);
		if (e->file) {
			/* Same key, newer generation: replace the text in place. */
			if (c->bytes - (e->len + TC_ENT_COST) + cost > c->budget) {
				tc_clear(c);
			} else {
				copy = malloc(len ? len : 1);
				if (!copy)
					return -ENOMEM;
				memcpy(copy, text, len);
				free(e->text);
				c->bytes = c->bytes - e->len + len;
				e->text = copy;
				e->len = len;
				e->gen = gen;
				return 0;
			}
		}
	}
	if (c->bytes + cost > c->budget)
		tc_clear(c);
	if ((c->count + 1) * 2 > c->cap) {
		rc = tc_grow(c);
		if (rc)
			return rc;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	e = tc_slot(c->tab, c->cap, file, kind, key);
	e->file = file;
	e->kind = kind;
	e->key = key;
	e->gen = gen;
	e->len = len;
	e->text = copy;
	c->count++;
	c->bytes += cost;
	return 0;
}

size_t rpt_textcache_bytes(const struct rpt_textcache *c)
{
	return c ? c->bytes : 0;
}

size_t rpt_textcache_count(const struct rpt_textcache *c)
{
	return c ? c->count : 0;
}
