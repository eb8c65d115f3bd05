// SPDX-License-Identifier: BSD-2-Clause
/* tcpdrop-report: wiring of the offline trace-file reader (options, files, view, run, status). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "budget.h"
#include "explain.h"
#include "opts.h"
#include "sandbox.h"
#include "rewrite.h"

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
	    "                      [--owner=COMM|PID] [--container=ID]\n"
	    "                      [--since=TIME] [--until=TIME] [--stack-contains=SYMBOL]\n"
	    "                      [--anonymize [--key-file=FILE] [--keep-net=PREFIX]...\n"
	    "                       [--keep-payload] [--scrub-names] [--time-shift=SECS]]\n"
	    "                      [expression]\n"
	    "       " PROG " --reasons\n"
	    "       " PROG " -h | --help | -V | --version\n"
	    "\n"
	    "KEY: reason location stack flow saddr daddr dport state comm netns ifname flags host\n"
	    "     owner container\n"
	    "TIME: \"YYYY-MM-DD HH:MM:SS[.frac]\", ISO 8601, @EPOCH or +SECONDS from the start\n"
	    "expression: a tcpdump filter applied to the stored packet bytes\n"
	    "-w FILE.tdrop writes a trace file (filtered, --anonymize'd), any other name pcapng\n"
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

/* A file's table is full (report/budget.h): one line per file and table. */
static void on_full(void *arg, const char *file, const char *table, const char *what)
{
	char name[512];

	(void)arg;
	rpt_text_escape(name, sizeof(name), file, 4096);
	fprintf(stderr, PROG ": %s: %s: %s\n", name, table, what);
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

/* One line of a module's (it names files: escaped). */
static void say(const char *line)
{
	char msg[4096];

	rpt_text_escape(msg, sizeof(msg), line, 1024);
	fprintf(stderr, PROG ": %s\n", msg);
}

/* --anonymize: the key (--key-file, else random and forgotten) and the anonymiser. */
static struct rpt_anon *open_anon(const struct rpt_anon_opts *ao)
{
	uint8_t key[RPT_ANON_KEY_LEN];
	struct rpt_anon *a;
	char err[512];
	bool created = false;
	int rc;

	if (ao->key_file)
		rc = rpt_anon_key_load(ao->key_file, key, &created, err, sizeof(err));
	else if ((rc = rpt_anon_key_random(key)))
		snprintf(err, sizeof(err), "random key: %s", strerror(-rc));
	if (rc) {
		say(err);
		return NULL;
	}
	if (created)
		fprintf(stderr, PROG ": %s: a new key: keep it to anonymise other files alike\n",
			ao->key_file);
	a = rpt_anon_new(key, ao);
	explicit_bzero(key, sizeof(key));
	if (!a)
		fprintf(stderr, PROG ": anonymiser: %s\n", strerror(errno));
	return a;
}

/* --anonymize with a view: each input anonymised into memory first, then read from there. */
static struct rpt_file *open_anonymized(const struct rpt_opts *o, struct rpt_anon *a, size_t i,
					struct rpt_rewritten *copy, const struct rpt_run_opts *ro)
{
	struct rpt_rewrite_opts wo = {
	    .filter = o->filter, .anon = a, .on_problem = ro->on_problem, .arg = ro->arg};
	struct rpt_file *f;
	char err[1024];
	int rc;

	rc = rpt_rewrite_mem(o->inputs[i], &wo, copy, err, sizeof(err));
	if (rc) {
		say(err);
		return NULL;
	}
	f = rpt_file_open_mem(copy->buf, copy->len, o->inputs[i]);
	if (!f)
		fprintf(stderr, PROG ": %s: %s\n", o->inputs[i], strerror(errno));
	return f;
}

/*
 * -w NAME.tdrop: the one input copied through the format writer. The output is created 0600
 * like the recorder's (never through a symbolic link) and is never the input itself.
 */
static int write_trace(const struct rpt_opts *o, struct rpt_anon *a, const struct rpt_run_opts *ro)
{
	struct rpt_rewrite_opts wo = {.filter = o->filter,
				      .max_drops = o->max_drops,
				      .anon = a,
				      .on_problem = ro->on_problem,
				      .arg = ro->arg};
	const int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	bool std = strcmp(o->inputs[0], "-") == 0, created = true;
	struct rpt_rewrite_stats st;
	struct stat si, so;
	int in, out, rc;
	char err[1024];

	in = std ? STDIN_FILENO : open(o->inputs[0], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->inputs[0], strerror(errno));
		return 1;
	}
	out = open(o->wfile, flags | O_EXCL, 0600);
	if (out < 0 && errno == EEXIST) {
		created = false;
		out = open(o->wfile, flags, 0600);
	}
	if (out < 0) {
		fprintf(stderr, PROG ": %s: %s\n", o->wfile, strerror(errno));
		goto fail_in;
	}
	if (!fstat(in, &si) && !fstat(out, &so) && si.st_dev == so.st_dev &&
	    si.st_ino == so.st_ino) {
		fprintf(stderr, PROG ": %s: is the input file\n", o->wfile);
		goto fail_out;
	}
	if (!created && S_ISREG(so.st_mode) && ftruncate(out, 0)) {
		fprintf(stderr, PROG ": %s: %s\n", o->wfile, strerror(errno));
		goto fail_out;
	}
	rc = rpt_rewrite(in, std ? "stdin" : o->inputs[0], out, &wo, &st, err, sizeof(err));
	if (!rc && close(out))
		snprintf(err, sizeof(err), "%s: %s", o->wfile, strerror(rc = errno));
	else if (rc)
		close(out);
	if (!std)
		close(in);
	if (rc) {
		say(err);
		if (created)
			unlink(o->wfile);
		return 1;
	}
	fprintf(stderr, PROG ": %s: %" PRIu64 " of %" PRIu64 " drops written%s\n", o->wfile,
		st.drops_out, st.drops_in, a ? ", anonymised" : "");
	return 0;
fail_out:
	close(out);
	if (created)
		unlink(o->wfile);
fail_in:
	if (!std)
		close(in);
	return 1;
}

/*
 * Everything is open: from here on the report needs no open() (report/sandbox.h). Off with
 * TCPDROP_NO_SECCOMP=1 (valgrind cannot run a seccomp'd process well); the test hook
 * TCPDROP_TEST_FORBIDDEN_SYSCALL=1 makes one forbidden call, which must kill the process.
 */
static int confine(void)
{
	const char *off = getenv("TCPDROP_NO_SECCOMP");
	const char *test = getenv("TCPDROP_TEST_FORBIDDEN_SYSCALL");
	int rc;

	if (off && strcmp(off, "1") == 0)
		return 0;
	rc = rpt_sandbox_enter();
	if (rc) {
		fprintf(stderr, PROG ": seccomp: %s (TCPDROP_NO_SECCOMP=1 runs without it)\n",
			strerror(-rc));
		return rc;
	}
	if (test && strcmp(test, "1") == 0)
		rpt_sandbox_test_forbidden();
	return 0;
}

/* stdout's buffer when it is not a live view (setvbuf ignores a size without a buffer). It
 * must outlive main(): exit() flushes stdout after main returns. */
static char stdout_buf[1u << 16];

int main(int argc, char **argv)
{
	struct rpt_file *files[RPT_FILES_MAX];
	struct rpt_rewritten copies[RPT_FILES_MAX] = {{0}};
	struct rpt_run_opts ro = {.on_problem = on_problem};
	struct rpt_anon *anon = NULL;
	const char *out_name = "standard output";
	struct rpt_sink *sink = NULL;
	size_t nfiles = 0, i;
	struct rpt_opts o;
	FILE *out = stdout;
	int rc, status = 1;

	/*
	 * One malloc arena for every thread: a second arena, which glibc makes for a reader's
	 * read-ahead thread when the main one is busy, reads /proc/sys/vm/overcommit_memory the
	 * first time it shrinks, an open() the seccomp filter (rightly) refuses.
	 */
	mallopt(M_ARENA_MAX, 1);
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
	rpt_budget_on_full(on_full, NULL);
	if (o.anonymize && !(anon = open_anon(&o.anon)))
		goto out;
	if (o.write_trace) {
		status = write_trace(&o, anon, &ro);
		goto out;
	}
	if (anon) {
		/* The filters judged the original drops; their text may name addresses. */
		ro.filter = NULL;
		if (o.cfg.filters)
			o.cfg.filters = "(applied before anonymisation, not shown)";
	}
	for (; nfiles < o.ninputs; nfiles++) {
		files[nfiles] = anon ? open_anonymized(&o, anon, nfiles, &copies[nfiles], &ro)
				     : rpt_file_open(o.inputs[nfiles]);
		if (!files[nfiles]) {
			if (!anon)
				fprintf(stderr, PROG ": %s: %s\n", o.inputs[nfiles],
					strerror(errno));
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
	if (confine()) {
		rpt_sink_close(sink);
		if (out != stdout)
			fclose(out);
		goto out;
	}
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
	for (i = 0; i < o.ninputs && anon; i++)
		rpt_rewritten_free(&copies[i]);
	rpt_anon_free(anon);
	rpt_opts_free(&o);
	return status;
}
