// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for report/opts: defaults, every option, combinations and usage errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/filter.h"
#include "../../report/opts.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse(struct rpt_opts *o, int argc, const char **argv)
{
	return rpt_opts_parse(argc, (char **)argv, o);
}

/* A drop for the filter the options built. */
static bool passes(const struct rpt_opts *o, const char *reason, const char *state, uint32_t pid)
{
	struct tdf_drop d = {.pid = pid};
	struct rpt_drop rd = {.d = &d, .reason = reason, .state = state, .real_ns = 5};

	return rpt_filter_drop(o->filter, &rd);
}

static void test_defaults(void **state)
{
	const char *argv[] = {"tcpdrop-report", "-r", "x.tdrop"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(argv), argv), 0);
	assert_int_equal(o.ninputs, 1);
	assert_string_equal(o.inputs[0], "x.tdrop");
	assert_string_equal(o.view->name, "table");
	assert_null(o.wfile);
	assert_int_equal(o.max_drops, 0);
	assert_int_equal(o.cfg.o.time_fmt, RPT_TIME_CLOCK);
	assert_false(o.cfg.o.utc);
	assert_false(o.cfg.o.no_stack);
	assert_false(o.cfg.o.flush);
	assert_int_equal(o.cfg.summary.nkeys, 0);
	assert_int_equal(o.cfg.summary.top, 0);
	assert_int_equal(o.cfg.timeline.interval_ns, 0);
	assert_false(o.help);
	assert_false(o.version);
	assert_non_null(o.filter);
	assert_true(passes(&o, "NO_SOCKET", NULL, 1));
	assert_null(o.err);
	rpt_opts_free(&o);
}

/* Every option that sets a field, in one command line. */
static void test_every_option(void **state)
{
	const char *argv[] = {"r",
			      "-r",
			      "a.tdrop",
			      "--read=b.tdrop",
			      "-c",
			      "7",
			      "-n",
			      "--summary=reason,dport",
			      "--top",
			      "3",
			      "--no-stack",
			      "--time=epoch",
			      "--utc",
			      "--reason",
			      "NO_SOCKET,SKB_DROP_REASON_TCP_CSUM",
			      "--state=LISTEN,-",
			      "--comm=synflood",
			      "--pid=42",
			      "--netns=4026531840",
			      "--ifname=eth0",
			      "--since=+1",
			      "--until=@2000000000",
			      "--stack-contains=tcp_v4_rcv",
			      "tcp",
			      "port",
			      "80"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(argv), argv), 0);
	assert_int_equal(o.ninputs, 2);
	assert_string_equal(o.inputs[1], "b.tdrop");
	assert_int_equal(o.max_drops, 7);
	assert_string_equal(o.view->name, "summary");
	assert_int_equal(o.cfg.summary.nkeys, 2);
	assert_int_equal(o.cfg.summary.keys[0], RPT_KEY_REASON);
	assert_int_equal(o.cfg.summary.keys[1], RPT_KEY_DPORT);
	assert_int_equal(o.cfg.summary.top, 3);
	assert_true(o.cfg.o.no_stack);
	assert_int_equal(o.cfg.o.time_fmt, RPT_TIME_EPOCH);
	assert_true(o.cfg.o.utc);
	assert_false(o.cfg.o.flush);
	rpt_opts_free(&o);
}

static void test_views(void **state)
{
	static const struct {
		const char *arg, *arg2, *view;
	} cases[] = {
	    {"--format=table", NULL, "table"},
	    {"--format=json", NULL, "json"},
	    {"--format=csv", NULL, "csv"},
	    {"--summary=stack", NULL, "summary"},
	    {"--timeline", NULL, "timeline"},
	    {"--timeline=500ms", NULL, "timeline"},
	    {"--timeline-by-reason", NULL, "timeline"},
	    {"--info", NULL, "info"},
	    {"-w", "out.pcapng", "pcapng"},
	    {"--format=json", "--format=json", "json"}, /* the same view twice is fine */
	    {"--timeline=2s", "--timeline-by-reason", "timeline"},
	    {"--format=folded", NULL, "folded"},
	    {"--html", "page.html", "html"},
	    {"--html=-", NULL, "html"},
	};
	struct rpt_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {"r", "-r", "f", cases[i].arg, cases[i].arg2};

		assert_int_equal(parse(&o, cases[i].arg2 ? 5 : 4, argv), 0);
		if (strcmp(o.view->name, cases[i].view) != 0)
			fail_msg("case %zu: view %s", i, o.view->name);
		rpt_opts_free(&o);
	}
	{
		const char *argv[] = {"r", "-r", "f", "--timeline=2s", "--timeline-by-reason"};

		assert_int_equal(parse(&o, 5, argv), 0);
		assert_int_equal(o.cfg.timeline.interval_ns, 2000000000u);
		assert_true(o.cfg.timeline.by_reason);
		rpt_opts_free(&o);
	}
	{
		const char *argv[] = {"r", "-r", "f", "--write", "-"};

		assert_int_equal(parse(&o, 5, argv), 0);
		assert_string_equal(o.wfile, "-");
		rpt_opts_free(&o);
	}
}

static void test_time_styles(void **state)
{
	static const struct {
		const char *arg;
		enum rpt_time_fmt fmt;
	} cases[] = {
	    {"--time=clock", RPT_TIME_CLOCK},
	    {"--time=iso", RPT_TIME_ISO},
	    {"--time=epoch", RPT_TIME_EPOCH},
	    {"--time=relative", RPT_TIME_RELATIVE},
	};
	struct rpt_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {"r", "-r", "f", cases[i].arg};

		assert_int_equal(parse(&o, 4, argv), 0);
		assert_int_equal(o.cfg.o.time_fmt, cases[i].fmt);
		rpt_opts_free(&o);
	}
}

/* The predicates reach the filter: a drop that matches and one that does not. */
static void test_filter_built(void **state)
{
	const char *argv[] = {"r",	 "-r",	     "f",     "--reason=no_socket",
			      "--state", "listen,-", "--pid", "0"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(argv), argv), 0);
	assert_true(passes(&o, "NO_SOCKET", "LISTEN", 0));
	assert_true(passes(&o, "NO_SOCKET", NULL, 0)); /* "-": without a socket */
	assert_false(passes(&o, "NO_SOCKET", "ESTABLISHED", 0));
	assert_false(passes(&o, "TCP_CSUM", "LISTEN", 0));
	assert_false(passes(&o, "NO_SOCKET", "LISTEN", 1));
	rpt_opts_free(&o);
}

/* --owner, --container and the summary keys of the socket owner. */
static void test_owner_options(void **state)
{
	const char *argv[] = {"r",
			      "-r",
			      "f",
			      "--summary=owner,container",
			      "--owner=nginx",
			      "--owner=812",
			      "--container=3f2a9c0d1e4b"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(argv), argv), 0);
	assert_int_equal(o.cfg.summary.nkeys, 2);
	assert_int_equal(o.cfg.summary.keys[0], RPT_KEY_OWNER);
	assert_int_equal(o.cfg.summary.keys[1], RPT_KEY_CONTAINER);
	/* the filters as given, for views that show them */
	assert_string_equal(o.filters, "--owner=nginx\n--owner=812\n--container=3f2a9c0d1e4b");
	rpt_opts_free(&o);
}

/* Standard input makes a live view (flush per event); twice is a usage error. */
static void test_stdin(void **state)
{
	const char *once[] = {"r", "-r", "-", "-r", "f"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(once), once), 0);
	assert_true(o.cfg.o.flush);
	rpt_opts_free(&o);
}

/* -h and -V stop the parse: nothing after them is looked at (no input needed either). */
static void test_help_version(void **state)
{
	const char *help[] = {"r", "-h", "--bogus"};
	const char *version[] = {"r", "--version"};
	const char *late[] = {"r", "--bogus", "-h"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(help), help), 0);
	assert_true(o.help);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(version), version), 0);
	assert_true(o.version);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(late), late), -EINVAL); /* an error before -h wins */
	rpt_opts_free(&o);
}

/* Each usage error with the exact line tcpdrop-report prints (after "tcpdrop-report: "). */
static void test_usage_errors(void **state)
{
	struct {
		int argc;
		const char *argv[6];
		const char *msg;
	} cases[] = {
	    {1, {"r"}, "no input: give -r FILE (or -r - for stdin)"},
	    {3, {"r", "-r", ""}, "-r: needs a trace file name, or - for stdin"},
	    {2, {"r", "-r"}, "option '-r' needs an argument"},
	    {3, {"r", "-r", "--summary"}, NULL}, /* "--summary" taken as a file name: fine */
	    {2, {"r", "--summary"}, "option '--summary' needs an argument"},
	    {4, {"r", "-r", "f", "-w"}, "option '-w' needs an argument"},
	    {5, {"r", "-r", "f", "-w", ""}, "-w: needs a pcapng file name, or - for stdout"},
	    {4, {"r", "-r", "f", "-x"}, "unknown option '-x'"},
	    {4, {"r", "-r", "f", "--bogus"}, "unknown option '--bogus'"},
	    {4, {"r", "-r", "f", "--info=yes"}, "--info: takes no value"},
	    {5, {"r", "-r", "f", "-c", "0"}, "-c: '0' is not a number in 1..18446744073709551615"},
	    {5,
	     {"r", "-r", "f", "-c", "1x"},
	     "-c: '1x' is not a number in 1..18446744073709551615"},
	    /* one past UINT64_MAX: refused, not wrapped */
	    {5,
	     {"r", "-r", "f", "-c", "18446744073709551616"},
	     "-c: '18446744073709551616' is not a number in 1..18446744073709551615"},
	    {4,
	     {"r", "-r", "f", "--format=xml"},
	     "--format: 'xml' is not one of table, json, csv, folded"},
	    {5,
	     {"r", "-r", "f", "--folded-root=stack", "--format=folded"},
	     "--folded-root: 'stack' is not one of none, reason, netns, owner"},
	    {4,
	     {"r", "-r", "f", "--folded-root=netns"},
	     "--folded-root: only with --format=folded"},
	    {5, {"r", "-r", "f", "--html", ""}, "--html: needs an HTML file name, or - for stdout"},
	    {4, {"r", "-r", "f", "--html"}, "option '--html' needs an argument"},
	    {6,
	     {"r", "-r", "f", "-w", "x", "--html=y"},
	     "-w and --html cannot be combined: choose one view"},
	    {5,
	     {"r", "-r", "f", "--html=y", "--format=folded"},
	     "--html and --format=folded cannot be combined: choose one view"},
	    {5,
	     {"r", "-r", "f", "--format=json", "--info"},
	     "--format=json and --info cannot be combined: choose one view"},
	    {6,
	     {"r", "-r", "f", "-w", "x", "--summary=reason"},
	     "-w and --summary cannot be combined: choose one view"},
	    {5,
	     {"r", "-r", "f", "--timeline", "--format=csv"},
	     "--timeline and --format=csv cannot be combined: choose one view"},
	    {4,
	     {"r", "-r", "f", "--summary=reason,bogus"},
	     "--summary: unknown key 'bogus': keys are reason, location, stack, flow, saddr, "
	     "daddr, dport, state, comm, netns, ifname, flags, host, owner, container"},
	    {4,
	     {"r", "-r", "f",
	      "--summary=reason,reason,reason,reason,reason,reason,reason,reason,"
	      "reason"},
	     "--summary: more than 8 keys"},
	    {4, {"r", "-r", "f", "--top=3"}, "--top: only with --summary"},
	    {4, {"r", "-r", "f", "--owner="}, "--owner: '' must be a PID or a COMM of 1..15 bytes"},
	    {4,
	     {"r", "-r", "f", "--owner=0123456789abcdef"},
	     "--owner: '0123456789abcdef' must be a PID or a COMM of 1..15 bytes"},
	    {4, {"r", "-r", "f", "--owner=4294967296"}, "--owner: '4294967296' is not a number in"},
	    {4, {"r", "-r", "f", "--container="}, "--container: '' must be 1..255 bytes"},
	    {5, {"r", "-r", "f", "--summary=reason", "--top=0"}, "--top: '0' is not a number in"},
	    {4,
	     {"r", "-r", "f", "--timeline=fast"},
	     "--timeline: 'fast' is not an interval like 10s, 500ms, 5m, 1h"},
	    {4,
	     {"r", "-r", "f", "--time=local"},
	     "--time: 'local' is not one of clock, iso, epoch, relative"},
	    {4,
	     {"r", "-r", "f", "--reason=A,,B"},
	     "--reason: 'A,,B' is not a comma-separated list of names"},
	    {4,
	     {"r", "-r", "f", "--state=SYN_RECV,OPEN"},
	     "--state: 'SYN_RECV,OPEN' names no TCP state: the states are ESTABLISHED,SYN_SENT,"
	     "SYN_RECV,FIN_WAIT1,FIN_WAIT2,TIME_WAIT,CLOSE,CLOSE_WAIT,LAST_ACK,LISTEN,CLOSING,"
	     "NEW_SYN_RECV,BOUND_INACTIVE, or - for drops without a socket"},
	    {4, {"r", "-r", "f", "--state=,"}, "--state: ',' is not a comma-separated list"},
	    {4, {"r", "-r", "f", "--comm="}, "--comm: '' must be 1..15 bytes"},
	    {4,
	     {"r", "-r", "f", "--comm=0123456789abcdef"},
	     "--comm: '0123456789abcdef' must be 1..15 bytes"},
	    {4, {"r", "-r", "f", "--pid=-1"}, "--pid: '-1' is not a number in 0..4294967295"},
	    {4,
	     {"r", "-r", "f", "--pid=4294967296"},
	     "--pid: '4294967296' is not a number in 0..4294967295"},
	    {4, {"r", "-r", "f", "--netns=0"}, "--netns: '0' is not a number in 1..4294967295"},
	    {4, {"r", "-r", "f", "--ifname=0123456789abcdef"}, "--ifname: '0123456789abcdef' must"},
	    {4,
	     {"r", "-r", "f", "--since=yesterday"},
	     "--since: 'yesterday' is not a time (\"YYYY-MM-DD HH:MM:SS\", ISO 8601, @EPOCH or "
	     "+SECONDS)"},
	    {4, {"r", "-r", "f", "--until=+x"}, "--until: '+x' is not a time"},
	    {4, {"r", "-r", "f", "--stack-contains="}, "--stack-contains: empty symbol"},
	    {4, {"r", "-r", "f", "tcp port"}, "filter expression 'tcp port': "},
	    {5, {"r", "-r", "-", "-r", "-"}, "-r -: standard input given twice"},
	    /* order: --top is checked before the missing input, the input before the expression */
	    {2, {"r", "--top=1"}, "--top: only with --summary"},
	    {2, {"r", "bogus expression"}, "no input"},
	};
	struct rpt_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* getopt_long permutes argv: each case is its own writable array */
		int rc = parse(&o, cases[i].argc, cases[i].argv);

		if (!cases[i].msg) {
			if (rc != 0)
				fail_msg("case %zu: refused: %s", i, o.err);
		} else if (rc != -EINVAL) {
			fail_msg("case %zu: returned %d", i, rc);
		} else if (!o.err || strncmp(o.err, cases[i].msg, strlen(cases[i].msg)) != 0) {
			fail_msg("case %zu: '%s' is not '%s'", i, o.err ? o.err : "(null)",
				 cases[i].msg);
		}
		rpt_opts_free(&o);
	}
}

/* --format=folded's root frame; --html's file; the filters as the page will list them. */
static void test_folded_html(void **state)
{
	static const char *const roots[] = {"reason", "none", "netns", "owner"};
	struct rpt_opts o;

	(void)state;
	{
		const char *argv[] = {"r", "-r", "f", "--format=folded"};

		assert_int_equal(parse(&o, ARGC(argv), argv), 0);
		assert_int_equal(o.cfg.folded_root, RPT_FOLDED_ROOT_REASON);
		assert_null(o.cfg.filters);
		rpt_opts_free(&o);
	}
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		char arg[64];
		const char *argv[] = {"r", "-r", "f", arg, "--format=folded"};

		snprintf(arg, sizeof(arg), "--folded-root=%s", roots[i]);
		assert_int_equal(parse(&o, ARGC(argv), argv), 0);
		assert_int_equal(o.cfg.folded_root, (enum rpt_folded_root)i);
		rpt_opts_free(&o);
	}
	{
		const char *argv[] = {"r",  "--html", "out.html",   "-r",    "f",   "--reason=a,b",
				      "-c", "5",      "--since=+3", "--utc", "tcp", "port 80"};

		assert_int_equal(parse(&o, ARGC(argv), argv), 0);
		assert_string_equal(o.view->name, "html");
		assert_string_equal(o.wfile, "out.html");
		/* in command-line order, -c and the expression included; --utc is no filter */
		assert_string_equal(o.cfg.filters,
				    "--reason=a,b\n-c 5\n--since=+3\nexpression: tcp port 80");
		rpt_opts_free(&o);
		assert_null(o.cfg.filters);
	}
}

/* --explain: its own view alone, a why key/column with json or csv, else a usage error. */
static void test_explain(void **state)
{
	static const struct {
		const char *a1, *a2, *view;
		bool why;
		const char *err;
	} cases[] = {
	    {"--explain", NULL, "explain", false, NULL},
	    {"--explain", "--format=json", "json", true, NULL},
	    {"--format=csv", "--explain", "csv", true, NULL},
	    {"--explain", "--no-stack", "explain", false, NULL},
	    {"--explain", "--summary=reason", NULL, false,
	     "--explain and --summary cannot be combined: --explain alone, or with --format=json "
	     "or "
	     "--format=csv"},
	    {"--format=table", "--explain", NULL, false, "--explain and --format=table cannot"},
	    {"--explain", "--info", NULL, false, "--explain and --info cannot"},
	    {"--timeline", "--explain", NULL, false, "--explain and --timeline cannot"},
	    {"--explain=yes", NULL, NULL, false, "--explain: takes no value"},
	};
	struct rpt_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[] = {"r", "-r", "f", cases[i].a1, cases[i].a2};
		int rc = parse(&o, cases[i].a2 ? 5 : 4, argv);

		if (cases[i].err) {
			if (rc != -EINVAL || !o.err ||
			    strncmp(o.err, cases[i].err, strlen(cases[i].err)) != 0)
				fail_msg("case %zu: %d '%s'", i, rc, o.err ? o.err : "(null)");
		} else {
			if (rc != 0)
				fail_msg("case %zu: refused: %s", i, o.err);
			assert_string_equal(o.view->name, cases[i].view);
			assert_int_equal(o.cfg.explain, cases[i].why);
		}
		rpt_opts_free(&o);
	}
	{
		const char *argv[] = {"r", "-r", "f", "-w", "x.pcapng", "--explain"};

		assert_int_equal(parse(&o, ARGC(argv), argv), -EINVAL);
		assert_string_equal(o.err,
				    "--explain and -w cannot be combined: --explain alone, or "
				    "with --format=json or --format=csv");
		rpt_opts_free(&o);
	}
}

/* --reasons needs no input and takes nothing else. */
static void test_reasons(void **state)
{
	const char *alone[] = {"r", "--reasons"};
	const char *with_r[] = {"r", "--reasons", "-r", "f"};
	const char *with_view[] = {"r", "--reasons", "--format=json"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(alone), alone), 0);
	assert_true(o.reasons);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(with_r), with_r), -EINVAL);
	assert_string_equal(o.err, "--reasons: lists what tcpdrop knows, alone: no -r, view or "
				   "--explain");
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(with_view), with_view), -EINVAL);
	rpt_opts_free(&o);
}

/* --since/--until are read after every option, so a later --utc still applies to them. */
static void test_since_after_utc(void **state)
{
	const char *argv[] = {"r", "-r", "f", "--since=2024-05-01 12:00:00", "--utc"};
	struct rpt_opts o;
	struct tdf_drop d = {0};
	struct rpt_drop before = {.d = &d, .reason = "X", .real_ns = 1714564799000000000ull};
	struct rpt_drop after = {.d = &d, .reason = "X", .real_ns = 1714564800000000000ull};

	(void)state;
	assert_int_equal(parse(&o, ARGC(argv), argv), 0);
	assert_true(o.cfg.o.utc);
	assert_false(rpt_filter_drop(o.filter, &before));
	assert_true(rpt_filter_drop(o.filter, &after));
	rpt_opts_free(&o);
}

/* The same struct parsed again starts from the defaults (getopt is reset). */
static void test_reparse(void **state)
{
	const char *first[] = {"r", "-r", "a", "--format=csv", "--no-stack"};
	const char *second[] = {"r", "-r", "b"};
	struct rpt_opts o;

	(void)state;
	assert_int_equal(parse(&o, ARGC(first), first), 0);
	rpt_opts_free(&o);
	assert_int_equal(parse(&o, ARGC(second), second), 0);
	assert_string_equal(o.view->name, "table");
	assert_false(o.cfg.o.no_stack);
	assert_string_equal(o.inputs[0], "b");
	rpt_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),	 cmocka_unit_test(test_every_option),
	    cmocka_unit_test(test_views),	 cmocka_unit_test(test_time_styles),
	    cmocka_unit_test(test_filter_built), cmocka_unit_test(test_owner_options),
	    cmocka_unit_test(test_stdin),	 cmocka_unit_test(test_help_version),
	    cmocka_unit_test(test_usage_errors), cmocka_unit_test(test_since_after_utc),
	    cmocka_unit_test(test_reparse),	 cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_reasons),	 cmocka_unit_test(test_folded_html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
