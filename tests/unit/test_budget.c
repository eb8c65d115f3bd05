// SPDX-License-Identifier: BSD-2-Clause
/* test_budget: every per-file table and every view map stays inside its memory budget. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/budget.h"
#include "../../report/file.h"
#include "../../report/rpt.h"
#include "../../report/strmap.h"
#include "../lib/tdftest.h"

/* What the report was told: the lines main would print. */
static char told[16][256];
static size_t ntold;

static void on_full(void *arg, const char *file, const char *table, const char *what)
{
	(void)arg;
	if (ntold < 16)
		snprintf(told[ntold], sizeof(told[0]), "%s: %s: %s", file, table, what);
	ntold++;
}

static int setup(void **state)
{
	(void)state;
	ntold = 0;
	rpt_budget_on_full(on_full, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rpt_budget_on_full(NULL, NULL);
	for (int p = 0; p < RPT_POOL_COUNT_; p++) {
		rpt_budget_set_limit((enum rpt_pool)p, 0);
		assert_int_equal(rpt_budget_used((enum rpt_pool)p), 0); /* all given back */
	}
	return 0;
}

/* A file of nstacks full-depth stacks, nkmods modules and 2 * nstacks drops, every drop
 * naming one of the stacks (the last ones first). */
static uint8_t *craft(uint32_t nstacks, uint32_t nkmods, uint32_t nsyms, size_t *len)
{
	static struct tdf_kaddr frames[TDF_STACK_MAX];
	struct tdf_ksym *syms = calloc(nsyms + 1, sizeof(*syms));
	char(*names)[16] = calloc(nsyms + 1, sizeof(*names));
	size_t n = 0, cap = 4 + nstacks * 3 + nkmods + nsyms / 64 + 1;
	struct tdf_record *recs = calloc(cap, sizeof(*recs));
	static const struct tdf_kv kv[] = {{TDF_META_HOST, "crafted"}};
	uint8_t *buf;

	assert_non_null(recs);
	assert_non_null(syms);
	assert_non_null(names);
	for (uint32_t i = 0; i < TDF_STACK_MAX; i++)
		frames[i] = (struct tdf_kaddr){TDF_MOD_VMLINUX, 0x1000 + i};
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){1, kv};
	for (uint32_t i = 1; i <= nkmods; i++) {
		recs[n].type = TDF_REC_KMOD;
		recs[n++].kmod = (struct tdf_kmod){i, "crafted_mod"};
	}
	for (uint32_t i = 1; i <= nstacks; i++) {
		recs[n].type = TDF_REC_STACK;
		recs[n++].stack = (struct tdf_stack){i, TDF_STACK_MAX, frames};
	}
	/* symbols after the stacks: a budget they run out of leaves the stacks in */
	for (uint32_t i = 0; i < nsyms; i += 64) {
		for (uint32_t k = i; k < i + 64 && k < nsyms; k++) {
			snprintf(names[k], sizeof(names[k]), "sym_%u", k);
			syms[k] = (struct tdf_ksym){k * 16, names[k]};
		}
		recs[n].type = TDF_REC_KSYMS;
		recs[n++].ksyms = (struct tdf_ksyms){TDF_MOD_VMLINUX, 64, syms + i};
	}
	for (uint32_t i = 1; i <= 2 * nstacks; i++) {
		recs[n].type = TDF_REC_DROP;
		tdftest_drop(&recs[n].drop, i, 40);
		recs[n++].drop.stack_id = nstacks - (i - 1) % nstacks;
	}
	assert_true(n <= cap);
	buf = tdftest_write(recs, n, NULL, true, len);
	assert_non_null(buf);
	free(recs);
	free(syms);
	free(names);
	return buf;
}

/* Read f to its end: how many drops, how many had their stack, how many frames named. */
static void drain(struct rpt_file *f, uint64_t *drops, uint64_t *stacked, uint64_t *named)
{
	struct rpt_event ev;
	char text[128];
	int rc;

	*drops = *stacked = *named = 0;
	while ((rc = rpt_file_next(f, &ev)) == 1) {
		if (ev.type != TDF_REC_DROP)
			continue;
		(*drops)++;
		if (!ev.drop.stack)
			continue;
		(*stacked)++;
		rpt_file_symbolize(f, ev.drop.stack->frames[0], text, sizeof(text));
		*named += strncmp(text, "sym_", 4) == 0;
	}
	assert_int_equal(rc, 0);
}

static void test_accounts(void **state)
{
	(void)state;
	rpt_budget_set_limit(RPT_POOL_VIEWS, 1000);
	assert_int_equal(rpt_budget_limit(RPT_POOL_VIEWS), 1000);
	assert_true(rpt_budget_take(RPT_POOL_VIEWS, 600));
	assert_false(rpt_budget_take(RPT_POOL_VIEWS, 401)); /* one byte over */
	assert_true(rpt_budget_take(RPT_POOL_VIEWS, 400));  /* exact fit */
	assert_false(rpt_budget_take(RPT_POOL_VIEWS, 1));
	assert_false(rpt_budget_take(RPT_POOL_VIEWS, SIZE_MAX)); /* no overflow */
	rpt_budget_give(RPT_POOL_VIEWS, 1000);
	assert_int_equal(rpt_budget_used(RPT_POOL_VIEWS), 0);
	rpt_budget_set_limit(RPT_POOL_VIEWS, 0);
	assert_int_equal(rpt_budget_limit(RPT_POOL_VIEWS), RPT_BUDGET_VIEWS);
	assert_int_equal(rpt_budget_limit(RPT_POOL_FILES), RPT_BUDGET_FILES);
}

/* Stacks past the budget: said once, the drops still come, without their stack. */
static void test_stacks_past_the_budget(void **state)
{
	size_t len;
	uint8_t *buf = craft(400, 0, 0, &len);
	uint64_t drops, stacked, named;
	struct rpt_file *f;

	(void)state;
	/* the reader, 100 full stacks (about 1.1 KiB each) and change */
	rpt_budget_set_limit(RPT_POOL_FILES, RPT_BUDGET_READER + (120u << 10));
	f = rpt_file_open_mem(buf, len, "crafted.tdrop");
	assert_non_null(f);
	drain(f, &drops, &stacked, &named);
	assert_int_equal(drops, 800);
	assert_true(stacked > 0 && stacked < 800);
	assert_true(rpt_budget_used(RPT_POOL_FILES) <= rpt_budget_limit(RPT_POOL_FILES));
	assert_int_equal(ntold, 1);
	assert_non_null(strstr(told[0], "crafted.tdrop: stacks: memory budget used up ("));
	assert_non_null(strstr(told[0], "): their drops show no stack"));
	rpt_file_close(f);
	free(buf);
}

/* Symbols past the budget: frames they would name show as addresses. */
static void test_symbols_past_the_budget(void **state)
{
	size_t len;
	uint8_t *buf = craft(4, 0, 64 * 1024, &len);
	uint64_t drops, stacked, named;
	struct rpt_file *f;

	(void)state;
	rpt_budget_set_limit(RPT_POOL_FILES, RPT_BUDGET_READER + (256u << 10));
	f = rpt_file_open_mem(buf, len, "syms");
	assert_non_null(f);
	drain(f, &drops, &stacked, &named);
	assert_int_equal(drops, 8);
	assert_int_equal(stacked, 8);
	assert_true(named > 0); /* the first frames' symbols came first and were kept */
	assert_int_equal(ntold, 1);
	assert_non_null(strstr(told[0], "syms: symbols: memory budget used up"));
	{
		char text[64];
		struct tdf_kaddr far = {TDF_MOD_VMLINUX, 60000 * 16};

		rpt_file_symbolize(f, far, text, sizeof(text));
		assert_string_not_equal(text, "sym_60000+0x0"); /* left out */
	}
	rpt_file_close(f);
	free(buf);
}

/* A table's count cap: said once, with the cap. */
static void test_module_cap(void **state)
{
	size_t len;
	uint8_t *buf = craft(1, RPT_SYMTAB_KMOD_MAX + 10, 0, &len);
	uint64_t drops, stacked, named;
	struct rpt_file *f = rpt_file_open_mem(buf, len, "mods");

	(void)state;
	assert_non_null(f);
	drain(f, &drops, &stacked, &named);
	assert_int_equal(drops, 2);
	/* the cap counts vmlinux: ids 1 to RPT_SYMTAB_KMOD_MAX - 1 fit */
	assert_string_equal(rpt_file_module(f, RPT_SYMTAB_KMOD_MAX - 1), "crafted_mod");
	assert_null(rpt_file_module(f, RPT_SYMTAB_KMOD_MAX)); /* one past */
	assert_int_equal(ntold, 1);
	assert_string_equal(told[0], "mods: modules: table full (4096 modules, the cap for one "
				     "file): their frames show as addresses");
	rpt_file_close(f);
	free(buf);
}

/* One account for all files: the second file gets what the first left, a third none. */
static void test_files_share_one_account(void **state)
{
	size_t len;
	uint8_t *buf = craft(200, 0, 0, &len);
	uint64_t drops, stacked1, stacked2, named;
	struct rpt_file *a, *b, *c;

	(void)state;
	rpt_budget_set_limit(RPT_POOL_FILES, 2 * (RPT_BUDGET_READER + (8u << 10)) + (150u << 10));
	a = rpt_file_open_mem(buf, len, "a");
	b = rpt_file_open_mem(buf, len, "b");
	assert_non_null(a);
	assert_non_null(b);
	errno = 0;
	c = rpt_file_open_mem(buf, len, "c"); /* its reader does not fit */
	assert_null(c);
	assert_int_equal(errno, ENOMEM);
	drain(a, &drops, &stacked1, &named);
	assert_int_equal(drops, 400);
	drain(b, &drops, &stacked2, &named);
	assert_int_equal(drops, 400);
	assert_true(stacked1 > 0);
	assert_true(stacked1 + stacked2 < 800);
	assert_true(rpt_budget_used(RPT_POOL_FILES) <= rpt_budget_limit(RPT_POOL_FILES));
	assert_int_equal(ntold, 3); /* c: input files; a and b: stacks, once each */
	assert_non_null(strstr(told[0], "c: input files: memory budget used up"));
	assert_non_null(strstr(told[1], "a: stacks: "));
	assert_non_null(strstr(told[2], "b: stacks: "));
	rpt_file_close(a);
	rpt_file_close(b);
	free(buf);
}

/* A view's map past the views' budget: the rest in "(other)", last, the total intact. */
static void test_map_folds_into_other(void **state)
{
	struct strmap m = {0};
	struct strmap_ent *v;
	uint64_t sum = 0;
	size_t n, i;
	char key[32];

	(void)state;
	rpt_budget_set_limit(RPT_POOL_VIEWS, 10000);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key %zu", i % 500);
		assert_int_equal(strmap_add(&m, key, 1), 0);
	}
	assert_true(m.n > 10 && m.n < 500);
	assert_true(m.has_other);
	assert_true(rpt_budget_used(RPT_POOL_VIEWS) <= 10000);
	v = strmap_sorted(&m, &n);
	assert_non_null(v);
	assert_int_equal(n, m.n + 1);
	assert_ptr_equal(v[n - 1].key, strmap_other);
	assert_string_equal(v[n - 1].key, "(other)");
	for (i = 0; i < n; i++)
		sum += v[i].count;
	assert_int_equal(sum, 1000);
	/* keys kept before the budget ran out go on counting */
	assert_int_equal(v[0].count, 2);
	free(v);
	strmap_free(&m);
	assert_int_equal(rpt_budget_used(RPT_POOL_VIEWS), 0);
	/* nothing fits at all: one "(other)" row */
	rpt_budget_set_limit(RPT_POOL_VIEWS, 1);
	assert_int_equal(strmap_add(&m, "x", 7), 0);
	v = strmap_sorted(&m, &n);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].count, 7);
	free(v);
	strmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stacks_past_the_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symbols_past_the_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_module_cap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_files_share_one_account, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_folds_into_other, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
