// SPDX-License-Identifier: BSD-2-Clause
/* tapinject: play a TCP peer through a tap device to make exact, known segments get dropped (test
 * tool). */
#include "../lib/inetsum.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN  64
#define FRAME_MAX 2048

/* The peer's made-up MAC: the test installs a permanent neighbour entry for it. */
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x77, 0x01};

struct ctx {
	int tap, family;
	uint8_t tap_mac[6];
	uint8_t src[16], dst[16]; /* peer (us) and the tap's local address */
	uint16_t dport;
	uint16_t ip_id;
	int ext6; /* IPv6: an 8-byte destination options header before TCP */
};

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: tapinject -i TAP [-6] -s PEER -d LOCAL -p PORT -m MODE [-n COUNT] [-P SPORT]\n"
	    "  csum      send COUNT SYNs with a wrong TCP checksum\n"
	    "  ext6      send COUNT IPv6 SYNs carrying a destination options header (-6)\n"
	    "  overflow  listen on LOCAL:PORT with backlog COUNT and make COUNT handshakes' final\n"
	    "            ACKs find the accept queue full (needs net.ipv4.tcp_syncookies=0)\n"
	    "  oow       listen on LOCAL:PORT, complete and accept one handshake, then send COUNT "
	    "data\n"
	    "            segments with sequence numbers far outside the receive window\n"
	    "  Every injected segment expected to be dropped is printed as \"drop HEX\" (the IP\n"
	    "  packet); other injected segments as \"sent HEX\".\n");
	exit(2);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void print_hex(const char *tag, const uint8_t *p, size_t len)
{
	printf("%s ", tag);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
	fflush(stdout);
}

/* Build and write one segment; returns the IP packet length (packet copied to ip_out). */
static size_t send_seg(struct ctx *c, uint16_t sport, uint32_t seq, uint32_t ack, uint8_t flags,
		       const char *payload, int bad_csum, uint8_t *ip_out)
{
	uint8_t frame[FRAME_MAX] = {0};
	size_t plen = payload ? strlen(payload) : 0;
	size_t iphl = c->family == AF_INET ? 20 : c->ext6 ? 48 : 40;
	uint8_t *ip = frame + 14, *tcp = ip + iphl;
	size_t tcplen = 20 + plen;

	memcpy(frame, c->tap_mac, 6);
	memcpy(frame + 6, peer_mac, 6);
	uint32_t ph;
	if (c->family == AF_INET) {
		put16(frame + 12, 0x0800);
		ip[0] = 0x45;
		put16(ip + 2, (uint32_t)(iphl + tcplen));
		put16(ip + 4, c->ip_id++);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, c->src, 4);
		memcpy(ip + 16, c->dst, 4);
		put16(ip + 10, inet_fold(inet_sum16(0, ip, 20)));
		ph = inet_sum16(0, ip + 12, 8) + IPPROTO_TCP + (uint32_t)tcplen;
	} else {
		put16(frame + 12, 0x86dd);
		put32(ip, 0x60000000);
		put16(ip + 4, (uint32_t)(iphl - 40 + tcplen));
		ip[6] = c->ext6 ? 60 : IPPROTO_TCP; /* 60: destination options */
		if (c->ext6) {
			static const uint8_t dstopts[8] = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};

			memcpy(ip + 40, dstopts, sizeof(dstopts)); /* next TCP, PadN */
		}
		ip[7] = 64;
		memcpy(ip + 8, c->src, 16);
		memcpy(ip + 24, c->dst, 16);
		ph = inet_sum16(0, ip + 8, 32) + IPPROTO_TCP + (uint32_t)tcplen;
	}
	put16(tcp, sport);
	put16(tcp + 2, c->dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	if (plen)
		memcpy(tcp + 20, payload, plen);
	uint16_t ck = inet_fold(inet_sum16(ph, tcp, tcplen));
	if (bad_csum)
		ck ^= 0x5a5a;
	put16(tcp + 16, ck);

	size_t flen = 14 + iphl + tcplen;
	if (write(c->tap, frame, flen) != (ssize_t)flen) {
		fprintf(stderr, "tapinject: write: %s\n", strerror(errno));
		exit(1);
	}
	if (ip_out)
		memcpy(ip_out, ip, iphl + tcplen);
	return iphl + tcplen;
}

/*
 * Wait for a SYN-ACK from LOCAL:PORT to PEER:sport for one of ports[]; returns the index and
 * the server's initial sequence number, or -1 on timeout.
 */
static int wait_synack(struct ctx *c, const uint16_t *ports, int n, const int *done, uint32_t *isn)
{
	uint8_t frame[FRAME_MAX];
	struct pollfd pfd = {.fd = c->tap, .events = POLLIN};
	for (;;) {
		if (poll(&pfd, 1, 5000) <= 0)
			return -1;
		ssize_t len = read(c->tap, frame, sizeof(frame));
		if (len < 14)
			continue;
		uint16_t et = (uint16_t)(frame[12] << 8 | frame[13]);
		const uint8_t *ip = frame + 14, *tcp;
		if (c->family == AF_INET && et == 0x0800 && len >= 14 + 40 &&
		    ip[9] == IPPROTO_TCP && !memcmp(ip + 12, c->dst, 4) &&
		    !memcmp(ip + 16, c->src, 4))
			tcp = ip + (ip[0] & 0xf) * 4;
		else if (c->family == AF_INET6 && et == 0x86dd && len >= 14 + 60 &&
			 ip[6] == IPPROTO_TCP && !memcmp(ip + 8, c->dst, 16) &&
			 !memcmp(ip + 24, c->src, 16))
			tcp = ip + 40;
		else
			continue;
		if (tcp + 20 > frame + len || (tcp[13] & 0x12) != 0x12)
			continue;
		uint16_t sp = (uint16_t)(tcp[0] << 8 | tcp[1]),
			 dp = (uint16_t)(tcp[2] << 8 | tcp[3]);
		if (sp != c->dport)
			continue;
		for (int i = 0; i < n; i++) {
			if (ports[i] == dp && !done[i]) {
				*isn = get32(tcp + 4);
				return i;
			}
		}
	}
}

static int listen_on(const struct ctx *c, int backlog)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (c->family == AF_INET) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(c->dport);
		memcpy(&s4->sin_addr, c->dst, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(c->dport);
		memcpy(&s6->sin6_addr, c->dst, 16);
		len = sizeof(*s6);
	}
	int one = 1;
	int fd = socket(c->family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) {
		fprintf(stderr, "tapinject: listen: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Send n SYNs, collect their SYN-ACKs; fills isn[] (ours) and risn[] (theirs). */
static void handshake_start(struct ctx *c, const uint16_t *ports, int n, uint32_t *isn,
			    uint32_t *risn)
{
	int done[MAX_CONN] = {0};
	for (int i = 0; i < n; i++) {
		isn[i] = 0x10000000u + (uint32_t)ports[i] * 0x00010000u;
		send_seg(c, ports[i], isn[i], 0, 0x02, NULL, 0, NULL);
	}
	for (int got = 0; got < n; got++) {
		uint32_t r;
		int i = wait_synack(c, ports, n, done, &r);
		if (i < 0) {
			fprintf(stderr, "tapinject: no SYN-ACK after 5 s (%d of %d)\n", got, n);
			exit(1);
		}
		done[i] = 1;
		risn[i] = r;
	}
}

int main(int argc, char **argv)
{
	const char *tap = NULL, *src = NULL, *dst = NULL, *mode = NULL;
	int opt, count = 1;
	unsigned sport = 45000;
	struct ctx c = {.family = AF_INET, .ip_id = 1};

	while ((opt = getopt(argc, argv, "i:6s:d:p:m:n:P:")) != -1) {
		switch (opt) {
		case 'i':
			tap = optarg;
			break;
		case '6':
			c.family = AF_INET6;
			break;
		case 's':
			src = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'p':
			c.dport = (uint16_t)atoi(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'P':
			sport = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!tap || !src || !dst || !mode || !c.dport || count < 1 || count > MAX_CONN ||
	    sport < 1024 || sport + (unsigned)count > 65535 || optind != argc)
		usage();
	if (inet_pton(c.family, src, c.src) != 1 || inet_pton(c.family, dst, c.dst) != 1) {
		fprintf(stderr, "tapinject: bad address\n");
		return 2;
	}

	c.tap = open("/dev/net/tun", O_RDWR);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (c.tap < 0 || ioctl(c.tap, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tapinject: %s: %s\n", tap, strerror(errno));
		return 1;
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", tap);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "tapinject: SIOCGIFHWADDR: %s\n", strerror(errno));
		return 1;
	}
	memcpy(c.tap_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);

	uint16_t ports[MAX_CONN];
	uint32_t isn[MAX_CONN], risn[MAX_CONN];
	uint8_t pkt[FRAME_MAX];
	for (int i = 0; i < count; i++)
		ports[i] = (uint16_t)(sport + (unsigned)i);

	if (!strcmp(mode, "csum")) {
		for (int i = 0; i < count; i++) {
			size_t n = send_seg(&c, ports[i], 0x20000000u + (uint32_t)i, 0, 0x02, NULL,
					    1, pkt);
			print_hex("drop", pkt, n);
		}
	} else if (!strcmp(mode, "ext6")) {
		if (c.family != AF_INET6)
			usage();
		c.ext6 = 1;
		for (int i = 0; i < count; i++) {
			size_t n = send_seg(&c, ports[i], 0x30000000u + (uint32_t)i, 0, 0x02, NULL,
					    0, pkt);
			print_hex("drop", pkt, n);
		}
	} else if (!strcmp(mode, "overflow")) {
		/*
		 * Listener backlog B = COUNT, SYN cookies off (the test sets the sysctl). A SYN is
		 * admitted while accepted <= B and pending <= B; an ACK while accepted <= B. Fill
		 * the SYN queue, then alternate ACK/SYN until B+1 connections are accepted: the
		 * B requests still pending then overflow the accept queue when ACKed.
		 */
		int b = count, n = 2 * count + 1;
		if (n > MAX_CONN || sport + (unsigned)n > 65535)
			usage();
		for (int i = 0; i < n; i++)
			ports[i] = (uint16_t)(sport + (unsigned)i);
		int lfd = listen_on(&c, b);
		handshake_start(&c, ports, b + 1, isn, risn);
		for (int k = 0; k < b; k++) {
			size_t len =
			    send_seg(&c, ports[k], isn[k] + 1, risn[k] + 1, 0x10, NULL, 0, pkt);
			print_hex("sent", pkt, len);
			handshake_start(&c, ports + b + 1 + k, 1, isn + b + 1 + k,
					risn + b + 1 + k);
		}
		for (int k = b; k < n; k++) {
			size_t len =
			    send_seg(&c, ports[k], isn[k] + 1, risn[k] + 1, 0x10, NULL, 0, pkt);
			print_hex(k == b ? "sent" : "drop", pkt, len);
		}
		usleep(200000);
		close(lfd);
	} else if (!strcmp(mode, "oow")) {
		int lfd = listen_on(&c, 8);
		handshake_start(&c, ports, 1, isn, risn);
		size_t n = send_seg(&c, ports[0], isn[0] + 1, risn[0] + 1, 0x10, NULL, 0, pkt);
		print_hex("sent", pkt, n);
		/* accept it: the established socket then has a file, held by this process */
		struct pollfd lp = {.fd = lfd, .events = POLLIN};
		int afd = poll(&lp, 1, 5000) == 1 ? accept(lfd, NULL, NULL) : -1;
		if (afd < 0) {
			fprintf(stderr, "tapinject: accept: %s\n",
				strerror(errno ? errno : ETIMEDOUT));
			return 1;
		}
		for (int i = 0; i < count; i++) {
			/* A quarter of the sequence space ahead: beyond any receive window. */
			n = send_seg(&c, ports[0], isn[0] + 1 + 0x40000000u + (uint32_t)i * 100,
				     risn[0] + 1, 0x18, "tcpdrop-oow", 0, pkt);
			print_hex("drop", pkt, n);
		}
		usleep(200000);
		close(afd);
		close(lfd);
	} else {
		usage();
	}
	close(c.tap);
	return 0;
}
