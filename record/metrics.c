// SPDX-License-Identifier: BSD-2-Clause
/* metrics: drop counters by label set, written as Prometheus text for node_exporter's textfile
 * collector. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OTHER	       "other"
#define NAME_MAX_BYTES 255 /* one directory entry */

struct series {
	uint64_t count;
	uint32_t hash;
	uint8_t family;
	char reason[METRICS_LABEL_MAX + 1];
	char netns[METRICS_LABEL_MAX + 1];
	char container[METRICS_LABEL_MAX + 1];
};

struct metrics {
	char *path;
	int dirfd;
	char name[NAME_MAX_BYTES + 1];
	char tmpname[NAME_MAX_BYTES + 1];
	uint32_t max_sets, regular, other;
	uint64_t capped;
	struct series *series; /* dense, in insertion order */
	uint32_t nseries, series_cap;
	uint32_t *slots; /* series index + 1, 0 = empty; a power of two, at most half full */
	uint32_t nslots;
};

static void set_label(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, METRICS_LABEL_MAX) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = 0;
}

/* FNV-1a over the key, fields separated by a byte no label holds. */
static uint32_t key_hash(const struct series *k)
{
	const char *parts[] = {k->reason, k->netns, k->container};
	uint32_t h = 2166136261u;

	h = (h ^ k->family) * 16777619u;
	for (size_t i = 0; i < 3; i++) {
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (uint8_t)*p) * 16777619u;
		h = (h ^ 0xffu) * 16777619u;
	}
	return h;
}

static bool same_key(const struct series *a, const struct series *b)
{
	return a->hash == b->hash && a->family == b->family && !strcmp(a->reason, b->reason) &&
	       !strcmp(a->netns, b->netns) && !strcmp(a->container, b->container);
}

/* The slot holding k, or the empty one where it would go. */
static uint32_t *find_slot(struct metrics *m, const struct series *k)
{
	uint32_t mask = m->nslots - 1, i = k->hash & mask;

	while (m->slots[i] && !same_key(&m->series[m->slots[i] - 1], k))
		i = (i + 1) & mask;
	return &m->slots[i];
}

static int split_path(struct metrics *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t blen = strlen(base);
	char *dir;
	int fd;

	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return -EINVAL;
	/* ".NAME.tmp" must fit in one directory entry too */
	if (blen + 5 > NAME_MAX_BYTES)
		return -ENAMETOOLONG;
	snprintf(m->name, sizeof(m->name), "%s", base);
	snprintf(m->tmpname, sizeof(m->tmpname), ".%s.tmp", base);
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	/* O_PATH: the fd is only ever a base for openat/renameat/unlinkat */
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	m->dirfd = fd;
	return 0;
}

struct metrics *metrics_new(const char *path, uint32_t max_sets)
{
	struct metrics *m = calloc(1, sizeof(*m));
	uint32_t need;
	int rc;

	if (!m)
		return NULL;
	m->dirfd = -1;
	m->max_sets = max_sets ? max_sets : METRICS_SETS_MAX;
	/* every series, "other" ones included, with the table at most half full */
	need = 2 * (m->max_sets + METRICS_OTHER_MAX + 4);
	for (m->nslots = 16; m->nslots < need; m->nslots *= 2)
		;
	m->slots = calloc(m->nslots, sizeof(*m->slots));
	if (!m->slots) {
		rc = -ENOMEM;
		goto fail;
	}
	if (path) {
		m->path = strdup(path);
		if (!m->path) {
			rc = -ENOMEM;
			goto fail;
		}
		rc = split_path(m, path);
		if (rc)
			goto fail;
	}
	return m;
fail:
	metrics_free(m);
	errno = -rc;
	return NULL;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	if (m->dirfd >= 0)
		close(m->dirfd);
	free(m->series);
	free(m->slots);
	free(m->path);
	free(m);
}

static struct series *insert(struct metrics *m, uint32_t *slot, const struct series *k)
{
	if (m->nseries == m->series_cap) {
		uint32_t cap = m->series_cap ? 2 * m->series_cap : 64;
		struct series *s = realloc(m->series, cap * sizeof(*s));

		if (!s)
			return NULL;
		m->series = s;
		m->series_cap = cap;
	}
	m->series[m->nseries] = *k;
	*slot = ++m->nseries;
	return &m->series[m->nseries - 1];
}

/* The key with its per-drop labels replaced by "other" (those it has). */
static bool to_other(struct series *k)
{
	bool changed = false;

	if (*k->netns && strcmp(k->netns, OTHER)) {
		set_label(k->netns, OTHER);
		changed = true;
	}
	if (*k->container && strcmp(k->container, OTHER)) {
		set_label(k->container, OTHER);
		changed = true;
	}
	return changed;
}

void metrics_drop_add(struct metrics *m, const char *reason, unsigned family, const char *netns,
		      const char *container)
{
	struct series k;
	uint32_t *slot;
	struct series *s;

	k.count = 0;
	k.family = family == 4 || family == 6 ? (uint8_t)family : 0;
	set_label(k.reason, reason && *reason ? reason : "unknown");
	set_label(k.netns, netns);
	set_label(k.container, container);
	k.hash = key_hash(&k);
	slot = find_slot(m, &k);
	if (!*slot && m->regular < m->max_sets) {
		if (!insert(m, slot, &k))
			goto other; /* out of memory: still counted */
		m->regular++;
	}
	if (*slot) {
		m->series[*slot - 1].count++;
		return;
	}
other:
	if (to_other(&k))
		m->capped++;
	k.hash = key_hash(&k);
	slot = find_slot(m, &k);
	if (!*slot && m->other < METRICS_OTHER_MAX && insert(m, slot, &k))
		m->other++;
	if (!*slot) {
		/* the last resort: at most four of these (netns and container other or absent) */
		set_label(k.reason, OTHER);
		k.family = 0;
		k.hash = key_hash(&k);
		slot = find_slot(m, &k);
		if (!*slot && !insert(m, slot, &k))
			return; /* out of memory for a handful of series: nothing left to do */
	}
	s = &m->series[*slot - 1];
	s->count++;
}

uint32_t metrics_sets(const struct metrics *m)
{
	return m->nseries;
}

uint64_t metrics_capped(const struct metrics *m)
{
	return m->capped;
}

const char *metrics_path(const struct metrics *m)
{
	return m->path;
}

/* Length of the UTF-8 sequence at p (at most n bytes), 0 when it is not a valid one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1fu;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0fu;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0u) != 0x80u)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A label value as the exposition format wants it: backslash, double quote and line feed
 * escaped; other control characters and bytes that are not UTF-8 (a scrape fails on the
 * whole file otherwise) become '?'.
 */
static void put_label(FILE *f, const char *name, const char *v, bool first)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n = strlen(v);

	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	while (n) {
		size_t l = utf8_len(p, n);

		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (l && *p >= 0x20 && *p != 0x7f)
			fwrite(p, 1, l, f);
		else
			fputc('?', f);
		if (!l)
			l = 1;
		p += l;
		n -= l;
	}
	fputc('"', f);
}

static const char *family_name(uint8_t family)
{
	return family == 4 ? "ipv4" : family == 6 ? "ipv6" : OTHER;
}

static int cmp_series(const void *a, const void *b)
{
	const struct series *x = *(const struct series *const *)a;
	const struct series *y = *(const struct series *const *)b;
	int c = strcmp(x->reason, y->reason);

	if (!c)
		c = strcmp(family_name(x->family), family_name(y->family));
	if (!c)
		c = strcmp(x->netns, y->netns);
	if (!c)
		c = strcmp(x->container, y->container);
	return c;
}

static void counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name, help, name, name, v);
}

int metrics_render(const struct metrics *m, const struct metrics_totals *t, FILE *f)
{
	const struct series **order = NULL;

	if (m->nseries) {
		order = malloc(m->nseries * sizeof(*order));
		if (!order)
			return -ENOMEM;
		for (uint32_t i = 0; i < m->nseries; i++)
			order[i] = &m->series[i];
		qsort(order, m->nseries, sizeof(*order), cmp_series);
	}
	fputs("# HELP tcpdrop_drops_total TCP segments the kernel dropped, by drop reason, address "
	      "family, network namespace and container.\n"
	      "# TYPE tcpdrop_drops_total counter\n",
	      f);
	for (uint32_t i = 0; i < m->nseries; i++) {
		const struct series *s = order[i];

		fputs("tcpdrop_drops_total{", f);
		put_label(f, "reason", s->reason, true);
		put_label(f, "family", family_name(s->family), false);
		if (*s->netns)
			put_label(f, "netns", s->netns, false);
		if (*s->container)
			put_label(f, "container", s->container, false);
		fprintf(f, "} %" PRIu64 "\n", s->count);
	}
	free(order);
	counter(f, "tcpdrop_lost_total",
		"Drops the recorder lost because its ring buffer was full.", t->lost);
	counter(f, "tcpdrop_excluded_total",
		"NOT_SPECIFIED frees counted but not recorded (without --all-reasons).",
		t->excluded);
	counter(f, "tcpdrop_bytes_written_total", "Bytes of trace data written.", t->bytes);
	fprintf(f,
		"# HELP tcpdrop_start_time_seconds When the recording started, in seconds since "
		"the Unix epoch.\n"
		"# TYPE tcpdrop_start_time_seconds gauge\n"
		"tcpdrop_start_time_seconds %" PRIu64 ".%09" PRIu64 "\n",
		t->start_real_ns / 1000000000u, t->start_real_ns % 1000000000u);
	return ferror(f) ? -EIO : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int metrics_write(const struct metrics *m, const struct metrics_totals *t, bool fsync_file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fd, rc;

	if (m->dirfd < 0)
		return -EINVAL;
	f = open_memstream(&buf, &len);
	if (!f)
		return -errno;
	rc = metrics_render(m, t, f);
	if (fclose(f) && !rc)
		rc = -ENOMEM;
	if (rc)
		goto out;
	/* a leftover of a crashed run goes first; O_EXCL|O_NOFOLLOW then refuse whatever
	   someone else may have put under that name in a shared directory meanwhile */
	if (unlinkat(m->dirfd, m->tmpname, 0) && errno != ENOENT) {
		rc = -errno;
		goto out;
	}
	fd = openat(m->dirfd, m->tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0644);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/* 0644 whatever the umask: node_exporter runs as another user */
	rc = fchmod(fd, 0644) ? -errno : 0;
	if (!rc)
		rc = write_all(fd, buf, len);
	if (!rc && fsync_file && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(m->dirfd, m->tmpname, m->dirfd, m->name))
		rc = -errno;
	if (rc)
		unlinkat(m->dirfd, m->tmpname, 0);
out:
	free(buf);
	return rc;
}
