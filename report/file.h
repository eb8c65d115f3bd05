/* SPDX-License-Identifier: BSD-2-Clause */
/* file: how run.c pulls events out of one input file (internal to report/). */
#ifndef TCPDROP_RPT_FILE_H
#define TCPDROP_RPT_FILE_H

#include "rpt.h"

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
