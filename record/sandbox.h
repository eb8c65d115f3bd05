/* SPDX-License-Identifier: BSD-2-Clause */
/* sandbox: the seccomp filter that confines the recorder once it is set up. */
#ifndef TCPDROP_REC_SANDBOX_H
#define TCPDROP_REC_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

/* What the recording still does after setup, beyond polling, reading counters and writing. */
struct sandbox_cfg {
	bool rotate;  /* -C/-G: files are created, truncated and deleted (-W) */
	bool metrics; /* --metrics: a temporary file created, chmod-ed, renamed or deleted */
	pid_t report; /* the live view's tcpdrop-report, or 0: waited for, killed on error */
	bool owners;  /* the owner iterator: bpf() ITER_CREATE, MAP_UPDATE_ELEM, MAP_DELETE_ELEM */
	bool netns_dir; /* /run/netns is re-read through its descriptor: getdents64 */
};

/*
 * Install the filter: the system calls recording needs from now on are allowed (bpf() for
 * BPF_MAP_LOOKUP_ELEM only, mmap/mprotect without PROT_EXEC, kill for the live view's pid,
 * open only for writing and only with rotation or --metrics), any other one traps. A
 * SIGSYS handler prints "tcpdrop-record: seccomp: forbidden system call N (name)" on stderr
 * and the process dies of SIGSYS; with SECCOMP_FILTER_FLAG_LOG the kernel also audits it
 * (type=1326). Needs no_new_privs (privs_drop sets it). 0 or -errno; nothing is installed
 * on error.
 */
int sandbox_enter(const struct sandbox_cfg *cfg);

/*
 * The test hook behind TCPDROP_TEST_FORBIDDEN_SYSCALL=1: make one call the filter forbids
 * (socket()). Under the filter it does not return. Without a filter it closes the socket
 * and returns -EPERM.
 */
int sandbox_test_forbidden(void);

#endif /* TCPDROP_REC_SANDBOX_H */
