/* SPDX-License-Identifier: BSD-2-Clause */
/* privs: check the capabilities recording needs, and give them up once set up. */
#ifndef TCPDROP_REC_PRIVS_H
#define TCPDROP_REC_PRIVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Supplementary groups kept for -Z USER. Linux allows 65536; a service account is in a
 * handful, and a fixed array keeps the resolved user a plain value.
 */
#define PRIVS_GROUPS_MAX 256
#define PRIVS_NAME_MAX	 64 /* useradd allows 32 */

/* The user -Z names, resolved before anything is dropped. */
struct privs_user {
	char name[PRIVS_NAME_MAX];
	uid_t uid;
	gid_t gid;
	uint32_t ngroups; /* groups[]: the primary group first, then every group naming the user */
	gid_t groups[PRIVS_GROUPS_MAX];
};

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
 * Resolve spec, a user name or a decimal uid (a name wins when both match), from the
 * passwd-format file passwd and its supplementary groups from the group-format file group
 * (NULL: /etc/passwd, /etc/group). Files rather than NSS (getpwnam, getgrouplist): the
 * static recorder must not load libnss_*.so, and an account to drop to is a local one.
 * Returns 0 with u filled, -ENOENT (no such user), -ENAMETOOLONG, -E2BIG (more than
 * PRIVS_GROUPS_MAX groups) or -errno opening the files.
 */
int privs_user_resolve(const char *spec, const char *passwd, const char *group,
		       struct privs_user *u);

/*
 * Whether u may create files in directory dir: a child process switches to u and asks the
 * kernel (access(W_OK | X_OK): every parent's search permission, ACLs, read-only mounts).
 * 0, -EACCES (or the child's other errno, -ENOENT...), or -errno of fork.
 */
int privs_user_can_create_in(const struct privs_user *u, const char *dir);

/*
 * Drop every capability (bounding set, ambient, effective/permitted/inheritable), except
 * CAP_DAC_OVERRIDE when keep_dac_override (rotation into a directory root does not own),
 * then set PR_SET_NO_NEW_PRIVS. With u non-NULL, first switch to u (supplementary groups,
 * then gid, then uid; real, effective and saved) and check that uid 0 cannot be regained;
 * keep_dac_override must then be false. Open fds (BPF links, maps, the ring buffer, the
 * output) keep working. Returns 0 or -errno.
 */
int privs_drop(const struct privs_user *u, bool keep_dac_override);

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
