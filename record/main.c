// SPDX-License-Identifier: BSD-2-Clause
/* tcpdrop-record: options, usage() and the wiring options -> session -> exit status. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "session.h"
#include "tdf.h"

#define PROG "tcpdrop-record"

static volatile sig_atomic_t stop;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: " PROG " [-w FILE] [-c COUNT] [--duration SECS] [-C MB] [-G SECS] [-W N]\n"
	    "       [-s SNAPLEN] [-4|-6] [--port PORT] [--host ADDR] [--netns INODE]\n"
	    "       [--reason NAME[,NAME]...] [--all-reasons] [--no-stack | --stack-depth N] "
	    "[--no-owner]\n"
	    "       [--ringbuf-size SIZE] [--flush-interval MS] [--metrics FILE]\n"
	    "       [-Z USER] [-n] [-q]\n"
	    "\n"
	    "Record every dropped TCP segment (IPv4/IPv6) with its kernel drop reason, location,\n"
	    "stack and first bytes into a trace file; read it with tcpdrop-report(8). Without -w,\n"
	    "show each drop live as a table (the trace is decoded by tcpdrop-report -r -).\n"
	    "\n"
	    "  -w FILE              write the trace to FILE (- = standard output)\n"
	    "  -c COUNT             stop after COUNT drops\n"
	    "  --duration SECS      stop after SECS seconds\n"
	    "  -C MB                start a new file after MB million bytes\n"
	    "  -G SECS              start a new file every SECS seconds (FILE is a strftime "
	    "pattern)\n"
	    "  -W N                 keep only the newest N files\n"
	    "  -s SNAPLEN           bytes of each packet from the IP header (%u-%u, default %u)\n"
	    "  -4, -6               IPv4 or IPv6 only\n"
	    "  --port PORT          drops with PORT on either side\n"
	    "  --host ADDR          drops with ADDR (IPv4 or IPv6) on either side\n"
	    "  --netns INODE        drops in the network namespace with this inode\n"
	    "  --reason NAME,...    only these drop reasons (e.g. NO_SOCKET,TCP_CSUM)\n"
	    "  --all-reasons        also record NOT_SPECIFIED drops (counted, not recorded, by "
	    "default)\n"
	    "  --no-stack           do not record kernel stacks\n"
	    "  --no-owner           do not look up the processes owning dropped sockets\n"
	    "  --stack-depth N      frames per stack (1-%u, default %u)\n"
	    "  --ringbuf-size SIZE  kernel ring buffer, power of two, K or M (default %uM)\n"
	    "  --flush-interval MS  write buffered drops this often (default %u, live %u)\n"
	    "  --metrics FILE       Prometheus counters into FILE at each flush and at exit\n"
	    "  -Z USER              record as USER (name or uid) once set up%s%s%s\n"
	    "  -n                   accepted and ignored (addresses are always numeric)\n"
	    "  -q                   no start and status lines\n",
	    OPTS_SNAPLEN_MIN, TDF_SNAP_MAX, OPTS_SNAPLEN_DEFAULT, TDF_STACK_MAX,
	    OPTS_STACK_DEPTH_DEFAULT, OPTS_RINGBUF_DEFAULT >> 20, OPTS_FLUSH_MS_DEFAULT,
	    OPTS_FLUSH_MS_LIVE, OPTS_USER_DEFAULT ? " (default " : "",
	    OPTS_USER_DEFAULT ? OPTS_USER_DEFAULT : "", OPTS_USER_DEFAULT ? ")" : "");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	if (debug < 0)
		debug = getenv("TCPDROP_DEBUG") != NULL;
	if (!debug && level != LIBBPF_WARN)
		return 0;
	if (!debug)
		return 0; /* the failing step is reported in one line by main */
	return vfprintf(stderr, fmt, ap);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error (EPIPE) like any other */
}

int main(int argc, char **argv)
{
	char err[OPTS_ERR_LEN];
	struct rec_opts o;
	struct session *s;
	struct session_err e = {.status = 1};
	struct capture_stats st;
	FILE *status; /* the live table owns the terminal: no status line between its rows */
	int ret = 1;

	libbpf_set_print(libbpf_print);
	catch_signals(); /* from the start: a signal during setup still ends in a clean file */
	if (opts_parse(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return 2;
	}
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.version) {
		printf(PROG " %s\n", TCPDROP_VERSION);
		return 0;
	}
	s = session_new(&o, argc, argv);
	if (!s) {
		fprintf(stderr, PROG ": set up: %s\n", strerror(errno));
		return 1;
	}
	/* before setup: isatty is an ioctl, which the seccomp filter does not allow */
	status = !o.quiet && o.path && isatty(STDERR_FILENO) ? stderr : NULL;
	if (session_setup(s, &e))
		goto out;
	/* the readiness signal: attached, output open, privileges dropped */
	if (!o.quiet && !o.path)
		fprintf(stderr, PROG ": showing drops live via %s, Ctrl-C to stop\n",
			session_hook(s));
	else if (!o.quiet)
		fprintf(stderr, PROG ": recording to %s via %s, Ctrl-C to stop\n",
			session_output_name(s), session_hook(s));
	if (session_run(s, &stop, status, &st, &e))
		goto out;
	fprintf(stderr, PROG ": %llu drops recorded, %llu lost (%llu NOT_SPECIFIED excluded)\n",
		(unsigned long long)st.drops, (unsigned long long)st.lost,
		(unsigned long long)st.excluded);
	ret = 0;
out:
	if (ret) {
		fprintf(stderr, PROG ": %s: %s\n", e.what, e.why);
		ret = e.status;
	}
	session_close(s);
	return ret;
}
