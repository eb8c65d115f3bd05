// SPDX-License-Identifier: BSD-2-Clause
/* text: escaping of untrusted strings and formatting of addresses, flags and times. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpt.h"

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (need > n)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8. */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 control characters (U+0080..U+009F) move terminals around: escape them too. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return need;
}

/* Append to buf at *pos (counting what does not fit). */
static void put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, (*pos)++)
		if (*pos + 1 < len)
			buf[*pos] = s[i];
}

/* A byte that both escapes copy as it is (printable ASCII but backslash; JSON also escapes ") */
static inline bool plain(unsigned char c, bool json)
{
	return c >= 0x20 && c < 0x7f && c != '\\' && !(json && c == '"');
}

/* json: false = \\ and \xNN; true = JSON escapes (without the quotes). */
static size_t escape(char *buf, size_t len, const char *str, size_t maxlen, bool json)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t room = len ? len - 1 : 0, lim = maxlen < room ? maxlen : room, i = 0, pos, n, u;
	char tmp[8];

	/* Most strings need no escaping: copied while scanned, no strlen before (a NUL is not
	 * plain, so the scan stops there too). */
	while (i < lim && plain(s[i], json)) {
		buf[i] = (char)s[i];
		i++;
	}
	if (i == room)
		while (i < maxlen && plain(s[i], json))
			i++;
	pos = i;
	n = i < maxlen && s[i] ? i + strnlen(str + i, maxlen - i) : i;
	while (i < n) {
		unsigned char c = s[i];

		if (c == '\\') {
			put(buf, len, &pos, "\\\\", 2);
			i++;
		} else if (json && c == '"') {
			put(buf, len, &pos, "\\\"", 2);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			put(buf, len, &pos, (const char *)&c, 1);
			i++;
		} else if (c >= 0x80 && (u = utf8_len(s + i, n - i)) > 0) {
			put(buf, len, &pos, (const char *)s + i, u);
			i += u;
		} else {
			/* Control, DEL or a byte of invalid UTF-8: JSON strings carry code points,
			 * so a stray byte becomes the code point of the same value
			 * (U+0080..U+00FF). */
			snprintf(tmp, sizeof(tmp), json ? "\\u%04x" : "\\x%02x", c);
			put(buf, len, &pos, tmp, strlen(tmp));
			i++;
		}
	}
	if (len > 0)
		buf[pos < len ? pos : len - 1] = '\0';
	return pos;
}

size_t rpt_text_escape(char *buf, size_t len, const char *s, size_t maxlen)
{
	return escape(buf, len, s, maxlen, false);
}

size_t rpt_json_escape(char *buf, size_t len, const char *s, size_t maxlen)
{
	return escape(buf, len, s, maxlen, true);
}

static int fput_escaped(FILE *out, const char *s, size_t maxlen, bool json)
{
	char small[512];
	size_t n = strnlen(s, maxlen), i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\' || (json && c == '"'))
			break;
	}
	if (i == n) {
		/* Nothing to escape: the string as it is. */
		if ((json && fputc('"', out) == EOF) || (n && fwrite(s, 1, n, out) != n) ||
		    (json && fputc('"', out) == EOF))
			return errno ? -errno : -EIO;
		return 0;
	}
	size_t need = escape(small, sizeof(small), s, maxlen, json);
	char *big = NULL;
	const char *p = small;
	int rc = 0;

	if (need >= sizeof(small)) {
		big = malloc(need + 1);
		if (!big)
			return -ENOMEM;
		escape(big, need + 1, s, maxlen, json);
		p = big;
	}
	if ((json && fputc('"', out) == EOF) || fputs(p, out) == EOF ||
	    (json && fputc('"', out) == EOF))
		rc = errno ? -errno : -EIO;
	free(big);
	return rc;
}

int rpt_out_status(FILE *out, bool flush)
{
	int err = errno;

	if (ferror(out))
		return err ? -err : -EIO;
	if (flush) {
		errno = 0;
		if (fflush(out) == EOF)
			return errno ? -errno : -EIO;
	}
	return 0;
}

int rpt_fput_text(FILE *out, const char *s, size_t maxlen)
{
	return fput_escaped(out, s, maxlen, false);
}

int rpt_fput_json(FILE *out, const char *s, size_t maxlen)
{
	return fput_escaped(out, s, maxlen, true);
}

const char *rpt_fmt_flags(uint8_t flags, char *buf, size_t len)
{
	static const char *const names[8] = {"FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR"};
	size_t pos = 0;
	int i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (pos)
			put(buf, len, &pos, "|", 1);
		put(buf, len, &pos, names[i], 3);
	}
	buf[pos < len ? pos : len - 1] = '\0';
	return buf;
}

/* Dotted quad by hand (what inet_ntop writes, without its overhead); buf >= 16. */
static void fmt_ipv4(const uint8_t a[4], char *buf)
{
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	*p = '\0';
}

/*
 * IPv6 text by hand, the same bytes glibc's inet_ntop writes (RFC 5952 with one exception
 * kept for identical output: "::ffff:a.b.c.d" and "::a.b.c.d" for the IPv4-mapped and
 * -compatible forms): the longest run of two or more zero words, the first of equal runs,
 * becomes "::"; words in lower-case hex without leading zeros. buf >= INET6_ADDRSTRLEN.
 */
static void fmt_ipv6(const uint8_t a[16], char *buf)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 0, cur = -1, i;
	uint16_t w[8];
	char *p = buf;

	for (i = 0; i < 8; i++) {
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		if (w[i] == 0) {
			if (cur < 0)
				cur = i;
			if (i - cur + 1 > best_len) {
				best = cur;
				best_len = i - cur + 1;
			}
		} else {
			cur = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		unsigned v = w[i];

		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			fmt_ipv4(a + 12, p);
			return;
		}
		if (v >= 0x1000)
			*p++ = hex[v >> 12];
		if (v >= 0x100)
			*p++ = hex[v >> 8 & 0xf];
		if (v >= 0x10)
			*p++ = hex[v >> 4 & 0xf];
		*p++ = hex[v & 0xf];
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
}

const char *rpt_fmt_addr(uint8_t family, const uint8_t addr[16], char *buf, size_t len)
{
	if (family == 4 && len >= 16) {
		fmt_ipv4(addr, buf);
	} else if (family == 4) {
		if (!inet_ntop(AF_INET, addr, buf, len))
			snprintf(buf, len, "?");
	} else if (family == 6 && len >= INET6_ADDRSTRLEN) {
		fmt_ipv6(addr, buf);
	} else if (family == 6) {
		if (!inet_ntop(AF_INET6, addr, buf, len))
			snprintf(buf, len, "?");
	} else {
		snprintf(buf, len, "?");
	}
	return buf;
}

const char *rpt_fmt_endpoint(uint8_t family, const uint8_t addr[16], uint16_t port, char *buf,
			     size_t len)
{
	char a[INET6_ADDRSTRLEN];

	char digits[8], *q = digits + sizeof(digits);
	size_t an, pn, need;
	unsigned v = port;

	rpt_fmt_addr(family, addr, a, sizeof(a));
	*--q = '\0';
	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	an = strlen(a);
	pn = strlen(q);
	need = an + pn + (family == 6 ? 3 : 1);
	if (need >= len) {
		if (family == 6)
			snprintf(buf, len, "[%s]:%s", a, q);
		else
			snprintf(buf, len, "%s:%s", a, q);
		return buf;
	}
	if (family == 6) {
		buf[0] = '[';
		memcpy(buf + 1, a, an);
		memcpy(buf + 1 + an, "]:", 2);
		memcpy(buf + 3 + an, q, pn + 1);
	} else {
		memcpy(buf, a, an);
		buf[an] = ':';
		memcpy(buf + an + 1, q, pn + 1);
	}
	return buf;
}

const char *rpt_fmt_iso_utc(uint64_t real_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(real_ns / 1000000000u);
	struct tm tm;

	if (!gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 real_ns % 1000000000u);
	return buf;
}

const char *rpt_fmt_time(uint64_t real_ns, uint64_t start_ns, const struct rpt_view_opts *o,
			 char *buf, size_t len)
{
	time_t secs = (time_t)(real_ns / 1000000000u);
	uint64_t frac = real_ns % 1000000000u;
	struct tm tm;
	long off;

	switch (o->time_fmt) {
	case RPT_TIME_EPOCH:
		snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, real_ns / 1000000000u, frac);
		return buf;
	case RPT_TIME_RELATIVE:
		if (real_ns >= start_ns)
			snprintf(buf, len, "%" PRIu64 ".%09" PRIu64,
				 (real_ns - start_ns) / 1000000000u,
				 (real_ns - start_ns) % 1000000000u);
		else
			snprintf(buf, len, "-%" PRIu64 ".%09" PRIu64,
				 (start_ns - real_ns) / 1000000000u,
				 (start_ns - real_ns) % 1000000000u);
		return buf;
	case RPT_TIME_ISO:
		if (o->utc)
			return rpt_fmt_iso_utc(real_ns, buf, len);
		if (!localtime_r(&secs, &tm))
			break;
		off = tm.tm_gmtoff / 60;
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "%c%02ld:%02ld",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, frac, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
		return buf;
	case RPT_TIME_CLOCK:
		if (!(o->utc ? gmtime_r(&secs, &tm) : localtime_r(&secs, &tm)))
			break;
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		return buf;
	}
	snprintf(buf, len, "?");
	return buf;
}
