// SPDX-License-Identifier: BSD-2-Clause
/* budget: the report's memory accounts, one for all input files' tables, one for views' maps. */
#include "budget.h"

/*
 * Process-wide by design (see budget.h): the report is one thread, and the accounts must see
 * every file's and every view's tables without each of their interfaces carrying one.
 */
static size_t used[RPT_POOL_COUNT_];
static size_t limit[RPT_POOL_COUNT_] = {RPT_BUDGET_FILES, RPT_BUDGET_VIEWS};
static const size_t defaults[RPT_POOL_COUNT_] = {RPT_BUDGET_FILES, RPT_BUDGET_VIEWS};
static rpt_budget_notice_fn *notice_fn;
static void *notice_arg;

bool rpt_budget_take(enum rpt_pool pool, size_t bytes)
{
	if ((unsigned)pool >= RPT_POOL_COUNT_ || used[pool] > limit[pool] ||
	    bytes > limit[pool] - used[pool])
		return false;
	used[pool] += bytes;
	return true;
}

void rpt_budget_give(enum rpt_pool pool, size_t bytes)
{
	if ((unsigned)pool >= RPT_POOL_COUNT_)
		return;
	used[pool] = bytes > used[pool] ? 0 : used[pool] - bytes;
}

size_t rpt_budget_used(enum rpt_pool pool)
{
	return (unsigned)pool < RPT_POOL_COUNT_ ? used[pool] : 0;
}

size_t rpt_budget_limit(enum rpt_pool pool)
{
	return (unsigned)pool < RPT_POOL_COUNT_ ? limit[pool] : 0;
}

void rpt_budget_set_limit(enum rpt_pool pool, size_t l)
{
	/* a limit below what is held: nothing more fits until enough is given back */
	if ((unsigned)pool < RPT_POOL_COUNT_)
		limit[pool] = l ? l : defaults[pool];
}

void rpt_budget_on_full(rpt_budget_notice_fn *fn, void *arg)
{
	notice_fn = fn;
	notice_arg = arg;
}

void rpt_budget_notice(const char *file, const char *table, const char *what)
{
	if (notice_fn)
		notice_fn(notice_arg, file, table, what);
}
