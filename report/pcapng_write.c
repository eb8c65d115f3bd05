// SPDX-License-Identifier: BSD-2-Clause
/* pcapng_write: builds each block in memory (little-endian, 32-bit padded) and writes it whole. */
#include "pcapng_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Block types and option codes: draft-ietf-opsawg-pcapng, sections 4.1-4.6. */
#define BT_SHB		 0x0a0d0d0au
#define BT_IDB		 0x00000001u
#define BT_ISB		 0x00000005u
#define BT_EPB		 0x00000006u
#define BYTE_ORDER_MAGIC 0x1a2b3c4du

#define OPT_ENDOFOPT   0
#define OPT_COMMENT    1
#define SHB_HARDWARE   2
#define SHB_OS	       3
#define SHB_USERAPPL   4
#define IF_NAME	       2
#define IF_DESCRIPTION 3
#define IF_TSRESOL     9
#define EPB_FLAGS      2
#define EPB_DROPCOUNT  4
#define EPB_PACKETID   5
#define ISB_STARTTIME  2
#define ISB_ENDTIME    3
#define ISB_OSDROP     7

#define TSRESOL_NS 9 /* 10^-9 s */

/* Block header (type, length) + trailing length. */
#define BLOCK_OVERHEAD 12u

struct pcapng_writer {
	FILE *out;
	uint16_t linktype;
	uint32_t snaplen;
	uint32_t ifaces;
	uint64_t bytes;
	int error; /* first write error, sticky */
	uint64_t shb_comment_at;
	uint8_t *buf; /* the block being built */
	size_t len, cap;
	bool overflow; /* an append did not fit in memory */
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int reserve(struct pcapng_writer *w, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (more > SIZE_MAX - w->len)
		return -ENOMEM;
	need = w->len + more;
	if (need <= w->cap)
		return 0;
	cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(w->buf, cap);
	if (!p)
		return -ENOMEM;
	w->buf = p;
	w->cap = cap;
	return 0;
}

static void put_bytes(struct pcapng_writer *w, const void *src, size_t n)
{
	size_t padded = pad4(n);

	if (w->overflow || reserve(w, padded)) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, src, n);
	memset(w->buf + w->len + n, 0, padded - n);
	w->len += padded;
}

static void put_u16(struct pcapng_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};

	/* callers pair u16s so blocks stay 32-bit aligned; no padding here */
	if (w->overflow || reserve(w, 2)) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, b, 2);
	w->len += 2;
}

static void put_u32(struct pcapng_writer *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put_bytes(w, b, 4);
}

/* A pcapng timestamp: upper 32 bits first, then the lower 32 (not a little-endian u64). */
static void put_ts(struct pcapng_writer *w, uint64_t ts)
{
	put_u32(w, (uint32_t)(ts >> 32));
	put_u32(w, (uint32_t)ts);
}

static void put_u64(struct pcapng_writer *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_opt(struct pcapng_writer *w, uint16_t code, const void *val, size_t n)
{
	put_u16(w, code);
	put_u16(w, (uint16_t)n);
	put_bytes(w, val, n);
}

static void put_opt_str(struct pcapng_writer *w, uint16_t code, const char *s)
{
	if (s && *s)
		put_opt(w, code, s, strlen(s));
}

static void put_opt_u32(struct pcapng_writer *w, uint16_t code, uint32_t v)
{
	put_u16(w, code);
	put_u16(w, 4);
	put_u32(w, v);
}

static void put_opt_u64(struct pcapng_writer *w, uint16_t code, uint64_t v)
{
	put_u16(w, code);
	put_u16(w, 8);
	put_u64(w, v);
}

static void put_opt_ts(struct pcapng_writer *w, uint16_t code, uint64_t ts)
{
	put_u16(w, code);
	put_u16(w, 8);
	put_ts(w, ts);
}

static void put_endofopt(struct pcapng_writer *w)
{
	put_u16(w, OPT_ENDOFOPT);
	put_u16(w, 0);
}

static bool str_ok(const char *s)
{
	return !s || strlen(s) <= PCAPNG_OPT_MAX;
}

static void block_begin(struct pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	w->overflow = false;
	put_u32(w, type);
	put_u32(w, 0); /* total length, patched in block_end() */
}

/* Patch the length, append it again and write the block out in one piece. */
static int block_end(struct pcapng_writer *w)
{
	size_t total;

	if (w->error)
		return w->error;
	put_u32(w, 0);
	if (w->overflow)
		return -ENOMEM;
	total = w->len;
	if (total > UINT32_MAX)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		w->buf[4 + i] = (uint8_t)(total >> (8 * i));
		w->buf[total - 4 + i] = (uint8_t)(total >> (8 * i));
	}
	errno = 0;
	if (fwrite(w->buf, 1, total, w->out) != total) {
		w->error = errno ? -errno : -EIO;
		return w->error;
	}
	w->bytes += total;
	return 0;
}

struct pcapng_writer *pcapng_writer_open(FILE *out, const struct pcapng_section *sec,
					 uint16_t linktype, uint32_t snaplen)
{
	struct pcapng_writer *w;
	int err;

	if (!out || snaplen == 0 || snaplen > PCAPNG_SNAP_MAX ||
	    (sec && !(str_ok(sec->hardware) && str_ok(sec->os) && str_ok(sec->userappl) &&
		      str_ok(sec->comment)))) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->out = out;
	w->linktype = linktype;
	w->snaplen = snaplen;

	block_begin(w, BT_SHB);
	put_u32(w, BYTE_ORDER_MAGIC);
	put_u16(w, 1);		/* major */
	put_u16(w, 0);		/* minor */
	put_u64(w, UINT64_MAX); /* section length: not known while streaming */
	if (sec) {
		if (sec->comment && *sec->comment)
			w->shb_comment_at = w->len + 4; /* after the option's code and length */
		put_opt_str(w, OPT_COMMENT, sec->comment);
		put_opt_str(w, SHB_HARDWARE, sec->hardware);
		put_opt_str(w, SHB_OS, sec->os);
		put_opt_str(w, SHB_USERAPPL, sec->userappl);
	}
	put_endofopt(w);
	err = block_end(w);
	if (err) {
		free(w->buf);
		free(w);
		errno = -err;
		return NULL;
	}
	return w;
}

int pcapng_writer_add_iface(struct pcapng_writer *w, const struct pcapng_iface *iface,
			    uint32_t *if_id)
{
	uint8_t tsresol = TSRESOL_NS;
	int err;

	if (!w || (iface && !(str_ok(iface->name) && str_ok(iface->description))))
		return -EINVAL;
	if (w->ifaces == UINT32_MAX)
		return -EOVERFLOW;
	block_begin(w, BT_IDB);
	put_u16(w, w->linktype);
	put_u16(w, 0); /* reserved */
	put_u32(w, w->snaplen);
	if (iface) {
		put_opt_str(w, IF_NAME, iface->name);
		put_opt_str(w, IF_DESCRIPTION, iface->description);
	}
	put_opt(w, IF_TSRESOL, &tsresol, 1);
	put_endofopt(w);
	err = block_end(w);
	if (err)
		return err;
	if (if_id)
		*if_id = w->ifaces;
	w->ifaces++;
	return 0;
}

int pcapng_writer_add_packet(struct pcapng_writer *w, const struct pcapng_packet *pkt)
{
	if (!w || !pkt || pkt->if_id >= w->ifaces || pkt->caplen > w->snaplen ||
	    pkt->caplen > pkt->len || (pkt->caplen && !pkt->data) || !str_ok(pkt->comment))
		return -EINVAL;
	block_begin(w, BT_EPB);
	put_u32(w, pkt->if_id);
	put_ts(w, pkt->ts_ns);
	put_u32(w, pkt->caplen);
	put_u32(w, pkt->len);
	put_bytes(w, pkt->data, pkt->caplen);
	put_opt_str(w, OPT_COMMENT, pkt->comment);
	if (pkt->has_flags)
		put_opt_u32(w, EPB_FLAGS, pkt->flags);
	if (pkt->has_dropcount)
		put_opt_u64(w, EPB_DROPCOUNT, pkt->dropcount);
	if (pkt->has_packet_id)
		put_opt_u64(w, EPB_PACKETID, pkt->packet_id);
	put_endofopt(w);
	return block_end(w);
}

int pcapng_writer_add_stats(struct pcapng_writer *w, const struct pcapng_stats *st)
{
	if (!w || !st || st->if_id >= w->ifaces || !str_ok(st->comment))
		return -EINVAL;
	block_begin(w, BT_ISB);
	put_u32(w, st->if_id);
	put_ts(w, st->ts_ns);
	put_opt_str(w, OPT_COMMENT, st->comment);
	if (st->has_span) {
		put_opt_ts(w, ISB_STARTTIME, st->start_ns);
		put_opt_ts(w, ISB_ENDTIME, st->end_ns);
	}
	if (st->has_osdrop)
		put_opt_u64(w, ISB_OSDROP, st->osdrop);
	put_endofopt(w);
	return block_end(w);
}

uint32_t pcapng_writer_ifaces(const struct pcapng_writer *w)
{
	return w ? w->ifaces : 0;
}

uint64_t pcapng_writer_bytes(const struct pcapng_writer *w)
{
	return w ? w->bytes : 0;
}

uint64_t pcapng_writer_section_comment_at(const struct pcapng_writer *w)
{
	return w ? w->shb_comment_at : 0;
}

int pcapng_writer_close(struct pcapng_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = w->error;
	errno = 0;
	if (fflush(w->out) != 0 && !err)
		err = errno ? -errno : -EIO;
	if (!err && ferror(w->out))
		err = -EIO;
	free(w->buf);
	free(w);
	return err;
}
