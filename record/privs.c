// SPDX-License-Identifier: BSD-2-Clause
/* privs: check the capabilities recording needs, and give them up once set up. */
#include "privs.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not in older uapi headers. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};

	memset(d, 0, 2 * sizeof(*d));
	if (syscall(SYS_capget, &h, d))
		return -errno;
	return 0;
}

static bool has(const struct __user_cap_data_struct d[2], int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int privs_check(void)
{
	struct __user_cap_data_struct d[2];
	int rc = caps_get(d);

	if (rc)
		return rc;
	if (!has(d, CAP_SYS_ADMIN) && !(has(d, CAP_BPF) && has(d, CAP_PERFMON)))
		return -EPERM;
	if (!has(d, CAP_SYSLOG))
		return -EACCES;
	return 0;
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int v = 40;

	if (f) {
		if (fscanf(f, "%d", &v) != 1 || v < 0 || v > 63)
			v = 40;
		fclose(f);
	}
	return v;
}

/* A decimal uid that fits uid_t and is not (uid_t)-1, which setresuid reads as "unchanged". */
static bool parse_uid(const char *s, uid_t *out)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v >= (uid_t)-1)
			return false;
	}
	*out = (uid_t)v;
	return true;
}

static int add_group(struct privs_user *u, gid_t g)
{
	for (uint32_t i = 0; i < u->ngroups; i++)
		if (u->groups[i] == g)
			return 0;
	if (u->ngroups >= PRIVS_GROUPS_MAX)
		return -E2BIG;
	u->groups[u->ngroups++] = g;
	return 0;
}

static int find_groups(const char *path, struct privs_user *u)
{
	FILE *f = fopen(path, "re");
	struct group *gr;
	int rc = 0;

	if (!f)
		return -errno;
	while (!rc && (gr = fgetgrent(f)))
		for (char **m = gr->gr_mem; !rc && m && *m; m++)
			if (!strcmp(*m, u->name))
				rc = add_group(u, gr->gr_gid);
	fclose(f);
	return rc;
}

int privs_user_resolve(const char *spec, const char *passwd, const char *group,
		       struct privs_user *u)
{
	struct passwd *pw;
	bool numeric, by_name = false, by_uid = false;
	uid_t want = 0;
	FILE *f;

	memset(u, 0, sizeof(*u));
	numeric = parse_uid(spec, &want);
	f = fopen(passwd ? passwd : "/etc/passwd", "re");
	if (!f)
		return -errno;
	while (!by_name && (pw = fgetpwent(f))) {
		if (!strcmp(pw->pw_name, spec))
			by_name = true;
		else if (numeric && !by_uid && pw->pw_uid == want)
			by_uid = true;
		else
			continue;
		if (strlen(pw->pw_name) >= sizeof(u->name)) {
			fclose(f);
			return -ENAMETOOLONG;
		}
		strcpy(u->name, pw->pw_name);
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
	}
	fclose(f);
	if (!by_name && !by_uid)
		return -ENOENT;
	u->groups[0] = u->gid;
	u->ngroups = 1;
	return find_groups(group ? group : "/etc/group", u);
}

static int become(const struct privs_user *u)
{
	uid_t r, e, s;

	if (setgroups(u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid))
		return -errno;
	if (getresuid(&r, &e, &s) || r != u->uid || e != u->uid || s != u->uid)
		return -EPERM;
	/* OpenBSD's habit: prove the switch cannot be undone */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -EPERM;
	return 0;
}

int privs_user_can_create_in(const struct privs_user *u, const char *dir)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int rc = become(u);

		if (!rc && access(dir, W_OK | X_OK))
			rc = -errno;
		_exit(rc < 0 && -rc < 256 ? -rc : rc ? 255 : 0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st))
		return -ECHILD;
	return -WEXITSTATUS(st);
}

int privs_drop(const struct privs_user *u, bool keep_dac_override)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	int top = last_cap();
	int rc;

	if (u && keep_dac_override)
		return -EINVAL;

	/* the bounding set first: dropping it needs CAP_SETPCAP, which goes last */
	for (int c = 0; c <= top; c++) {
		if (keep_dac_override && c == CAP_DAC_OVERRIDE)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	/* needs CAP_SETUID and CAP_SETGID: before capset clears them (a non-zero uid clears the
	   permitted set by itself; -Z root relies on capset) */
	if (u && (rc = become(u)))
		return rc;
	memset(d, 0, sizeof(d));
	if (keep_dac_override) {
		d[0].effective = d[0].permitted = 1u << CAP_DAC_OVERRIDE;
	}
	if (syscall(SYS_capset, &h, d))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

const char *privs_bpf_refusal(int err)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	/* confidentiality mode takes bpf_probe_read_kernel away: the verifier rejects the load */
	if (strstr(buf, "[confidentiality]"))
		return "kernel lockdown (confidentiality) forbids BPF programs that read kernel "
		       "memory; boot with lockdown=integrity or none";
	if (err == -EPERM)
		return "bpf() refused although the capabilities are there: a seccomp filter "
		       "(container runtime, systemd SystemCallFilter=) or an LSM (BPF LSM, "
		       "SELinux, AppArmor) forbids it";
	return NULL;
}

int privs_effective_count(void)
{
	struct __user_cap_data_struct d[2];
	int n = 0;

	if (caps_get(d))
		return -1;
	for (int c = 0; c < 64; c++)
		n += has(d, c);
	return n;
}

bool privs_dir_needs_override(const char *path)
{
	char *copy = strdup(path);
	struct stat st;
	bool need = true;

	if (!copy)
		return true;
	if (!stat(dirname(copy), &st))
		need = st.st_uid != geteuid() && !(st.st_mode & S_IWOTH);
	free(copy);
	return need;
}
