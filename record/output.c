// SPDX-License-Identifier: BSD-2-Clause
/* output: the trace file (or stdout) through the format writer, and its -C/-G/-W rotation. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTPUT_PATH_MAX 4096

struct output {
	struct output_cfg cfg;
	char path[OUTPUT_PATH_MAX];
	int fd;
	bool is_stdout, created, started;
	struct tdf_writer *w;
	output_begin_fn begin;
	void *arg;
	uint32_t gen;
	uint32_t index;	     /* -C sequence within the current -G period */
	time_t period_start; /* when the current -G period began */
	uint64_t drops_in_file;
	uint64_t bytes_done; /* bytes of files already closed */
	char **ring;	     /* names of the files kept, oldest first (with -W) */
	uint32_t nring;
};

int output_name(char *buf, size_t len, const struct output_cfg *cfg, time_t t, uint32_t index)
{
	char base[OUTPUT_PATH_MAX];
	size_t n;
	int w;

	if (cfg->rotate_secs) {
		struct tm tm;

		if (!localtime_r(&t, &tm))
			return -EINVAL;
		n = strftime(base, sizeof(base), cfg->pattern, &tm);
		if (n == 0)
			return *cfg->pattern ? -ENAMETOOLONG : -EINVAL;
	} else {
		n = strlen(cfg->pattern);
		if (n == 0)
			return -EINVAL;
		if (n >= sizeof(base))
			return -ENAMETOOLONG;
		memcpy(base, cfg->pattern, n + 1);
	}
	if (!cfg->rotate_bytes || (!cfg->ring_files && index == 0))
		w = snprintf(buf, len, "%s", base);
	else if (!cfg->ring_files)
		w = snprintf(buf, len, "%s%u", base, index);
	else {
		int width = snprintf(NULL, 0, "%u", cfg->ring_files - 1);

		w = snprintf(buf, len, "%s%0*u", base, width, index % cfg->ring_files);
	}
	if (w < 0 || (size_t)w >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int create_file(struct output *s)
{
	int fd = open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	/* an existing file keeps its mode through O_TRUNC: traces hold addresses and packets */
	if (fchmod(fd, 0600) && errno != EPERM) {
		int e = errno;

		close(fd);
		return -e;
	}
	s->fd = fd;
	s->created = true;
	return 0;
}

/* Remember path in the -W ring and delete the oldest files beyond N. */
static int ring_push(struct output *s)
{
	char *copy;
	char **nr;

	if (!s->cfg.ring_files)
		return 0;
	for (uint32_t i = 0; i < s->nring; i++) {
		if (!strcmp(s->ring[i], s->path)) { /* reused name: the file was just truncated */
			free(s->ring[i]);
			memmove(&s->ring[i], &s->ring[i + 1],
				(s->nring - i - 1) * sizeof(*s->ring));
			s->nring--;
			break;
		}
	}
	copy = strdup(s->path);
	if (!copy)
		return -ENOMEM;
	nr = realloc(s->ring, (s->nring + 1) * sizeof(*s->ring));
	if (!nr) {
		free(copy);
		return -ENOMEM;
	}
	s->ring = nr;
	s->ring[s->nring++] = copy;
	while (s->nring > s->cfg.ring_files) {
		unlink(s->ring[0]); /* already gone is fine */
		free(s->ring[0]);
		memmove(&s->ring[0], &s->ring[1], (s->nring - 1) * sizeof(*s->ring));
		s->nring--;
	}
	return 0;
}

struct output *output_open(const struct output_cfg *cfg, time_t now)
{
	struct output *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->fd = -1;
	s->period_start = now;
	if (!strcmp(cfg->pattern, "-")) {
		s->is_stdout = true;
		s->fd = STDOUT_FILENO;
		strcpy(s->path, "-");
		return s;
	}
	rc = output_name(s->path, sizeof(s->path), cfg, now, 0);
	if (!rc)
		rc = create_file(s);
	if (!rc)
		rc = ring_push(s);
	if (rc) {
		output_abandon(s, true);
		errno = -rc;
		return NULL;
	}
	return s;
}

static int start_writer(struct output *s)
{
	struct tdf_writer_opts o = {.zstd_level = 0, .chunk_raw_max = s->cfg.chunk_raw_max};

	s->w = tdf_writer_open(s->fd, &o);
	if (!s->w)
		return errno ? -errno : -EIO;
	s->drops_in_file = 0;
	return s->begin ? s->begin(s->arg, s->w) : 0;
}

int output_start(struct output *s, output_begin_fn begin, void *arg)
{
	s->begin = begin;
	s->arg = arg;
	s->started = true;
	return start_writer(s);
}

int output_add(struct output *s, const struct tdf_record *rec)
{
	if (!s->w)
		return -EBADF;
	if (rec->type == TDF_REC_DROP)
		s->drops_in_file++;
	return tdf_writer_add(s->w, rec);
}

int output_flush(struct output *s)
{
	return s->w ? tdf_writer_flush(s->w) : -EBADF;
}

bool output_rotate_due(struct output *s, time_t now)
{
	if (s->is_stdout || !s->w || s->drops_in_file == 0)
		return false;
	if (s->cfg.rotate_secs && now - s->period_start >= (time_t)s->cfg.rotate_secs)
		return true;
	if (!s->cfg.rotate_bytes ||
	    tdf_writer_bytes(s->w) + tdf_writer_pending(s->w) < s->cfg.rotate_bytes)
		return false;
	/*
	 * The open chunk counts uncompressed: write it out to know the real size. Near the
	 * limit this makes a few small chunks, and a file ends at most one chunk past -C. A
	 * write error stays in the writer and is returned by the next add or flush.
	 */
	if (tdf_writer_pending(s->w) && tdf_writer_flush(s->w))
		return false;
	return tdf_writer_bytes(s->w) >= s->cfg.rotate_bytes;
}

int output_rotate(struct output *s, time_t now)
{
	int rc;

	if (s->is_stdout || !s->w)
		return -EINVAL;
	s->bytes_done += tdf_writer_bytes(s->w);
	rc = tdf_writer_close(s->w);
	s->w = NULL;
	if (rc)
		return rc;
	if (close(s->fd))
		return -errno;
	s->fd = -1;
	if (s->cfg.rotate_secs && now - s->period_start >= (time_t)s->cfg.rotate_secs) {
		s->period_start = now;
		s->index = 0;
	} else {
		s->index++;
	}
	rc = output_name(s->path, sizeof(s->path), &s->cfg, s->period_start, s->index);
	if (rc)
		return rc;
	rc = create_file(s);
	if (rc)
		return rc;
	rc = ring_push(s);
	if (rc)
		return rc;
	s->gen++;
	return start_writer(s);
}

uint32_t output_generation(const struct output *s)
{
	return s->gen;
}

uint64_t output_bytes(const struct output *s)
{
	return s->bytes_done + (s->w ? tdf_writer_bytes(s->w) : 0);
}

const char *output_path(const struct output *s)
{
	return s->path;
}

static void free_output(struct output *s)
{
	for (uint32_t i = 0; i < s->nring; i++)
		free(s->ring[i]);
	free(s->ring);
	free(s);
}

int output_close(struct output *s)
{
	int rc;

	if (!s)
		return 0;
	rc = tdf_writer_close(s->w);
	if (!s->is_stdout && s->fd >= 0 && close(s->fd) && !rc)
		rc = -errno;
	free_output(s);
	return rc;
}

void output_abandon(struct output *s, bool discard)
{
	if (!s)
		return;
	tdf_writer_abandon(s->w);
	if (!s->is_stdout && s->fd >= 0)
		close(s->fd);
	if (discard && s->created && !s->started)
		unlink(s->path);
	free_output(s);
}
