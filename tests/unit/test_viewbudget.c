// SPDX-License-Identifier: BSD-2-Clause
/* test_viewbudget: the folded, explain and html views' maps past the views' memory budget. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/budget.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/tdftest.h"

#define DROPS 3000u /* far past a 64 KiB budget in every view: a key or more per drop */

static uint8_t *file_buf;
static size_t file_len;

/* DROPS drops, each with its own source, unknown reason code, netns and drop location. */
static int setup(void **state)
{
	static const struct tdf_kv kv[] = {{TDF_META_HOST, "crafted"}};
	struct tdf_record *recs = calloc(DROPS + 1, sizeof(*recs));

	(void)state;
	if (!recs)
		return -1;
	recs[0].type = TDF_REC_META;
	recs[0].meta = (struct tdf_meta){1, kv};
	for (uint32_t i = 1; i <= DROPS; i++) {
		struct tdf_drop *d = &recs[i].drop;

		recs[i].type = TDF_REC_DROP;
		tdftest_drop(d, i, 40);
		d->stack_id = 0;
		d->saddr[2] = (uint8_t)(i >> 8);
		d->saddr[3] = (uint8_t)i;
		d->sport = (uint16_t)(i * 7);
		d->reason = 0x10000 + i;
		d->netns = i;
		d->location.off = 0x1000 + 16 * i;
	}
	file_buf = tdftest_write(recs, DROPS + 1, NULL, true, &file_len);
	free(recs);
	return file_buf ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(file_buf);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	rpt_budget_set_limit(RPT_POOL_VIEWS, 0);
	return 0;
}

/* The view's output for the file at a views' budget of limit (0: the default). */
static char *render(rpt_view_open_fn *open_view, const struct rpt_view_cfg *cfg, size_t limit,
		    size_t *out_len)
{
	struct rpt_file *f;
	struct rpt_sink *sink;
	char *out = NULL;
	FILE *m = open_memstream(&out, out_len);

	assert_non_null(m);
	rpt_budget_set_limit(RPT_POOL_VIEWS, limit);
	f = rpt_file_open_mem(file_buf, file_len, "crafted.tdrop");
	assert_non_null(f);
	sink = open_view(m, cfg);
	assert_non_null(sink);
	assert_int_equal(rpt_run(&f, 1, sink, NULL), 0);
	if (limit)
		assert_true(rpt_budget_used(RPT_POOL_VIEWS) <= limit);
	rpt_sink_close(sink);
	assert_int_equal(rpt_budget_used(RPT_POOL_VIEWS), 0); /* all given back */
	rpt_file_close(f);
	assert_int_equal(fclose(m), 0);
	rpt_budget_set_limit(RPT_POOL_VIEWS, 0);
	return out;
}

/* The count of the folded line "(other) N", 0 if none; the sum of all lines' counts. */
static uint64_t folded_sum(const char *out, uint64_t *other)
{
	const char *p = out, *nl;
	uint64_t sum = 0;

	*other = 0;
	for (; (nl = strchr(p, '\n')); p = nl + 1) {
		const char *sp = nl;
		uint64_t v;

		while (sp > p && sp[-1] != ' ')
			sp--;
		assert_true(sp > p);
		v = strtoull(sp, NULL, 10);
		if ((size_t)(sp - 1 - p) == strlen("(other)") && !memcmp(p, "(other)", 7))
			*other = v;
		sum += v;
	}
	return sum;
}

/* Past the budget: one "(other) N" line, the counts still sum to every drop. */
static void test_folded(void **state)
{
	uint64_t other, sum;
	size_t len;
	char *out;

	(void)state;
	out = render(rpt_folded_open, NULL, 0, &len);
	sum = folded_sum(out, &other);
	assert_int_equal(sum, DROPS);
	assert_int_equal(other, 0); /* the default budget holds all */
	free(out);

	out = render(rpt_folded_open, NULL, 64u << 10, &len);
	sum = folded_sum(out, &other);
	assert_int_equal(sum, DROPS);
	assert_true(other > 0 && other < DROPS);
	free(out);

	/* nothing fits at all (a budget of one byte): every drop in "(other)" */
	out = render(rpt_folded_open, NULL, 1, &len);
	assert_string_equal(out, "(other) 3000\n");
	free(out);
}

/* The sum of every group's count (lines "NAME (...): N drop..." and "(other): N drops"). */
static uint64_t explain_sum(const char *out, uint64_t *other, uint64_t *groups)
{
	const char *p = out, *nl;
	uint64_t sum = 0;

	*other = *groups = 0;
	for (; (nl = strchr(p, '\n')); p = nl + 1) {
		const char *c = memchr(p, ':', (size_t)(nl - p));
		char *e;
		uint64_t v;

		if (p[0] == ' ' || !c || c == p || c[-1] != ')')
			continue;
		v = strtoull(c + 2, &e, 10);
		assert_true(strncmp(e, " drop", 5) == 0);
		if (!strncmp(p, "(other): ", 9)) {
			assert_true(strncmp(e, " drops in groups past the memory budget\n", 41) ==
				    0);
			*other = v;
		} else {
			++*groups;
		}
		sum += v;
	}
	return sum;
}

static void test_explain(void **state)
{
	uint64_t other, groups;
	char head[128];
	size_t len;
	char *out;

	(void)state;
	out = render(rpt_explain_open, NULL, 0, &len);
	assert_int_equal(explain_sum(out, &other, &groups), DROPS);
	assert_int_equal(other, 0);
	assert_null(strstr(out, "(other)"));
	free(out);

	out = render(rpt_explain_open, NULL, 64u << 10, &len);
	assert_int_equal(explain_sum(out, &other, &groups), DROPS);
	assert_true(other > 0 && groups > 0);
	snprintf(head, sizeof(head), "3000 drops in %" PRIu64 " groups ", groups);
	assert_true(strncmp(out, head, strlen(head)) == 0); /* the total counts the folded */
	free(out);
}

/* The number after needle in out, which must hold it. */
static uint64_t number_after(const char *out, const char *needle)
{
	const char *p = strstr(out, needle);

	assert_non_null(p);
	return strtoull(p + strlen(needle), NULL, 10);
}

static void test_html(void **state)
{
	size_t len;
	char *out;

	(void)state;
	out = render(rpt_html_open, NULL, 0, &len);
	assert_null(strstr(out, "(other)"));
	assert_null(strstr(out, "flame-folded"));
	free(out);

	out = render(rpt_html_open, NULL, 64u << 10, &len);
	assert_int_equal(number_after(out, "data-total=\""), DROPS);
	/* the page says how much it folded: in the flame graph, the reasons, the top lists */
	assert_true(number_after(out, "<p class=\"note\" id=\"flame-folded\">") > 0);
	assert_non_null(strstr(out, "(other)</code>"));
	assert_non_null(strstr(out, "reasons past the memory budget, counted together"));
	assert_non_null(strstr(out, "<tr class=\"folded\"><td>(other): past the memory budget"));
	assert_true(strstr(out, "</html>\n") == out + len - 8);
	free(out);

	/* nothing fits at all: one folded box, one folded row per list, the page whole */
	out = render(rpt_html_open, NULL, 1, &len);
	assert_int_equal(number_after(out, "<p class=\"note\" id=\"flame-folded\">"), DROPS);
	assert_int_equal(
	    number_after(out, "<tr class=\"folded\"><td>(other): past the memory budget</td>"
			      "<td class=\"n\">"),
	    DROPS);
	assert_true(strstr(out, "</html>\n") == out + len - 8);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_folded, reset),
	    cmocka_unit_test_teardown(test_explain, reset),
	    cmocka_unit_test_teardown(test_html, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
