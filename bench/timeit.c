// SPDX-License-Identifier: BSD-2-Clause
/*
 * timeit: run a command, print its wall-clock seconds (fork to exit, nanosecond clock) and
 * peak RSS in KiB ("SECS RSS_KB") into FILE: a decode of 0.1 s is timed to the microsecond,
 * without the date(1) and time(1) start-ups a shell measurement would add.
 * Usage: timeit -o FILE CMD [ARG...]; exits with CMD's status (128+N for a signal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	const char *file;
	int status;
	pid_t pid;
	FILE *f;

	if (argc < 4 || strcmp(argv[1], "-o") != 0) {
		fprintf(stderr, "usage: timeit -o FILE CMD [ARG...]\n");
		return 2;
	}
	file = argv[2];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		perror("timeit: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("timeit: wait4");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f = fopen(file, "w");
	if (!f) {
		perror("timeit: -o");
		return 1;
	}
	fprintf(f, "%.6f %ld\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		ru.ru_maxrss);
	fclose(f);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
