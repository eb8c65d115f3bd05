// SPDX-License-Identifier: BSD-2-Clause
/* btfnames: drop-reason and TCP-state name tables of the running kernel, read from its BTF. */
#include "btfnames.h"

#include <bpf/btf.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REASON_PREFIX "SKB_DROP_REASON_"

static int add(struct btfnames *t, uint32_t *cap, uint32_t value, const char *name)
{
	char *copy;

	for (uint32_t i = 0; i < t->count; i++)
		if (t->names[i].value == value)
			return 0; /* first name wins: vmlinux before modules */
	if (t->count == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 256;
		struct tdf_name *n = realloc(t->names, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->names = n;
		*cap = ncap;
	}
	copy = strndup(name, TDF_NAME_MAX);
	if (!copy)
		return -ENOMEM;
	t->names[t->count++] = (struct tdf_name){.value = value, .name = copy};
	return 0;
}

/* Add enumerators of drop-reason enums with type ids [first, btf__type_cnt). */
static int scan(const struct btf *btf, uint32_t first, struct btfnames *t, uint32_t *cap,
		int *found)
{
	uint32_t n = btf__type_cnt(btf);

	for (uint32_t id = first; id < n; id++) {
		const struct btf_type *ty = btf__type_by_id(btf, id);
		const char *tname;
		uint16_t vlen;

		if (!ty || !btf_is_any_enum(ty))
			continue;
		tname = btf__name_by_offset(btf, ty->name_off);
		if (!tname || !strstr(tname, "drop_reason") || strstr(tname, "_subsys"))
			continue;
		vlen = btf_vlen(ty);
		(*found)++;
		for (uint16_t i = 0; i < vlen; i++) {
			const char *ename;
			uint64_t v;
			int rc;

			if (btf_is_enum(ty)) {
				const struct btf_enum *e = btf_enum(ty) + i;

				ename = btf__name_by_offset(btf, e->name_off);
				v = (uint32_t)e->val;
			} else {
				const struct btf_enum64 *e = btf_enum64(ty) + i;

				ename = btf__name_by_offset(btf, e->name_off);
				v = btf_enum64_value(e);
			}
			if (!ename || !*ename || v > UINT32_MAX)
				continue;
			rc = add(t, cap, (uint32_t)v, ename);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int btfnames_reasons(struct btf *vmlinux, const char *btf_dir, struct btfnames *out)
{
	uint32_t cap = 0;
	int found = 0, rc;
	DIR *d;
	struct dirent *de;
	char path[512];

	out->count = 0;
	out->names = NULL;
	rc = scan(vmlinux, 1, out, &cap, &found);
	if (rc)
		goto fail;
	if (!found) {
		rc = -ENOENT;
		goto fail;
	}
	d = opendir(btf_dir ? btf_dir : "/sys/kernel/btf");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct btf *mb;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", btf_dir ? btf_dir : "/sys/kernel/btf",
			 de->d_name);
		mb = btf__parse_split(path, vmlinux);
		if (!mb)
			continue; /* a module going away, or not BTF: its reasons stay unnamed */
		rc = scan(mb, btf__type_cnt(vmlinux), out, &cap, &found);
		btf__free(mb);
		if (rc) {
			closedir(d);
			goto fail;
		}
	}
	closedir(d);
	return 0;
fail:
	btfnames_free(out);
	return rc;
}

/* Linux's TCP states (include/net/tcp_states.h): the numbering is ABI (inet_diag). */
static const char *const fallback_states[] = {
    NULL,    "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",	 "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",	 "NEW_SYN_RECV", "BOUND_INACTIVE",
};

int btfnames_states(const struct btf *vmlinux, struct btfnames *out)
{
	uint32_t cap = 0, n = vmlinux ? btf__type_cnt(vmlinux) : 0;
	int rc;

	out->count = 0;
	out->names = NULL;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *ty = btf__type_by_id(vmlinux, id);
		const struct btf_enum *e;
		bool is_states = false;
		uint16_t vlen;

		if (!ty || !btf_is_enum(ty))
			continue;
		vlen = btf_vlen(ty);
		e = btf_enum(ty);
		for (uint16_t i = 0; i < vlen; i++) {
			const char *en = btf__name_by_offset(vmlinux, e[i].name_off);

			if (en && !strcmp(en, "TCP_ESTABLISHED") && e[i].val == 1) {
				is_states = true;
				break;
			}
		}
		if (!is_states)
			continue;
		for (uint16_t i = 0; i < vlen; i++) {
			const char *en = btf__name_by_offset(vmlinux, e[i].name_off);

			if (!en || strncmp(en, "TCP_", 4) || !strcmp(en, "TCP_MAX_STATES"))
				continue;
			rc = add(out, &cap, (uint32_t)e[i].val, en + 4);
			if (rc)
				goto fail;
		}
		if (out->count)
			return 0;
	}
	for (uint32_t v = 1; v < sizeof(fallback_states) / sizeof(fallback_states[0]); v++) {
		rc = add(out, &cap, v, fallback_states[v]);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	btfnames_free(out);
	return rc;
}

int btfnames_find_exact(const struct btfnames *t, const char *name, uint32_t *value)
{
	for (uint32_t i = 0; i < t->count; i++) {
		if (!strcmp(t->names[i].name, name)) {
			*value = t->names[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

int btfnames_find(const struct btfnames *t, const char *name, uint32_t *value)
{
	size_t plen = strlen(REASON_PREFIX);

	for (uint32_t i = 0; i < t->count; i++) {
		const char *n = t->names[i].name;

		if (!strcasecmp(n, name) ||
		    (!strncmp(n, REASON_PREFIX, plen) && !strcasecmp(n + plen, name))) {
			*value = t->names[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

void btfnames_free(struct btfnames *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->count; i++)
		free((char *)t->names[i].name);
	free(t->names);
	t->names = NULL;
	t->count = 0;
}
