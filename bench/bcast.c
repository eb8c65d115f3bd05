// SPDX-License-Identifier: BSD-2-Clause
/*
 * bcast: UDP broadcasts to a port nothing listens on, for a fixed time: on Linux 6.18 each
 * copy is freed by __udp4_lib_rcv as NOT_SPECIFIED (measured with bpftrace on skb:kfree_skb),
 * a kfree_skb call that is no TCP drop: the background for the probe's early exit.
 * Usage: bcast -d BROADCAST_ADDR [-p PORT] [-t SECS]; prints sent= secs= rate=.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9)};
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	char payload[16] = "tcpdrop-bench";
	double secs = 2, t0, t;
	unsigned long long sent = 0;
	int c, fd, on = 1;

	while ((c = getopt(argc, argv, "d:p:t:")) != -1) {
		switch (c) {
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst.sin_addr) != 1) {
				fprintf(stderr, "bcast: -d: '%s' is not an IPv4 address\n", optarg);
				return 2;
			}
			break;
		case 'p':
			dst.sin_port = htons((unsigned short)atoi(optarg));
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bcast -d BROADCAST_ADDR [-p PORT] [-t SECS]\n");
			return 2;
		}
	}
	if (!dst.sin_addr.s_addr) {
		fprintf(stderr, "usage: bcast -d BROADCAST_ADDR [-p PORT] [-t SECS]\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on))) {
		perror("bcast: socket");
		return 1;
	}
	iov = (struct iovec){.iov_base = payload, .iov_len = sizeof(payload)};
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_s();
	do {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		if (n < 0) {
			perror("bcast: sendmmsg");
			return 1;
		}
		sent += (unsigned)n;
		t = now_s();
	} while (t - t0 < secs);
	printf("sent=%llu secs=%.3f rate=%.0f\n", sent, t - t0, sent / (t - t0));
	close(fd);
	return 0;
}
