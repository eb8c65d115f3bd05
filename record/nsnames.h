/* SPDX-License-Identifier: BSD-2-Clause */
/* nsnames: network namespace inode -> name, from /run/netns and from containerised owners. */
#ifndef TCPDROP_REC_NSNAMES_H
#define TCPDROP_REC_NSNAMES_H

#include <stdbool.h>
#include <stdint.h>

#define NSNAMES_MAX	    1024	  /* names remembered */
#define NSNAMES_NAME_MAX    256		  /* 255 bytes and a NUL */
#define NSNAMES_RESCAN_NS   1000000000ull /* an unknown inode rescans at most this often */
#define NSNAMES_DIR_DEFAULT "/run/netns"

struct nsnames_ent {
	uint32_t inode;
	char name[NSNAMES_NAME_MAX];
	uint32_t gen; /* output generation it was last written in (the caller's to set) */
};

struct nsnames;

/*
 * Names from dir (NULL: /run/netns), opened now (while privileged) and re-read later through
 * the same descriptor, so a rescan needs no open() under the sandbox. A missing directory is
 * not an error: names then come only from nsnames_set(). NULL with errno (ENOMEM).
 */
struct nsnames *nsnames_open(const char *dir);
void nsnames_free(struct nsnames *n);

/* Whether a directory descriptor is held (the sandbox then allows getdents64). */
bool nsnames_has_dir(const struct nsnames *n);

/* Re-read the directory now. 0 or -errno. */
int nsnames_scan(struct nsnames *n);

/*
 * The entry for inode, rescanning the directory when it is unknown (at most once every
 * NSNAMES_RESCAN_NS of now_ns). NULL: no name.
 */
struct nsnames_ent *nsnames_get(struct nsnames *n, uint32_t inode, uint64_t now_ns);

/* Name inode unless /run/netns names it (container namespaces). Returns the entry or NULL. */
struct nsnames_ent *nsnames_set(struct nsnames *n, uint32_t inode, const char *name);

/* Entries 0..count-1, for writing them all at the start of a file. */
uint32_t nsnames_count(const struct nsnames *n);
struct nsnames_ent *nsnames_at(struct nsnames *n, uint32_t i);

#endif /* TCPDROP_REC_NSNAMES_H */
