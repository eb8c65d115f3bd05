/* SPDX-License-Identifier: BSD-2-Clause */
/* opts: tcpdrop-record's command line, parsed and range-checked into one struct. */
#ifndef TCPDROP_REC_OPTS_H
#define TCPDROP_REC_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPTS_SNAPLEN_DEFAULT	 256u /* IPv6 + extension headers + TCP with options: see man */
#define OPTS_SNAPLEN_MIN	 20u  /* an IPv4 header without options */
#define OPTS_STACK_DEPTH_DEFAULT 64u  /* measured: see the OVERHEAD section of the man page */
#define OPTS_RINGBUF_DEFAULT	 (8u << 20) /* bytes */
#define OPTS_RINGBUF_MIN	 (64u << 10)
#define OPTS_RINGBUF_MAX	 (1u << 30)
#define OPTS_FLUSH_MS_DEFAULT	 1000u
#define OPTS_FLUSH_MS_LIVE	 200u /* without -w a person watches: show drops promptly */
#define OPTS_REASONS_MAX	 16u  /* == TDE_REASONS_MAX */
#define OPTS_ERR_LEN		 256

/*
 * The user to switch to after setup when -Z is not given: none (stay uid 0 without
 * capabilities) unless the build says otherwise, e.g.
 * make CFLAGS='-O2 -g -DTCPDROP_DEFAULT_USER=\"tcpdrop\"'. -Z root then keeps uid 0.
 */
#ifdef TCPDROP_DEFAULT_USER
#define OPTS_USER_DEFAULT TCPDROP_DEFAULT_USER
#else
#define OPTS_USER_DEFAULT NULL
#endif

struct rec_opts {
	const char *path;	/* -w; "-" is stdout; NULL: the live view (no -w) */
	const char *metrics;	/* --metrics FILE: Prometheus text, NULL = none */
	uint64_t count;		/* -c, 0 = unlimited */
	uint64_t duration_s;	/* --duration, 0 = unlimited */
	uint64_t rotate_bytes;	/* -C MB * 1,000,000 (tcpdump's unit), 0 = off */
	uint32_t rotate_secs;	/* -G, 0 = off */
	uint32_t ring_files;	/* -W, 0 = keep every file */
	uint32_t snaplen;	/* -s */
	uint32_t stack_depth;	/* --stack-depth; 0 with --no-stack */
	uint64_t ringbuf_bytes; /* --ringbuf-size, a power of two */
	uint32_t flush_ms;	/* --flush-interval (a shorter default in the live view) */
	const char *user;	/* -Z: a name or uid, resolved by the session; NULL = stay uid 0 */
	bool user_built_in;	/* user is OPTS_USER_DEFAULT, not from -Z */
	uint8_t family;		/* -4 / -6: 4, 6 or 0 */
	uint16_t port;		/* --port, 0 = any */
	uint8_t host_family;	/* --host: 4, 6 or 0 */
	uint8_t host[16];
	const char *host_str;
	uint32_t netns;	   /* --netns, 0 = any */
	uint32_t nreasons; /* --reason names, resolved later against the kernel's BTF */
	char *reasons[OPTS_REASONS_MAX]; /* point into reasons_buf */
	char reasons_buf[1024];
	bool all_reasons;
	bool quiet;    /* -q */
	bool no_stack; /* --no-stack */
	bool no_owner; /* --no-owner */
	bool help;
	bool version;
};

/*
 * Parse a decimal number for option `name` into [min, max]. Accepts plain digits only (no
 * sign, no spaces, no trailing junk). On failure writes "NAME: why (range MIN-MAX)" to err
 * and returns -EINVAL (or -ERANGE for a value outside the range or too large).
 */
int opts_parse_num(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		   char *err, size_t errlen);

/*
 * Parse a size with an optional unit: K/KB (KiB), M/MB (MiB), no unit = KiB. Used for
 * --ringbuf-size. Same error conventions as opts_parse_num; the result is in bytes.
 */
int opts_parse_size_kb(const char *name, const char *s, uint64_t min, uint64_t max, uint64_t *out,
		       char *err, size_t errlen);

/*
 * Parse argv (getopt_long, resets optind) into o, filling defaults first. Returns 0, or
 * -EINVAL with a one-line reason in err (a usage error). Does not touch the system.
 */
int opts_parse(int argc, char **argv, struct rec_opts *o, char *err, size_t errlen);

/* Describe the active filters in one line ("" when none) for the file's metadata. */
void opts_filters_str(const struct rec_opts *o, char *buf, size_t len);

#endif /* TCPDROP_REC_OPTS_H */
