/* SPDX-License-Identifier: BSD-2-Clause */
/* tdftest: build sample trace files in memory for tests and fuzz seeds; count what reads back. */
#ifndef TCPDROP_TDFTEST_H
#define TCPDROP_TDFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdf.h"

/* A growable byte buffer. Functions abort() on allocation failure (tests only). */
struct tdftest_buf {
	uint8_t *p;
	size_t len, cap;
};
void tdftest_buf_put(struct tdftest_buf *b, const void *data, size_t n);
void tdftest_buf_free(struct tdftest_buf *b);

/*
 * A deterministic drop numbered seq (seq_no = seq, ts_ns = 1000000 * seq, IPv4 10.0.0.1:40000+
 * -> 10.0.0.2:80, reason 2, ...). data points at static bytes; caplen <= TDF_SNAP_MAX.
 */
void tdftest_drop(struct tdf_drop *d, uint64_t seq, uint16_t caplen);

/*
 * Write recs with a writer on a memory file and return the file's bytes (malloc'd, caller
 * frees) with its length in *len. opts may be NULL. clean_close: tdf_writer_close() (index +
 * trailer); otherwise flush and abandon, like a recorder that was killed after a flush.
 */
uint8_t *tdftest_write(const struct tdf_record *recs, size_t n, const struct tdf_writer_opts *opts,
		       bool clean_close, size_t *len);

/*
 * A sample recording: META, CLOCK, REASONS, STATES, KMOD, KSYMS, STACK, LOSS (ringbuf 7,
 * excluded 3), then drops 1..drops (caplen 40, stack_id 1), chunks closed at chunk_raw_max.
 */
uint8_t *tdftest_sample(unsigned drops, uint32_t chunk_raw_max, bool clean_close, size_t *len);

/* What a full read of a file gave. */
struct tdftest_counts {
	int ret;	      /* tdf_reader_next's final return: 0 or -errno */
	uint64_t records[16]; /* by TDF_REC_* type */
	uint64_t drops, corrupt, truncated, index;
	uint64_t seq_sum;	       /* sum of drop seq_no: tells which drops came back */
	uint64_t first_problem_offset; /* of the first CORRUPT/TRUNCATED, UINT64_MAX if none */
	struct tdf_index summary;      /* from the last TDF_EV_INDEX */
	struct tdf_reader_stats stats;
	char error[256];
};
void tdftest_read(const void *buf, size_t len, struct tdftest_counts *c);

/* Pieces for hand-made files (valid CRCs), appended to b. */
void tdftest_put_file_header(struct tdftest_buf *b, uint16_t major, uint16_t minor);
void tdftest_put_block(struct tdftest_buf *b, uint16_t type, uint16_t flags, const void *payload,
		       uint32_t len);
/* A CHUNK block of raw records; raw_len_field/count are written as given (to tell lies). */
void tdftest_put_chunk(struct tdftest_buf *b, const void *raw, size_t raw_len,
		       uint32_t raw_len_field, uint32_t count);
/* One record header + body appended to b (raw chunk content). */
void tdftest_put_record(struct tdftest_buf *b, uint8_t type, uint8_t flags, const void *body,
			uint16_t body_len);

#endif /* TCPDROP_TDFTEST_H */
