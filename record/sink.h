/* SPDX-License-Identifier: BSD-2-Clause */
/* sink: the output (file or stdout) through the format writer, with -C/-G/-W rotation. */
#ifndef TCPDROP_REC_SINK_H
#define TCPDROP_REC_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tdf.h"

struct sink_cfg {
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
int sink_name(char *buf, size_t len, const struct sink_cfg *cfg, time_t t, uint32_t index);

/* Writes the preamble of each new file (metadata, tables, kallsyms, clock). */
typedef int (*sink_begin_fn)(void *arg, struct tdf_writer *w);

struct sink;

/*
 * Create the first output (mode 0600, truncated) or take stdout, without writing to it
 * yet, so "cannot write" shows before anything else starts. NULL with errno.
 */
struct sink *sink_open(const struct sink_cfg *cfg, time_t now);

/* Start the format writer on the open output and write its preamble. 0 or -errno. */
int sink_start(struct sink *s, sink_begin_fn begin, void *arg);

/* Add one record to the current file. 0 or -errno (the file is then abandoned). */
int sink_add(struct sink *s, const struct tdf_record *rec);

/* Write out the open chunk. 0 or -errno. */
int sink_flush(struct sink *s);

/*
 * Whether -C or -G asks for a new file now (never for a file without a drop yet). Near the
 * -C size it flushes the open chunk to learn the compressed size.
 */
bool sink_rotate_due(struct sink *s, time_t now);

/*
 * Close the current file cleanly, open the next one (deleting the oldest beyond -W) and
 * write its preamble. The generation number grows by one. 0 or -errno.
 */
int sink_rotate(struct sink *s, time_t now);

/* Generation of the current file: 0 for the first, +1 per rotation. */
uint32_t sink_generation(const struct sink *s);

/* Bytes written over all files; the name of the current one ("-" for stdout). */
uint64_t sink_bytes(const struct sink *s);
const char *sink_path(const struct sink *s);

/* Close cleanly (index and trailer) and free. 0 or -errno; s is freed either way. */
int sink_close(struct sink *s);

/*
 * Free s without writing more: after a write error, or (discard = true) before sink_start
 * when setting up failed, in which case a file it created is removed.
 */
void sink_abandon(struct sink *s, bool discard);

#endif /* TCPDROP_REC_SINK_H */
