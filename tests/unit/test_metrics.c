// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests for record/metrics: the exposition text (golden), label escaping, the label-set
 * cap and its "other" series, and the atomic writer (mode, no temporary left, failures).
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../record/metrics.h"

static const struct metrics_totals totals = {
    .lost = 3, .excluded = 7, .bytes = 4096, .start_real_ns = 1796126139208126834ull};

/* The rendered text, owned by the caller. */
static char *render(const struct metrics *m, const struct metrics_totals *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(metrics_render(m, t, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The value of the one sample line that starts with series + " ", or -1. */
static long long sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return atoll(p + n + 1);
	return -1;
}

static void test_golden(void **state)
{
	struct metrics *m = metrics_new(NULL, 0);
	char *text;

	(void)state;
	assert_non_null(m);
	metrics_drop_add(m, "TCP_CSUM", 6, "4026531840", NULL);
	metrics_drop_add(m, "NO_SOCKET", 4, "4026532314", "");
	metrics_drop_add(m, "NO_SOCKET", 4, "4026532314", NULL); /* "" and NULL are one set */
	metrics_drop_add(m, "NO_SOCKET", 4, NULL, "c0ffee");
	metrics_drop_add(m, NULL, 10, NULL, NULL); /* unknown reason, unknown family */
	assert_int_equal(metrics_sets(m), 4);
	text = render(m, &totals);
	assert_string_equal(
	    text,
	    "# HELP tcpdrop_drops_total TCP segments the kernel dropped, by drop reason, "
	    "address family, network namespace and container.\n"
	    "# TYPE tcpdrop_drops_total counter\n"
	    "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\",container=\"c0ffee\"} 1\n"
	    "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\",netns=\"4026532314\"} 2\n"
	    "tcpdrop_drops_total{reason=\"TCP_CSUM\",family=\"ipv6\",netns=\"4026531840\"} 1\n"
	    "tcpdrop_drops_total{reason=\"unknown\",family=\"other\"} 1\n"
	    "# HELP tcpdrop_lost_total Drops the recorder lost because its ring buffer was "
	    "full.\n"
	    "# TYPE tcpdrop_lost_total counter\n"
	    "tcpdrop_lost_total 3\n"
	    "# HELP tcpdrop_excluded_total NOT_SPECIFIED frees counted but not recorded "
	    "(without --all-reasons).\n"
	    "# TYPE tcpdrop_excluded_total counter\n"
	    "tcpdrop_excluded_total 7\n"
	    "# HELP tcpdrop_bytes_written_total Bytes of trace data written.\n"
	    "# TYPE tcpdrop_bytes_written_total counter\n"
	    "tcpdrop_bytes_written_total 4096\n"
	    "# HELP tcpdrop_start_time_seconds When the recording started, in seconds since "
	    "the Unix epoch.\n"
	    "# TYPE tcpdrop_start_time_seconds gauge\n"
	    "tcpdrop_start_time_seconds 1796126139.208126834\n");
	free(text);
	metrics_free(m);
}

static void test_empty(void **state)
{
	struct metrics *m = metrics_new(NULL, 0);
	struct metrics_totals zero = {0};
	char *text;

	(void)state;
	/* no drops yet: the family is declared, no sample; the totals are there at 0 */
	text = render(m, &zero);
	assert_non_null(strstr(text, "# TYPE tcpdrop_drops_total counter\n# HELP tcpdrop_lost"));
	assert_int_equal(sample(text, "tcpdrop_lost_total"), 0);
	assert_non_null(strstr(text, "tcpdrop_start_time_seconds 0.000000000\n"));
	free(text);
	metrics_free(m);
}

static void test_escape(void **state)
{
	struct metrics *m = metrics_new(NULL, 0);
	char *text;

	(void)state;
	metrics_drop_add(m, "R", 4, "a\"b\\c\nd", "tab\there");
	/* not UTF-8: a lone continuation byte, an overlong '/', a surrogate; then valid ones */
	metrics_drop_add(m, "R", 6, "x\x80y\xc0\xafz\xed\xa0\x80", "caf\xc3\xa9 \xf0\x9f\x90\xb3");
	text = render(m, &totals);
	assert_non_null(strstr(
	    text,
	    "{reason=\"R\",family=\"ipv4\",netns=\"a\\\"b\\\\c\\nd\",container=\"tab?here\"} 1\n"));
	assert_non_null(strstr(
	    text, "{reason=\"R\",family=\"ipv6\",netns=\"x?y??z???\",container=\"caf\xc3\xa9 "
		  "\xf0\x9f\x90\xb3\"} 1\n"));
	free(text);
	metrics_free(m);
}

static void test_long_label(void **state)
{
	struct metrics *m = metrics_new(NULL, 0);
	char a[300], b[300];

	(void)state;
	/* two values that differ only past METRICS_LABEL_MAX bytes are one label set */
	memset(a, 'n', sizeof(a));
	a[sizeof(a) - 1] = 0;
	memcpy(b, a, sizeof(b));
	b[METRICS_LABEL_MAX + 5] = 'X';
	metrics_drop_add(m, "R", 4, a, NULL);
	metrics_drop_add(m, "R", 4, b, NULL);
	assert_int_equal(metrics_sets(m), 1);
	metrics_free(m);
}

static void test_cap(void **state)
{
	struct metrics *m = metrics_new(NULL, 3);
	char *text;

	(void)state;
	/* exact fit: three sets */
	metrics_drop_add(m, "NO_SOCKET", 4, "1", NULL);
	metrics_drop_add(m, "NO_SOCKET", 4, "2", NULL);
	metrics_drop_add(m, "TCP_CSUM", 4, "1", "c1");
	assert_int_equal(metrics_sets(m), 3);
	assert_int_equal(metrics_capped(m), 0);
	/* known sets go on counting after the cap */
	metrics_drop_add(m, "NO_SOCKET", 4, "1", NULL);
	/* one past: netns (and container) become "other", reason and family stay */
	metrics_drop_add(m, "NO_SOCKET", 4, "3", NULL);
	metrics_drop_add(m, "NO_SOCKET", 4, "4", NULL);
	metrics_drop_add(m, "TCP_CSUM", 4, "9", "c9");
	/* a set without netns or container keeps its labels, only beyond the cap */
	metrics_drop_add(m, "NO_SOCKET", 6, NULL, NULL);
	assert_int_equal(metrics_capped(m), 3);
	assert_int_equal(metrics_sets(m), 6);
	text = render(m, &totals);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\","
				      "netns=\"1\"}"),
			 2);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\","
				      "netns=\"other\"}"),
			 2);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"TCP_CSUM\",family=\"ipv4\","
				      "netns=\"other\",container=\"other\"}"),
			 1);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv6\"}"),
			 1);
	free(text);
	metrics_free(m);
}

static void test_cap_other_full(void **state)
{
	struct metrics *m = metrics_new(NULL, 1);
	uint64_t total = 0;
	char reason[32], *text;

	(void)state;
	metrics_drop_add(m, "FIRST", 4, "1", NULL);
	/* more reasons than METRICS_OTHER_MAX: the last resort is reason and family "other" */
	for (unsigned i = 0; i < METRICS_OTHER_MAX + 10; i++) {
		snprintf(reason, sizeof(reason), "R%u", i);
		metrics_drop_add(m, reason, 4, "2", NULL);
	}
	assert_int_equal(metrics_sets(m), 1 + METRICS_OTHER_MAX + 1);
	text = render(m, &totals);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"other\",family=\"other\","
				      "netns=\"other\"}"),
			 10);
	/* every drop is counted once: the samples add up */
	for (const char *p = strstr(text, "tcpdrop_drops_total{"); p;
	     p = strstr(p + 1, "\ntcpdrop_drops_total{"))
		total += strtoull(strchr(p, '}') + 2, NULL, 10);
	assert_int_equal(total, 1 + METRICS_OTHER_MAX + 10);
	free(text);
	metrics_free(m);
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_metrics.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, f) > 0);
	fclose(f);
	return buf;
}

static void test_write(void **state)
{
	char path[128], tmp[128], *text;
	struct metrics *m;
	struct stat st;
	mode_t old;

	(void)state;
	snprintf(path, sizeof(path), "%s/tcpdrop.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/.tcpdrop.prom.tmp", dir);
	m = metrics_new(path, 0);
	assert_non_null(m);
	assert_string_equal(metrics_path(m), path);
	metrics_drop_add(m, "NO_SOCKET", 4, "1", NULL);
	/* 0644 whatever the umask; a stale temporary file of a crashed run is no obstacle */
	close(open(tmp, O_WRONLY | O_CREAT, 0600));
	old = umask(077);
	assert_int_equal(metrics_write(m, &totals, true), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(access(tmp, F_OK), -1);
	text = slurp(path);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\","
				      "netns=\"1\"}"),
			 1);
	free(text);
	/* a second write replaces it (a new inode: readers see the old or the new file) */
	metrics_drop_add(m, "NO_SOCKET", 4, "1", NULL);
	assert_int_equal(metrics_write(m, &totals, false), 0);
	text = slurp(path);
	assert_int_equal(sample(text, "tcpdrop_drops_total{reason=\"NO_SOCKET\",family=\"ipv4\","
				      "netns=\"1\"}"),
			 2);
	free(text);
	metrics_free(m);
}

static void test_write_fails(void **state)
{
	char path[128], tmp[128], inner[160];
	struct metrics *m, *r;
	struct metrics_totals t = totals;

	(void)state;
	/* the name is a non-empty directory: the rename fails, the temporary file goes */
	snprintf(path, sizeof(path), "%s/busy.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s/.busy.prom.tmp", dir);
	snprintf(inner, sizeof(inner), "%s/busy.prom/x", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	close(open(inner, O_WRONLY | O_CREAT, 0600));
	m = metrics_new(path, 0);
	assert_non_null(m);
	assert_int_equal(metrics_write(m, &t, false), -EISDIR);
	assert_int_equal(access(tmp, F_OK), -1);
	/* render only: no file to write */
	r = metrics_new(NULL, 0);
	assert_int_equal(metrics_write(r, &t, false), -EINVAL);
	metrics_free(r);
	metrics_free(m);
}

static void test_new_errors(void **state)
{
	char path[128];

	(void)state;
	errno = 0;
	assert_null(metrics_new("/nonexistent-tcpdrop-dir/x.prom", 0));
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/x.prom/", dir);
	assert_null(metrics_new(path, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(metrics_new("", 0));
	assert_int_equal(errno, EINVAL);
	/* a file where a directory should be */
	assert_null(metrics_new("/etc/passwd/x.prom", 0));
	assert_int_equal(errno, ENOTDIR);
	/* a bare name lives in the working directory */
	metrics_free(metrics_new("x.prom", 0));
	metrics_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),     cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_escape),     cmocka_unit_test(test_long_label),
	    cmocka_unit_test(test_cap),	       cmocka_unit_test(test_cap_other_full),
	    cmocka_unit_test(test_write),      cmocka_unit_test(test_write_fails),
	    cmocka_unit_test(test_new_errors),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
