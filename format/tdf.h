/* SPDX-License-Identifier: BSD-2-Clause */
/* tdf: the tcpdrop trace file (write and read); the only code both programs share. */
#ifndef TCPDROP_TDF_H
#define TCPDROP_TDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The byte-level contract is man/tcpdrop-file.5. In short:
 *
 *   file    = file-header *block
 *   file-header (16 bytes) = magic "\x89TDROP\r\n" · u16 major · u16 minor · u32 reserved (0)
 *   block   = block-header payload
 *   block-header (20 bytes) = u32 sync "TDBK" · u16 type · u16 flags · u32 payload_len ·
 *             u32 payload_crc32c · u32 header_crc32c (over the 16 bytes before it)
 *   block types: CHUNK (zstd frame of records), INDEX, TRAILER (fixed size, last in a clean file)
 *   record  = u8 type · u8 flags · u16 body_len · body        (inside a decompressed chunk)
 *
 * All integers are little-endian. Block flag bit 0 and record flag bit 0 mean "skippable":
 * a reader that does not know the type skips it; an unknown type without the bit stops the
 * reader (-ENOTSUP).
 */

#define TDF_VERSION_MAJOR 1
#define TDF_VERSION_MINOR 1

/* Caps shared by writer and reader. */
#define TDF_CHUNK_RAW_MAX   (1u << 20) /* a chunk's decompressed size: bounds reader memory */
#define TDF_RECORD_BODY_MAX 65535u     /* u16 body length */
#define TDF_SNAP_MAX	    1024u      /* snap bytes per drop: more than any header stack needs */
#define TDF_STACK_MAX	    127u       /* bpf_get_stack's kernel limit (PERF_MAX_STACK_DEPTH) */
#define TDF_NAME_MAX	    255u       /* one symbol/reason/module/meta string, bytes */
#define TDF_COMM_LEN	    16u	       /* TASK_COMM_LEN */
#define TDF_IFNAME_LEN	    16u	       /* IFNAMSIZ */

/* Record types inside chunks (values are on disk). */
enum tdf_rec_type {
	TDF_REC_META = 1,    /* key/value strings: host, kernel, cmdline, snaplen, filters... */
	TDF_REC_CLOCK = 2,   /* one boottime <-> realtime anchor */
	TDF_REC_REASONS = 3, /* drop reason value -> enum name (full name, with prefix) */
	TDF_REC_STATES = 4,  /* TCP state value -> name */
	TDF_REC_KMOD = 5,    /* module id -> module name (id 0 is vmlinux, implicit) */
	TDF_REC_KSYMS = 6,   /* a batch of text symbols of one module */
	TDF_REC_STACK = 7,   /* stack id -> frames */
	TDF_REC_LOSS = 8,    /* counted events that are not in the file */
	TDF_REC_DROP = 9,    /* one dropped TCP segment */
	TDF_REC_OWNER =
	    10, /* owner id -> process holding the socket, its cgroup (1.1, skippable) */
	TDF_REC_CGROUP = 11, /* cgroup id -> path and container id (1.1, skippable) */
	TDF_REC_NETNS = 12,  /* netns inode -> name (1.1, skippable) */

	/* Not on disk: what the reader reports in stream order. */
	TDF_EV_CORRUPT = 0x100,	  /* a damaged block/chunk was skipped; see problem */
	TDF_EV_TRUNCATED = 0x101, /* the input ended inside a block */
	TDF_EV_INDEX = 0x102,	  /* the clean-close index and summary were read */
};

/*
 * A kernel text address, KASLR-normalised: mod 0 is vmlinux and off is from _text; other
 * mods are KMOD ids and off is from that module's lowest text symbol. TDF_MOD_UNKNOWN means
 * the recorder could not place the address (off is then 0: raw addresses are never stored).
 */
#define TDF_MOD_VMLINUX 0u
#define TDF_MOD_UNKNOWN 0xffffffffu
struct tdf_kaddr {
	uint32_t mod;
	uint32_t off;
};

struct tdf_kv {
	const char *key;
	const char *value;
};

/* Well-known META keys (others may appear; readers keep what they do not know). */
#define TDF_META_HOST		"host"
#define TDF_META_KERNEL_RELEASE "kernel_release"
#define TDF_META_KERNEL_VERSION "kernel_version"
#define TDF_META_BOOT_ID	"boot_id"
#define TDF_META_ARCH		"arch"
#define TDF_META_TOOL_VERSION	"tool_version"
#define TDF_META_CMDLINE	"cmdline"
#define TDF_META_SNAPLEN	"snaplen"
#define TDF_META_STACK_DEPTH	"stack_depth"
#define TDF_META_FILTERS	"filters"
#define TDF_META_HOOK		"hook"
#define TDF_META_RX_SK		"rx_sk"	 /* "yes": the tracepoint names the receiving socket */
#define TDF_META_OWNERS		"owners" /* "yes": socket owners recorded, else "no: why" (1.1) */

struct tdf_meta {
	uint32_t count;
	const struct tdf_kv *kv;
};

/* CLOCK_BOOTTIME (what bpf_ktime_get_boot_ns() returns) and CLOCK_REALTIME at one instant. */
struct tdf_clock {
	uint64_t boot_ns;
	uint64_t real_ns;
};

struct tdf_name {
	uint32_t value;
	const char *name;
};

/* REASONS and STATES. */
struct tdf_names {
	uint32_t count;
	const struct tdf_name *names;
};

struct tdf_kmod {
	uint32_t id; /* >= 1 */
	const char *name;
};

struct tdf_ksym {
	uint32_t off; /* from _text (vmlinux) or the module's lowest text symbol */
	const char *name;
};

struct tdf_ksyms {
	uint32_t mod;
	uint32_t count; /* sorted by off, ascending */
	const struct tdf_ksym *syms;
};

struct tdf_stack {
	uint32_t id;	/* >= 1; 0 in a drop means "no stack" */
	uint32_t depth; /* <= TDF_STACK_MAX, innermost frame first */
	const struct tdf_kaddr *frames;
};

enum tdf_loss_kind {
	TDF_LOSS_RINGBUF = 0,  /* ring buffer full: drops that happened and were not recorded */
	TDF_LOSS_EXCLUDED = 1, /* NOT_SPECIFIED drops left out by default (not a loss) */
};

struct tdf_loss {
	uint8_t kind; /* enum tdf_loss_kind */
	uint32_t cpu; /* UINT32_MAX: all CPUs */
	uint64_t count;
	uint64_t from_ns, to_ns; /* CLOCK_BOOTTIME span the count covers */
};

/* TCP flag bits as in the TCP header's byte 13. */
#define TDF_TCP_FIN 0x01
#define TDF_TCP_SYN 0x02
#define TDF_TCP_RST 0x04
#define TDF_TCP_PSH 0x08
#define TDF_TCP_ACK 0x10
#define TDF_TCP_URG 0x20
#define TDF_TCP_ECE 0x40
#define TDF_TCP_CWR 0x80

#define TDF_STATE_NONE 0 /* no socket (Linux TCP states start at 1) */

/* Direction as known at the drop site (pcapng epb_flags meaning). */
enum tdf_dir {
	TDF_DIR_UNKNOWN = 0,
	TDF_DIR_IN = 1,
	TDF_DIR_OUT = 2,
};

struct tdf_drop {
	uint64_t seq_no; /* drop sequence number within the recording, from 1 */
	uint64_t ts_ns;	 /* CLOCK_BOOTTIME */
	uint32_t cpu, pid, tid;
	char comm[TDF_COMM_LEN]; /* NUL-padded; untrusted bytes */
	uint8_t family;		 /* 4 or 6 */
	uint8_t tcp_flags;
	uint8_t state;		      /* TDF_STATE_NONE or a TCP state value (see STATES) */
	uint8_t dir;		      /* enum tdf_dir */
	uint8_t saddr[16], daddr[16]; /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport;	      /* host order */
	uint32_t tcp_seq, tcp_ack;    /* host order */
	uint16_t win;		      /* raw window field, host order */
	uint32_t reason;	      /* raw value of the recording kernel (see REASONS) */
	struct tdf_kaddr location;
	uint32_t netns;		     /* netns inode number, 0 unknown */
	uint32_t ifindex;	     /* 0 unknown */
	char ifname[TDF_IFNAME_LEN]; /* NUL-padded, "" unknown; untrusted bytes */
	uint32_t len;		     /* skb->len */
	uint32_t stack_id;	     /* 0 = none */
	uint16_t caplen;	     /* <= TDF_SNAP_MAX: bytes in data, from the IP header */
	const uint8_t *data;
	uint32_t owner; /* OWNER id of the socket's owner, 0 none or unknown (1.1) */
};

/*
 * Who held the socket of one or more drops: a process with the socket's file open when the
 * recorder first saw the socket, and the cgroup the socket was created in. For a request
 * mini-socket (NEW_SYN_RECV) it is its listener's; a time-wait socket has none.
 */
struct tdf_owner {
	uint32_t id;		 /* >= 1, what DROP.owner refers to */
	uint32_t pid;		 /* thread group id */
	char comm[TDF_COMM_LEN]; /* NUL-padded; untrusted bytes */
	uint64_t cgroup;	 /* cgroup v2 id (see CGROUP), 0 unknown */
};

/* A cgroup v2 id (the cgroup directory's inode number) and what the recorder found for it. */
struct tdf_cgroup {
	uint64_t id;
	const char *path;      /* from the cgroup2 root, "/..."; "" unknown */
	const char *container; /* container id the path carries, "" none */
};

/* A network namespace's name: from /run/netns, or "container:ID" (see tcpdrop-file(5)). */
struct tdf_netns {
	uint32_t inode;
	const char *name;
};

/* What the reader says about damage (TDF_EV_CORRUPT, TDF_EV_TRUNCATED). */
struct tdf_problem {
	uint64_t offset;  /* file byte offset of the damaged block, or where input ended */
	uint64_t skipped; /* bytes skipped to resynchronise (CORRUPT) */
	const char *what; /* one line, no newline */
};

/* The clean-close summary (TDF_EV_INDEX). */
struct tdf_index {
	uint32_t chunks;
	uint64_t drops, lost, excluded;
	uint64_t first_ns, last_ns; /* CLOCK_BOOTTIME of the first and last drop, 0 if none */
};

struct tdf_record {
	uint32_t type;	 /* enum tdf_rec_type */
	uint64_t offset; /* file offset of the block that held it (reader only) */
	union {
		struct tdf_meta meta;
		struct tdf_clock clock;
		struct tdf_names names; /* REASONS and STATES */
		struct tdf_kmod kmod;
		struct tdf_ksyms ksyms;
		struct tdf_stack stack;
		struct tdf_loss loss;
		struct tdf_drop drop;
		struct tdf_owner owner;
		struct tdf_cgroup cgroup;
		struct tdf_netns netns;
		struct tdf_problem problem;
		struct tdf_index index;
	};
};

/* ---- writer ---- */

struct tdf_writer;

struct tdf_writer_opts {
	int zstd_level;		/* 0 = default (3) */
	uint32_t chunk_raw_max; /* close a chunk at this raw size; 0 = TDF_CHUNK_RAW_MAX */
};

/*
 * Start a trace file on fd (file or pipe; not closed by the writer) and write its header.
 * opts may be NULL. Returns NULL and sets errno on failure.
 */
struct tdf_writer *tdf_writer_open(int fd, const struct tdf_writer_opts *opts);

/*
 * Append one record (TDF_REC_* types only) to the current chunk; a full chunk is compressed
 * and written first. Variable-size records larger than one record body (META, REASONS,
 * STATES, KSYMS) are split into several records transparently. The writer copies what it
 * needs. Returns 0 or -errno (-EINVAL for a record that breaks a cap, -ENOSPC etc. from write).
 */
int tdf_writer_add(struct tdf_writer *w, const struct tdf_record *rec);

/* Compress and write the current chunk, if any. Returns 0 or -errno. */
int tdf_writer_flush(struct tdf_writer *w);

/* Raw bytes buffered in the open chunk (0 right after a flush). */
size_t tdf_writer_pending(const struct tdf_writer *w);

/* Bytes written to fd so far, header included. */
uint64_t tdf_writer_bytes(const struct tdf_writer *w);

/*
 * Flush, then append the index, summary and trailer (a clean close), and free w. The fd stays
 * open. Returns 0 or -errno; w is freed either way. tdf_writer_close(NULL) returns 0.
 */
int tdf_writer_close(struct tdf_writer *w);

/* Free w without writing anything more (after a write error). NULL is a no-op. */
void tdf_writer_abandon(struct tdf_writer *w);

/* ---- reader ---- */

struct tdf_reader;

/* Read from fd (file, pipe, stdin; not closed by the reader). name is used in messages. */
struct tdf_reader *tdf_reader_open_fd(int fd, const char *name);

/* Read from a memory buffer, which must outlive the reader (it is not copied). */
struct tdf_reader *tdf_reader_open_mem(const void *buf, size_t len, const char *name);

/*
 * Next record in file order. Pointers inside rec stay valid until the next call or close.
 * Returns 1 with a record, 0 at the end of the input, or -errno when reading cannot go on:
 * -EBADMSG not a trace file, -ENOTSUP a newer major version or an unknown must-understand
 * type, -EIO etc. from read. tdf_reader_error() then describes it in one line.
 * Damage that can be skipped is not an error: it is reported as TDF_EV_CORRUPT or
 * TDF_EV_TRUNCATED records and reading goes on.
 */
int tdf_reader_next(struct tdf_reader *r, struct tdf_record *rec);

/* The last error's one-line description ("name: offset N: what"), or "". */
const char *tdf_reader_error(const struct tdf_reader *r);

/* Counts of damage seen so far. */
struct tdf_reader_stats {
	uint64_t chunks, corrupt, skipped_bytes;
	bool truncated;
	bool clean_close; /* a valid trailer was read */
};
void tdf_reader_stats(const struct tdf_reader *r, struct tdf_reader_stats *st);

void tdf_reader_close(struct tdf_reader *r);

/* ---- helpers ---- */

/* CRC32C (Castagnoli) of buf, continuing from crc (start with 0). */
uint32_t tdf_crc32c(uint32_t crc, const void *buf, size_t len);

/*
 * The length of the IP datagram whose header starts data (caplen bytes), as that header says:
 * IPv4 total length, IPv6 40 + payload length. 0 when the bytes do not hold that much of an
 * IPv4 or IPv6 header, or for an IPv6 jumbogram (payload length 0).
 */
uint32_t tdf_ip_len(const uint8_t *data, size_t caplen);

/* A reason's name without the "SKB_DROP_REASON_" prefix (points into name). */
const char *tdf_reason_short(const char *name);

#endif /* TCPDROP_TDF_H */
