// SPDX-License-Identifier: BSD-2-Clause
/* test_views: golden outputs of the report's text views (table, json, csv, summary, timeline,
 * info). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../report/filter.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"
#include "../lib/tdftest.h"

/*
 * Each case renders the deterministic samples (tests/lib/rptsample.c) through one view into
 * memory and compares the bytes with tests/data/golden/<name>. UPDATE_GOLDEN=1 rewrites the
 * golden files instead (then review the diff). The golden directory is found from
 * $TCPDROP_TOP, else relative to the current directory (make runs tests from the top).
 */

enum sample { ALPHA, ALPHA_KILLED, BETA, NSAMPLES };

static uint8_t *samples[NSAMPLES];
static size_t sample_len[NSAMPLES];

static const char *golden_dir(void)
{
	static char dir[4096];
	const char *top = getenv("TCPDROP_TOP");
	char exe[3072]; /* shorter than dir: room for the suffix */
	ssize_t n;

	if (top && *top) {
		snprintf(dir, sizeof(dir), "%s/tests/data/golden", top);
		return dir;
	}
	if (access("tests/data/golden", F_OK) == 0)
		return "tests/data/golden";
	/* Run from elsewhere: walk up from the binary (TOP/BUILD/tests/test_views). */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 6; up++) {
			char *p = strrchr(exe, '/');

			if (!p)
				break;
			*p = '\0';
			snprintf(dir, sizeof(dir), "%s/tests/data/golden", exe);
			if (access(dir, F_OK) == 0)
				return dir;
		}
	}
	return "tests/data/golden";
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

enum view { V_TABLE, V_JSON, V_CSV, V_SUMMARY, V_TIMELINE, V_INFO, V_EXPLAIN };

struct gcase {
	const char *name;
	enum view view;
	enum sample files[3];
	size_t nfiles;
	struct rpt_view_opts vo;
	const char *summary_keys;
	size_t top;
	struct rpt_timeline_opts to;
	const char *tz;
	bool explain; /* cfg.explain: the why key/column of json and csv */
};

static void render(const struct gcase *g, char **out, size_t *out_len)
{
	struct rpt_file *files[3];
	struct rpt_summary_opts so = {0};
	struct rpt_run_opts ro = {0};
	struct rpt_sink *sink = NULL;
	FILE *m;
	size_t i;

	setenv("TZ", g->tz ? g->tz : "UTC", 1);
	tzset();
	m = open_memstream(out, out_len);
	assert_non_null(m);
	for (i = 0; i < g->nfiles; i++) {
		static const char *const names[NSAMPLES] = {"alpha.tdrop", "alpha-killed.tdrop",
							    "beta.tdrop"};

		files[i] = rpt_file_open_mem(samples[g->files[i]], sample_len[g->files[i]],
					     names[g->files[i]]);
		assert_non_null(files[i]);
	}
	switch (g->view) {
	case V_TABLE:
		sink = rpt_table_open(m, &(struct rpt_view_cfg){.o = g->vo});
		break;
	case V_JSON:
		sink = rpt_json_open(m, &(struct rpt_view_cfg){.o = g->vo, .explain = g->explain});
		break;
	case V_CSV:
		sink = rpt_csv_open(m, &(struct rpt_view_cfg){.o = g->vo, .explain = g->explain});
		break;
	case V_EXPLAIN:
		sink = rpt_explain_open(m, &(struct rpt_view_cfg){.o = g->vo});
		break;
	case V_SUMMARY: {
		const char *bad;
		size_t badlen;

		assert_int_equal(rpt_summary_parse_keys(g->summary_keys, &so, &bad, &badlen), 0);
		so.top = g->top;
		sink = rpt_summary_open(m, &(struct rpt_view_cfg){.o = g->vo, .summary = so});
		break;
	}
	case V_TIMELINE:
		sink = rpt_timeline_open(m, &(struct rpt_view_cfg){.o = g->vo, .timeline = g->to});
		break;
	case V_INFO:
		sink = rpt_info_open(m, &(struct rpt_view_cfg){.o = g->vo});
		break;
	}
	assert_non_null(sink);
	assert_int_equal(rpt_run(files, g->nfiles, sink, &ro), 0);
	rpt_sink_close(sink);
	for (i = 0; i < g->nfiles; i++)
		rpt_file_close(files[i]);
	assert_int_equal(fclose(m), 0);
}

static void check_golden(void **state)
{
	const struct gcase *g = *state;
	char path[4200], *got, *want;
	size_t got_len, want_len = 0;
	const char *update = getenv("UPDATE_GOLDEN");

	render(g, &got, &got_len);
	snprintf(path, sizeof(path), "%s/%s", golden_dir(), g->name);
	if (update && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, got_len, f), got_len);
		assert_int_equal(fclose(f), 0);
		free(got);
		return;
	}
	want = read_all(path, &want_len);
	if (!want)
		fail_msg("%s: %s (run from the top of the tree or set TCPDROP_TOP)", path,
			 strerror(errno));
	if (got_len != want_len || memcmp(got, want, got_len) != 0) {
		fprintf(stderr, "---- %s: got (%zu bytes):\n%.*s---- want (%zu bytes):\n%.*s----\n",
			g->name, got_len, (int)got_len, got, want_len, (int)want_len, want);
		fail_msg("%s differs from its golden file (UPDATE_GOLDEN=1 to regenerate)",
			 g->name);
	}
	free(got);
	free(want);
}

#define UTC_OPTS                                                                                   \
	{                                                                                          \
		.utc = true                                                                        \
	}

static const struct gcase cases[] = {
    {.name = "table.txt", .view = V_TABLE, .files = {ALPHA}, .nfiles = 1, .vo = UTC_OPTS},
    /* Local time in a zone half an hour off (POSIX TZ, no tzdata needed), ISO stamps. */
    {.name = "table-nostack-iso-local.txt",
     .view = V_TABLE,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = {.time_fmt = RPT_TIME_ISO, .no_stack = true},
     .tz = "XST-5:30"},
    {.name = "table-epoch.txt",
     .view = V_TABLE,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = {.time_fmt = RPT_TIME_EPOCH, .no_stack = true}},
    /* Two hosts: a HOST column, events interleaved by wall clock. */
    {.name = "table-merge.txt",
     .view = V_TABLE,
     .files = {ALPHA, BETA},
     .nfiles = 2,
     .vo = {.time_fmt = RPT_TIME_RELATIVE, .utc = true}},
    {.name = "json.txt", .view = V_JSON, .files = {ALPHA}, .nfiles = 1, .vo = UTC_OPTS},
    {.name = "json-merge-nostack.txt",
     .view = V_JSON,
     .files = {BETA, ALPHA},
     .nfiles = 2,
     .vo = {.utc = true, .no_stack = true}},
    {.name = "csv.txt", .view = V_CSV, .files = {ALPHA}, .nfiles = 1, .vo = UTC_OPTS},
    {.name = "summary-reason.txt",
     .view = V_SUMMARY,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = UTC_OPTS,
     .summary_keys = "reason"},
    {.name = "summary-reason-dport-stack-top2.txt",
     .view = V_SUMMARY,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = UTC_OPTS,
     .summary_keys = "reason,dport,stack",
     .top = 2},
    {.name = "summary-flow-state-comm-ifname-flags.txt",
     .view = V_SUMMARY,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = UTC_OPTS,
     .summary_keys = "flow,state,comm,ifname,flags"},
    {.name = "summary-host-location-saddr-daddr-netns.txt",
     .view = V_SUMMARY,
     .files = {ALPHA, BETA},
     .nfiles = 2,
     .vo = UTC_OPTS,
     .summary_keys = "host,location,saddr,daddr,netns"},
    {.name = "timeline.txt", .view = V_TIMELINE, .files = {ALPHA}, .nfiles = 1, .vo = UTC_OPTS},
    {.name = "timeline-1s-by-reason.txt",
     .view = V_TIMELINE,
     .files = {ALPHA, BETA},
     .nfiles = 2,
     .vo = UTC_OPTS,
     .to = {.interval_ns = 1000000000, .by_reason = true}},
    {.name = "timeline-500ms.txt",
     .view = V_TIMELINE,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = UTC_OPTS,
     .to = {.interval_ns = 500000000}},
    {.name = "info.txt",
     .view = V_INFO,
     .files = {ALPHA, ALPHA_KILLED},
     .nfiles = 2,
     .vo = UTC_OPTS},
    /* --explain: groups by diagnosis; NETFILTER_DROP's module stack, an unnamed reason 999. */
    {.name = "explain.txt", .view = V_EXPLAIN, .files = {ALPHA}, .nfiles = 1, .vo = UTC_OPTS},
    {.name = "explain-merge-relative.txt",
     .view = V_EXPLAIN,
     .files = {ALPHA, BETA},
     .nfiles = 2,
     .vo = {.time_fmt = RPT_TIME_RELATIVE, .utc = true}},
    {.name = "json-explain.txt",
     .view = V_JSON,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = {.utc = true, .no_stack = true},
     .explain = true},
    {.name = "csv-explain.txt",
     .view = V_CSV,
     .files = {ALPHA},
     .nfiles = 1,
     .vo = {.utc = true, .no_stack = true},
     .explain = true},
};

/*
 * A file whose every string is hostile (terminal escapes, newlines, quotes, commas, invalid
 * UTF-8) in the metadata, names, symbols, comm and ifname, and a drop with an impossible
 * family: no view may print a raw control character, and JSON/CSV must stay one line each.
 */
static void test_hostile_strings_all_views(void **state)
{
	static const struct tdf_kv meta[] = {
	    {TDF_META_HOST, "h\x1b]0;pwned\x07ost\n"},
	    {TDF_META_CMDLINE, "rm -rf /\r\n\x1b[2J"},
	    {TDF_META_KERNEL_RELEASE, "\xff\xfe\x9b"},
	};
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_\x1b[31mRED\n"}};
	static const struct tdf_name states[] = {{1, "EST\nAB\","}};
	static const struct tdf_ksym syms[] = {{0x10, "sym\x1b]0;t\x07"}, {0x20, "a,b\"c\nd"}};
	static const struct tdf_ksym msyms[] = {{0, "m\x7fod"}};
	static const struct tdf_kaddr frames[] = {{0, 0x15}, {1, 0x5}, {0, 0x25}};
	struct tdf_record recs[10];
	size_t n = 0, len, i, v;
	uint8_t *buf;

	(void)state;
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n].meta.count = 3;
	recs[n++].meta.kv = meta;
	recs[n].type = TDF_REC_REASONS;
	recs[n].names.count = 1;
	recs[n++].names.names = reasons;
	recs[n].type = TDF_REC_STATES;
	recs[n].names.count = 1;
	recs[n++].names.names = states;
	recs[n].type = TDF_REC_KMOD;
	recs[n].kmod.id = 1;
	recs[n++].kmod.name = "mod\n\x1b";
	recs[n].type = TDF_REC_KSYMS;
	recs[n].ksyms.mod = 0;
	recs[n].ksyms.count = 2;
	recs[n++].ksyms.syms = syms;
	recs[n].type = TDF_REC_KSYMS;
	recs[n].ksyms.mod = 1;
	recs[n].ksyms.count = 1;
	recs[n++].ksyms.syms = msyms;
	recs[n].type = TDF_REC_STACK;
	recs[n].stack.id = 1;
	recs[n].stack.depth = 3;
	recs[n++].stack.frames = frames;
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 1, 40);
	recs[n].drop.state = 1;
	recs[n].drop.location = frames[0];
	memset(recs[n].drop.comm, 0x1b, sizeof(recs[n].drop.comm));
	memcpy(recs[n].drop.ifname, "\n\r\t\"\\,\xff\x01\x02\x03\x04\x05\x06\x07\x08\x0b", 16);
	n++;
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 2, 0);
	recs[n].drop.family = 9; /* neither 4 nor 6 */
	n++;
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);

	for (v = 0; v <= V_EXPLAIN; v++) {
		struct rpt_file *f = rpt_file_open_mem(buf, len, "hostile\n\x1b.tdrop");
		struct rpt_view_opts vo = {.utc = true};
		struct rpt_summary_opts so = {0};
		struct rpt_timeline_opts to = {.by_reason = true};
		struct rpt_sink *sink = NULL;
		const char *bad;
		size_t badlen, out_len, lines = 0;
		char *out;
		FILE *m = open_memstream(&out, &out_len);

		assert_non_null(f);
		assert_non_null(m);
		switch ((enum view)v) {
		case V_TABLE:
			sink = rpt_table_open(m, &(struct rpt_view_cfg){.o = vo});
			break;
		case V_JSON:
			sink = rpt_json_open(m, &(struct rpt_view_cfg){.o = vo});
			break;
		case V_CSV:
			sink = rpt_csv_open(m, &(struct rpt_view_cfg){.o = vo});
			break;
		case V_SUMMARY:
			assert_int_equal(rpt_summary_parse_keys("reason,state,comm,ifname,location,"
								"stack,host,flow",
								&so, &bad, &badlen),
					 0);
			sink = rpt_summary_open(m, &(struct rpt_view_cfg){.o = vo, .summary = so});
			break;
		case V_TIMELINE:
			sink =
			    rpt_timeline_open(m, &(struct rpt_view_cfg){.o = vo, .timeline = to});
			break;
		case V_INFO:
			sink = rpt_info_open(m, &(struct rpt_view_cfg){.o = vo});
			break;
		case V_EXPLAIN:
			sink = rpt_explain_open(m, &(struct rpt_view_cfg){.o = vo});
			break;
		}
		assert_non_null(sink);
		assert_int_equal(rpt_run(&f, 1, sink, NULL), 0);
		rpt_sink_close(sink);
		rpt_file_close(f);
		assert_int_equal(fclose(m), 0);
		for (i = 0; i < out_len; i++) {
			unsigned char c = (unsigned char)out[i];

			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				fail_msg("view %zu: raw control byte 0x%02x at %zu:\n%s", v, c, i,
					 out);
			lines += c == '\n';
		}
		/* One line per drop (JSON), header + one per drop (CSV): no embedded newlines. */
		if (v == V_JSON)
			assert_int_equal(lines, 2);
		if (v == V_CSV)
			assert_int_equal(lines, 3);
		if (v == V_TABLE)
			assert_non_null(strstr(out, "\\x1b\\x1b\\x1b\\x1b"));
		free(out);
	}
	free(buf);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 1];
	size_t i;

	samples[ALPHA] = rptsample_alpha(true, &sample_len[ALPHA]);
	samples[ALPHA_KILLED] = rptsample_alpha(false, &sample_len[ALPHA_KILLED]);
	samples[BETA] = rptsample_beta(&sample_len[BETA]);
	for (i = 0; i < NSAMPLES; i++)
		if (!samples[i]) {
			fprintf(stderr, "test_views: cannot build the samples\n");
			return 1;
		}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&tests[i], 0, sizeof(tests[i]));
		tests[i].name = cases[i].name;
		tests[i].test_func = check_golden;
		tests[i].initial_state = (void *)&cases[i];
	}
	memset(&tests[i], 0, sizeof(tests[i]));
	tests[i].name = "hostile_strings_all_views";
	tests[i].test_func = test_hostile_strings_all_views;
	i = (size_t)_cmocka_run_group_tests("views", tests, i + 1, NULL, NULL);
	for (int s = 0; s < NSAMPLES; s++)
		free(samples[s]);
	return (int)i;
}
