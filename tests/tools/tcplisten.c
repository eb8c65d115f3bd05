// SPDX-License-Identifier: BSD-2-Clause
/* tcplisten: hold a TCP listener with a given backlog that never accepts (test tool). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: tcplisten ADDR PORT BACKLOG\n"
				"  prints \"listening\" once bound, then waits for SIGTERM/SIGINT.\n");
		return 2;
	}
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int port = atoi(argv[2]), backlog = atoi(argv[3]);
	struct sockaddr_in *s4 = (void *)&ss;
	struct sockaddr_in6 *s6 = (void *)&ss;
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "tcplisten: bad address %s\n", argv[1]);
		return 2;
	}
	int one = 1;
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0) {
		fprintf(stderr, "tcplisten: %s\n", strerror(errno));
		return 1;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("listening\n");
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	close(fd);
	return 0;
}
