// SPDX-License-Identifier: BSD-2-Clause
/* live: the recorder without -w, its trace stream decoded as it is written by tcpdrop-report. */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privs.h"

#define REPORT_NAME "tcpdrop-report"

static bool executable(const char *path)
{
	return access(path, X_OK) == 0;
}

int live_find_report(char *buf, size_t len)
{
	char self[PATH_MAX], *slash;
	const char *path = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			if ((size_t)snprintf(buf, len, "%s/" REPORT_NAME, self) < len &&
			    executable(buf))
				return 0;
			/* installed: PREFIX/sbin/tcpdrop-record and PREFIX/bin/tcpdrop-report */
			if ((size_t)snprintf(buf, len, "%s/../bin/" REPORT_NAME, self) < len &&
			    executable(buf))
				return 0;
		}
	} else {
		snprintf(self, sizeof(self), "(unknown)");
	}
	while (path && *path) {
		size_t dlen = strcspn(path, ":");

		/* an empty PATH entry is the current directory: not where root looks for tools */
		if (dlen &&
		    (size_t)snprintf(buf, len, "%.*s/" REPORT_NAME, (int)dlen, path) < len &&
		    executable(buf))
			return 0;
		path += dlen + (path[dlen] == ':');
	}
	snprintf(buf, len, "%s", self);
	return -ENOENT;
}

int live_start(const char *report, bool no_stack, const struct privs_user *user, pid_t *pid)
{
	int fds[2], rc;
	pid_t child;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child < 0) {
		rc = -errno;
		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (child == 0) {
		char *argv[] = {(char *)report, "-r", "-", no_stack ? "--no-stack" : NULL, NULL};

		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_DFL);
		rc = dup2(fds[0], STDIN_FILENO) < 0 ? -errno : privs_drop(user, false);
		if (rc) {
			fprintf(stderr, "tcpdrop-record: live view: %s\n", strerror(-rc));
			_exit(127);
		}
		execv(report, argv);
		fprintf(stderr, "tcpdrop-record: live view: %s: %s\n", report, strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	rc = dup2(fds[1], STDOUT_FILENO) < 0 ? -errno : 0;
	close(fds[1]);
	if (rc) {
		live_kill(child);
		return rc;
	}
	*pid = child;
	return 0;
}

int live_wait(pid_t pid)
{
	int st;

	close(STDOUT_FILENO);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void live_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	live_wait(pid);
}
