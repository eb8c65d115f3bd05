// SPDX-License-Identifier: BSD-2-Clause
/* flood: SYNs to a closed port for a fixed time (one NO_SOCKET drop each); prints the rate. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Packets per sendmmsg(): large enough that the syscall cost is noise next to the drop path. */
#define BATCH_MAX 64
/* IPv4 header (20) + TCP header with an MSS option (24), like a minimal real SYN. */
#define SYN_LEN	    44
#define THREADS_MAX 64

struct flood_opts {
	struct in_addr src, dst;
	uint16_t dport;
	double secs; /* 0: until SIGINT/SIGTERM */
	double rate; /* SYNs per second over all threads, 0: as fast as possible */
	unsigned int threads;
	unsigned int batch;
};

struct flood_thread {
	pthread_t tid;
	unsigned int index;
	const struct flood_opts *opts;
	uint64_t sent;
	int err;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One SYN with correct IP and TCP checksums: a bad checksum would be a TCP_CSUM drop instead. */
static void syn_build(uint8_t *pkt, const struct flood_opts *o, uint16_t sport, uint32_t seq,
		      uint16_t ip_id)
{
	uint8_t *ip = pkt, *tcp = pkt + 20;
	uint32_t sum;

	memset(pkt, 0, SYN_LEN);
	ip[0] = 0x45;
	put16(ip + 2, SYN_LEN);
	put16(ip + 4, ip_id);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &o->src, 4);
	memcpy(ip + 16, &o->dst, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));

	put16(tcp, sport);
	put16(tcp + 2, o->dport);
	put32(tcp + 4, seq);
	tcp[12] = 6 << 4; /* 24-byte header */
	tcp[13] = 0x02;	  /* SYN */
	put16(tcp + 14, 64240);
	tcp[20] = 2; /* MSS option */
	tcp[21] = 4;
	put16(tcp + 22, 1460);

	sum = csum_add(0, ip + 12, 8); /* pseudo header: addresses, protocol, length */
	sum += IPPROTO_TCP + (SYN_LEN - 20);
	sum = csum_add(sum, tcp, SYN_LEN - 20);
	put16(tcp + 16, csum_fold(sum));
}

static void *flood_run(void *arg)
{
	struct flood_thread *t = arg;
	const struct flood_opts *o = t->opts;
	static __thread uint8_t pkts[BATCH_MAX][SYN_LEN];
	struct mmsghdr msgs[BATCH_MAX];
	struct iovec iovs[BATCH_MAX];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = o->dst};
	double rate = o->rate / o->threads, start, end;
	uint32_t rnd = 0x9e3779b9u * (t->index + 1);
	uint16_t sport = (uint16_t)(1024 + t->index * 7919);
	uint16_t ip_id = 0;
	int fd;

	fd = socket(AF_INET, SOCK_RAW,
		    IPPROTO_RAW); /* IPPROTO_RAW: header included, receives nothing */
	if (fd < 0) {
		t->err = errno;
		return NULL;
	}
	memset(msgs, 0, sizeof(msgs));
	for (unsigned int i = 0; i < o->batch; i++) {
		iovs[i].iov_base = pkts[i];
		iovs[i].iov_len = SYN_LEN;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_s();
	end = o->secs > 0 ? start + o->secs : 0;
	while (!stop) {
		double now = now_s();

		if (end && now >= end)
			break;
		if (rate > 0) {
			double due = start + (double)(t->sent + o->batch) / rate;

			if (due > now) {
				double wait = due - now;
				struct timespec ts = {
				    .tv_sec = (time_t)wait,
				    .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};

				nanosleep(&ts, NULL);
				continue;
			}
		}
		for (unsigned int i = 0; i < o->batch; i++) {
			/* xorshift32: varied sequence numbers, cheap */
			rnd ^= rnd << 13;
			rnd ^= rnd >> 17;
			rnd ^= rnd << 5;
			if (++sport < 1024)
				sport = 1024;
			syn_build(pkts[i], o, sport, rnd, ip_id++);
		}
		unsigned int done = 0;

		while (done < o->batch) {
			int n = sendmmsg(fd, msgs + done, o->batch - done, 0);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				/* ENOBUFS: nothing was sent; try again */
				if (errno == ENOBUFS)
					continue;
				t->err = errno;
				goto out;
			}
			done += (unsigned int)n;
			t->sent += (uint64_t)n;
		}
	}
out:
	close(fd);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: flood -d DST [-S SRC] [-p PORT] [-t SECS] [-r RATE] [-j THREADS] [-b BATCH]\n"
	    "  -d DST      IPv4 address to send SYNs to (a local address of the namespace)\n"
	    "  -S SRC      source address (default 10.99.1.2: RSTs to it leave on a dummy device)\n"
	    "  -p PORT     closed destination port (default 9)\n"
	    "  -t SECS     how long (default 3; 0 = until SIGINT/SIGTERM)\n"
	    "  -r RATE     SYNs per second (default 0 = as fast as possible)\n"
	    "  -j THREADS  sending threads (default 1)\n"
	    "  -b BATCH    packets per sendmmsg (1..64, default 64)\n"
	    "Prints: sent=N secs=S rate=R cpu=SECS cpu_ns=NS_PER_SYN\n");
}

static int parse_num(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "flood: %s: '%s' is not a number in %g..%g\n", opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct flood_opts o = {.dport = 9, .secs = 3, .threads = 1, .batch = BATCH_MAX};
	struct flood_thread th[THREADS_MAX];
	struct sigaction sa = {.sa_handler = on_signal};
	const char *dst = NULL, *src = "10.99.1.2";
	uint64_t sent = 0;
	struct rusage ru;
	double v, start, secs, cpu;
	int c, rc = 0;

	while ((c = getopt(argc, argv, "d:S:p:t:r:j:b:h")) != -1) {
		switch (c) {
		case 'd':
			dst = optarg;
			break;
		case 'S':
			src = optarg;
			break;
		case 'p':
			if (parse_num("-p", optarg, 1, 65535, &v))
				return 2;
			o.dport = (uint16_t)v;
			break;
		case 't':
			if (parse_num("-t", optarg, 0, 86400, &o.secs))
				return 2;
			break;
		case 'r':
			if (parse_num("-r", optarg, 0, 1e9, &o.rate))
				return 2;
			break;
		case 'j':
			if (parse_num("-j", optarg, 1, THREADS_MAX, &v))
				return 2;
			o.threads = (unsigned int)v;
			break;
		case 'b':
			if (parse_num("-b", optarg, 1, BATCH_MAX, &v))
				return 2;
			o.batch = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dst || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (inet_pton(AF_INET, dst, &o.dst) != 1 || inet_pton(AF_INET, src, &o.src) != 1) {
		fprintf(stderr, "flood: -d/-S: not an IPv4 address\n");
		return 2;
	}
	/* A slow flood sends small batches so that the rate is smooth. */
	if (o.rate > 0 && o.rate / o.threads < 1000.0 * o.batch) {
		unsigned int b = (unsigned int)(o.rate / o.threads / 1000.0);

		o.batch = b < 1 ? 1 : b;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	start = now_s();
	for (unsigned int i = 0; i < o.threads; i++) {
		th[i] = (struct flood_thread){.index = i, .opts = &o};
		if (pthread_create(&th[i].tid, NULL, flood_run, &th[i])) {
			fprintf(stderr, "flood: pthread_create failed\n");
			return 1;
		}
	}
	for (unsigned int i = 0; i < o.threads; i++) {
		pthread_join(th[i].tid, NULL);
		sent += th[i].sent;
		if (th[i].err && !rc) {
			fprintf(stderr, "flood: send: %s\n", strerror(th[i].err));
			rc = 1;
		}
	}
	secs = now_s() - start;
	/* CPU time is the robust figure on a shared machine: the drop path, tracers' BPF
	 * programs included, runs in softirq in this process's context (loopback). */
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("sent=%llu secs=%.6f rate=%.0f cpu=%.6f cpu_ns=%.0f\n", (unsigned long long)sent,
	       secs, secs > 0 ? (double)sent / secs : 0.0, cpu,
	       sent ? cpu * 1e9 / (double)sent : 0.0);
	return rc;
}
