/* SPDX-License-Identifier: BSD-2-Clause */
/* ownertab: one file's socket owners, cgroups and netns names by id (internal to report/). */
#ifndef TCPDROP_RPT_OWNERTAB_H
#define TCPDROP_RPT_OWNERTAB_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "tdf.h"

/*
 * What OWNER, CGROUP and NETNS records of one file said. Their ids are the file's own, so
 * every input file has its own tables (like its stacks). A recording has one owner per
 * process that held a dropping socket and one cgroup and netns name per container or
 * namespace: some hundreds. The caps bound the indexes; the memory is charged to the files'
 * budget (report/budget.h), which stops a hostile file first.
 */
#define RPT_OWNERTAB_MAX (1u << 20) /* owners, cgroups and netns names, each */

struct rpt_cgroup_ent {
	uint64_t id;
	char *path;	 /* "" unknown */
	char *container; /* "" none */
};

struct rpt_netns_ent {
	uint32_t inode;
	char *name;
};

struct rpt_ownertab {
	struct tdf_owner *owners; /* dense, by arrival */
	size_t nowners, cap_owners;
	struct rpt_htab owner_index; /* by id */
	struct rpt_cgroup_ent *cgroups;
	size_t ncgroups, cap_cgroups;
	struct rpt_htab cgroup_index; /* by id */
	struct rpt_netns_ent *netns;
	size_t nnetns, cap_netns;
	struct rpt_htab netns_index; /* by inode */
	size_t charged;		     /* bytes charged to the files' budget */
};

/*
 * Keep a copy of the record; a known id is redefined (last wins). Id 0 (owner, cgroup) and
 * inode 0 (netns) are ignored. Returns 0, -ENOMEM, or RPT_FULL_COUNT / RPT_FULL_BYTES
 * (report/budget.h) when it was left out (a known id then keeps what it had).
 */
int rpt_ownertab_add_owner(struct rpt_ownertab *t, const struct tdf_owner *o);
int rpt_ownertab_add_cgroup(struct rpt_ownertab *t, const struct tdf_cgroup *c);
int rpt_ownertab_add_netns(struct rpt_ownertab *t, const struct tdf_netns *n);

/* Lookups: NULL for 0 or an id never defined. */
const struct tdf_owner *rpt_ownertab_owner(const struct rpt_ownertab *t, uint32_t id);
const struct rpt_cgroup_ent *rpt_ownertab_cgroup(const struct rpt_ownertab *t, uint64_t id);
/* The netns's name, NULL when unknown or empty. */
const char *rpt_ownertab_netns(const struct rpt_ownertab *t, uint32_t inode);

void rpt_ownertab_free(struct rpt_ownertab *t);

#endif /* TCPDROP_RPT_OWNERTAB_H */
