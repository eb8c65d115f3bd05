// SPDX-License-Identifier: BSD-2-Clause
/* tcpdrop-report: options, wiring and diagnostics of the offline trace-file reader. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "filter.h"
#include "rpt.h"
#include "views.h"

#define PROG	  "tcpdrop-report"
#define FILES_MAX 1024 /* -r given more often than this is a mistake, not a workload */

enum {
	OPT_FORMAT = 256,
	OPT_SUMMARY,
	OPT_TOP,
	OPT_TIMELINE,
	OPT_TIMELINE_BY_REASON,
	OPT_INFO,
	OPT_NO_STACK,
	OPT_TIME,
	OPT_UTC,
	OPT_REASON,
	OPT_STATE,
	OPT_COMM,
	OPT_PID,
	OPT_NETNS,
	OPT_IFNAME,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_STACK_CONTAINS,
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
    {"no-stack", no_argument, NULL, OPT_NO_STACK},
    {"time", required_argument, NULL, OPT_TIME},
    {"utc", no_argument, NULL, OPT_UTC},
    {"reason", required_argument, NULL, OPT_REASON},
    {"state", required_argument, NULL, OPT_STATE},
    {"comm", required_argument, NULL, OPT_COMM},
    {"pid", required_argument, NULL, OPT_PID},
    {"netns", required_argument, NULL, OPT_NETNS},
    {"ifname", required_argument, NULL, OPT_IFNAME},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"stack-contains", required_argument, NULL, OPT_STACK_CONTAINS},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: " PROG " -r FILE [-r FILE]... [-c COUNT] [-w FILE] [-n]\n"
	    "                      [--format=table|json|csv] [--summary=KEY[,KEY]...] [--top=N]\n"
	    "                      [--timeline[=INTERVAL]] [--timeline-by-reason] [--info]\n"
	    "                      [--no-stack] [--time=clock|iso|epoch|relative] [--utc]\n"
	    "                      [--reason=NAME[,NAME]...] [--state=NAME[,NAME]...]\n"
	    "                      [--comm=NAME] [--pid=PID] [--netns=INODE] [--ifname=NAME]\n"
	    "                      [--since=TIME] [--until=TIME] [--stack-contains=SYMBOL]\n"
	    "                      [expression]\n"
	    "       " PROG " -h | --help | -V | --version\n"
	    "\n"
	    "KEY: reason location stack flow saddr daddr dport state comm netns ifname flags host\n"
	    "TIME: \"YYYY-MM-DD HH:MM:SS[.frac]\", ISO 8601, @EPOCH or +SECONDS from the start\n"
	    "expression: a tcpdump filter applied to the stored packet bytes\n"
	    "See tcpdrop-report(8).\n");
}

/* One line naming the option, then exit 2 (usage error). */
static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

/* The one strict number parser: decimal digits only, within [min, max]. */
static uint64_t parse_num(const char *opt, const char *s, uint64_t min, uint64_t max)
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
	return v;
bad:
	die_usage("%s: '%s' is not a number in %" PRIu64 "..%" PRIu64, opt, s, min, max);
}

static void on_problem(void *arg, const struct rpt_file *f, uint32_t type,
		       const struct tdf_problem *p)
{
	char name[512], what[512];

	(void)arg;
	rpt_text_escape(name, sizeof(name), rpt_file_name(f), 4096);
	rpt_text_escape(what, sizeof(what), p->what ? p->what : "", 4096);
	if (type == TDF_EV_TRUNCATED)
		fprintf(stderr, PROG ": %s: offset %" PRIu64 ": truncated: %s\n", name, p->offset,
			what);
	else
		fprintf(stderr,
			PROG ": %s: offset %" PRIu64 ": corrupt, %" PRIu64 " bytes skipped: %s\n",
			name, p->offset, p->skipped, what);
}

enum view { VIEW_TABLE, VIEW_JSON, VIEW_CSV, VIEW_SUMMARY, VIEW_TIMELINE, VIEW_INFO, VIEW_PCAPNG };

static const char *const view_opt[] = {
    [VIEW_TABLE] = "--format=table",
    [VIEW_JSON] = "--format=json",
    [VIEW_CSV] = "--format=csv",
    [VIEW_SUMMARY] = "--summary",
    [VIEW_TIMELINE] = "--timeline",
    [VIEW_INFO] = "--info",
    [VIEW_PCAPNG] = "-w",
};

static void set_view(enum view *cur, bool *chosen, enum view v)
{
	if (*chosen && *cur != v)
		die_usage("%s and %s cannot be combined: choose one view", view_opt[*cur],
			  view_opt[v]);
	*cur = v;
	*chosen = true;
}

static void filter_check(int rc, const char *opt, const char *arg)
{
	if (rc == -ENOMEM) {
		fprintf(stderr, PROG ": %s: %s\n", opt, strerror(ENOMEM));
		exit(1);
	}
	if (rc)
		die_usage("%s: '%s' is not a comma-separated list of names", opt, arg);
}

/* stdout's buffer when it is not a live view (setvbuf ignores a size without a buffer). It
 * must outlive main(): exit() flushes stdout after main returns. */
static char stdout_buf[1u << 16];

int main(int argc, char **argv)
{
	const char *inputs[FILES_MAX], *wfile = NULL;
	struct rpt_file *files[FILES_MAX];
	size_t ninputs = 0, nfiles = 0, i;
	struct rpt_view_opts vo = {0};
	struct rpt_summary_opts so = {0};
	struct rpt_timeline_opts to = {0};
	struct rpt_run_opts ro = {.on_problem = on_problem};
	struct rpt_filter *filter;
	struct rpt_sink *sink = NULL;
	enum view view = VIEW_TABLE;
	bool view_chosen = false, top_set = false;
	const char *since = NULL, *until = NULL;
	FILE *out = stdout;
	int c, rc, status = 0;

	filter = rpt_filter_new();
	if (!filter) {
		fprintf(stderr, PROG ": %s\n", strerror(errno));
		return 1;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:w:c:nhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!*optarg)
				die_usage("-r: needs a trace file name, or - for stdin");
			if (ninputs == FILES_MAX)
				die_usage("-r: more than %d files", FILES_MAX);
			inputs[ninputs++] = optarg;
			break;
		case 'w':
			if (!*optarg)
				die_usage("-w: needs a pcapng file name, or - for stdout");
			wfile = optarg;
			set_view(&view, &view_chosen, VIEW_PCAPNG);
			break;
		case 'c':
			ro.max_drops = parse_num("-c", optarg, 1, UINT64_MAX);
			break;
		case 'n':
			break; /* tcpdump's habit: output is always numeric */
		case 'h':
			usage(stdout);
			rpt_filter_free(filter);
			return 0;
		case 'V':
			printf(PROG " " TCPDROP_VERSION "\n");
			rpt_filter_free(filter);
			return 0;
		case OPT_FORMAT:
			if (strcmp(optarg, "table") == 0)
				set_view(&view, &view_chosen, VIEW_TABLE);
			else if (strcmp(optarg, "json") == 0)
				set_view(&view, &view_chosen, VIEW_JSON);
			else if (strcmp(optarg, "csv") == 0)
				set_view(&view, &view_chosen, VIEW_CSV);
			else
				die_usage("--format: '%s' is not one of table, json, csv", optarg);
			break;
		case OPT_SUMMARY: {
			const char *bad = NULL;
			size_t badlen = 0;

			set_view(&view, &view_chosen, VIEW_SUMMARY);
			rc = rpt_summary_parse_keys(optarg, &so, &bad, &badlen);
			if (rc == -E2BIG)
				die_usage("--summary: more than %d keys", RPT_SUMMARY_KEYS_MAX);
			if (rc)
				die_usage(
				    "--summary: unknown key '%.*s': keys are reason, location, "
				    "stack, flow, saddr, daddr, dport, state, comm, netns, ifname, "
				    "flags, host",
				    (int)badlen, bad);
			break;
		}
		case OPT_TOP:
			so.top = (size_t)parse_num("--top", optarg, 1, SIZE_MAX);
			top_set = true;
			break;
		case OPT_TIMELINE:
			set_view(&view, &view_chosen, VIEW_TIMELINE);
			if (optarg && rpt_interval_parse(optarg, &to.interval_ns))
				die_usage(
				    "--timeline: '%s' is not an interval like 10s, 500ms, 5m, 1h",
				    optarg);
			break;
		case OPT_TIMELINE_BY_REASON:
			set_view(&view, &view_chosen, VIEW_TIMELINE);
			to.by_reason = true;
			break;
		case OPT_INFO:
			set_view(&view, &view_chosen, VIEW_INFO);
			break;
		case OPT_NO_STACK:
			vo.no_stack = true;
			break;
		case OPT_TIME:
			if (strcmp(optarg, "clock") == 0)
				vo.time_fmt = RPT_TIME_CLOCK;
			else if (strcmp(optarg, "iso") == 0)
				vo.time_fmt = RPT_TIME_ISO;
			else if (strcmp(optarg, "epoch") == 0)
				vo.time_fmt = RPT_TIME_EPOCH;
			else if (strcmp(optarg, "relative") == 0)
				vo.time_fmt = RPT_TIME_RELATIVE;
			else
				die_usage("--time: '%s' is not one of clock, iso, epoch, relative",
					  optarg);
			break;
		case OPT_UTC:
			vo.utc = true;
			break;
		case OPT_REASON:
			filter_check(rpt_filter_add_reasons(filter, optarg), "--reason", optarg);
			break;
		case OPT_STATE:
			rc = rpt_filter_add_states(filter, optarg);
			if (rc == -ENOENT)
				die_usage(
				    "--state: '%s' names no TCP state: the states are %s, or - "
				    "for drops without a socket",
				    optarg, rpt_tcp_state_names);
			filter_check(rc, "--state", optarg);
			break;
		case OPT_COMM:
			if (!*optarg || strlen(optarg) >= TDF_COMM_LEN)
				die_usage("--comm: '%s' must be 1..%u bytes", optarg,
					  TDF_COMM_LEN - 1);
			filter_check(rpt_filter_add_comm(filter, optarg), "--comm", optarg);
			break;
		case OPT_PID:
			filter_check(rpt_filter_add_pid(filter, (uint32_t)parse_num("--pid", optarg,
										    0, UINT32_MAX)),
				     "--pid", optarg);
			break;
		case OPT_NETNS:
			filter_check(
			    rpt_filter_add_netns(
				filter, (uint32_t)parse_num("--netns", optarg, 1, UINT32_MAX)),
			    "--netns", optarg);
			break;
		case OPT_IFNAME:
			if (!*optarg || strlen(optarg) >= TDF_IFNAME_LEN)
				die_usage("--ifname: '%s' must be 1..%u bytes", optarg,
					  TDF_IFNAME_LEN - 1);
			filter_check(rpt_filter_add_ifname(filter, optarg), "--ifname", optarg);
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case OPT_STACK_CONTAINS:
			if (!*optarg)
				die_usage("--stack-contains: empty symbol");
			filter_check(rpt_filter_add_stack_sym(filter, optarg), "--stack-contains",
				     optarg);
			break;
		case ':':
			if (optopt && optopt < 256)
				die_usage("option '-%c' needs an argument", optopt);
			die_usage("option '%s' needs an argument", argv[optind - 1]);
		default: {
			const char *arg = argv[optind - 1], *eq = strchr(arg, '=');

			/* getopt_long reports "--flag=value" for a flag without a value here. */
			if (strncmp(arg, "--", 2) == 0 && eq)
				die_usage("%.*s: takes no value", (int)(eq - arg), arg);
			if (optopt && optopt < 256 && strncmp(arg, "--", 2) != 0)
				die_usage("unknown option '-%c'", optopt);
			die_usage("unknown option '%s'", arg);
		}
		}
	}
	/* --since/--until are parsed after the loop: --utc may come after them. */
	if (since || until) {
		struct rpt_when w;

		if (since) {
			if (rpt_when_parse(since, vo.utc, &w))
				die_usage(
				    "--since: '%s' is not a time (\"YYYY-MM-DD HH:MM:SS\", ISO "
				    "8601, @EPOCH or +SECONDS)",
				    since);
			rpt_filter_set_since(filter, &w);
		}
		if (until) {
			if (rpt_when_parse(until, vo.utc, &w))
				die_usage(
				    "--until: '%s' is not a time (\"YYYY-MM-DD HH:MM:SS\", ISO "
				    "8601, @EPOCH or +SECONDS)",
				    until);
			rpt_filter_set_until(filter, &w);
		}
	}
	if (top_set && view != VIEW_SUMMARY)
		die_usage("--top: only with --summary");
	if (ninputs == 0)
		die_usage("no input: give -r FILE (or -r - for stdin)");
	if (optind < argc) {
		char *expr = NULL, err[512];
		size_t len = 0;
		FILE *m = open_memstream(&expr, &len);

		if (!m) {
			fprintf(stderr, PROG ": %s\n", strerror(errno));
			rpt_filter_free(filter);
			return 1;
		}
		for (i = (size_t)optind; i < (size_t)argc; i++)
			fprintf(m, "%s%s", i > (size_t)optind ? " " : "", argv[i]);
		fclose(m);
		rc = rpt_filter_set_pcap(filter, expr, err, sizeof(err));
		if (rc == -EINVAL)
			die_usage("filter expression '%s': %s", expr, err);
		if (rc) {
			fprintf(stderr, PROG ": filter expression: %s\n", err);
			rpt_filter_free(filter);
			free(expr);
			return 1;
		}
		free(expr);
	}
	for (i = 0; i < ninputs; i++) {
		if (strcmp(inputs[i], "-") != 0)
			continue;
		if (vo.flush)
			die_usage("-r -: standard input given twice");
		vo.flush = true; /* a live view: show each drop as it arrives */
	}
	if (vo.flush) {
		struct stat st;

		/*
		 * Reading a pipe (tcpdrop-record -w - | tcpdrop-report -r -): Ctrl-C reaches both.
		 * The recorder closes its file cleanly on SIGINT; ignoring it here lets the report
		 * read to that end and still print its summary, timeline or pcapng statistics.
		 */
		if (fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode))
			signal(SIGINT, SIG_IGN);
	}
	ro.filter = filter;

	for (i = 0; i < ninputs; i++) {
		files[nfiles] = rpt_file_open(inputs[i]);
		if (!files[nfiles]) {
			fprintf(stderr, PROG ": %s: %s\n", inputs[i], strerror(errno));
			status = 1;
			goto out;
		}
		nfiles++;
	}

	if (view == VIEW_PCAPNG && strcmp(wfile, "-") != 0) {
		out = fopen(wfile, "wbx");
		if (!out && errno == EEXIST)
			out = fopen(wfile, "wb");
		if (!out) {
			fprintf(stderr, PROG ": %s: %s\n", wfile, strerror(errno));
			status = 1;
			goto out;
		}
	}
	switch (view) {
	case VIEW_TABLE:
		sink = rpt_table_open(out, &vo);
		break;
	case VIEW_JSON:
		sink = rpt_json_open(out, &vo);
		break;
	case VIEW_CSV:
		sink = rpt_csv_open(out, &vo);
		break;
	case VIEW_SUMMARY:
		sink = rpt_summary_open(out, &vo, &so);
		break;
	case VIEW_TIMELINE:
		sink = rpt_timeline_open(out, &vo, &to);
		break;
	case VIEW_INFO:
		sink = rpt_info_open(out, &vo);
		break;
	case VIEW_PCAPNG:
		sink = rpt_export_open(out, &vo);
		break;
	}
	if (!sink) {
		fprintf(stderr, PROG ": %s\n", strerror(errno));
		status = 1;
		goto out;
	}
	/*
	 * Not a live view and not a terminal: a large buffer turns the views' many small writes
	 * into few system calls. A live view keeps flushing per event (vo.flush).
	 */
	if (out == stdout && !vo.flush && !isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	errno = 0;
	rc = rpt_run(files, nfiles, sink, &ro);
	if (rc) {
		int write_errno = errno; /* the failed write's reason, when the sink says -EIO */
		bool named = false;

		for (i = 0; i < nfiles; i++) {
			if (*rpt_file_error(files[i])) {
				char msg[1024];

				rpt_text_escape(msg, sizeof(msg), rpt_file_error(files[i]), 4096);
				fprintf(stderr, PROG ": %s\n", msg);
				named = true;
			}
		}
		if (!named)
			fprintf(stderr, PROG ": %s: %s\n",
				view == VIEW_PCAPNG && strcmp(wfile, "-") != 0 ? wfile
									       : "standard output",
				strerror(rc == -EIO && write_errno ? write_errno : -rc));
		status = 1;
	}
	rpt_sink_close(sink);
	if (out != stdout && fclose(out) == EOF) {
		fprintf(stderr, PROG ": %s: %s\n", wfile, strerror(errno));
		status = 1;
	} else if (out == stdout && fflush(stdout) == EOF) {
		fprintf(stderr, PROG ": standard output: %s\n", strerror(errno));
		status = 1;
	}
out:
	for (i = 0; i < nfiles; i++)
		rpt_file_close(files[i]);
	rpt_filter_free(filter);
	return status;
}
