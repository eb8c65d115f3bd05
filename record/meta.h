/* SPDX-License-Identifier: BSD-2-Clause */
/* meta: host metadata key/values and clock anchors for the trace file. */
#ifndef TCPDROP_REC_META_H
#define TCPDROP_REC_META_H

#include <stddef.h>
#include <stdint.h>

#include "tdf.h"

#define META_KV_MAX  16
#define META_BUF_LEN 8192

/* What the recorder knows about itself; the rest meta_collect finds on the host. */
struct meta_info {
	int argc;
	char **argv;
	uint32_t snaplen;
	uint32_t stack_depth;
	const char *filters;
	const char *hook;
	bool rx_sk;	    /* the tracepoint gives the receiving socket (Linux 6.11+) */
	const char *owners; /* "yes", or "no: why" */
};

struct meta {
	uint32_t count;
	struct tdf_kv kv[META_KV_MAX];
	char buf[META_BUF_LEN]; /* the values live here */
	size_t used;
};

/* Fill m: host, kernel_release, kernel_version, boot_id, arch, tool_version, cmdline... */
int meta_collect(struct meta *m, const struct meta_info *in);

/* m as a META record body (valid while m lives). */
void meta_record(const struct meta *m, struct tdf_record *rec);

/*
 * Join argv into one shell-like line: arguments with characters outside [A-Za-z0-9_./:,=+%@-]
 * are single-quoted. Returns the length (truncated to len-1 bytes if needed).
 */
size_t meta_cmdline(int argc, char **argv, char *buf, size_t len);

/* One CLOCK_BOOTTIME <-> CLOCK_REALTIME anchor (realtime read between two boottime reads). */
int meta_clock_now(struct tdf_clock *c);

/* CLOCK_BOOTTIME now, in ns (the clock of bpf_ktime_get_boot_ns). */
uint64_t meta_boot_ns(void);

#endif /* TCPDROP_REC_META_H */
