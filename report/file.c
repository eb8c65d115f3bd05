// SPDX-License-Identifier: BSD-2-Clause
/* file: one input file's lifecycle and what its metadata records say (host, clocks, names). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budget.h"
#include "file.h"
#include "grow.h"

/*
 * Caps on what one file may make us keep. A real recording holds some dozen META pairs, a
 * clock anchor every few seconds and a few hundred reason names (6.18's core enum, mac80211's
 * and Open vSwitch's together); the caps are far above that. Memory is charged to the files'
 * budget (report/budget.h) as well, which bounds all files together. Symbols and stacks have
 * their caps in symtab.c and stacktab.c. STATES needs none: 255 names of <= TDF_NAME_MAX bytes.
 */
#define META_MAX   4096u      /* META pairs kept */
#define CLOCK_MAX  (1u << 20) /* clock anchors kept (one per second for 12 days) */
#define REASON_MAX 16384u     /* reason names kept */

/* Costs against the budget: entries with their arrays' doubling slack, strings on their own. */
#define STR_COST(len)	  ((len) + 1 + RPT_BUDGET_MALLOC_OVERHEAD)
#define META_COST(kl, vl) (2 * sizeof(struct tdf_kv) + STR_COST(kl) + STR_COST(vl))
#define CLOCK_COST	  (2 * sizeof(struct tdf_clock))
#define REASON_COST(len)  (2 * sizeof(struct rpt_name_ent) + STR_COST(len))

/* The tables a file fills, for the one line that says one is full. */
enum table {
	TAB_META,
	TAB_CLOCKS,
	TAB_REASONS,
	TAB_MODULES,
	TAB_SYMBOLS,
	TAB_STACKS,
	TAB_OWNERS,
	TAB_CGROUPS,
	TAB_NETNS,
};

static const struct {
	const char *name;  /* what was full */
	unsigned cap;	   /* its cap for one file */
	const char *unit;  /* of the cap */
	const char *after; /* what happens to what did not fit */
} tables[] = {
    [TAB_META] = {"metadata", META_MAX, "pairs", "later pairs are not shown"},
    [TAB_CLOCKS] = {"clock anchors", CLOCK_MAX, "anchors",
		    "later times are reckoned from the anchors kept"},
    [TAB_REASONS] = {"drop reasons", REASON_MAX, "names", "their drops show UNKNOWN_<code>"},
    [TAB_MODULES] = {"modules", RPT_SYMTAB_KMOD_MAX, "modules", "their frames show as addresses"},
    [TAB_SYMBOLS] = {"symbols", RPT_SYMTAB_KSYM_MAX, "symbols",
		     "frames they would name show as addresses"},
    [TAB_STACKS] = {"stacks", RPT_STACKTAB_MAX, "stacks", "their drops show no stack"},
    [TAB_OWNERS] = {"socket owners", RPT_OWNERTAB_MAX, "owners", "their drops show no owner"},
    [TAB_CGROUPS] = {"cgroups", RPT_OWNERTAB_MAX, "cgroups",
		     "their owners show no cgroup path or container"},
    [TAB_NETNS] = {"netns names", RPT_OWNERTAB_MAX, "names",
		   "their namespaces show as inode numbers"},
};

/* Say once per file and table that it is full; rc is what the table returned. */
static int table_full(struct rpt_file *f, enum table t, int rc)
{
	char what[256];

	if (rc <= 0 || (f->full_told & (1u << t)))
		return rc < 0 ? rc : 0;
	f->full_told |= 1u << t;
	if (rc == RPT_FULL_COUNT)
		snprintf(what, sizeof(what), "table full (%u %s, the cap for one file): %s",
			 tables[t].cap, tables[t].unit, tables[t].after);
	else
		snprintf(what, sizeof(what),
			 "memory budget used up (%zu MiB for all input files together): %s",
			 rpt_budget_limit(RPT_POOL_FILES) >> 20, tables[t].after);
	rpt_budget_notice(f->name, tables[t].name, what);
	return 0;
}

static bool charge(struct rpt_file *f, size_t bytes)
{
	if (!rpt_budget_take(RPT_POOL_FILES, bytes))
		return false;
	f->charged += bytes;
	return true;
}

static struct rpt_file *file_new(const char *name)
{
	struct rpt_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fd = -1;
	f->name = strdup(name);
	if (!f->name || rpt_symtab_init(&f->syms)) {
		rpt_file_close(f);
		errno = ENOMEM;
		return NULL;
	}
	/* the reader's buffers: with too many files open, the next one does not fit */
	if (!charge(f, RPT_BUDGET_READER + sizeof(*f))) {
		rpt_budget_notice(
		    f->name, "input files",
		    "memory budget used up by the files before it: merge fewer files");
		rpt_file_close(f);
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

struct rpt_file *rpt_file_open(const char *path)
{
	bool std = strcmp(path, "-") == 0;
	struct rpt_file *f = file_new(std ? "stdin" : path);
	int saved;

	if (!f)
		return NULL;
	if (std) {
		f->fd = STDIN_FILENO;
	} else {
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0)
			goto fail;
		f->own_fd = true;
	}
	f->r = tdf_reader_open_fd(f->fd, f->name);
	if (!f->r)
		goto fail;
	return f;
fail:
	saved = errno;
	rpt_file_close(f);
	errno = saved;
	return NULL;
}

struct rpt_file *rpt_file_open_mem(const void *buf, size_t len, const char *name)
{
	struct rpt_file *f = file_new(name ? name : "memory");
	int saved;

	if (!f)
		return NULL;
	f->r = tdf_reader_open_mem(buf, len, f->name);
	if (!f->r) {
		saved = errno;
		rpt_file_close(f);
		errno = saved;
		return NULL;
	}
	return f;
}

void rpt_file_close(struct rpt_file *f)
{
	size_t i;

	if (!f)
		return;
	tdf_reader_close(f->r);
	if (f->own_fd)
		close(f->fd);
	for (i = 0; i < f->nmeta; i++) {
		free((char *)f->meta[i].key);
		free((char *)f->meta[i].value);
	}
	free(f->meta);
	free(f->clocks);
	for (i = 0; i < f->nreasons; i++)
		free(f->reasons[i].name);
	free(f->reasons);
	for (i = 0; i < 256; i++)
		free(f->states[i]);
	rpt_symtab_free(&f->syms);
	rpt_stacktab_free(&f->stacks);
	rpt_ownertab_free(&f->owners);
	rpt_budget_give(RPT_POOL_FILES, f->charged);
	free(f->name);
	free(f);
}

const char *rpt_file_name(const struct rpt_file *f)
{
	return f->name;
}

const char *rpt_file_error(const struct rpt_file *f)
{
	return f->err;
}

const char *rpt_file_meta(const struct rpt_file *f, const char *key)
{
	size_t i;

	for (i = f->nmeta; i-- > 0;)
		if (strcmp(f->meta[i].key, key) == 0)
			return f->meta[i].value;
	return NULL;
}

size_t rpt_file_meta_count(const struct rpt_file *f)
{
	return f->nmeta;
}

const struct tdf_kv *rpt_file_meta_at(const struct rpt_file *f, size_t i)
{
	return i < f->nmeta ? &f->meta[i] : NULL;
}

const char *rpt_file_host(const struct rpt_file *f)
{
	const char *h = f->host; /* rpt_file_meta(f, TDF_META_HOST), kept by add_meta() */

	return h && *h ? h : f->name;
}

uint64_t rpt_file_realtime(const struct rpt_file *f, uint64_t boot_ns)
{
	const struct tdf_clock *c;
	size_t lo = 0, hi = f->nclocks;

	if (f->nclocks == 0)
		return boot_ns;
	/* The last anchor with boot_ns <= the stamp. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->clocks[mid].boot_ns <= boot_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		c = &f->clocks[0];
		return c->boot_ns - boot_ns > c->real_ns ? 0 : c->real_ns - (c->boot_ns - boot_ns);
	}
	c = &f->clocks[lo - 1];
	return boot_ns - c->boot_ns > UINT64_MAX - c->real_ns ? UINT64_MAX
							      : c->real_ns + (boot_ns - c->boot_ns);
}

uint64_t rpt_file_start(const struct rpt_file *f)
{
	return f->nclocks ? f->clocks[0].real_ns : 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct rpt_name_ent *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

const char *rpt_file_reason(const struct rpt_file *f, uint32_t value)
{
	struct rpt_name_ent key = {.value = value}, *e;

	if (f->nreasons == 0)
		return NULL;
	e = bsearch(&key, f->reasons, f->nreasons, sizeof(key), cmp_name);
	return e ? tdf_reason_short(e->name) : NULL;
}

const char *rpt_file_state(const struct rpt_file *f, uint8_t value)
{
	return value == TDF_STATE_NONE ? NULL : f->states[value];
}

const char *rpt_file_module(const struct rpt_file *f, uint32_t mod)
{
	return mod == TDF_MOD_VMLINUX ? "vmlinux" : rpt_symtab_module(&f->syms, mod);
}

const char *rpt_file_lookup(const struct rpt_file *f, struct tdf_kaddr a, uint32_t *sym_off,
			    const char **module)
{
	return rpt_symtab_lookup(&f->syms, a, sym_off, module);
}

int rpt_file_symbolize(const struct rpt_file *f, struct tdf_kaddr a, char *buf, size_t len)
{
	const char *mod, *sym;
	uint32_t off;

	if (a.mod == TDF_MOD_UNKNOWN)
		return snprintf(buf, len, "?");
	sym = rpt_file_lookup(f, a, &off, &mod);
	if (!mod && a.mod != TDF_MOD_VMLINUX)
		mod = rpt_file_module(f, a.mod);
	if (sym)
		return mod ? snprintf(buf, len, "%s+0x%" PRIx32 " [%s]", sym, off, mod)
			   : snprintf(buf, len, "%s+0x%" PRIx32, sym, off);
	if (a.mod == TDF_MOD_VMLINUX)
		return snprintf(buf, len, "0x%" PRIx32 "?", a.off);
	if (mod)
		return snprintf(buf, len, "0x%" PRIx32 "? [%s]", a.off, mod);
	return snprintf(buf, len, "0x%" PRIx32 "? [mod%" PRIu32 "]", a.off, a.mod);
}

uint64_t rpt_file_symgen(const struct rpt_file *f)
{
	/* Both only ever grow, so their sum changes whenever either does. */
	return f->syms.gen + f->stacks.gen;
}

const struct tdf_stack *rpt_file_stack(const struct rpt_file *f, uint32_t id)
{
	return rpt_stacktab_find(&f->stacks, id);
}

const char *rpt_file_netns_name(const struct rpt_file *f, uint32_t inode)
{
	return rpt_ownertab_netns(&f->owners, inode);
}

void rpt_file_owner_counts(const struct rpt_file *f, size_t *owners, size_t *cgroups, size_t *netns)
{
	*owners = f->owners.nowners;
	*cgroups = f->owners.ncgroups;
	*netns = f->owners.nnetns;
}

void rpt_file_resolve(struct rpt_file *f, const struct tdf_drop *d, struct rpt_drop *rd)
{
	const struct tdf_owner *o = rpt_ownertab_owner(&f->owners, d->owner);
	const struct rpt_cgroup_ent *cg;

	rd->ip_len = d->data ? tdf_ip_len(d->data, d->caplen) : 0;
	rd->netns_name = rpt_ownertab_netns(&f->owners, d->netns);
	rd->owner = NULL;
	if (!o)
		return;
	memset(&f->owner, 0, sizeof(f->owner));
	f->owner.pid = o->pid;
	memcpy(f->owner.comm, o->comm, TDF_COMM_LEN);
	f->owner.comm[TDF_COMM_LEN - 1] = '\0';
	f->owner.cgroup = o->cgroup;
	cg = rpt_ownertab_cgroup(&f->owners, o->cgroup);
	if (cg) {
		f->owner.cgroup_path = cg->path[0] ? cg->path : NULL;
		f->owner.container = cg->container[0] ? cg->container : NULL;
	}
	rd->owner = &f->owner;
}

void rpt_file_stats(const struct rpt_file *f, struct tdf_reader_stats *st)
{
	if (f->r)
		tdf_reader_stats(f->r, st);
	else
		memset(st, 0, sizeof(*st));
}

const struct tdf_index *rpt_file_index(const struct rpt_file *f)
{
	return f->has_index ? &f->index : NULL;
}

/* ---- absorbing metadata records ---- */

static int add_meta(struct rpt_file *f, const struct tdf_meta *m)
{
	uint32_t i;
	int rc;

	for (i = 0; i < m->count; i++) {
		size_t kl = strnlen(m->kv[i].key, TDF_RECORD_BODY_MAX);
		size_t vl = strnlen(m->kv[i].value, TDF_RECORD_BODY_MAX);
		char *k, *v;

		if (f->nmeta >= META_MAX)
			return RPT_FULL_COUNT;
		if (!charge(f, META_COST(kl, vl)))
			return RPT_FULL_BYTES;
		rc = rpt_grow((void **)&f->meta, &f->cap_meta, f->nmeta + 1, sizeof(*f->meta));
		if (rc)
			return rc;
		k = strndup(m->kv[i].key, kl);
		v = strndup(m->kv[i].value, vl);
		if (!k || !v) {
			free(k);
			free(v);
			return -ENOMEM;
		}
		f->meta[f->nmeta].key = k;
		f->meta[f->nmeta].value = v;
		f->nmeta++;
		if (strcmp(k, TDF_META_HOST) == 0)
			f->host = v;
	}
	return 0;
}

static int add_clock(struct rpt_file *f, const struct tdf_clock *c)
{
	int rc;

	if (f->nclocks >= CLOCK_MAX)
		return RPT_FULL_COUNT;
	if (!charge(f, CLOCK_COST))
		return RPT_FULL_BYTES;
	rc = rpt_grow((void **)&f->clocks, &f->cap_clocks, f->nclocks + 1, sizeof(*f->clocks));
	if (rc)
		return rc;
	if (f->nclocks && f->clocks[f->nclocks - 1].boot_ns > c->boot_ns)
		f->clocks_dirty = true;
	f->clocks[f->nclocks++] = *c;
	return 0;
}

static int add_reasons(struct rpt_file *f, const struct tdf_names *n)
{
	uint32_t i;
	int rc;

	for (i = 0; i < n->count; i++) {
		size_t len = strnlen(n->names[i].name, TDF_NAME_MAX);
		char *name;

		if (f->nreasons >= REASON_MAX)
			return RPT_FULL_COUNT;
		if (!charge(f, REASON_COST(len)))
			return RPT_FULL_BYTES;
		rc = rpt_grow((void **)&f->reasons, &f->cap_reasons, f->nreasons + 1,
			      sizeof(*f->reasons));
		if (rc)
			return rc;
		name = strndup(n->names[i].name, len);
		if (!name)
			return -ENOMEM;
		f->reasons[f->nreasons].value = n->names[i].value;
		f->reasons[f->nreasons].name = name;
		f->nreasons++;
		f->reasons_dirty = true;
	}
	return 0;
}

static int add_states(struct rpt_file *f, const struct tdf_names *n)
{
	uint32_t i;

	for (i = 0; i < n->count; i++) {
		char *name;

		if (n->names[i].value == TDF_STATE_NONE || n->names[i].value > 255)
			continue;
		name = strndup(n->names[i].name, TDF_NAME_MAX);
		if (!name)
			return -ENOMEM;
		free(f->states[n->names[i].value]);
		f->states[n->names[i].value] = name;
	}
	return 0;
}

/* KSYMS fills two tables: a full one may be the modules' (a new module past its cap). */
static int ksyms_full(struct rpt_file *f, int rc, const struct tdf_ksyms *ks)
{
	if (rc > 0 && !rpt_symtab_module_known(&f->syms, ks->mod))
		return table_full(f, TAB_MODULES, rc);
	return table_full(f, TAB_SYMBOLS, rc);
}

int rpt_file_absorb(struct rpt_file *f, const struct tdf_record *rec)
{
	switch (rec->type) {
	case TDF_REC_META:
		return table_full(f, TAB_META, add_meta(f, &rec->meta));
	case TDF_REC_CLOCK:
		return table_full(f, TAB_CLOCKS, add_clock(f, &rec->clock));
	case TDF_REC_REASONS:
		return table_full(f, TAB_REASONS, add_reasons(f, &rec->names));
	case TDF_REC_STATES:
		return add_states(f, &rec->names);
	case TDF_REC_KMOD:
		return table_full(f, TAB_MODULES, rpt_symtab_add_kmod(&f->syms, &rec->kmod));
	case TDF_REC_KSYMS:
		return ksyms_full(f, rpt_symtab_add_ksyms(&f->syms, &rec->ksyms), &rec->ksyms);
	case TDF_REC_STACK:
		return table_full(f, TAB_STACKS, rpt_stacktab_add(&f->stacks, &rec->stack));
	case TDF_REC_OWNER:
		return table_full(f, TAB_OWNERS, rpt_ownertab_add_owner(&f->owners, &rec->owner));
	case TDF_REC_CGROUP:
		return table_full(f, TAB_CGROUPS,
				  rpt_ownertab_add_cgroup(&f->owners, &rec->cgroup));
	case TDF_REC_NETNS:
		return table_full(f, TAB_NETNS, rpt_ownertab_add_netns(&f->owners, &rec->netns));
	case TDF_EV_INDEX:
		f->index = rec->index;
		f->has_index = true;
		return 0;
	default:
		return 0; /* a record kind this reader does not use */
	}
}

static int cmp_clock(const void *a, const void *b)
{
	const struct tdf_clock *x = a, *y = b;

	return x->boot_ns < y->boot_ns ? -1 : x->boot_ns > y->boot_ns;
}

void rpt_file_prepare(struct rpt_file *f)
{
	if (f->clocks_dirty)
		qsort(f->clocks, f->nclocks, sizeof(*f->clocks), cmp_clock);
	f->clocks_dirty = false;
	if (f->reasons_dirty)
		qsort(f->reasons, f->nreasons, sizeof(*f->reasons), cmp_name);
	f->reasons_dirty = false;
	rpt_symtab_prepare(&f->syms);
}
