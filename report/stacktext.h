/* SPDX-License-Identifier: BSD-2-Clause */
/* stacktext: the one place stacks become text: which frames show, how they read, cached. */
#ifndef TCPDROP_RPT_STACKTEXT_H
#define TCPDROP_RPT_STACKTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "rpt.h"

/*
 * Every view shows a stack the same way: the frames rpt_stack_skip() leaves (the tracing
 * machinery's own frames dropped), each symbolized from the file's snapshot and escaped
 * (file bytes are untrusted). A view only chooses how frames are separated and quoted. The
 * text is rendered once per (file, stack id) and copied for every later drop, until the
 * file's symbol generation changes (rpt_file_symgen()); memory is bounded by a budget
 * (report/textcache.h).
 */
struct rpt_frame_style {
	bool json;	     /* each frame a quoted JSON string; else \\ and \xNN escapes */
	const char *before;  /* written before each frame of a stack */
	const char *between; /* between two frames */
	const char *after;   /* after the last frame */
	size_t frame_max;    /* escaped bytes kept per frame (the rest cut); 0 = all */
};

struct rpt_stacktext;

/* A service rendering in *style (copied; its strings must outlive the service). Without
 * memory for the cache it renders every time. NULL with errno on failure. */
struct rpt_stacktext *rpt_stacktext_new(const struct rpt_frame_style *style);

void rpt_stacktext_free(struct rpt_stacktext *st);

/*
 * The text of s (not NULL) in the service's style: "" when no frame is left, else before,
 * frame, between, before, frame, ..., after. *len receives its length. The text is valid
 * until the next call on st. NULL with errno ENOMEM.
 */
const char *rpt_stacktext_stack(struct rpt_stacktext *st, const struct rpt_file *f,
				const struct tdf_stack *s, size_t *len);

/* One address (a drop's location) as one frame, without before and after. As above. */
const char *rpt_stacktext_addr(struct rpt_stacktext *st, const struct rpt_file *f,
			       struct tdf_kaddr a, size_t *len);

/* ---- the policy: the tracing machinery's own frames ---- */

/*
 * True for a symbol that belongs to the tracing path rather than to the code that dropped
 * the packet: the BPF program and its runners (bpf_prog_*, __bpf_prog_run*, bpf_trace_run*,
 * __bpf_trace_*), tracepoint glue (__traceiter_*, trace_event_raw_event_*, perf_trace_*,
 * __probestub_*), bpf_get_stack* helpers, and the kfree_skb tracepoint itself.
 */
bool rpt_sym_is_machinery(const char *sym);

/*
 * How many innermost frames of s to leave out: the leading run of machinery frames (and of
 * frames the snapshot cannot place or that lie in the "bpf" pseudo-module, when the run
 * contains at least one machinery frame). 0 when s is NULL.
 */
uint32_t rpt_stack_skip(const struct rpt_file *f, const struct tdf_stack *s);

#endif /* TCPDROP_RPT_STACKTEXT_H */
