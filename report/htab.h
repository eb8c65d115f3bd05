/* SPDX-License-Identifier: BSD-2-Clause */
/* htab: the one open-addressing hash index of report/ and its hash functions (internal). */
#ifndef TCPDROP_RPT_HTAB_H
#define TCPDROP_RPT_HTAB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * An index, not a container: each slot holds a hash and the number of an entry in the
 * caller's own array, so entries stay dense (sortable, iterable in insertion order) and the
 * caller compares keys itself. Linear probing over a power-of-two table kept at most half
 * full. The stored hash makes a rehash need no callback and skips most key comparisons.
 *
 * A lookup is a loop in the caller, so nothing goes through a function pointer:
 *
 *	for (i = rpt_htab_first(t, h, &pos); i != RPT_HTAB_NONE; i = rpt_htab_next(t, h, &pos))
 *		if (same_key(&entries[i], key))
 *			return &entries[i];
 */
struct rpt_hslot {
	uint32_t hash;
	uint32_t ent; /* entry number + 1; 0 = empty */
};

struct rpt_htab {
	struct rpt_hslot *slots;
	size_t cap; /* power of two; 0 before the first insertion */
	size_t count;
};

#define RPT_HTAB_NONE SIZE_MAX

/* The entry at *pos and the ones after it whose stored hash equals h, until an empty slot. */
static inline size_t rpt_htab_scan(const struct rpt_htab *t, uint32_t h, size_t *pos)
{
	size_t mask = t->cap - 1, i;

	for (i = *pos; t->slots[i].ent; i = (i + 1) & mask) {
		if (t->slots[i].hash == h) {
			*pos = (i + 1) & mask;
			return t->slots[i].ent - 1;
		}
	}
	return RPT_HTAB_NONE;
}

/* The first entry whose hash is h, or RPT_HTAB_NONE; *pos is the cursor for _next(). */
static inline size_t rpt_htab_first(const struct rpt_htab *t, uint64_t h, size_t *pos)
{
	if (!t->cap)
		return RPT_HTAB_NONE;
	*pos = (size_t)(uint32_t)h & (t->cap - 1);
	return rpt_htab_scan(t, (uint32_t)h, pos);
}

/* The next entry with the same hash after rpt_htab_first()/_next() returned one. */
static inline size_t rpt_htab_next(const struct rpt_htab *t, uint64_t h, size_t *pos)
{
	return rpt_htab_scan(t, (uint32_t)h, pos);
}

/*
 * Index entry number ent under hash h (the caller checked it is not there yet). Grows the
 * table first when it would become more than half full. Returns 0, -ENOMEM or -EOVERFLOW
 * (ent does not fit in 32 bits).
 */
int rpt_htab_insert(struct rpt_htab *t, uint64_t h, size_t ent);

/* Forget every entry, keep the table's memory. */
void rpt_htab_clear(struct rpt_htab *t);

/* Free the slots; t is then empty and reusable. */
void rpt_htab_free(struct rpt_htab *t);

/* ---- hash functions ---- */

/* A 64-bit integer key, mixed so that nearby keys land far apart (murmur3's finaliser). */
static inline uint64_t rpt_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* n bytes, eight at a time (summary keys are whole stacks: this is on the hot path). */
static inline uint64_t rpt_hash_mem(const void *p, size_t n)
{
	const char *s = p;
	uint64_t h = 1469598103934665603ull ^ n, w;
	size_t i;

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
	return h ^ (h >> 32);
}

#endif /* TCPDROP_RPT_HTAB_H */
