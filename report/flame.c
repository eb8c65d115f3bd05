// SPDX-License-Identifier: BSD-2-Clause
/* flame: drops folded into root-first stack paths with counts (folded and html views). */
#include "flame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "grow.h"
#include "htab.h"
#include "stacktext.h"

/* The service's separator: escaped text never holds a control character. */
#define FRAME_SEP   '\x1e'
#define PATH_EMPTY  UINT32_MAX /* a stack whose every frame is machinery: use the location */
#define KIND_STACK  1u
#define KIND_ADDR   2u
#define SEMI_ESCAPE "\\x3b"
#define OTHER_PATH  RPT_FLAME_OTHER

/*
 * What the views' budget is charged per new entry: the array's doubling slack, its index
 * slots (a quarter to half full), its own copy; a path also its copy in the sorted array and
 * one node per frame of the tree a view builds from it (html.c: 40 bytes).
 */
#define SLOTS_COST (4 * sizeof(struct rpt_hslot))
#define ROOT_COST(len)                                                                             \
	(2 * sizeof(struct root) + SLOTS_COST + (len) + 1 + RPT_BUDGET_MALLOC_OVERHEAD)
#define COMBO_COST	(2 * sizeof(struct combo) + SLOTS_COST)
#define PATH_FRAME_COST 48u
#define PATH_COST(len, n)                                                                          \
	(3 * sizeof(struct rpt_flame_path) + SLOTS_COST + (len) + 1 + RPT_BUDGET_MALLOC_OVERHEAD + \
	 (size_t)(n)*PATH_FRAME_COST)

static const struct rpt_frame_style flame_frames = {.between = "\x1e"};

struct root {
	char *text;
	size_t len;
};

/* What one (file, symbol generation, stack id or address, root) folds into. */
struct combo {
	const void *file;
	uint64_t gen, key;
	uint32_t kind, root;
	uint32_t path; /* index in paths, or PATH_EMPTY */
};

struct rpt_flame {
	bool no_stack;
	struct rpt_stacktext *frames;
	struct root *roots;
	size_t nroots, roots_cap;
	struct rpt_htab root_index;
	struct combo *combos;
	size_t ncombos, combos_cap;
	struct rpt_htab combo_index;
	struct rpt_flame_path *paths; /* texts owned */
	size_t npaths, paths_cap;
	struct rpt_htab path_index;
	struct rpt_flame_path *sorted;
	size_t sorted_cap;
	uint64_t total, folded;
	uint32_t other; /* the "(other)" path's index, PATH_EMPTY before the first fold */
	size_t charged; /* bytes charged to the views' budget */
	char *buf;	/* the path being built */
	size_t len, cap;
};

struct rpt_flame *rpt_flame_new(bool no_stack)
{
	struct rpt_flame *fl = calloc(1, sizeof(*fl));

	if (!fl)
		return NULL;
	fl->no_stack = no_stack;
	fl->other = PATH_EMPTY;
	fl->frames = rpt_stacktext_new(&flame_frames);
	if (!fl->frames) {
		free(fl);
		errno = ENOMEM;
		return NULL;
	}
	return fl;
}

void rpt_flame_free(struct rpt_flame *fl)
{
	size_t i;

	if (!fl)
		return;
	for (i = 0; i < fl->nroots; i++)
		free(fl->roots[i].text);
	for (i = 0; i < fl->npaths; i++)
		free((char *)fl->paths[i].text);
	free(fl->roots);
	free(fl->combos);
	free(fl->paths);
	free(fl->sorted);
	free(fl->buf);
	rpt_htab_free(&fl->root_index);
	rpt_htab_free(&fl->combo_index);
	rpt_htab_free(&fl->path_index);
	rpt_stacktext_free(fl->frames);
	rpt_budget_give(RPT_POOL_VIEWS, fl->charged);
	free(fl);
}

/* Charge cost to the views' budget; false (nothing charged) past it. */
static bool charge(struct rpt_flame *fl, size_t cost)
{
	if (!rpt_budget_take(RPT_POOL_VIEWS, cost))
		return false;
	fl->charged += cost;
	return true;
}

/* The root's id; 1 (nothing made) when a new root does not fit the budget. */
static int intern_root(struct rpt_flame *fl, const char *text, uint32_t *id)
{
	size_t len = strlen(text), pos, i;
	uint64_t h = rpt_hash_mem(text, len);
	struct root *r;
	int rc;

	for (i = rpt_htab_first(&fl->root_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&fl->root_index, h, &pos)) {
		if (fl->roots[i].len == len && memcmp(fl->roots[i].text, text, len) == 0) {
			*id = (uint32_t)i;
			return 0;
		}
	}
	if (fl->nroots >= UINT32_MAX - 1)
		return -ENOMEM;
	if (!charge(fl, ROOT_COST(len)))
		return 1;
	rc = rpt_grow((void **)&fl->roots, &fl->roots_cap, fl->nroots + 1, sizeof(*fl->roots));
	if (rc)
		return rc;
	r = &fl->roots[fl->nroots];
	r->text = strdup(text);
	if (!r->text)
		return -ENOMEM;
	r->len = len;
	rc = rpt_htab_insert(&fl->root_index, h, fl->nroots);
	if (rc) {
		free(r->text);
		return rc;
	}
	*id = (uint32_t)fl->nroots++;
	return 0;
}

static uint64_t combo_hash(const struct combo *c)
{
	uint64_t h = rpt_hash_u64(c->key);

	h = rpt_hash_u64(h ^ (uint64_t)(uintptr_t)c->file);
	return rpt_hash_u64(h ^ c->gen ^ ((uint64_t)c->kind << 32 | c->root));
}

static struct combo *combo_find(struct rpt_flame *fl, const struct combo *want, uint64_t h)
{
	size_t i, pos;

	for (i = rpt_htab_first(&fl->combo_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&fl->combo_index, h, &pos)) {
		const struct combo *c = &fl->combos[i];

		if (c->file == want->file && c->key == want->key && c->gen == want->gen &&
		    c->kind == want->kind && c->root == want->root)
			return &fl->combos[i];
	}
	return NULL;
}

static int combo_add(struct rpt_flame *fl, const struct combo *c, uint64_t h)
{
	int rc =
	    rpt_grow((void **)&fl->combos, &fl->combos_cap, fl->ncombos + 1, sizeof(*fl->combos));

	if (rc)
		return rc;
	rc = rpt_htab_insert(&fl->combo_index, h, fl->ncombos);
	if (rc)
		return rc;
	fl->combos[fl->ncombos++] = *c;
	return 0;
}

/* Append s[0..n) to the path being built, ';' written as \x3b. */
static int put_frame(struct rpt_flame *fl, const char *s, size_t n)
{
	size_t i;
	int rc;

	/* The worst case: every byte a ';', a separator and the NUL. */
	if (n > (SIZE_MAX - fl->len - 2) / 4)
		return -ENOMEM;
	rc = rpt_grow((void **)&fl->buf, &fl->cap, fl->len + 4 * n + 2, 1);
	if (rc)
		return rc;
	if (fl->len)
		fl->buf[fl->len++] = RPT_FLAME_SEP;
	for (i = 0; i < n; i++) {
		if (s[i] == RPT_FLAME_SEP) {
			memcpy(fl->buf + fl->len, SEMI_ESCAPE, 4);
			fl->len += 4;
		} else {
			fl->buf[fl->len++] = s[i];
		}
	}
	fl->buf[fl->len] = '\0';
	return 0;
}

/* The root, then the service's frames (innermost first) from the last to the first. */
static int build_path(struct rpt_flame *fl, uint32_t root, const char *text, size_t len,
		      uint32_t *nframes)
{
	const struct root *r = &fl->roots[root];
	size_t end = len, start;
	int rc = 0;

	fl->len = 0;
	*nframes = 0;
	if (r->len) {
		rc = put_frame(fl, r->text, r->len);
		++*nframes;
	}
	while (!rc && end > 0) {
		for (start = end; start > 0 && text[start - 1] != FRAME_SEP; start--)
			;
		rc = put_frame(fl, text + start, end - start);
		++*nframes;
		end = start ? start - 1 : 0;
	}
	return rc;
}

/*
 * The path equal to the one just built, created at count 0 if new; when a new one does not
 * fit the budget (and budgeted), 1 and nothing made.
 */
static int path_of(struct rpt_flame *fl, uint32_t nframes, bool budgeted, uint32_t *idx)
{
	uint64_t h = rpt_hash_mem(fl->buf, fl->len);
	struct rpt_flame_path *p;
	size_t i, pos;
	char *text;
	int rc;

	for (i = rpt_htab_first(&fl->path_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&fl->path_index, h, &pos)) {
		if (fl->paths[i].len == fl->len &&
		    memcmp(fl->paths[i].text, fl->buf, fl->len) == 0) {
			*idx = (uint32_t)i;
			return 0;
		}
	}
	if (fl->npaths >= PATH_EMPTY - 1)
		return -ENOMEM;
	if (budgeted && !charge(fl, PATH_COST(fl->len, nframes)))
		return 1;
	rc = rpt_grow((void **)&fl->paths, &fl->paths_cap, fl->npaths + 1, sizeof(*fl->paths));
	if (rc)
		return rc;
	text = malloc(fl->len + 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, fl->buf, fl->len + 1);
	rc = rpt_htab_insert(&fl->path_index, h, fl->npaths);
	if (rc) {
		free(text);
		return rc;
	}
	p = &fl->paths[fl->npaths];
	*p = (struct rpt_flame_path){.text = text, .len = fl->len, .nframes = nframes};
	*idx = (uint32_t)fl->npaths++;
	return 0;
}

/* The path that counts what did not fit the budget, made (uncharged: one) when first needed. */
static int other_path(struct rpt_flame *fl, uint32_t *idx)
{
	int rc;

	if (fl->other == PATH_EMPTY) {
		fl->len = 0;
		rc = put_frame(fl, OTHER_PATH, strlen(OTHER_PATH));
		if (!rc)
			rc = path_of(fl, 1, false, &fl->other);
		if (rc)
			return rc;
	}
	*idx = fl->other;
	return 0;
}

/*
 * The path of a (file, stack or address, root), made once: *path receives its index, or
 * PATH_EMPTY when the stack leaves no frame to show. A path past the budget is the "(other)"
 * path; 1 (nothing made) when even the (file, stack, root) does not fit.
 */
static int lookup(struct rpt_flame *fl, const struct rpt_drop *rd, uint32_t kind, uint32_t root,
		  uint32_t *path)
{
	struct combo want = {.file = rd->file, .gen = rpt_file_symgen(rd->file), .root = root};
	const struct combo *c;
	const char *text;
	uint32_t nframes;
	size_t len;
	uint64_t h;
	int rc;

	want.kind = kind;
	want.key = kind == KIND_STACK ? rd->stack->id
				      : (uint64_t)rd->d->location.mod << 32 | rd->d->location.off;
	h = combo_hash(&want);
	c = combo_find(fl, &want, h);
	if (c) {
		*path = c->path;
		return 0;
	}
	if (!charge(fl, COMBO_COST))
		return 1;
	text = kind == KIND_STACK ? rpt_stacktext_stack(fl->frames, rd->file, rd->stack, &len)
				  : rpt_stacktext_addr(fl->frames, rd->file, rd->d->location, &len);
	if (!text)
		return -ENOMEM;
	if (len == 0 && kind == KIND_STACK) {
		want.path = PATH_EMPTY;
	} else {
		rc = build_path(fl, root, text, len, &nframes);
		if (!rc)
			rc = path_of(fl, nframes, true, &want.path);
		if (rc == 1)
			rc = other_path(fl, &want.path);
		if (rc)
			return rc;
	}
	*path = want.path;
	return combo_add(fl, &want, h);
}

int rpt_flame_add(struct rpt_flame *fl, const struct rpt_drop *rd, const char *root)
{
	uint32_t root_id, path = PATH_EMPTY;
	int rc;

	rc = intern_root(fl, root ? root : "", &root_id);
	if (!rc && !fl->no_stack && rd->stack)
		rc = lookup(fl, rd, KIND_STACK, root_id, &path);
	if (!rc && path == PATH_EMPTY)
		rc = lookup(fl, rd, KIND_ADDR, root_id, &path);
	if (rc == 1) /* past the budget */
		rc = other_path(fl, &path);
	if (rc)
		return rc;
	fl->paths[path].count++;
	fl->total++;
	if (path == fl->other)
		fl->folded++;
	return 0;
}

/* Frame by frame: the separator below every byte, the end below the separator. */
static int cmp_path(const void *a, const void *b)
{
	const struct rpt_flame_path *x = a, *y = b;
	size_t i, n = x->len < y->len ? x->len : y->len;

	for (i = 0; i < n; i++) {
		int cx = (unsigned char)x->text[i], cy = (unsigned char)y->text[i];

		if (cx == cy)
			continue;
		cx = cx == RPT_FLAME_SEP ? 0 : cx + 1;
		cy = cy == RPT_FLAME_SEP ? 0 : cy + 1;
		return cx < cy ? -1 : 1;
	}
	return x->len < y->len ? -1 : x->len > y->len;
}

const struct rpt_flame_path *rpt_flame_sorted(struct rpt_flame *fl, size_t *n)
{
	*n = 0;
	if (!fl->npaths)
		return NULL;
	if (rpt_grow((void **)&fl->sorted, &fl->sorted_cap, fl->npaths, sizeof(*fl->sorted))) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(fl->sorted, fl->paths, fl->npaths * sizeof(*fl->sorted));
	qsort(fl->sorted, fl->npaths, sizeof(*fl->sorted), cmp_path);
	*n = fl->npaths;
	return fl->sorted;
}

uint64_t rpt_flame_total(const struct rpt_flame *fl)
{
	return fl->total;
}

uint64_t rpt_flame_folded(const struct rpt_flame *fl)
{
	return fl->folded;
}

size_t rpt_flame_frame_len(const char *p, size_t n)
{
	const char *e = memchr(p, RPT_FLAME_SEP, n);

	return e ? (size_t)(e - p) : n;
}
