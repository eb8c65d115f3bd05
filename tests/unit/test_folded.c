// SPDX-License-Identifier: BSD-2-Clause
/* test_folded: the folded-stack view (flame graph input): goldens, counts, frames, order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../report/flame.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"
#include "../lib/tdftest.h"

/*
 * Golden files tests/data/golden/folded-*.txt, compared byte for byte; UPDATE_GOLDEN=1
 * rewrites them (review the diff). Found from $TCPDROP_TOP, else the current directory.
 */

static char *render(uint8_t *const *bufs, const size_t *lens, size_t n,
		    const struct rpt_view_cfg *cfg, size_t *out_len)
{
	struct rpt_file *files[4];
	struct rpt_sink *sink;
	char *out = NULL;
	FILE *m = open_memstream(&out, out_len);
	size_t i;

	assert_non_null(m);
	assert_true(n <= 4);
	for (i = 0; i < n; i++) {
		files[i] = rpt_file_open_mem(bufs[i], lens[i], i ? "beta.tdrop" : "alpha.tdrop");
		assert_non_null(files[i]);
	}
	sink = rpt_folded_open(m, cfg);
	assert_non_null(sink);
	assert_int_equal(rpt_run(files, n, sink, NULL), 0);
	rpt_sink_close(sink);
	for (i = 0; i < n; i++)
		rpt_file_close(files[i]);
	assert_int_equal(fclose(m), 0);
	return out;
}

/* Every line is "path COUNT" with COUNT >= 1; returns the sum of the counts. */
static uint64_t sum_counts(const char *out, size_t len, size_t *lines)
{
	const char *p = out, *end = out + len;
	uint64_t sum = 0;

	*lines = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		char *e;
		unsigned long long v;

		assert_non_null(nl);
		for (sp = nl; sp > p && sp[-1] != ' '; sp--)
			;
		assert_true(sp > p + 1); /* a path before the space */
		v = strtoull(sp, &e, 10);
		assert_ptr_equal(e, nl);
		assert_true(v >= 1);
		for (const char *c = p; c < nl; c++)
			assert_false((unsigned char)*c < 0x20 || *c == 0x7f);
		sum += v;
		++*lines;
		p = nl + 1;
	}
	return sum;
}

static const char *golden_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("TCPDROP_TOP");

	snprintf(path, sizeof(path), "%s/tests/data/golden/%s", top && *top ? top : ".", name);
	return path;
}

static void check_golden(const char *name, const char *got, size_t got_len)
{
	const char *path = golden_path(name), *update = getenv("UPDATE_GOLDEN");
	char *want = NULL;
	size_t want_len = 0, cap = 0, n;
	FILE *f;

	if (update && strcmp(update, "1") == 0) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(got, 1, got_len, f), got_len);
		assert_int_equal(fclose(f), 0);
		return;
	}
	f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: %s (run from the top of the tree or set TCPDROP_TOP)", path,
			 strerror(errno));
	do {
		if (want_len + 4096 > cap) {
			cap = cap ? 2 * cap : 8192;
			want = realloc(want, cap);
			assert_non_null(want);
		}
		n = fread(want + want_len, 1, cap - want_len, f);
		want_len += n;
	} while (n > 0);
	fclose(f);
	if (got_len != want_len || memcmp(got, want, got_len) != 0)
		fail_msg("%s differs from its golden file (UPDATE_GOLDEN=1 to regenerate):\n"
			 "---- got:\n%.*s---- want:\n%.*s----",
			 name, (int)got_len, got, (int)want_len, want);
	free(want);
}

struct gcase {
	const char *name;
	bool with_beta;
	struct rpt_view_cfg cfg;
};

static const struct gcase cases[] = {
    {"folded-reason.txt", false, {.folded_root = RPT_FOLDED_ROOT_REASON}},
    {"folded-none-nostack.txt",
     false,
     {.folded_root = RPT_FOLDED_ROOT_NONE, .o = {.no_stack = true}}},
    {"folded-owner.txt", false, {.folded_root = RPT_FOLDED_ROOT_OWNER}},
    /* Two hosts, the same stack ids naming other functions: paths stay apart by text. */
    {"folded-netns-merge.txt", true, {.folded_root = RPT_FOLDED_ROOT_NETNS}},
};

static void test_goldens(void **state)
{
	size_t lens[2], len, lines, i;
	uint8_t *bufs[2];

	(void)state;
	bufs[0] = rptsample_alpha(true, &lens[0]);
	bufs[1] = rptsample_beta(&lens[1]);
	assert_non_null(bufs[0]);
	assert_non_null(bufs[1]);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = render(bufs, lens, cases[i].with_beta ? 2 : 1, &cases[i].cfg, &len);

		/* The counts add up to the drops, whatever the root. */
		assert_int_equal(sum_counts(out, len, &lines),
				 RPTSAMPLE_ALPHA_DROPS +
				     (cases[i].with_beta ? RPTSAMPLE_BETA_DROPS : 0));
		check_golden(cases[i].name, out, len);
		free(out);
	}
	free(bufs[0]);
	free(bufs[1]);
}

/*
 * A hand-made file: the tracing machinery's frames (bpf_prog_*, bpf_trace_run*) innermost,
 * a symbol with a ';' that must not split its frame, a stack that is machinery only (its
 * drops fall back to their location), and paths whose byte order differs from their frame
 * order: bytewise "outer+0x1" < "outer+0x10;..." < "outer+0x1;inner", which would part a
 * frame from its own children; frame by frame "outer+0x1" is followed by its extensions.
 */
static void test_frames_and_order(void **state)
{
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NO_SOCKET"},
						  {3, "SKB_DROP_REASON_TCP_CSUM"}};
	static const struct tdf_ksym syms[] = {{0x1000, "bpf_trace_run4"}, {0x2000, "semi;colon"},
					       {0x3000, "outer"},	   {0x4000, "inner"},
					       {0x5000, "outerx"},	   {0x6000, "leaf"}};
	static const struct tdf_ksym bpfsyms[] = {{0, "bpf_prog_0123456789abcdef_tcpdrop"}};
	/* innermost first, as bpf_get_stack gives them */
	static const struct tdf_kaddr s1[] = {{2, 0x10}, {0, 0x1010}, {0, 0x2010}, {0, 0x3000}};
	static const struct tdf_kaddr s2[] = {{0, 0x4000}, {0, 0x3001}};
	static const struct tdf_kaddr s3[] = {{0, 0x6000}, {0, 0x3010}};
	static const struct tdf_kaddr s4[] = {{0, 0x6000}, {0, 0x5000}};
	static const struct tdf_kaddr s5[] = {{2, 0x20}, {0, 0x1020}};
	struct tdf_record recs[32];
	size_t n = 0, len, out_len, lines;
	struct rpt_view_cfg cfg = {0};
	uint8_t *buf;
	char *out;

	(void)state;
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){2, reasons};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){2, "bpf"};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 6, syms};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){2, 1, bpfsyms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 4, s1};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){2, 2, s2};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){3, 2, s3};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){4, 2, s4};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){5, 2, s5};
	/* stacks 4, 2, 1, 3, 1, 5, 5, none: not in path order */
	static const uint32_t ids[] = {4, 2, 1, 3, 1, 5, 5, 0};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		recs[n].type = TDF_REC_DROP;
		tdftest_drop(&recs[n].drop, i + 1, 40);
		recs[n].drop.stack_id = ids[i];
		recs[n].drop.reason = i == 0 ? 3 : 2;
		recs[n].drop.location = (struct tdf_kaddr){0, i == 6   ? 0x4004u
							      : i == 7 ? 0x3001u
								       : 0x6006u};
		n++;
	}
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);
	out = render(&buf, &len, 1, &cfg, &out_len);
	assert_int_equal(sum_counts(out, out_len, &lines), 8);
	assert_string_equal(out,
			    /* the ';' kept inside its frame; bpf_prog_ and bpf_trace_run4 gone */
			    "NO_SOCKET;inner+0x4 1\n"
			    "NO_SOCKET;leaf+0x6 1\n"
			    "NO_SOCKET;outer+0x0;semi\\x3bcolon+0x10 2\n"
			    "NO_SOCKET;outer+0x1 1\n"
			    "NO_SOCKET;outer+0x1;inner+0x0 1\n"
			    "NO_SOCKET;outer+0x10;leaf+0x0 1\n"
			    "TCP_CSUM;outerx+0x0;leaf+0x0 1\n");
	free(out);
	free(buf);
}

/* rpt_flame_frame_len: up to the separator or the end (a zero-length frame is 0). */
static void test_frame_len(void **state)
{
	(void)state;
	assert_int_equal(rpt_flame_frame_len("a;b", 3), 1);
	assert_int_equal(rpt_flame_frame_len("abc", 3), 3);
	assert_int_equal(rpt_flame_frame_len(";", 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_goldens),
	    cmocka_unit_test(test_frames_and_order),
	    cmocka_unit_test(test_frame_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
