/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap: counts per distinct string key, for the aggregate views (internal to report/). */
#ifndef TCPDROP_RPT_STRMAP_H
#define TCPDROP_RPT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "htab.h"

struct strmap_ent {
	char *key; /* owned; may contain any byte but NUL */
	uint64_t count;
};

/*
 * Every new key is charged to the views' budget (report/budget.h, all maps together): past it
 * the counts of keys not yet in the map go to one "(other)" row, so a view of a hostile file
 * (or of a flood from a million sources) stays bounded and its total still adds up.
 */
struct strmap {
	struct strmap_ent *ents; /* dense, in first-seen order */
	size_t n, cap;
	struct rpt_htab index;
	uint64_t other; /* counts of keys left out (past the budget) */
	bool has_other; /* some were */
	size_t charged; /* bytes charged to the views' budget */
};

/* The key of the row that counts what did not fit; strmap_sorted() returns it last. */
extern const char strmap_other[];

/* Add count to key (created at 0; past the budget counted as strmap_other). 0 or -ENOMEM. */
int strmap_add(struct strmap *m, const char *key, uint64_t count);

/* The entries, sorted by count descending then key ascending, then the strmap_other row if
 * anything was left out (its key is strmap_other itself), in a new array the caller frees
 * (the keys stay owned by m). *n receives the number. NULL with n = 0 when empty. */
struct strmap_ent *strmap_sorted(const struct strmap *m, size_t *n);

void strmap_free(struct strmap *m);

#endif /* TCPDROP_RPT_STRMAP_H */
