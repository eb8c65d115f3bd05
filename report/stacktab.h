/* SPDX-License-Identifier: BSD-2-Clause */
/* stacktab: one file's stack definitions by id (internal to report/). */
#ifndef TCPDROP_RPT_STACKTAB_H
#define TCPDROP_RPT_STACKTAB_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "tdf.h"

struct rpt_stacktab {
	struct tdf_stack *stacks; /* dense; frames owned */
	size_t n, cap;
	struct rpt_htab index; /* by id */
	uint64_t gen;	       /* bumped when an id is redefined */
};

/*
 * Keep a copy of s; a known id is redefined (and gen bumped). Id 0, a depth above
 * TDF_STACK_MAX and stacks past the cap are ignored. Returns 0 or -ENOMEM.
 */
int rpt_stacktab_add(struct rpt_stacktab *t, const struct tdf_stack *s);

/* The stack with id, NULL if id is 0 or unknown. */
const struct tdf_stack *rpt_stacktab_find(const struct rpt_stacktab *t, uint32_t id);

void rpt_stacktab_free(struct rpt_stacktab *t);

#endif /* TCPDROP_RPT_STACKTAB_H */
