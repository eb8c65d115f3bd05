/* SPDX-License-Identifier: BSD-2-Clause */
/* probe: the BPF skeleton's lifecycle (feature check, configure, load, attach, drain). */
#ifndef TCPDROP_REC_PROBE_H
#define TCPDROP_REC_PROBE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "../bpf/event.h"

struct btf;

/* What the running kernel's skb:kfree_skb offers, read from its BTF. */
struct probe_kernel {
	bool has_reason; /* Linux 5.17+ */
	bool has_rx_sk;	 /* Linux 6.11+ */
};

/*
 * Inspect btf_trace_kfree_skb in the kernel's BTF. Returns 0, -ENOENT when the tracepoint
 * does not exist, -EOPNOTSUPP when it has no drop reason (kernel older than 5.17).
 */
int probe_kernel_check(const struct btf *vmlinux, struct probe_kernel *k);

struct probe_cfg {
	uint32_t snaplen;
	uint32_t stack_depth;	/* 0: no stack */
	uint64_t ringbuf_bytes; /* power of two */
	bool all_reasons;
	bool force_raw_tp; /* skip tp_btf (debugging aid) */
	uint8_t family;
	uint16_t port;
	uint8_t host_family;
	uint8_t host[16];
	uint32_t netns;
	uint32_t nreasons;
	uint32_t reasons[TDE_REASONS_MAX];
	uint32_t reason_not_dropped, reason_consumed, reason_not_specified;
	uint32_t state_time_wait, state_new_syn_recv;
};

/* One event as drained from the ring buffer; pointers valid during the callback only. */
struct probe_event {
	const struct tde_event *ev;
	const uint8_t *snap;	/* ev->caplen bytes */
	const uint64_t *frames; /* nframes raw return addresses, innermost first */
	uint32_t nframes;
};

/* Return < 0 to stop draining; probe_poll then returns that value. */
typedef int (*probe_event_fn)(void *arg, const struct probe_event *pe);

struct probe;

/*
 * Open, configure, load and attach: tp_btf first, raw_tp when tp_btf cannot be loaded or
 * attached (or cfg->force_raw_tp). On failure returns -errno and points *stage at what
 * failed ("load BPF program", "attach raw_tp/kfree_skb"...).
 */
int probe_open(const struct probe_cfg *cfg, const struct probe_kernel *k, probe_event_fn fn,
	       void *arg, struct probe **out, const char **stage);

/* Wait up to timeout_ms, then drain everything queued. Returns events drained or -errno. */
int probe_poll(struct probe *p, int timeout_ms);

/* Possible CPUs (the length of a per-CPU counter read). */
uint32_t probe_ncpus(const struct probe *p);

/* Read counter slot (TDE_CNT_*) of every CPU into per_cpu[probe_ncpus()]. 0 or -errno. */
int probe_counter(const struct probe *p, uint32_t slot, struct tde_counter *per_cpu);

/* "tp_btf" or "raw_tp". */
const char *probe_hook(const struct probe *p);

/* BPF program id (for bpftool), 0 unknown. */
uint32_t probe_prog_id(const struct probe *p);

/* Detach from the tracepoint: no new events; what is queued can still be drained. */
void probe_detach(struct probe *p);

void probe_close(struct probe *p);

#endif /* TCPDROP_REC_PROBE_H */
