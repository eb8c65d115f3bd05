// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for record/opts: the number parser, sizes, option combinations and defaults. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../record/opts.h"

static char err[OPTS_ERR_LEN];

static void test_num_ok(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(opts_parse_num("-c", "1", 1, 10, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1);
	assert_int_equal(opts_parse_num("-c", "10", 1, 10, &v, err, sizeof(err)), 0); /* max */
	assert_int_equal(v, 10);
	assert_int_equal(
	    opts_parse_num("-c", "18446744073709551615", 0, UINT64_MAX, &v, err, sizeof(err)), 0);
	assert_true(v == UINT64_MAX);
}

static void test_num_bad(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(opts_parse_num("-s", "", 20, 1024, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(opts_parse_num("-s", "12x", 20, 1024, &v, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "-s"));
	assert_non_null(strstr(err, "20-1024"));
	assert_int_equal(opts_parse_num("-s", "-1", 20, 1024, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(opts_parse_num("-s", " 64", 20, 1024, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(opts_parse_num("-s", "19", 20, 1024, &v, err, sizeof(err)), -ERANGE);
	assert_int_equal(opts_parse_num("-s", "1025", 20, 1024, &v, err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "out of range"));
	/* one past UINT64_MAX overflows: out of range, not wrapped */
	assert_int_equal(
	    opts_parse_num("-c", "18446744073709551616", 0, UINT64_MAX, &v, err, sizeof(err)),
	    -ERANGE);
	assert_int_equal(v, 7); /* untouched on failure */
}

static void test_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "256", 64 << 10, 1 << 30, &v, err, sizeof(err)),
	    0);
	assert_int_equal(v, 256 << 10);
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "8M", 64 << 10, 1 << 30, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 8 << 20);
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "64kb", 64 << 10, 1 << 30, &v, err, sizeof(err)),
	    0);
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "8G", 64 << 10, 1 << 30, &v, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "32K", 64 << 10, 1 << 30, &v, err, sizeof(err)),
	    -ERANGE);
	assert_int_equal(
	    opts_parse_size_kb("--ringbuf-size", "M", 64 << 10, 1 << 30, &v, err, sizeof(err)),
	    -EINVAL);
}

static int parse(struct rec_opts *o, int argc, const char **argv)
{
	return opts_parse(argc, (char **)argv, o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	const char *argv[] = {"tcpdrop-record", "-w", "x.tdrop"};
	struct rec_opts o;

	(void)state;
	assert_int_equal(parse(&o, 3, argv), 0);
	assert_string_equal(o.path, "x.tdrop");
	assert_int_equal(o.snaplen, OPTS_SNAPLEN_DEFAULT);
	assert_true(o.snaplen >= 128);
	assert_int_equal(o.stack_depth, OPTS_STACK_DEPTH_DEFAULT);
	assert_int_equal(o.ringbuf_bytes, OPTS_RINGBUF_DEFAULT);
	assert_int_equal(o.flush_ms, 1000);
	assert_false(o.all_reasons);
	assert_int_equal(o.family, 0);
	assert_true(o.user == OPTS_USER_DEFAULT); /* NULL unless built with a default user */
}

static void test_user(void **state)
{
	const char *argv[] = {"tcpdrop-record", "-w", "x.tdrop", "-Z", "nobody"};
	struct rec_opts o;

	(void)state;
	assert_int_equal(parse(&o, 5, argv), 0);
	assert_string_equal(o.user, "nobody"); /* resolved later, by the session */
	argv[4] = "65534";
	assert_int_equal(parse(&o, 5, argv), 0);
	assert_string_equal(o.user, "65534");
}

static void test_full_line(void **state)
{
	const char *argv[] = {"r",
			      "-w",
			      "f",
			      "-c",
			      "5",
			      "--duration",
			      "3",
			      "-C",
			      "2",
			      "-G",
			      "60",
			      "-W",
			      "4",
			      "-s",
			      "1024",
			      "-6",
			      "--port",
			      "443",
			      "--host",
			      "2001:db8::1",
			      "--netns",
			      "4026531840",
			      "--reason",
			      "NO_SOCKET,TCP_CSUM",
			      "--reason",
			      "netfilter_drop",
			      "--all-reasons",
			      "--stack-depth",
			      "127",
			      "--ringbuf-size",
			      "1M",
			      "--flush-interval",
			      "250",
			      "-q"};
	struct rec_opts o;
	char f[512];

	(void)state;
	assert_int_equal(parse(&o, (int)(sizeof(argv) / sizeof(argv[0])), argv), 0);
	assert_int_equal(o.count, 5);
	assert_int_equal(o.duration_s, 3);
	assert_int_equal(o.rotate_bytes, 2000000);
	assert_int_equal(o.rotate_secs, 60);
	assert_int_equal(o.ring_files, 4);
	assert_int_equal(o.snaplen, 1024);
	assert_int_equal(o.family, 6);
	assert_int_equal(o.port, 443);
	assert_int_equal(o.host_family, 6);
	assert_int_equal(o.host[0], 0x20);
	assert_int_equal(o.host[15], 1);
	assert_int_equal(o.netns, 4026531840u);
	assert_int_equal(o.nreasons, 3);
	assert_string_equal(o.reasons[0], "NO_SOCKET");
	assert_string_equal(o.reasons[1], "TCP_CSUM");
	assert_string_equal(o.reasons[2], "netfilter_drop");
	assert_true(o.all_reasons);
	assert_int_equal(o.stack_depth, 127);
	assert_int_equal(o.ringbuf_bytes, 1 << 20);
	assert_int_equal(o.flush_ms, 250);
	assert_true(o.quiet);
	opts_filters_str(&o, f, sizeof(f));
	assert_string_equal(f, "-6 --port 443 --host 2001:db8::1 --netns 4026531840 "
			       "--reason NO_SOCKET,TCP_CSUM,netfilter_drop --all-reasons");
}

static void test_usage_errors(void **state)
{
	struct {
		int argc;
		const char *argv[6];
		const char *needle;
	} cases[] = {
	    {3, {"r", "-C", "1"}, "the live view"},
	    {3, {"r", "-w", ""}, "empty file name"},
	    {4, {"r", "-w", "f", "-s"}, "-s"},
	    {5, {"r", "-w", "f", "-s", "19"}, "-s"},
	    {5, {"r", "-w", "f", "--port", "0"}, "--port"},
	    {5, {"r", "-w", "f", "--port", "65536"}, "1-65535"},
	    {5, {"r", "-w", "f", "--stack-depth", "128"}, "--stack-depth"},
	    {5, {"r", "-w", "f", "--ringbuf-size", "100K"}, "power of two"},
	    {5, {"r", "-w", "f", "--host", "example"}, "--host"},
	    {4, {"r", "-w", "f", "-x"}, "unknown"},
	    {4, {"r", "-w", "f", "--bogus"}, "unknown"},
	    {5, {"r", "-w", "-", "-C", "1"}, "standard output"},
	    {5, {"r", "-w", "f", "-W", "3"}, "-W needs"},
	    {5, {"r", "-w", "f", "-4", "-6"}, "-4 and -6"},
	    {6, {"r", "-w", "f", "--no-stack", "--stack-depth", "3"}, "--no-stack"},
	    {6, {"r", "-w", "f", "-4", "--host", "::1"}, "contradicts"},
	    {4, {"r", "-w", "f", "extra"}, "unexpected"},
	    {5, {"r", "-w", "f", "--reason", ","}, "--reason"},
	    {5, {"r", "-w", "f", "--flush-interval", "5"}, "--flush-interval"},
	    /* long options: a missing value and a value where none is taken name the option */
	    {4, {"r", "-w", "f", "--duration"}, "--duration: needs a value"},
	    {4, {"r", "-w", "f", "--all-reasons=yes"}, "--all-reasons: takes no value"},
	    {4, {"r", "-w", "f", "--help=x"}, "--help: takes no value"},
	    {5, {"r", "-w", "f", "--reason", ""}, "reason name"},
	    {5, {"r", "-w", "f", "-Z", ""}, "-Z: empty user"},
	    {4, {"r", "-w", "f", "-Z"}, "-Z: needs a value"},
	};
	struct rec_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		if (parse(&o, cases[i].argc, cases[i].argv) != -EINVAL)
			fail_msg("case %zu: accepted", i);
		if (!strstr(err, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
	}
}

static void test_no_stack(void **state)
{
	const char *argv[] = {"r", "-w", "-", "--no-stack"};
	struct rec_opts o;

	(void)state;
	assert_int_equal(parse(&o, 4, argv), 0);
	assert_int_equal(o.stack_depth, 0);
	assert_string_equal(o.path, "-");
}

/* No -w: the live view, with its shorter flush default unless one is given; -n is a no-op. */
static void test_live(void **state)
{
	const char *bare[] = {"r", "-n"};
	const char *flush[] = {"r", "--flush-interval", "1000", "--no-stack"};
	const char *file[] = {"r", "-n", "-w", "x.tdrop"};
	struct rec_opts o;

	(void)state;
	assert_int_equal(parse(&o, 2, bare), 0);
	assert_null(o.path);
	assert_int_equal(o.flush_ms, OPTS_FLUSH_MS_LIVE);
	assert_int_equal(o.stack_depth, OPTS_STACK_DEPTH_DEFAULT);
	assert_false(o.no_stack);
	assert_int_equal(parse(&o, 4, flush), 0);
	assert_null(o.path);
	assert_int_equal(o.flush_ms, 1000);
	assert_true(o.no_stack);
	assert_int_equal(o.stack_depth, 0);
	assert_int_equal(parse(&o, 4, file), 0);
	assert_string_equal(o.path, "x.tdrop");
	assert_int_equal(o.flush_ms, OPTS_FLUSH_MS_DEFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_num_ok),    cmocka_unit_test(test_num_bad),
	    cmocka_unit_test(test_size),      cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_full_line), cmocka_unit_test(test_usage_errors),
	    cmocka_unit_test(test_no_stack),  cmocka_unit_test(test_live),
	    cmocka_unit_test(test_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
