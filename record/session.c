// SPDX-License-Identifier: BSD-2-Clause
/* session: one recording from its checks to its last drop: setup, the poll loop, teardown. */
#include "session.h"

#include <bpf/btf.h>
#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "btfnames.h"
#include "kallsyms.h"
#include "live.h"
#include "meta.h"
#include "metrics.h"
#include "nsnames.h"
#include "owners.h"
#include "output.h"
#include "privs.h"
#include "probe.h"
#include "probecfg.h"
#include "sandbox.h"

struct session {
	const struct rec_opts *o;
	int argc;
	char **argv;
	char report[PATH_MAX]; /* the live view's tcpdrop-report */
	struct btf *vmlinux;
	struct probe_kernel pk;
	struct probe_cfg pc;
	struct btfnames reasons, states;
	struct output *out;
	struct capture *cap;
	struct probe *probe;
	struct ksyms *ks;
	struct meta meta;
	struct owners_iter *iter; /* the owner iterator, unless --no-owner or it failed */
	struct owners *owners;
	struct nsnames *nsnames;
	char owners_state[160]; /* META "owners" */
	pid_t live;		/* the live view's tcpdrop-report, once started */
	struct privs_user user; /* -Z */
	bool has_user;
	struct metrics *metrics; /* --metrics */
	uint64_t start_real_ns;
	bool metrics_failing; /* warned about the last write already */
};

__attribute__((format(printf, 4, 5))) static int err_set(struct session_err *e, int status,
							 const char *what, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->what, sizeof(e->what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *out_name(const char *path)
{
	return !path ? "the live view" : strcmp(path, "-") ? path : "standard output";
}

struct session *session_new(const struct rec_opts *o, int argc, char **argv)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = o;
	s->argc = argc;
	s->argv = argv;
	return s;
}

static bool env_on(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

static bool rotating(const struct rec_opts *o)
{
	return o->rotate_bytes || o->rotate_secs;
}

/* -Z before anything else: a user that does not exist is a mistake in the command line. */
static int resolve_user(struct session *s, struct session_err *e)
{
	const char *what;
	int rc;

	if (!s->o->user)
		return 0;
	/* a build-time default names itself: the user typed no -Z */
	what = s->o->user_built_in ? "-Z (built-in default)" : "-Z";
	rc = privs_user_resolve(s->o->user, NULL, NULL, &s->user);
	if (rc == -ENOENT)
		return err_set(e, 2, what, "%s: no such user in /etc/passwd", s->o->user);
	if (rc == -E2BIG)
		return err_set(e, 2, what, "%s: in more than %u groups", s->o->user,
			       PRIVS_GROUPS_MAX);
	if (rc)
		return err_set(e, 1, what, "%s: %s", s->o->user, strerror(-rc));
	s->has_user = true;
	return 0;
}

/* Privileges, kernel BTF, the tracepoint and the kernel's name tables. */
static int check_kernel(struct session *s, struct session_err *e)
{
	struct utsname un;
	int rc;

	if (!s->o->path && live_find_report(s->report, sizeof(s->report)))
		return err_set(
		    e, 1, "live view",
		    "tcpdrop-report not found in %s, its ../bin or on PATH: install it, or record "
		    "to a file with -w FILE",
		    s->report);
	rc = privs_check();
	if (rc == -EPERM)
		return err_set(e, 1, "permission denied", "needs root, or CAP_BPF and CAP_PERFMON");
	if (rc == -EACCES)
		return err_set(e, 1, "permission denied",
			       "needs CAP_SYSLOG to read kernel addresses");
	if (rc)
		return err_set(e, 1, "capget", "%s", strerror(-rc));
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return err_set(e, 1, "/sys/kernel/btf/vmlinux",
			       "kernel BTF not available (%s): needs a kernel built with "
			       "CONFIG_DEBUG_INFO_BTF=y",
			       strerror(errno));
	s->vmlinux = btf__load_vmlinux_btf();
	if (!s->vmlinux)
		return err_set(e, 1, "/sys/kernel/btf/vmlinux", "%s", strerror(errno));
	uname(&un);
	rc = probe_kernel_check(s->vmlinux, &s->pk);
	if (rc == -ENOENT)
		return err_set(e, 1, "skb:kfree_skb", "tracepoint not found in the kernel's BTF");
	if (rc == -EOPNOTSUPP)
		return err_set(e, 1, "skb:kfree_skb",
			       "kernel %s has no drop reasons (needs Linux 5.17 or newer)",
			       un.release);
	rc = btfnames_reasons(s->vmlinux, NULL, &s->reasons);
	if (rc)
		return err_set(e, 1, "kernel BTF", "no enum skb_drop_reason: %s", strerror(-rc));
	rc = btfnames_states(s->vmlinux, &s->states);
	if (rc)
		return err_set(e, 1, "kernel BTF", "TCP states: %s", strerror(-rc));
	return 0;
}

static int configure_probe(struct session *s, struct session_err *e)
{
	uint32_t bad = 0;
	int rc;

	rc = probecfg_build(s->o, &s->reasons, &s->states, &s->pc, &bad);
	if (rc == -ENOENT)
		return err_set(e, 1, "kernel BTF",
			       "no SKB_DROP_REASON_NOT_SPECIFIED in enum skb_drop_reason");
	if (rc)
		return err_set(e, 2, "--reason", "%s: no such drop reason in this kernel",
			       s->o->reasons[bad]);
	s->pc.force_raw_tp = env_on("TCPDROP_FORCE_RAW_TP");
	return 0;
}

/* --metrics: its directory opened now, while privileges allow; the writes come later. */
static int open_metrics(struct session *s, struct session_err *e)
{
	char copy[PATH_MAX], *dir;
	struct timespec now;
	int rc;

	if (!s->o->metrics)
		return 0;
	s->metrics = metrics_new(s->o->metrics, 0);
	if (!s->metrics)
		return err_set(e, 1, "--metrics", "%s: %s%s", s->o->metrics, strerror(errno),
			       errno == ENOENT || errno == ENOTDIR ? " (its directory must exist)"
								   : "");
	snprintf(copy, sizeof(copy), "%s", s->o->metrics);
	dir = dirname(copy);
	rc = s->has_user ? privs_user_can_create_in(&s->user, dir) : 0;
	if (rc)
		return err_set(e, 1, "--metrics", "%s: not writable by %s (uid %u): %s", dir,
			       s->user.name, (unsigned)s->user.uid, strerror(-rc));
	clock_gettime(CLOCK_REALTIME, &now);
	s->start_real_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	return 0;
}

/* The output first, so that "cannot write" shows before anything is loaded. */
static int open_output(struct session *s, struct session_err *e)
{
	struct output_cfg oc = {
	    .pattern = s->o->path ? s->o->path : "-",
	    .rotate_bytes = s->o->rotate_bytes,
	    .rotate_secs = s->o->rotate_secs,
	    .ring_files = s->o->ring_files,
	};
	struct capture_cfg cc = {
	    .meta = &s->meta,
	    .reasons = &s->reasons,
	    .states = &s->states,
	    .max_drops = s->o->count,
	};

	s->out = output_open(&oc, time(NULL));
	if (!s->out)
		return err_set(e, 1, out_name(s->o->path), "%s", output_strerror(-errno));
	if (s->has_user) {
		int rc = output_chown(s->out, s->user.uid, s->user.gid);

		if (rc)
			return err_set(e, 1, output_path(s->out), "chown to %s: %s", s->user.name,
				       strerror(-rc));
	}
	if (s->has_user && rotating(s->o)) {
		char path[PATH_MAX], dir[PATH_MAX];
		int rc;

		snprintf(path, sizeof(path), "%s", output_path(s->out));
		snprintf(dir, sizeof(dir), "%s", dirname(path));
		/* now rather than at the first rotation, an hour into the recording */
		rc = privs_user_can_create_in(&s->user, dir);
		if (rc == -EACCES || rc == -EROFS)
			return err_set(e, 1, dir,
				       "not writable by %s (uid %u): -C/-G create the next files "
				       "there as that user",
				       s->user.name, (unsigned)s->user.uid);
		if (rc)
			return err_set(e, 1, dir, "as %s: %s", s->user.name, strerror(-rc));
	}
	cc.out = s->out;
	cc.metrics = s->metrics;
	s->cap = capture_new(&cc);
	if (!s->cap)
		return err_set(e, 1, "set up", "%s", strerror(errno));
	return 0;
}

/*
 * Socket owners (the iterator's link is made now, while privileged; a kernel that refuses it
 * records without owners, said once) and the netns names directory.
 */
static void open_owners(struct session *s)
{
	const char *stage = "";
	int rc;

	s->nsnames = nsnames_open(NULL);
	if (s->o->no_owner) {
		snprintf(s->owners_state, sizeof(s->owners_state), "no: --no-owner");
	} else if ((rc = owners_iter_open(&s->iter, &stage))) {
		snprintf(s->owners_state, sizeof(s->owners_state), "no: %s: %s", stage,
			 strerror(-rc));
		if (!s->o->quiet)
			fprintf(stderr, "tcpdrop-record: socket owners not recorded: %s: %s\n",
				stage, strerror(-rc));
	} else if (!(s->owners = owners_new(owners_iter_scan, s->iter))) {
		snprintf(s->owners_state, sizeof(s->owners_state), "no: %s", strerror(ENOMEM));
	} else {
		snprintf(s->owners_state, sizeof(s->owners_state), "yes");
	}
	capture_set_names(s->cap, s->owners, s->nsnames);
}

/* Load and attach, then what the file's preamble needs from the loaded probe. */
static int start_probe(struct session *s, struct session_err *e)
{
	char filters[512];
	struct meta_info mi;
	const char *stage;
	int rc;

	rc = probe_open(&s->pc, &s->pk, capture_on_event, s->cap, &s->probe, &stage);
	if (rc) {
		const char *why = privs_bpf_refusal(rc);

		if (why)
			return err_set(e, 1, stage, "%s: %s", strerror(-rc), why);
		return err_set(e, 1, stage, "%s%s", strerror(-rc),
			       strncmp(stage, "load", 4) || getenv("TCPDROP_DEBUG")
				   ? ""
				   : " (TCPDROP_DEBUG=1 shows the verifier's log)");
	}
	open_owners(s);
	/* after load: the program's own symbol is in the snapshot */
	s->ks = ksyms_load(NULL);
	if (!s->ks)
		return err_set(e, 1, "/proc/kallsyms", "%s",
			       errno == EPERM ? "addresses hidden (kptr_restrict)"
					      : strerror(errno));
	capture_set_ksyms(s->cap, s->ks);
	if (capture_set_probe(s->cap, s->probe))
		return err_set(e, 1, "set up", "%s", strerror(ENOMEM));
	opts_filters_str(s->o, filters, sizeof(filters));
	mi = (struct meta_info){.argc = s->argc,
				.argv = s->argv,
				.snaplen = s->o->snaplen,
				.stack_depth = s->o->stack_depth,
				.filters = filters,
				.hook = probe_hook(s->probe),
				.rx_sk = s->pk.has_rx_sk,
				.owners = s->owners_state};
	rc = meta_collect(&s->meta, &mi);
	if (rc)
		return err_set(e, 1, "metadata", "%s", strerror(-rc));
	return 0;
}

/* The live view, the file's preamble, then no more privileges, then the seccomp filter. */
static int start_writing(struct session *s, struct session_err *e)
{
	const struct rec_opts *o = s->o;
	const struct privs_user *u = s->has_user ? &s->user : NULL;
	struct sandbox_cfg sc;
	int rc;

	if (!o->path) {
		rc = live_start(s->report, o->no_stack, u, &s->live);
		if (rc)
			return err_set(e, 1, "live view", "%s: %s", s->report, strerror(-rc));
	}
	rc = output_start(s->out, capture_begin_file, s->cap);
	if (rc)
		return err_set(e, 1, out_name(o->path), "%s", strerror(-rc));
	/* everything privileged is done: fds stay usable; without -Z rotation creates files as
	   uid 0, keeping CAP_DAC_OVERRIDE only for a directory that needs it */
	rc = privs_drop(u, !u && ((rotating(o) && privs_dir_needs_override(o->path)) ||
				  (o->metrics && privs_dir_needs_override(o->metrics))));
	if (rc)
		return err_set(e, 1, "drop privileges", "%s", strerror(-rc));
	if (env_on("TCPDROP_NO_SECCOMP"))
		return 0;
	sc = (struct sandbox_cfg){.rotate = rotating(o),
				  .metrics = o->metrics != NULL,
				  .report = s->live,
				  .owners = s->owners != NULL,
				  .netns_dir = s->nsnames && nsnames_has_dir(s->nsnames)};
	rc = sandbox_enter(&sc);
	if (rc)
		return err_set(e, 1, "seccomp", "%s (TCPDROP_NO_SECCOMP=1 records without it)",
			       strerror(-rc));
	if (env_on("TCPDROP_TEST_FORBIDDEN_SYSCALL"))
		sandbox_test_forbidden(); /* does not return under the filter */
	return 0;
}

/*
 * What only setup needed, before the recording's long life: the parsed vmlinux BTF (6 MiB on
 * 6.18; reason and state names were copied out, libbpf loads its own for CO-RE), freed before
 * the probe and the kallsyms snapshot add theirs to the peak, and the heap setup's parsers
 * left free (malloc_trim), once more after the probe is up.
 */
static int release_setup(struct session *s, struct session_err *e)
{
	(void)e;
	btf__free(s->vmlinux);
	s->vmlinux = NULL;
	malloc_trim(0);
	return 0;
}

int session_setup(struct session *s, struct session_err *e)
{
	if (resolve_user(s, e) || check_kernel(s, e) || release_setup(s, e) ||
	    configure_probe(s, e) || open_metrics(s, e) || open_output(s, e) || start_probe(s, e) ||
	    release_setup(s, e) || start_writing(s, e))
		return -1;
	return 0;
}

const char *session_hook(const struct session *s)
{
	return probe_hook(s->probe);
}

const char *session_output_name(const struct session *s)
{
	return out_name(s->o->path ? output_path(s->out) : NULL);
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

static void status_line(FILE *f, const struct capture_stats *st, uint64_t prev_drops,
			uint64_t span_ns)
{
	char b[32];
	uint64_t rate = span_ns ? (st->drops - prev_drops) * 1000000000ull / span_ns : 0;

	human_bytes(st->bytes, b, sizeof(b));
	fprintf(f, "\r%llu drops/s  %llu recorded  %llu lost  %s written\033[K",
		(unsigned long long)rate, (unsigned long long)st->drops,
		(unsigned long long)st->lost, b);
}

/* --metrics: a failed write warns once (until one succeeds again); recording goes on. */
static void write_metrics(struct session *s, bool last)
{
	struct capture_stats st;
	struct metrics_totals t;
	int rc;

	capture_stats(s->cap, &st);
	t = (struct metrics_totals){.lost = st.lost,
				    .excluded = st.excluded,
				    .bytes = st.bytes,
				    .start_real_ns = s->start_real_ns};
	rc = metrics_write(s->metrics, &t, last);
	if (rc && !s->metrics_failing)
		fprintf(stderr, "tcpdrop-record: warning: --metrics %s: %s (recording goes on)\n",
			metrics_path(s->metrics), strerror(-rc));
	s->metrics_failing = rc != 0;
}

/* The poll loop: 0 when it should end, or -errno from the probe or the output. */
static int poll_loop(struct session *s, const volatile sig_atomic_t *stop, FILE *status,
		     bool *status_shown)
{
	const struct rec_opts *o = s->o;
	uint64_t start_ns, now_ns, last_status_ns, prev_drops = 0, last_metrics_ns = 0;
	struct capture_stats st;
	int rc;

	start_ns = last_status_ns = meta_boot_ns();
	while (!*stop) {
		rc = probe_poll(s->probe, SESSION_POLL_MS);
		if (rc == -ECANCELED)
			break;
		if (rc < 0)
			return rc;
		now_ns = meta_boot_ns();
		rc = capture_tick(s->cap, now_ns, (int64_t)time(NULL),
				  (uint64_t)o->flush_ms * 1000000ull, false);
		if (rc)
			return rc;
		if (s->metrics && now_ns - last_metrics_ns >= (uint64_t)o->flush_ms * 1000000ull) {
			write_metrics(s, false);
			last_metrics_ns = now_ns;
		}
		if (capture_done(s->cap))
			break;
		if (o->duration_s && now_ns - start_ns >= o->duration_s * 1000000000ull)
			break;
		if (status && now_ns - last_status_ns >= SESSION_STATUS_EVERY_NS) {
			capture_stats(s->cap, &st);
			status_line(status, &st, prev_drops, now_ns - last_status_ns);
			prev_drops = st.drops;
			last_status_ns = now_ns;
			*status_shown = true;
		}
	}
	return 0;
}

/* No new events from here: drain what is queued, then the final counters. */
static int drain(struct session *s)
{
	int rc;

	probe_detach(s->probe);
	rc = capture_done(s->cap) ? 0 : probe_poll(s->probe, 0);
	if (rc < 0 && rc != -ECANCELED)
		return rc;
	return capture_tick(s->cap, meta_boot_ns(), (int64_t)time(NULL), 0, true);
}

int session_run(struct session *s, const volatile sig_atomic_t *stop, FILE *status,
		struct capture_stats *st, struct session_err *e)
{
	bool status_shown = false;
	int rc;

	rc = poll_loop(s, stop, status, &status_shown);
	if (!rc)
		rc = drain(s);
	if (s->metrics)
		write_metrics(s, true); /* the final counters, also after a failure */
	if (status_shown)
		fputc('\n', status);
	if (rc)
		return err_set(e, 1, session_output_name(s), "%s", output_strerror(rc));
	capture_stats(s->cap, st);
	if (s->owners && env_on("TCPDROP_DEBUG")) {
		struct owners_stats os;

		owners_stats(s->owners, &os);
		fprintf(
		    stderr,
		    "tcpdrop-record: owners: %llu scans (%.1f us each), %llu found, %llu with no "
		    "holder, %llu unresolved, %llu scan errors\n",
		    (unsigned long long)os.scans,
		    os.scans ? (double)os.scan_ns / (double)os.scans / 1e3 : 0.0,
		    (unsigned long long)os.found, (unsigned long long)os.none,
		    (unsigned long long)os.unresolved, (unsigned long long)os.scan_errors);
	}
	rc = output_close(s->out);
	s->out = NULL;
	if (rc)
		return err_set(e, 1, out_name(s->o->path), "%s", strerror(-rc));
	if (s->live) {
		/* the report shows the stream to its end before the summary line */
		rc = live_wait(s->live);
		s->live = 0;
		if (rc)
			return err_set(e, 1, "live view", "tcpdrop-report %s %d",
				       rc < 0 ? "wait:" : "exit status", rc < 0 ? -rc : rc);
	}
	return 0;
}

void session_close(struct session *s)
{
	if (!s)
		return;
	/* removes the file only when setup failed before its preamble was written */
	output_abandon(s->out, true);
	if (s->live)
		live_kill(s->live);
	probe_close(s->probe);
	capture_free(s->cap);
	owners_free(s->owners);
	owners_iter_close(s->iter);
	nsnames_free(s->nsnames);
	metrics_free(s->metrics);
	ksyms_free(s->ks);
	btfnames_free(&s->reasons);
	btfnames_free(&s->states);
	btf__free(s->vmlinux);
	free(s);
}
