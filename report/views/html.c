// SPDX-License-Identifier: BSD-2-Clause
/* html: one self-contained page: header, timeline, reasons, flame graph and the top lists. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../budget.h"
#include "../explain.h"
#include "../flame.h"
#include "../grow.h"
#include "../htab.h"
#include "../markup.h"
#include "../stacktext.h"
#include "../strmap.h"
#include "../views.h"

/*
 * Everything is collected while the drops stream by (memory grows with distinct reasons,
 * stacks, flows, locations and tasks, like --summary) and written at the end. The page
 * fetches nothing: CSS, SVG and the script are inline, and its Content-Security-Policy
 * forbids every fetch (default-src 'none') and runs no script but the one whose hash it
 * names, so even markup that slipped past escaping could neither load nor run anything.
 */

#define TOP_ROWS       15   /* rows of each top list; the rest add up in one more line */
#define LEGEND_MAX     10   /* reasons with their own colour; the rest are "other" */
#define TL_COLS	       32   /* reasons the timeline counts apart; later ones share the last */
#define TL_SLOTS       120  /* bars of the timeline at most: about one per 10 units */
#define PROBLEMS_SHOWN 5    /* damage messages listed per file; the rest are counted */
#define FLAME_W	       1200 /* the flame graph's width in SVG units (it scales with the page) */
#define FLAME_ROW      17   /* one frame: a 16-unit box and a 1-unit gap */
#define CHAR_W	       7    /* a 12px monospace character, rounded up: labels never overflow */
/* flamegraph.pl's rule: a box narrower than 0.1 unit of 1200 is not drawn. */
#define FLAME_MIN_SHARE 12000u
/* About 1.1 MB of SVG (some 214 bytes a box); beyond it the narrowest boxes are left out. */
#define FLAME_BOXES_MAX 5000u
#define TITLE_NAME_MAX	160u /* escaped bytes of a frame's name in its tooltip (2 MiB in all) */
#define LIST_MAX	8u   /* hosts and kernels named in the header; the rest are counted */
#define REASON_ROWS	50u  /* rows of the reasons table; the rest add up in one more line */
#define NS_PER_MS	UINT64_C(1000000)
#define NS_PER_SEC	UINT64_C(1000000000)
/* Index slots per entry charged to the views' budget: a quarter to half full. */
#define SLOTS_COST (4 * sizeof(struct rpt_hslot))

/* Colour-blind-safe (Okabe-Ito, then Tol's muted), one per legend reason; "other" is grey. */
static const char *const palette[LEGEND_MAX] = {"#e69f00", "#56b4e9", "#009e73", "#f0e442",
						"#0072b2", "#d55e00", "#cc79a7", "#882255",
						"#44aa99", "#999933"};
#define OTHER_COLOUR "#bbbbbb"

/*
 * The flame graph's zoom (click a box; "reset zoom") and search (boxes whose frame holds the
 * text are marked, with the share of drops they cover). The graph is complete without it.
 * FLAME_SCRIPT_SHA256 is its hash for the page's Content-Security-Policy: change both
 * together (openssl dgst -sha256 -binary | base64 over exactly the text below);
 * tests/integration/html_browser.sh fails when the browser refuses to run it.
 */
static const char flame_script[] =
    "(function () {\n"
    "\t'use strict';\n"
    "\tdocument.documentElement.className = 'js';\n"
    "\tvar svg = document.getElementById('flame-svg');\n"
    "\tvar tools = document.getElementById('flame-tools');\n"
    "\tif (!svg || !tools) return;\n"
    "\tvar W = +svg.getAttribute('data-width'), total = +svg.getAttribute('data-total');\n"
    "\tvar cw = +svg.getAttribute('data-charw');\n"
    "\tvar boxes = Array.prototype.slice.call(svg.querySelectorAll('g.f'));\n"
    "\tvar tpl = svg.querySelector('text');\n"
    "\tfunction num(g, a) { return +g.getAttribute('data-' + a); }\n"
    "\tfunction name(g) { return g.querySelector('title').textContent.split('\\n')[0]; }\n"
    "\tfunction show(g, x, w) {\n"
    "\t\tvar r = g.querySelector('rect'), t = g.querySelector('text'), s = name(g);\n"
    "\t\tvar n = Math.floor((w - 6) / cw);\n"
    "\t\tg.style.display = '';\n"
    "\t\tr.setAttribute('x', x.toFixed(1));\n"
    "\t\tr.setAttribute('width', w.toFixed(1));\n"
    "\t\tif (n < 3) { if (t) t.textContent = ''; return; }\n"
    "\t\tif (!t) {\n"
    "\t\t\tt = tpl.cloneNode(false);\n"
    "\t\t\tt.setAttribute('y', +r.getAttribute('y') + 12);\n"
    "\t\t\tg.appendChild(t);\n"
    "\t\t}\n"
    "\t\tt.setAttribute('x', (x + 3).toFixed(1));\n"
    "\t\tt.textContent = s.length > n ? s.slice(0, n - 2) + '..' : s;\n"
    "\t}\n"
    "\tfunction zoom(z) {\n"
    "\t\tvar x0 = num(z, 'x'), w0 = num(z, 'w'), d0 = num(z, 'd');\n"
    "\t\tboxes.forEach(function (g) {\n"
    "\t\t\tvar x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd');\n"
    "\t\t\tg.classList.remove('up');\n"
    "\t\t\tif (d >= d0 && x >= x0 && x + w <= x0 + w0) {\n"
    "\t\t\t\tshow(g, (x - x0) / w0 * W, w / w0 * W);\n"
    "\t\t\t} else if (d < d0 && x <= x0 && x + w >= x0 + w0) {\n"
    "\t\t\t\tshow(g, 0, W);\n"
    "\t\t\t\tg.classList.add('up');\n"
    "\t\t\t} else {\n"
    "\t\t\t\tg.style.display = 'none';\n"
    "\t\t\t}\n"
    "\t\t});\n"
    "\t}\n"
    "\tsvg.addEventListener('click', function (e) {\n"
    "\t\tvar g = e.target.closest('g.f');\n"
    "\t\tif (g) zoom(g);\n"
    "\t});\n"
    "\tvar input = document.createElement('input');\n"
    "\tvar reset = document.createElement('button');\n"
    "\tvar said = document.createElement('span');\n"
    "\tinput.type = 'search';\n"
    "\tinput.placeholder = 'search frames';\n"
    "\treset.type = 'button';\n"
    "\treset.textContent = 'reset zoom';\n"
    "\ttools.appendChild(input);\n"
    "\ttools.appendChild(reset);\n"
    "\ttools.appendChild(said);\n"
    "\treset.addEventListener('click', function () { zoom(boxes[0]); });\n"
    "\tinput.addEventListener('input', function () {\n"
    "\t\tvar q = input.value, spans = [], hit = 0, end = -1;\n"
    "\t\tboxes.forEach(function (g) {\n"
    "\t\t\tvar on = q !== '' && name(g).indexOf(q) >= 0;\n"
    "\t\t\tg.classList.toggle('hit', on);\n"
    "\t\t\tif (on) spans.push([num(g, 'x'), num(g, 'x') + num(g, 'w')]);\n"
    "\t\t});\n"
    "\t\tspans.sort(function (a, b) { return a[0] - b[0]; });\n"
    "\t\tspans.forEach(function (s) {\n"
    "\t\t\tif (s[1] <= end) return;\n"
    "\t\t\thit += s[1] - Math.max(s[0], end);\n"
    "\t\t\tend = s[1];\n"
    "\t\t});\n"
    "\t\tsaid.textContent = q === '' ? '' : 'matched: ' + hit + ' of ' + total + ' drops (' +\n"
    "\t\t\t(100 * hit / total).toFixed(1) + '%)';\n"
    "\t});\n"
    "})();\n";
#define FLAME_SCRIPT_SHA256 "6+w/a4KEObWxTVOgpFy0GebaQmGU8jypXLI3cBXMpc0="

static const char page_style[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1240px;"
    "padding:0 1em;color:#222;background:#fff}\n"
    "h1{font-size:1.5em;margin:0 0 .5em}h2{font-size:1.15em;margin:1.6em 0 .4em;"
    "border-bottom:1px solid #ddd}\n"
    "dl.facts{display:grid;grid-template-columns:max-content auto;gap:.15em 1em;margin:0}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0}\n"
    "table{border-collapse:collapse;margin:.3em 0}td,th{padding:.15em .6em;text-align:left;"
    "vertical-align:top}\n"
    "th{border-bottom:1px solid #999}tr:nth-child(even) td{background:#f6f6f6}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code,.mono{font-family:ui-monospace,monospace;font-size:12px}td code{white-space:nowrap}\n"
    ".bar{display:inline-block;height:.8em;background:#888}\n"
    ".swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;"
    "vertical-align:baseline}\n"
    ".bad{color:#b00;font-weight:600}.ok{color:#070}.note{color:#555;font-size:.9em}\n"
    ".legend span{margin-right:1em;white-space:nowrap}\n"
    "svg{display:block;width:100%;height:auto}\n"
    "svg text{font:12px ui-monospace,monospace;fill:#000;pointer-events:none}\n"
    "svg .axis{font:11px system-ui,sans-serif;fill:#444}\n"
    "#flame-svg g.f{cursor:pointer}#flame-svg g.f:hover rect{stroke:#000;stroke-width:.5}\n"
    "#flame-svg g.hit rect{fill:#e040e0}#flame-svg g.up rect{opacity:.6}\n"
    "#flame-tools input{margin-right:.5em}#flame-tools span{margin-left:1em}\n";

/*
 * ---- a map from fixed-size binary keys to counts (flows, locations, tasks) ----
 * Every new entry is charged to the views' budget (report/budget.h); past it the drops of
 * keys not yet in the map are counted in its "other" entry, which is not in the array.
 */

struct bent {
	uint64_t count;
	char *text; /* owned, for keys that are rendered when first seen; else NULL */
		    /* the key's bytes follow */
};

struct binmap {
	size_t ksize, stride;
	unsigned char *mem;
	size_t n, cap;
	struct rpt_htab index;
	struct bent other; /* past the budget; no key, no text */
	size_t charged;	   /* bytes charged to the views' budget */
};

static void binmap_init(struct binmap *m, size_t ksize)
{
	memset(m, 0, sizeof(*m));
	m->ksize = ksize;
	m->stride = sizeof(struct bent) + (ksize + 7) / 8 * 8;
}

static struct bent *bent_at(const struct binmap *m, size_t i)
{
	return (struct bent *)(void *)(m->mem + i * m->stride);
}

static const void *bent_key(const struct bent *e)
{
	return (const unsigned char *)e + sizeof(*e);
}

static struct bent *binmap_find(const struct binmap *m, const void *key, uint64_t h)
{
	size_t i, pos;

	for (i = rpt_htab_first(&m->index, h, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&m->index, h, &pos))
		if (memcmp(bent_key(bent_at(m, i)), key, m->ksize) == 0)
			return bent_at(m, i);
	return NULL;
}

/*
 * A new entry for key (not in m) at count 0, charged with extra bytes it will own besides:
 * &m->other past the budget, NULL when out of memory.
 */
static struct bent *binmap_insert(struct binmap *m, const void *key, uint64_t h, size_t extra)
{
	size_t cost = 2 * m->stride + SLOTS_COST + extra;
	struct bent *e;

	if (!rpt_budget_take(RPT_POOL_VIEWS, cost))
		return &m->other;
	m->charged += cost;
	if (rpt_grow((void **)&m->mem, &m->cap, m->n + 1, m->stride) ||
	    rpt_htab_insert(&m->index, h, m->n))
		return NULL;
	e = bent_at(m, m->n++);
	memset(e, 0, m->stride);
	memcpy((unsigned char *)e + sizeof(*e), key, m->ksize);
	return e;
}

/* The entry of key, created at count 0 when new; &m->other past the budget, NULL when out
 * of memory. */
static struct bent *binmap_get(struct binmap *m, const void *key)
{
	uint64_t h = rpt_hash_mem(key, m->ksize);
	struct bent *e = binmap_find(m, key, h);

	return e ? e : binmap_insert(m, key, h, 0);
}

static void binmap_free(struct binmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(bent_at(m, i)->text);
	free(m->mem);
	rpt_htab_free(&m->index);
	rpt_budget_give(RPT_POOL_VIEWS, m->charged);
	m->mem = NULL;
	m->n = m->cap = m->charged = 0;
	m->other.count = 0;
}

/* Most drops first, then by key bytes: the order of the top lists. */
static bool bent_before(const struct bent *a, const struct bent *b, size_t ksize)
{
	if (a->count != b->count)
		return a->count > b->count;
	return memcmp(bent_key(a), bent_key(b), ksize) < 0;
}

/*
 * The k entries that come first in that order, first first, into top[k]: one pass with an
 * insertion into a short sorted list, no sort of every entry (a flood has a million flows).
 * Returns how many there are (min(k, m->n)).
 */
static size_t binmap_top(const struct binmap *m, struct bent **top, size_t k)
{
	size_t n = 0, i, pos;

	for (i = 0; i < m->n; i++) {
		struct bent *e = bent_at(m, i);

		if (n == k && !bent_before(e, top[n - 1], m->ksize))
			continue;
		pos = n < k ? n++ : n - 1;
		for (; pos > 0 && bent_before(e, top[pos - 1], m->ksize); pos--)
			top[pos] = top[pos - 1];
		top[pos] = e;
	}
	return n;
}

/* ---- the timeline: drops per interval and reason, the interval widened as the span grows ---- */

/*
 * Each width divides the next, so buckets aligned to multiples of a width nest in the next
 * one's and a wider timeline is made from a narrower one without the drops. The width is
 * the narrowest that fits the span seen into TL_SLOTS buckets: it depends on the span only,
 * not on the order the drops came in.
 */
static const uint64_t ladder_ms[] = {1,	      2,       10,	 20,	   100,	    200,    1000,
				     2000,    10000,   20000,	 60000,	   120000,  600000, 1200000,
				     3600000, 7200000, 21600000, 43200000, 86400000};
#define LADDER_N (sizeof(ladder_ms) / sizeof(ladder_ms[0]))

struct tl {
	size_t step;	/* index into ladder_ms; past its end the width doubles per step */
	uint64_t width; /* ns */
	bool any;
	uint64_t lo, hi; /* absolute bucket numbers (time / width) of the first and last */
	uint64_t cells[TL_SLOTS][TL_COLS];
};

static uint64_t tl_width(size_t step)
{
	uint64_t w = ladder_ms[step < LADDER_N ? step : LADDER_N - 1] * NS_PER_MS;

	for (size_t i = LADDER_N; i <= step && w <= UINT64_MAX / 2; i++)
		w *= 2;
	return w;
}

/* Widen until [lo_ns, hi_ns] fits, then move the counts into the wider buckets. */
static int tl_widen(struct tl *t, uint64_t lo_ns, uint64_t hi_ns)
{
	uint64_t w = t->width, olo = t->lo, ohi = t->hi, ow = t->width;
	uint64_t(*old)[TL_COLS] = malloc(sizeof(t->cells));
	size_t s;

	if (!old)
		return -ENOMEM;
	while (hi_ns / w - lo_ns / w >= TL_SLOTS && w <= UINT64_MAX / 2)
		w = tl_width(++t->step);
	memcpy(old, t->cells, sizeof(t->cells));
	memset(t->cells, 0, sizeof(t->cells));
	t->width = w;
	t->lo = lo_ns / w;
	t->hi = hi_ns / w;
	for (s = 0; s <= ohi - olo; s++) {
		uint64_t to = (olo + s) * ow / w - t->lo;

		for (size_t c = 0; c < TL_COLS; c++)
			t->cells[to][c] += old[s][c];
	}
	free(old);
	return 0;
}

static int tl_add(struct tl *t, uint64_t ns, uint32_t col)
{
	uint64_t b = ns / t->width;

	if (!t->any) {
		t->any = true;
		t->lo = t->hi = b;
	} else if (b < t->lo || b > t->hi) {
		uint64_t lo = b < t->lo ? b : t->lo, hi = b > t->hi ? b : t->hi;

		if (hi - lo >= TL_SLOTS) {
			int rc = tl_widen(t, lo * t->width, hi * t->width);

			if (rc)
				return rc;
			b = ns / t->width;
		} else if (b < t->lo) {
			memmove(t->cells[t->lo - b], t->cells[0],
				(t->hi - t->lo + 1) * sizeof(t->cells[0]));
			memset(t->cells[0], 0, (t->lo - b) * sizeof(t->cells[0]));
			t->lo = b;
		} else {
			t->hi = b;
		}
	}
	t->cells[b - t->lo][col]++;
	return 0;
}

/* ---- the view ---- */

struct reason {
	char *raw; /* the file's name, the key */
	size_t raw_len;
	char *esc; /* escaped for display */
	uint64_t count;
	uint32_t col; /* timeline column */
	int legend;   /* colour index, -1 = other */
	bool folded;  /* the reasons past the views' budget, counted together */
};

struct html_file {
	const struct rpt_file *f;
	uint64_t drops, lost, excluded;
	char *problems[PROBLEMS_SHOWN];
	size_t nproblems, more_problems;
};

struct flow_key {
	uint8_t family, pad;
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

struct loc_key {
	const void *file;
	uint64_t gen;
	uint32_t mod, off;
};

struct html {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o; /* for times in the header: never the bare clock */
	struct rpt_view_opts clock;
	const char *filters;
	uint64_t start_ns, first_ns, last_ns, total, lost, excluded;
	size_t nhosts;
	struct html_file *files;
	size_t nfiles;
	struct reason *reasons;
	size_t nreasons, reasons_cap;
	struct rpt_htab reason_index;
	size_t other_reason; /* index of the folded reason, SIZE_MAX before the first */
	size_t charged;	     /* the reasons' bytes charged to the views' budget */
	struct binmap flows, locations, comms;
	struct rpt_stacktext *frames; /* drop locations */
	struct rpt_flame *flame;
	struct tl tl;
};

static struct html_file *file_of(struct html *h, const struct rpt_file *f)
{
	for (size_t i = 0; i < h->nfiles; i++)
		if (h->files[i].f == f)
			return &h->files[i];
	return NULL;
}

static int html_begin(void *ctx, const struct rpt_begin *b)
{
	struct html *h = ctx;

	h->start_ns = b->start_real_ns;
	h->nhosts = b->nhosts;
	h->files = calloc(b->nfiles ? b->nfiles : 1, sizeof(*h->files));
	if (!h->files)
		return -ENOMEM;
	h->nfiles = b->nfiles;
	for (size_t i = 0; i < b->nfiles; i++)
		h->files[i].f = b->files[i];
	return 0;
}

/* A new reason at the end of the array, its name name[0..len) (indexed under hash if index). */
static struct reason *reason_new(struct html *h, const char *name, size_t len, uint64_t hash,
				 bool index)
{
	size_t need = rpt_text_escape(NULL, 0, name, len);
	struct reason *r;

	if (rpt_grow((void **)&h->reasons, &h->reasons_cap, h->nreasons + 1, sizeof(*h->reasons)))
		return NULL;
	r = &h->reasons[h->nreasons];
	memset(r, 0, sizeof(*r));
	r->raw = strndup(name, len);
	r->esc = malloc(need + 1);
	if (!r->raw || !r->esc || (index && rpt_htab_insert(&h->reason_index, hash, h->nreasons))) {
		free(r->raw);
		free(r->esc);
		return NULL;
	}
	rpt_text_escape(r->esc, need + 1, name, len);
	r->raw_len = len;
	r->col = h->nreasons < TL_COLS - 1 ? (uint32_t)h->nreasons : TL_COLS - 1;
	r->legend = -1;
	h->nreasons++;
	return r;
}

/* The reason named name, new at count 0; past the budget the one folded reason. */
static struct reason *reason_of(struct html *h, const char *name)
{
	size_t len = strnlen(name, TDF_NAME_MAX), pos, i, cost;
	uint64_t hash = rpt_hash_mem(name, len);
	struct reason *r;

	for (i = rpt_htab_first(&h->reason_index, hash, &pos); i != RPT_HTAB_NONE;
	     i = rpt_htab_next(&h->reason_index, hash, &pos))
		if (h->reasons[i].raw_len == len && memcmp(h->reasons[i].raw, name, len) == 0)
			return &h->reasons[i];
	cost = 2 * sizeof(*r) + SLOTS_COST + len + 1 + rpt_text_escape(NULL, 0, name, len) + 1 +
	       2 * RPT_BUDGET_MALLOC_OVERHEAD;
	if (rpt_budget_take(RPT_POOL_VIEWS, cost)) {
		h->charged += cost;
		return reason_new(h, name, len, hash, true);
	}
	if (h->other_reason != SIZE_MAX)
		return &h->reasons[h->other_reason];
	/* one, uncharged; not in the index: a reason named so is not the folded ones */
	r = reason_new(h, RPT_FLAME_OTHER, strlen(RPT_FLAME_OTHER), 0, false);
	if (r) {
		r->folded = true;
		h->other_reason = (size_t)(r - h->reasons);
	}
	return r;
}

static int html_drop(void *ctx, const struct rpt_drop *rd)
{
	struct html *h = ctx;
	const struct tdf_drop *d = rd->d;
	struct html_file *fi = file_of(h, rd->file);
	struct flow_key fk;
	struct loc_key lk;
	char comm[TDF_COMM_LEN];
	struct reason *r;
	struct bent *e;
	uint64_t hash;
	int rc;

	if (!h->total || rd->real_ns < h->first_ns)
		h->first_ns = rd->real_ns;
	if (rd->real_ns > h->last_ns)
		h->last_ns = rd->real_ns;
	h->total++;
	if (fi)
		fi->drops++;
	r = reason_of(h, rd->reason);
	if (!r)
		return -ENOMEM;
	r->count++;
	rc = tl_add(&h->tl, rd->real_ns, r->col);
	if (!rc)
		rc = rpt_flame_add(h->flame, rd, r->esc);
	if (rc)
		return rc;

	memset(&fk, 0, sizeof(fk));
	fk.family = d->family;
	fk.sport = d->sport;
	fk.dport = d->dport;
	memcpy(fk.saddr, d->saddr, sizeof(fk.saddr));
	memcpy(fk.daddr, d->daddr, sizeof(fk.daddr));
	e = binmap_get(&h->flows, &fk);
	if (!e)
		return -ENOMEM;
	e->count++;

	memset(&lk, 0, sizeof(lk));
	lk.file = rd->file;
	lk.gen = rpt_file_symgen(rd->file);
	lk.mod = d->location.mod;
	lk.off = d->location.off;
	hash = rpt_hash_mem(&lk, sizeof(lk));
	e = binmap_find(&h->locations, &lk, hash);
	if (!e) {
		size_t len;
		const char *text = rpt_stacktext_addr(h->frames, rd->file, d->location, &len);

		if (!text)
			return -ENOMEM;
		e = binmap_insert(&h->locations, &lk, hash, len + 1 + RPT_BUDGET_MALLOC_OVERHEAD);
		if (!e)
			return -ENOMEM;
		if (e != &h->locations.other) {
			e->text = strndup(text, len);
			if (!e->text)
				return -ENOMEM;
		}
	}
	e->count++;

	memset(comm, 0, sizeof(comm));
	memcpy(comm, d->comm, strnlen(d->comm, TDF_COMM_LEN));
	e = binmap_get(&h->comms, comm);
	if (!e)
		return -ENOMEM;
	e->count++;
	return 0;
}

static int html_loss(void *ctx, const struct rpt_loss *l)
{
	struct html *h = ctx;
	struct html_file *fi = file_of(h, l->file);

	if (l->kind == TDF_LOSS_RINGBUF) {
		h->lost += l->count;
		if (fi)
			fi->lost += l->count;
	} else if (l->kind == TDF_LOSS_EXCLUDED) {
		h->excluded += l->count;
		if (fi)
			fi->excluded += l->count;
	}
	return 0;
}

static int html_problem(void *ctx, const struct rpt_file *f, uint32_t type,
			const struct tdf_problem *p)
{
	struct html_file *fi = file_of(ctx, f);
	char what[300];
	int n;

	if (!fi)
		return 0;
	if (fi->nproblems == PROBLEMS_SHOWN) {
		fi->more_problems++;
		return 0;
	}
	rpt_text_escape(what, sizeof(what), p->what ? p->what : "", 256);
	if (type == TDF_EV_TRUNCATED)
		n = asprintf(&fi->problems[fi->nproblems], "offset %" PRIu64 ": truncated: %s",
			     p->offset, what);
	else
		n = asprintf(&fi->problems[fi->nproblems],
			     "offset %" PRIu64 ": corrupt, %" PRIu64 " bytes skipped: %s",
			     p->offset, p->skipped, what);
	if (n < 0) {
		fi->problems[fi->nproblems] = NULL;
		return -ENOMEM;
	}
	fi->nproblems++;
	return 0;
}

/* ---- writing the page ---- */

static void put_html(FILE *out, const char *s, size_t maxlen)
{
	rpt_fput_html(out, s, maxlen);
}

static void put_esc(FILE *out, const char *s, size_t n)
{
	rpt_fput_html_escaped(out, s, n);
}

static void put_share(FILE *out, uint64_t n, uint64_t total)
{
	fprintf(out, "%.1f%%", total ? 100.0 * (double)n / (double)total : 0.0);
}

static void put_duration(FILE *out, uint64_t ns)
{
	double s = (double)ns / 1e9;

	if (ns < NS_PER_SEC)
		fprintf(out, "%.0f ms", s * 1e3);
	else if (s < 120)
		fprintf(out, "%.1f s", s);
	else if (s < 7200)
		fprintf(out, "%.1f min", s / 60);
	else if (s < 172800)
		fprintf(out, "%.1f h", s / 3600);
	else
		fprintf(out, "%.1f days", s / 86400);
}

static void put_time(struct html *h, uint64_t ns)
{
	char buf[64];

	put_html(h->out, rpt_fmt_time(ns, h->start_ns, &h->o, buf, sizeof(buf)), sizeof(buf));
}

/* The hosts, comma-separated (escaped), from the files' metadata. */
static void put_hosts(struct html *h)
{
	size_t i, j, shown = 0;

	for (i = 0; i < h->nfiles; i++) {
		const char *host = rpt_file_host(h->files[i].f);

		for (j = 0; j < i; j++)
			if (strcmp(rpt_file_host(h->files[j].f), host) == 0)
				break;
		if (j < i)
			continue;
		if (shown++ == LIST_MAX) {
			fprintf(h->out, " and %zu more", h->nhosts - LIST_MAX);
			break;
		}
		if (shown > 1)
			fputs(", ", h->out);
		put_html(h->out, host, TDF_NAME_MAX);
	}
}

static void put_kernel(FILE *out, const struct rpt_file *f)
{
	const char *rel = rpt_file_meta(f, TDF_META_KERNEL_RELEASE);
	const char *ver = rpt_file_meta(f, TDF_META_KERNEL_VERSION);
	const char *arch = rpt_file_meta(f, TDF_META_ARCH);

	put_html(out, rel ? rel : "-", TDF_NAME_MAX);
	if (ver) {
		fputs(" <span class=\"note\">", out);
		put_html(out, ver, TDF_NAME_MAX);
		fputs("</span>", out);
	}
	if (arch) {
		fputs(" (", out);
		put_html(out, arch, TDF_NAME_MAX);
		fputs(")", out);
	}
}

/* Whether the file met damage, and a line saying what. */
static bool put_integrity(FILE *out, const struct rpt_file *f, bool brief)
{
	struct tdf_reader_stats st;
	bool damaged;

	rpt_file_stats(f, &st);
	damaged = st.corrupt || st.truncated;
	if (damaged) {
		fputs("<span class=\"bad\">damaged:</span> ", out);
		if (st.corrupt)
			fprintf(out, "%" PRIu64 " corrupt block%s (%" PRIu64 " bytes skipped)%s",
				st.corrupt, st.corrupt == 1 ? "" : "s", st.skipped_bytes,
				st.truncated ? ", " : "");
		if (st.truncated)
			fputs("truncated", out);
	} else {
		fputs("<span class=\"ok\">intact</span>", out);
	}
	if (!brief)
		fprintf(out, "; %" PRIu64 " chunks read; %s", st.chunks,
			st.clean_close
			    ? "closed cleanly"
			    : "not closed cleanly (recorder still running, killed, or cut)");
	return damaged;
}

static void put_header(struct html *h)
{
	FILE *out = h->out;
	bool damaged = false;
	size_t i;

	fputs("<header>\n<h1>TCP drops on ", out);
	put_hosts(h);
	fputs("</h1>\n<dl class=\"facts\">\n", out);
	fprintf(out, "<dt>host%s</dt><dd>", h->nhosts > 1 ? "s" : "");
	put_hosts(h);
	fputs("</dd>\n<dt>kernel</dt><dd>", out);
	for (i = 0; i < h->nfiles && i < LIST_MAX; i++) {
		if (i)
			fputs("<br>", out);
		put_kernel(out, h->files[i].f);
	}
	if (h->nfiles > LIST_MAX)
		fprintf(out, "<br>(and %zu more files: see Files)", h->nfiles - LIST_MAX);
	fputs("</dd>\n<dt>recording</dt><dd>", out);
	if (h->start_ns)
		put_time(h, h->start_ns);
	else
		fputs("-", out);
	if (h->total) {
		fputs("; drops from ", out);
		put_time(h, h->first_ns);
		fputs(" to ", out);
		put_time(h, h->last_ns);
		fputs(" (", out);
		put_duration(out, h->last_ns - h->first_ns);
		fputs(")", out);
	}
	fprintf(out,
		"</dd>\n<dt>drops</dt><dd id=\"drops\" data-count=\"%" PRIu64 "\">%" PRIu64
		"</dd>\n",
		h->total, h->total);
	fprintf(out, "<dt>lost</dt><dd id=\"lost\" data-count=\"%" PRIu64 "\">%" PRIu64 "%s</dd>\n",
		h->lost, h->lost,
		h->lost ? " <span class=\"bad\">(ring buffer full: they happened but are not in "
			  "the file, nor on this page)</span>"
			: "");
	fprintf(
	    out,
	    "<dt>excluded</dt><dd id=\"excluded\" data-count=\"%" PRIu64 "\">%" PRIu64 "%s</dd>\n",
	    h->excluded, h->excluded,
	    h->excluded ? " <span class=\"note\">(NOT_SPECIFIED frees the recorder left out)</span>"
			: "");
	for (i = 0; i < h->nfiles; i++) {
		struct tdf_reader_stats st;

		rpt_file_stats(h->files[i].f, &st);
		damaged |= st.corrupt || st.truncated;
	}
	fprintf(out, "<dt>integrity</dt><dd id=\"integrity\" data-damaged=\"%d\">", damaged);
	for (i = 0; i < h->nfiles; i++) {
		if (h->nfiles > 1) {
			fputs(i ? "<br><code>" : "<code>", out);
			put_html(out, rpt_file_name(h->files[i].f), 4096);
			fputs("</code>: ", out);
		}
		put_integrity(out, h->files[i].f, false);
		for (size_t j = 0; j < h->files[i].nproblems; j++) {
			fputs("<br><span class=\"mono\">", out);
			put_esc(out, h->files[i].problems[j], strlen(h->files[i].problems[j]));
			fputs("</span>", out);
		}
		if (h->files[i].more_problems)
			fprintf(out, "<br>... and %zu more", h->files[i].more_problems);
	}
	fputs("</dd>\n<dt>filters</dt><dd id=\"filters\">", out);
	if (!h->filters || !*h->filters) {
		fputs("none: every drop in the file", out);
		fputs(h->nfiles > 1 ? "s" : "", out);
	} else {
		const char *p = h->filters;

		while (*p) {
			size_t n = strcspn(p, "\n");

			fputs(p == h->filters ? "<code>" : " <code>", out);
			/* The user's own command line, still escaped like everything else. */
			char *one = strndup(p, n);

			if (one)
				put_html(out, one, n);
			free(one);
			fputs("</code>", out);
			p += n;
			if (*p)
				p++;
		}
		fputs(" <span class=\"note\">(every section shows only the drops that pass)</span>",
		      out);
	}
	fputs("</dd>\n</dl>\n</header>\n", out);
}

/* Legend colours for the most common reasons (those the timeline counts apart). */
static const char *reason_colour(const struct reason *r)
{
	return r->legend >= 0 ? palette[r->legend] : OTHER_COLOUR;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct reason *x = *(const struct reason *const *)a;
	const struct reason *y = *(const struct reason *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->esc, y->esc);
}

static void put_swatch(FILE *out, const char *colour)
{
	fprintf(out, "<span class=\"swatch\" style=\"background:%s\"></span>", colour);
}

/* A timeline label: the clock (with ms under one second), the date too from hours up. */
static void put_tl_time(struct html *h, uint64_t ns)
{
	struct rpt_view_opts o = h->o;
	char buf[64];

	if (h->tl.width >= 3600 * NS_PER_SEC) {
		o.time_fmt = RPT_TIME_ISO;
		rpt_fmt_time(ns, h->start_ns, &o, buf, sizeof(buf));
		buf[16] = '\0'; /* YYYY-MM-DDTHH:MM */
		buf[10] = ' ';
	} else {
		rpt_fmt_time(ns, h->start_ns, &h->clock, buf, sizeof(buf));
		if (h->tl.width < NS_PER_SEC)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03" PRIu64,
				 ns % NS_PER_SEC / NS_PER_MS);
	}
	put_html(h->out, buf, sizeof(buf));
}

static void put_interval(FILE *out, uint64_t ns)
{
	if (ns < NS_PER_SEC)
		fprintf(out, "%" PRIu64 " ms", ns / NS_PER_MS);
	else if (ns < 60 * NS_PER_SEC)
		fprintf(out, "%" PRIu64 " s", ns / NS_PER_SEC);
	else if (ns < 3600 * NS_PER_SEC)
		fprintf(out, "%" PRIu64 " min", ns / (60 * NS_PER_SEC));
	else if (ns < 86400 * NS_PER_SEC)
		fprintf(out, "%" PRIu64 " h", ns / (3600 * NS_PER_SEC));
	else
		fprintf(out, "%" PRIu64 " days", ns / (86400 * NS_PER_SEC));
}

static void put_timeline(struct html *h, struct reason *const *order, size_t nlegend)
{
	const unsigned left = 60, right = 10, top = 10, plot_h = 170, W = 1200;
	const struct tl *t = &h->tl;
	FILE *out = h->out;
	uint64_t nslots = t->hi - t->lo + 1, maxc = 0, s;
	double bw;
	size_t k;

	fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", out);
	if (!h->total) {
		fputs("<p>No drops.</p>\n</section>\n", out);
		return;
	}
	for (s = 0; s < nslots; s++) {
		uint64_t sum = 0;

		for (k = 0; k < TL_COLS; k++)
			sum += t->cells[s][k];
		if (sum > maxc)
			maxc = sum;
	}
	bw = (double)(W - left - right) / (double)nslots;
	fputs("<p class=\"note\">Drops per ", out);
	put_interval(out, t->width);
	fputs(", stacked by reason (hover a bar for its numbers).</p>\n", out);
	fprintf(out, "<svg id=\"timeline-svg\" viewBox=\"0 0 %u %u\" role=\"img\">\n", W,
		top + plot_h + 30);
	fprintf(out,
		"<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#999\"/>"
		"<text class=\"axis\" x=\"%u\" y=\"%u\" text-anchor=\"end\">%" PRIu64 "</text>"
		"<text class=\"axis\" x=\"%u\" y=\"%u\" text-anchor=\"end\">0</text>\n",
		left, top + plot_h, W - right, top + plot_h, left - 4, top + 10, maxc, left - 4,
		top + plot_h);
	for (s = 0; s < nslots; s++) {
		double x = left + (double)s * bw, y = top + plot_h;
		uint64_t other = 0;

		for (k = 0; k < TL_COLS; k++)
			other += t->cells[s][k];
		if (!other)
			continue;
		for (k = 0; k <= nlegend; k++) {
			uint64_t n;
			double bh;

			if (k < nlegend) {
				n = t->cells[s][order[k]->col];
				other -= n;
			} else {
				n = other;
			}
			if (!n)
				continue;
			bh = (double)plot_h * (double)n / (double)maxc;
			y -= bh;
			fprintf(out,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"><title>",
				x, y, bw > 2 ? bw - 1 : bw, bh,
				k < nlegend ? palette[k] : OTHER_COLOUR);
			put_tl_time(h, (t->lo + s) * t->width);
			fputs(" ", out);
			if (k < nlegend)
				put_esc(out, order[k]->esc, strlen(order[k]->esc));
			else
				fputs("other reasons", out);
			fprintf(out, ": %" PRIu64 "</title></rect>\n", n);
		}
	}
	/* About six time labels along the axis. */
	for (s = 0; s < nslots; s += (nslots + 5) / 6) {
		fprintf(out, "<text class=\"axis\" x=\"%.1f\" y=\"%u\">", left + (double)s * bw,
			top + plot_h + 16);
		put_tl_time(h, (t->lo + s) * t->width);
		fputs("</text>\n", out);
	}
	fputs("</svg>\n<p class=\"legend\">", out);
	for (k = 0; k < nlegend; k++) {
		fputs("<span>", out);
		put_swatch(out, palette[k]);
		put_esc(out, order[k]->esc, strlen(order[k]->esc));
		fputs("</span>", out);
	}
	if (nlegend < h->nreasons) {
		fputs("<span>", out);
		put_swatch(out, OTHER_COLOUR);
		fputs("other reasons</span>", out);
	}
	fputs("</p>\n</section>\n", out);
}

/* The knowledge base's one line and verdict (report/explain.h); an unknown name says so. */
static void put_explanation(FILE *out, const char *reason)
{
	const struct rpt_reason_info *ri = rpt_explain_reason(reason);

	put_html(out, rpt_explain_summary(reason), 4096);
	if (ri) {
		fputs(" <span class=\"note\">(", out);
		put_html(out, rpt_verdict_text(ri->verdict), 256);
		fputs(")</span>", out);
	}
}

static void put_reasons(struct html *h, struct reason *const *order)
{
	FILE *out = h->out;
	size_t i;

	fputs("<section id=\"reasons\">\n<h2>Drop reasons</h2>\n", out);
	fputs("<table>\n<thead><tr><th>reason</th><th>drops</th><th>share</th><th></th>"
	      "<th>what it means</th></tr></thead>\n<tbody>\n",
	      out);
	for (i = 0; i < h->nreasons && i < REASON_ROWS; i++) {
		const struct reason *r = order[i];

		fputs("<tr class=\"reason\" data-reason=\"", out);
		put_esc(out, r->esc, strlen(r->esc));
		fprintf(out, "\" data-count=\"%" PRIu64 "\"><td><code>", r->count);
		put_swatch(out, reason_colour(r));
		put_esc(out, r->esc, strlen(r->esc));
		fprintf(out, "</code></td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
			r->count);
		put_share(out, r->count, h->total);
		fprintf(out,
			"</td><td><span class=\"bar\" style=\"width:%.0fpx;background:%s\"></span>"
			"</td><td>",
			200.0 * (double)r->count / (double)(order[0]->count ? order[0]->count : 1),
			reason_colour(r));
		if (r->folded)
			fputs("reasons past the memory budget, counted together", out);
		else
			put_explanation(out, r->raw);
		fputs("</td></tr>\n", out);
	}
	if (h->nreasons > REASON_ROWS) {
		uint64_t rest = 0;

		for (i = REASON_ROWS; i < h->nreasons; i++)
			rest += order[i]->count;
		fprintf(out,
			"<tr class=\"reasons-more\" data-count=\"%" PRIu64
			"\"><td>%zu more reasons</td>"
			"<td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
			rest, h->nreasons - REASON_ROWS, rest);
		put_share(out, rest, h->total);
		fputs("</td><td></td><td></td></tr>\n", out);
	}
	if (!h->nreasons)
		fputs("<tr><td colspan=\"5\">No drops.</td></tr>\n", out);
	fputs("</tbody>\n</table>\n</section>\n", out);
}

/* ---- the flame graph ---- */

struct node {
	const char *name; /* escaped text (points into a path) */
	size_t len;
	uint64_t x, count; /* in drops, from the left edge */
	uint32_t depth;	   /* 0 = "all drops", 1 = the reason */
};

/*
 * One node per distinct frame path: the sorted paths put every path right before those that
 * extend it and keep paths with a common prefix together, so one pass with a stack of the
 * open nodes builds the tree, each node's children left to right after its own drops.
 */
static struct node *build_tree(const struct rpt_flame_path *p, size_t n, uint64_t total,
			       size_t *nnodes)
{
	size_t cap = 1, i, top = 1, *open;
	uint32_t maxf = 0;
	uint64_t at = 0;
	struct node *nodes;

	for (i = 0; i < n; i++) {
		cap += p[i].nframes;
		if (p[i].nframes > maxf)
			maxf = p[i].nframes;
	}
	nodes = calloc(cap, sizeof(*nodes));
	open = calloc((size_t)maxf + 1, sizeof(*open));
	if (!nodes || !open) {
		free(nodes);
		free(open);
		return NULL;
	}
	nodes[0] = (struct node){.name = "all drops", .len = 9, .count = total};
	*nnodes = 1;
	for (i = 0; i < n; i++) {
		const char *s = p[i].text;
		size_t left = p[i].len, d = 1, fl;

		for (; left || d == 1; d++) {
			fl = rpt_flame_frame_len(s, left);
			if (d < top && nodes[open[d]].len == fl &&
			    memcmp(nodes[open[d]].name, s, fl) == 0) {
				/* the same frame as the open node at this depth */
			} else {
				top = d; /* close the open nodes from here on */
				nodes[*nnodes] = (struct node){
				    .name = s, .len = fl, .x = at, .depth = (uint32_t)d};
				open[d] = (*nnodes)++;
				top = d + 1;
			}
			nodes[open[d]].count += p[i].count;
			if (fl >= left)
				break;
			s += fl + 1;
			left -= fl + 1;
		}
		top = d + 1;
		at += p[i].count;
	}
	free(open);
	return nodes;
}

static int cmp_u64_desc(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x > *y ? -1 : *x < *y;
}

/* The smallest count a drawn box has: 0.1 unit wide, and FLAME_BOXES_MAX boxes at most. */
static uint64_t min_count(const struct node *nodes, size_t n, uint64_t total, size_t *drawn)
{
	uint64_t least = (total + FLAME_MIN_SHARE - 1) / FLAME_MIN_SHARE, *c;
	size_t i, k = 0;

	if (least < 1)
		least = 1;
	for (i = 0; i < n; i++)
		k += nodes[i].count >= least;
	if (k > FLAME_BOXES_MAX) {
		c = malloc(n * sizeof(*c));
		if (c) {
			for (i = 0; i < n; i++)
				c[i] = nodes[i].count;
			qsort(c, n, sizeof(*c), cmp_u64_desc);
			/* Strictly above the first box left out; a child never outweighs its
			 * parent, so every drawn box's parent is drawn too. */
			least = c[FLAME_BOXES_MAX] + 1;
			free(c);
		} else {
			least = UINT64_MAX; /* no memory to choose: the header box alone */
		}
		for (k = 0, i = 0; i < n; i++)
			k += nodes[i].count >= least;
	}
	*drawn = k;
	return least;
}

/* flamegraph.pl's warm colours, chosen by the frame's name so a frame keeps its colour. */
static void frame_colour(const struct node *nd, char buf[8])
{
	uint64_t v = rpt_hash_mem(nd->name, nd->len);
	unsigned r = 205 + (unsigned)(v % 50), g = (unsigned)(v >> 8) % 230,
		 b = (unsigned)(v >> 16) % 55;

	snprintf(buf, 8, "#%02x%02x%02x", r, g, b);
}

/* The longest prefix of s[0..len) of at most max bytes that ends on a UTF-8 character. */
static size_t cut_len(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* A label that fits w units: whole UTF-8 characters, ".." when cut; none below 3. */
static void put_label(FILE *out, const char *s, size_t len, double w)
{
	long fit = (long)((w - 6) / CHAR_W), chars = 0;
	size_t i, cut = len;

	if (fit < 3)
		return;
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (++chars > fit) {
			cut = i;
			break;
		}
	}
	if (cut < len) {
		/* room for "..": back off two characters */
		for (int back = 0; back < 2 && cut > 0; back++)
			while (cut > 0 && ((unsigned char)s[--cut] & 0xc0) == 0x80)
				;
		put_esc(out, s, cut);
		fputs("..", out);
	} else {
		put_esc(out, s, len);
	}
}

static int put_flame(struct html *h, struct reason *const *order, size_t nlegend)
{
	FILE *out = h->out;
	const struct rpt_flame_path *paths;
	size_t npaths, nnodes = 0, drawn = 0, i;
	struct node *nodes = NULL;
	uint32_t maxd = 0;
	uint64_t least, total = rpt_flame_total(h->flame);
	unsigned height;

	fputs("<section id=\"flame\">\n<h2>Drop stacks</h2>\n", out);
	if (!total) {
		fputs("<p>No drops.</p>\n</section>\n", out);
		return 0;
	}
	paths = rpt_flame_sorted(h->flame, &npaths);
	if (paths)
		nodes = build_tree(paths, npaths, total, &nnodes);
	if (!nodes)
		return -ENOMEM;
	least = min_count(nodes, nnodes, total, &drawn);
	for (i = 0; i < nnodes; i++)
		if (nodes[i].count >= least && nodes[i].depth > maxd)
			maxd = nodes[i].depth;
	height = (maxd + 1) * FLAME_ROW + 4;
	fprintf(out,
		"<p class=\"note\">A flame graph: the drop reason above all drops, then each "
		"stack from its outermost frame up to where the packet was freed; a box's width is "
		"its share of the drops. %s%s</p>\n<div id=\"flame-tools\"></div>\n",
		h->o.no_stack ? "Stacks were left out (--no-stack): the drop location only. " : "",
		"Hover a box for its numbers; with scripts on, click to zoom and search.");
	if (rpt_flame_folded(h->flame))
		fprintf(out,
			"<p class=\"note\" id=\"flame-folded\">%" PRIu64
			" drops whose stacks did not fit the memory budget are counted in one "
			"(other) box.</p>\n",
			rpt_flame_folded(h->flame));
	if (drawn < nnodes)
		fprintf(out,
			"<p class=\"note\" id=\"flame-pruned\">%zu of %zu frames are too narrow to "
			"draw (under %" PRIu64 " drops each) and are left out.</p>\n",
			nnodes - drawn, nnodes, least);
	fprintf(
	    out,
	    "<svg id=\"flame-svg\" viewBox=\"0 0 %u %u\" data-width=\"%u\" data-total=\"%" PRIu64
	    "\" data-charw=\"%u\" data-boxes=\"%zu\" role=\"img\">\n",
	    FLAME_W, height, FLAME_W, total, CHAR_W, drawn);
	for (i = 0; i < nnodes; i++) {
		const struct node *nd = &nodes[i];
		double x = (double)FLAME_W * (double)nd->x / (double)total;
		double w = (double)FLAME_W * (double)nd->count / (double)total;
		unsigned y = height - 2 - (nd->depth + 1) * FLAME_ROW;
		char colour[8];

		if (nd->count < least)
			continue;
		if (nd->depth == 0) {
			snprintf(colour, sizeof(colour), "#d0d0d0");
		} else {
			frame_colour(nd, colour);
			for (size_t k = 0; nd->depth == 1 && k < nlegend; k++)
				if (strlen(order[k]->esc) == nd->len &&
				    memcmp(order[k]->esc, nd->name, nd->len) == 0)
					snprintf(colour, sizeof(colour), "%s", palette[k]);
		}
		fprintf(out,
			"<g class=\"f\" data-x=\"%" PRIu64 "\" data-w=\"%" PRIu64
			"\" data-d=\"%" PRIu32 "\"><title>",
			nd->x, nd->count, nd->depth);
		put_esc(out, nd->name, cut_len(nd->name, nd->len, TITLE_NAME_MAX));
		if (nd->len > TITLE_NAME_MAX)
			fputs("..", out);
		fprintf(out, "\n%" PRIu64 " drop%s, ", nd->count, nd->count == 1 ? "" : "s");
		put_share(out, nd->count, total);
		fprintf(
		    out,
		    "</title><rect x=\"%.1f\" y=\"%u\" width=\"%.1f\" height=\"%u\" fill=\"%s\"/>",
		    x, y, w, FLAME_ROW - 1, colour);
		if ((w - 6) / CHAR_W >= 3) {
			fprintf(out, "<text x=\"%.1f\" y=\"%u\">", x + 3, y + 12);
			put_label(out, nd->name, nd->len, w);
			fputs("</text>", out);
		}
		fputs("</g>\n", out);
	}
	fputs("</svg>\n</section>\n", out);
	free(nodes);
	return 0;
}

/* ---- the top lists ---- */

static void put_top_head(FILE *out, const char *id, const char *title, const char *note,
			 const char *what)
{
	fprintf(out,
		"<section id=\"%s\">\n<h2>%s</h2>\n%s%s%s<table>\n<thead><tr><th>%s</th>"
		"<th>drops</th><th>share</th></tr></thead>\n<tbody>\n",
		id, title, note ? "<p class=\"note\">" : "", note ? note : "", note ? "</p>\n" : "",
		what);
}

/*
 * After the shown rows of n: one row adding up the rest (rest drops, folded of them past the
 * views' budget), and one for those folded.
 */
static void put_top_tail(FILE *out, size_t shown, size_t n, uint64_t rest, uint64_t folded,
			 uint64_t total)
{
	if (n > shown) {
		fprintf(out,
			"<tr><td>%zu more</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
			n - shown, rest - folded);
		put_share(out, rest - folded, total);
		fputs("</td></tr>\n", out);
	}
	if (folded) {
		fprintf(out,
			"<tr class=\"folded\"><td>(other): past the memory budget</td>"
			"<td class=\"n\">%" PRIu64 "</td><td class=\"n\">",
			folded);
		put_share(out, folded, total);
		fputs("</td></tr>\n", out);
	}
	if (!n && !folded)
		fputs("<tr><td colspan=\"3\">No drops.</td></tr>\n", out);
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static void put_count_cells(FILE *out, uint64_t n, uint64_t total)
{
	fprintf(out, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">", n);
	put_share(out, n, total);
	fputs("</td></tr>\n", out);
}

static int put_flows(struct html *h)
{
	struct bent *v[TOP_ROWS];
	size_t shown = binmap_top(&h->flows, v, TOP_ROWS);
	uint64_t rest = h->total;
	char a[64], b[64];
	FILE *out = h->out;

	put_top_head(out, "flows", "Top flows", NULL, "source &gt; destination");
	for (size_t i = 0; i < shown; i++) {
		const struct flow_key *k = bent_key(v[i]);

		fputs("<tr><td><code>", out);
		put_html(out, rpt_fmt_endpoint(k->family, k->saddr, k->sport, a, sizeof(a)), 64);
		fputs(" &gt; ", out);
		put_html(out, rpt_fmt_endpoint(k->family, k->daddr, k->dport, b, sizeof(b)), 64);
		fputs("</code>", out);
		put_count_cells(out, v[i]->count, h->total);
		rest -= v[i]->count;
	}
	put_top_tail(out, shown, h->flows.n, rest, h->flows.other.count, h->total);
	return 0;
}

/*
 * Locations are counted per file and symbol generation: the same text adds up here. The
 * names' map holds the locations' texts again: it is paid with their charge (given back
 * here, so the map fits where they did), or the budget being full would fold every one.
 */
static int put_locations(struct html *h)
{
	struct strmap byname = {0};
	struct strmap_ent *v;
	uint64_t rest = h->total, folded;
	size_t i, n;
	FILE *out = h->out;
	int rc = 0;

	rpt_budget_give(RPT_POOL_VIEWS, h->locations.charged);
	h->locations.charged = 0;
	for (i = 0; i < h->locations.n && !rc; i++)
		rc = strmap_add(&byname, bent_at(&h->locations, i)->text,
				bent_at(&h->locations, i)->count);
	if (h->locations.other.count) {
		byname.other += h->locations.other.count;
		byname.has_other = true;
	}
	folded = byname.other;
	v = rc ? NULL : strmap_sorted(&byname, &n);
	if (!v && (byname.n || byname.has_other)) {
		strmap_free(&byname);
		return -ENOMEM;
	}
	if (byname.has_other)
		n--; /* the folded row, last: put_top_tail() shows it */
	put_top_head(out, "locations", "Top drop locations",
		     "Where the kernel freed the packet (the function that called kfree_skb).",
		     "location");
	for (i = 0; i < n && i < TOP_ROWS; i++) {
		fputs("<tr><td><code>", out);
		put_esc(out, v[i].key, strlen(v[i].key));
		fputs("</code>", out);
		put_count_cells(out, v[i].count, h->total);
		rest -= v[i].count;
	}
	put_top_tail(out, i, n, rest, folded, h->total);
	free(v);
	strmap_free(&byname);
	return 0;
}

static int put_comms(struct html *h)
{
	struct bent *v[TOP_ROWS];
	size_t shown = binmap_top(&h->comms, v, TOP_ROWS);
	uint64_t rest = h->total;
	FILE *out = h->out;

	put_top_head(out, "owners", "Top tasks on the CPU",
		     "The task that was running on the CPU when the kernel dropped the packet. "
		     "Drops mostly happen in softirq context, so this is often a bystander "
		     "(swapper, ksoftirqd, whoever ran): it is not the socket's owner (the "
		     "table's OWNER column, --summary owner).",
		     "task (comm)");
	for (size_t i = 0; i < shown; i++) {
		fputs("<tr><td><code>", out);
		put_html(out, bent_key(v[i]), TDF_COMM_LEN);
		fputs("</code>", out);
		put_count_cells(out, v[i]->count, h->total);
		rest -= v[i]->count;
	}
	put_top_tail(out, shown, h->comms.n, rest, h->comms.other.count, h->total);
	return 0;
}

static void put_files(struct html *h)
{
	FILE *out = h->out;

	fputs("<section id=\"files\">\n<h2>Files</h2>\n<table>\n<thead><tr><th>file</th>"
	      "<th>host</th><th>drops</th><th>lost</th><th>excluded</th><th>integrity</th></tr>"
	      "</thead>\n<tbody>\n",
	      out);
	for (size_t i = 0; i < h->nfiles; i++) {
		const struct html_file *fi = &h->files[i];

		fputs("<tr><td><code>", out);
		put_html(out, rpt_file_name(fi->f), 4096);
		fputs("</code></td><td>", out);
		put_html(out, rpt_file_host(fi->f), TDF_NAME_MAX);
		fprintf(out,
			"</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
			"</td><td class=\"n\">%" PRIu64 "</td><td>",
			fi->drops, fi->lost, fi->excluded);
		put_integrity(out, fi->f, true);
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</section>\n", out);
}

static int html_finish(void *ctx)
{
	struct html *h = ctx;
	struct reason **order = calloc(h->nreasons ? h->nreasons : 1, sizeof(*order));
	size_t i, nlegend = 0;
	FILE *out = h->out;
	int rc;

	if (!order)
		return -ENOMEM;
	for (i = 0; i < h->nreasons; i++)
		order[i] = &h->reasons[i];
	qsort(order, h->nreasons, sizeof(*order), cmp_reason);
	/* The legend: the most common reasons the timeline counted apart, in that order. */
	for (i = 0; i < h->nreasons && nlegend < LEGEND_MAX; i++) {
		if (order[i]->col == TL_COLS - 1)
			continue;
		order[i]->legend = (int)nlegend;
		/* keep the legend reasons first, in count order */
		struct reason *r = order[i];

		memmove(order + nlegend + 1, order + nlegend, (i - nlegend) * sizeof(*order));
		order[nlegend++] = r;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'sha256-" FLAME_SCRIPT_SHA256 "'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"tcpdrop-report " TCPDROP_VERSION "\">\n"
	      "<title>TCP drops on ",
	      out);
	put_hosts(h);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", page_style);
	put_header(h);
	put_timeline(h, order, nlegend);
	put_reasons(h, order);
	rc = put_flame(h, order, nlegend);
	if (!rc)
		rc = put_flows(h);
	if (!rc)
		rc = put_locations(h);
	if (!rc)
		rc = put_comms(h);
	if (!rc) {
		put_files(h);
		fputs("<footer><p class=\"note\">Made by tcpdrop-report " TCPDROP_VERSION
		      " from the trace file alone: names, symbols and times are the recording "
		      "host's.</p></footer>\n<script>",
		      out);
		fputs(flame_script, out);
		fputs("</script>\n</body>\n</html>\n", out);
	}
	free(order);
	return rc ? rc : rpt_out_status(out, true);
}

static void html_close(void *ctx)
{
	struct html *h = ctx;

	for (size_t i = 0; i < h->nreasons; i++) {
		free(h->reasons[i].raw);
		free(h->reasons[i].esc);
	}
	for (size_t i = 0; i < h->nfiles; i++)
		for (size_t j = 0; j < h->files[i].nproblems; j++)
			free(h->files[i].problems[j]);
	free(h->files);
	free(h->reasons);
	rpt_htab_free(&h->reason_index);
	rpt_budget_give(RPT_POOL_VIEWS, h->charged);
	binmap_free(&h->flows);
	binmap_free(&h->locations);
	binmap_free(&h->comms);
	rpt_stacktext_free(h->frames);
	rpt_flame_free(h->flame);
	free(h);
}

static const struct rpt_sink_ops html_ops = {
    .begin = html_begin,
    .drop = html_drop,
    .loss = html_loss,
    .problem = html_problem,
    .finish = html_finish,
    .close = html_close,
};

static const struct rpt_frame_style location_style = {0};

struct rpt_sink *rpt_html_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct html *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->out = out;
	if (cfg) {
		h->o = cfg->o;
		h->filters = cfg->filters;
	}
	h->clock = h->o;
	h->clock.time_fmt = RPT_TIME_CLOCK;
	/* The header's times may be days apart: the clock alone would hide the date. */
	if (h->o.time_fmt == RPT_TIME_CLOCK)
		h->o.time_fmt = RPT_TIME_ISO;
	h->tl.width = tl_width(0);
	h->other_reason = SIZE_MAX;
	binmap_init(&h->flows, sizeof(struct flow_key));
	binmap_init(&h->locations, sizeof(struct loc_key));
	binmap_init(&h->comms, TDF_COMM_LEN);
	h->frames = rpt_stacktext_new(&location_style);
	h->flame = rpt_flame_new(h->o.no_stack);
	if (!h->frames || !h->flame) {
		html_close(h);
		errno = ENOMEM;
		return NULL;
	}
	h->sink.ops = &html_ops;
	h->sink.ctx = h;
	return &h->sink;
}
