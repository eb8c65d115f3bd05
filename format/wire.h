/* SPDX-License-Identifier: BSD-2-Clause */
/* wire: on-disk constants, little-endian stores and the bounds-checked read and write cursors. */
#ifndef TCPDROP_WIRE_H
#define TCPDROP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <zstd.h>

#include "tdf.h"

/* File header: magic, u16 major, u16 minor, u32 reserved. */
#define TDF_MAGIC	 "\x89TDROP\r\n"
#define TDF_MAGIC_LEN	 8u
#define TDF_FILE_HDR_LEN 16u

/* Block header: sync, u16 type, u16 flags, u32 payload_len, u32 payload crc, u32 header crc. */
#define TDF_SYNC	       "TDBK"
#define TDF_SYNC_LEN	       4u
#define TDF_BLOCK_HDR_LEN      20u
#define TDF_BLOCK_HDR_CRC_SPAN 16u

#define TDF_BLOCK_CHUNK	   1u
#define TDF_BLOCK_INDEX	   2u
#define TDF_BLOCK_TRAILER  3u
#define TDF_FLAG_SKIPPABLE 0x0001u

/* CHUNK payload: u32 raw_len, u32 record_count, then one zstd frame. */
#define TDF_CHUNK_HDR_LEN 8u

/*
 * The largest payload any block may have. A chunk of TDF_CHUNK_RAW_MAX raw bytes compresses to
 * at most ZSTD_compressBound() of it (zstd's documented worst case, incompressible input plus
 * framing); the 8 bytes are the chunk's own header. The index is held to the same cap, so the
 * reader's single input buffer bounds its memory whatever the file size.
 */
#define TDF_BLOCK_PAYLOAD_MAX ((uint32_t)ZSTD_COMPRESSBOUND(TDF_CHUNK_RAW_MAX) + TDF_CHUNK_HDR_LEN)

/*
 * INDEX payload: the summary (u32 chunks, u32 entries, u64 drops, lost, excluded, first_ns,
 * last_ns), then entries (u64 offset, u64 first_ts, u64 last_ts, u32 drops).
 */
#define TDF_INDEX_SUMMARY_LEN 48u
#define TDF_INDEX_ENTRY_LEN   28u

/* TRAILER payload: u64 index offset, u32 index block length, u32 reserved, 8-byte magic. */
#define TDF_TRAILER_MAGIC	"TDROPEND"
#define TDF_TRAILER_PAYLOAD_LEN 24u
#define TDF_TRAILER_LEN		(TDF_BLOCK_HDR_LEN + TDF_TRAILER_PAYLOAD_LEN)

/* Record header inside a chunk: u8 type, u8 flags, u16 body_len. */
#define TDF_REC_HDR_LEN	       4u
#define TDF_REC_FLAG_SKIPPABLE 0x01u

/*
 * DROP record flags. DELTA: seq_no and ts_ns hold the difference (mod 2^64) from the previous
 * DROP of the same chunk (from 0 for a chunk's first). ELIDED: the body leaves out the fields
 * the packet bytes determine (see pktparse.h). Other bits on a DROP are damage.
 */
#define TDF_REC_FLAG_DELTA	 0x02u
#define TDF_REC_FLAG_ELIDED	 0x04u
#define TDF_REC_FLAGS_DROP_KNOWN (TDF_REC_FLAG_SKIPPABLE | TDF_REC_FLAG_DELTA | TDF_REC_FLAG_ELIDED)

/*
 * Minimum body lengths of the known record types (a shorter body is corrupt), as listed in
 * tcpdrop-file(5). The encoders and decoders do not use them (their cursors measure); tests
 * hold both sides to them.
 */
#define TDF_META_MIN	      2u   /* u16 count */
#define TDF_CLOCK_MIN	      16u  /* u64 boot_ns, u64 real_ns */
#define TDF_NAMES_MIN	      2u   /* u16 count */
#define TDF_KMOD_MIN	      5u   /* u32 id, string */
#define TDF_KSYMS_MIN	      6u   /* u32 mod, u16 count */
#define TDF_STACK_MIN	      6u   /* u32 id, u16 depth */
#define TDF_LOSS_MIN	      29u  /* u8 kind, u32 cpu, u64 count, u64 from, u64 to */
#define TDF_DROP_FIXED	      140u /* every fixed field of struct tdf_drop, then u16 caplen */
#define TDF_DROP_ELIDED_FIXED 92u  /* the same less family..win (48 bytes) */
#define TDF_DROP_TAIL	      46u  /* reason .. caplen: the end of both fixed layouts */

static inline void le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t le64_get(const uint8_t *p)
{
	return (uint64_t)le32_get(p) | ((uint64_t)le32_get(p + 4) << 32);
}

/*
 * The read cursor: every decode goes through it. A read past the end returns zeros/NULL and
 * latches bad, so a decoder checks once at the end instead of after every field.
 */
struct cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static inline void cur_init(struct cursor *c, const void *p, size_t len)
{
	c->p = p;
	c->left = len;
	c->bad = false;
}

static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 1);
	return p ? p[0] : 0;
}

static inline uint16_t cur_u16(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 2);
	return p ? le16_get(p) : 0;
}

static inline uint32_t cur_u32(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 4);
	return p ? le32_get(p) : 0;
}

static inline uint64_t cur_u64(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 8);
	return p ? le64_get(p) : 0;
}

static inline void cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);
	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

/*
 * The write cursor, the read cursor's mirror: every encode goes through it. A write past the
 * end writes nothing and latches bad, so an encoder checks once at the end. Encoders and
 * decoders of one record type call the same-sized puts and gets in the same order: a field
 * is added (at the end of a body, see tcpdrop-file(5)) by one put in the encoder and one get,
 * guarded by `c.left` for bodies of older writers, in the decoder.
 */
struct wcursor {
	uint8_t *p;
	size_t left;
	size_t len; /* bytes written */
	bool bad;
};

static inline void wcur_init(struct wcursor *c, void *p, size_t cap)
{
	c->p = p;
	c->left = cap;
	c->len = 0;
	c->bad = false;
}

static inline uint8_t *wcur_take(struct wcursor *c, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	c->len += n;
	return p;
}

static inline void wcur_u8(struct wcursor *c, uint8_t v)
{
	uint8_t *p = wcur_take(c, 1);
	if (p)
		p[0] = v;
}

static inline void wcur_u16(struct wcursor *c, uint16_t v)
{
	uint8_t *p = wcur_take(c, 2);
	if (p)
		le16_put(p, v);
}

static inline void wcur_u32(struct wcursor *c, uint32_t v)
{
	uint8_t *p = wcur_take(c, 4);
	if (p)
		le32_put(p, v);
}

static inline void wcur_u64(struct wcursor *c, uint64_t v)
{
	uint8_t *p = wcur_take(c, 8);
	if (p)
		le64_put(p, v);
}

/* n bytes from src; the mirror of cur_copy (and of cur_take for the packet bytes). */
static inline void wcur_copy(struct wcursor *c, const void *src, size_t n)
{
	uint8_t *p = wcur_take(c, n);
	if (p && n)
		memcpy(p, src, n);
}

/* A string: u8 length, then its bytes. The caller has checked strlen(s) <= TDF_NAME_MAX. */
static inline void wcur_str(struct wcursor *c, const char *s)
{
	size_t n = strlen(s);

	wcur_u8(c, (uint8_t)n);
	wcur_copy(c, s, n);
}

/* The DELTA base: seq_no and ts_ns of the previous DROP in the chunk (0, 0 at its start). */
struct drop_base {
	uint64_t seq, ts;
};

#endif /* TCPDROP_WIRE_H */
