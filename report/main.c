// SPDX-License-Identifier: BSD-2-Clause
/* tcpdrop-report: wiring of the offline trace-file reader (options, files, view, run, status). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "opts.h"

#define PROG "tcpdrop-report"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: " PROG " -r FILE [-r FILE]... [-c COUNT] [-w FILE] [-n]\n"
	    "                      [--format=table|json|csv|folded] [--summary=KEY[,KEY]...]\n"
	    "                      [--top=N] [--timeline[=INTERVAL]] [--timeline-by-reason]\n"
	    "                      [--info] [--explain]\n"
	    "                      [--folded-root=none|reason|netns|owner] [--html=FILE]\n"
	    "                      [--no-stack] [--time=clock|iso|epoch|relative] [--utc]\n"
	    "                      [--reason=NAME[,NAME]...] [--state=NAME[,NAME]...]\n"
	    "                      [--comm=NAME] [--pid=PID] [--netns=INODE] [--ifname=NAME]\n"
	    "                      [--since=TIME] [--until=TIME] [--stack-contains=SYMBOL]\n"
	    "                      [expression]\n"
	    "       " PROG " --reasons\n"
	    "       " PROG " -h | --help | -V | --version\n"
	    "\n"
	    "KEY: reason location stack flow saddr daddr dport state comm netns ifname flags host\n"
	    "TIME: \"YYYY-MM-DD HH:MM:SS[.frac]\", ISO 8601, @EPOCH or +SECONDS from the start\n"
	    "expression: a tcpdump filter applied to the stored packet bytes\n"
	    "See tcpdrop-report(8).\n");
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

/*
 * Reading a pipe (tcpdrop-record -w - | tcpdrop-report -r -): Ctrl-C reaches both. The
 * recorder closes its file cleanly on SIGINT; ignoring it here lets the report read to that
 * end and still print its summary, timeline or pcapng statistics.
 */
static void live_from_pipe(void)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) == 0 && S_ISFIFO(st.st_mode))
		signal(SIGINT, SIG_IGN);
}

/* -w FILE: a new file, or the existing one truncated (never through a dangling link race). */
static FILE *open_output(const char *path)
{
	FILE *out = fopen(path, "wbx");

	return !out && errno == EEXIST ? fopen(path, "wb") : out;
}

/* Why the run stopped: each file's own read error, else the output's. */
static void report_failure(struct rpt_file *const *files, size_t n, const char *out_name, int rc)
{
	bool named = false;
	char msg[1024];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!*rpt_file_error(files[i]))
			continue;
		rpt_text_escape(msg, sizeof(msg), rpt_file_error(files[i]), 4096);
		fprintf(stderr, PROG ": %s\n", msg);
		named = true;
	}
	if (!named)
		fprintf(stderr, PROG ": %s: %s\n", out_name, strerror(-rc));
}

/* stdout's buffer when it is not a live view (setvbuf ignores a size without a buffer). It
 * must outlive main(): exit() flushes stdout after main returns. */
static char stdout_buf[1u << 16];

int main(int argc, char **argv)
{
	struct rpt_file *files[RPT_FILES_MAX];
	struct rpt_run_opts ro = {.on_problem = on_problem};
	const char *out_name = "standard output";
	struct rpt_sink *sink = NULL;
	size_t nfiles = 0, i;
	struct rpt_opts o;
	FILE *out = stdout;
	int rc, status = 1;

	rc = rpt_opts_parse(argc, argv, &o);
	if (rc) {
		fprintf(stderr, PROG ": %s%s\n", o.err ? o.err : strerror(-rc),
			rc == -EINVAL ? " (see --help)" : "");
		rpt_opts_free(&o);
		return rc == -EINVAL ? 2 : 1;
	}
	if (o.help || o.version) {
		if (o.help)
			usage(stdout);
		else
			printf(PROG " " TCPDROP_VERSION "\n");
		rpt_opts_free(&o);
		return 0;
	}
	if (o.reasons) {
		rc = rpt_explain_list(stdout);
		if (rc)
			fprintf(stderr, PROG ": standard output: %s\n", strerror(-rc));
		rpt_opts_free(&o);
		return rc ? 1 : 0;
	}
	if (o.cfg.o.flush)
		live_from_pipe();
	ro.filter = o.filter;
	ro.max_drops = o.max_drops;
	for (; nfiles < o.ninputs; nfiles++) {
		files[nfiles] = rpt_file_open(o.inputs[nfiles]);
		if (!files[nfiles]) {
			fprintf(stderr, PROG ": %s: %s\n", o.inputs[nfiles], strerror(errno));
			goto out;
		}
	}
	if (o.wfile && strcmp(o.wfile, "-") != 0) {
		out_name = o.wfile;
		out = open_output(o.wfile);
		if (!out) {
			fprintf(stderr, PROG ": %s: %s\n", o.wfile, strerror(errno));
			goto out;
		}
	}
	sink = o.view->open(out, &o.cfg);
	if (!sink) {
		fprintf(stderr, PROG ": %s\n", strerror(errno));
		goto out;
	}
	/* Not a live view and not a terminal: a large buffer turns the views' many small writes
	 * into few system calls. A live view keeps flushing per event (cfg.o.flush). */
	if (out == stdout && !o.cfg.o.flush && !isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	rc = rpt_run(files, nfiles, sink, &ro);
	status = rc ? 1 : 0;
	if (rc)
		report_failure(files, nfiles, out_name, rc);
	rpt_sink_close(sink);
	errno = 0;
	if ((out != stdout ? fclose(out) : fflush(stdout)) == EOF) {
		fprintf(stderr, PROG ": %s: %s\n", out_name, strerror(errno ? errno : EIO));
		status = 1;
	}
out:
	for (i = 0; i < nfiles; i++)
		rpt_file_close(files[i]);
	rpt_opts_free(&o);
	return status;
}
