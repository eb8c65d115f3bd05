// SPDX-License-Identifier: BSD-2-Clause
/* sandbox: the seccomp filter that confines tcpdrop-report once its files are open. */
#include "sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * System call numbers whose names the SIGSYS handler can show: x86_64 and arm64 stay below
 * 512 (the highest in Linux 6.18 is about 470). Names are looked up before the filter is
 * installed, because libseccomp's lookup allocates and a handler must not.
 */
#define NAMES_MAX 512

static char *names[NAMES_MAX];

/*
 * What decoding, filtering (pcap_offline_filter runs the BPF program in user space), zstd,
 * stdio and malloc need once the files are open. Found with strace -f over the report's
 * integration tests and, for what strace cannot see (the sanitizer's leak check refuses to
 * run under ptrace), with SCMP_ACT_LOG and the kernel's audit lines.
 */
/* one row per concern */
/* clang-format off */
static const char *const always[] = {
    "read", "write", "writev", "lseek", "close", "fstat",
    "newfstatat", "stat", /* fstat, and mktime()'s check whether /etc/localtime changed */
    "clock_gettime", "clock_getres", "gettimeofday", "time",
    "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack", "restart_syscall",
    "brk", "munmap", "mremap", "madvise", "futex", "sched_yield",
    "getpid", "gettid", "exit", "exit_group",
    "sysinfo", /* qsort() of a large array asks how much memory there is */
};
/* clang-format on */

#ifdef __SANITIZE_ADDRESS__
/*
 * Sanitizer builds only (`make SAN=1`, decided at compile time: a release binary never has
 * these): LeakSanitizer's check at exit clones a tracer (clone, prctl PR_SET_PTRACER, wait4)
 * that ptraces the report and lists /proc/self/task (getppid, prctl PR_SET_PDEATHSIG, open
 * read-only, getdents, ptrace, wait4); the symbolizer reads /proc/self/maps (readlink).
 * The same list as the recorder's (record/sandbox.c), measured under Linux 6.18 with gcc 12.
 */
static const char *const sanitizer[] = {
    "clone",  "prctl",	  "wait4",	"ptrace",   "getppid",		 "open",
    "openat", "getdents", "getdents64", "readlink", "sched_getaffinity",
};
#endif

static int allow(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *a)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a system call on this architecture (open, time on arm64) */
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, a);
}

static int allow_list(scmp_filter_ctx ctx, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = allow(ctx, list[i], 0, NULL);

		if (rc)
			return rc;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx)
{
	/* malloc and zstd map memory; nothing maps code after setup */
	struct scmp_arg_cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
	struct scmp_arg_cmp self = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());
	/* stdio's first write to an output that is a character device asks if it is a tty */
	struct scmp_arg_cmp tcgets = SCMP_A1(SCMP_CMP_EQ, TCGETS);
	int rc;

	rc = allow_list(ctx, always, sizeof(always) / sizeof(always[0]));
#ifdef __SANITIZE_ADDRESS__
	if (!rc)
		rc = allow_list(ctx, sanitizer, sizeof(sanitizer) / sizeof(sanitizer[0]));
#endif
	if (!rc)
		rc = allow(ctx, "mmap", 1, &no_exec);
	if (!rc)
		rc = allow(ctx, "mprotect", 1, &no_exec);
	if (!rc)
		rc = allow(ctx, "tgkill", 1, &self); /* raise() and abort() */
	if (!rc)
		rc = allow(ctx, "ioctl", 1, &tcgets);
	return rc;
}

static void put(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Async-signal-safe: no stdio, no allocation, names looked up beforehand. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char num[16], *p = num + sizeof(num);
	unsigned nr = (unsigned)si->si_syscall;

	(void)uc;
	*--p = 0;
	do
		*--p = (char)('0' + nr % 10);
	while ((nr /= 10) && p > num);
	put("tcpdrop-report: seccomp: forbidden system call ");
	put(p);
	if ((unsigned)si->si_syscall < NAMES_MAX && names[si->si_syscall]) {
		put(" (");
		put(names[si->si_syscall]);
		put(")");
	}
	put("\n");
	/* SA_RESETHAND made the action the default one and SA_NODEFER leaves SIGSYS unblocked:
	   this kills the process with SIGSYS */
	raise(sig);
	_exit(128 + sig);
}

static int catch_sigsys(void)
{
	struct sigaction sa;

	for (int nr = 0; nr < NAMES_MAX; nr++)
		if (!names[nr])
			names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) ? -errno : 0;
}

int rpt_sandbox_enter(void)
{
	scmp_filter_ctx ctx;
	int rc;

	/* local time: glibc reads /etc/localtime (or TZ's file) once, now rather than later */
	tzset();
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* audit the trapped call too (type=1326 in dmesg); older kernels: no log, no matter */
	if (!rc)
		seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	/* every thread: the readers' read-ahead workers (format/reader.c) started at open */
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!rc)
		rc = add_rules(ctx);
	if (!rc)
		rc = catch_sigsys();
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc > 0 ? -rc : rc;
}

int rpt_sandbox_test_forbidden(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);
	return -EPERM;
}
