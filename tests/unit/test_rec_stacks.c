// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/stacks: dedup ids, per-file emission, table reset, bad depths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../record/stacks.h"
#include "tdf.h"

static const uint64_t a[3] = {0xffffffff81000010ull, 0xffffffff81000020ull, 0xffffffff81000030ull};
static const uint64_t b[3] = {0xffffffff81000010ull, 0xffffffff81000020ull, 0xffffffff81000031ull};

static void test_same_stack_same_id(void **state)
{
	struct stacks *s = stacks_new(16);
	uint32_t id1, id2, id3;
	bool emit;

	(void)state;
	assert_int_equal(stacks_intern(s, a, 3, 0, &id1, &emit), 0);
	assert_true(emit);
	assert_int_equal(id1, 1);
	assert_int_equal(stacks_intern(s, a, 3, 0, &id2, &emit), 0);
	assert_false(emit); /* already in this file */
	assert_int_equal(id2, id1);
	/* one frame differs: a new stack */
	assert_int_equal(stacks_intern(s, b, 3, 0, &id3, &emit), 0);
	assert_true(emit);
	assert_int_not_equal(id3, id1);
	/* a prefix is a different stack too */
	assert_int_equal(stacks_intern(s, a, 2, 0, &id3, &emit), 0);
	assert_true(emit);
	assert_int_equal(stacks_count(s), 3);
	stacks_free(s);
}

static void test_reemit_per_generation(void **state)
{
	struct stacks *s = stacks_new(16);
	uint32_t id, id2;
	bool emit;

	(void)state;
	assert_int_equal(stacks_intern(s, a, 3, 0, &id, &emit), 0);
	assert_true(emit);
	/* the next file (generation 1) needs the definition again, once, with the same id */
	assert_int_equal(stacks_intern(s, a, 3, 1, &id2, &emit), 0);
	assert_true(emit);
	assert_int_equal(id2, id);
	assert_int_equal(stacks_intern(s, a, 3, 1, &id2, &emit), 0);
	assert_false(emit);
	stacks_free(s);
}

static void test_full_table_starts_over(void **state)
{
	struct stacks *s = stacks_new(4);
	uint64_t f[1];
	uint32_t id, last = 0;
	bool emit;

	(void)state;
	for (uint64_t i = 0; i < 10; i++) {
		f[0] = 0xffffffff81000000ull + i;
		assert_int_equal(stacks_intern(s, f, 1, 0, &id, &emit), 0);
		assert_true(emit);
		assert_true(id > last); /* ids are never reused */
		last = id;
		assert_true(stacks_count(s) <= 4);
	}
	/* the first stack was forgotten: it comes back with a new id and is emitted again */
	f[0] = 0xffffffff81000000ull;
	assert_int_equal(stacks_intern(s, f, 1, 0, &id, &emit), 0);
	assert_true(emit);
	assert_true(id > last);
	stacks_free(s);
}

static void test_depth_limits(void **state)
{
	static uint64_t big[TDF_STACK_MAX + 1];
	struct stacks *s = stacks_new(16);
	uint32_t id;
	bool emit;

	(void)state;
	assert_int_equal(stacks_intern(s, a, 0, 0, &id, &emit), -EINVAL);
	assert_int_equal(stacks_intern(s, big, TDF_STACK_MAX + 1, 0, &id, &emit), -EINVAL);
	assert_int_equal(stacks_intern(s, big, TDF_STACK_MAX, 0, &id, &emit), 0); /* exact fit */
	assert_true(emit);
	stacks_free(s);
	stacks_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_stack_same_id),
	    cmocka_unit_test(test_reemit_per_generation),
	    cmocka_unit_test(test_full_table_starts_over),
	    cmocka_unit_test(test_depth_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
