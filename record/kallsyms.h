/* SPDX-License-Identifier: BSD-2-Clause */
/* kallsyms: a KASLR-normalised snapshot of the kernel's text symbols and address lookup. */
#ifndef TCPDROP_REC_KALLSYMS_H
#define TCPDROP_REC_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "tdf.h"

struct ksyms;

/*
 * Parse /proc/kallsyms-formatted text (len bytes, need not be NUL-terminated): text symbols
 * (t/T) of vmlinux and of modules ("[name]" suffix; BPF programs and trampolines appear as
 * pseudo-modules such as "bpf"). vmlinux offsets are taken from _text, a module's from its
 * lowest text symbol. Returns NULL with errno: EPERM when every address is zero (the reader
 * lacked CAP_SYSLOG), EINVAL when there is no _text, ENOMEM.
 */
struct ksyms *ksyms_parse(const char *text, size_t len);

/* Read and parse /proc/kallsyms (or path). NULL with errno on failure. */
struct ksyms *ksyms_load(const char *path);

void ksyms_free(struct ksyms *ks);

/*
 * Turn a raw kernel text address into its normalised form. Addresses outside every known
 * text range come back as { TDF_MOD_UNKNOWN, 0 }: the raw address is never kept.
 */
struct tdf_kaddr ksyms_normalise(const struct ksyms *ks, uint64_t addr);

/* Module ids are 1..ksyms_mod_count(); names are owned by ks. */
uint32_t ksyms_mod_count(const struct ksyms *ks);
const char *ksyms_mod_name(const struct ksyms *ks, uint32_t id);

/*
 * The symbols of module mod (TDF_MOD_VMLINUX or 1..count) as a record body ready for
 * tdf_writer_add, sorted by offset. Pointers stay valid until ksyms_free. 0 or -ENOENT.
 */
int ksyms_symbols(const struct ksyms *ks, uint32_t mod, struct tdf_ksyms *out);

/* Total text symbols kept. */
uint32_t ksyms_count(const struct ksyms *ks);

#endif /* TCPDROP_REC_KALLSYMS_H */
