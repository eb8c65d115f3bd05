/* SPDX-License-Identifier: BSD-2-Clause */
/* lbuf: a fixed buffer the views fill by hand with lines and write with one fwrite. */
#ifndef TCPDROP_RPT_LBUF_H
#define TCPDROP_RPT_LBUF_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Appending never overflows: what does not fit is dropped and the buffer marked as
 * overflowed (rpt_lbuf_flush() then reports -E2BIG so the caller can fall back). The views
 * size their buffers for the largest line their bounded fields can make.
 */
struct rpt_lbuf {
	char *p;
	size_t len, cap;
	bool over;
};

static inline void rpt_lbuf_init(struct rpt_lbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->over = false;
}

static inline void rpt_lbuf_mem(struct rpt_lbuf *b, const void *s, size_t n)
{
	if (n > b->cap - b->len) {
		b->over = true;
		n = b->cap - b->len;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void rpt_lbuf_str(struct rpt_lbuf *b, const char *s)
{
	rpt_lbuf_mem(b, s, strlen(s));
}

static inline void rpt_lbuf_chr(struct rpt_lbuf *b, char c)
{
	if (b->len < b->cap)
		b->p[b->len++] = c;
	else
		b->over = true;
}

/* n spaces (none when n <= 0): the padding of printf's %-*s. */
static inline void rpt_lbuf_pad(struct rpt_lbuf *b, long n)
{
	while (n-- > 0)
		rpt_lbuf_chr(b, ' ');
}

/* s padded with spaces to at least w bytes, like "%-*s". */
static inline void rpt_lbuf_padded(struct rpt_lbuf *b, const char *s, int w)
{
	size_t n = strlen(s);

	rpt_lbuf_mem(b, s, n);
	rpt_lbuf_pad(b, (long)w - (long)n);
}

/* "00".."99": two digits per division in rpt_lbuf_fmt_u64(). */
static const char rpt_lbuf_digits2[201] = "00010203040506070809101112131415161718192021222324"
					  "25262728293031323334353637383940414243444546474849"
					  "50515253545556575859606162636465666768697071727374"
					  "75767778798081828384858687888990919293949596979899";

/* Decimal digits of v into tmp[24] (ending at tmp + 24); returns the first digit. */
static inline char *rpt_lbuf_fmt_u64(char tmp[24], uint64_t v)
{
	char *q = tmp + 24;
	uint32_t w;

	while (v > UINT32_MAX) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		memcpy(q, rpt_lbuf_digits2 + 2 * r, 2);
	}
	w = (uint32_t)v; /* 32-bit divisions from here on */
	while (w >= 100) {
		unsigned r = w % 100;

		w /= 100;
		q -= 2;
		memcpy(q, rpt_lbuf_digits2 + 2 * r, 2);
	}
	if (w >= 10) {
		q -= 2;
		memcpy(q, rpt_lbuf_digits2 + 2 * w, 2);
	} else {
		*--q = (char)('0' + w);
	}
	return q;
}

/* How many decimal digits v has (1 for 0): from its bit length, corrected by one compare. */
static inline size_t rpt_lbuf_ndigits(uint64_t v)
{
	static const uint64_t pow10[20] = {1u,
					   10u,
					   100u,
					   1000u,
					   10000u,
					   100000u,
					   1000000u,
					   10000000u,
					   100000000u,
					   1000000000u,
					   10000000000u,
					   100000000000u,
					   1000000000000u,
					   10000000000000u,
					   100000000000000u,
					   1000000000000000u,
					   10000000000000000u,
					   100000000000000000u,
					   1000000000000000000u,
					   10000000000000000000u};
	/* bits * log10(2) (1233 / 4096) is the digit count or one less. */
	size_t t = (size_t)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + (t < 20 && (v | 1) >= pow10[t]); /* v | 1: 0 has one digit */
}

static inline void rpt_lbuf_u64(struct rpt_lbuf *b, uint64_t v)
{
	size_t n = rpt_lbuf_ndigits(v);
	char *q;

	if (n > b->cap - b->len) {
		b->over = true;
		return;
	}
	/* The digits straight into the buffer, last first: no copy of a variable length. */
	q = b->p + b->len + n;
	b->len += n;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		q[0] = rpt_lbuf_digits2[2 * r];
		q[1] = rpt_lbuf_digits2[2 * r + 1];
	}
	if (v >= 10) {
		q[-2] = rpt_lbuf_digits2[2 * v];
		q[-1] = rpt_lbuf_digits2[2 * v + 1];
	} else {
		q[-1] = (char)('0' + v);
	}
}

/* v < 10^9 as exactly nine digits into q (no terminator): a nanosecond fraction. */
static inline void rpt_lbuf_fmt_9digits(char q[9], uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	q[0] = (char)('0' + hi / 10000);
	hi %= 10000;
	memcpy(q + 1, rpt_lbuf_digits2 + 2 * (hi / 100), 2);
	memcpy(q + 3, rpt_lbuf_digits2 + 2 * (hi % 100), 2);
	memcpy(q + 5, rpt_lbuf_digits2 + 2 * (lo / 100), 2);
	memcpy(q + 7, rpt_lbuf_digits2 + 2 * (lo % 100), 2);
}

/* v as exactly width digits with leading zeros (v < 10^width), like "%0*u". */
static inline void rpt_lbuf_u64_zero(struct rpt_lbuf *b, uint64_t v, int width)
{
	char tmp[24], *q = rpt_lbuf_fmt_u64(tmp, v);

	while (tmp + 24 - q < width && q > tmp)
		*--q = '0';
	rpt_lbuf_mem(b, q, (size_t)(tmp + 24 - q));
}

/*
 * The unchecked cursor, for lines whose length has a known bound: make sure that much room
 * is left once, then write through a plain char pointer (rpt_lbuf_end() ... rpt_lbuf_commit()).
 * The compiler keeps such a pointer in a register, where every checked append above must
 * reload b->len, since a store through b->p may alias it.
 */
static inline char *rpt_lbuf_end(const struct rpt_lbuf *b)
{
	return b->p + b->len;
}

static inline void rpt_lbuf_commit(struct rpt_lbuf *b, char *end)
{
	b->len = (size_t)(end - b->p);
}

static inline char *rpt_lbuf_put_mem(char *p, const void *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal: its length known when compiled, the copy a few stores. */
#define RPT_LBUF_PUT_LIT(p, lit) rpt_lbuf_put_mem((p), "" lit, sizeof(lit) - 1)

/* Decimal digits of v (at most 10). */
static inline char *rpt_lbuf_put_u32(char *p, uint32_t v)
{
	char *q = p + rpt_lbuf_ndigits(v), *end = q;

	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		q -= 2;
		memcpy(q, rpt_lbuf_digits2 + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(q - 2, rpt_lbuf_digits2 + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return end;
}

/* Decimal digits of v (at most 20). */
static inline char *rpt_lbuf_put_u64(char *p, uint64_t v)
{
	char tmp[24], *q = rpt_lbuf_fmt_u64(tmp, v);

	return rpt_lbuf_put_mem(p, q, (size_t)(tmp + 24 - q));
}

/* Write the buffer; 0, -E2BIG if something did not fit (nothing written) or the write's
 * -errno (-EIO when unknown). */
static inline int rpt_lbuf_flush(struct rpt_lbuf *b, FILE *out)
{
	if (b->over)
		return -E2BIG;
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len)
		return errno ? -errno : -EIO;
	b->len = 0;
	return 0;
}

#endif /* TCPDROP_RPT_LBUF_H */
