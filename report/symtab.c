// SPDX-License-Identifier: BSD-2-Clause
/* symtab: one file's kallsyms snapshot, per module, with the pool its names live in. */
#include "symtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "grow.h"

#define KMOD_MAX RPT_SYMTAB_KMOD_MAX
#define KSYM_MAX RPT_SYMTAB_KSYM_MAX

/*
 * What one symbol costs: its entry with the doubling array's slack (up to twice the entries)
 * plus its name in the pool, which packs names (no per-name allocation).
 */
#define KSYM_COST(namelen) (2 * sizeof(struct tdf_ksym) + (namelen) + 1)
/* A module: its entry with the array's slack; its name is allocated on its own. */
#define KMOD_COST	    (2 * sizeof(struct rpt_module))
#define KMOD_NAME_COST(len) ((len) + 1 + RPT_BUDGET_MALLOC_OVERHEAD)

/* Symbol names, packed one after the other: one allocation per chunk, not per name. */
#define NAME_CHUNK (64u << 10)

struct rpt_module {
	uint32_t id;
	char *name;
	struct tdf_ksym *syms; /* names in the table's pool */
	size_t nsyms, cap;
	size_t name_cost; /* charged for name */
	bool dirty;
};

struct rpt_name_chunk {
	struct rpt_name_chunk *next;
	size_t len, cap;
	char data[];
};

int rpt_symtab_init(struct rpt_symtab *t)
{
	memset(t, 0, sizeof(*t));
	t->mods = calloc(1, sizeof(*t->mods));
	if (!t->mods)
		return -ENOMEM;
	t->cap_mods = t->nmods = 1;
	t->mods[0].id = TDF_MOD_VMLINUX;
	return 0;
}

void rpt_symtab_free(struct rpt_symtab *t)
{
	size_t i;

	for (i = 0; i < t->nmods; i++) {
		free(t->mods[i].name);
		free(t->mods[i].syms);
	}
	free(t->mods);
	rpt_budget_give(RPT_POOL_FILES, t->charged);
	while (t->names) {
		struct rpt_name_chunk *c = t->names;

		t->names = c->next;
		free(c);
	}
	memset(t, 0, sizeof(*t));
}

static const struct rpt_module *find_mod(const struct rpt_symtab *t, uint32_t id)
{
	size_t lo = 0, hi = t->nmods;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->mods[mid].id == id)
			return &t->mods[mid];
		if (t->mods[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool charge(struct rpt_symtab *t, size_t bytes)
{
	if (!rpt_budget_take(RPT_POOL_FILES, bytes))
		return false;
	t->charged += bytes;
	return true;
}

static void uncharge(struct rpt_symtab *t, size_t bytes)
{
	rpt_budget_give(RPT_POOL_FILES, bytes);
	t->charged -= bytes;
}

/*
 * The module with id, added when new; NULL with *rc RPT_FULL_COUNT past KMOD_MAX,
 * RPT_FULL_BYTES past the budget or -ENOMEM.
 */
static struct rpt_module *get_mod(struct rpt_symtab *t, uint32_t id, int *rc)
{
	struct rpt_module *m;
	size_t i;

	*rc = 0;
	for (i = 0; i < t->nmods; i++)
		if (t->mods[i].id == id)
			return &t->mods[i];
	*rc = RPT_FULL_COUNT;
	if (t->nmods >= KMOD_MAX)
		return NULL;
	*rc = RPT_FULL_BYTES;
	if (!charge(t, KMOD_COST))
		return NULL;
	*rc = rpt_grow((void **)&t->mods, &t->cap_mods, t->nmods + 1, sizeof(*t->mods));
	if (*rc) {
		uncharge(t, KMOD_COST);
		return NULL;
	}
	m = &t->mods[t->nmods++];
	memset(m, 0, sizeof(*m));
	m->id = id;
	if (t->nmods > 1 && t->mods[t->nmods - 2].id > id)
		t->mods_dirty = t->dirty = true;
	return m;
}

int rpt_symtab_add_kmod(struct rpt_symtab *t, const struct tdf_kmod *k)
{
	struct rpt_module *m;
	size_t cost;
	char *name;
	int rc;

	if (k->id == TDF_MOD_VMLINUX || k->id == TDF_MOD_UNKNOWN)
		return 0;
	m = get_mod(t, k->id, &rc);
	if (!m)
		return rc;
	cost = KMOD_NAME_COST(strnlen(k->name, TDF_NAME_MAX));
	if (!charge(t, cost))
		return RPT_FULL_BYTES;
	name = strndup(k->name, TDF_NAME_MAX);
	if (!name) {
		uncharge(t, cost);
		return -ENOMEM;
	}
	free(m->name);
	uncharge(t, m->name_cost);
	m->name = name;
	m->name_cost = cost;
	t->gen++;
	return 0;
}

/* A copy of s (at most max bytes) in the pool; NULL when out of memory. */
static char *pool_strndup(struct rpt_symtab *t, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	struct rpt_name_chunk *c = t->names;
	char *p;

	if (!c || c->cap - c->len < n + 1) {
		size_t cap = n + 1 > NAME_CHUNK ? n + 1 : NAME_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = t->names;
		c->len = 0;
		c->cap = cap;
		t->names = c;
	}
	p = c->data + c->len;
	memcpy(p, s, n);
	p[n] = '\0';
	c->len += n + 1;
	return p;
}

int rpt_symtab_add_ksyms(struct rpt_symtab *t, const struct tdf_ksyms *ks)
{
	struct rpt_module *m;
	uint32_t i;
	int rc;

	if (ks->mod == TDF_MOD_UNKNOWN)
		return 0;
	m = get_mod(t, ks->mod, &rc);
	if (!m)
		return rc;
	t->gen++;
	for (i = 0; i < ks->count; i++) {
		size_t cost = KSYM_COST(strnlen(ks->syms[i].name, TDF_NAME_MAX));
		char *name;

		if (t->total_syms >= KSYM_MAX)
			return RPT_FULL_COUNT;
		if (!charge(t, cost))
			return RPT_FULL_BYTES;
		rc = rpt_grow((void **)&m->syms, &m->cap, m->nsyms + 1, sizeof(*m->syms));
		name = rc ? NULL : pool_strndup(t, ks->syms[i].name, TDF_NAME_MAX);
		if (!name) {
			uncharge(t, cost);
			return -ENOMEM;
		}
		if (m->nsyms && m->syms[m->nsyms - 1].off > ks->syms[i].off)
			m->dirty = t->dirty = true;
		m->syms[m->nsyms].off = ks->syms[i].off;
		m->syms[m->nsyms].name = name;
		m->nsyms++;
		t->total_syms++;
	}
	return 0;
}

static int cmp_mod(const void *a, const void *b)
{
	const struct rpt_module *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct tdf_ksym *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return strcmp(x->name, y->name);
}

void rpt_symtab_prepare(struct rpt_symtab *t)
{
	size_t i;

	/* Called before every event: nothing to do is the usual answer. */
	if (!t->dirty)
		return;
	t->dirty = false;
	if (t->mods_dirty)
		qsort(t->mods, t->nmods, sizeof(*t->mods), cmp_mod);
	t->mods_dirty = false;
	for (i = 0; i < t->nmods; i++) {
		if (t->mods[i].dirty)
			qsort(t->mods[i].syms, t->mods[i].nsyms, sizeof(*t->mods[i].syms), cmp_sym);
		t->mods[i].dirty = false;
	}
}

bool rpt_symtab_module_known(const struct rpt_symtab *t, uint32_t mod)
{
	for (size_t i = 0; i < t->nmods; i++)
		if (t->mods[i].id == mod)
			return true;
	return false;
}

const char *rpt_symtab_module(const struct rpt_symtab *t, uint32_t mod)
{
	const struct rpt_module *m = find_mod(t, mod);

	return m ? m->name : NULL;
}

const char *rpt_symtab_lookup(const struct rpt_symtab *t, struct tdf_kaddr a, uint32_t *sym_off,
			      const char **module)
{
	const struct rpt_module *m = find_mod(t, a.mod);
	size_t lo = 0, hi;

	*module = NULL;
	*sym_off = 0;
	if (!m || a.mod == TDF_MOD_UNKNOWN)
		return NULL;
	*module = a.mod == TDF_MOD_VMLINUX ? NULL : m->name;
	hi = m->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].off <= a.off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*sym_off = a.off - m->syms[lo - 1].off;
	return m->syms[lo - 1].name;
}
