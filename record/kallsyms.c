// SPDX-License-Identifier: BSD-2-Clause
/* kallsyms: a KASLR-normalised snapshot of the kernel's text symbols and address lookup. */
#include "kallsyms.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * How far past its nearest symbol a module address may lie and still be placed (module
 * sizes are not in kallsyms). The largest kernel functions are well below this.
 */
#define MOD_SYM_REACH	  (1u << 20)
#define KALLSYMS_READ_MAX (256u << 20) /* bounds memory if the file is not what we think */
/* /proc/kallsyms is parsed as it is read, this much at a time, never held whole (~5 MiB) */
#define KALLSYMS_READ_BUF ((size_t)64 << 10)

struct sym {
	uint64_t addr;
	uint32_t mod;
	uint32_t off;
	size_t name; /* offset into the string arena until finished */
};

/*
 * The lookup table: consecutive symbols (by address) of one module merged while each lies
 * within reach of the one before, so that "the nearest symbol at or below an address" is
 * answered exactly as by the whole table, in a few hundred entries instead of 100k+.
 */
struct run {
	uint64_t start, last; /* the first and last symbol's address */
	uint32_t mod;
};

struct ksyms {
	char *strings;
	size_t strings_len, strings_cap;
	struct sym *syms; /* while parsing only */
	uint32_t nsyms, syms_cap;
	struct run *runs; /* sorted by start */
	uint32_t nruns;
	char **mods;		  /* index 0 unused: vmlinux */
	uint32_t nmods, mods_cap; /* nmods counts vmlinux */
	uint64_t *mod_base;
	uint64_t text, etext;
	struct tdf_ksym **per_mod; /* sorted by off */
	uint32_t *per_mod_n;
};

/*
 * Make room for need elements of elem bytes in *p (capacity *cap), doubling from 256. The
 * project's growth convention: 0, or -ENOMEM (also for a capacity past UINT32_MAX) with *p
 * and *cap unchanged.
 */
static int grow(void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint64_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2ull : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	np = reallocarray(*p, (size_t)ncap, elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = (uint32_t)ncap;
	return 0;
}

static int str_add(struct ksyms *ks, const char *s, size_t n, size_t *at)
{
	if (ks->strings_len + n + 1 > ks->strings_cap) {
		size_t ncap = ks->strings_cap ? ks->strings_cap * 2 : 65536;
		char *np;

		while (ncap < ks->strings_len + n + 1)
			ncap *= 2;
		np = realloc(ks->strings, ncap);
		if (!np)
			return -ENOMEM;
		ks->strings = np;
		ks->strings_cap = ncap;
	}
	memcpy(ks->strings + ks->strings_len, s, n);
	ks->strings[ks->strings_len + n] = 0;
	*at = ks->strings_len;
	ks->strings_len += n + 1;
	return 0;
}

static int mod_find(struct ksyms *ks, const char *name, size_t n, uint32_t *last, uint32_t *id)
{
	int rc;

	if (*last && strlen(ks->mods[*last]) == n && !memcmp(ks->mods[*last], name, n)) {
		*id = *last;
		return 0;
	}
	for (uint32_t i = 1; i < ks->nmods; i++) {
		if (strlen(ks->mods[i]) == n && !memcmp(ks->mods[i], name, n)) {
			*id = *last = i;
			return 0;
		}
	}
	if (n > TDF_NAME_MAX)
		n = TDF_NAME_MAX;
	rc = grow((void **)&ks->mods, &ks->mods_cap, ks->nmods + 1, sizeof(*ks->mods));
	if (rc)
		return rc;
	ks->mods[ks->nmods] = strndup(name, n);
	if (!ks->mods[ks->nmods])
		return -ENOMEM;
	*id = *last = ks->nmods++;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int cmp_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->mod < y->mod ? -1 : x->mod > y->mod;
}

static int cmp_off(const void *a, const void *b)
{
	const struct tdf_ksym *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* One line: "ADDR TYPE NAME[\t[MODULE]]". Returns 1 when a text symbol was kept. */
static int parse_line(struct ksyms *ks, const char *p, const char *end, uint32_t *last_mod,
		      bool *nonzero)
{
	uint64_t addr = 0;
	int digits = 0, h;
	char type;
	const char *name, *name_end, *mod = NULL, *mod_end = NULL;
	uint32_t mod_id = 0;
	size_t at;
	int rc;

	while (p < end && (h = hexval(*p)) >= 0) {
		if (digits++ >= 16)
			return 0;
		addr = addr << 4 | (uint64_t)h;
		p++;
	}
	if (!digits || end - p < 3 || p[0] != ' ' || p[2] != ' ')
		return 0;
	type = p[1];
	name = p + 3;
	for (name_end = name; name_end < end && *name_end != '\t' && *name_end != ' '; name_end++)
		;
	if (name_end == name || name_end - name > (long)TDF_NAME_MAX)
		return 0;
	if (addr)
		*nonzero = true;
	if (name_end < end) {
		const char *q = name_end;

		while (q < end && (*q == '\t' || *q == ' '))
			q++;
		if (q < end && *q == '[') {
			mod = q + 1;
			for (mod_end = mod; mod_end < end && *mod_end != ']'; mod_end++)
				;
			if (mod_end == end || mod_end == mod)
				return 0;
		}
	}
	if (!mod) {
		if (name_end - name == 5 && !memcmp(name, "_text", 5))
			ks->text = addr;
		else if (name_end - name == 6 && !memcmp(name, "_etext", 6))
			ks->etext = addr;
	}
	if (type != 't' && type != 'T')
		return 0;
	rc = mod ? mod_find(ks, mod, (size_t)(mod_end - mod), last_mod, &mod_id) : 0;
	if (!rc)
		rc = grow((void **)&ks->syms, &ks->syms_cap, ks->nsyms + 1, sizeof(*ks->syms));
	if (!rc)
		rc = str_add(ks, name, (size_t)(name_end - name), &at);
	if (rc)
		return rc;
	ks->syms[ks->nsyms++] = (struct sym){.addr = addr, .mod = mod_id, .name = at};
	return 1;
}

/* May sym b join the run that ends with sym a? The mirror of ksyms_normalise's reach test. */
static bool joins(const struct ksyms *ks, const struct run *a, const struct sym *b)
{
	if (a->mod != b->mod)
		return false;
	if (b->mod == 0 && ks->etext)
		return true; /* vmlinux up to _etext: placed whatever the gap */
	return b->addr - a->last <= MOD_SYM_REACH;
}

/* Merge the sorted symbols into runs: counted first, so that only the runs are allocated. */
static int build_runs(struct ksyms *ks)
{
	struct run cur = {0};
	uint32_t n = 0;

	for (uint32_t i = 0; i < ks->nsyms; i++) {
		const struct sym *s = &ks->syms[i];

		if (n && joins(ks, &cur, s)) {
			cur.last = s->addr;
		} else {
			cur = (struct run){.start = s->addr, .last = s->addr, .mod = s->mod};
			n++;
		}
	}
	ks->runs = calloc(n ? n : 1, sizeof(*ks->runs));
	if (!ks->runs)
		return -ENOMEM;
	n = 0;
	for (uint32_t i = 0; i < ks->nsyms; i++) {
		const struct sym *s = &ks->syms[i];

		if (n && joins(ks, &ks->runs[n - 1], s))
			ks->runs[n - 1].last = s->addr;
		else
			ks->runs[n++] =
			    (struct run){.start = s->addr, .last = s->addr, .mod = s->mod};
	}
	ks->nruns = n;
	free(ks->syms);
	ks->syms = NULL;
	ks->syms_cap = 0;
	return 0;
}

static int finish(struct ksyms *ks)
{
	uint32_t keep = 0;

	ks->mod_base = calloc(ks->nmods, sizeof(*ks->mod_base));
	ks->per_mod = calloc(ks->nmods, sizeof(*ks->per_mod));
	ks->per_mod_n = calloc(ks->nmods, sizeof(*ks->per_mod_n));
	if (!ks->mod_base || !ks->per_mod || !ks->per_mod_n)
		return -ENOMEM;
	for (uint32_t i = 0; i < ks->nmods; i++)
		ks->mod_base[i] = i == 0 ? ks->text : UINT64_MAX;
	for (uint32_t i = 0; i < ks->nsyms; i++) {
		struct sym *s = &ks->syms[i];

		if (s->mod && s->addr < ks->mod_base[s->mod])
			ks->mod_base[s->mod] = s->addr;
	}
	/* offsets; drop what cannot be expressed (below _text, beyond 4 GiB) */
	for (uint32_t i = 0; i < ks->nsyms; i++) {
		struct sym s = ks->syms[i];
		uint64_t base = ks->mod_base[s.mod];

		if (s.addr < base || s.addr - base > UINT32_MAX)
			continue;
		if (s.mod == 0 && ks->etext && s.addr > ks->etext)
			continue;
		s.off = (uint32_t)(s.addr - base);
		ks->syms[keep++] = s;
		ks->per_mod_n[s.mod]++;
	}
	ks->nsyms = keep;
	qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), cmp_addr);
	/* the arena doubled while growing: give back its unused tail before pointing into it */
	if (ks->strings_len && ks->strings_len < ks->strings_cap) {
		char *np = realloc(ks->strings, ks->strings_len);

		if (np) {
			ks->strings = np;
			ks->strings_cap = ks->strings_len;
		}
	}

	for (uint32_t m = 0; m < ks->nmods; m++) {
		ks->per_mod[m] =
		    calloc(ks->per_mod_n[m] ? ks->per_mod_n[m] : 1, sizeof(struct tdf_ksym));
		if (!ks->per_mod[m])
			return -ENOMEM;
		ks->per_mod_n[m] = 0;
	}
	for (uint32_t i = 0; i < ks->nsyms; i++) {
		const struct sym *s = &ks->syms[i];

		ks->per_mod[s->mod][ks->per_mod_n[s->mod]++] =
		    (struct tdf_ksym){.off = s->off, .name = ks->strings + s->name};
	}
	for (uint32_t m = 0; m < ks->nmods; m++)
		qsort(ks->per_mod[m], ks->per_mod_n[m], sizeof(struct tdf_ksym), cmp_off);
	return build_runs(ks);
}

struct parse {
	struct ksyms *ks;
	uint32_t last_mod;
	bool nonzero;
};

static int parse_begin(struct parse *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->ks = calloc(1, sizeof(*ps->ks));
	if (!ps->ks)
		return -ENOMEM;
	ps->ks->mods = calloc(16, sizeof(*ps->ks->mods));
	if (!ps->ks->mods)
		return -ENOMEM;
	ps->ks->mods_cap = 16;
	ps->ks->nmods = 1;
	return 0;
}

/* The lines of text[0..len); with more to come, a last line without '\n' is left: *used. */
static int parse_lines(struct parse *ps, const char *text, size_t len, bool more, size_t *used)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		int rc;

		if (!nl && more)
			break;
		rc = parse_line(ps->ks, p, le, &ps->last_mod, &ps->nonzero);
		if (rc < 0)
			return rc;
		p = nl ? nl + 1 : end;
	}
	*used = (size_t)(p - text);
	return 0;
}

static struct ksyms *parse_end(struct parse *ps, int rc)
{
	if (!rc && !ps->nonzero)
		rc = -EPERM;
	if (!rc && !ps->ks->text)
		rc = -EINVAL;
	if (!rc)
		rc = finish(ps->ks);
	if (!rc)
		return ps->ks;
	ksyms_free(ps->ks);
	errno = -rc;
	return NULL;
}

struct ksyms *ksyms_parse(const char *text, size_t len)
{
	struct parse ps;
	size_t used;
	int rc = parse_begin(&ps);

	if (!rc)
		rc = parse_lines(&ps, text, len, false, &used);
	return parse_end(&ps, rc);
}

struct ksyms *ksyms_load(const char *path)
{
	int fd = open(path ? path : "/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = KALLSYMS_READ_BUF, total = 0, used;
	struct ksyms *ks;
	struct parse ps;
	char *buf = NULL, *nb;
	ssize_t n;
	int rc, saved;

	if (fd < 0)
		return NULL;
	rc = parse_begin(&ps);
	if (!rc && !(buf = malloc(cap)))
		rc = -ENOMEM;
	while (!rc) {
		if (len == cap) {
			/* a line longer than the buffer: not kallsyms as we know it, but bounded */
			if (cap >= KALLSYMS_READ_MAX) {
				rc = -EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		total += (size_t)n;
		if (total > KALLSYMS_READ_MAX) {
			rc = -EFBIG;
			break;
		}
		len += (size_t)n;
		rc = parse_lines(&ps, buf, len, n > 0, &used);
		if (rc || n == 0)
			break;
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	ks = parse_end(&ps, rc);
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	for (uint32_t i = 1; i < ks->nmods; i++)
		free(ks->mods[i]);
	if (ks->per_mod)
		for (uint32_t i = 0; i < ks->nmods; i++)
			free(ks->per_mod[i]);
	free(ks->per_mod);
	free(ks->per_mod_n);
	free(ks->mod_base);
	free(ks->mods);
	free(ks->syms);
	free(ks->runs);
	free(ks->strings);
	free(ks);
}

struct tdf_kaddr ksyms_normalise(const struct ksyms *ks, uint64_t addr)
{
	struct tdf_kaddr unknown = {TDF_MOD_UNKNOWN, 0};
	uint32_t lo = 0, hi;
	const struct run *s;
	uint64_t near; /* the nearest symbol at or below addr */

	if (!ks || !ks->nruns || addr < ks->runs[0].start)
		return unknown;
	hi = ks->nruns;
	while (hi - lo > 1) { /* last run with start <= addr */
		uint32_t mid = lo + (hi - lo) / 2;

		if (ks->runs[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	s = &ks->runs[lo];
	/* inside a run the symbol below lies within reach of addr (joins()) */
	near = addr <= s->last ? addr : s->last;
	if (s->mod == 0) {
		if (ks->etext ? addr >= ks->etext : addr - near > MOD_SYM_REACH)
			return unknown;
	} else if (addr - near > MOD_SYM_REACH) {
		return unknown;
	}
	if (addr - ks->mod_base[s->mod] > UINT32_MAX)
		return unknown;
	return (struct tdf_kaddr){.mod = s->mod, .off = (uint32_t)(addr - ks->mod_base[s->mod])};
}

uint32_t ksyms_mod_count(const struct ksyms *ks)
{
	return ks ? ks->nmods - 1 : 0;
}

const char *ksyms_mod_name(const struct ksyms *ks, uint32_t id)
{
	if (!ks || id == 0 || id >= ks->nmods)
		return NULL;
	return ks->mods[id];
}

int ksyms_symbols(const struct ksyms *ks, uint32_t mod, struct tdf_ksyms *out)
{
	if (!ks || mod >= ks->nmods)
		return -ENOENT;
	out->mod = mod;
	out->count = ks->per_mod_n[mod];
	out->syms = ks->per_mod[mod];
	return 0;
}

uint32_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->nsyms : 0;
}
