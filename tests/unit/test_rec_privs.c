// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/privs: dropping capabilities in a child process, keeping file access. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../record/privs.h"

/* Run fn in a child (dropping privileges cannot be undone) and return its exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int drop_all(void *arg)
{
	const char *dir = arg;
	char path[128];
	int fd;

	if (privs_drop(false))
		return 10;
	if (privs_effective_count() != 0)
		return 11;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 12;
	if (privs_check() != -EPERM)
		return 13;
	/* uid 0 without capabilities still creates files in a directory it owns */
	snprintf(path, sizeof(path), "%s/after-drop", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 14;
	close(fd);
	return 0;
}

static int keep_dac(void *arg)
{
	(void)arg;
	if (privs_drop(true))
		return 10;
	if (privs_effective_count() != 1)
		return 11;
	return 0;
}

static void test_drop(void **state)
{
	char dir[] = "/tmp/test_rec_privs.XXXXXX", path[128];

	(void)state;
	if (geteuid() != 0 || privs_check() != 0) {
		skip(); /* needs root: the integration runs have it */
		return;
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(in_child(drop_all, dir), 0);
	snprintf(path, sizeof(path), "%s/after-drop", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(in_child(keep_dac, NULL), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_dir_needs_override(void **state)
{
	char dir[] = "/tmp/test_rec_privs.XXXXXX", path[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.tdrop", dir);
	assert_false(privs_dir_needs_override(path)); /* our own directory */
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_true(privs_dir_needs_override(path));
		assert_int_equal(chmod(dir, 01777), 0); /* writable by others, like /tmp */
		assert_false(privs_dir_needs_override(path));
	}
	assert_true(privs_dir_needs_override("/nonexistent-dir/f")); /* unknown: keep it */
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop),
	    cmocka_unit_test(test_dir_needs_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
