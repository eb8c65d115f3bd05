/* SPDX-License-Identifier: BSD-2-Clause */
/* stacks: userspace deduplication of kernel stacks into ids, emitted once per output file. */
#ifndef TCPDROP_REC_STACKS_H
#define TCPDROP_REC_STACKS_H

#include <stdbool.h>
#include <stdint.h>

struct stacks;

/* max_entries bounds memory: when the table is full it starts over (ids keep growing). */
struct stacks *stacks_new(uint32_t max_entries);
void stacks_free(struct stacks *s);

/*
 * Look up (or add) the stack frames[0..depth) (raw addresses, 1 <= depth <= TDF_STACK_MAX)
 * and return its id (>= 1, never reused) in *id. *emit is set when the stack has not yet
 * been written to the file of generation gen; the entry is then marked as written for gen,
 * so the caller must write the STACK record before the drop that uses it.
 * Returns 0, -EINVAL (bad depth) or -ENOMEM.
 */
int stacks_intern(struct stacks *s, const uint64_t *frames, uint32_t depth, uint32_t gen,
		  uint32_t *id, bool *emit);

/* Distinct stacks currently held. */
uint32_t stacks_count(const struct stacks *s);

#endif /* TCPDROP_REC_STACKS_H */
