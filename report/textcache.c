// SPDX-License-Identifier: BSD-2-Clause
/* textcache: a view's rendered text of deduplicated stacks and drop sites, under a byte budget. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "htab.h"
#include "textcache.h"

struct tc_ent {
	const void *file;
	uint64_t key;
	uint64_t gen;
	uint32_t kind;
	size_t len;
	char *text;
};

struct rpt_textcache {
	struct tc_ent *ents; /* dense */
	size_t count, cap;
	struct rpt_htab index;
	size_t bytes;
	size_t budget;
};

/* What one entry costs against the budget besides its text (its share of the array and the
 * index, and the allocator's overhead). */
#define TC_ENT_COST (sizeof(struct tc_ent) + 2 * sizeof(struct rpt_hslot) + 16)

struct rpt_textcache *rpt_textcache_new(size_t budget)
{
	struct rpt_textcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->budget = budget;
	return c;
}

/* Drop every entry (their text), keep the array and the index for what comes next. */
static void tc_clear(struct rpt_textcache *c)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		free(c->ents[i].text);
	c->count = c->bytes = 0;
	rpt_htab_clear(&c->index);
}

void rpt_textcache_free(struct rpt_textcache *c)
{
	if (!c)
		return;
	tc_clear(c);
	free(c->ents);
	rpt_htab_free(&c->index);
	free(c);
}

static uint64_t tc_hash(const void *file, uint32_t kind, uint64_t key)
{
	return rpt_hash_u64((uint64_t)(uintptr_t)file ^ ((uint64_t)kind << 59) ^ key);
}

static struct tc_ent *tc_find(const struct rpt_textcache *c, const void *file, uint32_t kind,
			      uint64_t key, uint64_t h)
{
	size_t pos, i;

	for (i = rpt_htab_first(&c->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&c->index, h, &pos)) {
		struct tc_ent *e = &c->ents[i];

		if (e->file == file && e->kind == kind && e->key == key)
			return e;
	}
	return NULL;
}

const char *rpt_textcache_get(struct rpt_textcache *c, const void *file, uint32_t kind,
			      uint64_t key, uint64_t gen, size_t *len)
{
	struct tc_ent *e;

	if (!c || !file)
		return NULL;
	e = tc_find(c, file, kind, key, tc_hash(file, kind, key));
	if (!e || e->gen != gen)
		return NULL;
	*len = e->len;
	return e->text;
}

static char *copy_text(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (copy && len)
		memcpy(copy, text, len);
	return copy;
}

int rpt_textcache_put(struct rpt_textcache *c, const void *file, uint32_t kind, uint64_t key,
		      uint64_t gen, const char *text, size_t len)
{
	size_t cost = len + TC_ENT_COST;
	uint64_t h = tc_hash(file, kind, key);
	struct tc_ent *e;
	char *copy;
	int rc;

	if (!c || !file)
		return -EINVAL;
	if (cost > c->budget || len > c->budget)
		return -E2BIG;
	e = tc_find(c, file, kind, key, h);
	if (e) {
		/* Same key, newer generation: replace the text in place. */
		if (c->bytes - (e->len + TC_ENT_COST) + cost <= c->budget) {
			copy = copy_text(text, len);
			if (!copy)
				return -ENOMEM;
			free(e->text);
			c->bytes = c->bytes - e->len + len;
			e->text = copy;
			e->len = len;
			e->gen = gen;
			return 0;
		}
		tc_clear(c);
	}
	if (c->bytes + cost > c->budget)
		tc_clear(c);
	rc = rpt_grow((void **)&c->ents, &c->cap, c->count + 1, sizeof(*c->ents));
	if (rc)
		return rc;
	copy = copy_text(text, len);
	if (!copy)
		return -ENOMEM;
	rc = rpt_htab_insert(&c->index, h, c->count);
	if (rc) {
		free(copy);
		return rc;
	}
	e = &c->ents[c->count++];
	*e = (struct tc_ent){
	    .file = file, .key = key, .gen = gen, .kind = kind, .len = len, .text = copy};
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
