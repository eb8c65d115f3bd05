/* SPDX-License-Identifier: BSD-2-Clause */
/* output: the trace file (or stdout) through the format writer, and its -C/-G/-W rotation. */
#ifndef TCPDROP_REC_OUTPUT_H
#define TCPDROP_REC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tdf.h"

struct output_cfg {
	const char *pattern;	/* -w: a path, "-" (stdout), or a strftime pattern with -G */
	uint64_t rotate_bytes;	/* -C in bytes, 0 off */
	uint32_t rotate_secs;	/* -G, 0 off */
	uint32_t ring_files;	/* -W, 0 keep all */
	uint32_t chunk_raw_max; /* passed to the writer; 0 default */
};

/*
 * The name of a file: pattern expanded by strftime(localtime(t)) when rotate_secs is set,
 * then, with rotate_bytes, the -C sequence number appended: with ring_files, index % N
 * zero-padded to the width of N-1; without, nothing for index 0 and the number after.
 * Returns 0, -ENAMETOOLONG or -EINVAL (a pattern that expands to "").
 */
int output_name(char *buf, size_t len, const struct output_cfg *cfg, time_t t, uint32_t index);

/* Writes the preamble of each new file (metadata, tables, kallsyms, clock). */
typedef int (*output_begin_fn)(void *arg, struct tdf_writer *w);

struct output;

/*
 * Create the first output (mode 0600, truncated) or take stdout, without writing to it
 * yet, so "cannot write" shows before anything else starts. NULL with errno.
 */
struct output *output_open(const struct output_cfg *cfg, time_t now);

/* Start the format writer on the open output and write its preamble. 0 or -errno. */
int output_start(struct output *s, output_begin_fn begin, void *arg);

/* Add one record to the current file. 0 or -errno (the file is then abandoned). */
int output_add(struct output *s, const struct tdf_record *rec);

/* Write out the open chunk. 0 or -errno. */
int output_flush(struct output *s);

/*
 * Whether -C or -G asks for a new file now (never for a file without a drop yet). Near the
 * -C size it flushes the open chunk to learn the compressed size.
 */
bool output_rotate_due(struct output *s, time_t now);

/*
 * Close the current file cleanly, open the next one (deleting the oldest beyond -W) and
 * write its preamble. The generation number grows by one. 0 or -errno.
 */
int output_rotate(struct output *s, time_t now);

/* Generation of the current file: 0 for the first, +1 per rotation. */
uint32_t output_generation(const struct output *s);

/* Bytes written over all files; the name of the current one ("-" for stdout). */
uint64_t output_bytes(const struct output *s);
const char *output_path(const struct output *s);

/* Close cleanly (index and trailer) and free. 0 or -errno; s is freed either way. */
int output_close(struct output *s);

/*
 * Free s without writing more: after a write error, or (discard = true) before output_start
 * when setting up failed, in which case a file it created is removed.
 */
void output_abandon(struct output *s, bool discard);

#endif /* TCPDROP_REC_OUTPUT_H */
