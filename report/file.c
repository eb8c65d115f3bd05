// SPDX-License-Identifier: BSD-2-Clause
/* file: one input trace file and what its records say (metadata, clocks, names, symbols, stacks).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

/*
 * Caps on what one file may make us keep. A real recording holds a few hundred thousand
 * symbols, some thousand stacks and a clock anchor every few seconds; the caps are far above
 * that and keep a hostile file from growing memory without bound.
 */
#define META_MAX   4096u      /* META pairs kept */
#define CLOCK_MAX  (1u << 20) /* clock anchors kept (one per second for 12 days) */
#define REASON_MAX 65536u     /* reason names kept */
#define KMOD_MAX   65536u     /* modules */
#define KSYM_MAX   (8u << 20) /* symbols over all modules */
#define STACK_MAX  (1u << 20) /* distinct stacks */

struct name_ent {
	uint32_t value;
	char *name;
};

struct module {
	uint32_t id;
	char *name;
	struct tdf_ksym *syms; /* names in the file's name pool */
	size_t nsyms, cap;
	bool dirty;
};

/* Symbol names, packed one after the other: one allocation per chunk, not per name. */
#define NAME_CHUNK (64u << 10)

struct name_chunk {
	struct name_chunk *next;
	size_t len, cap;
	char data[];
};

struct stack_slot {
	uint32_t id;	     /* 0 = empty */
	struct tdf_stack st; /* frames owned */
};

struct rpt_file {
	char *name;
	int fd;
	bool own_fd;
	struct tdf_reader *r;
	char err[512];

	struct tdf_kv *meta; /* key/value owned */
	size_t nmeta, cap_meta;
	const char *host; /* the last META "host" value (in meta), NULL if none */

	struct tdf_clock *clocks;
	size_t nclocks, cap_clocks;
	bool clocks_dirty;

	struct name_ent *reasons;
	size_t nreasons, cap_reasons;
	bool reasons_dirty;

	char *states[256];

	struct module *mods; /* mods[0] is vmlinux */
	size_t nmods, cap_mods;
	bool mods_dirty;
	size_t total_syms;
	struct name_chunk *names; /* the pool symbol names live in, newest chunk first */
	uint64_t symgen; /* bumped whenever a symbol or module name or a stack may change */

	struct stack_slot *stacks;
	size_t nstacks, cap_stacks; /* cap_stacks is a power of two */

	struct tdf_index index;
	bool has_index;

	/* The pending event and the copies it points to. */
	bool have_pending;
	int pending_rc;
	struct rpt_event pending;
	struct tdf_drop cur;
	uint8_t data[TDF_SNAP_MAX];
	char unknown_reason[32];
	char unknown_state[16];
	uint64_t lost_acc;
};

static void set_err(struct rpt_file *f, const char *what)
{
	snprintf(f->err, sizeof(f->err), "%s", what);
}

static bool grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return true;
	ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	p = reallocarray(*arr, ncap, size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static struct rpt_file *file_new(const char *name)
{
	struct rpt_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->fd = -1;
	f->name = strdup(name);
	f->mods = calloc(1, sizeof(*f->mods));
	if (!f->name || !f->mods) {
		rpt_file_close(f);
		errno = ENOMEM;
		return NULL;
	}
	f->cap_mods = f->nmods = 1;
	f->mods[0].id = TDF_MOD_VMLINUX;
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
	for (i = 0; i < f->nmods; i++) {
		free(f->mods[i].name);
		free(f->mods[i].syms);
	}
	while (f->names) {
		struct name_chunk *c = f->names;

		f->names = c->next;
		free(c);
	}
	free(f->mods);
	for (i = 0; i < f->cap_stacks; i++)
		free((void *)f->stacks[i].st.frames);
	free(f->stacks);
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
	const struct name_ent *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

const char *rpt_file_reason(const struct rpt_file *f, uint32_t value)
{
	struct name_ent key = {.value = value}, *e;

	if (f->nreasons == 0)
		return NULL;
	e = bsearch(&key, f->reasons, f->nreasons, sizeof(key), cmp_name);
	return e ? tdf_reason_short(e->name) : NULL;
}

const char *rpt_file_state(const struct rpt_file *f, uint8_t value)
{
	return value == TDF_STATE_NONE ? NULL : f->states[value];
}

static const struct module *find_mod(const struct rpt_file *f, uint32_t id)
{
	size_t lo = 0, hi = f->nmods;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->mods[mid].id == id)
			return &f->mods[mid];
		if (f->mods[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *rpt_file_module(const struct rpt_file *f, uint32_t mod)
{
	const struct module *m;

	if (mod == TDF_MOD_VMLINUX)
		return "vmlinux";
	m = find_mod(f, mod);
	return m ? m->name : NULL;
}

const char *rpt_file_lookup(const struct rpt_file *f, struct tdf_kaddr a, uint32_t *sym_off,
			    const char **module)
{
	const struct module *m = find_mod(f, a.mod);
	size_t lo = 0, hi;

	*module = NULL;
	*sym_off = 0;
	if (!m || a.mod == TDF_MOD_UNKNOWN)
		return NULL;
	*module = a.mod == TDF_MOD_VMLINUX ? NULL : m->name;
	hi = m->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->syms[mid].off <= a.off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*sym_off = a.off - m->syms[lo - 1].off;
	return m->syms[lo - 1].name;
}

uint64_t rpt_file_symgen(const struct rpt_file *f)
{
	return f->symgen;
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

void rpt_file_stats(const struct rpt_file *f, struct tdf_reader_stats *st)
{
	if (f->r) {
		tdf_reader_stats(f->r, st);
	} else {
		memset(st, 0, sizeof(*st));
	}
}

const struct tdf_index *rpt_file_index(const struct rpt_file *f)
{
	return f->has_index ? &f->index : NULL;
}

/* ---- stacks: open addressing on the id ---- */

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

const struct tdf_stack *rpt_file_stack(const struct rpt_file *f, uint32_t id)
{
	size_t mask, i;

	if (id == 0 || f->cap_stacks == 0)
		return NULL;
	mask = f->cap_stacks - 1;
	for (i = hash32(id) & mask; f->stacks[i].id; i = (i + 1) & mask)
		if (f->stacks[i].id == id)
			return &f->stacks[i].st;
	return NULL;
}

static struct stack_slot *stack_slot(struct stack_slot *tab, size_t cap, uint32_t id)
{
	size_t mask = cap - 1, i;

	for (i = hash32(id) & mask; tab[i].id && tab[i].id != id; i = (i + 1) & mask)
		;
	return &tab[i];
}

static int add_stack(struct rpt_file *f, const struct tdf_stack *s)
{
	struct stack_slot *slot;
	struct tdf_kaddr *frames;
	size_t i;

	if (s->id == 0 || s->depth > TDF_STACK_MAX)
		return 0;
	if ((f->nstacks + 1) * 2 > f->cap_stacks) {
		size_t ncap = f->cap_stacks ? f->cap_stacks * 2 : 64;
		struct stack_slot *tab;

		if (f->nstacks >= STACK_MAX)
			return 0;
		tab = calloc(ncap, sizeof(*tab));
		if (!tab)
			return -ENOMEM;
		for (i = 0; i < f->cap_stacks; i++)
			if (f->stacks[i].id)
				*stack_slot(tab, ncap, f->stacks[i].id) = f->stacks[i];
		free(f->stacks);
		f->stacks = tab;
		f->cap_stacks = ncap;
	}
	frames = calloc(s->depth ? s->depth : 1, sizeof(*frames));
	if (!frames)
		return -ENOMEM;
	if (s->depth)
		memcpy(frames, s->frames, s->depth * sizeof(*frames));
	slot = stack_slot(f->stacks, f->cap_stacks, s->id);
	if (slot->id) {
		free((void *)slot->st.frames);
		f->symgen++; /* a redefined id: text rendered from the old frames is stale */
	} else {
		f->nstacks++;
	}
	slot->id = s->id;
	slot->st.id = s->id;
	slot->st.depth = s->depth;
	slot->st.frames = frames;
	return 0;
}

/* ---- absorbing metadata records ---- */

static int add_meta(struct rpt_file *f, const struct tdf_meta *m)
{
	uint32_t i;

	for (i = 0; i < m->count && f->nmeta < META_MAX; i++) {
		char *k, *v;

		if (!grow((void **)&f->meta, &f->cap_meta, f->nmeta + 1, sizeof(*f->meta)))
			return -ENOMEM;
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
	if (f->nclocks >= CLOCK_MAX)
		return 0;
	if (!grow((void **)&f->clocks, &f->cap_clocks, f->nclocks + 1, sizeof(*f->clocks)))
		return -ENOMEM;
	if (f->nclocks && f->clocks[f->nclocks - 1].boot_ns > c->boot_ns)
		f->clocks_dirty = true;
	f->clocks[f->nclocks++] = *c;
	return 0;
}

static int add_reasons(struct rpt_file *f, const struct tdf_names *n)
{
	uint32_t i;

	for (i = 0; i < n->count && f->nreasons < REASON_MAX; i++) {
		char *name;

		if (!grow((void **)&f->reasons, &f->cap_reasons, f->nreasons + 1,
			  sizeof(*f->reasons)))
			return -ENOMEM;
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

static struct module *get_mod(struct rpt_file *f, uint32_t id)
{
	struct module *m;
	size_t i;

	for (i = 0; i < f->nmods; i++)
		if (f->mods[i].id == id)
			return &f->mods[i];
	if (f->nmods >= KMOD_MAX)
		return NULL;
	if (!grow((void **)&f->mods, &f->cap_mods, f->nmods + 1, sizeof(*f->mods)))
		return NULL;
	m = &f->mods[f->nmods++];
	memset(m, 0, sizeof(*m));
	m->id = id;
	if (f->nmods > 1 && f->mods[f->nmods - 2].id > id)
		f->mods_dirty = true;
	return m;
}

static int add_kmod(struct rpt_file *f, const struct tdf_kmod *k)
{
	struct module *m;
	char *name;

	if (k->id == TDF_MOD_VMLINUX || k->id == TDF_MOD_UNKNOWN)
		return 0;
	m = get_mod(f, k->id);
	if (!m)
		return f->nmods >= KMOD_MAX ? 0 : -ENOMEM;
	name = strndup(k->name, TDF_NAME_MAX);
	if (!name)
		return -ENOMEM;
	free(m->name);
	m->name = name;
	f->symgen++;
	return 0;
}

/* A copy of s (at most max bytes) in the file's name pool; NULL when out of memory. */
static char *pool_strndup(struct rpt_file *f, const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	struct name_chunk *c = f->names;
	char *p;

	if (!c || c->cap - c->len < n + 1) {
		size_t cap = n + 1 > NAME_CHUNK ? n + 1 : NAME_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = f->names;
		c->len = 0;
		c->cap = cap;
		f->names = c;
	}
	p = c->data + c->len;
	memcpy(p, s, n);
	p[n] = '\0';
	c->len += n + 1;
	return p;
}

static int add_ksyms(struct rpt_file *f, const struct tdf_ksyms *ks)
{
	struct module *m;
	uint32_t i;

	if (ks->mod == TDF_MOD_UNKNOWN)
		return 0;
	m = get_mod(f, ks->mod);
	if (!m)
		return f->nmods >= KMOD_MAX ? 0 : -ENOMEM;
	f->symgen++;
	for (i = 0; i < ks->count && f->total_syms < KSYM_MAX; i++) {
		char *name;

		if (!grow((void **)&m->syms, &m->cap, m->nsyms + 1, sizeof(*m->syms)))
			return -ENOMEM;
		name = pool_strndup(f, ks->syms[i].name, TDF_NAME_MAX);
		if (!name)
			return -ENOMEM;
		if (m->nsyms && m->syms[m->nsyms - 1].off > ks->syms[i].off)
			m->dirty = true;
		m->syms[m->nsyms].off = ks->syms[i].off;
		m->syms[m->nsyms].name = name;
		m->nsyms++;
		f->total_syms++;
	}
	return 0;
}

static int cmp_clock(const void *a, const void *b)
{
	const struct tdf_clock *x = a, *y = b;

	return x->boot_ns < y->boot_ns ? -1 : x->boot_ns > y->boot_ns;
}

static int cmp_mod(const void *a, const void *b)
{
	const struct module *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct tdf_ksym *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort what arrived out of order, before anyone looks things up. */
static void prepare(struct rpt_file *f)
{
	size_t i;

	if (f->clocks_dirty)
		qsort(f->clocks, f->nclocks, sizeof(*f->clocks), cmp_clock);
	f->clocks_dirty = false;
	if (f->reasons_dirty)
		qsort(f->reasons, f->nreasons, sizeof(*f->reasons), cmp_name);
	f->reasons_dirty = false;
	if (f->mods_dirty)
		qsort(f->mods, f->nmods, sizeof(*f->mods), cmp_mod);
	f->mods_dirty = false;
	for (i = 0; i < f->nmods; i++) {
		if (f->mods[i].dirty)
			qsort(f->mods[i].syms, f->mods[i].nsyms, sizeof(*f->mods[i].syms), cmp_sym);
		f->mods[i].dirty = false;
	}
}

static void fill_drop(struct rpt_file *f, const struct tdf_drop *d, struct rpt_event *ev)
{
	struct rpt_drop *rd = &ev->drop;
	uint16_t caplen = d->caplen > TDF_SNAP_MAX ? TDF_SNAP_MAX : d->caplen;

	f->cur = *d;
	f->cur.caplen = caplen;
	if (caplen && d->data)
		memcpy(f->data, d->data, caplen);
	else
		f->cur.caplen = 0;
	f->cur.data = f->data;

	memset(ev, 0, sizeof(*ev));
	ev->type = TDF_REC_DROP;
	rd->d = &f->cur;
	rd->file = f;
	rd->host = rpt_file_host(f);
	rd->real_ns = ev->real_ns = rpt_file_realtime(f, d->ts_ns);
	rd->reason = rpt_file_reason(f, d->reason);
	if (!rd->reason) {
		snprintf(f->unknown_reason, sizeof(f->unknown_reason), "UNKNOWN_%" PRIu32,
			 d->reason);
		rd->reason = f->unknown_reason;
	}
	rd->state = rpt_file_state(f, d->state);
	if (!rd->state && d->state != TDF_STATE_NONE) {
		snprintf(f->unknown_state, sizeof(f->unknown_state), "UNKNOWN_%u", d->state);
		rd->state = f->unknown_state;
	}
	rd->stack = rpt_file_stack(f, d->stack_id);
	rd->lost_before = f->lost_acc;
	f->lost_acc = 0;
}

static void fill_loss(struct rpt_file *f, const struct tdf_loss *l, struct rpt_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = TDF_REC_LOSS;
	ev->loss.file = f;
	ev->loss.host = rpt_file_host(f);
	ev->loss.kind = l->kind;
	ev->loss.cpu = l->cpu;
	ev->loss.count = l->count;
	ev->loss.from_real_ns = rpt_file_realtime(f, l->from_ns);
	ev->loss.to_real_ns = rpt_file_realtime(f, l->to_ns);
	ev->real_ns = ev->loss.from_real_ns;
	if (l->kind == TDF_LOSS_RINGBUF)
		f->lost_acc += l->count;
}

static int read_event(struct rpt_file *f, struct rpt_event *ev)
{
	struct tdf_record rec;
	int rc;

	if (!f->r)
		return 0;
	for (;;) {
		rc = tdf_reader_next(f->r, &rec);
		if (rc < 0) {
			set_err(f, tdf_reader_error(f->r));
			if (!*f->err)
				snprintf(f->err, sizeof(f->err), "%s: %s", f->name, strerror(-rc));
			return rc;
		}
		if (rc == 0)
			return 0;
		switch (rec.type) {
		case TDF_REC_META:
			rc = add_meta(f, &rec.meta);
			break;
		case TDF_REC_CLOCK:
			rc = add_clock(f, &rec.clock);
			break;
		case TDF_REC_REASONS:
			rc = add_reasons(f, &rec.names);
			break;
		case TDF_REC_STATES:
			rc = add_states(f, &rec.names);
			break;
		case TDF_REC_KMOD:
			rc = add_kmod(f, &rec.kmod);
			break;
		case TDF_REC_KSYMS:
			rc = add_ksyms(f, &rec.ksyms);
			break;
		case TDF_REC_STACK:
			rc = add_stack(f, &rec.stack);
			break;
		case TDF_EV_INDEX:
			f->index = rec.index;
			f->has_index = true;
			break;
		case TDF_REC_DROP:
			prepare(f);
			fill_drop(f, &rec.drop, ev);
			return 1;
		case TDF_REC_LOSS:
			prepare(f);
			fill_loss(f, &rec.loss, ev);
			return 1;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			memset(ev, 0, sizeof(*ev));
			ev->type = rec.type;
			ev->problem = rec.problem;
			return 1;
		default:
			break; /* a record kind this reader does not use */
		}
		if (rc < 0) {
			snprintf(f->err, sizeof(f->err), "%s: offset %" PRIu64 ": %s", f->name,
				 rec.offset, strerror(-rc));
			return rc;
		}
	}
}

int rpt_file_prime(struct rpt_file *f)
{
	if (!f->have_pending) {
		f->pending_rc = read_event(f, &f->pending);
		f->have_pending = true;
	}
	prepare(f);
	return f->pending_rc;
}

int rpt_file_next(struct rpt_file *f, struct rpt_event *ev)
{
	int rc;

	if (f->have_pending) {
		f->have_pending = false;
		rc = f->pending_rc;
		if (rc == 1)
			*ev = f->pending;
		/* The end or an error stays the answer. */
		if (rc <= 0) {
			f->have_pending = true;
		}
		return rc;
	}
	rc = read_event(f, ev);
	if (rc <= 0) {
		f->have_pending = true;
		f->pending_rc = rc;
	}
	return rc;
}

uint64_t rpt_file_pending_ns(const struct rpt_file *f)
{
	if (!f->have_pending || f->pending_rc != 1)
		return 0;
	if (f->pending.type != TDF_REC_DROP && f->pending.type != TDF_REC_LOSS)
		return 0;
	return f->pending.real_ns;
}
