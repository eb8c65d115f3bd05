// SPDX-License-Identifier: BSD-2-Clause
/* stacks: userspace deduplication of kernel stacks into ids, emitted once per output file. */
#include "stacks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tdf.h"

struct entry {
	uint64_t hash;
	uint32_t id;  /* 0: empty slot */
	uint32_t gen; /* file generation it was last written to, +1 (0: never) */
	uint32_t depth;
	uint64_t *frames;
};

struct stacks {
	struct entry *slots;
	uint32_t nslots; /* power of two, at least twice max_entries */
	uint32_t used, max_entries;
	uint32_t next_id;
};

static uint64_t hash_frames(const uint64_t *f, uint32_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;

	for (uint32_t i = 0; i < n; i++) {
		h ^= f[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h ? h : 1;
}

struct stacks *stacks_new(uint32_t max_entries)
{
	struct stacks *s = calloc(1, sizeof(*s));
	uint32_t n = 16;

	if (!s)
		return NULL;
	if (max_entries < 1 || max_entries > (1u << 24))
		max_entries = 1u << 16;
	while (n < max_entries * 2)
		n *= 2;
	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	s->nslots = n;
	s->max_entries = max_entries;
	s->next_id = 1;
	return s;
}

static void clear(struct stacks *s)
{
	for (uint32_t i = 0; i < s->nslots; i++)
		free(s->slots[i].frames);
	memset(s->slots, 0, (size_t)s->nslots * sizeof(*s->slots));
	s->used = 0;
}

void stacks_free(struct stacks *s)
{
	if (!s)
		return;
	clear(s);
	free(s->slots);
	free(s);
}

int stacks_intern(struct stacks *s, const uint64_t *frames, uint32_t depth, uint32_t gen,
		  uint32_t *id, bool *emit)
{
	uint64_t h;
	uint32_t i;
	struct entry *e;

	if (depth < 1 || depth > TDF_STACK_MAX)
		return -EINVAL;
	h = hash_frames(frames, depth);
	for (i = (uint32_t)h & (s->nslots - 1);; i = (i + 1) & (s->nslots - 1)) {
		e = &s->slots[i];
		if (!e->id)
			break;
		if (e->hash == h && e->depth == depth &&
		    !memcmp(e->frames, frames, depth * sizeof(*frames))) {
			*id = e->id;
			*emit = e->gen != gen + 1;
			e->gen = gen + 1;
			return 0;
		}
	}
	if (s->used >= s->max_entries) {
		clear(s);
		for (i = (uint32_t)h & (s->nslots - 1); s->slots[i].id;
		     i = (i + 1) & (s->nslots - 1))
			;
		e = &s->slots[i];
	}
	e->frames = malloc(depth * sizeof(*frames));
	if (!e->frames)
		return -ENOMEM;
	memcpy(e->frames, frames, depth * sizeof(*frames));
	e->hash = h;
	e->depth = depth;
	e->id = s->next_id++;
	e->gen = gen + 1;
	s->used++;
	*id = e->id;
	*emit = true;
	return 0;
}

uint32_t stacks_count(const struct stacks *s)
{
	return s ? s->used : 0;
}
