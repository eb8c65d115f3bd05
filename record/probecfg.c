// SPDX-License-Identifier: BSD-2-Clause
/* probecfg: the probe's configuration from the options and the running kernel's name tables. */
#include "probecfg.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static int resolve_reasons(const struct rec_opts *o, const struct btfnames *reasons,
			   struct probe_cfg *pc, uint32_t *bad_reason)
{
	pc->reason_not_dropped = 0;
	pc->reason_consumed = UINT32_MAX; /* no SKB_CONSUMED before Linux 6.0: match nothing */
	pc->reason_not_specified = PROBECFG_NOT_SPECIFIED_DEFAULT;
	btfnames_find_exact(reasons, "SKB_NOT_DROPPED_YET", &pc->reason_not_dropped);
	btfnames_find_exact(reasons, "SKB_CONSUMED", &pc->reason_consumed);
	if (btfnames_find_exact(reasons, "SKB_DROP_REASON_NOT_SPECIFIED",
				&pc->reason_not_specified))
		return -ENOENT;
	for (uint32_t i = 0; i < o->nreasons; i++) {
		if (btfnames_find(reasons, o->reasons[i], &pc->reasons[i])) {
			*bad_reason = i;
			return -EINVAL;
		}
	}
	pc->nreasons = o->nreasons;
	return 0;
}

/* Asking for NOT_SPECIFIED by name means recording it. */
static bool reasons_include(const struct probe_cfg *pc, uint32_t value)
{
	for (uint32_t i = 0; i < pc->nreasons; i++)
		if (pc->reasons[i] == value)
			return true;
	return false;
}

int probecfg_build(const struct rec_opts *o, const struct btfnames *reasons,
		   const struct btfnames *states, struct probe_cfg *pc, uint32_t *bad_reason)
{
	int rc;

	memset(pc, 0, sizeof(*pc));
	rc = resolve_reasons(o, reasons, pc, bad_reason);
	if (rc)
		return rc;
	pc->snaplen = o->snaplen;
	pc->stack_depth = o->stack_depth;
	pc->ringbuf_bytes = o->ringbuf_bytes;
	pc->all_reasons = o->all_reasons || reasons_include(pc, pc->reason_not_specified);
	pc->family = o->family;
	pc->port = o->port;
	pc->host_family = o->host_family;
	memcpy(pc->host, o->host, 16);
	pc->netns = o->netns;
	pc->state_time_wait = PROBECFG_TIME_WAIT_DEFAULT;
	pc->state_new_syn_recv = PROBECFG_NEW_SYN_RECV_DEFAULT;
	for (uint32_t i = 0; i < states->count; i++) {
		if (!strcmp(states->names[i].name, "TIME_WAIT"))
			pc->state_time_wait = states->names[i].value;
		else if (!strcmp(states->names[i].name, "NEW_SYN_RECV"))
			pc->state_new_syn_recv = states->names[i].value;
	}
	return 0;
}
