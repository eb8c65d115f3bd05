// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests for record/privs: dropping capabilities (and switching user) in a child process,
 * keeping file access; -Z user resolution from passwd/group files; the directory check for
 * rotated files.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

	if (privs_drop(NULL, false))
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
	if (privs_drop(NULL, true))
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

static char tmpdir[] = "/tmp/test_rec_privs.XXXXXX";
static char passwd[64], group[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup_files(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(passwd, sizeof(passwd), "%s/passwd", tmpdir);
	snprintf(group, sizeof(group), "%s/group", tmpdir);
	write_file(passwd, "root:x:0:0:root:/root:/bin/sh\n"
			   "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
			   "1001:x:1002:1002:a name that looks like a uid:/:/bin/false\n"
			   "bob:x:1001:100::/:/bin/false\n"
			   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	write_file(group, "root:x:0:\n"
			  "users:x:100:alice\n"
			  "alice:x:1000:\n"
			  "wheel:x:10:root,alice,bob\n"
			  "audio:x:29:bob,alice\n"
			  "alicex:x:77:alicexx\n"
			  "nogroup:x:65534:\n");
	return 0;
}

static int teardown_files(void **state)
{
	(void)state;
	unlink(passwd);
	unlink(group);
	return rmdir(tmpdir);
}

static void test_user_by_name(void **state)
{
	struct privs_user u;

	(void)state;
	assert_int_equal(privs_user_resolve("alice", passwd, group, &u), 0);
	assert_string_equal(u.name, "alice");
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	/* primary first, then the groups naming her, in file order; "alicexx" is not "alice" */
	assert_int_equal(u.ngroups, 4);
	assert_int_equal(u.groups[0], 1000);
	assert_int_equal(u.groups[1], 100);
	assert_int_equal(u.groups[2], 10);
	assert_int_equal(u.groups[3], 29);
	/* the primary group listed again as a member group is not doubled */
	assert_int_equal(privs_user_resolve("bob", passwd, group, &u), 0);
	assert_int_equal(u.gid, 100);
	assert_int_equal(u.ngroups, 3);
	assert_int_equal(privs_user_resolve("nobody", passwd, group, &u), 0);
	assert_int_equal(u.ngroups, 1);
	assert_int_equal(u.groups[0], 65534);
}

static void test_user_by_uid(void **state)
{
	struct privs_user u;

	(void)state;
	assert_int_equal(privs_user_resolve("65534", passwd, group, &u), 0);
	assert_string_equal(u.name, "nobody");
	assert_int_equal(privs_user_resolve("0", passwd, group, &u), 0);
	assert_string_equal(u.name, "root");
	/* a name that is all digits wins over the uid it spells */
	assert_int_equal(privs_user_resolve("1001", passwd, group, &u), 0);
	assert_int_equal(u.uid, 1002);
}

static void test_user_unknown(void **state)
{
	struct privs_user u;

	(void)state;
	assert_int_equal(privs_user_resolve("mallory", passwd, group, &u), -ENOENT);
	assert_int_equal(privs_user_resolve("4242", passwd, group, &u), -ENOENT);
	assert_int_equal(privs_user_resolve("", passwd, group, &u), -ENOENT);
	assert_int_equal(privs_user_resolve("-1", passwd, group, &u), -ENOENT);
	/* (uid_t)-1 means "unchanged" to setresuid: never a user; too large for uid_t */
	assert_int_equal(privs_user_resolve("4294967295", passwd, group, &u), -ENOENT);
	assert_int_equal(privs_user_resolve("99999999999999999999", passwd, group, &u), -ENOENT);
	assert_int_equal(privs_user_resolve("alice", "/nonexistent/passwd", group, &u), -ENOENT);
}

static void test_user_too_many_groups(void **state)
{
	char path[96];
	FILE *f;
	struct privs_user u;

	(void)state;
	snprintf(path, sizeof(path), "%s/group.many", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* exact fit: primary + PRIVS_GROUPS_MAX - 1 member groups */
	for (unsigned g = 0; g < PRIVS_GROUPS_MAX - 1; g++)
		fprintf(f, "g%u:x:%u:alice\n", g, 20000 + g);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(privs_user_resolve("alice", passwd, path, &u), 0);
	assert_int_equal(u.ngroups, PRIVS_GROUPS_MAX);
	/* one more */
	f = fopen(path, "a");
	assert_non_null(f);
	fprintf(f, "extra:x:30000:alice\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(privs_user_resolve("alice", passwd, path, &u), -E2BIG);
	unlink(path);
}

static void test_user_can_create_in(void **state)
{
	char dir[] = "/tmp/test_rec_privs.XXXXXX", sub[128], deep[160];
	struct privs_user nobody = {.uid = 65534, .gid = 65534, .ngroups = 1, .groups = {65534}};

	(void)state;
	if (geteuid() != 0 || privs_check() != 0) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir)); /* 0700 root: nobody cannot even look inside */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(deep, sizeof(deep), "%s/sub/deep", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(mkdir(deep, 0700), 0);
	assert_int_equal(chown(deep, 65534, 65534), 0);
	/* nobody's own directory, behind a parent nobody cannot search */
	assert_int_equal(privs_user_can_create_in(&nobody, deep), -EACCES);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(privs_user_can_create_in(&nobody, deep), 0);
	assert_int_equal(privs_user_can_create_in(&nobody, sub), -EACCES); /* root's 0755 */
	assert_int_equal(chmod(sub, 01777), 0);				   /* like /tmp */
	assert_int_equal(privs_user_can_create_in(&nobody, sub), 0);
	assert_int_equal(privs_user_can_create_in(&nobody, "/nonexistent-dir"), -ENOENT);
	assert_int_equal(rmdir(deep), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

static int become_nobody(void *arg)
{
	const char *path = arg;
	struct privs_user u = {.uid = 65534, .gid = 65534, .ngroups = 2, .groups = {65534, 29}};
	gid_t groups[8];
	uid_t r, e, s;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600); /* opened as root, kept */
	if (fd < 0)
		return 9;
	if (privs_drop(&u, true) != -EINVAL) /* CAP_DAC_OVERRIDE is for uid 0 only */
		return 10;
	if (privs_drop(&u, false))
		return 11;
	if (getresuid(&r, &e, &s) || r != 65534 || e != 65534 || s != 65534)
		return 12;
	if (getgid() != 65534 || getegid() != 65534)
		return 13;
	/* the kernel keeps the list sorted */
	if (getgroups(8, groups) != 2 || groups[0] != 29 || groups[1] != 65534)
		return 14;
	if (privs_effective_count() != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 15;
	if (setuid(0) == 0)
		return 16;
	if (write(fd, "x", 1) != 1) /* the fd opened before still writes */
		return 17;
	if (open(path, O_WRONLY) >= 0) /* the file itself is root's 0600 */
		return 18;
	return 0;
}

static void test_drop_to_user(void **state)
{
	char dir[] = "/tmp/test_rec_privs.XXXXXX", path[128];

	(void)state;
	if (geteuid() != 0 || privs_check() != 0) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(in_child(become_nobody, path), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drop),
	    cmocka_unit_test(test_dir_needs_override),
	    cmocka_unit_test(test_user_by_name),
	    cmocka_unit_test(test_user_by_uid),
	    cmocka_unit_test(test_user_unknown),
	    cmocka_unit_test(test_user_too_many_groups),
	    cmocka_unit_test(test_user_can_create_in),
	    cmocka_unit_test(test_drop_to_user),
	};

	return cmocka_run_group_tests(tests, setup_files, teardown_files);
}
