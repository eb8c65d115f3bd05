// SPDX-License-Identifier: BSD-2-Clause
/* owners: who holds a dropped segment's socket, found once per socket by a BPF iterator. */
#include "owners.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../bpf/event.h"
#include "owner.skel.h"

#define SLOTS	 (OWNERS_MAX * 2)	  /* power of two: load <= 1/2 */
#define CG_SLOTS (OWNERS_CGROUPS_MAX * 2) /* likewise */

struct owners {
	owners_scan_fn scan;
	void *arg;
	struct owners_ent *ents;   /* SLOTS, open addressing on sk (sk 0: empty) */
	struct owners_cgroup *cgs; /* CG_SLOTS, on id (id 0: empty) */
	uint32_t nents, ncgs, next_id;
	double tokens;
	uint64_t tokens_ns;
	struct owners_stats st;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

struct owners *owners_new(owners_scan_fn scan, void *arg)
{
	struct owners *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->ents = calloc(SLOTS, sizeof(*o->ents));
	o->cgs = calloc(CG_SLOTS, sizeof(*o->cgs));
	if (!o->ents || !o->cgs) {
		owners_free(o);
		errno = ENOMEM;
		return NULL;
	}
	o->scan = scan;
	o->arg = arg;
	o->tokens = OWNERS_SCANS_PER_SEC;
	return o;
}

void owners_free(struct owners *o)
{
	if (!o)
		return;
	free(o->ents);
	free(o->cgs);
	free(o);
}

void owners_stats(const struct owners *o, struct owners_stats *st)
{
	*st = o->st;
}

/* Both tables start over together (entries point into the cgroup table). Ids keep growing. */
static void reset(struct owners *o)
{
	memset(o->ents, 0, SLOTS * sizeof(*o->ents));
	memset(o->cgs, 0, CG_SLOTS * sizeof(*o->cgs));
	o->nents = o->ncgs = 0;
}

static struct owners_ent *ent_slot(struct owners *o, uint64_t sk)
{
	for (uint64_t i = mix(sk) & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1))
		if (o->ents[i].sk == sk || o->ents[i].sk == 0)
			return &o->ents[i];
}

static struct owners_cgroup *cg_slot(struct owners *o, uint64_t id)
{
	for (uint64_t i = mix(id) & (CG_SLOTS - 1);; i = (i + 1) & (CG_SLOTS - 1))
		if (o->cgs[i].id == id || o->cgs[i].id == 0)
			return &o->cgs[i];
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

void owners_container_id(const char *path, char *out, size_t outlen)
{
	static const char *const prefixes[] = {"docker-", "cri-containerd-", "crio-", "libpod-"};
	const char *end = path + strlen(path), *comp, *slash;

	out[0] = '\0';
	/* innermost component first */
	while (end > path) {
		slash = end;
		while (slash > path && slash[-1] != '/')
			slash--;
		comp = slash;
		size_t n = (size_t)(end - comp);

		for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++) {
			size_t pl = strlen(prefixes[p]);
			const char *id = comp + pl;
			size_t idn;

			if (n <= pl + 6 || strncmp(comp, prefixes[p], pl) ||
			    strncmp(end - 6, ".scope", 6))
				continue;
			idn = (size_t)(end - 6 - id);
			if (idn >= 12 && idn < outlen && is_hex(id, idn)) {
				memcpy(out, id, idn);
				out[idn] = '\0';
				return;
			}
		}
		if (n == 64 && n < outlen && is_hex(comp, n)) {
			memcpy(out, comp, n);
			out[n] = '\0';
			return;
		}
		end = slash > path ? slash - 1 : path;
	}
}

static struct owners_cgroup *cgroup_get(struct owners *o, uint64_t id, const char *path)
{
	struct owners_cgroup *g;

	if (id == 0)
		return NULL;
	g = cg_slot(o, id);
	if (g->id == id)
		return g;
	g->id = id;
	snprintf(g->path, sizeof(g->path), "%s", path);
	owners_container_id(g->path, g->container, sizeof(g->container));
	g->gen = 0;
	o->ncgs++;
	return g;
}

struct scan_ctx {
	uint64_t sk;
	bool hit;
	struct owners_found best;
};

/* The lowest pid holding the socket wins (the iterator walks tasks by pid anyway). */
static void on_found(void *arg, const struct owners_found *f)
{
	struct scan_ctx *sc = arg;

	if (f->sk != sc->sk)
		return;
	if (!sc->hit || f->pid < sc->best.pid)
		sc->best = *f;
	sc->hit = true;
}

static bool budget_take(struct owners *o, uint64_t now_ns)
{
	if (now_ns > o->tokens_ns) {
		o->tokens += (double)(now_ns - o->tokens_ns) * OWNERS_SCANS_PER_SEC / 1e9;
		if (o->tokens > OWNERS_SCANS_PER_SEC)
			o->tokens = OWNERS_SCANS_PER_SEC;
	}
	o->tokens_ns = now_ns;
	if (o->tokens < 1)
		return false;
	o->tokens -= 1;
	return true;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct owners_ent *owners_lookup(struct owners *o, uint64_t sk, uint64_t cookie, uint64_t now_ns)
{
	struct owners_ent *e;
	struct scan_ctx sc = {.sk = sk};
	uint64_t t0;
	int rc;

	if (!sk)
		return NULL;
	e = ent_slot(o, sk);
	/* a cookie is assigned once and never reused: a different one is a different socket
	   at a recycled address; a known socket with cookie 0 has not been scanned */
	if (e->sk == sk && !e->none && cookie && e->cookie == cookie)
		return e;
	if (e->sk == sk && e->none && e->cookie == cookie && now_ns - e->at_ns < OWNERS_NEGATIVE_NS)
		return NULL;
	/* drops queued before the scan assigned the cookie: the same socket, surely this soon */
	if (e->sk == sk && !e->none && cookie == 0 && now_ns - e->at_ns < OWNERS_UNSET_NS)
		return e;
	if (!budget_take(o, now_ns)) {
		o->st.unresolved++;
		return NULL;
	}
	t0 = mono_ns();
	rc = o->scan(o->arg, &sk, 1, on_found, &sc);
	o->st.scans++;
	o->st.scan_ns += mono_ns() - t0;
	if (rc) {
		o->st.scan_errors++;
		o->st.unresolved++;
		return NULL;
	}
	if (e->sk != sk) {
		if (o->nents >= OWNERS_MAX || o->ncgs >= OWNERS_CGROUPS_MAX) {
			reset(o);
			e = ent_slot(o, sk);
		}
		o->nents++;
	}
	memset(e, 0, sizeof(*e));
	e->sk = sk;
	e->at_ns = now_ns;
	if (!sc.hit) {
		e->cookie = cookie;
		e->none = true;
		o->st.none++;
		return NULL;
	}
	e->cookie = sc.best.cookie;
	e->id = ++o->next_id;
	e->pid = sc.best.pid;
	memcpy(e->comm, sc.best.comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	e->netns = sc.best.netns;
	e->cg = cgroup_get(o, sc.best.cgroup, sc.best.cg_path);
	o->st.found++;
	return e;
}

/* ---- the BPF iterator ---- */

struct owners_iter {
	struct owner_bpf *skel;
	struct bpf_link *link;
	int want_fd;
};

int owners_iter_open(struct owners_iter **out, const char **stage)
{
	struct owners_iter *it = calloc(1, sizeof(*it));
	int err;

	*out = NULL;
	if (!it)
		return -ENOMEM;
	*stage = "load the owner iterator";
	it->skel = owner_bpf__open_and_load();
	if (!it->skel) {
		err = -errno;
		goto fail;
	}
	*stage = "attach the owner iterator (iter/task_file)";
	it->link = bpf_program__attach_iter(it->skel->progs.owners, NULL);
	if (!it->link) {
		err = -errno;
		goto fail;
	}
	it->want_fd = bpf_map__fd(it->skel->maps.want);
	*out = it;
	return 0;
fail:
	owners_iter_close(it);
	return err ? err : -EINVAL;
}

void owners_iter_close(struct owners_iter *it)
{
	if (!it)
		return;
	bpf_link__destroy(it->link);
	owner_bpf__destroy(it->skel);
	free(it);
}

/* "/a/b/c" from the iterator's innermost-first names; ".../" in front of a cut path. */
static void cg_join(const struct tde_owner_rec *r, char *out, size_t outlen)
{
	size_t n = 0;
	uint32_t depth = r->cg_depth < TDE_CG_DEPTH ? r->cg_depth : TDE_CG_DEPTH;

	out[0] = '\0';
	if (r->cgroup == 0)
		return;
	if (r->cg_cut)
		n += (size_t)snprintf(out + n, outlen - n, "...");
	if (depth == 0)
		snprintf(out + n, outlen - n, "/");
	for (uint32_t i = depth; i-- > 0 && n < outlen;) {
		char name[TDE_CG_NAME];

		memcpy(name, r->cg_names[i], TDE_CG_NAME);
		name[TDE_CG_NAME - 1] = '\0';
		n += (size_t)snprintf(out + n, outlen - n, "/%s", name);
	}
	if (n >= outlen) { /* keep the tail, which names the container */
		char tmp[OWNERS_PATH_MAX * 8];
		size_t len = 0;

		for (uint32_t i = depth; i-- > 0;)
			len += (size_t)snprintf(tmp + len, sizeof(tmp) - len, "/%.*s",
						TDE_CG_NAME - 1, r->cg_names[i]);
		if (len > outlen - 4)
			snprintf(out, outlen, "...%s", tmp + len - (outlen - 4));
	}
}

int owners_iter_scan(void *arg, const uint64_t *keys, uint32_t n,
		     void (*found)(void *ctx, const struct owners_found *f), void *ctx)
{
	struct owners_iter *it = arg;
	static struct tde_owner_rec r; /* large: not on the stack */
	uint8_t one = 1;
	int fd, rc = 0;
	ssize_t got;

	for (uint32_t i = 0; i < n; i++)
		if (bpf_map_update_elem(it->want_fd, &keys[i], &one, BPF_ANY))
			return -errno;
	fd = bpf_iter_create(bpf_link__fd(it->link));
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		size_t have = 0;

		while (have < sizeof(r)) {
			got = read(fd, (char *)&r + have, sizeof(r) - have);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				break;
			have += (size_t)got;
		}
		if (got < 0) {
			rc = -errno;
			break;
		}
		if (have < sizeof(r))
			break; /* the end (a partial record cannot happen) */
		struct owners_found f = {.sk = r.sk,
					 .cookie = r.cookie,
					 .cgroup = r.cgroup,
					 .pid = r.pid,
					 .netns = r.netns};
		memcpy(f.comm, r.comm, sizeof(f.comm));
		f.comm[sizeof(f.comm) - 1] = '\0';
		cg_join(&r, f.cg_path, sizeof(f.cg_path));
		found(ctx, &f);
	}
	close(fd);
out:
	for (uint32_t i = 0; i < n; i++)
		bpf_map_delete_elem(it->want_fd, &keys[i]);
	return rc;
}
