/* SPDX-License-Identifier: BSD-2-Clause */
/* pktparse: the TCP/IP header fields a DROP's packet bytes determine (writer and reader share it).
 */
#ifndef TCPDROP_PKTPARSE_H
#define TCPDROP_PKTPARSE_H

#include <stddef.h>
#include <stdint.h>

/* The fields an ELIDED drop leaves out of its body, laid out as in struct tdf_drop. */
struct tdf_pkt_fields {
	uint8_t family; /* 4 or 6 */
	uint8_t tcp_flags;
	uint8_t saddr[16], daddr[16]; /* IPv4 in the first 4 bytes, rest zero */
	uint16_t sport, dport;
	uint32_t tcp_seq, tcp_ack;
	uint16_t win;
};

/*
 * At most this many IPv6 extension headers are walked before TCP: more than any real packet
 * carries, and it bounds the loop whatever the bytes say.
 */
#define TDF_PKT_EXT_MAX 8u

/*
 * Derive the fields from caplen packet bytes starting at the IP header, by the rules of
 * tcpdrop-file(5) ("ELIDED DROP FIELDS"). Never reads past caplen. Returns 0, or -EBADMSG when
 * the bytes are not an IPv4/IPv6 packet whose fixed TCP header lies within caplen (out is then
 * unspecified).
 */
int tdf_pkt_parse(const uint8_t *data, size_t caplen, struct tdf_pkt_fields *out);

#endif /* TCPDROP_PKTPARSE_H */
