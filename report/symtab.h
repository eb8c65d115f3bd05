/* SPDX-License-Identifier: BSD-2-Clause */
/* symtab: one file's kallsyms snapshot, per module, with the pool its names live in (internal). */
#ifndef TCPDROP_RPT_SYMTAB_H
#define TCPDROP_RPT_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdf.h"

/*
 * A real snapshot holds some 120000 text symbols (Debian's 6.x kernel with its modules loaded)
 * in one or two hundred modules; the caps are far above that and bound the work (a module is
 * found by a linear scan while records arrive). Memory is what the files' budget allows
 * (report/budget.h), charged before anything is kept.
 */
#define RPT_SYMTAB_KMOD_MAX 4096u      /* modules of one file */
#define RPT_SYMTAB_KSYM_MAX (4u << 20) /* symbols of one file over all its modules */

struct rpt_module;
struct rpt_name_chunk;

/*
 * The symbols of vmlinux and of each module, sorted by offset once they are looked up, and
 * the modules' names. Records may arrive in any order; rpt_symtab_prepare() sorts what came
 * out of order before the next lookup.
 */
struct rpt_symtab {
	struct rpt_module *mods; /* mods[0] is vmlinux; sorted by id after prepare */
	size_t nmods, cap_mods;
	bool mods_dirty;
	bool dirty; /* something to sort: prepare() is then more than one test */
	size_t total_syms;
	size_t charged;		      /* bytes charged to the files' budget (report/budget.h) */
	struct rpt_name_chunk *names; /* the pool symbol names live in, newest chunk first */
	uint64_t gen;		      /* bumped whenever a symbol or a module name may change */
};

/* An empty table that knows vmlinux. Returns 0 or -ENOMEM. */
int rpt_symtab_init(struct rpt_symtab *t);

void rpt_symtab_free(struct rpt_symtab *t);

/*
 * Name a module (KMOD record; ids of vmlinux and "unknown" are ignored). Returns 0, -ENOMEM,
 * or RPT_FULL_COUNT / RPT_FULL_BYTES (report/budget.h) when the module was left out.
 */
int rpt_symtab_add_kmod(struct rpt_symtab *t, const struct tdf_kmod *k);

/*
 * Add a KSYMS record's symbols. Returns 0 or -ENOMEM; past the cap on symbols or modules or
 * the files' budget the rest is ignored and RPT_FULL_COUNT or RPT_FULL_BYTES returned.
 */
int rpt_symtab_add_ksyms(struct rpt_symtab *t, const struct tdf_ksyms *ks);

/* Sort what arrived out of order; call before lookups. */
void rpt_symtab_prepare(struct rpt_symtab *t);

/* Does the table hold module mod (named or not)? */
bool rpt_symtab_module_known(const struct rpt_symtab *t, uint32_t mod);

/* A module's name (NULL if never named; vmlinux has none here). */
const char *rpt_symtab_module(const struct rpt_symtab *t, uint32_t mod);

/* As rpt_file_lookup() (report/rpt.h). */
const char *rpt_symtab_lookup(const struct rpt_symtab *t, struct tdf_kaddr a, uint32_t *sym_off,
			      const char **module);

#endif /* TCPDROP_RPT_SYMTAB_H */
