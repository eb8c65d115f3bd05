/* SPDX-License-Identifier: BSD-2-Clause */
/* rpt: the report's model of decoded drops (files, drops, losses), the run and text helpers. */
#ifndef TCPDROP_RPT_H
#define TCPDROP_RPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tdf.h"

/*
 * Data flow: rpt_run() reads every input file through format/tdf.h, keeps each file's
 * metadata in a struct rpt_file, merges the files' drops and losses in wall-clock order,
 * applies the filter and hands each survivor to one view (report/views.h: table, json,
 * csv, summary, timeline, info or pcapng). Everything a sink receives is valid only
 * during the call; a sink copies what it keeps.
 */

/* ---- per-input-file state ---- */

/* Opaque: one input file and what its records said so far (META, CLOCK, REASONS, STATES,
 * KMOD, KSYMS, STACK). Owned by rpt_run()'s caller through rpt_file_open()/rpt_file_close(). */
struct rpt_file;

/*
 * Open path for reading ("-" = stdin; the fd is then not closed). name defaults to path when
 * NULL. Returns NULL and sets errno (ENOENT etc.).
 */
struct rpt_file *rpt_file_open(const char *path);

/* A file over a memory buffer that must outlive it (tests). Returns NULL and sets errno. */
struct rpt_file *rpt_file_open_mem(const void *buf, size_t len, const char *name);

void rpt_file_close(struct rpt_file *f);

/* The name given at open ("-" is shown as "stdin"). Never NULL. */
const char *rpt_file_name(const struct rpt_file *f);

/* The value of META key (last one wins), or NULL if absent. */
const char *rpt_file_meta(const struct rpt_file *f, const char *key);

/* All META pairs in file order (keys may repeat). */
size_t rpt_file_meta_count(const struct rpt_file *f);
const struct tdf_kv *rpt_file_meta_at(const struct rpt_file *f, size_t i);

/* The host the file was recorded on: META "host", else the file name. Never NULL. */
const char *rpt_file_host(const struct rpt_file *f);

/*
 * Wall-clock ns for a CLOCK_BOOTTIME stamp of this file, through the nearest preceding clock
 * anchor, else the first one; with no anchor at all, boot_ns itself.
 */
uint64_t rpt_file_realtime(const struct rpt_file *f, uint64_t boot_ns);

/* Wall-clock ns of the first clock anchor (the recording's start), 0 if none yet. */
uint64_t rpt_file_start(const struct rpt_file *f);

/* A reason's short name (no SKB_DROP_REASON_ prefix) from the file's table, or NULL. */
const char *rpt_file_reason(const struct rpt_file *f, uint32_t value);

/* A TCP state's name from the file's table (NULL for TDF_STATE_NONE or unknown values). */
const char *rpt_file_state(const struct rpt_file *f, uint8_t value);

/* A stack by id, NULL if id is 0 or was never defined. */
const struct tdf_stack *rpt_file_stack(const struct rpt_file *f, uint32_t id);

/* Module name for a KMOD id ("vmlinux" for 0), NULL if unknown. */
const char *rpt_file_module(const struct rpt_file *f, uint32_t mod);

/*
 * The symbol containing a: its name and a->off minus the symbol's offset in *sym_off, the
 * module name (NULL for vmlinux) in *module. Returns NULL when the file's snapshot cannot
 * place it. Only the file's own kallsyms snapshot is used, never the reading host's.
 */
const char *rpt_file_lookup(const struct rpt_file *f, struct tdf_kaddr a, uint32_t *sym_off,
			    const char **module);

/*
 * Format a into buf: "sym+0xoff", "sym+0xoff [module]", or when the snapshot cannot place
 * it "0xoff? [module]" / "0xoff?" (vmlinux) / "?" (unknown module). The text is made of the
 * file's bytes: escape it before output (rpt_fput_text). Returns the length that the full
 * text needs (like snprintf); buf is always NUL-terminated when len > 0.
 */
int rpt_file_symbolize(const struct rpt_file *f, struct tdf_kaddr a, char *buf, size_t len);

/*
 * A number that changes whenever what rpt_file_lookup(), rpt_file_symbolize(),
 * rpt_file_stack() or rpt_stack_skip() answer may change (new symbols or module names, a
 * redefined stack id): text rendered from them under one value stays valid while it holds.
 */
uint64_t rpt_file_symgen(const struct rpt_file *f);

/* A netns inode's name from the file's NETNS records, NULL unknown. */
const char *rpt_file_netns_name(const struct rpt_file *f, uint32_t inode);

/* How many socket owners, cgroups and netns names the file defined so far. */
void rpt_file_owner_counts(const struct rpt_file *f, size_t *owners, size_t *cgroups,
			   size_t *netns);

/* Damage counters of the file's reader (chunks, corrupt, truncated, clean close). */
void rpt_file_stats(const struct rpt_file *f, struct tdf_reader_stats *st);

/* The clean-close summary if the file had one (NULL otherwise). */
const struct tdf_index *rpt_file_index(const struct rpt_file *f);

/* ---- events handed to sinks ---- */

/* The longest cgroup path a view shows (PATH_MAX; report/ownertab.c keeps no more). */
#define RPT_TEXT_PATH_MAX 4096u

/*
 * The process holding a drop's socket, as the file recorded it (OWNER, CGROUP records): not
 * the task that happened to be on the CPU (tdf_drop.pid/comm).
 */
struct rpt_owner {
	uint32_t pid;		 /* thread group id */
	char comm[TDF_COMM_LEN]; /* NUL-terminated; untrusted bytes */
	uint64_t cgroup;	 /* cgroup v2 id, 0 unknown */
	const char *cgroup_path; /* from the cgroup2 root, NULL unknown; untrusted bytes */
	const char *container;	 /* the container id its cgroup names, NULL none; untrusted */
};

struct rpt_drop {
	const struct tdf_drop *d;
	const struct rpt_file *file;
	const char *host;   /* rpt_file_host() */
	uint64_t real_ns;   /* wall clock, ns since the epoch */
	const char *reason; /* short name, never NULL; "UNKNOWN_<code>" if not in the table */
	const char *state;  /* NULL = no socket; "UNKNOWN_<n>" if the file does not name it */
	const struct tdf_stack *stack; /* NULL if none */
	uint64_t lost_before; /* ring-buffer losses this file reported since its last drop */
	const struct rpt_owner *owner; /* the socket's owner, NULL none or unknown (old files) */
	const char *netns_name;	       /* the file's name of d->netns, NULL unknown */
	uint32_t ip_len; /* the IP datagram's length by its header (tdf_ip_len), 0 unknown */
};

struct rpt_loss {
	const struct rpt_file *file;
	const char *host;
	uint8_t kind; /* enum tdf_loss_kind: only TDF_LOSS_RINGBUF is lost data */
	uint32_t cpu; /* UINT32_MAX = all CPUs */
	uint64_t count;
	uint64_t from_real_ns, to_real_ns;
};

struct rpt_sink; /* the interface every view implements: report/views.h */

/* ---- the run: read, merge, filter, deliver (report/run.c) ---- */

struct rpt_filter; /* report/filter.h */

struct rpt_run_opts {
	const struct rpt_filter *filter; /* NULL: everything */
	uint64_t max_drops; /* -c: stop after this many drops passed the filter; 0 = no limit */
	/* Called for every problem a reader reports (main prints it); may be NULL. */
	void (*on_problem)(void *arg, const struct rpt_file *f, uint32_t type,
			   const struct tdf_problem *p);
	void *arg;
};

/*
 * Read files[0..n) to the end, merging drops and losses of all files by wall-clock time
 * (streaming: one pending event per file), and deliver them to sink; then call finish.
 * Output is flushed by the sinks per event, so a pipe gives a live view.
 * Returns 0, a sink's error, or the -errno of a file that could not be read at all (its
 * message is then in rpt_file_error()); files that could be read keep being delivered.
 */
int rpt_run(struct rpt_file *const *files, size_t n, struct rpt_sink *sink,
	    const struct rpt_run_opts *o);

/* The last fatal read error of f in one line ("name: offset N: what"), or "". */
const char *rpt_file_error(const struct rpt_file *f);

/* ---- view options shared by the text renderers ---- */

enum rpt_time_fmt {
	RPT_TIME_CLOCK = 0, /* HH:MM:SS (the classic table) */
	RPT_TIME_ISO,	   /* 2024-05-01T12:00:00.123456789Z, or with +hh:mm offset in local time */
	RPT_TIME_EPOCH,	   /* 1714564800.123456789 */
	RPT_TIME_RELATIVE, /* seconds since the start, 12.345678901 */
};

struct rpt_view_opts {
	enum rpt_time_fmt time_fmt;
	bool utc; /* false: local time (TZ) */
	bool no_stack;
	bool flush; /* fflush after every event (live view from a pipe) */
};

/* ---- text helpers (report/text.c) ---- */

/*
 * What a view returns after writing to out: 0, or -errno of the write that failed (-EIO when
 * it is no longer known: stdio keeps no errno of its own, so rpt_run() clears errno before
 * every sink op and a failed write leaves its errno there). With flush, the buffer is
 * pushed out first (a live view after each event, any view at the end).
 */
int rpt_out_status(FILE *out, bool flush);

/*
 * Write at most maxlen bytes of s (stops at NUL) with control characters, backslash, DEL
 * and invalid UTF-8 escaped as \\ and \xNN; valid multi-byte UTF-8 passes through.
 * Returns 0, -ENOMEM or the failed write's -errno.
 */
int rpt_fput_text(FILE *out, const char *s, size_t maxlen);

/* The same into buf (always NUL-terminated if len > 0); returns the full length needed. */
size_t rpt_text_escape(char *buf, size_t len, const char *s, size_t maxlen);

/* Write s as a JSON string with quotes; control chars and invalid UTF-8 become \u00XX. */
int rpt_fput_json(FILE *out, const char *s, size_t maxlen);

/* The inside of rpt_fput_json()'s string (no quotes) into buf, like rpt_text_escape(). At
 * most 6 bytes per input byte. */
size_t rpt_json_escape(char *buf, size_t len, const char *s, size_t maxlen);

/* "SYN|ACK" in FIN|SYN|RST|PSH|ACK|URG|ECE|CWR order, "" for none. buf >= 32 bytes. */
const char *rpt_fmt_flags(uint8_t flags, char *buf, size_t len);

/* An address alone ("10.0.0.1", "fe80::1"). buf >= 48 bytes. */
const char *rpt_fmt_addr(uint8_t family, const uint8_t addr[16], char *buf, size_t len);

/* addr:port, IPv6 as [addr]:port. buf >= 56 bytes. */
const char *rpt_fmt_endpoint(uint8_t family, const uint8_t addr[16], uint16_t port, char *buf,
			     size_t len);

/* Wall-clock time in the chosen style; start_ns is used by RPT_TIME_RELATIVE. buf >= 48. */
const char *rpt_fmt_time(uint64_t real_ns, uint64_t start_ns, const struct rpt_view_opts *o,
			 char *buf, size_t len);

/* ISO-8601 UTC with nanoseconds: "2024-05-01T12:00:00.123456789Z". buf >= 40. */
const char *rpt_fmt_iso_utc(uint64_t real_ns, char *buf, size_t len);

#endif /* TCPDROP_RPT_H */
