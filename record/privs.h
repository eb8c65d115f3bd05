/* SPDX-License-Identifier: BSD-2-Clause */
/* privs: check the capabilities recording needs, and give them up once set up. */
#ifndef TCPDROP_REC_PRIVS_H
#define TCPDROP_REC_PRIVS_H

#include <stdbool.h>

/*
 * 0 when the effective set allows loading and attaching the probe (CAP_BPF + CAP_PERFMON,
 * or CAP_SYS_ADMIN) and reading kallsyms addresses (CAP_SYSLOG). -EPERM when BPF is not
 * allowed, -EACCES when only CAP_SYSLOG is missing.
 */
int privs_check(void);

/*
 * Whether creating files next to path (rotation, -W deletions) needs CAP_DAC_OVERRIDE once
 * the other capabilities are gone: the directory is neither ours nor writable by others.
 */
bool privs_dir_needs_override(const char *path);

/*
 * Drop every capability (bounding set, ambient, effective/permitted/inheritable), except
 * CAP_DAC_OVERRIDE when keep_dac_override (rotation into a directory root does not own),
 * then set PR_SET_NO_NEW_PRIVS. Open fds (BPF links, maps, the ring buffer, the output)
 * keep working. Returns 0 or -errno.
 */
int privs_drop(bool keep_dac_override);

/*
 * Why the kernel may refuse bpf() to a process whose capabilities allow it, given the error
 * of the failed step (-errno): kernel lockdown in confidentiality mode (read from securityfs
 * when it is mounted), else for -EPERM a seccomp filter or an LSM. A static string, or NULL
 * when nothing more can be said.
 */
const char *privs_bpf_refusal(int err);

/* Number of capabilities still effective (for tests and the debug check). */
int privs_effective_count(void);

#endif /* TCPDROP_REC_PRIVS_H */
