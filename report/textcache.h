/* SPDX-License-Identifier: BSD-2-Clause */
/* textcache: a view's rendered text of deduplicated stacks and drop sites, under a byte budget. */
#ifndef TCPDROP_RPT_TEXTCACHE_H
#define TCPDROP_RPT_TEXTCACHE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A stack is defined once per file and referenced by id from many drops, so a view renders
 * its text once and copies it for every further drop. An entry is keyed by (file, kind, key)
 * and tagged with the file's symbol generation (rpt_file_symgen()): a later KSYMS, KMOD or
 * a redefined stack makes older text a miss. Memory is bounded by the budget given at
 * creation: when an insertion would exceed it, every entry is dropped first (a hostile file
 * with very many distinct stacks costs re-rendering, never memory).
 */
struct rpt_textcache;

/* Kinds of text a view keeps (the key's meaning). */
enum rpt_tc_kind {
	RPT_TC_STACK = 1, /* key = stack id */
	RPT_TC_ADDR = 2,  /* key = (mod << 32) | off of one address */
};

/* A cache holding at most budget bytes (text plus bookkeeping). NULL with errno on failure. */
struct rpt_textcache *rpt_textcache_new(size_t budget);

void rpt_textcache_free(struct rpt_textcache *c);

/* The cached text for (file, kind, key) made under generation gen, or NULL; *len its length. */
const char *rpt_textcache_get(struct rpt_textcache *c, const void *file, uint32_t kind,
			      uint64_t key, uint64_t gen, size_t *len);

/*
 * Keep a copy of text[0..len) for (file, kind, key, gen), replacing an older entry. Returns 0,
 * -E2BIG when the text alone is larger than the budget (nothing kept) or -ENOMEM.
 */
int rpt_textcache_put(struct rpt_textcache *c, const void *file, uint32_t kind, uint64_t key,
		      uint64_t gen, const char *text, size_t len);

/* Bytes currently accounted (text plus bookkeeping) and the number of entries. */
size_t rpt_textcache_bytes(const struct rpt_textcache *c);
size_t rpt_textcache_count(const struct rpt_textcache *c);

#endif /* TCPDROP_RPT_TEXTCACHE_H */
