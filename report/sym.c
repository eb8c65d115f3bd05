// SPDX-License-Identifier: BSD-2-Clause
/* sym: which stack frames belong to the tracing machinery rather than to the dropping code. */
#include <string.h>

#include "rpt.h"

/*
 * What sits between the kfree_skb tracepoint and bpf_get_stack() on the kernels we know
 * (5.17..6.18): the tracepoint's iterator (__traceiter_kfree_skb, or a static call into
 * __bpf_trace_kfree_skb), the BPF runner (bpf_trace_run4, __bpf_prog_run*, the dispatcher
 * or trampoline) and our own program (bpf_prog_<tag>_<name>, in the "bpf" pseudo-module),
 * then the stack helper itself. The dropping function (sk_skb_reason_drop, kfree_skb_reason)
 * is kernel code worth seeing and stays.
 */
static const char *const machinery_prefix[] = {
    "bpf_prog_", /* the program itself (kallsyms bpf_prog_<tag>_<name>) */
    "__bpf_prog_run",
    "bpf_trace_run",
    "__bpf_trace_", /* raw_tp and tp_btf glue: __bpf_trace_kfree_skb */
    "__traceiter_",
    "trace_event_raw_event_",
    "perf_trace_",
    "__probestub_",
    "bpf_get_stack",
    "bpf_get_stackid",
    "__bpf_get_stack",
    "get_perf_callchain",
    "perf_callchain_kernel",
    "bpf_dispatcher_",
    "bpf_trampoline_",
    "trace_kfree_skb", /* older kernels: the tracepoint wrapper */
    "trace_call_bpf",
};

bool rpt_sym_is_machinery(const char *sym)
{
	size_t i;

	if (!sym)
		return false;
	for (i = 0; i < sizeof(machinery_prefix) / sizeof(machinery_prefix[0]); i++)
		if (strncmp(sym, machinery_prefix[i], strlen(machinery_prefix[i])) == 0)
			return true;
	return false;
}

uint32_t rpt_stack_skip(const struct rpt_file *f, const struct tdf_stack *s)
{
	uint32_t i, skip = 0;
	bool seen_machinery = false;

	if (!s)
		return 0;
	for (i = 0; i < s->depth; i++) {
		const char *mod, *sym;
		uint32_t off;

		sym = rpt_file_lookup(f, s->frames[i], &off, &mod);
		if (rpt_sym_is_machinery(sym) || (mod && strcmp(mod, "bpf") == 0)) {
			seen_machinery = true;
			skip = i + 1;
		} else if (!sym) {
			continue; /* an unplaced frame: machinery only if machinery follows */
		} else {
			break;
		}
	}
	return seen_machinery ? skip : 0;
}
