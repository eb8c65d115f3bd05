/* SPDX-License-Identifier: BSD-2-Clause */
/* views: the one interface every view implements (a sink fed by rpt_run) and the view table. */
#ifndef TCPDROP_RPT_VIEWS_H
#define TCPDROP_RPT_VIEWS_H

#include <stdio.h>

#include "rpt.h"

/*
 * A view is a struct rpt_sink: rpt_run() calls begin once, then drop and loss for every event
 * that passed the filter and problem for damage the reader skipped, in wall-clock order, then
 * finish; rpt_sink_close() frees it. Everything an op receives is valid only during the call.
 * A view writes only to the FILE * it was opened with (never closing it), gets stack text from
 * report/stacktext.h and escapes every string of the file (rpt_fput_text(), rpt_text_escape()).
 *
 * Adding a view: one file in report/views/ with a constructor of type rpt_view_open_fn, one
 * row in rpt_views[] (report/views/views.c), and its option in report/opts.c.
 */

/* What rpt_run() knows once every file's metadata was read (before the first event). */
struct rpt_begin {
	size_t nfiles;
	struct rpt_file *const *files;
	size_t nhosts; /* distinct hosts among the readable files */
	/* The start: the earliest first clock anchor or first event (drops buffered before the
	 * recorder's first anchor may precede it), over all files. */
	uint64_t start_real_ns;
};

struct rpt_sink_ops {
	/* Optional. Called once before any other op. */
	int (*begin)(void *ctx, const struct rpt_begin *b);
	int (*drop)(void *ctx, const struct rpt_drop *d);
	int (*loss)(void *ctx, const struct rpt_loss *l);
	/* Damage a file's reader skipped (type TDF_EV_CORRUPT or TDF_EV_TRUNCATED). Optional. */
	int (*problem)(void *ctx, const struct rpt_file *f, uint32_t type,
		       const struct tdf_problem *p);
	/* End of all input: aggregate views print here, every view flushes. Optional. */
	int (*finish)(void *ctx);
	/* Free ctx. Optional. */
	void (*close)(void *ctx);
};

/*
 * Every op returns 0 or -errno; a non-zero return stops the run. A failed write or flush is
 * the write's own -errno (rpt_out_status()), never a blanket -EIO when the errno is known.
 */
struct rpt_sink {
	const struct rpt_sink_ops *ops;
	void *ctx;
};

/* Calls ops->close if set; NULL is a no-op. The views embed s in their ctx, so for them this
 * frees s too. */
void rpt_sink_close(struct rpt_sink *s);

/* ---- what the views are told ---- */

enum rpt_key {
	RPT_KEY_REASON,
	RPT_KEY_LOCATION,
	RPT_KEY_STACK,
	RPT_KEY_FLOW,
	RPT_KEY_SADDR,
	RPT_KEY_DADDR,
	RPT_KEY_DPORT,
	RPT_KEY_STATE,
	RPT_KEY_COMM,
	RPT_KEY_NETNS,
	RPT_KEY_IFNAME,
	RPT_KEY_FLAGS,
	RPT_KEY_HOST,
	RPT_KEY_OWNER,	   /* the socket owner's COMM/PID, "-" none */
	RPT_KEY_CONTAINER, /* the socket owner's container id, "-" none */
	RPT_KEY_COUNT_	   /* number of keys */
};

#define RPT_SUMMARY_KEYS_MAX 8

struct rpt_summary_opts {
	enum rpt_key keys[RPT_SUMMARY_KEYS_MAX];
	size_t nkeys;
	size_t top; /* 0 = all rows */
};

/*
 * Parse "reason,dport" into keys. Returns 0, -EINVAL naming the bad key in *bad (points into
 * list, length *badlen) or -E2BIG for more than RPT_SUMMARY_KEYS_MAX keys.
 */
int rpt_summary_parse_keys(const char *list, struct rpt_summary_opts *so, const char **bad,
			   size_t *badlen);

struct rpt_timeline_opts {
	uint64_t interval_ns; /* 0 = automatic (at most about 60 rows) */
	bool by_reason;
};

/* Parse "10s", "500ms", "2m", "1h", "1d" or plain seconds. Returns 0 or -EINVAL/-ERANGE. */
int rpt_interval_parse(const char *s, uint64_t *ns);

/* The root frame of each folded line (--folded-root). */
enum rpt_folded_root {
	RPT_FOLDED_ROOT_REASON = 0, /* the drop reason (the default) */
	RPT_FOLDED_ROOT_NONE,	    /* the stack alone */
	RPT_FOLDED_ROOT_NETNS,	    /* "netns:INODE" */
	RPT_FOLDED_ROOT_OWNER,	    /* "owner:COMM"; a drop without one: "on-cpu:COMM" */
};

/* Everything a view may be configured with; each view reads its part. */
struct rpt_view_cfg {
	struct rpt_view_opts o;		   /* time style, --no-stack, flush per event */
	struct rpt_summary_opts summary;   /* --summary, --top */
	struct rpt_timeline_opts timeline; /* --timeline, --timeline-by-reason */
	enum rpt_folded_root folded_root;  /* --folded-root */
	/* The filters and -c as given, one per line ("--reason=no_socket"); NULL or "" for none.
	 * For views that say what they show (html). Must outlive the view. */
	const char *filters;
	/* --explain with --format=json or csv: a "why" key / column (report/explain.h) */
	bool explain;
};

/*
 * A view's constructor: a sink writing to out (never closed by the sink), cfg copied (NULL:
 * all defaults). Returns NULL with errno set.
 */
typedef struct rpt_sink *rpt_view_open_fn(FILE *out, const struct rpt_view_cfg *cfg);

/* The classic table: one line per drop, its stack below, marked lines for lost drops. */
rpt_view_open_fn rpt_table_open;

/* One JSON object per line. */
rpt_view_open_fn rpt_json_open;

/* A header row, then one row per drop (and per loss, type "lost"). */
rpt_view_open_fn rpt_csv_open;

/* Counts and shares per distinct key tuple (cfg->summary), most first; printed at the end. */
rpt_view_open_fn rpt_summary_open;

/* Drops per interval as a text chart (cfg->timeline), printed at the end. */
rpt_view_open_fn rpt_timeline_open;

/* What the files are: metadata, time span, drops per reason, losses and damage. */
rpt_view_open_fn rpt_info_open;

/*
 * One pcapng section, one packet per drop. Of cfg->o only no_stack (no stack frames in the
 * packet comments) and flush (fflush after every packet, for `| wireshark -k -i -`) apply:
 * timestamps are always nanoseconds since the epoch.
 *
 * What lands where (Wireshark 4.0 shows all of it):
 *   SHB   shb_os = the recording kernel's release and version, shb_hardware = its arch,
 *         shb_userappl = "tcpdrop-report <version>", a comment with the host name(s), the
 *         recording's start (and end, when the files were closed cleanly) and how to read it.
 *   IDB   one per (host, netns, ifindex), created when first seen: if_name = the interface
 *         name, if_description = netns, ifindex (and host), if_tsresol = 9. All share one
 *         link type and snaplen: the largest snaplen the files' metadata declares.
 *   EPB   one per drop: wall-clock ns, captured bytes from the IP header, original length =
 *         skb->len, opt_comment "TCP drop: <REASON>", "why: <rpt_explain_drop()'s line>",
 *         then state, flags, flow, pid/comm, CPU,
 *         location, interface and the stack without the tracing machinery's own frames;
 *         epb_flags direction when known, epb_packetid = the drop's sequence number,
 *         epb_dropcount = ring-buffer losses since the previous exported drop of that file.
 *   ISB   at the end, one per interface: isb_starttime/isb_endtime = the recording's span,
 *         isb_osdrop = the losses charged to it.
 * A lost drop was never seen, so its interface is unknown: each loss is charged to the next
 * drop the same file exports (or, after the last one, to that file's last interface). The
 * per-interface numbers are therefore approximate; their sum is exact.
 *
 * The link type is PCAPNG_LINKTYPE_DLT_RAW (12), not 101: see report/pcapng_write.h for the
 * libpcap behaviour that makes files with several LINKTYPE_RAW interfaces unreadable there.
 */
rpt_view_open_fn rpt_pcapng_open;

/*
 * One line per distinct stack path and its count, the input of flamegraph.pl, inferno and
 * speedscope: cfg->folded_root's frame, then the stack's frames outermost first (the
 * stack-text service's frames), joined by ';'. Without a stack, or with cfg->o.no_stack, the
 * drop location is the one frame. Lines are ordered frame by frame (report/flame.h); the
 * counts add up to the drops shown. Printed at the end.
 */
rpt_view_open_fn rpt_folded_open;

/*
 * One self-contained HTML page (inline CSS, SVG and a small script; nothing fetched, a
 * Content-Security-Policy that forbids fetching): the files' hosts, kernels, span, drops,
 * losses and integrity, the filters used (cfg->filters), a timeline stacked by reason, the
 * reasons, a flame graph of the drop stacks, the top flows, drop locations and on-CPU tasks.
 * Every string of the files is escaped for markup (report/markup.h). Written at the end.
 */
rpt_view_open_fn rpt_html_open;

/*
 * --explain: the drops grouped by reason and diagnosis (rpt_explain_drop()), most frequent
 * first; per group its count, share, time span (cfg->o's time style), the diagnosis, an
 * example drop, and once per reason what the kernel checked, the counters, the usual causes,
 * the next steps and the verdict (report/explain.h). Lost and excluded drops are counted at
 * the end. Printed at the end.
 */
rpt_view_open_fn rpt_explain_open;

/* ---- the view table ---- */

struct rpt_view {
	const char *name;   /* "table", "json", ... */
	const char *option; /* the option that selects it, as usage errors name it */
	rpt_view_open_fn *open;
};

/* Every view, the default (table) first; ends with a row whose name is NULL. */
extern const struct rpt_view rpt_views[];

/* The view called name, or NULL. */
const struct rpt_view *rpt_view_find(const char *name);

#endif /* TCPDROP_RPT_VIEWS_H */
