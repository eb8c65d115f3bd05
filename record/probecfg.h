/* SPDX-License-Identifier: BSD-2-Clause */
/* probecfg: the probe's configuration from the options and the running kernel's name tables. */
#ifndef TCPDROP_REC_PROBECFG_H
#define TCPDROP_REC_PROBECFG_H

#include <stdint.h>

#include "btfnames.h"
#include "opts.h"
#include "probe.h"

/* Linux's own numbers, used when the kernel's BTF lists no TCP states (include/net/tcp_states.h).
 */
#define PROBECFG_TIME_WAIT_DEFAULT    6u
#define PROBECFG_NEW_SYN_RECV_DEFAULT 12u
/* SKB_DROP_REASON_NOT_SPECIFIED's value since 5.17, before the table is read. */
#define PROBECFG_NOT_SPECIFIED_DEFAULT 2u

/*
 * Fill pc (zeroed first) from o and the kernel's tables: the special reason values
 * (SKB_NOT_DROPPED_YET, SKB_CONSUMED, which does not exist before Linux 6.0 and then matches
 * nothing, NOT_SPECIFIED), the --reason values, the TIME_WAIT and NEW_SYN_RECV state values,
 * the filters and sizes. Naming NOT_SPECIFIED with --reason records it, as --all-reasons
 * does. force_raw_tp is left false. Returns 0, -ENOENT when the kernel has no
 * SKB_DROP_REASON_NOT_SPECIFIED, or -EINVAL with *bad_reason set to the index in o->reasons
 * of a name this kernel does not have.
 */
int probecfg_build(const struct rec_opts *o, const struct btfnames *reasons,
		   const struct btfnames *states, struct probe_cfg *pc, uint32_t *bad_reason);

#endif /* TCPDROP_REC_PROBECFG_H */
