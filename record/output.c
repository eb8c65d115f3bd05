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

/* A file of the -W ring: deleted or reused only while its name still leads to it. */
struct ring_file {
	char *name;
	struct output_file_id id;
};

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
	uint64_t bytes_done;	  /* bytes of files already closed */
	struct output_file_id id; /* of the current file */
	struct ring_file *ring;	  /* the files kept, oldest first (with -W) */
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

/* What a regular file must satisfy to be truncated and reused. */
static int reusable(const struct stat *st, uid_t owner, const struct output_file_id *expect)
{
	if (expect && (st->st_dev != expect->dev || st->st_ino != expect->ino))
		return -ESTALE;
	if (st->st_uid != owner)
		return -EEXIST;
	/* truncating one name of a hard-linked file would empty the others too */
	if (st->st_nlink > 1)
		return -EMLINK;
	return 0;
}

/* The type check, on lstat's answer so that nothing refused is ever opened. */
static int acceptable(const struct stat *st, uid_t owner, const struct output_file_id *expect)
{
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (S_ISSOCK(st->st_mode))
		return -ENXIO;
	if (S_ISREG(st->st_mode))
		return reusable(st, owner, expect);
	if (expect)
		return -ESTALE; /* a -W name we made as a file is now something else */
	/* a FIFO someone else planted would carry the trace to them */
	if (S_ISFIFO(st->st_mode))
		return st->st_uid == owner || st->st_uid == 0 ? 0 : -EEXIST;
	if (S_ISCHR(st->st_mode))
		return 0;
	return -ENODEV; /* block devices and anything stranger */
}

int output_file_open(const char *path, uid_t owner, const struct output_file_id *expect,
		     struct output_file_id *id, bool *created)
{
	/* twice: a name that vanishes or appears between lstat and open is looked at again */
	for (int attempt = 0; attempt < 2; attempt++) {
		struct stat lst, st;
		int fd, rc;

		if (lstat(path, &lst)) {
			if (errno != ENOENT)
				return -errno;
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (fd < 0 && errno == EEXIST)
				continue;
			if (fd < 0)
				return -errno;
			if (fstat(fd, &st)) {
				rc = -errno;
				close(fd);
				return rc;
			}
			*id = (struct output_file_id){.dev = st.st_dev, .ino = st.st_ino};
			*created = true;
			return fd;
		}
		rc = acceptable(&lst, owner, expect);
		if (rc)
			return rc;
		/* O_NONBLOCK is not used: a FIFO waits for its reader, as with tcpdump */
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return errno == ELOOP ? -EBUSY : -errno;
		if (fstat(fd, &st)) {
			rc = -errno;
			goto fail;
		}
		/* the name was switched to another file after lstat looked at it */
		rc = -EBUSY;
		if (st.st_dev != lst.st_dev || st.st_ino != lst.st_ino)
			goto fail;
		/* an existing file keeps its mode through truncation: traces hold addresses and
		   packets */
		if (S_ISREG(st.st_mode) && (ftruncate(fd, 0) || fchmod(fd, 0600))) {
			rc = -errno;
			goto fail;
		}
		*id = (struct output_file_id){.dev = st.st_dev, .ino = st.st_ino};
		*created = false;
		return fd;
	fail:
		close(fd);
		return rc;
	}
	return -EBUSY;
}

const char *output_strerror(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link: not followed (name the file itself, or - for standard "
		       "output)";
	case -EISDIR:
		return "is a directory";
	case -ENXIO:
		return "is a socket: not written to";
	case -ENODEV:
		return "is not a regular file, FIFO or character device: not written to";
	case -EEXIST:
		return "exists and belongs to another user: not overwritten (remove it or choose "
		       "another name)";
	case -EMLINK:
		return "has more than one hard link: not truncated";
	case -ESTALE:
		return "was replaced since this recording created it: not overwritten";
	case -EBUSY:
		return "changed while it was being opened: not written to";
	default:
		return strerror(-err);
	}
}

static int open_current(struct output *s, const struct output_file_id *expect)
{
	int fd = output_file_open(s->path, getuid(), expect, &s->id, &s->created);

	if (fd < 0)
		return fd;
	s->fd = fd;
	return 0;
}

static void ring_forget(struct output *s, uint32_t i)
{
	free(s->ring[i].name);
	memmove(&s->ring[i], &s->ring[i + 1], (s->nring - i - 1) * sizeof(*s->ring));
	s->nring--;
}

/*
 * Delete the oldest -W file, only when its name still is the file this recording made. The
 * check and the unlink are two steps, but unlink removes a directory entry only: whoever can
 * swap names in that directory could remove the entry themselves.
 */
static void ring_delete_oldest(struct output *s)
{
	struct stat st;

	if (!lstat(s->ring[0].name, &st) && S_ISREG(st.st_mode) && st.st_dev == s->ring[0].id.dev &&
	    st.st_ino == s->ring[0].id.ino)
		unlink(s->ring[0].name);
	ring_forget(s, 0);
}

/* The ring entry for the current name, if this recording made a file by that name. */
static const struct ring_file *ring_find(const struct output *s)
{
	for (uint32_t i = 0; i < s->nring; i++)
		if (!strcmp(s->ring[i].name, s->path))
			return &s->ring[i];
	return NULL;
}

/* Remember the current file in the -W ring and delete the oldest files beyond N. */
static int ring_push(struct output *s)
{
	struct ring_file *nr;
	char *copy;

	if (!s->cfg.ring_files)
		return 0;
	for (uint32_t i = 0; i < s->nring; i++) {
		if (!strcmp(s->ring[i].name, s->path)) { /* reused name: the file was truncated */
			ring_forget(s, i);
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
	s->ring[s->nring++] = (struct ring_file){.name = copy, .id = s->id};
	while (s->nring > s->cfg.ring_files)
		ring_delete_oldest(s);
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
		rc = open_current(s, NULL);
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
	const struct ring_file *ring_file;
	struct output_file_id expect;
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
	ring_file = ring_find(s);
	if (ring_file)
		expect = ring_file->id; /* copied: ring_push moves the entries */
	rc = open_current(s, ring_file ? &expect : NULL);
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

int output_chown(struct output *s, uid_t uid, gid_t gid)
{
	struct stat st;

	if (s->is_stdout || s->fd < 0)
		return 0;
	if (fstat(s->fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	return fchown(s->fd, uid, gid) ? -errno : 0;
}

static void free_output(struct output *s)
{
	for (uint32_t i = 0; i < s->nring; i++)
		free(s->ring[i].name);
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
