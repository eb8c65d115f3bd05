// SPDX-License-Identifier: BSD-2-Clause
/* synflood: send exactly N TCP SYNs through a raw socket (test tool; needs CAP_NET_RAW). */
#include "../lib/inetsum.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: synflood [-6] -s SRC -d DST -p DPORT [-P SPORT] [-S SPORTS] [-q SEQ]\n"
	    "                [-n COUNT] [-r PER_SEC] [-t SECS]\n"
	    "  -n 0 floods until SIGINT/SIGTERM or SECS (default 120) have passed; the count\n"
	    "  of SYNs sent is printed at exit.\n"
	    "  SYN i (from 0) has source port SPORT + i %% SPORTS and sequence number SEQ + i.\n");
	exit(2);
}

static unsigned long num(const char *opt, const char *s, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "synflood: %s: expected 0..%lu\n", opt, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	int family = AF_INET, opt;
	const char *src = NULL, *dst = NULL;
	unsigned long dport = 0, sport = 40000, sports = 20000, seq = 1000000, count = 1, rate = 0;
	unsigned long limit_s = 120;

	while ((opt = getopt(argc, argv, "6s:d:p:P:S:q:n:r:t:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			break;
		case 's':
			src = optarg;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'p':
			dport = num("-p", optarg, 65535);
			break;
		case 'P':
			sport = num("-P", optarg, 65535);
			break;
		case 'S':
			sports = num("-S", optarg, 65535);
			break;
		case 'q':
			seq = num("-q", optarg, UINT32_MAX);
			break;
		case 'n':
			count = num("-n", optarg, 1ul << 40);
			break;
		case 'r':
			rate = num("-r", optarg, 10000000);
			break;
		case 't':
			limit_s = num("-t", optarg, 86400);
			break;
		default:
			usage();
		}
	}
	if (!src || !dst || !dport || !sports || optind != argc)
		usage();

	struct sockaddr_storage sa_src = {0}, sa_dst = {0};
	socklen_t salen;
	uint8_t pseudo[40];
	size_t pseudo_len;
	memset(pseudo, 0, sizeof(pseudo));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (void *)&sa_src, *d4 = (void *)&sa_dst;
		s4->sin_family = d4->sin_family = AF_INET;
		if (inet_pton(AF_INET, src, &s4->sin_addr) != 1 ||
		    inet_pton(AF_INET, dst, &d4->sin_addr) != 1) {
			fprintf(stderr, "synflood: bad IPv4 address\n");
			return 2;
		}
		memcpy(pseudo, &s4->sin_addr, 4);
		memcpy(pseudo + 4, &d4->sin_addr, 4);
		pseudo[9] = IPPROTO_TCP;
		pseudo[11] = 20;
		pseudo_len = 12;
		salen = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&sa_src, *d6 = (void *)&sa_dst;
		s6->sin6_family = d6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, src, &s6->sin6_addr) != 1 ||
		    inet_pton(AF_INET6, dst, &d6->sin6_addr) != 1) {
			fprintf(stderr, "synflood: bad IPv6 address\n");
			return 2;
		}
		memcpy(pseudo, &s6->sin6_addr, 16);
		memcpy(pseudo + 16, &d6->sin6_addr, 16);
		pseudo[35] = 20;
		pseudo[39] = IPPROTO_TCP;
		pseudo_len = 40;
		salen = sizeof(*s6);
	}

	int fd = socket(family, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa_src, salen) < 0) {
		fprintf(stderr, "synflood: raw socket: %s\n", strerror(errno));
		return 1;
	}
	int sndbuf = 4 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* a flood whose test died must not outlive it for long */
	alarm((unsigned)limit_s);

	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned long sent = 0;
	uint32_t base = inet_sum16(0, pseudo, pseudo_len);
	while (!stop && (count == 0 || sent < count)) {
		if (rate) {
			/* Pace against the start time so the average rate holds. */
			uint64_t due_ns = (uint64_t)sent * 1000000000ull / rate;
			struct timespec due = t0;
			due.tv_sec += (time_t)(due_ns / 1000000000ull);
			due.tv_nsec += (long)(due_ns % 1000000000ull);
			if (due.tv_nsec >= 1000000000l) {
				due.tv_sec++;
				due.tv_nsec -= 1000000000l;
			}
			if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
				continue;
		}
		uint8_t tcp[20] = {0};
		uint16_t sp = (uint16_t)(sport + sent % sports);
		uint32_t sq = (uint32_t)(seq + sent);
		tcp[0] = sp >> 8;
		tcp[1] = sp & 0xff;
		tcp[2] = dport >> 8;
		tcp[3] = dport & 0xff;
		tcp[4] = sq >> 24;
		tcp[5] = sq >> 16;
		tcp[6] = sq >> 8;
		tcp[7] = sq;
		tcp[12] = 5 << 4;
		tcp[13] = 0x02; /* SYN */
		tcp[14] = 0xfa; /* window 64240 */
		tcp[15] = 0xf0;
		uint16_t ck = inet_fold(inet_sum16(base, tcp, sizeof(tcp)));
		tcp[16] = ck >> 8;
		tcp[17] = ck & 0xff;
		if (sendto(fd, tcp, sizeof(tcp), 0, (struct sockaddr *)&sa_dst, salen) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				usleep(100);
				continue;
			}
			fprintf(stderr, "synflood: sendto: %s\n", strerror(errno));
			printf("%lu\n", sent);
			return 1;
		}
		sent++;
	}
	printf("%lu\n", sent);
	return 0;
}
