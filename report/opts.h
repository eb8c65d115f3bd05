/* SPDX-License-Identifier: BSD-2-Clause */
/* opts: tcpdrop-report's command line, parsed and checked into one struct. */
#ifndef TCPDROP_RPT_OPTS_H
#define TCPDROP_RPT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anon.h"
#include "views.h"

#define RPT_FILES_MAX 1024 /* -r given more often than this is a mistake, not a workload */

/* -w of a name ending so writes a trace file (report/rewrite.h), any other name pcapng. */
#define RPT_TRACE_EXT ".tdrop"

struct rpt_filter;

struct rpt_opts {
	const char *inputs[RPT_FILES_MAX]; /* -r, in order; "-" is stdin (point into argv) */
	size_t ninputs;
	const char *wfile;	     /* -w or --html; "-" is stdout; NULL when not given */
	const struct rpt_view *view; /* the chosen view; the table when none was chosen */
	struct rpt_view_cfg cfg;     /* cfg.o.flush: a live view (an input is stdin) */
	uint64_t max_drops;	     /* -c, 0 = no limit */
	struct rpt_filter *filter;   /* every predicate and the expression; owned */
	bool help;		     /* -h: nothing else was checked after it */
	bool version;		     /* -V: likewise */
	bool reasons;		     /* --reasons: list the knowledge base; nothing else given */
	char *err;		     /* after a failed parse: one line, without the program name */
	char *filters;		     /* the filters as given, one a line (cfg.filters); owned */
	bool write_trace;	     /* -w NAME.tdrop: a trace file, not pcapng */
	bool anonymize;		     /* --anonymize: inputs anonymised before the view */
	struct rpt_anon_opts anon;   /* --key-file, --keep-net... */
	const char *anon_option;     /* the last of those, for "only with --anonymize" */
};

/*
 * Parse argv (getopt_long; resets optind) into o, defaults first. Returns 0; -EINVAL for a
 * usage error (exit status 2); another -errno (-ENOMEM) for a runtime error (exit status 1).
 * On failure o->err says why, in the words tcpdrop-report(8)'s users see. Touches nothing
 * outside o: no file is opened. o must be released with rpt_opts_free() in every case.
 */
int rpt_opts_parse(int argc, char **argv, struct rpt_opts *o);

void rpt_opts_free(struct rpt_opts *o);

#endif /* TCPDROP_RPT_OPTS_H */
