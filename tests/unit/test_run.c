// SPDX-License-Identifier: BSD-2-Clause
/* test_run: merging files by wall clock, damage reported and skipped, unreadable files, -c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"

#define EV_MAX 64

/* Every event a sink saw, in order. */
struct seen {
	size_t nbegin, nfinish;
	struct rpt_begin begin;
	struct {
		char kind; /* 'd'rop, 'l'oss, 'p'roblem */
		char host[16];
		uint64_t seq, real_ns, count, offset;
		uint32_t type;
	} ev[EV_MAX];
	size_t n;
	size_t callbacks; /* on_problem calls */
};

static int s_begin(void *ctx, const struct rpt_begin *b)
{
	struct seen *s = ctx;

	s->nbegin++;
	s->begin = *b;
	return 0;
}

static int s_drop(void *ctx, const struct rpt_drop *d)
{
	struct seen *s = ctx;

	assert_true(s->n < EV_MAX);
	s->ev[s->n].kind = 'd';
	snprintf(s->ev[s->n].host, sizeof(s->ev[s->n].host), "%s", d->host);
	s->ev[s->n].seq = d->d->seq_no;
	s->ev[s->n].real_ns = d->real_ns;
	s->ev[s->n].count = d->lost_before;
	s->n++;
	return 0;
}

static int s_loss(void *ctx, const struct rpt_loss *l)
{
	struct seen *s = ctx;

	assert_true(s->n < EV_MAX);
	s->ev[s->n].kind = 'l';
	snprintf(s->ev[s->n].host, sizeof(s->ev[s->n].host), "%s", l->host);
	s->ev[s->n].real_ns = l->from_real_ns;
	s->ev[s->n].count = l->count;
	s->ev[s->n].type = l->kind;
	s->n++;
	return 0;
}

static int s_problem(void *ctx, const struct rpt_file *f, uint32_t type,
		     const struct tdf_problem *p)
{
	struct seen *s = ctx;

	(void)f;
	assert_true(s->n < EV_MAX);
	assert_int_equal(s->nbegin, 1); /* begin comes first, even for damage met while priming */
	s->ev[s->n].kind = 'p';
	s->ev[s->n].type = type;
	s->ev[s->n].offset = p->offset;
	s->n++;
	return 0;
}

static int s_finish(void *ctx)
{
	((struct seen *)ctx)->nfinish++;
	return 0;
}

static const struct rpt_sink_ops seen_ops = {
    .begin = s_begin,
    .drop = s_drop,
    .loss = s_loss,
    .problem = s_problem,
    .finish = s_finish,
};

static void on_problem(void *arg, const struct rpt_file *f, uint32_t type,
		       const struct tdf_problem *p)
{
	(void)f;
	(void)type;
	(void)p;
	((struct seen *)arg)->callbacks++;
}

static int run(const uint8_t *const *bufs, const size_t *lens, size_t n, uint64_t max,
	       struct seen *s)
{
	struct rpt_file *files[4];
	struct rpt_sink sink = {&seen_ops, s};
	struct rpt_run_opts ro = {.max_drops = max, .on_problem = on_problem, .arg = s};
	size_t i;
	int rc;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		files[i] = rpt_file_open_mem(bufs[i], lens[i], "f");
		assert_non_null(files[i]);
	}
	rc = rpt_run(files, n, &sink, &ro);
	for (i = 0; i < n; i++)
		rpt_file_close(files[i]);
	return rc;
}

static void test_merge_two_hosts(void **state)
{
	size_t lens[2];
	uint8_t *bufs[2];
	struct seen s;
	size_t i, ndrops = 0;
	/* alpha 1 (1.0 s), beta 1 (1.25), alpha 2 (1.5), alpha 3 (2.2), losses (2.5), beta 2
	 * (3.0)... */
	static const char order[][8] = {"alpha1", "beta1", "alpha2", "alpha3", "alpha0",
					"alpha0", "beta2", "alpha4", "alpha5", "alpha6"};

	(void)state;
	bufs[0] = rptsample_alpha(true, &lens[0]);
	bufs[1] = rptsample_beta(&lens[1]);
	assert_int_equal(run((const uint8_t *const *)bufs, lens, 2, 0, &s), 0);
	assert_int_equal(s.nbegin, 1);
	assert_int_equal(s.nfinish, 1);
	assert_int_equal(s.begin.nfiles, 2);
	assert_int_equal(s.begin.nhosts, 2);
	assert_int_equal(s.begin.start_real_ns, RPTSAMPLE_START_NS);
	assert_int_equal(s.n, sizeof(order) / sizeof(order[0]));
	for (i = 0; i < s.n; i++) {
		char got[24];

		snprintf(got, sizeof(got), "%s%u", s.ev[i].host,
			 s.ev[i].kind == 'd' ? (unsigned)s.ev[i].seq : 0);
		assert_string_equal(got, order[i]);
		if (i)
			assert_true(s.ev[i].real_ns >= s.ev[i - 1].real_ns);
		ndrops += s.ev[i].kind == 'd';
	}
	assert_int_equal(ndrops, RPTSAMPLE_ALPHA_DROPS + RPTSAMPLE_BETA_DROPS);
	/* The drop after the ring-buffer loss carries its count. */
	assert_int_equal(s.ev[7].count, 7);
	free(bufs[0]);
	free(bufs[1]);
}

static void test_count_limit(void **state)
{
	size_t len;
	uint8_t *buf = rptsample_alpha(true, &len);
	struct seen s;

	(void)state;
	assert_int_equal(run((const uint8_t *const *)&buf, &len, 1, 3, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.ev[2].seq, 3);
	assert_int_equal(s.nfinish, 1);
	free(buf);
}

/* Offset of the n-th block (0 = first) of a trace file, found by its sync bytes. */
static size_t block_offset(const uint8_t *buf, size_t len, int n)
{
	size_t i;

	for (i = 16; i + 4 <= len; i++)
		if (memcmp(buf + i, "TDBK", 4) == 0 && n-- == 0)
			return i;
	fail_msg("block not found");
	return 0;
}

static void test_corrupt_chunk_reported_rest_shown(void **state)
{
	size_t len, off, i, drops = 0, problems = 0;
	uint8_t *buf = rptsample_alpha(true, &len);
	struct seen s;

	(void)state;
	off = block_offset(buf, len, 1);
	buf[off + 40] ^= 0x55; /* inside the second chunk's payload: its CRC fails */
	assert_int_equal(run((const uint8_t *const *)&buf, &len, 1, 0, &s), 0);
	for (i = 0; i < s.n; i++) {
		if (s.ev[i].kind == 'p') {
			problems++;
			assert_int_equal(s.ev[i].type, TDF_EV_CORRUPT);
			assert_int_equal(s.ev[i].offset, off);
		}
		drops += s.ev[i].kind == 'd';
	}
	assert_int_equal(problems, 1);
	assert_int_equal(s.callbacks, 1);
	assert_true(drops > 0 && drops < RPTSAMPLE_ALPHA_DROPS);
	free(buf);
}

/* The first chunk (metadata) damaged: reported after begin, later drops still shown. */
static void test_first_chunk_corrupt(void **state)
{
	size_t len, off, i, drops = 0, problems = 0;
	uint8_t *buf = rptsample_alpha(true, &len);
	struct seen s;

	(void)state;
	off = block_offset(buf, len, 0);
	buf[off + 40] ^= 0x55;
	assert_int_equal(run((const uint8_t *const *)&buf, &len, 1, 0, &s), 0);
	for (i = 0; i < s.n; i++) {
		problems += s.ev[i].kind == 'p';
		drops += s.ev[i].kind == 'd';
	}
	assert_int_equal(s.ev[0].kind, 'p');
	assert_int_equal(s.ev[0].offset, off);
	assert_int_equal(problems, 1);
	assert_true(drops > 0);
	free(buf);
}

static void test_truncated_reported(void **state)
{
	size_t len, i, drops = 0, truncated = 0;
	uint8_t *buf = rptsample_alpha(false, &len);
	struct seen s;

	(void)state;
	len -= 10; /* cut inside the last chunk */
	assert_int_equal(run((const uint8_t *const *)&buf, &len, 1, 0, &s), 0);
	for (i = 0; i < s.n; i++) {
		truncated += s.ev[i].kind == 'p' && s.ev[i].type == TDF_EV_TRUNCATED;
		drops += s.ev[i].kind == 'd';
	}
	assert_int_equal(truncated, 1);
	assert_true(drops > 0 && drops < RPTSAMPLE_ALPHA_DROPS);
	free(buf);
}

/* A file that is not a trace file fails the run, but the good one is still shown. */
static void test_bad_file_does_not_hide_good_one(void **state)
{
	static const uint8_t junk[64] = "definitely not a tcpdrop trace file";
	size_t lens[2];
	const uint8_t *bufs[2];
	uint8_t *alpha;
	struct seen s;
	size_t i, drops = 0;

	(void)state;
	alpha = rptsample_alpha(true, &lens[0]);
	bufs[0] = alpha;
	bufs[1] = junk;
	lens[1] = sizeof(junk);
	assert_true(run(bufs, lens, 2, 0, &s) < 0);
	for (i = 0; i < s.n; i++)
		drops += s.ev[i].kind == 'd';
	assert_int_equal(drops, RPTSAMPLE_ALPHA_DROPS);
	free(alpha);
}

/* No input is a trace: the run fails before the sink begins, so a view prints no header. */
static void test_only_bad_file_begins_nothing(void **state)
{
	static const uint8_t junk[64] = "root:x:0:0:root:/root:/bin/bash";
	size_t len = sizeof(junk);
	const uint8_t *buf = junk;
	struct seen s;

	(void)state;
	assert_true(run(&buf, &len, 1, 0, &s) < 0);
	assert_int_equal(s.nbegin, 0);
	assert_int_equal(s.nfinish, 0);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_two_hosts),
	    cmocka_unit_test(test_count_limit),
	    cmocka_unit_test(test_corrupt_chunk_reported_rest_shown),
	    cmocka_unit_test(test_first_chunk_corrupt),
	    cmocka_unit_test(test_truncated_reported),
	    cmocka_unit_test(test_bad_file_does_not_hide_good_one),
	    cmocka_unit_test(test_only_bad_file_begins_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
