/* SPDX-License-Identifier: BSD-2-Clause */
/* btfnames: drop-reason and TCP-state name tables of the running kernel, read from its BTF. */
#ifndef TCPDROP_REC_BTFNAMES_H
#define TCPDROP_REC_BTFNAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "tdf.h"

struct btf;

/* An owned value -> name table (names are full enumerator names). */
struct btfnames {
	uint32_t count;
	struct tdf_name *names;
};

/*
 * Every enumerator of every enum whose name contains "drop_reason" (except the subsystem-id
 * enum skb_drop_reason_subsys) in vmlinux, then in each module BTF under btf_dir (NULL:
 * /sys/kernel/btf; subsystem reasons such as mac80211's and openvswitch's live there),
 * deduplicated by value with the first name kept. Module BTF that cannot be read is
 * skipped. Returns 0, -ENOENT (no such enum in vmlinux), -ENOMEM.
 */
int btfnames_reasons(struct btf *vmlinux, const char *btf_dir, struct btfnames *out);

/*
 * TCP states (TCP_ESTABLISHED = 1 ... the enumerator before TCP_MAX_STATES), names without
 * the "TCP_" prefix. Falls back to Linux's fixed numbering when the BTF lacks the enum.
 */
int btfnames_states(const struct btf *vmlinux, struct btfnames *out);

/* The value of `name` (full or without the "SKB_DROP_REASON_" prefix, any case). */
int btfnames_find(const struct btfnames *t, const char *name, uint32_t *value);

/* Value of an exact enumerator name, or -ENOENT. */
int btfnames_find_exact(const struct btfnames *t, const char *name, uint32_t *value);

void btfnames_free(struct btfnames *t);

#endif /* TCPDROP_REC_BTFNAMES_H */
