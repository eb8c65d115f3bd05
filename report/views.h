/* SPDX-License-Identifier: BSD-2-Clause */
/* views: the text sinks of the report (table, json, csv, summary, timeline, info). */
#ifndef TCPDROP_RPT_VIEWS_H
#define TCPDROP_RPT_VIEWS_H

#include <stdio.h>

#include "rpt.h"

/*
 * Each open function returns a sink writing to out (never closed by the sink), or NULL with
 * errno set. rpt_sink_close() frees the sink and its state. The options are copied.
 */

/* The classic table: one line per drop, its stack below, marked lines for lost drops. */
struct rpt_sink *rpt_table_open(FILE *out, const struct rpt_view_opts *o);

/* One JSON object per line. */
struct rpt_sink *rpt_json_open(FILE *out, const struct rpt_view_opts *o);

/* A header row, then one row per drop (and per loss, type "lost"). */
struct rpt_sink *rpt_csv_open(FILE *out, const struct rpt_view_opts *o);

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
	RPT_KEY_COUNT_ /* number of keys */
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

/* Counts and shares per distinct key tuple, most first; printed at the end. */
struct rpt_sink *rpt_summary_open(FILE *out, const struct rpt_view_opts *o,
				  const struct rpt_summary_opts *so);

struct rpt_timeline_opts {
	uint64_t interval_ns; /* 0 = automatic (at most about 60 rows) */
	bool by_reason;
};

/* Parse "10s", "500ms", "2m", "1h", "1d" or plain seconds. Returns 0 or -EINVAL/-ERANGE. */
int rpt_interval_parse(const char *s, uint64_t *ns);

/* Drops per interval as a text chart, printed at the end. */
struct rpt_sink *rpt_timeline_open(FILE *out, const struct rpt_view_opts *o,
				   const struct rpt_timeline_opts *to);

/* What the files are: metadata, time span, drops per reason, losses and damage. */
struct rpt_sink *rpt_info_open(FILE *out, const struct rpt_view_opts *o);

#endif /* TCPDROP_RPT_VIEWS_H */
