/* SPDX-License-Identifier: BSD-2-Clause */
/* session: one recording from its checks to its last drop: setup, the poll loop, teardown. */
#ifndef TCPDROP_REC_SESSION_H
#define TCPDROP_REC_SESSION_H

#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "capture.h"
#include "opts.h"

#define SESSION_POLL_MS		10 /* drain the ring buffer this often (events carry no wakeup) */
#define SESSION_STATUS_EVERY_NS 1000000000ull /* one status line a second */

/* Why a step failed, for main to print as "prog: what: why" and exit with status. */
struct session_err {
	int status; /* 1 runtime error, 2 usage error (a --reason this kernel does not have) */
	char what[PATH_MAX + 32]; /* the step or the object: a path, "kernel BTF", "--reason" */
	char why[1024];
};

struct session;

/*
 * A session for the options o (which must outlive it); argc/argv go into the file's
 * metadata. Nothing is checked or opened yet. NULL with errno (ENOMEM).
 */
struct session *session_new(const struct rec_opts *o, int argc, char **argv);

/*
 * Set up, in this order: resolve the -Z user (unknown: status 2), find the live view's
 * tcpdrop-report (without -w), check the capabilities, the kernel's BTF, its skb:kfree_skb
 * and name tables, open the output (given to the -Z user; with rotation, check that user may
 * create files next to it), load and attach the probe, snapshot kallsyms and metadata, start
 * the live view, write the file's preamble, switch user and drop privileges, install the
 * seccomp filter (not with TCPDROP_NO_SECCOMP=1). 0, or -1 with e filled; session_close then
 * removes a file that was created but never started.
 */
int session_setup(struct session *s, struct session_err *e);

/* After session_setup: the hook in use ("tp_btf", "raw_tp") and the current output's name. */
const char *session_hook(const struct session *s);
const char *session_output_name(const struct session *s);

/*
 * Drain the probe until *stop, -c COUNT or --duration; with status non-NULL, overwrite one
 * status line there every second. Then detach, drain what is queued, write the last
 * counters, close the output cleanly and wait for the live view to show everything. An open
 * status line is ended before returning. 0 with the totals in st, or -1 with e filled.
 */
int session_run(struct session *s, const volatile sig_atomic_t *stop, FILE *status,
		struct capture_stats *st, struct session_err *e);

/* Abandon what is still open (end the live view) and free s. NULL is a no-op. */
void session_close(struct session *s);

#endif /* TCPDROP_REC_SESSION_H */
