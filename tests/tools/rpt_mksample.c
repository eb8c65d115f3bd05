// SPDX-License-Identifier: BSD-2-Clause
/* rpt_mksample: write the report's deterministic sample recordings into a directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/rptsample.h"

static int put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd) != 0) {
		fprintf(stderr, "rpt_mksample: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t *a, *b, *c;
	size_t alen, blen, clen;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: rpt_mksample DIR\n");
		return 2;
	}
	a = rptsample_alpha(true, &alen);
	b = rptsample_beta(&blen);
	c = rptsample_alpha(false, &clen);
	if (!a || !b || !c) {
		fprintf(stderr, "rpt_mksample: cannot build the samples\n");
		return 1;
	}
	rc |= put(argv[1], "alpha.tdrop", a, alen);
	rc |= put(argv[1], "beta.tdrop", b, blen);
	rc |= put(argv[1], "alpha-killed.tdrop", c, clen);
	/* Cut in the middle of the last chunk: truncated. */
	rc |= put(argv[1], "alpha-truncated.tdrop", c, clen - 10);
	free(a);
	free(b);
	free(c);
	return rc;
}
