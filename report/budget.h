/* SPDX-License-Identifier: BSD-2-Clause */
/* budget: the report's memory accounts, one for all input files' tables, one for views' maps. */
#ifndef TCPDROP_RPT_BUDGET_H
#define TCPDROP_RPT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Trace files are untrusted: every table a file fills (symbols, stacks, metadata...) and every
 * map a view keeps per distinct key charges what it holds to one process-wide account before
 * it allocates, and a table whose account is used up keeps what it has and ignores the rest.
 * The accounts are global on purpose: a bound per file would multiply by the number of -r
 * options. Each open input file also charges its reader to the files' account (one
 * decompressed chunk and its buffers, RPT_BUDGET_READER), so the account bounds the number of
 * files too: past about 120 files the next one is refused (merge fewer at a time).
 *
 * The whole report stays below 256 MiB of resident memory for any input: the two accounts
 * (192 MiB), the views' stack-text caches (report/stacktext.c: 8 MiB each, at most two per
 * view), the program itself (some 8 MiB with libpcap and libzstd) and what the accounts
 * estimate low (allocator slack). man/tcpdrop-report.8 (SECURITY) says the same to users.
 */

/*
 * Every input file's reader and tables together. A real recording needs about 8 MiB
 * (120000 symbols of some 25 bytes, a few hundred stacks), so about a dozen honest files fit
 * in full; a full-depth stack costs 1.1 KiB, so one hostile file keeps some 140000.
 */
#define RPT_BUDGET_FILES ((size_t)160 << 20)

/*
 * What one open file's reader holds at most (format/reader.c): the decompressed chunk
 * (TDF_CHUNK_RAW_MAX), the input window between blocks (64 KiB), zstd's context (94 KiB),
 * the decoded strings and items of one record (64 KiB each); measured 1.29 MiB per file.
 */
#define RPT_BUDGET_READER ((size_t)1344 << 10)

/* The aggregating views' maps together (one key per distinct row): a summary by flow of a
 * flood from a million sources needs some 120 MiB, the rest is folded into "(other)". */
#define RPT_BUDGET_VIEWS ((size_t)32 << 20)

enum rpt_pool { RPT_POOL_FILES, RPT_POOL_VIEWS, RPT_POOL_COUNT_ };

/*
 * What an allocator adds to each block (glibc: 8 bytes of header, 16-byte alignment): every
 * charge of one allocation adds it, so many small names cannot hide behind it.
 */
#define RPT_BUDGET_MALLOC_OVERHEAD 16u

/* What a table's add function returns (besides 0 and -ENOMEM) when it left something out. */
#define RPT_FULL_COUNT 1 /* the table's own cap on entries for one file */
#define RPT_FULL_BYTES 2 /* the pool's budget */

/* Charge bytes to pool if they fit. Returns false (nothing charged) when they do not. */
bool rpt_budget_take(enum rpt_pool pool, size_t bytes);

/* Give back what rpt_budget_take() charged (never more). */
void rpt_budget_give(enum rpt_pool pool, size_t bytes);

/* Bytes charged now, and the limit. */
size_t rpt_budget_used(enum rpt_pool pool);
size_t rpt_budget_limit(enum rpt_pool pool);

/* Set pool's limit (tests craft files at a budget without making them huge); 0 restores the
 * default. */
void rpt_budget_set_limit(enum rpt_pool pool, size_t limit);

/*
 * Who is told when a file's table is full (main prints it: one line per file and table).
 * file is the file's name, table what was full ("stacks", "symbols"...), what the rest of
 * the line: why it was full and what happens to what did not fit. Both are the file's bytes
 * only through file (escape it). NULL fn: nobody.
 */
typedef void rpt_budget_notice_fn(void *arg, const char *file, const char *table, const char *what);
void rpt_budget_on_full(rpt_budget_notice_fn *fn, void *arg);

/* Tell the one who listens (report/file.c: once per file and table). */
void rpt_budget_notice(const char *file, const char *table, const char *what);

#endif /* TCPDROP_RPT_BUDGET_H */
