// SPDX-License-Identifier: BSD-2-Clause
/* anon: keyed anonymisation of drops (Crypto-PAn addresses, packet bytes, pseudonyms, META). */
#include "anon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "htab.h"
#include "pktparse.h"

/*
 * Distinct addresses remembered before the cache starts over: a mapping costs 32 (IPv4) or
 * 128 (IPv6) AES blocks, a lookup almost nothing, and real traces repeat few addresses. 2^16
 * entries are 2.3 MiB; a SYN flood from random sources only makes the cache restart.
 */
#define CACHE_MAX (1u << 16)

/* Edits one packet may need: more than 1024 bytes of headers can hold addresses. */
#define EDITS_MAX 128u

#define DESCRIBE_MAX 2048u

struct cached {
	uint8_t family;
	uint8_t in[16], out[16];
};

struct rpt_anon {
	EVP_CIPHER_CTX *aes;
	uint8_t pad[16];		   /* AES(second half of the key) */
	uint8_t mac_key[RPT_ANON_KEY_LEN]; /* HMAC key of the pseudonyms, derived */
	char key_id[17];		   /* 8 bytes of HMAC(key, "key id") in hex */
	struct rpt_anon_opts o;
	struct cached *cache;
	struct rpt_htab index;
	size_t ncache;
	char describe[DESCRIBE_MAX];
};

/* Kept always: nothing about a host is in these. */
static const struct rpt_anon_net always_kept[] = {
    {4, 8, {127}},	   /* loopback */
    {4, 16, {169, 254}},   /* link-local */
    {4, 32, {0}},	   /* unspecified */
    {6, 128, {[15] = 1}},  /* ::1 */
    {6, 10, {0xfe, 0x80}}, /* link-local */
    {6, 128, {0}},	   /* :: */
};

int rpt_anon_net_parse(const char *s, struct rpt_anon_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;
	size_t i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->family = 4;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->family = 6;
	else
		return -EINVAL;
	bits = n->family == 4 ? 32 : 128;
	if (slash) {
		if (*slash < '0' || *slash > '9')
			return -EINVAL;
		errno = 0;
		bits = strtoul(slash, &end, 10);
		if (errno || *end || bits > (n->family == 4 ? 32u : 128u))
			return -EINVAL;
	}
	n->bits = (uint8_t)bits;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= bits)
			n->addr[i] = 0;
		else if (i * 8 + 8 > bits)
			n->addr[i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	return 0;
}

/* ---- keys ---- */

int rpt_anon_key_random(uint8_t key[RPT_ANON_KEY_LEN])
{
	size_t got = 0;
	ssize_t n;

	while (got < RPT_ANON_KEY_LEN) {
		n = getrandom(key + got, RPT_ANON_KEY_LEN - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	return 0;
}

static int __attribute__((format(printf, 4, 5)))
key_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int key_create(const char *path, uint8_t key[RPT_ANON_KEY_LEN], char *err, size_t errlen)
{
	int fd, rc;
	ssize_t n;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno; /* EEXIST: someone was faster; the caller reads theirs */
	rc = rpt_anon_key_random(key);
	if (rc) {
		key_fail(rc, err, errlen, "%s: no random key: %s", path, strerror(-rc));
		goto fail;
	}
	n = write(fd, key, RPT_ANON_KEY_LEN);
	if (n != RPT_ANON_KEY_LEN || fsync(fd)) {
		rc = n < 0 || n == RPT_ANON_KEY_LEN ? -errno : -EIO;
		key_fail(rc, err, errlen, "%s: %s", path, strerror(-rc));
		goto fail;
	}
	if (close(fd)) {
		rc = -errno;
		unlink(path);
		return key_fail(rc, err, errlen, "%s: %s", path, strerror(-rc));
	}
	return 0;
fail:
	close(fd);
	unlink(path);
	OPENSSL_cleanse(key, RPT_ANON_KEY_LEN);
	return rc;
}

int rpt_anon_key_load(const char *path, uint8_t key[RPT_ANON_KEY_LEN], bool *created, char *err,
		      size_t errlen)
{
	struct stat st;
	int fd, rc, tries;
	ssize_t n;

	*created = false;
	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 || errno != ENOENT)
			break;
		rc = key_create(path, key, err, errlen);
		if (rc == 0) {
			*created = true;
			return 0;
		}
		if (rc != -EEXIST)
			return *err ? rc : key_fail(rc, err, errlen, "%s: %s", path, strerror(-rc));
	}
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP)
			return key_fail(rc, err, errlen, "%s: is a symbolic link: not followed",
					path);
		return key_fail(rc, err, errlen, "%s: %s", path, strerror(-rc));
	}
	if (fstat(fd, &st)) {
		rc = key_fail(-errno, err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = key_fail(-EINVAL, err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		rc = key_fail(-EPERM, err, errlen,
			      "%s: others may read this key (mode %03o): chmod 600 it", path,
			      (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if (st.st_size != RPT_ANON_KEY_LEN) {
		rc = key_fail(-EINVAL, err, errlen, "%s: %jd bytes: a key file holds exactly %d",
			      path, (intmax_t)st.st_size, RPT_ANON_KEY_LEN);
		goto out;
	}
	n = read(fd, key, RPT_ANON_KEY_LEN);
	if (n != RPT_ANON_KEY_LEN) {
		rc = n < 0 ? -errno : -EIO;
		key_fail(rc, err, errlen, "%s: %s", path, n < 0 ? strerror(-rc) : "short read");
		OPENSSL_cleanse(key, RPT_ANON_KEY_LEN);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* ---- the anonymiser ---- */

static void describe(struct rpt_anon *a)
{
	size_t used, i;
	char net[INET6_ADDRSTRLEN];

	used = (size_t)snprintf(
	    a->describe, sizeof(a->describe),
	    "crypto-pan aes-128; tool=tcpdrop-report %s; key=%s %s; "
	    "payload=%s; names=%s; time-shift=%" PRId64 "s; drops=%s; "
	    "keep-net=loopback,link-local",
	    TCPDROP_VERSION, a->o.key_file ? "file" : "random", a->key_id,
	    a->o.keep_payload ? "kept" : "zeroed", a->o.scrub_names ? "pseudonyms" : "kept",
	    a->o.time_shift_ns / 1000000000, a->o.filtered ? "filtered" : "all");
	for (i = 0; i < a->o.nkeep && used < sizeof(a->describe); i++) {
		inet_ntop(a->o.keep[i].family == 4 ? AF_INET : AF_INET6, a->o.keep[i].addr, net,
			  sizeof(net));
		used += (size_t)snprintf(a->describe + used, sizeof(a->describe) - used, ",%s/%u",
					 net, a->o.keep[i].bits);
	}
}

static void hmac(const uint8_t *key, const void *msg, size_t len, uint8_t out[32])
{
	unsigned int outlen = 32;

	if (!HMAC(EVP_sha256(), key, RPT_ANON_KEY_LEN, msg, len, out, &outlen))
		memset(out, 0, 32); /* only on allocation failure inside libcrypto */
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

struct rpt_anon *rpt_anon_new(const uint8_t key[RPT_ANON_KEY_LEN], const struct rpt_anon_opts *o)
{
	struct rpt_anon *a = calloc(1, sizeof(*a));
	static const char label_mac[] = "tcpdrop pseudonyms", label_id[] = "tcpdrop key id";
	uint8_t mac[32];
	int outl = 0;

	if (!a)
		return NULL;
	a->o = *o;
	a->o.key_file = o->key_file ? "file" : NULL; /* only whether there was one is kept */
	a->aes = EVP_CIPHER_CTX_new();
	if (!a->aes)
		goto nomem;
	if (EVP_EncryptInit_ex(a->aes, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(a->aes, 0) != 1 ||
	    EVP_EncryptUpdate(a->aes, a->pad, &outl, key + 16, 16) != 1 || outl != 16) {
		rpt_anon_free(a);
		errno = EINVAL;
		return NULL;
	}
	hmac(key, label_mac, sizeof(label_mac) - 1, a->mac_key);
	hmac(key, label_id, sizeof(label_id) - 1, mac);
	hex(mac, 8, a->key_id);
	a->cache = malloc(CACHE_MAX * sizeof(*a->cache));
	if (!a->cache)
		goto nomem;
	describe(a);
	return a;
nomem:
	rpt_anon_free(a);
	errno = ENOMEM;
	return NULL;
}

void rpt_anon_free(struct rpt_anon *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->aes);
	rpt_htab_free(&a->index);
	free(a->cache);
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

int64_t rpt_anon_time_shift(const struct rpt_anon *a)
{
	return a->o.time_shift_ns;
}

const char *rpt_anon_describe(const struct rpt_anon *a)
{
	return a->describe;
}

/* ---- Crypto-PAn ---- */

/*
 * Bit i of the result is bit i of the address XOR the first bit of AES(the address's first i
 * bits followed by the pad's bits from i on). The nbits blocks do not depend on each other, so
 * they go to libcrypto in one call (ECB: AES-NI then works on several blocks at once).
 */
static void cryptopan(struct rpt_anon *a, uint8_t *addr, unsigned nbits)
{
	uint8_t in[128 * 16], out[128 * 16], flip[16] = {0};
	unsigned i, j;
	int outl = 0;

	for (i = 0; i < nbits; i++) {
		uint8_t *b = in + 16 * i;

		for (j = 0; j < 16; j++) {
			unsigned lo = j * 8;

			if (lo + 8 <= i)
				b[j] = addr[j];
			else if (lo >= i)
				b[j] = a->pad[j];
			else {
				uint8_t m = (uint8_t)(0xff << (8 - (i - lo)));

				b[j] = (uint8_t)((addr[j] & m) | (a->pad[j] & (uint8_t)~m));
			}
		}
	}
	if (EVP_EncryptUpdate(a->aes, out, &outl, in, (int)(16 * nbits)) != 1 ||
	    outl != (int)(16 * nbits)) {
		memset(addr, 0, nbits / 8); /* never hand the original out */
		return;
	}
	for (i = 0; i < nbits; i++)
		flip[i / 8] |= (uint8_t)((out[16 * i] >> 7) << (7 - i % 8));
	for (j = 0; j < nbits / 8; j++)
		addr[j] ^= flip[j];
}

static bool in_net(const struct rpt_anon_net *n, uint8_t family, const uint8_t *addr)
{
	unsigned full = n->bits / 8u, rest = n->bits % 8u;

	if (n->family != family || memcmp(n->addr, addr, full) != 0)
		return false;
	return !rest || ((addr[full] ^ n->addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool kept(const struct rpt_anon *a, uint8_t family, const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < sizeof(always_kept) / sizeof(always_kept[0]); i++)
		if (in_net(&always_kept[i], family, addr))
			return true;
	for (i = 0; i < a->o.nkeep; i++)
		if (in_net(&a->o.keep[i], family, addr))
			return true;
	return false;
}

static void map_addr(struct rpt_anon *a, uint8_t family, uint8_t *addr)
{
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};
	size_t n = family == 4 ? 4 : 16, i, pos;
	uint64_t h;
	struct cached *c;

	if (family == 6 && memcmp(addr, v4mapped, 12) == 0) {
		map_addr(a, 4, addr + 12);
		return;
	}
	if (kept(a, family, addr))
		return;
	h = rpt_hash_mem(addr, n) ^ family;
	for (i = rpt_htab_first(&a->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&a->index, h, &pos)) {
		c = &a->cache[i];
		if (c->family == family && memcmp(c->in, addr, n) == 0) {
			memcpy(addr, c->out, n);
			return;
		}
	}
	if (a->ncache == CACHE_MAX) {
		rpt_htab_clear(&a->index);
		a->ncache = 0;
	}
	c = &a->cache[a->ncache];
	c->family = family;
	memcpy(c->in, addr, n);
	cryptopan(a, addr, (unsigned)n * 8);
	memcpy(c->out, addr, n);
	if (rpt_htab_insert(&a->index, h, a->ncache) == 0)
		a->ncache++; /* without memory the mapping is just not remembered */
}

void rpt_anon_addr(struct rpt_anon *a, uint8_t family, uint8_t addr[16])
{
	if (family == 4) {
		memset(addr + 4, 0, 12);
		map_addr(a, 4, addr);
	} else if (family == 6) {
		map_addr(a, 6, addr);
	} else {
		memset(addr, 0, 16);
	}
}

/* ---- packet bytes ---- */

enum edit_kind { EDIT_MAP4, EDIT_MAP6, EDIT_ZERO };

struct edit {
	uint16_t off, len;
	uint8_t kind;
};

/* What one walk of the headers found: where things are and what to change. */
struct walk {
	const uint8_t *p;
	size_t caplen;
	struct edit e[EDITS_MAX];
	size_t n;
	size_t zero_from;  /* caplen: nothing; else every byte from here on */
	size_t ihl;	   /* IPv4 header length when it is all stored, else 0 */
	size_t tcp;	   /* TCP header offset when its fixed part is stored, else 0 */
	size_t tcp_end;	   /* end of the TCP bytes stored (IP length or caplen) */
	bool whole;	   /* the whole segment is stored */
	size_t pseudo_dst; /* offset of the destination the TCP pseudo header uses */
	uint8_t family;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void add(struct walk *w, size_t off, size_t len, enum edit_kind kind)
{
	if (off + len > w->caplen)
		return;
	if (w->n == EDITS_MAX) {
		if (off < w->zero_from)
			w->zero_from = off; /* cannot keep track: nothing after it is kept */
		return;
	}
	w->e[w->n++] = (struct edit){(uint16_t)off, (uint16_t)len, (uint8_t)kind};
}

static void stop_at(struct walk *w, size_t off)
{
	if (off < w->zero_from)
		w->zero_from = off;
}

static void walk_ip4_options(struct walk *w, size_t end)
{
	const uint8_t *p = w->p;
	size_t i = 20, len, j;

	while (i < end) {
		if (p[i] == 0)
			break;
		if (p[i] == 1) {
			i++;
			continue;
		}
		if (i + 2 > end || p[i + 1] < 2 || i + p[i + 1] > end) {
			add(w, i, end - i, EDIT_ZERO); /* a broken option: its bytes are unknown */
			break;
		}
		len = p[i + 1];
		switch (p[i]) {
		case 7:	  /* record route */
		case 131: /* loose source route */
		case 137: /* strict source route */
			for (j = i + 3; j + 4 <= i + len; j += 4)
				add(w, j, 4, EDIT_MAP4);
			break;
		case 68: /* timestamp: flags 1 and 3 carry addresses */
			if (len >= 4 && ((p[i + 3] & 15) == 1 || (p[i + 3] & 15) == 3))
				for (j = i + 4; j + 4 <= i + len; j += 8)
					add(w, j, 4, EDIT_MAP4);
			break;
		default:
			break;
		}
		i += len;
	}
}

static void walk_ip4(struct walk *w)
{
	const uint8_t *p = w->p;
	size_t ihl = (size_t)(p[0] & 15) * 4, total = be16(p + 2);

	w->family = 4;
	add(w, 12, 4, EDIT_MAP4);
	add(w, 16, 4, EDIT_MAP4);
	if (ihl < 20 || ihl > w->caplen) {
		stop_at(w, 20);
		return;
	}
	w->ihl = ihl;
	walk_ip4_options(w, ihl);
	w->pseudo_dst = 16;
	w->tcp_end = total < w->caplen ? total : w->caplen;
	w->whole = total >= ihl && total <= w->caplen;
	if (p[9] != 6 || (be16(p + 6) & 0x1fff) || total < ihl + 20 || ihl + 20 > w->caplen) {
		stop_at(w, ihl); /* not the first TCP fragment, or cut short */
		return;
	}
	w->tcp = ihl;
}

static void walk_ip6_options(struct walk *w, size_t o, size_t end)
{
	const uint8_t *p = w->p;
	size_t j = o + 2;

	while (j < end) {
		if (p[j] == 0) {
			j++;
			continue;
		}
		if (j + 2 > end || j + 2 + p[j + 1] > end)
			break;
		if (p[j] == 0xc9 && p[j + 1] == 16) /* home address (RFC 6275) */
			add(w, j + 2, 16, EDIT_MAP6);
		j += 2 + (size_t)p[j + 1];
	}
}

static void walk_ip6_routing(struct walk *w, size_t o, size_t hl)
{
	const uint8_t *p = w->p;
	size_t j, last = 0;

	switch (p[o + 2]) {
	case 0: /* the original source route (deprecated) and the home address (type 2) */
	case 2:
		for (j = o + 8; j + 16 <= o + hl; j += 16) {
			add(w, j, 16, EDIT_MAP6);
			last = j;
		}
		if (last && p[o + 3])
			w->pseudo_dst = last; /* the final destination (RFC 8200 8.1) */
		break;
	case 4: /* segment routing (RFC 8754): segment 0 is the final destination */
		for (j = 0; j <= p[o + 4] && o + 8 + 16 * j + 16 <= o + hl; j++)
			add(w, o + 8 + 16 * j, 16, EDIT_MAP6);
		if (p[o + 3] && o + 24 <= o + hl)
			w->pseudo_dst = o + 8;
		break;
	default: /* compressed (RPL) or unknown: addresses could be anywhere in the data */
		add(w, o + 4, hl - 4, EDIT_ZERO);
		break;
	}
}

static void walk_ip6(struct walk *w)
{
	const uint8_t *p = w->p;
	size_t o = 40, hl, plen;
	uint8_t nh;
	unsigned k;

	w->family = 6;
	add(w, 8, 16, EDIT_MAP6);
	add(w, 24, 16, EDIT_MAP6);
	w->pseudo_dst = 24;
	if (w->caplen < 40)
		return;
	plen = be16(p + 4);
	w->tcp_end = plen && 40 + plen < w->caplen ? 40 + plen : w->caplen;
	w->whole = plen && 40 + plen <= w->caplen; /* a jumbogram says 0 */
	nh = p[6];
	for (k = 0; k <= TDF_PKT_EXT_MAX; k++) {
		if (nh == 6) {
			if (o + 20 > w->tcp_end)
				break;
			w->tcp = o;
			return;
		}
		if (k == TDF_PKT_EXT_MAX || o + 8 > w->caplen)
			break;
		switch (nh) {
		case 0:	 /* hop-by-hop options */
		case 60: /* destination options */
			hl = ((size_t)p[o + 1] + 1) * 8;
			if (o + hl > w->caplen)
				goto stop;
			walk_ip6_options(w, o, o + hl);
			break;
		case 43:
			hl = ((size_t)p[o + 1] + 1) * 8;
			if (o + hl > w->caplen)
				goto stop;
			walk_ip6_routing(w, o, hl);
			break;
		case 44: /* fragment: only the first holds the TCP header */
			if (be16(p + o + 2) >> 3)
				goto stop;
			hl = 8;
			break;
		case 51: /* authentication header */
			hl = ((size_t)p[o + 1] + 2) * 4;
			if (o + hl > w->caplen)
				goto stop;
			break;
		default:
			goto stop;
		}
		nh = p[o];
		o += hl;
	}
stop:
	stop_at(w, o);
}

/* MPTCP ADD_ADDR (RFC 8684 3.4.1) carries an address: the only TCP option that does. */
static void walk_tcp_options(struct walk *w)
{
	const uint8_t *p = w->p;
	size_t t = w->tcp, doff = (size_t)(p[t + 12] >> 4) * 4, i = t + 20, end = t + doff, len;

	if (doff < 20)
		return;
	if (end > w->tcp_end)
		end = w->tcp_end;
	while (i < end) {
		if (p[i] == 0)
			break;
		if (p[i] == 1) {
			i++;
			continue;
		}
		if (i + 2 > end || p[i + 1] < 2 || i + p[i + 1] > end)
			break;
		len = p[i + 1];
		if (p[i] == 30 && len >= 8 && (p[i + 2] >> 4) == 3) {
			if (len == 8 || len == 10 || len == 16 || len == 18)
				add(w, i + 4, 4, EDIT_MAP4);
			else if (len == 20 || len == 22 || len == 28 || len == 30)
				add(w, i + 4, 16, EDIT_MAP6);
		}
		i += len;
	}
}

/* RFC 1071 sum of n bytes as big-endian 16-bit words (the first at an even offset). */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The IPv4 header without its checksum field. */
static uint16_t ip4_sum(const struct walk *w)
{
	return fold(sum16(sum16(0, w->p, 10), w->p + 12, w->ihl - 12));
}

/* Pseudo header and the stored TCP bytes, without the checksum field. */
static uint16_t tcp_sum(const struct walk *w)
{
	const uint8_t *p = w->p;
	size_t t = w->tcp, n = w->tcp_end - t;
	uint32_t s = 0, seglen = (uint32_t)(w->tcp_end - t);
	uint8_t tail[8] = {0};

	if (w->family == 4) {
		s = sum16(s, p + 12, 4);
		s = sum16(s, p + w->pseudo_dst, 4);
		s += 6 + (w->whole ? seglen : (uint32_t)be16(p + 2) - (uint32_t)t);
	} else {
		s = sum16(s, p + 8, 16);
		s = sum16(s, p + w->pseudo_dst, 16);
		if (!w->whole)
			seglen = (uint32_t)(40 + be16(p + 4) - t);
		tail[0] = (uint8_t)(seglen >> 24);
		tail[1] = (uint8_t)(seglen >> 16);
		tail[2] = (uint8_t)(seglen >> 8);
		tail[3] = (uint8_t)seglen;
		tail[7] = 6;
		s = sum16(s, tail, 8);
	}
	s = sum16(s, p + t, 16);
	if (n > 18)
		s = sum16(s, p + t + 18, n - 18);
	return fold(s);
}

/* RFC 1624 eqn. 3: a checksum over data whose sum went from before to after. */
static uint16_t csum_adjust(uint16_t check, uint16_t before, uint16_t after)
{
	return (uint16_t)~fold((uint32_t)(uint16_t)~check + (uint16_t)~before + after);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void rpt_anon_packet(struct rpt_anon *a, uint8_t *p, size_t caplen)
{
	struct walk w = {.p = p, .caplen = caplen, .zero_from = caplen};
	uint16_t ip_before = 0, tcp_before = 0, check;
	bool ip_ok = false, tcp_ok = false;
	size_t i, from;

	if (!caplen)
		return;
	if ((p[0] >> 4) == 4 && caplen >= 20)
		walk_ip4(&w);
	else if ((p[0] >> 4) == 6 && caplen >= 40)
		walk_ip6(&w);
	else
		w.zero_from = 0; /* nothing here can be walked: nothing is kept */
	if (w.tcp) {
		walk_tcp_options(&w);
		from = w.tcp + (size_t)(p[w.tcp + 12] >> 4) * 4;
		if (from < w.tcp + 20)
			from = w.tcp + 20;
		if (!a->o.keep_payload && from < caplen)
			stop_at(&w, from);
		else if (w.tcp_end < caplen && w.tcp_end >= from)
			stop_at(&w, w.tcp_end); /* bytes after the IP packet: not the sender's */
	}
	if (w.ihl) {
		ip_before = ip4_sum(&w);
		ip_ok = fold((uint32_t)ip_before + be16(p + 10)) == 0xffff;
	}
	if (w.tcp) {
		tcp_before = tcp_sum(&w);
		tcp_ok = w.whole && fold((uint32_t)tcp_before + be16(p + w.tcp + 16)) == 0xffff;
	}
	for (i = 0; i < w.n; i++) {
		if (w.e[i].off >= w.zero_from)
			continue;
		if (w.e[i].kind == EDIT_MAP4)
			map_addr(a, 4, p + w.e[i].off);
		else if (w.e[i].kind == EDIT_MAP6)
			map_addr(a, 6, p + w.e[i].off);
		else
			memset(p + w.e[i].off, 0, w.e[i].len);
	}
	if (w.zero_from < caplen)
		memset(p + w.zero_from, 0, caplen - w.zero_from);
	if (w.ihl && w.zero_from >= w.ihl) {
		check = ip_ok ? (uint16_t)~ip4_sum(&w)
			      : csum_adjust(be16(p + 10), ip_before, ip4_sum(&w));
		put16(p + 10, check);
	}
	if (w.tcp && w.zero_from >= w.tcp + 18) {
		check = tcp_ok ? (uint16_t)~tcp_sum(&w)
			       : csum_adjust(be16(p + w.tcp + 16), tcp_before, tcp_sum(&w));
		put16(p + w.tcp + 16, check);
	}
}

/* ---- drops, names, META ---- */

const char *rpt_anon_pseudonym(const struct rpt_anon *a, const char *what, const char *prefix,
			       const char *value, char *buf, size_t len)
{
	uint8_t msg[2 * TDF_NAME_MAX + 2], mac[32];
	size_t wl = strnlen(what, TDF_NAME_MAX), vl = strnlen(value, TDF_NAME_MAX);
	char digits[65];

	memcpy(msg, what, wl);
	msg[wl] = '\0'; /* what and value cannot run into each other */
	memcpy(msg + wl + 1, value, vl);
	hmac(a->mac_key, msg, wl + 1 + vl, mac);
	hex(mac, sizeof(mac), digits);
	snprintf(buf, len, "%s%s", prefix, digits);
	return buf;
}

/* A name field (comm, ifname): "" stays "" (unknown), anything else a pseudonym that fits. */
static void scrub_name(const struct rpt_anon *a, const char *what, const char *prefix, char *field,
		       size_t size)
{
	char in[TDF_NAME_MAX + 1], out[80];

	if (!field[0])
		return;
	memcpy(in, field, size);
	in[size] = '\0';
	rpt_anon_pseudonym(a, what, prefix, in, out, size); /* NUL-terminated within size */
	memset(field, 0, size);
	memcpy(field, out, strlen(out));
}

void rpt_anon_drop(struct rpt_anon *a, const struct tdf_drop *in, struct tdf_drop *out,
		   uint8_t *buf)
{
	size_t caplen = in->caplen > TDF_SNAP_MAX ? TDF_SNAP_MAX : in->caplen;

	*out = *in;
	rpt_anon_addr(a, in->family, out->saddr);
	rpt_anon_addr(a, in->family, out->daddr);
	if (a->o.scrub_names) {
		scrub_name(a, "comm", "comm-", out->comm, sizeof(out->comm));
		scrub_name(a, "ifname", "if-", out->ifname, sizeof(out->ifname));
	}
	if (!in->data)
		caplen = 0;
	if (caplen)
		memcpy(buf, in->data, caplen);
	rpt_anon_packet(a, buf, caplen);
	out->caplen = (uint16_t)caplen;
	out->data = buf;
}

void rpt_anon_owner(const struct rpt_anon *a, const struct tdf_owner *in, struct tdf_owner *out)
{
	*out = *in;
	if (a->o.scrub_names)
		scrub_name(a, "comm", "comm-", out->comm, sizeof(out->comm));
}

/* A container id's pseudonym: as long as a real one (64 hex digits). */
static const char *container_pseudonym(const struct rpt_anon *a, const char *id, char *buf,
				       size_t len)
{
	return rpt_anon_pseudonym(a, "container", "", id, buf, len < 65 ? len : 65);
}

void rpt_anon_cgroup(const struct rpt_anon *a, const struct tdf_cgroup *in, struct tdf_cgroup *out,
		     char *buf)
{
	const size_t half = RPT_ANON_NAME_BUF / 2;
	const char *p = in->path ? in->path : "";
	char *path = buf, *id = buf + half, comp[TDF_NAME_MAX + 1], one[80];
	size_t used = 0;

	*out = *in;
	path[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n) {
			snprintf(comp, sizeof(comp), "%.*s",
				 (int)(n < TDF_NAME_MAX ? n : TDF_NAME_MAX), p);
			rpt_anon_pseudonym(a, "cgroup", "cg-", comp, one, 16);
			if (used + 1 + strlen(one) + 1 > half)
				break;
			used += (size_t)snprintf(path + used, half - used, "/%s", one);
		}
		p += n;
		p += *p == '/';
	}
	if (!used && *(in->path ? in->path : "")) /* a path of slashes only: the root */
		snprintf(path, half, "/");
	id[0] = '\0';
	if (in->container && in->container[0])
		container_pseudonym(a, in->container, id, half);
	out->path = path;
	out->container = id;
}

void rpt_anon_netns(const struct rpt_anon *a, const struct tdf_netns *in, struct tdf_netns *out,
		    char *buf)
{
	static const char ctr[] = "container:";
	const char *name = in->name ? in->name : "";
	char id[80];

	*out = *in;
	out->name = buf;
	if (!name[0]) {
		buf[0] = '\0';
	} else if (strncmp(name, ctr, sizeof(ctr) - 1) == 0 && name[sizeof(ctr) - 1]) {
		container_pseudonym(a, name + sizeof(ctr) - 1, id, sizeof(id));
		snprintf(buf, RPT_ANON_NAME_BUF, "%s%s", ctr, id);
	} else {
		/* "netns-" and 12 hex digits, like a host's pseudonym */
		rpt_anon_pseudonym(a, "netns", "netns-", name, buf, 19);
	}
}

void rpt_anon_meta(const struct rpt_anon *a, const char *key, const char *value,
		   const char **out_value, char *buf, size_t len)
{
	static const char *const kept_keys[] = {
	    TDF_META_KERNEL_RELEASE,
	    TDF_META_KERNEL_VERSION,
	    TDF_META_ARCH,
	    TDF_META_TOOL_VERSION,
	    TDF_META_SNAPLEN,
	    TDF_META_STACK_DEPTH,
	    TDF_META_HOOK,
	    "rx_sk", /* whether the tracepoint names the receiving socket (recorder, 6.11+) */
	};
	char digits[80];
	size_t i;

	*out_value = NULL;
	if (strcmp(key, TDF_META_HOST) == 0) {
		/* "host-" and 12 hex digits: 48 bits, no collision among any real fleet */
		*out_value = rpt_anon_pseudonym(a, key, "host-", value, buf, len < 18 ? len : 18);
		return;
	}
	if (strcmp(key, TDF_META_BOOT_ID) == 0) {
		rpt_anon_pseudonym(a, key, "", value, digits, sizeof(digits));
		/* still shaped like a boot id: files of one boot keep sharing one */
		snprintf(buf, len, "%.8s-%.4s-%.4s-%.4s-%.12s", digits, digits + 8, digits + 12,
			 digits + 16, digits + 20);
		*out_value = buf;
		return;
	}
	for (i = 0; i < sizeof(kept_keys) / sizeof(kept_keys[0]); i++)
		if (strcmp(key, kept_keys[i]) == 0)
			*out_value = value;
}
