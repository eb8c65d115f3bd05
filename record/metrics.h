/* SPDX-License-Identifier: BSD-2-Clause */
/* metrics: drop counters by label set, written as Prometheus text for node_exporter's textfile
 * collector. */
#ifndef TCPDROP_REC_METRICS_H
#define TCPDROP_REC_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Distinct label sets (reason, family, netns, container) of tcpdrop_drops_total. Every set is
 * a time series Prometheus keeps for weeks: a host with thousands of short-lived namespaces
 * must not become thousands of series. Beyond the cap a drop counts in the series of its
 * reason and family whose netns and container (the labels it has) are "other".
 */
#define METRICS_SETS_MAX 1000u
/* The "other" series themselves: at most one per reason and family the kernel has (~200 in
   Linux 6.18, two families); past this too, reason="other",family="other". */
#define METRICS_OTHER_MAX 512u
/* Bytes of one label value kept (a container id is 64 hex digits, a netns name <= 255). */
#define METRICS_LABEL_MAX 128u

/* The totals beside the drop counters, as the capture counts them. */
struct metrics_totals {
	uint64_t lost;		/* tcpdrop_lost_total: ring-buffer reserve failures */
	uint64_t excluded;	/* tcpdrop_excluded_total: NOT_SPECIFIED left out */
	uint64_t bytes;		/* tcpdrop_bytes_written_total */
	uint64_t start_real_ns; /* tcpdrop_start_time_seconds, as Unix time in ns */
};

struct metrics;

/*
 * A counters table for at most max_sets label sets (0: METRICS_SETS_MAX) that writes to path
 * (NULL: render only, for tests). The directory of path is opened here, so call it during
 * setup, while privileges allow: later writes are relative to that fd (openat, renameat).
 * NULL with errno (ENOENT, ENOTDIR, EACCES... of the directory, EINVAL for an empty name or
 * one ending in '/', ENOMEM).
 */
struct metrics *metrics_new(const char *path, uint32_t max_sets);

/* Close the directory and free m. NULL is a no-op. */
void metrics_free(struct metrics *m);

/*
 * Count one drop. reason: the name without the SKB_DROP_REASON_ prefix (NULL: "unknown");
 * family 4 or 6 (anything else: "other"); netns and container: label values, NULL or ""
 * when unknown (the label is then left out). The strings are copied (at most
 * METRICS_LABEL_MAX bytes each). Never fails: past the caps it counts under "other".
 */
void metrics_drop_add(struct metrics *m, const char *reason, unsigned family, const char *netns,
		      const char *container);

/* Label sets in use, and drops counted under an "other" value because of the caps. */
uint32_t metrics_sets(const struct metrics *m);
uint64_t metrics_capped(const struct metrics *m);

/*
 * Write the exposition text (HELP and TYPE lines, series sorted by their labels) to f. 0, or
 * -EIO when f reports an error.
 */
int metrics_render(const struct metrics *m, const struct metrics_totals *t, FILE *f);

/*
 * Replace the file atomically: render into a hidden temporary file in the same directory
 * (".NAME.tmp", which the textfile collector ignores: it reads only *.prom), mode 0644,
 * fsync it when fsync is set, rename it over NAME. A failure removes the temporary file and
 * returns -errno; the previous file stays as it was. -EINVAL without a path.
 */
int metrics_write(const struct metrics *m, const struct metrics_totals *t, bool fsync);

/* The path given to metrics_new (NULL without one). */
const char *metrics_path(const struct metrics *m);

#endif /* TCPDROP_REC_METRICS_H */
