/* SPDX-License-Identifier: BSD-2-Clause */
/* live: the recorder without -w, its trace stream decoded as it is written by tcpdrop-report. */
#ifndef TCPDROP_REC_LIVE_H
#define TCPDROP_REC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "privs.h"

/*
 * Find the tcpdrop-report executable: next to the running program first, then in ../bin
 * beside its directory (PREFIX/sbin and PREFIX/bin), then in $PATH.
 * Returns 0 with its path in buf, or -ENOENT with the directory searched first in buf
 * (for the error message).
 */
int live_find_report(char *buf, size_t len);

/*
 * Start `REPORT -r - [--no-stack]` reading a pipe whose write end becomes this process's
 * standard output (where the trace goes as "-w -"). The report writes to the original
 * standard output and error. It runs with no capabilities and no_new_privs, and ignores
 * SIGINT: Ctrl-C ends the recording, the recorder closes the stream, and the report shows
 * everything up to its end. With user non-NULL (-Z) the report runs as that user too.
 * Returns 0 with the child in *pid, or -errno.
 */
int live_start(const char *report, bool no_stack, const struct privs_user *user, pid_t *pid);

/*
 * Close standard output (the stream's end) and wait for the report. Returns its exit status,
 * 128 + the signal that ended it, or -errno.
 */
int live_wait(pid_t pid);

/* Setup failed after live_start: end the report at once and reap it. */
void live_kill(pid_t pid);

#endif /* TCPDROP_REC_LIVE_H */
