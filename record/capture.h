/* SPDX-License-Identifier: BSD-2-Clause */
/* capture: turns probe events and counters into trace-file records, per file and over time. */
#ifndef TCPDROP_REC_CAPTURE_H
#define TCPDROP_REC_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "btfnames.h"
#include "kallsyms.h"
#include "meta.h"
#include "metrics.h"
#include "nsnames.h"
#include "owners.h"
#include "probe.h"
#include "output.h"
#include "stacks.h"

#define CAPTURE_CLOCK_EVERY_NS (10ull * 1000000000ull) /* a clock anchor every 10 s */
#define CAPTURE_LOSS_EVERY_NS  (100ull * 1000000ull)   /* loss counters read every 100 ms */
#define CAPTURE_STACKS_MAX     (1u << 16)	       /* distinct stacks held for dedup */

/* Totals so far (for the status line and the exit line). */
struct capture_stats {
	uint64_t drops;	   /* DROP records written */
	uint64_t lost;	   /* ring-buffer reserve failures */
	uint64_t excluded; /* NOT_SPECIFIED left out */
	uint64_t bytes;	   /* bytes written to the output(s) */
};

/* Everything the capture writes or reads; it owns none of it. */
struct capture_cfg {
	struct output *out;
	const struct meta *meta;
	const struct btfnames *reasons;
	const struct btfnames *states;
	const struct ksyms *ksyms;
	uint64_t max_drops;	 /* -c, 0 unlimited */
	struct metrics *metrics; /* --metrics: each written drop is counted there; NULL = off */
};

struct capture;

/* NULL with errno (ENOMEM). */
struct capture *capture_new(const struct capture_cfg *cfg);
void capture_free(struct capture *c);

/* Attach the probe (for counters): after probe_open, before the first capture_tick. 0 or -ENOMEM.
 */
int capture_set_probe(struct capture *c, struct probe *p);

/*
 * Socket owners and netns names (either may be NULL: not recorded). Set before the first file
 * starts: its preamble names the namespaces known then.
 */
void capture_set_names(struct capture *c, struct owners *o, struct nsnames *n);

/* The kallsyms snapshot, taken once the probe is loaded (its own symbol is then listed). */
void capture_set_ksyms(struct capture *c, const struct ksyms *ks);

/* output_begin_fn: the preamble of every file (META, CLOCK, REASONS, STATES, KMOD, KSYMS). */
int capture_begin_file(void *capture, struct tdf_writer *w);

/*
 * probe_event_fn: write the STACK record (first use in this file) and the DROP record.
 * Returns 0, -ECANCELED once -c COUNT drops are written, or -errno from the output.
 */
int capture_on_event(void *capture, const struct probe_event *pe);

/*
 * Housekeeping at boot time now_ns / wall time now_s: loss and exclusion records from the
 * counters, clock anchors, flush at flush_ns intervals, rotation. force: do everything now
 * (at exit). 0 or -errno.
 */
int capture_tick(struct capture *c, uint64_t now_ns, int64_t now_s, uint64_t flush_ns, bool force);

void capture_stats(const struct capture *c, struct capture_stats *st);

/* Whether -c COUNT was reached. */
bool capture_done(const struct capture *c);

#endif /* TCPDROP_REC_CAPTURE_H */
