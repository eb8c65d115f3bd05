/* SPDX-License-Identifier: BSD-2-Clause */
/* rewrite: one trace file copied through the format writer, filtered and optionally anonymised. */
#ifndef TCPDROP_RPT_REWRITE_H
#define TCPDROP_RPT_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "anon.h"
#include "rpt.h"

/*
 * Every record keeps its place: META (anonymised: report/anon.h), CLOCK (wall clock shifted by
 * the anonymiser's time shift), REASONS, STATES, KMOD, KSYMS and STACK as they are, OWNER,
 * CGROUP and NETNS anonymised (rpt_anon_owner() and the like), LOSS when its span passes the
 * time filter, DROP when it passes the filter (the original drop is judged, before
 * anonymisation), until max_drops of them. The writer closes the copy cleanly
 * (index and trailer) whatever the input's ending; damage the reader skipped is reported
 * through on_problem and left out. The writer is deterministic: the same input, key and
 * options give the same bytes.
 */
struct rpt_rewrite_opts {
	const struct rpt_filter *filter; /* NULL: every drop */
	uint64_t max_drops;		 /* 0: no limit */
	struct rpt_anon *anon;		 /* NULL: an unchanged (filtered) copy */
	void (*on_problem)(void *arg, const struct rpt_file *f, uint32_t type,
			   const struct tdf_problem *p);
	void *arg;
};

struct rpt_rewrite_stats {
	uint64_t records, drops_in, drops_out;
};

/*
 * Read in_fd (not closed; name is used in messages) to its end and write the copy to out_fd
 * (not closed). Returns 0 or -errno with one line in err: the input's read error, or the
 * output's write error. st may be NULL.
 */
int rpt_rewrite(int in_fd, const char *name, int out_fd, const struct rpt_rewrite_opts *o,
		struct rpt_rewrite_stats *st, char *err, size_t errlen);

/* A copy held in memory (an anonymised input of a view). */
struct rpt_rewritten {
	void *buf;
	size_t len;
};

/*
 * rpt_rewrite() of path ("-" is stdin) into memory (a memfd, mapped read-only): m->buf and
 * m->len for rpt_file_open_mem(). Returns like rpt_rewrite(); m is then empty.
 */
int rpt_rewrite_mem(const char *path, const struct rpt_rewrite_opts *o, struct rpt_rewritten *m,
		    char *err, size_t errlen);

/* Unmap m's copy; an empty m is a no-op. */
void rpt_rewritten_free(struct rpt_rewritten *m);

#endif /* TCPDROP_RPT_REWRITE_H */
