/* SPDX-License-Identifier: BSD-2-Clause */
/* explain: what each kernel drop reason means and the one-line diagnosis of a single drop. */
#ifndef TCPDROP_RPT_EXPLAIN_H
#define TCPDROP_RPT_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rpt.h"

/*
 * The knowledge base is compiled in (report/reasons_kb.c): tcpdrop-report needs no network,
 * no kernel source and nothing of the analysing host to explain a drop. It covers every name
 * of enum skb_drop_reason of Linux 5.17 to 6.18 and the subsystem enums of those kernels
 * (mac80211, openvswitch), in this project's own words. A reason it does not know (a newer
 * kernel) still gets its name, its subsystem and "no explanation for this reason in tcpdrop
 * VERSION" (RPT_EXPLAIN_UNKNOWN).
 *
 * Stable interface for views (explain, summary, pcapng, json, csv, html): the functions and
 * the fields below keep their meaning; fields are only ever added at the end.
 * Every string is static, plain ASCII, one line (no newline), and safe to print as it is.
 */

/* How a reason usually reads in production. */
enum rpt_verdict {
	RPT_VERDICT_PROBLEM = 0, /* usually a problem worth fixing */
	RPT_VERDICT_DEPENDS,	 /* normal in small numbers; a problem when it grows or persists */
	RPT_VERDICT_BENIGN,	 /* usually benign: the kernel doing its job */
	RPT_VERDICT_NOT_A_DROP,	 /* a marker or a free that loses nothing: never a real drop */
};

#define RPT_EXPLAIN_LIST_MAX 4 /* counters, causes, next steps: at most this many each */

struct rpt_reason_info {
	const char *name;   /* as the report shows it: "NO_SOCKET", "OVS_DROP_METER" */
	const char *subsys; /* "core", "mac80211" or "openvswitch" */
	enum rpt_verdict verdict;
	const char *summary; /* the one-line explanation (--reasons, --summary reason) */
	const char *check;   /* what the kernel checked, one sentence */
	/* nstat names of the counters that move with it (TcpExtListenOverflows...); may be
	 * empty. Each list ends at the first NULL. */
	const char *counters[RPT_EXPLAIN_LIST_MAX];
	const char *causes[RPT_EXPLAIN_LIST_MAX]; /* usual causes, most likely first */
	const char *next[RPT_EXPLAIN_LIST_MAX];	  /* what to look at or change next */
};

/* The sentence given for a reason the knowledge base does not know. */
#define RPT_EXPLAIN_UNKNOWN "no explanation for this reason in tcpdrop " TCPDROP_VERSION

/*
 * The entry for a reason name, with or without the SKB_DROP_REASON_ prefix (and the "___"
 * prefix some kernels give mac80211's names in BTF), case-sensitive; NULL when unknown
 * (also for "UNKNOWN_<code>", a value the file did not name).
 */
const struct rpt_reason_info *rpt_explain_reason(const char *name);

/* Every entry, in the table's order (grouped by subsystem); *n receives the number. */
const struct rpt_reason_info *rpt_explain_all(size_t *n);

/* "usually a problem", "usually benign", ... for v. Never NULL. */
const char *rpt_verdict_text(enum rpt_verdict v);

/* The one-line explanation of a reason name: its entry's summary, else RPT_EXPLAIN_UNKNOWN. */
const char *rpt_explain_summary(const char *name);

/*
 * The subsystem of a reason: the entry's, else guessed from the name (RX_* mac80211, OVS_*
 * openvswitch) and the raw value (high 16 bits 0: core), else "subsystem N". Written into buf
 * (always NUL-terminated when len > 0); returns buf.
 */
const char *rpt_explain_subsys(const char *name, uint32_t code, char *buf, size_t len);

/*
 * The diagnosis of one drop, in one line, from its reason and its own facts: TCP flags,
 * state, direction, ports, netns (and its name, cut at 64 bytes), device, socket owner, drop
 * location and stack (for example "SYN to port 81, where nothing listens in netns
 * 4026532;..."). It does not repeat the reason name. Parts taken from the file (interface,
 * netns, process and symbol names) are escaped as rpt_text_escape() does, so
 * the text is safe on a terminal; JSON, CSV or HTML quote it on top. Written into buf like
 * snprintf: returns the length the whole line needs, buf always NUL-terminated when len > 0.
 * RPT_EXPLAIN_LINE_MAX is always enough.
 */
size_t rpt_explain_drop(const struct rpt_drop *d, char *buf, size_t len);

#define RPT_EXPLAIN_LINE_MAX 512

/*
 * --reasons: every entry as "NAME SUBSYSTEM VERDICT SUMMARY" rows under a header. Returns 0
 * or the failed write's -errno.
 */
int rpt_explain_list(FILE *out);

/* ---- internal: the table itself (report/reasons_kb.c), any order ---- */

extern const struct rpt_reason_info rpt_reasons_kb[];
extern const size_t rpt_reasons_kb_count;

#endif /* TCPDROP_RPT_EXPLAIN_H */
