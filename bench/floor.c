// SPDX-License-Identifier: BSD-2-Clause
/* floor: load and attach every program of a BPF object file, then wait for SIGINT/SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *links[16];
	int nlinks = 0, rc = 1, err;

	if (argc != 2) {
		fprintf(stderr, "usage: floor OBJECT.bpf.o\n");
		return 2;
	}
	libbpf_set_print(silent);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "floor: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "floor: load %s: %s\n", argv[1], strerror(-err));
		goto out;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (nlinks == (int)(sizeof(links) / sizeof(links[0])))
			break;
		links[nlinks] = bpf_program__attach(prog);
		if (!links[nlinks]) {
			fprintf(stderr, "floor: attach %s: %s\n", bpf_program__name(prog),
				strerror(errno));
			goto out;
		}
		nlinks++;
	}
	printf("floor: %d program(s) attached\n", nlinks);
	fflush(stdout);
	while (!stop)
		sleep(1); /* a signal cuts it short */
	rc = 0;
out:
	while (nlinks > 0)
		bpf_link__destroy(links[--nlinks]);
	bpf_object__close(obj);
	return rc;
}
