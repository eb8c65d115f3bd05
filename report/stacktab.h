/* SPDX-License-Identifier: BSD-2-Clause */
/* stacktab: one file's stack definitions by id (internal to report/). */
#ifndef TCPDROP_RPT_STACKTAB_H
#define TCPDROP_RPT_STACKTAB_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "tdf.h"

/*
 * Distinct stacks of one file: a recording has some thousand. The cap bounds the index; the
 * memory is what the files' budget allows (report/budget.h): a full-depth stack costs about
 * 1.1 KiB, so the budget, not this cap, stops a hostile file.
 */
#define RPT_STACKTAB_MAX (1u << 20)

struct rpt_stacktab {
	struct tdf_stack *stacks; /* dense; frames owned */
	size_t n, cap;
	struct rpt_htab index; /* by id */
	uint64_t gen;	       /* bumped when an id is redefined */
	size_t charged;	       /* bytes charged to the files' budget (report/budget.h) */
};

/*
 * Keep a copy of s; a known id is redefined (and gen bumped). Id 0 and a depth above
 * TDF_STACK_MAX are ignored. Returns 0, -ENOMEM, or RPT_FULL_COUNT / RPT_FULL_BYTES
 * (report/budget.h) when s was left out: past the cap on stacks or the files' budget (a known
 * id then keeps its old frames).
 */
int rpt_stacktab_add(struct rpt_stacktab *t, const struct tdf_stack *s);

/* The stack with id, NULL if id is 0 or unknown. */
const struct tdf_stack *rpt_stacktab_find(const struct rpt_stacktab *t, uint32_t id);

void rpt_stacktab_free(struct rpt_stacktab *t);

#endif /* TCPDROP_RPT_STACKTAB_H */
