// SPDX-License-Identifier: BSD-2-Clause
/* opts: tcpdrop-report's command line, parsed and checked into one struct. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

enum {
	OPT_FORMAT = 256,
	OPT_SUMMARY,
	OPT_TOP,
	OPT_TIMELINE,
	OPT_TIMELINE_BY_REASON,
	OPT_INFO,
	OPT_EXPLAIN,
	OPT_REASONS,
	OPT_NO_STACK,
	OPT_TIME,
	OPT_UTC,
	OPT_REASON,
	OPT_STATE,
	OPT_COMM,
	OPT_PID,
	OPT_NETNS,
	OPT_IFNAME,
	OPT_OWNER,
	OPT_CONTAINER,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_STACK_CONTAINS,
	OPT_FOLDED_ROOT,
	OPT_HTML,
	OPT_ANONYMIZE,
	OPT_KEY_FILE,
	OPT_KEEP_NET,
	OPT_KEEP_PAYLOAD,
	OPT_SCRUB_NAMES,
	OPT_TIME_SHIFT,
};

static const struct option long_opts[] = {
    {"read", required_argument, NULL, 'r'},
    {"write", required_argument, NULL, 'w'},
    {"count", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"top", required_argument, NULL, OPT_TOP},
    {"timeline", optional_argument, NULL, OPT_TIMELINE},
    {"timeline-by-reason", no_argument, NULL, OPT_TIMELINE_BY_REASON},
    {"info", no_argument, NULL, OPT_INFO},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"reasons", no_argument, NULL, OPT_REASONS},
    {"no-stack", no_argument, NULL, OPT_NO_STACK},
    {"time", required_argument, NULL, OPT_TIME},
    {"utc", no_argument, NULL, OPT_UTC},
    {"reason", required_argument, NULL, OPT_REASON},
    {"state", required_argument, NULL, OPT_STATE},
    {"comm", required_argument, NULL, OPT_COMM},
    {"pid", required_argument, NULL, OPT_PID},
    {"netns", required_argument, NULL, OPT_NETNS},
    {"ifname", required_argument, NULL, OPT_IFNAME},
    {"owner", required_argument, NULL, OPT_OWNER},
    {"container", required_argument, NULL, OPT_CONTAINER},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"stack-contains", required_argument, NULL, OPT_STACK_CONTAINS},
    {"folded-root", required_argument, NULL, OPT_FOLDED_ROOT},
    {"html", required_argument, NULL, OPT_HTML},
    {"anonymize", no_argument, NULL, OPT_ANONYMIZE},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"keep-net", required_argument, NULL, OPT_KEEP_NET},
    {"keep-payload", no_argument, NULL, OPT_KEEP_PAYLOAD},
    {"scrub-names", no_argument, NULL, OPT_SCRUB_NAMES},
    {"time-shift", required_argument, NULL, OPT_TIME_SHIFT},
    {NULL, 0, NULL, 0},
};

#define FORMAT_PREFIX "--format="

static const char *const folded_roots[] = {
    [RPT_FOLDED_ROOT_REASON] = "reason",
    [RPT_FOLDED_ROOT_NONE] = "none",
    [RPT_FOLDED_ROOT_NETNS] = "netns",
    [RPT_FOLDED_ROOT_OWNER] = "owner",
};

static const char *const time_names[] = {
    [RPT_TIME_CLOCK] = "clock",
    [RPT_TIME_ISO] = "iso",
    [RPT_TIME_EPOCH] = "epoch",
    [RPT_TIME_RELATIVE] = "relative",
};

/* Keep the reason in o->err and return rc. */
static int __attribute__((format(printf, 3, 4)))
fail(struct rpt_opts *o, int rc, const char *fmt, ...)
{
	va_list ap;

	free(o->err);
	va_start(ap, fmt);
	if (vasprintf(&o->err, fmt, ap) < 0)
		o->err = NULL; /* main then names the error by its number alone */
	va_end(ap);
	return rc;
}

/* Keep what a filter option (or -c, or the expression) said, for views that show it. */
static int note_filter(struct rpt_opts *o, int c, const char *arg)
{
	const char *name = c == 'c' ? "-c " : c == 0 ? "expression: " : NULL;
	const struct option *lo;
	char *more;

	for (lo = long_opts; !name && lo->name; lo++)
		if (lo->val == c && c >= OPT_REASON && c <= OPT_STACK_CONTAINS)
			name = lo->name;
	if (!name)
		return 0;
	if (asprintf(&more, "%s%s%s%s%s", o->filters ? o->filters : "", o->filters ? "\n" : "",
		     name[0] == '-' || c == 0 ? "" : "--", name, c == 'c' || c == 0 ? "" : "=") < 0)
		return fail(o, -ENOMEM, "%s", strerror(ENOMEM));
	free(o->filters);
	o->filters = NULL;
	if (asprintf(&o->filters, "%s%s", more, arg) < 0) {
		free(more);
		return fail(o, -ENOMEM, "%s", strerror(ENOMEM));
	}
	free(more);
	o->cfg.filters = o->filters;
	return 0;
}

/* The one strict number parser: decimal digits only, within [min, max]. */
static int parse_num(struct rpt_opts *o, const char *opt, const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!*p)
		goto bad;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return fail(o, -EINVAL, "%s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s, min,
		    max);
}

/* Choose a view; two different ones are a usage error. */
static int set_view(struct rpt_opts *o, bool *chosen, const char *name)
{
	const struct rpt_view *v = rpt_view_find(name);

	if (*chosen && o->view != v)
		return fail(o, -EINVAL, "%s and %s cannot be combined: choose one view",
			    o->view->option, v->option);
	o->view = v;
	*chosen = true;
	return 0;
}

static int set_format(struct rpt_opts *o, bool *chosen, const char *arg)
{
	const size_t plen = strlen(FORMAT_PREFIX);
	const struct rpt_view *v;
	char names[256] = "";
	size_t used = 0;

	for (v = rpt_views; v->name; v++) {
		if (strncmp(v->option, FORMAT_PREFIX, plen) != 0)
			continue;
		if (strcmp(v->option + plen, arg) == 0)
			return set_view(o, chosen, v->name);
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 used ? ", " : "", v->option + plen);
		if (used >= sizeof(names))
			used = sizeof(names) - 1;
	}
	return fail(o, -EINVAL, "--format: '%s' is not one of %s", arg, names);
}

/* A filter predicate's answer: out of memory is a runtime error, anything else a bad list. */
static int filter_check(struct rpt_opts *o, int rc, const char *opt, const char *arg)
{
	if (rc == -ENOMEM)
		return fail(o, rc, "%s: %s", opt, strerror(ENOMEM));
	if (rc)
		return fail(o, -EINVAL, "%s: '%s' is not a comma-separated list of names", opt,
			    arg);
	return 0;
}

static int parse_time(struct rpt_opts *o, const char *opt, const char *arg, bool since)
{
	struct rpt_when w;

	if (rpt_when_parse(arg, o->cfg.o.utc, &w))
		return fail(o, -EINVAL,
			    "%s: '%s' is not a time (\"YYYY-MM-DD HH:MM:SS\", ISO 8601, @EPOCH or "
			    "+SECONDS)",
			    opt, arg);
	if (since)
		rpt_filter_set_since(o->filter, &w);
	else
		rpt_filter_set_until(o->filter, &w);
	return 0;
}

/*
 * --explain alone is the explain view; with --format=json or csv it adds a "why" key or
 * column (cfg.explain stays set); with any other view it is a usage error.
 */
static int resolve_explain(struct rpt_opts *o, bool chosen)
{
	if (!chosen) {
		o->view = rpt_view_find("explain");
		o->cfg.explain = false;
		return 0;
	}
	if (strcmp(o->view->name, "json") == 0 || strcmp(o->view->name, "csv") == 0)
		return 0;
	return fail(o, -EINVAL,
		    "--explain and %s cannot be combined: --explain alone, or with --format=json "
		    "or --format=csv",
		    o->view->option);
}

/* The words after the options, joined by spaces, as one tcpdump expression. */
static int parse_expression(struct rpt_opts *o, int argc, char **argv, int first)
{
	size_t len = 1, at = 0;
	char *expr, perr[512];
	int i, rc;

	for (i = first; i < argc; i++)
		len += strlen(argv[i]) + 1;
	expr = malloc(len);
	if (!expr)
		return fail(o, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = first; i < argc; i++)
		at += (size_t)sprintf(expr + at, "%s%s", i > first ? " " : "", argv[i]);
	rc = rpt_filter_set_pcap(o->filter, expr, perr, sizeof(perr));
	if (rc == -EINVAL)
		rc = fail(o, rc, "filter expression '%s': %s", expr, perr);
	else if (rc)
		rc = fail(o, rc, "filter expression: %s", perr);
	if (!rc)
		rc = note_filter(o, 0, expr);
	free(expr);
	return rc;
}

/* An option getopt_long refused: missing value, value where none is taken, unknown. */
static int bad_option(struct rpt_opts *o, int c, char **argv)
{
	const char *arg = argv[optind - 1], *eq = strchr(arg, '=');

	if (c == ':') {
		if (optopt && optopt < 256)
			return fail(o, -EINVAL, "option '-%c' needs an argument", optopt);
		return fail(o, -EINVAL, "option '%s' needs an argument", arg);
	}
	/* getopt_long reports "--flag=value" for a flag without a value here. */
	if (strncmp(arg, "--", 2) == 0 && eq)
		return fail(o, -EINVAL, "%.*s: takes no value", (int)(eq - arg), arg);
	if (optopt && optopt < 256 && strncmp(arg, "--", 2) != 0)
		return fail(o, -EINVAL, "unknown option '-%c'", optopt);
	return fail(o, -EINVAL, "unknown option '%s'", arg);
}

/* -w NAME.tdrop writes a trace file; any other name (and -) a pcapng file. */
static bool is_trace_name(const char *name)
{
	size_t n = strlen(name), ext = strlen(RPT_TRACE_EXT);

	return n > ext && strcmp(name + n - ext, RPT_TRACE_EXT) == 0;
}

/* --anonymize and the options that only mean something with it (checked after the loop). */
static int parse_anon(struct rpt_opts *o, int c, const char *arg)
{
	const uint64_t shift_max = 100ull * 366 * 86400; /* a century either way */
	struct rpt_anon_opts *a = &o->anon;
	const struct option *lo;
	bool minus;
	uint64_t v;
	int rc;

	for (lo = long_opts; c != OPT_ANONYMIZE && lo->name; lo++)
		if (lo->val == c)
			o->anon_option = lo->name;
	switch (c) {
	case OPT_ANONYMIZE:
		o->anonymize = true;
		return 0;
	case OPT_KEY_FILE:
		if (!*arg)
			return fail(o, -EINVAL, "--key-file: needs a file name");
		a->key_file = arg;
		return 0;
	case OPT_KEEP_NET:
		if (a->nkeep == RPT_ANON_KEEP_MAX)
			return fail(o, -EINVAL, "--keep-net: more than %d networks",
				    RPT_ANON_KEEP_MAX);
		if (rpt_anon_net_parse(arg, &a->keep[a->nkeep]))
			return fail(o, -EINVAL,
				    "--keep-net: '%s' is not an address or ADDRESS/BITS network",
				    arg);
		a->nkeep++;
		return 0;
	case OPT_KEEP_PAYLOAD:
		a->keep_payload = true;
		return 0;
	case OPT_SCRUB_NAMES:
		a->scrub_names = true;
		return 0;
	default:
		minus = arg[0] == '-';
		rc = parse_num(o, "--time-shift", arg + (minus || arg[0] == '+'), 0, shift_max, &v);
		if (rc)
			return rc;
		a->time_shift_ns = (minus ? -1 : 1) * (int64_t)v * 1000000000;
		return 0;
	}
}

/* What -w NAME.tdrop and --anonymize allow with them. */
static int check_anon(struct rpt_opts *o)
{
	if (o->anon_option && !o->anonymize)
		return fail(o, -EINVAL, "--%s: only with --anonymize", o->anon_option);
	if (o->write_trace && o->ninputs > 1)
		return fail(o, -EINVAL,
			    "-w %s: a trace file is written from one -r file: anonymise each on "
			    "its own (with one --key-file they still merge)",
			    o->wfile);
	o->anon.filtered = o->filters != NULL;
	return 0;
}

/* One option; the ones that only choose a view or a flag need no helper. */
static int parse_one(struct rpt_opts *o, int c, char *arg, char **argv, bool *chosen, bool *top_set,
		     const char **since, const char **until)
{
	const char *bad = NULL;
	size_t badlen = 0, i;
	uint64_t v;
	int rc = 0;

	switch (c) {
	case 'r':
		if (!*arg)
			return fail(o, -EINVAL, "-r: needs a trace file name, or - for stdin");
		if (o->ninputs == RPT_FILES_MAX)
			return fail(o, -EINVAL, "-r: more than %d files", RPT_FILES_MAX);
		o->inputs[o->ninputs++] = arg;
		return 0;
	case 'w':
		if (!*arg)
			return fail(o, -EINVAL, "-w: needs a pcapng file name, or - for stdout");
		o->wfile = arg;
		o->write_trace = is_trace_name(arg);
		return set_view(o, chosen, "pcapng");
	case 'c':
		return parse_num(o, "-c", arg, 1, UINT64_MAX, &o->max_drops);
	case 'n':
		return 0; /* tcpdump's habit: output is always numeric */
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case OPT_FORMAT:
		return set_format(o, chosen, arg);
	case OPT_SUMMARY:
		rc = set_view(o, chosen, "summary");
		if (!rc)
			rc = rpt_summary_parse_keys(arg, &o->cfg.summary, &bad, &badlen);
		if (rc == -E2BIG)
			return fail(o, -EINVAL, "--summary: more than %d keys",
				    RPT_SUMMARY_KEYS_MAX);
		if (rc == -EINVAL && bad)
			return fail(o, -EINVAL,
				    "--summary: unknown key '%.*s': keys are reason, location, "
				    "stack, flow, saddr, daddr, dport, state, comm, netns, ifname, "
				    "flags, host, owner, container",
				    (int)badlen, bad);
		return rc;
	case OPT_TOP:
		rc = parse_num(o, "--top", arg, 1, SIZE_MAX, &v);
		if (rc)
			return rc;
		o->cfg.summary.top = (size_t)v;
		*top_set = true;
		return 0;
	case OPT_TIMELINE:
		rc = set_view(o, chosen, "timeline");
		if (!rc && arg && rpt_interval_parse(arg, &o->cfg.timeline.interval_ns))
			return fail(o, -EINVAL,
				    "--timeline: '%s' is not an interval like 10s, 500ms, 5m, 1h",
				    arg);
		return rc;
	case OPT_TIMELINE_BY_REASON:
		o->cfg.timeline.by_reason = true;
		return set_view(o, chosen, "timeline");
	case OPT_INFO:
		return set_view(o, chosen, "info");
	case OPT_EXPLAIN:
		o->cfg.explain = true; /* a view of its own or a column: decided after the loop */
		return 0;
	case OPT_REASONS:
		o->reasons = true;
		return 0;
	case OPT_NO_STACK:
		o->cfg.o.no_stack = true;
		return 0;
	case OPT_TIME:
		for (i = 0; i < sizeof(time_names) / sizeof(time_names[0]); i++) {
			if (strcmp(arg, time_names[i]) == 0) {
				o->cfg.o.time_fmt = (enum rpt_time_fmt)i;
				return 0;
			}
		}
		return fail(o, -EINVAL, "--time: '%s' is not one of clock, iso, epoch, relative",
			    arg);
	case OPT_UTC:
		o->cfg.o.utc = true;
		return 0;
	case OPT_REASON:
		return filter_check(o, rpt_filter_add_reasons(o->filter, arg), "--reason", arg);
	case OPT_STATE:
		rc = rpt_filter_add_states(o->filter, arg);
		if (rc == -ENOENT)
			return fail(o, -EINVAL,
				    "--state: '%s' names no TCP state: the states are %s, or - "
				    "for drops without a socket",
				    arg, rpt_tcp_state_names);
		return filter_check(o, rc, "--state", arg);
	case OPT_COMM:
		if (!*arg || strlen(arg) >= TDF_COMM_LEN)
			return fail(o, -EINVAL, "--comm: '%s' must be 1..%u bytes", arg,
				    TDF_COMM_LEN - 1);
		return filter_check(o, rpt_filter_add_comm(o->filter, arg), "--comm", arg);
	case OPT_PID:
		rc = parse_num(o, "--pid", arg, 0, UINT32_MAX, &v);
		return rc ? rc
			  : filter_check(o, rpt_filter_add_pid(o->filter, (uint32_t)v), "--pid",
					 arg);
	case OPT_NETNS:
		rc = parse_num(o, "--netns", arg, 1, UINT32_MAX, &v);
		return rc ? rc
			  : filter_check(o, rpt_filter_add_netns(o->filter, (uint32_t)v), "--netns",
					 arg);
	case OPT_IFNAME:
		if (!*arg || strlen(arg) >= TDF_IFNAME_LEN)
			return fail(o, -EINVAL, "--ifname: '%s' must be 1..%u bytes", arg,
				    TDF_IFNAME_LEN - 1);
		return filter_check(o, rpt_filter_add_ifname(o->filter, arg), "--ifname", arg);
	case OPT_OWNER:
		if (!*arg || strlen(arg) >= TDF_COMM_LEN)
			return fail(o, -EINVAL,
				    "--owner: '%s' must be a PID or a COMM of 1..%u bytes", arg,
				    TDF_COMM_LEN - 1);
		rc = rpt_filter_add_owner(o->filter, arg);
		if (rc == -ERANGE)
			return fail(o, -EINVAL, "--owner: '%s' is not a number in 0..%" PRIu32, arg,
				    UINT32_MAX);
		return filter_check(o, rc, "--owner", arg);
	case OPT_CONTAINER:
		if (!*arg || strlen(arg) > TDF_NAME_MAX)
			return fail(o, -EINVAL, "--container: '%s' must be 1..%u bytes", arg,
				    TDF_NAME_MAX);
		return filter_check(o, rpt_filter_add_container(o->filter, arg), "--container",
				    arg);
	case OPT_SINCE:
		*since = arg;
		return 0;
	case OPT_UNTIL:
		*until = arg;
		return 0;
	case OPT_FOLDED_ROOT:
		for (i = 0; i < sizeof(folded_roots) / sizeof(folded_roots[0]); i++) {
			if (strcmp(arg, folded_roots[i]) == 0) {
				o->cfg.folded_root = (enum rpt_folded_root)i;
				return 0;
			}
		}
		return fail(o, -EINVAL,
			    "--folded-root: '%s' is not one of none, reason, netns, owner", arg);
	case OPT_HTML:
		if (!*arg)
			return fail(o, -EINVAL, "--html: needs an HTML file name, or - for stdout");
		o->wfile = arg;
		return set_view(o, chosen, "html");
	case OPT_ANONYMIZE:
	case OPT_KEY_FILE:
	case OPT_KEEP_NET:
	case OPT_KEEP_PAYLOAD:
	case OPT_SCRUB_NAMES:
	case OPT_TIME_SHIFT:
		return parse_anon(o, c, arg);
	case OPT_STACK_CONTAINS:
		if (!*arg)
			return fail(o, -EINVAL, "--stack-contains: empty symbol");
		return filter_check(o, rpt_filter_add_stack_sym(o->filter, arg), "--stack-contains",
				    arg);
	default:
		return bad_option(o, c, argv);
	}
}

int rpt_opts_parse(int argc, char **argv, struct rpt_opts *o)
{
	const char *since = NULL, *until = NULL;
	bool chosen = false, top_set = false, folded_root_set = false;
	size_t i;
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->view = &rpt_views[0];
	o->filter = rpt_filter_new();
	if (!o->filter)
		return fail(o, -ENOMEM, "%s", strerror(ENOMEM));
	optind = 0; /* a full reset: tests parse many command lines */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:w:c:nhV", long_opts, NULL)) != -1) {
		rc = parse_one(o, c, optarg, argv, &chosen, &top_set, &since, &until);
		if (!rc)
			rc = note_filter(o, c, optarg);
		if (rc)
			return rc;
		folded_root_set |= c == OPT_FOLDED_ROOT;
		if (o->help || o->version)
			return 0; /* what follows is not looked at, as tcpdump does */
	}
	/* --since/--until are parsed after the loop: --utc may come after them. */
	if (since && (rc = parse_time(o, "--since", since, true)))
		return rc;
	if (until && (rc = parse_time(o, "--until", until, false)))
		return rc;
	if (o->reasons) {
		if (o->ninputs || chosen || o->cfg.explain)
			return fail(o, -EINVAL,
				    "--reasons: lists what tcpdrop knows, alone: no -r, view or "
				    "--explain");
		return 0;
	}
	if (o->cfg.explain && (rc = resolve_explain(o, chosen)))
		return rc;
	if (top_set && strcmp(o->view->name, "summary") != 0)
		return fail(o, -EINVAL, "--top: only with --summary");
	if (folded_root_set && strcmp(o->view->name, "folded") != 0)
		return fail(o, -EINVAL, "--folded-root: only with --format=folded");
	if (o->ninputs == 0)
		return fail(o, -EINVAL, "no input: give -r FILE (or -r - for stdin)");
	if (optind < argc && (rc = parse_expression(o, argc, argv, optind)))
		return rc;
	if ((rc = check_anon(o)))
		return rc;
	for (i = 0; i < o->ninputs; i++) {
		if (strcmp(o->inputs[i], "-") != 0)
			continue;
		if (o->cfg.o.flush)
			return fail(o, -EINVAL, "-r -: standard input given twice");
		o->cfg.o.flush = true; /* a live view: show each drop as it arrives */
	}
	return 0;
}

void rpt_opts_free(struct rpt_opts *o)
{
	rpt_filter_free(o->filter);
	free(o->err);
	free(o->filters);
	o->filter = NULL;
	o->err = NULL;
	o->filters = NULL;
	o->cfg.filters = NULL;
}
