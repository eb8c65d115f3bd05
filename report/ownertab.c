// SPDX-License-Identifier: BSD-2-Clause
/* ownertab: one file's socket owners, cgroups and netns names, found through report/htab. */
#include "ownertab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "grow.h"

/* A cgroup path is a file system path below the cgroup2 mount: PATH_MAX bounds it. */
#define CGROUP_PATH_MAX 4096u

/* Entries with the doubling array's slack and their index slots (kept at most half full). */
#define ENT_COST(type) (2 * sizeof(type) + 4 * sizeof(struct rpt_hslot))
#define STR_COST(len)  ((len) + 1 + RPT_BUDGET_MALLOC_OVERHEAD)

static bool charge(struct rpt_ownertab *t, size_t bytes)
{
	if (!rpt_budget_take(RPT_POOL_FILES, bytes))
		return false;
	t->charged += bytes;
	return true;
}

static void uncharge(struct rpt_ownertab *t, size_t bytes)
{
	rpt_budget_give(RPT_POOL_FILES, bytes);
	t->charged -= bytes;
}

static struct tdf_owner *owner_find(const struct rpt_ownertab *t, uint32_t id)
{
	uint64_t h = rpt_hash_u64(id);
	size_t pos, i;

	for (i = rpt_htab_first(&t->owner_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&t->owner_index, h, &pos))
		if (t->owners[i].id == id)
			return &t->owners[i];
	return NULL;
}

static struct rpt_cgroup_ent *cgroup_find(const struct rpt_ownertab *t, uint64_t id)
{
	uint64_t h = rpt_hash_u64(id);
	size_t pos, i;

	for (i = rpt_htab_first(&t->cgroup_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&t->cgroup_index, h, &pos))
		if (t->cgroups[i].id == id)
			return &t->cgroups[i];
	return NULL;
}

static struct rpt_netns_ent *netns_find(const struct rpt_ownertab *t, uint32_t inode)
{
	uint64_t h = rpt_hash_u64(inode);
	size_t pos, i;

	for (i = rpt_htab_first(&t->netns_index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&t->netns_index, h, &pos))
		if (t->netns[i].inode == inode)
			return &t->netns[i];
	return NULL;
}

const struct tdf_owner *rpt_ownertab_owner(const struct rpt_ownertab *t, uint32_t id)
{
	return id ? owner_find(t, id) : NULL;
}

const struct rpt_cgroup_ent *rpt_ownertab_cgroup(const struct rpt_ownertab *t, uint64_t id)
{
	return id ? cgroup_find(t, id) : NULL;
}

const char *rpt_ownertab_netns(const struct rpt_ownertab *t, uint32_t inode)
{
	const struct rpt_netns_ent *e = inode ? netns_find(t, inode) : NULL;

	return e && e->name[0] ? e->name : NULL;
}

int rpt_ownertab_add_owner(struct rpt_ownertab *t, const struct tdf_owner *o)
{
	struct tdf_owner *old;
	int rc;

	if (o->id == 0)
		return 0;
	old = owner_find(t, o->id);
	if (old) {
		*old = *o;
		old->comm[TDF_COMM_LEN - 1] = '\0';
		return 0;
	}
	if (t->nowners >= RPT_OWNERTAB_MAX)
		return RPT_FULL_COUNT;
	if (!charge(t, ENT_COST(struct tdf_owner)))
		return RPT_FULL_BYTES;
	rc = rpt_grow((void **)&t->owners, &t->cap_owners, t->nowners + 1, sizeof(*t->owners));
	if (!rc)
		rc = rpt_htab_insert(&t->owner_index, rpt_hash_u64(o->id), t->nowners);
	if (rc) {
		uncharge(t, ENT_COST(struct tdf_owner));
		return rc;
	}
	t->owners[t->nowners] = *o;
	t->owners[t->nowners].comm[TDF_COMM_LEN - 1] = '\0';
	t->nowners++;
	return 0;
}

/* A copy of s cut at max bytes, charged; NULL with *rc set when it does not fit. */
static char *copy_str(struct rpt_ownertab *t, const char *s, size_t max, size_t *cost, int *rc)
{
	size_t len = strnlen(s ? s : "", max);
	char *p;

	*cost = STR_COST(len);
	if (!charge(t, *cost)) {
		*rc = RPT_FULL_BYTES;
		return NULL;
	}
	p = strndup(s ? s : "", len);
	if (!p) {
		uncharge(t, *cost);
		*rc = -ENOMEM;
	}
	return p;
}

int rpt_ownertab_add_cgroup(struct rpt_ownertab *t, const struct tdf_cgroup *c)
{
	struct rpt_cgroup_ent *old;
	size_t pcost, ccost;
	char *path, *container;
	int rc = 0;

	if (c->id == 0)
		return 0;
	old = cgroup_find(t, c->id);
	if (!old && t->ncgroups >= RPT_OWNERTAB_MAX)
		return RPT_FULL_COUNT;
	if (!old && !charge(t, ENT_COST(struct rpt_cgroup_ent)))
		return RPT_FULL_BYTES;
	path = copy_str(t, c->path, CGROUP_PATH_MAX, &pcost, &rc);
	container = path ? copy_str(t, c->container, TDF_NAME_MAX, &ccost, &rc) : NULL;
	if (!container)
		goto fail;
	if (old) {
		uncharge(t, STR_COST(strlen(old->path)) + STR_COST(strlen(old->container)));
		free(old->path);
		free(old->container);
		old->path = path;
		old->container = container;
		return 0;
	}
	rc = rpt_grow((void **)&t->cgroups, &t->cap_cgroups, t->ncgroups + 1, sizeof(*t->cgroups));
	if (!rc)
		rc = rpt_htab_insert(&t->cgroup_index, rpt_hash_u64(c->id), t->ncgroups);
	if (rc) {
		uncharge(t, ccost);
		free(container);
		container = NULL;
		goto fail;
	}
	t->cgroups[t->ncgroups++] =
	    (struct rpt_cgroup_ent){.id = c->id, .path = path, .container = container};
	return 0;
fail:
	if (path) {
		uncharge(t, pcost);
		free(path);
	}
	if (!old)
		uncharge(t, ENT_COST(struct rpt_cgroup_ent));
	return rc;
}

int rpt_ownertab_add_netns(struct rpt_ownertab *t, const struct tdf_netns *n)
{
	struct rpt_netns_ent *old;
	size_t cost;
	char *name;
	int rc = 0;

	if (n->inode == 0)
		return 0;
	old = netns_find(t, n->inode);
	if (!old && t->nnetns >= RPT_OWNERTAB_MAX)
		return RPT_FULL_COUNT;
	if (!old && !charge(t, ENT_COST(struct rpt_netns_ent)))
		return RPT_FULL_BYTES;
	name = copy_str(t, n->name, TDF_NAME_MAX, &cost, &rc);
	if (!name)
		goto fail;
	if (old) {
		uncharge(t, STR_COST(strlen(old->name)));
		free(old->name);
		old->name = name;
		return 0;
	}
	rc = rpt_grow((void **)&t->netns, &t->cap_netns, t->nnetns + 1, sizeof(*t->netns));
	if (!rc)
		rc = rpt_htab_insert(&t->netns_index, rpt_hash_u64(n->inode), t->nnetns);
	if (rc) {
		uncharge(t, cost);
		free(name);
		goto fail;
	}
	t->netns[t->nnetns++] = (struct rpt_netns_ent){.inode = n->inode, .name = name};
	return 0;
fail:
	if (!old)
		uncharge(t, ENT_COST(struct rpt_netns_ent));
	return rc;
}

void rpt_ownertab_free(struct rpt_ownertab *t)
{
	size_t i;

	for (i = 0; i < t->ncgroups; i++) {
		free(t->cgroups[i].path);
		free(t->cgroups[i].container);
	}
	for (i = 0; i < t->nnetns; i++)
		free(t->netns[i].name);
	free(t->owners);
	free(t->cgroups);
	free(t->netns);
	rpt_htab_free(&t->owner_index);
	rpt_htab_free(&t->cgroup_index);
	rpt_htab_free(&t->netns_index);
	rpt_budget_give(RPT_POOL_FILES, t->charged);
	memset(t, 0, sizeof(*t));
}
