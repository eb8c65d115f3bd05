/* SPDX-License-Identifier: BSD-2-Clause */
/* pcapng_write: a streaming writer of pcapng blocks (SHB, IDB, EPB, ISB) to a caller's FILE *. */
#ifndef TCPDROP_PCAPNG_WRITE_H
#define TCPDROP_PCAPNG_WRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One section, little-endian, section length "unknown" (-1) so the output may be a pipe.
 * Every interface has if_tsresol = 9 (timestamps in nanoseconds since the Unix epoch) and the
 * link type and snaplen given to pcapng_writer_open(): libpcap refuses a file whose interfaces
 * differ in either. Strings are written as given and must be UTF-8 (the caller sanitises);
 * NULL or "" leaves the option out. An option value is at most PCAPNG_OPT_MAX bytes.
 * No custom blocks or options are ever written (Wireshark 4.0 shows custom blocks as packets).
 */

/*
 * Packets that start at the IPv4/IPv6 header. The registry's value is 101 (LINKTYPE_RAW), but
 * libpcap (1.10 and its master branch) maps the first IDB's 101 to DLT_RAW (12) and then
 * compares every later IDB's raw 101 against that 12: a file with two or more LINKTYPE_RAW
 * interfaces is refused ("an interface has a type 101 different from the type of the first
 * interface") by tcpdump and every libpcap reader. The value 12 is DLT_RAW itself on Linux,
 * macOS, FreeBSD, NetBSD and Windows: libpcap keeps it unmapped (so later IDBs compare equal)
 * and Wireshark reads it as Raw IP; only OpenBSD (DLT_LOOP) and BSD/OS read 12 differently.
 */
#define PCAPNG_LINKTYPE_RAW	101u
#define PCAPNG_LINKTYPE_DLT_RAW 12u
#define PCAPNG_OPT_MAX		65535u	/* an option's length field is 16 bits */
#define PCAPNG_SNAP_MAX		262144u /* libpcap's largest snaplen (MAXIMUM_SNAPLEN) */

/* epb_flags bits 0-1: direction. */
#define PCAPNG_EPB_DIR_UNKNOWN 0u
#define PCAPNG_EPB_DIR_IN      1u
#define PCAPNG_EPB_DIR_OUT     2u

struct pcapng_section {
	const char *hardware; /* shb_hardware: e.g. the recording host's architecture */
	const char *os;	      /* shb_os: e.g. its kernel */
	const char *userappl; /* shb_userappl: the writing tool and version */
	const char *comment;  /* opt_comment */
};

struct pcapng_iface {
	const char *name;	 /* if_name */
	const char *description; /* if_description */
};

struct pcapng_packet {
	uint32_t if_id;	     /* from pcapng_writer_add_iface() */
	uint64_t ts_ns;	     /* since the Unix epoch */
	uint32_t caplen;     /* bytes in data, <= the writer's snaplen */
	uint32_t len;	     /* original length, >= caplen */
	const uint8_t *data; /* may be NULL when caplen is 0 */
	const char *comment; /* opt_comment, NULL for none */
	bool has_flags;
	uint32_t flags; /* epb_flags (PCAPNG_EPB_DIR_* in bits 0-1) */
	bool has_packet_id;
	uint64_t packet_id; /* epb_packetid */
	bool has_dropcount;
	uint64_t dropcount; /* epb_dropcount: packets lost since the previous one */
};

struct pcapng_stats {
	uint32_t if_id;
	uint64_t ts_ns; /* when the statistics were taken */
	bool has_span;
	uint64_t start_ns, end_ns; /* isb_starttime, isb_endtime */
	bool has_osdrop;
	uint64_t osdrop;     /* isb_osdrop: lost by the operating system (not the interface) */
	const char *comment; /* opt_comment, NULL for none */
};

struct pcapng_writer;

/*
 * Write a Section Header Block to out (which stays the caller's: never closed) and return a
 * writer for one section whose interfaces all use linktype and snaplen (1..PCAPNG_SNAP_MAX).
 * sec may be NULL. Returns NULL and sets errno (EINVAL for a bad argument or an option longer
 * than PCAPNG_OPT_MAX, else the write error).
 */
struct pcapng_writer *pcapng_writer_open(FILE *out, const struct pcapng_section *sec,
					 uint16_t linktype, uint32_t snaplen);

/*
 * Write an Interface Description Block; *if_id receives its interface id (0, 1, 2... in
 * order). iface may be NULL. Returns 0 or -errno (-EINVAL, -EOVERFLOW after 2^32 - 1
 * interfaces, or the write error).
 */
int pcapng_writer_add_iface(struct pcapng_writer *w, const struct pcapng_iface *iface,
			    uint32_t *if_id);

/*
 * Write an Enhanced Packet Block. Returns 0 or -errno: -EINVAL for an unknown interface,
 * caplen > snaplen, caplen > len, or an oversized comment; else the write error.
 */
int pcapng_writer_add_packet(struct pcapng_writer *w, const struct pcapng_packet *pkt);

/* Write an Interface Statistics Block. Returns 0 or -errno as pcapng_writer_add_packet(). */
int pcapng_writer_add_stats(struct pcapng_writer *w, const struct pcapng_stats *st);

/* Number of interfaces described so far. */
uint32_t pcapng_writer_ifaces(const struct pcapng_writer *w);

/* Bytes written so far. */
uint64_t pcapng_writer_bytes(const struct pcapng_writer *w);

/*
 * Where the SHB's opt_comment text starts, in bytes from the first byte this writer wrote;
 * 0 when the section has no comment. A caller that can seek may overwrite that text later
 * with the same number of bytes (a placeholder filled in at the end); nothing else may change.
 */
uint64_t pcapng_writer_section_comment_at(const struct pcapng_writer *w);

/*
 * Flush out and free w (out stays open). Returns 0, or -errno if any write failed since the
 * writer was opened or the flush fails. pcapng_writer_close(NULL) returns 0.
 */
int pcapng_writer_close(struct pcapng_writer *w);

#endif /* TCPDROP_PCAPNG_WRITE_H */
