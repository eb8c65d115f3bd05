// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests for record/output: file names for -C/-G/-W, rotation, the -W ring, file modes,
 * the open policy (symbolic links, file types, owners, hard links) and -W deleting or reusing
 * only the files the recording made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../record/output.h"

static void test_name_plain(void **state)
{
	struct output_cfg c = {.pattern = "drops.tdrop"};
	char b[64];

	(void)state;
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 0), 0);
	assert_string_equal(b, "drops.tdrop");
	/* -C: the first file keeps the name, then 1, 2... */
	c.rotate_bytes = 1000000;
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 0), 0);
	assert_string_equal(b, "drops.tdrop");
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 12), 0);
	assert_string_equal(b, "drops.tdrop12");
}

static void test_name_ring(void **state)
{
	struct output_cfg c = {.pattern = "d", .rotate_bytes = 1, .ring_files = 12};
	char b[64];

	(void)state;
	/* padded to the width of N-1 = 11, wrapping modulo N */
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 0), 0);
	assert_string_equal(b, "d00");
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 11), 0);
	assert_string_equal(b, "d11");
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 12), 0);
	assert_string_equal(b, "d00");
	c.ring_files = 1;
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 5), 0);
	assert_string_equal(b, "d0");
}

static void test_name_strftime(void **state)
{
	struct output_cfg c = {.pattern = "x-%Y%m%d-%H%M%S.tdrop", .rotate_secs = 60};
	char b[64];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(output_name(b, sizeof(b), &c, 86400 + 3661, 0), 0);
	assert_string_equal(b, "x-19700102-010101.tdrop");
	c.rotate_bytes = 5;
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 3), 0);
	assert_string_equal(b, "x-19700101-000000.tdrop3");
	/* without -G the pattern is a plain name */
	c.rotate_secs = 0;
	c.rotate_bytes = 0;
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 0), 0);
	assert_string_equal(b, "x-%Y%m%d-%H%M%S.tdrop");
}

static void test_name_limits(void **state)
{
	struct output_cfg c = {.pattern = "abcdef", .rotate_bytes = 1};
	char b[8];

	(void)state;
	assert_int_equal(output_name(b, 7, &c, 0, 0), 0);	      /* exact fit: 6 + NUL */
	assert_int_equal(output_name(b, 6, &c, 0, 0), -ENAMETOOLONG); /* one byte short */
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 10), -ENAMETOOLONG);
	c.pattern = "";
	assert_int_equal(output_name(b, sizeof(b), &c, 0, 0), -EINVAL);
}

static int begin_count;
static int begin(void *arg, struct tdf_writer *w)
{
	struct tdf_record r = {.type = TDF_REC_CLOCK};

	(void)arg;
	begin_count++;
	r.clock.boot_ns = 1;
	r.clock.real_ns = 2;
	return tdf_writer_add(w, &r);
}

static int add_drop(struct output *s)
{
	static const uint8_t pkt[20] = {0x45};
	struct tdf_record r;

	memset(&r, 0, sizeof(r));
	r.type = TDF_REC_DROP;
	r.drop.seq_no = 1;
	r.drop.family = 4;
	r.drop.caplen = sizeof(pkt);
	r.drop.data = pkt;
	return output_add(s, &r);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_rotation_ring(void **state)
{
	char dir[] = "/tmp/test_rec_output.XXXXXX", pat[128], path[160];
	struct output_cfg c = {.rotate_bytes = 1, .ring_files = 3};
	struct output *s;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(pat, sizeof(pat), "%s/r", dir);
	c.pattern = pat;
	begin_count = 0;
	s = output_open(&c, 1000);
	assert_non_null(s);
	assert_int_equal(output_start(s, begin, NULL), 0);
	assert_int_equal(begin_count, 1);
	/* a file without a drop is never rotated, however large */
	assert_false(output_rotate_due(s, 1000));
	for (int i = 0; i < 5; i++) {
		assert_int_equal(add_drop(s), 0);
		assert_int_equal(output_flush(s), 0);
		assert_true(output_rotate_due(s, 1000));
		assert_int_equal(output_rotate(s, 1000), 0);
		assert_int_equal(output_generation(s), (uint32_t)i + 1);
	}
	assert_int_equal(begin_count, 6); /* every file got its preamble */
	/* names r0 r1 r2 reused modulo 3: never more than 3 files */
	assert_int_equal(count_files(dir), 3);
	snprintf(path, sizeof(path), "%s/r2", dir); /* index 5 modulo 3 */
	assert_string_equal(output_path(s), path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(output_bytes(s) > 0);
	assert_int_equal(output_close(s), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/r%d", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

static void test_time_ring_deletes_oldest(void **state)
{
	char dir[] = "/tmp/test_rec_output.XXXXXX", pat[128], path[160];
	struct output_cfg c = {.rotate_secs = 10, .ring_files = 2};
	struct output *s;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_non_null(mkdtemp(dir));
	snprintf(pat, sizeof(pat), "%s/t-%%s", dir); /* %s: seconds since the epoch */
	c.pattern = pat;
	s = output_open(&c, 100);
	assert_non_null(s);
	assert_int_equal(output_start(s, begin, NULL), 0);
	assert_int_equal(add_drop(s), 0);
	assert_false(output_rotate_due(s, 109)); /* one second short */
	assert_true(output_rotate_due(s, 110));
	assert_int_equal(output_rotate(s, 110), 0);
	assert_int_equal(add_drop(s), 0);
	assert_int_equal(output_rotate(s, 120), 0);
	assert_int_equal(count_files(dir), 2);
	snprintf(path, sizeof(path), "%s/t-100", dir);
	assert_int_equal(access(path, F_OK), -1); /* the oldest is gone */
	snprintf(path, sizeof(path), "%s/t-120", dir);
	assert_int_equal(access(path, F_OK), 0);
	assert_string_equal(output_path(s), path);
	assert_int_equal(output_close(s), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t-110", dir);
	unlink(path);
	rmdir(dir);
}

static void test_open_errors(void **state)
{
	struct output_cfg c = {.pattern = "/nonexistent-dir/x.tdrop"};
	char dir[] = "/tmp/test_rec_output.XXXXXX", pat[128];
	struct output *s;

	(void)state;
	errno = 0;
	assert_null(output_open(&c, 0));
	assert_int_equal(errno, ENOENT);
	/* discarding before start removes the file it created */
	assert_non_null(mkdtemp(dir));
	snprintf(pat, sizeof(pat), "%s/gone", dir);
	c.pattern = pat;
	s = output_open(&c, 0);
	assert_non_null(s);
	assert_int_equal(access(pat, F_OK), 0);
	output_abandon(s, true);
	assert_int_equal(access(pat, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
	output_abandon(NULL, true);
	assert_int_equal(output_close(NULL), 0);
}

static void put_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static bool has_text(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	bool same;

	if (!f)
		return false;
	same = fgets(buf, sizeof(buf), f) && !strcmp(buf, text);
	fclose(f);
	return same;
}

/* output_file_open on path: the fd is closed again; returns the error or 0. */
static int try_open(const char *path, uid_t owner, bool *created)
{
	struct output_file_id id;
	bool c = false;
	int fd = output_file_open(path, owner, NULL, &id, &c);

	if (fd < 0)
		return fd;
	if (created)
		*created = c;
	close(fd);
	return 0;
}

static void test_policy_refusals(void **state)
{
	char dir[] = "/tmp/test_rec_output.XXXXXX", victim[128], p[128];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sk;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	put_text(victim, "precious\n");
	/* a symbolic link at the last component, to a file, to a missing name, to a device */
	snprintf(p, sizeof(p), "%s/link", dir);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(try_open(p, getuid(), NULL), -ELOOP);
	assert_true(has_text(victim, "precious\n")); /* neither truncated nor written */
	unlink(p);
	assert_int_equal(symlink("/nonexistent-target", p), 0);
	assert_int_equal(try_open(p, getuid(), NULL), -ELOOP); /* O_EXCL does not create it */
	assert_int_equal(access("/nonexistent-target", F_OK), -1);
	unlink(p);
	assert_int_equal(symlink("/dev/null", p), 0);
	assert_int_equal(try_open(p, getuid(), NULL), -ELOOP);
	unlink(p);
	/* a directory and a socket */
	assert_int_equal(try_open(dir, getuid(), NULL), -EISDIR);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	sk = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(sk >= 0);
	assert_int_equal(bind(sk, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(try_open(sa.sun_path, getuid(), NULL), -ENXIO);
	close(sk);
	unlink(sa.sun_path);
	/* another user's file, and a file with a second hard link */
	assert_int_equal(try_open(victim, getuid() + 1, NULL), -EEXIST);
	assert_true(has_text(victim, "precious\n"));
	snprintf(p, sizeof(p), "%s/hardlink", dir);
	assert_int_equal(link(victim, p), 0);
	assert_int_equal(try_open(victim, getuid(), NULL), -EMLINK);
	assert_true(has_text(victim, "precious\n"));
	unlink(p);
	/* every refusal has its own words */
	assert_non_null(strstr(output_strerror(-ELOOP), "symbolic link"));
	assert_non_null(strstr(output_strerror(-EEXIST), "another user"));
	assert_string_equal(output_strerror(-ENOSPC), strerror(ENOSPC));
	unlink(victim);
	assert_int_equal(rmdir(dir), 0);
}

static void test_policy_accepted(void **state)
{
	char dir[] = "/tmp/test_rec_output.XXXXXX", p[128], t[128];
	struct output_file_id id;
	struct stat st;
	bool created = false;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* a new file: created 0600, whatever the umask leaves */
	snprintf(p, sizeof(p), "%s/new", dir);
	assert_int_equal(try_open(p, getuid(), &created), 0);
	assert_true(created);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* our own existing file: truncated through the fd, mode back to 0600 */
	put_text(p, "old contents\n");
	assert_int_equal(chmod(p, 0644), 0);
	fd = output_file_open(p, getuid(), NULL, &id, &created);
	assert_true(fd >= 0);
	assert_false(created);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(id.dev == st.st_dev && id.ino == st.st_ino);
	close(fd);
	/* with expect: only that very file; another one under the name is refused (made before
	   the rename so that it cannot get the freed inode number) */
	snprintf(t, sizeof(t), "%s/decoy", dir);
	put_text(t, "decoy\n");
	assert_int_equal(rename(t, p), 0);
	assert_int_equal(output_file_open(p, getuid(), &id, &id, &created), -ESTALE);
	assert_true(has_text(p, "decoy\n"));
	unlink(p);
	/* a character device is written as it is */
	assert_int_equal(try_open("/dev/null", getuid(), &created), 0);
	assert_false(created);
	/* a FIFO of ours (opened with a reader, or the open would wait for one) */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	fd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_int_equal(try_open(p, getuid(), &created), 0);
	assert_false(created);
	/* another user's FIFO would hand the trace to them (root's is fine) */
	if (getuid() == 0) {
		assert_int_equal(try_open(p, 12345, NULL), 0);
		assert_int_equal(chown(p, 12345, 12345), 0);
		assert_int_equal(try_open(p, 0, NULL), -EEXIST);
	} else {
		assert_int_equal(try_open(p, getuid() + 1, NULL), -EEXIST);
	}
	close(fd);
	unlink(p);
	assert_int_equal(rmdir(dir), 0);
}

/* -W: a name of the ring replaced by another file is neither deleted nor reused. */
static void test_ring_decoy(void **state)
{
	char dir[] = "/tmp/test_rec_output.XXXXXX", pat[128], r0[160], r1[160], t0[160];
	struct output_cfg c = {.rotate_bytes = 1, .ring_files = 2};
	struct output_cfg g = {.rotate_secs = 10, .ring_files = 1};
	struct output *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* -C -W 2: names r0 r1 reused; r0 replaced between rotations stops the recording */
	snprintf(pat, sizeof(pat), "%s/r", dir);
	snprintf(r0, sizeof(r0), "%s/r0", dir);
	snprintf(r1, sizeof(r1), "%s/r1", dir);
	c.pattern = pat;
	s = output_open(&c, 1000);
	assert_non_null(s);
	assert_int_equal(output_start(s, begin, NULL), 0);
	assert_int_equal(add_drop(s), 0);
	assert_int_equal(output_rotate(s, 1000), 0); /* now r1 */
	snprintf(t0, sizeof(t0), "%s/decoy", dir);
	put_text(t0, "decoy\n");
	assert_int_equal(rename(t0, r0), 0);
	assert_int_equal(add_drop(s), 0);
	assert_int_equal(output_rotate(s, 1000), -ESTALE);
	assert_true(has_text(r0, "decoy\n"));
	output_abandon(s, false);
	unlink(r0);
	unlink(r1);
	/* -G -W 1: the oldest file, replaced, survives its deletion */
	snprintf(pat, sizeof(pat), "%s/t-%%s", dir);
	snprintf(t0, sizeof(t0), "%s/t-100", dir);
	g.pattern = pat;
	s = output_open(&g, 100);
	assert_non_null(s);
	assert_int_equal(output_start(s, begin, NULL), 0);
	assert_int_equal(add_drop(s), 0);
	assert_int_equal(rename(t0, r0), 0); /* the recording's file moves away... */
	put_text(t0, "decoy\n");	     /* ...and a decoy takes its name */
	assert_int_equal(output_rotate(s, 110), 0);
	assert_true(has_text(t0, "decoy\n"));
	assert_int_equal(count_files(dir), 3); /* decoy, moved file, t-110 */
	assert_int_equal(output_close(s), 0);
	unlink(t0);
	unlink(r0);
	snprintf(t0, sizeof(t0), "%s/t-110", dir);
	unlink(t0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_name_plain),	    cmocka_unit_test(test_name_ring),
	    cmocka_unit_test(test_name_strftime),   cmocka_unit_test(test_name_limits),
	    cmocka_unit_test(test_rotation_ring),   cmocka_unit_test(test_time_ring_deletes_oldest),
	    cmocka_unit_test(test_open_errors),	    cmocka_unit_test(test_policy_refusals),
	    cmocka_unit_test(test_policy_accepted), cmocka_unit_test(test_ring_decoy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
