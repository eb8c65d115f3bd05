/* SPDX-License-Identifier: BSD-2-Clause */
/* owners: who holds a dropped segment's socket, found once per socket by a BPF iterator. */
#ifndef TCPDROP_REC_OWNERS_H
#define TCPDROP_REC_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OWNERS_MAX	     65536	   /* sockets remembered; the table starts over when full */
#define OWNERS_CGROUPS_MAX   4096	   /* cgroups remembered, likewise */
#define OWNERS_SCANS_PER_SEC 50		   /* iterator scans allowed a second (and in a burst) */
#define OWNERS_NEGATIVE_NS   1000000000ull /* a socket no process held is asked again after */
#define OWNERS_UNSET_NS	     100000000ull  /* events read before the scan gave the cookie */
#define OWNERS_PATH_MAX	     256	   /* a cgroup path as stored: 255 bytes and a NUL */
#define OWNERS_CONTAINER_MAX 65		   /* hex id and a NUL */

struct owners_cgroup {
	uint64_t id;
	char path[OWNERS_PATH_MAX];
	char container[OWNERS_CONTAINER_MAX];
	uint32_t gen; /* output generation it was last written in (the caller's to set) */
};

struct owners_ent {
	uint64_t sk, cookie;
	uint32_t id; /* OWNER id, >= 1 */
	uint32_t pid;
	char comm[16];
	uint32_t netns;		  /* the owner process's netns inode */
	struct owners_cgroup *cg; /* NULL: unknown */
	uint32_t gen;	/* output generation it was last written in (the caller's to set) */
	bool none;	/* no process held it: no owner */
	uint64_t at_ns; /* when it was scanned */
};

/* One answer of the iterator (what owners_scan_fn returns per process and socket). */
struct owners_found {
	uint64_t sk, cookie, cgroup;
	uint32_t pid, netns;
	char comm[16];
	char cg_path[OWNERS_PATH_MAX]; /* "" unknown */
};

/* Look up the holders of keys[0..n): call found() for each. 0 or -errno. Tests replace it. */
typedef int (*owners_scan_fn)(void *arg, const uint64_t *keys, uint32_t n,
			      void (*found)(void *ctx, const struct owners_found *f), void *ctx);

struct owners;

/* A table that scans with scan(arg, ...). NULL with errno. */
struct owners *owners_new(owners_scan_fn scan, void *arg);
void owners_free(struct owners *o);

/*
 * The owner of the socket at sk whose cookie the drop read (0: none assigned yet), scanning
 * for it on first sight within the scan budget. NULL: no owner (no process held it, a scan
 * failed or the budget was spent: then *unresolved is incremented).
 */
struct owners_ent *owners_lookup(struct owners *o, uint64_t sk, uint64_t cookie, uint64_t now_ns);

/* Owners and scans so far. */
struct owners_stats {
	uint64_t scans, scan_ns, found, none, unresolved, scan_errors;
};
void owners_stats(const struct owners *o, struct owners_stats *st);

/*
 * The container id a cgroup path names: the hex id of a last component such as
 * docker-ID.scope, cri-containerd-ID.scope, crio-ID.scope, libpod-ID.scope, or of any component
 * that is 64 hex digits (cgroupfs drivers: /docker/ID, /kubepods/.../ID). "" when none.
 */
void owners_container_id(const char *path, char *out, size_t outlen);

/* The real scanner: the owner.bpf.c iterator (load and attach while privileged). */
struct owners_iter;
int owners_iter_open(struct owners_iter **out, const char **stage);
void owners_iter_close(struct owners_iter *it);
int owners_iter_scan(void *iter, const uint64_t *keys, uint32_t n,
		     void (*found)(void *ctx, const struct owners_found *f), void *ctx);

#endif /* TCPDROP_REC_OWNERS_H */
