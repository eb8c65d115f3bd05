// SPDX-License-Identifier: BSD-2-Clause
/* privs: check the capabilities recording needs, and give them up once set up. */
#include "privs.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/syscall.h>
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

int privs_drop(bool keep_dac_override)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	int top = last_cap();

	/* the bounding set first: dropping it needs CAP_SETPCAP, which goes last */
	for (int c = 0; c <= top; c++) {
		if (keep_dac_override && c == CAP_DAC_OVERRIDE)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL)
			return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
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
