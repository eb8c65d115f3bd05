/* SPDX-License-Identifier: BSD-2-Clause */
/* pktparse: finds the IP addresses and TCP header fields in a DROP's packet bytes. */
#include <errno.h>
#include <string.h>

#include "pktparse.h"
#include "tdf.h"
#include "wire.h"

#define IPV4_HDR_MIN 20u
#define IPV6_HDR_LEN 40u
#define TCP_HDR_MIN  20u
#define PROTO_TCP    6u

/* IPv6 next-header values walked over on the way to TCP (RFC 8200 section 4, RFC 4302). */
#define NH_HOPOPTS  0u
#define NH_ROUTING  43u
#define NH_FRAGMENT 44u
#define NH_AH	    51u
#define NH_DSTOPTS  60u

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Walk the extension headers after the fixed IPv6 header; leave c at the TCP header. */
static int ipv6_skip_ext(struct cursor *c, uint8_t nh)
{
	for (unsigned i = 0; i <= TDF_PKT_EXT_MAX; i++) {
		const uint8_t *h;
		size_t len, taken;

		switch (nh) {
		case PROTO_TCP:
			return 0;
		case NH_HOPOPTS:
		case NH_ROUTING:
		case NH_DSTOPTS:
			taken = 2;
			h = cur_take(c, taken);
			if (!h)
				return -EBADMSG;
			len = ((size_t)h[1] + 1) * 8; /* 8-byte units, the first not counted */
			break;
		case NH_FRAGMENT:
			taken = 8;
			h = cur_take(c, taken);
			if (!h)
				return -EBADMSG;
			if (be16(h + 2) >> 3) /* only the first fragment holds the TCP header */
				return -EBADMSG;
			len = 8;
			break;
		case NH_AH:
			taken = 2;
			h = cur_take(c, taken);
			if (!h)
				return -EBADMSG;
			len = ((size_t)h[1] + 2) * 4; /* 4-byte units, minus 2 */
			break;
		default:
			return -EBADMSG;
		}
		nh = h[0];
		if (!cur_take(c, len - taken))
			return -EBADMSG;
	}
	return -EBADMSG;
}

int tdf_pkt_parse(const uint8_t *data, size_t caplen, struct tdf_pkt_fields *out)
{
	struct cursor c;
	const uint8_t *ip, *th;

	if (!data || caplen == 0)
		return -EBADMSG;
	cur_init(&c, data, caplen);
	memset(out->saddr, 0, sizeof(out->saddr));
	memset(out->daddr, 0, sizeof(out->daddr));
	switch (data[0] >> 4) {
	case 4: {
		size_t ihl = (size_t)(data[0] & 0x0f) * 4;

		if (ihl < IPV4_HDR_MIN)
			return -EBADMSG;
		ip = cur_take(&c, ihl);
		/* Protocol TCP, fragment offset 0 (only the first fragment holds TCP). */
		if (!ip || ip[9] != PROTO_TCP || (be16(ip + 6) & 0x1fff))
			return -EBADMSG;
		out->family = 4;
		memcpy(out->saddr, ip + 12, 4);
		memcpy(out->daddr, ip + 16, 4);
		break;
	}
	case 6:
		ip = cur_take(&c, IPV6_HDR_LEN);
		if (!ip || ipv6_skip_ext(&c, ip[6]))
			return -EBADMSG;
		out->family = 6;
		memcpy(out->saddr, ip + 8, 16);
		memcpy(out->daddr, ip + 24, 16);
		break;
	default:
		return -EBADMSG;
	}
	th = cur_take(&c, TCP_HDR_MIN);
	if (!th)
		return -EBADMSG;
	out->sport = be16(th);
	out->dport = be16(th + 2);
	out->tcp_seq = be32(th + 4);
	out->tcp_ack = be32(th + 8);
	out->tcp_flags = th[13];
	out->win = be16(th + 14);
	return 0;
}

uint32_t tdf_ip_len(const uint8_t *data, size_t caplen)
{
	uint16_t n;

	if (!data || caplen == 0)
		return 0;
	switch (data[0] >> 4) {
	case 4:
		return caplen >= 4 ? be16(data + 2) : 0;
	case 6:
		if (caplen < 6)
			return 0;
		n = be16(data + 4);
		return n ? IPV6_HDR_LEN + n : 0;
	default:
		return 0;
	}
}
