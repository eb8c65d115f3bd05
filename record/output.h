/* SPDX-License-Identifier: BSD-2-Clause */
/* output: the trace file (or stdout) through the format writer, and its -C/-G/-W rotation. */
#ifndef TCPDROP_REC_OUTPUT_H
#define TCPDROP_REC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
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

/* Which file a name led to when the recording opened it (for -W: only its own files). */
struct output_file_id {
	dev_t dev;
	ino_t ino;
};

/*
 * The policy for every file the recorder writes (the first, and each rotation):
 * - a symbolic link at the last component is never followed (-ELOOP), a directory
 *   (-EISDIR), a socket (-ENXIO) or a block device (-ENODEV) is refused before any open;
 * - a missing name is created with O_EXCL, mode 0600;
 * - an existing regular file is truncated and set to 0600 only when owner owns it
 *   (-EEXIST) and it has one link (-EMLINK); with expect (a -W name reused), only when it
 *   still is that file (-ESTALE);
 * - a FIFO owned by owner or root, or a character device, is written as it is (a FIFO
 *   waits for its reader);
 * - a name switched to another file between the check and the open: -EBUSY.
 * Returns the fd (O_CLOEXEC), with the file's identity in id and whether it was created, or
 * -errno; output_strerror says why in words.
 */
int output_file_open(const char *path, uid_t owner, const struct output_file_id *expect,
		     struct output_file_id *id, bool *created);

/* A short reason for an error of output_file_open/output_open/output_rotate (static). */
const char *output_strerror(int err);

/* Writes the preamble of each new file (metadata, tables, kallsyms, clock). */
typedef int (*output_begin_fn)(void *arg, struct tdf_writer *w);

struct output;

/*
 * Open the first output (output_file_open's policy, owner the real uid) or take stdout,
 * without writing to it yet, so "cannot write" shows before anything else starts. NULL with
 * errno.
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
 * Close the current file cleanly, open the next one (output_file_open's policy, owner the
 * real uid; a -W name reused must still be this recording's file), delete the oldest beyond
 * -W when its name still leads to the file this recording made, and write the preamble.
 * The generation number grows by one. 0 or -errno.
 */
int output_rotate(struct output *s, time_t now);

/* Generation of the current file: 0 for the first, +1 per rotation. */
uint32_t output_generation(const struct output *s);

/* Bytes written over all files; the name of the current one ("-" for stdout). */
uint64_t output_bytes(const struct output *s);
const char *output_path(const struct output *s);

/* -Z: give the current file, when a regular file, to uid:gid (tcpdump does the same). 0 or
 * -errno. */
int output_chown(struct output *s, uid_t uid, gid_t gid);

/* Close cleanly (index and trailer) and free. 0 or -errno; s is freed either way. */
int output_close(struct output *s);

/*
 * Free s without writing more: after a write error, or (discard = true) before output_start
 * when setting up failed, in which case a file it created is removed.
 */
void output_abandon(struct output *s, bool discard);

#endif /* TCPDROP_REC_OUTPUT_H */
