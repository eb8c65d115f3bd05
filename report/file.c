// SPDX-License-Identifier: BSD-2-Clause
/* file: one input file's lifecycle and what its metadata records say (host, clocks, names). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "grow.h"

/*
 * Caps on what one file may make us keep. A real recording holds some dozen META pairs and a
 * clock anchor every few seconds; the caps are far above that and keep a hostile file from
 * growing memory without bound. Symbols and stacks have theirs in symtab.c and stacktab.c.
 */
#define META_MAX   4096u      /* META pairs kept */
#define CLOCK_MAX  (1u << 20) /* clock anchors kept (one per second for 12 days) */
#define REASON_MAX 65536u     /* reason names kept */

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

	for (i = 0; i < m->count && f->nmeta < META_MAX; i++) {
		char *k, *v;

		rc = rpt_grow((void **)&f->meta, &f->cap_meta, f->nmeta + 1, sizeof(*f->meta));
		if (rc)
			return rc;
		k = strndup(m->kv[i].key, TDF_RECORD_BODY_MAX);
		v = strndup(m->kv[i].value, TDF_RECORD_BODY_MAX);
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
		return 0;
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

	for (i = 0; i < n->count && f->nreasons < REASON_MAX; i++) {
		char *name;

		rc = rpt_grow((void **)&f->reasons, &f->cap_reasons, f->nreasons + 1,
			      sizeof(*f->reasons));
		if (rc)
			return rc;
		name = strndup(n->names[i].name, TDF_NAME_MAX);
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

int rpt_file_absorb(struct rpt_file *f, const struct tdf_record *rec)
{
	switch (rec->type) {
	case TDF_REC_META:
		return add_meta(f, &rec->meta);
	case TDF_REC_CLOCK:
		return add_clock(f, &rec->clock);
	case TDF_REC_REASONS:
		return add_reasons(f, &rec->names);
	case TDF_REC_STATES:
		return add_states(f, &rec->names);
	case TDF_REC_KMOD:
		return rpt_symtab_add_kmod(&f->syms, &rec->kmod);
	case TDF_REC_KSYMS:
		return rpt_symtab_add_ksyms(&f->syms, &rec->ksyms);
	case TDF_REC_STACK:
		return rpt_stacktab_add(&f->stacks, &rec->stack);
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
