// SPDX-License-Identifier: BSD-2-Clause
/* stacktext: the one place stacks become text: which frames show, how they read, cached. */
#include "stacktext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "textcache.h"

/* Rendered stacks a view keeps: far more than a real recording's distinct stacks need. */
#define STACKTEXT_BUDGET (8u << 20)
/*
 * One symbolized frame: a symbol and a module name of at most TDF_NAME_MAX bytes each plus
 * "+0x" and 8 hex digits fit (the longest is 525 bytes), so nothing is ever cut here.
 */
#define SYM_TEXT_MAX 600u
/* What one frame may grow to when escaped: 6 bytes per byte as JSON, and the quotes. */
#define FRAME_ESC_MAX (6u * SYM_TEXT_MAX + 2u)

/*
 * Texts the cache returned last, direct-mapped by key: a drop's stack and location are
 * usually among a few recent ones, and this skips the cache's hash lookup for them. The
 * pointers are the cache's own; every insertion may free them, so each one empties the memo.
 */
#define MEMO_SLOTS 64u

struct memo {
	const void *file; /* NULL = empty */
	uint64_t key, gen;
	uint32_t kind;
	const char *text;
	size_t len;
};

struct rpt_stacktext {
	struct rpt_frame_style style;
	struct memo memo[MEMO_SLOTS];
	size_t before_len, between_len, after_len;
	struct rpt_textcache *cache; /* NULL: render every time */
	char *buf;		     /* the text rendered last */
	size_t len, cap;
};

struct rpt_stacktext *rpt_stacktext_new(const struct rpt_frame_style *style)
{
	struct rpt_stacktext *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->style = *style;
	if (!st->style.before)
		st->style.before = "";
	if (!st->style.between)
		st->style.between = "";
	if (!st->style.after)
		st->style.after = "";
	st->before_len = strlen(st->style.before);
	st->between_len = strlen(st->style.between);
	st->after_len = strlen(st->style.after);
	st->cache = rpt_textcache_new(STACKTEXT_BUDGET); /* optional */
	return st;
}

void rpt_stacktext_free(struct rpt_stacktext *st)
{
	if (!st)
		return;
	rpt_textcache_free(st->cache);
	free(st->buf);
	free(st);
}

static int put(struct rpt_stacktext *st, const char *s, size_t n)
{
	int rc = rpt_grow((void **)&st->buf, &st->cap, st->len + n + 1, 1);

	if (rc)
		return rc;
	memcpy(st->buf + st->len, s, n);
	st->len += n;
	return 0;
}

/* One frame, symbolized and escaped. */
static int put_frame(struct rpt_stacktext *st, const struct rpt_file *f, struct tdf_kaddr a)
{
	char sym[SYM_TEXT_MAX];
	size_t need, room;
	char *p;
	int rc;

	rc = rpt_grow((void **)&st->buf, &st->cap, st->len + FRAME_ESC_MAX + 1, 1);
	if (rc)
		return rc;
	rpt_file_symbolize(f, a, sym, sizeof(sym));
	p = st->buf + st->len;
	room = st->cap - st->len;
	if (st->style.json) {
		*p++ = '"';
		need = rpt_json_escape(p, room - 2, sym, sizeof(sym));
	} else {
		need = rpt_text_escape(p, room, sym, sizeof(sym));
	}
	if (st->style.frame_max && need > st->style.frame_max)
		need = st->style.frame_max;
	st->len += need + st->style.json;
	if (st->style.json)
		st->buf[st->len++] = '"';
	return 0;
}

static int render_stack(struct rpt_stacktext *st, const struct rpt_file *f,
			const struct tdf_stack *s, uint32_t skip)
{
	uint32_t i;
	int rc = 0;

	for (i = skip; i < s->depth && !rc; i++) {
		if (i > skip)
			rc = put(st, st->style.between, st->between_len);
		if (!rc)
			rc = put(st, st->style.before, st->before_len);
		if (!rc)
			rc = put_frame(st, f, s->frames[i]);
	}
	if (!rc && s->depth > skip)
		rc = put(st, st->style.after, st->after_len);
	return rc;
}

/*
 * The cached text for (f, kind, key), or rendered now (a stack when s is set, else one
 * address) and kept.
 */
static const char *text_of(struct rpt_stacktext *st, const struct rpt_file *f, uint32_t kind,
			   uint64_t key, const struct tdf_stack *s, struct tdf_kaddr a, size_t *len)
{
	uint64_t gen = rpt_file_symgen(f);
	struct memo *m = &st->memo[(key ^ key >> 32 ^ kind) % MEMO_SLOTS];
	const char *text;
	int rc;

	if (m->file == f && m->key == key && m->kind == kind && m->gen == gen) {
		*len = m->len;
		return m->text;
	}
	text = rpt_textcache_get(st->cache, f, kind, key, gen, len);
	if (text) {
		*m = (struct memo){
		    .file = f, .key = key, .gen = gen, .kind = kind, .text = text, .len = *len};
		return text;
	}
	memset(st->memo, 0, sizeof(st->memo));
	st->len = 0;
	rc = s ? render_stack(st, f, s, rpt_stack_skip(f, s)) : put_frame(st, f, a);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	if (st->cache)
		rpt_textcache_put(st->cache, f, kind, key, gen, st->buf ? st->buf : "", st->len);
	*len = st->len;
	return st->buf ? st->buf : "";
}

const char *rpt_stacktext_stack(struct rpt_stacktext *st, const struct rpt_file *f,
				const struct tdf_stack *s, size_t *len)
{
	struct tdf_kaddr none = {0};

	return text_of(st, f, RPT_TC_STACK, s->id, s, none, len);
}

const char *rpt_stacktext_addr(struct rpt_stacktext *st, const struct rpt_file *f,
			       struct tdf_kaddr a, size_t *len)
{
	return text_of(st, f, RPT_TC_ADDR, (uint64_t)a.mod << 32 | a.off, NULL, a, len);
}

/* ---- the policy ---- */

/*
 * What sits between the kfree_skb tracepoint and bpf_get_stack() on the kernels we know
 * (5.17..6.18): the tracepoint's iterator (__traceiter_kfree_skb, or a static call into
 * __bpf_trace_kfree_skb), the BPF runner (bpf_trace_run4, __bpf_prog_run*, the dispatcher
 * or trampoline) and our own program (bpf_prog_<tag>_<name>, in the "bpf" pseudo-module),
 * then the stack helper itself. The dropping function (sk_skb_reason_drop, kfree_skb_reason)
 * is kernel code worth seeing and stays.
 */
static const char *const machinery_prefix[] = {
    "bpf_prog_", /* the program itself (kallsyms bpf_prog_<tag>_<name>) */
    "__bpf_prog_run",
    "bpf_trace_run",
    "__bpf_trace_", /* raw_tp and tp_btf glue: __bpf_trace_kfree_skb */
    "__traceiter_",
    "trace_event_raw_event_",
    "perf_trace_",
    "__probestub_",
    "bpf_get_stack",
    "bpf_get_stackid",
    "__bpf_get_stack",
    "get_perf_callchain",
    "perf_callchain_kernel",
    "bpf_dispatcher_",
    "bpf_trampoline_",
    "trace_kfree_skb", /* older kernels: the tracepoint wrapper */
    "trace_call_bpf",
};

bool rpt_sym_is_machinery(const char *sym)
{
	size_t i;

	if (!sym)
		return false;
	for (i = 0; i < sizeof(machinery_prefix) / sizeof(machinery_prefix[0]); i++)
		if (strncmp(sym, machinery_prefix[i], strlen(machinery_prefix[i])) == 0)
			return true;
	return false;
}

uint32_t rpt_stack_skip(const struct rpt_file *f, const struct tdf_stack *s)
{
	uint32_t i, skip = 0;
	bool seen_machinery = false;

	if (!s)
		return 0;
	for (i = 0; i < s->depth; i++) {
		const char *mod, *sym;
		uint32_t off;

		sym = rpt_file_lookup(f, s->frames[i], &off, &mod);
		if (rpt_sym_is_machinery(sym) || (mod && strcmp(mod, "bpf") == 0)) {
			seen_machinery = true;
			skip = i + 1;
		} else if (!sym) {
			continue; /* an unplaced frame: machinery only if machinery follows */
		} else {
			break;
		}
	}
	return seen_machinery ? skip : 0;
}
