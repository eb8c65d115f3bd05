/* SPDX-License-Identifier: BSD-2-Clause */
/* anon: keyed anonymisation of drops (Crypto-PAn addresses, packet bytes, pseudonyms, META). */
#ifndef TCPDROP_RPT_ANON_H
#define TCPDROP_RPT_ANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdf.h"

/*
 * Addresses are mapped by Crypto-PAn (Xu, Fan, Ammar, Moon: "Prefix-preserving IP address
 * anonymization", 2002) over AES-128 from libcrypto: two addresses that share exactly an n-bit
 * prefix share exactly an n-bit prefix after mapping. IPv4 uses the original 32-bit scheme
 * (the published test vectors hold), IPv6 the same construction over 128 bits; an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) keeps its prefix and maps its IPv4 part as IPv4.
 * Addresses in a kept network stay as they are: loopback, link-local and the unspecified
 * address always, and every --keep-net. Mapped addresses may land in a kept network.
 */

#define RPT_ANON_KEY_LEN  32 /* AES-128 key and Crypto-PAn pad secret, 16 bytes each */
#define RPT_ANON_KEEP_MAX 64 /* --keep-net given more often is a mistake */

/* The META key an anonymised file carries: what was done, in words (see tcpdrop-file(5)). */
#define RPT_META_ANONYMIZED "anonymized"

struct rpt_anon_net {
	uint8_t family; /* 4 or 6 */
	uint8_t bits;	/* prefix length */
	uint8_t addr[16];
};

struct rpt_anon_opts {
	const char *key_file; /* NULL: a random key, forgotten at exit */
	struct rpt_anon_net keep[RPT_ANON_KEEP_MAX];
	size_t nkeep;
	bool keep_payload;     /* leave the bytes after the TCP header as they are */
	bool scrub_names;      /* comm and interface names become keyed pseudonyms */
	int64_t time_shift_ns; /* added to every wall-clock anchor */
	bool filtered;	       /* only some drops are kept (said in the META value) */
};

/*
 * Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (a /32 or /128) into n; host bits
 * are cleared. Returns 0 or -EINVAL.
 */
int rpt_anon_net_parse(const char *s, struct rpt_anon_net *n);

/*
 * The 32-byte key in path, or a new random key written there (mode 0600, O_EXCL, never
 * through a symbolic link) when it does not exist; *created says which. A key file that is
 * not a regular file of exactly RPT_ANON_KEY_LEN bytes, or that others may read, is refused.
 * Returns 0 or -errno with one line in err.
 */
int rpt_anon_key_load(const char *path, uint8_t key[RPT_ANON_KEY_LEN], bool *created, char *err,
		      size_t errlen);

/* A fresh random key (getrandom). Returns 0 or -errno. */
int rpt_anon_key_random(uint8_t key[RPT_ANON_KEY_LEN]);

struct rpt_anon;

/*
 * An anonymiser for key and o (both copied; the caller should wipe its key). Sets up libcrypto
 * (which may read its configuration file), so call it before any sandbox. Returns NULL with
 * errno set (ENOMEM, or EINVAL when libcrypto has no AES-128).
 */
struct rpt_anon *rpt_anon_new(const uint8_t key[RPT_ANON_KEY_LEN], const struct rpt_anon_opts *o);

/* Free a and wipe its key material. NULL is a no-op. */
void rpt_anon_free(struct rpt_anon *a);

/* Map one address in place: family 4 (the first 4 bytes) or 6. Other families are zeroed. */
void rpt_anon_addr(struct rpt_anon *a, uint8_t family, uint8_t addr[16]);

/*
 * Rewrite caplen packet bytes (from the IP header) in place: addresses in the IPv4 and IPv6
 * headers, IPv4 record-route, source-route and timestamp options, IPv6 routing headers
 * (types 0, 2 and segment routing; the data of other types is zeroed) and home-address
 * options, and MPTCP ADD_ADDR options; the bytes after the TCP header zeroed unless
 * keep_payload, and everything after a header this code cannot walk zeroed always. The IPv4
 * header checksum and the TCP checksum are recomputed when they were right and the bytes they
 * cover are all stored, and otherwise adjusted by exactly the change made, so a wrong checksum
 * stays wrong by the same amount (tcpdrop-report(8), SHARING A TRACE).
 */
void rpt_anon_packet(struct rpt_anon *a, uint8_t *p, size_t caplen);

/*
 * An anonymised copy of in: out gets every field, its data pointing to buf (TDF_SNAP_MAX
 * bytes) holding the rewritten packet bytes.
 */
void rpt_anon_drop(struct rpt_anon *a, const struct tdf_drop *in, struct tdf_drop *out,
		   uint8_t *buf);

/*
 * A keyed pseudonym: prefix followed by hex digits of HMAC-SHA256 over (what, value), at most
 * len - 1 characters, into buf. The same key gives the same pseudonym in every file.
 */
const char *rpt_anon_pseudonym(const struct rpt_anon *a, const char *what, const char *prefix,
			       const char *value, char *buf, size_t len);

/*
 * The socket owner records (tcpdrop-report(8), SHARING A TRACE). An OWNER keeps its pid and
 * cgroup id (numbers, like the drops' pid and netns inode); its comm is treated as the drops'
 * comm: kept, or with scrub_names the same keyed pseudonym the drops' comm gets.
 */
void rpt_anon_owner(const struct rpt_anon *a, const struct tdf_owner *in, struct tdf_owner *out);

/* What rpt_anon_cgroup() and rpt_anon_netns() write into at most (bytes). */
#define RPT_ANON_NAME_BUF 16384

/*
 * A CGROUP as anonymised, its strings in buf (RPT_ANON_NAME_BUF bytes): every component of
 * the path becomes "cg-" and 12 hex digits of its keyed pseudonym (the hierarchy stays, the
 * names go; what does not fit in buf is left out at a component's end), the container id
 * 64 hex digits of its keyed pseudonym. "" stays "" (unknown, none).
 */
void rpt_anon_cgroup(const struct rpt_anon *a, const struct tdf_cgroup *in, struct tdf_cgroup *out,
		     char *buf);

/*
 * A NETNS as anonymised, its name in buf (RPT_ANON_NAME_BUF bytes): "container:ID" keeps its
 * prefix and maps ID as rpt_anon_cgroup() maps container ids (they still match), any other
 * name becomes "netns-" and 12 hex digits. "" stays "".
 */
void rpt_anon_netns(const struct rpt_anon *a, const struct tdf_netns *in, struct tdf_netns *out,
		    char *buf);

/*
 * A META pair as anonymised: *out_value is value itself (kept), a pseudonym in buf (host,
 * boot_id), or NULL (left out: the recorder's command line and filters, which may name
 * addresses, the old "anonymized" pair and keys this version does not know).
 */
void rpt_anon_meta(const struct rpt_anon *a, const char *key, const char *value,
		   const char **out_value, char *buf, size_t len);

/* The RPT_META_ANONYMIZED value: the method, the key's id and every option. Never NULL. */
const char *rpt_anon_describe(const struct rpt_anon *a);

/* The time shift, ns. */
int64_t rpt_anon_time_shift(const struct rpt_anon *a);

#endif /* TCPDROP_RPT_ANON_H */
