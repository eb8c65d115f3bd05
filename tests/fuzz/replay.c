/* SPDX-License-Identifier: BSD-2-Clause */
/* replay: runs the fuzz target over every file of the given corpus directories (make check). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return -errno;
	do {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap ? cap * 2 : 65536);
			if (!p) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long ran = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: replay_reader DIR...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *e;

		if (!d) {
			fprintf(stderr, "replay_reader: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		while ((e = readdir(d))) {
			char path[4096];
			int ret;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			ret = run_file(path);
			if (ret) {
				fprintf(stderr, "replay_reader: %s: %s\n", path, strerror(-ret));
				closedir(d);
				return 1;
			}
			ran++;
		}
		closedir(d);
	}
	printf("replay_reader: ran %lu inputs\n", ran);
	if (ran == 0) {
		fprintf(stderr, "replay_reader: no inputs found\n");
		return 1;
	}
	return 0;
}
