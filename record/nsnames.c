// SPDX-License-Identifier: BSD-2-Clause
/* nsnames: network namespace inode -> name, from /run/netns and from containerised owners. */
#include "nsnames.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct nsnames {
	int dirfd; /* -1: none */
	struct nsnames_ent ents[NSNAMES_MAX];
	bool from_dir[NSNAMES_MAX];
	uint32_t count;
	uint64_t last_scan_ns;
	bool scanned;
};

struct nsnames *nsnames_open(const char *dir)
{
	struct nsnames *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->dirfd = open(dir ? dir : NSNAMES_DIR_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n->dirfd >= 0)
		nsnames_scan(n);
	return n;
}

void nsnames_free(struct nsnames *n)
{
	if (!n)
		return;
	if (n->dirfd >= 0)
		close(n->dirfd);
	free(n);
}

bool nsnames_has_dir(const struct nsnames *n)
{
	return n->dirfd >= 0;
}

static struct nsnames_ent *find(struct nsnames *n, uint32_t inode)
{
	for (uint32_t i = 0; i < n->count; i++)
		if (n->ents[i].inode == inode)
			return &n->ents[i];
	return NULL;
}

static struct nsnames_ent *put(struct nsnames *n, uint32_t inode, const char *name, bool dir)
{
	struct nsnames_ent *e = find(n, inode);

	if (!e) {
		if (n->count >= NSNAMES_MAX)
			return NULL;
		e = &n->ents[n->count];
		n->from_dir[n->count++] = dir;
		e->inode = inode;
		e->gen = 0;
	} else if (strcmp(e->name, name)) {
		e->gen = 0; /* renamed: written again */
	}
	if (dir)
		n->from_dir[e - n->ents] = true;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

int nsnames_scan(struct nsnames *n)
{
	char buf[8192];
	long got;

	if (n->dirfd < 0)
		return -ENOENT;
	if (lseek(n->dirfd, 0, SEEK_SET) < 0)
		return -errno;
	/* getdents64 directly: readdir would need fdopendir's allocation and a new stream */
	while ((got = syscall(SYS_getdents64, n->dirfd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			struct stat st;

			off += d->d_reclen;
			if (d->d_name[0] == '.')
				continue;
			/* the name is a bind mount of the namespace: stat gives its inode */
			if (fstatat(n->dirfd, d->d_name, &st, 0) == 0 && st.st_ino &&
			    st.st_ino <= UINT32_MAX)
				put(n, (uint32_t)st.st_ino, d->d_name, true);
		}
	}
	n->scanned = true;
	return got < 0 ? -errno : 0;
}

struct nsnames_ent *nsnames_get(struct nsnames *n, uint32_t inode, uint64_t now_ns)
{
	struct nsnames_ent *e;

	if (!inode)
		return NULL;
	e = find(n, inode);
	if (e || n->dirfd < 0)
		return e;
	if (n->scanned && now_ns - n->last_scan_ns < NSNAMES_RESCAN_NS)
		return NULL;
	n->last_scan_ns = now_ns;
	nsnames_scan(n);
	return find(n, inode);
}

struct nsnames_ent *nsnames_set(struct nsnames *n, uint32_t inode, const char *name)
{
	struct nsnames_ent *e = find(n, inode);

	if (!inode)
		return NULL;
	if (e && n->from_dir[e - n->ents])
		return e; /* what ip netns calls it wins */
	return put(n, inode, name, false);
}

uint32_t nsnames_count(const struct nsnames *n)
{
	return n->count;
}

struct nsnames_ent *nsnames_at(struct nsnames *n, uint32_t i)
{
	return i < n->count ? &n->ents[i] : NULL;
}
