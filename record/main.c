// SPDX-License-Identifier: BSD-2-Clause
/* tcpdrop-record: options, checks and wiring of probe -> capture -> sink; status and exit lines. */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "btfnames.h"
#include "capture.h"
#include "kallsyms.h"
#include "live.h"
#include "meta.h"
#include "opts.h"
#include "privs.h"
#include "probe.h"
#include "sink.h"

#define PROG		"tcpdrop-record"
#define POLL_MS		10 /* drain the ring buffer this often (events carry no wakeup) */
#define STATUS_EVERY_NS 1000000000ull

static volatile sig_atomic_t stop;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: " PROG " [-w FILE] [-c COUNT] [--duration SECS] [-C MB] [-G SECS] [-W N]\n"
	    "       [-s SNAPLEN] [-4|-6] [--port PORT] [--host ADDR] [--netns INODE]\n"
	    "       [--reason NAME[,NAME]...] [--all-reasons] [--no-stack | --stack-depth N]\n"
	    "       [--ringbuf-size SIZE] [--flush-interval MS] [-n] [-q]\n"
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
	    "  --stack-depth N      frames per stack (1-%u, default %u)\n"
	    "  --ringbuf-size SIZE  kernel ring buffer, power of two, K or M (default %uM)\n"
	    "  --flush-interval MS  write buffered drops this often (default %u, live %u)\n"
	    "  -n                   accepted and ignored (addresses are always numeric)\n"
	    "  -q                   no start and status lines\n",
	    OPTS_SNAPLEN_MIN, TDF_SNAP_MAX, OPTS_SNAPLEN_DEFAULT, TDF_STACK_MAX,
	    OPTS_STACK_DEPTH_DEFAULT, OPTS_RINGBUF_DEFAULT >> 20, OPTS_FLUSH_MS_DEFAULT,
	    OPTS_FLUSH_MS_LIVE);
}

static void fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static const char *out_name(const char *path)
{
	return !path ? "the live view" : strcmp(path, "-") ? path : "standard output";
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void human_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= 10ull << 30)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= 10ull << 20)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 10ull << 10)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(b >> 10));
	else
		snprintf(buf, len, "%llu B", (unsigned long long)b);
}

static void status_line(const struct capture_stats *st, uint64_t prev_drops, uint64_t span_ns)
{
	char b[32];
	uint64_t rate = span_ns ? (st->drops - prev_drops) * 1000000000ull / span_ns : 0;

	human_bytes(st->bytes, b, sizeof(b));
	fprintf(stderr, "\r%llu drops/s  %llu recorded  %llu lost  %s written\033[K",
		(unsigned long long)rate, (unsigned long long)st->drops,
		(unsigned long long)st->lost, b);
}

/* Fill the probe's reason values and --reason filter from the kernel's names. */
static int resolve_reasons(const struct rec_opts *o, const struct btfnames *reasons,
			   struct probe_cfg *pc)
{
	pc->reason_not_dropped = 0;
	pc->reason_consumed = UINT32_MAX; /* no SKB_CONSUMED before Linux 6.0: match nothing */
	pc->reason_not_specified = 2;
	btfnames_find_exact(reasons, "SKB_NOT_DROPPED_YET", &pc->reason_not_dropped);
	btfnames_find_exact(reasons, "SKB_CONSUMED", &pc->reason_consumed);
	if (btfnames_find_exact(reasons, "SKB_DROP_REASON_NOT_SPECIFIED",
				&pc->reason_not_specified)) {
		fail("kernel BTF", "no SKB_DROP_REASON_NOT_SPECIFIED in enum skb_drop_reason");
		return 1;
	}
	for (uint32_t i = 0; i < o->nreasons; i++) {
		if (btfnames_find(reasons, o->reasons[i], &pc->reasons[i])) {
			fail("--reason", "%s: no such drop reason in this kernel", o->reasons[i]);
			return 2;
		}
	}
	pc->nreasons = o->nreasons;
	return 0;
}

/* Asking for NOT_SPECIFIED by name means recording it. */
static bool reasons_include(const struct probe_cfg *pc, uint32_t value)
{
	for (uint32_t i = 0; i < pc->nreasons; i++)
		if (pc->reasons[i] == value)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	char err[OPTS_ERR_LEN], filters[512], report[PATH_MAX];
	struct rec_opts o;
	struct probe_kernel pk;
	struct probe_cfg pc;
	struct btf *vmlinux = NULL;
	struct btfnames reasons = {0}, states = {0};
	struct sink_cfg sc;
	struct sink *sink = NULL;
	struct probe *probe = NULL;
	struct ksyms *ks = NULL;
	struct meta meta;
	struct meta_info mi;
	struct capture *cap = NULL;
	struct capture_cfg cc;
	struct capture_stats st;
	struct sigaction sa;
	struct utsname un;
	const char *stage;
	uint64_t start_ns, now_ns, last_status_ns, prev_drops = 0;
	bool show_status, status_shown = false;
	pid_t live = 0; /* the live view's tcpdrop-report, once started */
	int rc, ret = 1;

	libbpf_set_print(libbpf_print);
	/* from the start: a signal during setup still ends in a clean file */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error (EPIPE) like any other */
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
	if (!o.path && live_find_report(report, sizeof(report))) {
		fail("live view",
		     "tcpdrop-report not found in %s or on PATH: install it, or record to a file "
		     "with -w FILE",
		     report);
		return 1;
	}

	rc = privs_check();
	if (rc == -EPERM) {
		fail("permission denied", "needs root, or CAP_BPF and CAP_PERFMON");
		return 1;
	} else if (rc == -EACCES) {
		fail("permission denied", "needs CAP_SYSLOG to read kernel addresses");
		return 1;
	} else if (rc) {
		fail("capget", "%s", strerror(-rc));
		return 1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fail("/sys/kernel/btf/vmlinux",
		     "kernel BTF not available (%s): needs a kernel "
		     "built with CONFIG_DEBUG_INFO_BTF=y",
		     strerror(errno));
		return 1;
	}
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		fail("/sys/kernel/btf/vmlinux", "%s", strerror(errno));
		return 1;
	}
	uname(&un);
	rc = probe_kernel_check(vmlinux, &pk);
	if (rc == -ENOENT) {
		fail("skb:kfree_skb", "tracepoint not found in the kernel's BTF");
		goto out;
	} else if (rc == -EOPNOTSUPP) {
		fail("skb:kfree_skb", "kernel %s has no drop reasons (needs Linux 5.17 or newer)",
		     un.release);
		goto out;
	}
	rc = btfnames_reasons(vmlinux, NULL, &reasons);
	if (rc) {
		fail("kernel BTF", "no enum skb_drop_reason: %s", strerror(-rc));
		goto out;
	}
	rc = btfnames_states(vmlinux, &states);
	if (rc) {
		fail("kernel BTF", "TCP states: %s", strerror(-rc));
		goto out;
	}

	memset(&pc, 0, sizeof(pc));
	rc = resolve_reasons(&o, &reasons, &pc);
	if (rc) {
		ret = rc;
		goto out;
	}
	pc.snaplen = o.snaplen;
	pc.stack_depth = o.stack_depth;
	pc.ringbuf_bytes = o.ringbuf_bytes;
	pc.all_reasons = o.all_reasons || reasons_include(&pc, pc.reason_not_specified);
	pc.force_raw_tp = getenv("TCPDROP_FORCE_RAW_TP") && *getenv("TCPDROP_FORCE_RAW_TP") &&
			  strcmp(getenv("TCPDROP_FORCE_RAW_TP"), "0");
	pc.family = o.family;
	pc.port = o.port;
	pc.host_family = o.host_family;
	memcpy(pc.host, o.host, 16);
	pc.netns = o.netns;
	pc.state_time_wait = 6;
	pc.state_new_syn_recv = 12;
	for (uint32_t i = 0; i < states.count; i++) {
		if (!strcmp(states.names[i].name, "TIME_WAIT"))
			pc.state_time_wait = states.names[i].value;
		else if (!strcmp(states.names[i].name, "NEW_SYN_RECV"))
			pc.state_new_syn_recv = states.names[i].value;
	}

	memset(&sc, 0, sizeof(sc));
	sc.pattern = o.path ? o.path : "-";
	sc.rotate_bytes = o.rotate_bytes;
	sc.rotate_secs = o.rotate_secs;
	sc.ring_files = o.ring_files;
	sink = sink_open(&sc, time(NULL));
	if (!sink) {
		fail(out_name(o.path), "%s", strerror(errno));
		goto out;
	}

	memset(&cc, 0, sizeof(cc));
	cc.sink = sink;
	cc.meta = &meta;
	cc.reasons = &reasons;
	cc.states = &states;
	cc.max_drops = o.count;
	cap = capture_new(&cc);
	if (!cap) {
		fail("set up", "%s", strerror(errno));
		goto out_discard;
	}
	rc = probe_open(&pc, &pk, capture_on_event, cap, &probe, &stage);
	if (rc) {
		const char *why = privs_bpf_refusal(rc);

		if (why)
			fail(stage, "%s: %s", strerror(-rc), why);
		else
			fail(stage, "%s%s", strerror(-rc),
			     strncmp(stage, "load", 4) || getenv("TCPDROP_DEBUG")
				 ? ""
				 : " (TCPDROP_DEBUG=1 shows the verifier's log)");
		goto out_discard;
	}
	/* after load: the program's own symbol is in the snapshot */
	ks = ksyms_load(NULL);
	if (!ks) {
		fail("/proc/kallsyms", "%s",
		     errno == EPERM ? "addresses hidden (kptr_restrict)" : strerror(errno));
		goto out_discard;
	}
	capture_set_ksyms(cap, ks);
	if (capture_set_probe(cap, probe)) {
		fail("set up", "%s", strerror(ENOMEM));
		goto out_discard;
	}
	opts_filters_str(&o, filters, sizeof(filters));
	mi = (struct meta_info){.argc = argc,
				.argv = argv,
				.snaplen = o.snaplen,
				.stack_depth = o.stack_depth,
				.filters = filters,
				.hook = probe_hook(probe)};
	rc = meta_collect(&meta, &mi);
	if (rc) {
		fail("metadata", "%s", strerror(-rc));
		goto out_discard;
	}
	if (!o.path) {
		rc = live_start(report, o.no_stack, &live);
		if (rc) {
			fail("live view", "%s: %s", report, strerror(-rc));
			goto out_discard;
		}
	}
	rc = sink_start(sink, capture_begin_file, cap);
	if (rc) {
		fail(out_name(o.path), "%s", strerror(-rc));
		goto out_abandon;
	}
	/* everything privileged is done: fds stay usable, rotation creates files as uid 0 */
	rc = privs_drop((o.rotate_bytes || o.rotate_secs) && privs_dir_needs_override(o.path));
	if (rc) {
		fail("drop privileges", "%s", strerror(-rc));
		goto out_abandon;
	}

	/* the readiness signal: attached, output open, privileges dropped */
	if (!o.quiet && !o.path)
		fprintf(stderr, PROG ": showing drops live via %s, Ctrl-C to stop\n",
			probe_hook(probe));
	else if (!o.quiet)
		fprintf(stderr, PROG ": recording to %s via %s, Ctrl-C to stop\n",
			out_name(sink_path(sink)), probe_hook(probe));
	/* the live table owns the terminal: no status line between its rows */
	show_status = !o.quiet && o.path && isatty(STDERR_FILENO);
	start_ns = last_status_ns = meta_boot_ns();
	while (!stop) {
		rc = probe_poll(probe, POLL_MS);
		if (rc == -ECANCELED)
			break;
		if (rc < 0)
			goto write_error;
		now_ns = meta_boot_ns();
		rc = capture_tick(cap, now_ns, (int64_t)time(NULL),
				  (uint64_t)o.flush_ms * 1000000ull, false);
		if (rc)
			goto write_error;
		if (capture_done(cap))
			break;
		if (o.duration_s && now_ns - start_ns >= o.duration_s * 1000000000ull)
			break;
		if (show_status && now_ns - last_status_ns >= STATUS_EVERY_NS) {
			capture_stats(cap, &st);
			status_line(&st, prev_drops, now_ns - last_status_ns);
			prev_drops = st.drops;
			last_status_ns = now_ns;
			status_shown = true;
		}
	}
	/* no new events from here: drain what is queued, then the final counters */
	probe_detach(probe);
	rc = capture_done(cap) ? 0 : probe_poll(probe, 0);
	if (rc < 0 && rc != -ECANCELED)
		goto write_error;
	rc = capture_tick(cap, meta_boot_ns(), (int64_t)time(NULL), 0, true);
	if (rc)
		goto write_error;
	capture_stats(cap, &st);
	rc = sink_close(sink);
	sink = NULL;
	if (rc) {
		fail(out_name(o.path), "%s", strerror(-rc));
		goto out;
	}
	if (live) {
		/* the report shows the stream to its end before the summary line */
		rc = live_wait(live);
		live = 0;
		if (rc) {
			fail("live view", "tcpdrop-report %s %d", rc < 0 ? "wait:" : "exit status",
			     rc < 0 ? -rc : rc);
			goto out;
		}
	}
	if (status_shown)
		fputc('\n', stderr);
	fprintf(stderr, PROG ": %llu drops recorded, %llu lost (%llu NOT_SPECIFIED excluded)\n",
		(unsigned long long)st.drops, (unsigned long long)st.lost,
		(unsigned long long)st.excluded);
	ret = 0;
	goto out;

write_error:
	if (status_shown)
		fputc('\n', stderr);
	fail(out_name(o.path ? sink_path(sink) : NULL), "%s", strerror(-rc));
out_abandon:
	sink_abandon(sink, false);
	sink = NULL;
	goto out;
out_discard:
	sink_abandon(sink, true);
	sink = NULL;
out:
	if (live)
		live_kill(live);
	probe_close(probe);
	capture_free(cap);
	ksyms_free(ks);
	btfnames_free(&reasons);
	btfnames_free(&states);
	btf__free(vmlinux);
	return ret;
}
