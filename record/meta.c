// SPDX-License-Identifier: BSD-2-Clause
/* meta: host metadata key/values and clock anchors for the trace file. */
#include "meta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef TCPDROP_VERSION
#define TCPDROP_VERSION "unknown"
#endif

static int put(struct meta *m, const char *key, const char *value)
{
	size_t n = strlen(value);

	if (n > TDF_NAME_MAX)
		n = TDF_NAME_MAX;
	if (m->count >= META_KV_MAX || m->used + n + 1 > sizeof(m->buf))
		return -ENOSPC;
	memcpy(m->buf + m->used, value, n);
	m->buf[m->used + n] = 0;
	m->kv[m->count].key = key;
	m->kv[m->count].value = m->buf + m->used;
	m->count++;
	m->used += n + 1;
	return 0;
}

static void read_line(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	buf[0] = 0;
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n <= 0)
		return;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

size_t meta_cmdline(int argc, char **argv, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return 0;
	buf[0] = 0;
	for (int i = 0; i < argc && off + 1 < len; i++) {
		const char *a = argv[i];
		int quote =
		    !*a || a[strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				       "0123456789_./:,=+%@-")] != 0;

		if (i)
			buf[off++] = ' ';
		if (quote && off + 1 < len)
			buf[off++] = '\'';
		for (; *a && off + 1 < len; a++) {
			if (*a == '\'' && off + 4 < len) {
				memcpy(buf + off, "'\\''", 4);
				off += 4;
			} else if (*a != '\'') {
				buf[off++] = *a;
			}
		}
		if (quote && off + 1 < len)
			buf[off++] = '\'';
		buf[off] = 0;
	}
	buf[off] = 0;
	return off;
}

int meta_collect(struct meta *m, const struct meta_info *in)
{
	struct utsname u;
	char line[TDF_NAME_MAX + 1], num[32];
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (uname(&u))
		return -errno;
	rc |= put(m, TDF_META_HOST, u.nodename);
	rc |= put(m, TDF_META_KERNEL_RELEASE, u.release);
	rc |= put(m, TDF_META_KERNEL_VERSION, u.version);
	read_line("/proc/sys/kernel/random/boot_id", line, sizeof(line));
	rc |= put(m, TDF_META_BOOT_ID, line);
	rc |= put(m, TDF_META_ARCH, u.machine);
	rc |= put(m, TDF_META_TOOL_VERSION, TCPDROP_VERSION);
	meta_cmdline(in->argc, in->argv, line, sizeof(line));
	rc |= put(m, TDF_META_CMDLINE, line);
	snprintf(num, sizeof(num), "%u", in->snaplen);
	rc |= put(m, TDF_META_SNAPLEN, num);
	snprintf(num, sizeof(num), "%u", in->stack_depth);
	rc |= put(m, TDF_META_STACK_DEPTH, num);
	rc |= put(m, TDF_META_FILTERS, in->filters ? in->filters : "");
	rc |= put(m, TDF_META_HOOK, in->hook ? in->hook : "");
	rc |= put(m, TDF_META_RX_SK, in->rx_sk ? "yes" : "no");
	rc |= put(m, TDF_META_OWNERS, in->owners ? in->owners : "no");
	return rc ? -ENOSPC : 0;
}

void meta_record(const struct meta *m, struct tdf_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = TDF_REC_META;
	rec->meta.count = m->count;
	rec->meta.kv = m->kv;
}

static uint64_t ns_of(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

uint64_t meta_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ns_of(&ts);
}

int meta_clock_now(struct tdf_clock *c)
{
	struct timespec b1, r, b2;

	if (clock_gettime(CLOCK_BOOTTIME, &b1) || clock_gettime(CLOCK_REALTIME, &r) ||
	    clock_gettime(CLOCK_BOOTTIME, &b2))
		return -errno;
	c->boot_ns = ns_of(&b1) + (ns_of(&b2) - ns_of(&b1)) / 2;
	c->real_ns = ns_of(&r);
	return 0;
}
