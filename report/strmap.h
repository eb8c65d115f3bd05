/* SPDX-License-Identifier: BSD-2-Clause */
/* strmap: counts per distinct string key, for the aggregate views (internal to report/). */
#ifndef TCPDROP_RPT_STRMAP_H
#define TCPDROP_RPT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_ent {
	char *key; /* owned; may contain any byte but NUL */
	uint64_t count;
	uint64_t order; /* insertion number: ties in sorting keep first-seen order */
};

struct strmap {
	struct strmap_ent *slots; /* open addressing; key NULL = empty */
	size_t cap, n;
};

/* Add count to key (created at 0). Returns 0 or -ENOMEM. */
int strmap_add(struct strmap *m, const char *key, uint64_t count);

/* The entries, sorted by count descending then key ascending, in a new array the caller
 * frees (the keys stay owned by m). *n receives the number. NULL with n = 0 when empty. */
struct strmap_ent *strmap_sorted(const struct strmap *m, size_t *n);

void strmap_free(struct strmap *m);

#endif /* TCPDROP_RPT_STRMAP_H */
