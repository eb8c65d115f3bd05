/* SPDX-License-Identifier: BSD-2-Clause */
/* sandbox: the seccomp filter that confines tcpdrop-report once its files are open. */
#ifndef TCPDROP_RPT_SANDBOX_H
#define TCPDROP_RPT_SANDBOX_H

/*
 * Install the filter once every input, the output and the view are open: from then on the
 * report only reads its open files, writes its output and stderr, allocates memory and
 * exits. Allowed: read, write, writev, lseek, fstat (and newfstatat on an fd), close, ioctl
 * TCGETS (stdio asks whether an output is a terminal), mmap/mprotect without PROT_EXEC,
 * munmap, mremap, brk, madvise, futex, clock_gettime and friends, the signal calls, getpid
 * and tgkill of itself (abort()), exit and exit_group; in sanitizer builds also what the
 * leak check at exit needs. Any other call traps: a SIGSYS handler prints
 * "tcpdrop-report: seccomp: forbidden system call N (name)" on stderr and the process dies
 * of SIGSYS. Sets no_new_privs (no privilege needed). Returns 0 or -errno; nothing is
 * installed on error.
 */
int rpt_sandbox_enter(void);

/*
 * The test hook behind TCPDROP_TEST_FORBIDDEN_SYSCALL=1: make one call the filter forbids
 * (socket()). Under the filter it does not return. Without a filter it closes the socket
 * and returns -EPERM.
 */
int rpt_sandbox_test_forbidden(void);

#endif /* TCPDROP_RPT_SANDBOX_H */
