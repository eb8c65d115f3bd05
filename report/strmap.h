/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap: counts per distinct string key, for the aggregate views (internal to report/). */
#ifndef TCPDROP_RPT_STRMAP_H
#define TCPDROP_RPT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"

struct strmap_ent {
	char *key; /* owned; may contain any byte but NUL */
	uint64_t count;
};

struct strmap {
	struct strmap_ent *ents; /* dense, in first-seen order */
	size_t n, cap;
	struct rpt_htab index;
};

/* Add count to key (created at 0). Returns 0 or -ENOMEM. */
int strmap_add(struct strmap *m, const char *key, uint64_t count);

/* The entries, sorted by count descending then key ascending, in a new array the caller
 * frees (the keys stay owned by m). *n receives the number. NULL with n = 0 when empty. */
struct strmap_ent *strmap_sorted(const struct strmap *m, size_t *n);

void strmap_free(struct strmap *m);

#endif /* TCPDROP_RPT_STRMAP_H */
