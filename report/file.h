/* SPDX-License-Identifier: BSD-2-Clause */
/* file: one input file's state, shared by its lifecycle (file.c) and its event pump (pump.c). */
#ifndef TCPDROP_RPT_FILE_H
#define TCPDROP_RPT_FILE_H

#include "rpt.h"
#include "ownertab.h"
#include "stacktab.h"
#include "symtab.h"

/* One event of a file, after its metadata records were absorbed into the rpt_file. */
struct rpt_event {
	uint32_t type;	  /* TDF_REC_DROP, TDF_REC_LOSS, TDF_EV_CORRUPT, TDF_EV_TRUNCATED */
	uint64_t real_ns; /* DROP: its time; LOSS: from time; problems: 0 */
	union {
		struct rpt_drop drop; /* d points into the file (valid until the next call) */
		struct rpt_loss loss;
		struct tdf_problem problem; /* what points into the reader (valid until next) */
	};
};

struct rpt_name_ent {
	uint32_t value;
	char *name;
};

struct rpt_file {
	char *name;
	int fd;
	bool own_fd;
	struct tdf_reader *r;
	char err[512];

	/* What the metadata records said (file.c). */
	struct tdf_kv *meta; /* key/value owned */
	size_t nmeta, cap_meta;
	const char *host; /* the last META "host" value (in meta), NULL if none */
	struct tdf_clock *clocks;
	size_t nclocks, cap_clocks;
	bool clocks_dirty;
	struct rpt_name_ent *reasons;
	size_t nreasons, cap_reasons;
	bool reasons_dirty;
	char *states[256];
	struct rpt_symtab syms;
	struct rpt_stacktab stacks;
	struct rpt_ownertab owners; /* OWNER, CGROUP, NETNS */
	struct tdf_index index;
	bool has_index;
	size_t charged;	    /* meta, clocks, reasons: bytes charged to the files' budget */
	unsigned full_told; /* tables whose "full" line was said, one bit each (file.c) */

	/* The pending event and the copies it points to (pump.c). */
	bool have_pending;
	int pending_rc;
	struct rpt_event pending;
	struct tdf_drop cur;
	uint8_t data[TDF_SNAP_MAX];
	char unknown_reason[32];
	char unknown_state[16];
	uint64_t lost_acc;
	struct rpt_owner owner; /* what the pending drop's owner points to (file.c) */
};

/*
 * Take in a metadata record (META, CLOCK, REASONS, STATES, KMOD, KSYMS, STACK, OWNER, CGROUP,
 * NETNS, the index);
 * other types are ignored. A table that is full (its cap, or the files' budget: see
 * report/budget.h) keeps what it has, and the first time per table rpt_budget_notice() says
 * so. Returns 0 or -ENOMEM (file.c).
 */
int rpt_file_absorb(struct rpt_file *f, const struct tdf_record *rec);

/*
 * Fill rd's owner, netns_name and ip_len for d from f's tables. rd->owner then points into f
 * (f->owner), valid until the next call for f (file.c).
 */
void rpt_file_resolve(struct rpt_file *f, const struct tdf_drop *d, struct rpt_drop *rd);

/* Sort what arrived out of order, before anyone looks things up (file.c). */
void rpt_file_prepare(struct rpt_file *f);

/*
 * Read f up to its next event. Returns 1 with ev filled, 0 at the end of the input, or a
 * -errno that ends this file (rpt_file_error() says why).
 */
int rpt_file_next(struct rpt_file *f, struct rpt_event *ev);

/*
 * Read f until its metadata is in (up to and including its first event, which is kept
 * for the next rpt_file_next()). Returns like rpt_file_next().
 */
int rpt_file_prime(struct rpt_file *f);

/* Wall-clock ns of the primed (pending) event if it is a drop or a loss, else 0. */
uint64_t rpt_file_pending_ns(const struct rpt_file *f);

#endif /* TCPDROP_RPT_FILE_H */
