// SPDX-License-Identifier: BSD-2-Clause
/* test_textcache: the views' cache of rendered stacks (hits, generations, budget) and that
 * cached views follow stacks and symbols that change in the middle of a file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/lbuf.h"
#include "../../report/rpt.h"
#include "../../report/textcache.h"
#include "../../report/views.h"
#include "../lib/tdftest.h"

static void test_hit_miss_generation(void **state)
{
	struct rpt_textcache *c = rpt_textcache_new(1u << 20);
	int file_a, file_b;
	const char *t;
	size_t len = 0;

	(void)state;
	assert_non_null(c);
	assert_null(rpt_textcache_get(c, &file_a, RPT_TC_STACK, 1, 0, &len));
	assert_int_equal(rpt_textcache_put(c, &file_a, RPT_TC_STACK, 1, 0, "abc\n", 4), 0);
	t = rpt_textcache_get(c, &file_a, RPT_TC_STACK, 1, 0, &len);
	assert_non_null(t);
	assert_int_equal(len, 4);
	assert_memory_equal(t, "abc\n", 4);
	/* Another file, kind, key or generation is a miss. */
	assert_null(rpt_textcache_get(c, &file_b, RPT_TC_STACK, 1, 0, &len));
	assert_null(rpt_textcache_get(c, &file_a, RPT_TC_ADDR, 1, 0, &len));
	assert_null(rpt_textcache_get(c, &file_a, RPT_TC_STACK, 2, 0, &len));
	assert_null(rpt_textcache_get(c, &file_a, RPT_TC_STACK, 1, 1, &len));
	/* A newer generation replaces the text in place. */
	assert_int_equal(rpt_textcache_put(c, &file_a, RPT_TC_STACK, 1, 1, "xy", 2), 0);
	assert_int_equal(rpt_textcache_count(c), 1);
	t = rpt_textcache_get(c, &file_a, RPT_TC_STACK, 1, 1, &len);
	assert_non_null(t);
	assert_int_equal(len, 2);
	assert_memory_equal(t, "xy", 2);
	assert_null(rpt_textcache_get(c, &file_a, RPT_TC_STACK, 1, 0, &len));
	/* Empty text is a valid entry. */
	assert_int_equal(rpt_textcache_put(c, &file_b, RPT_TC_ADDR, 7, 3, "", 0), 0);
	assert_non_null(rpt_textcache_get(c, &file_b, RPT_TC_ADDR, 7, 3, &len));
	assert_int_equal(len, 0);
	rpt_textcache_free(c);
	rpt_textcache_free(NULL);
}

static void test_budget_bounds_memory(void **state)
{
	const size_t budget = 64u << 10;
	struct rpt_textcache *c = rpt_textcache_new(budget);
	char text[300];
	size_t len, max_bytes = 0, hits = 0;
	uint64_t k;
	int file;

	(void)state;
	assert_non_null(c);
	memset(text, 'f', sizeof(text));
	/* Text larger than the whole budget is refused and nothing kept. */
	{
		char *big = calloc(1, budget + 1);

		assert_non_null(big);
		assert_int_equal(rpt_textcache_put(c, &file, RPT_TC_STACK, 1, 0, big, budget + 1),
				 -E2BIG);
		free(big);
		assert_int_equal(rpt_textcache_count(c), 0);
	}
	/* A hostile file defining very many stacks: the cache never holds more than its budget. */
	for (k = 1; k <= 100000; k++) {
		text[0] = (char)('a' + k % 26);
		assert_int_equal(
		    rpt_textcache_put(c, &file, RPT_TC_STACK, k, 0, text, sizeof(text)), 0);
		assert_true(rpt_textcache_bytes(c) <= budget);
		if (rpt_textcache_bytes(c) > max_bytes)
			max_bytes = rpt_textcache_bytes(c);
		/* What was just put is there and is the right text. */
		assert_non_null(rpt_textcache_get(c, &file, RPT_TC_STACK, k, 0, &len));
		assert_int_equal(len, sizeof(text));
	}
	assert_true(max_bytes > budget / 2); /* it did fill up before clearing */
	assert_true(rpt_textcache_count(c) * sizeof(text) <= budget);
	for (k = 1; k <= 100000; k++)
		if (rpt_textcache_get(c, &file, RPT_TC_STACK, k, 0, &len)) {
			assert_int_equal(len, sizeof(text));
			hits++;
		}
	assert_int_equal(hits, rpt_textcache_count(c));
	rpt_textcache_free(c);
}

/*
 * One file whose stack 1 is redefined and whose symbols grow between drops: every view must
 * show each drop with what the file said up to it, never a stale rendering.
 */
static uint8_t *changing_file(size_t *len)
{
	static const struct tdf_kv kv[] = {{TDF_META_HOST, "h"}};
	static const struct tdf_ksym syms1[] = {{0x100, "alpha_fn"}, {0x200, "beta_fn"}};
	static const struct tdf_ksym syms2[] = {{0x180, "gamma_fn"}};
	static const struct tdf_kaddr fr1[] = {{0, 0x110}, {0, 0x210}};
	static const struct tdf_kaddr fr2[] = {{0, 0x120}};
	struct tdf_record recs[16];
	size_t n = 0;

	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){1, kv};
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = (struct tdf_clock){5, 1700000000000000000ull};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms1};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 2, fr1};
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 1, 0);
	recs[n].drop.stack_id = 1;
	recs[n++].drop.location = (struct tdf_kaddr){0, 0x210};
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 2, 0);
	recs[n].drop.stack_id = 1;
	recs[n++].drop.location = (struct tdf_kaddr){0, 0x210};
	recs[n].type = TDF_REC_STACK; /* id 1 again, other frames */
	recs[n++].stack = (struct tdf_stack){1, 1, fr2};
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 3, 0);
	recs[n].drop.stack_id = 1;
	recs[n++].drop.location = (struct tdf_kaddr){0, 0x210};
	recs[n].type = TDF_REC_KSYMS; /* a late symbol between alpha_fn and beta_fn */
	recs[n++].ksyms = (struct tdf_ksyms){0, 1, syms2};
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 4, 0);
	recs[n].drop.stack_id = 1;
	recs[n++].drop.location = (struct tdf_kaddr){0, 0x190};
	return tdftest_write(recs, n, NULL, true, len);
}

static char *render(const uint8_t *buf, size_t len, int view)
{
	struct rpt_view_opts o = {.utc = true};
	struct rpt_summary_opts so = {.keys = {RPT_KEY_STACK, RPT_KEY_LOCATION}, .nkeys = 2};
	struct rpt_file *f = rpt_file_open_mem(buf, len, "changing");
	struct rpt_sink *sink;
	char *out = NULL;
	size_t out_len;
	FILE *m;

	assert_non_null(f);
	m = open_memstream(&out, &out_len);
	assert_non_null(m);
	sink = view == 0   ? rpt_table_open(m, &(struct rpt_view_cfg){.o = o})
	       : view == 1 ? rpt_json_open(m, &(struct rpt_view_cfg){.o = o})
			   : rpt_summary_open(m, &(struct rpt_view_cfg){.o = o, .summary = so});
	assert_non_null(sink);
	assert_int_equal(rpt_run(&f, 1, sink, NULL), 0);
	rpt_sink_close(sink);
	fclose(m);
	rpt_file_close(f);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_views_follow_changes(void **state)
{
	size_t len;
	uint8_t *buf = changing_file(&len);
	char *table, *json, *sum;

	(void)state;
	assert_non_null(buf);
	table = render(buf, len, 0);
	/* Drops 1 and 2: the first definition; drop 3: the redefinition; drop 4: gamma_fn. */
	assert_int_equal(count(table, "\talpha_fn+0x10\n\tbeta_fn+0x10\n"), 2);
	assert_int_equal(count(table, "\talpha_fn+0x20\n"), 2);
	assert_int_equal(count(table, "\tbeta_fn+0x10\n"), 2);
	json = render(buf, len, 1);
	assert_int_equal(count(json, "\"stack\":[\"alpha_fn+0x10\",\"beta_fn+0x10\"]"), 2);
	assert_int_equal(count(json, "\"stack\":[\"alpha_fn+0x20\"]"), 2);
	assert_int_equal(count(json, "\"location\":\"beta_fn+0x10\""), 3);
	assert_int_equal(count(json, "\"location\":\"gamma_fn+0x10\""), 1);
	sum = render(buf, len, 2);
	assert_int_equal(count(sum, "2   50.0%  beta_fn+0x10\n\talpha_fn+0x10\n\tbeta_fn+0x10\n"),
			 1);
	assert_int_equal(count(sum, "1   25.0%  beta_fn+0x10\n\talpha_fn+0x20\n"), 1);
	assert_int_equal(count(sum, "1   25.0%  gamma_fn+0x10\n\talpha_fn+0x20\n"), 1);
	free(table);
	free(json);
	free(sum);
	free(buf);
}

/* The line buffer's hand-made numbers agree with printf, and overflow is reported. */
static void test_lbuf(void **state)
{
	static const uint64_t vals[] = {
	    0, 1, 9, 10, 99, 100, 101, 4294967295u, 4294967296u, 1795900001000001570u, UINT64_MAX};
	char mem[64], want[64];
	struct rpt_lbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		rpt_lbuf_init(&b, mem, sizeof(mem));
		rpt_lbuf_u64(&b, vals[i]);
		snprintf(want, sizeof(want), "%llu", (unsigned long long)vals[i]);
		assert_int_equal(b.len, strlen(want));
		assert_memory_equal(mem, want, b.len);
	}
	for (uint64_t v = 0; v < 100000; v += 7) {
		rpt_lbuf_init(&b, mem, sizeof(mem));
		rpt_lbuf_u64(&b, v);
		rpt_lbuf_chr(&b, '\0');
		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		assert_string_equal(mem, want);
	}
	rpt_lbuf_init(&b, mem, sizeof(mem));
	rpt_lbuf_padded(&b, "ab", 5);
	rpt_lbuf_padded(&b, "toolong", 3);
	rpt_lbuf_chr(&b, '|');
	assert_int_equal(b.len, 13);
	assert_memory_equal(mem, "ab   toolong|", 13);
	rpt_lbuf_init(&b, mem, 4);
	rpt_lbuf_str(&b, "abcdef");
	assert_true(b.over);
	assert_int_equal(rpt_lbuf_flush(&b, stdout), -E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hit_miss_generation),
	    cmocka_unit_test(test_budget_bounds_memory),
	    cmocka_unit_test(test_views_follow_changes),
	    cmocka_unit_test(test_lbuf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
