/* SPDX-License-Identifier: BSD-2-Clause */
/* filter: which drops a view sees (tcpdump expression on the packet bytes and field predicates). */
#ifndef TCPDROP_RPT_FILTER_H
#define TCPDROP_RPT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpt.h"

/*
 * Predicates of different kinds are ANDed; several values of one kind (a repeated option or
 * a comma-separated list) are ORed. An empty filter passes everything.
 */
struct rpt_filter;

struct rpt_filter *rpt_filter_new(void);
void rpt_filter_free(struct rpt_filter *f);

/*
 * A tcpdump expression, compiled by libpcap for raw IP packets (DLT_RAW: IPv4 and IPv6).
 * Returns 0, or -EINVAL with libpcap's message in err.
 */
int rpt_filter_set_pcap(struct rpt_filter *f, const char *expr, char *err, size_t errlen);

/* Comma-separated reason names, case-insensitive, with or without "SKB_DROP_REASON_". */
int rpt_filter_add_reasons(struct rpt_filter *f, const char *list);

/* The TCP state names --state accepts, comma-separated (Linux numbers them as ABI). */
extern const char rpt_tcp_state_names[];

/* Comma-separated TCP state names (case-insensitive, "TCP_" prefix optional); "-" or "none"
 * selects drops without a socket. A name that is no TCP state is -ENOENT and adds nothing. */
int rpt_filter_add_states(struct rpt_filter *f, const char *list);

/* Exact process name (the file's bytes compared as they are). */
int rpt_filter_add_comm(struct rpt_filter *f, const char *comm);
int rpt_filter_add_pid(struct rpt_filter *f, uint32_t pid);
int rpt_filter_add_netns(struct rpt_filter *f, uint32_t netns);
int rpt_filter_add_ifname(struct rpt_filter *f, const char *ifname);

/*
 * The socket owner (report/rpt.h, struct rpt_owner): digits only are its pid, anything else
 * its exact comm. Drops without a recorded owner never match.
 */
int rpt_filter_add_owner(struct rpt_filter *f, const char *owner);

/*
 * The socket owner's container: its id, or a prefix of it of at least one character (docker
 * ps shows 12). Drops whose owner has no container never match.
 */
int rpt_filter_add_container(struct rpt_filter *f, const char *id);

/* A symbol name that must appear in the drop's stack or be its location (exact match). */
int rpt_filter_add_stack_sym(struct rpt_filter *f, const char *sym);

/* A point in time: absolute wall clock, or an offset from the start of the recording. */
struct rpt_when {
	bool relative;
	int64_t ns; /* ns since the epoch, or ns after the start */
};

/*
 * Parse "YYYY-MM-DD HH:MM:SS[.frac]" or ISO "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm|-hh:mm]"
 * (local time unless utc or a zone is given), "@SECS[.frac]" since the epoch, or
 * "+SECS[.frac]" after the start. Returns 0 or -EINVAL.
 */
int rpt_when_parse(const char *s, bool utc, struct rpt_when *w);

void rpt_filter_set_since(struct rpt_filter *f, const struct rpt_when *w);
void rpt_filter_set_until(struct rpt_filter *f, const struct rpt_when *w);

/* Resolve relative times against the start of the recording (rpt_begin.start_real_ns). */
void rpt_filter_begin(struct rpt_filter *f, uint64_t start_real_ns);

/* True if the drop passes every predicate. */
bool rpt_filter_drop(const struct rpt_filter *f, const struct rpt_drop *d);

/* True if a loss overlaps the time range (losses have no packet, reason or process). */
bool rpt_filter_loss(const struct rpt_filter *f, const struct rpt_loss *l);

#endif /* TCPDROP_RPT_FILTER_H */
