// SPDX-License-Identifier: BSD-2-Clause
/* tdfdump: print every record of a trace file with all raw fields, one line each (test oracle). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "tdf.h"

/* Largest file --chunks maps into memory: trace files in tests are small. */
#define CHUNKS_FILE_MAX (512u << 20)

static void usage(void)
{
	fprintf(stderr,
		"usage: tdfdump [--chunks] FILE|-\n"
		"  prints one line per record; --chunks writes the decompressed bytes of every\n"
		"  zstd frame found in FILE to stdout instead.\n");
	exit(2);
}

/* Bytes outside [A-Za-z0-9._:/+-] as \xNN, so every value is one shell word. */
static void put_str(const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("._:/+-@,", ch))
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
}

static void put_kaddr(const char *key, struct tdf_kaddr a)
{
	if (a.mod == TDF_MOD_UNKNOWN)
		printf(" %s=unknown", key);
	else
		printf(" %s=%u+0x%x", key, a.mod, a.off);
}

struct table {
	uint32_t count;
	uint32_t *values;
	char **names;
};

static void table_add(struct table *t, const struct tdf_names *n)
{
	for (uint32_t i = 0; i < n->count; i++) {
		uint32_t *v = realloc(t->values, (t->count + 1) * sizeof(*v));
		char **s = realloc(t->names, (t->count + 1) * sizeof(*s));
		if (!v || !s) {
			fprintf(stderr, "tdfdump: out of memory\n");
			exit(1);
		}
		t->values = v;
		t->names = s;
		t->values[t->count] = n->names[i].value;
		t->names[t->count] = strdup(n->names[i].name);
		t->count++;
	}
}

static const char *table_name(const struct table *t, uint32_t value)
{
	for (uint32_t i = t->count; i-- > 0;)
		if (t->values[i] == value)
			return t->names[i];
	return NULL;
}

static void put_addr(const char *key, uint8_t family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	printf(" %s=%s", key, buf);
}

static void put_drop(const struct tdf_drop *d, const struct table *reasons,
		     const struct table *states)
{
	const char *rn = table_name(reasons, d->reason), *sn = table_name(states, d->state);
	printf("drop seq_no=%llu ts=%llu cpu=%u pid=%u tid=%u comm=", (unsigned long long)d->seq_no,
	       (unsigned long long)d->ts_ns, d->cpu, d->pid, d->tid);
	put_str(d->comm, TDF_COMM_LEN);
	printf(" family=%u flags=0x%02x state=%u state_name=", d->family, d->tcp_flags, d->state);
	if (d->state == TDF_STATE_NONE)
		printf("none");
	else
		put_str(sn ? sn : "?", TDF_NAME_MAX);
	printf(" dir=%u", d->dir);
	put_addr("saddr", d->family, d->saddr);
	put_addr("daddr", d->family, d->daddr);
	printf(" sport=%u dport=%u tcp_seq=%u tcp_ack=%u win=%u reason_raw=%u reason=", d->sport,
	       d->dport, d->tcp_seq, d->tcp_ack, d->win, d->reason);
	put_str(rn ? tdf_reason_short(rn) : "?", TDF_NAME_MAX);
	put_kaddr("location", d->location);
	printf(" netns=%u ifindex=%u ifname=", d->netns, d->ifindex);
	put_str(d->ifname, TDF_IFNAME_LEN);
	printf(" len=%u ip_len=%u owner=%u stack_id=%u caplen=%u data=", d->len,
	       tdf_ip_len(d->data, d->caplen), d->owner, d->stack_id, d->caplen);
	for (uint32_t i = 0; i < d->caplen; i++)
		printf("%02x", d->data[i]);
	printf("\n");
}

static int dump_records(const char *path)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	if (fd < 0) {
		fprintf(stderr, "tdfdump: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct tdf_reader *r = tdf_reader_open_fd(fd, path);
	if (!r) {
		fprintf(stderr, "tdfdump: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct table reasons = {0}, states = {0};
	struct tdf_record rec;
	int rc;
	while ((rc = tdf_reader_next(r, &rec)) == 1) {
		switch (rec.type) {
		case TDF_REC_META:
			for (uint32_t i = 0; i < rec.meta.count; i++) {
				printf("meta key=");
				put_str(rec.meta.kv[i].key, TDF_NAME_MAX);
				printf(" value=");
				put_str(rec.meta.kv[i].value, 65535);
				printf("\n");
			}
			break;
		case TDF_REC_CLOCK:
			printf("clock boot_ns=%llu real_ns=%llu\n",
			       (unsigned long long)rec.clock.boot_ns,
			       (unsigned long long)rec.clock.real_ns);
			break;
		case TDF_REC_REASONS:
		case TDF_REC_STATES:
			table_add(rec.type == TDF_REC_REASONS ? &reasons : &states, &rec.names);
			printf("%s count=%u\n", rec.type == TDF_REC_REASONS ? "reasons" : "states",
			       rec.names.count);
			break;
		case TDF_REC_KMOD:
			printf("kmod id=%u name=", rec.kmod.id);
			put_str(rec.kmod.name, TDF_NAME_MAX);
			printf("\n");
			break;
		case TDF_REC_KSYMS:
			printf("ksyms mod=%u count=%u", rec.ksyms.mod, rec.ksyms.count);
			if (rec.ksyms.count)
				printf(" first_off=0x%x last_off=0x%x", rec.ksyms.syms[0].off,
				       rec.ksyms.syms[rec.ksyms.count - 1].off);
			printf("\n");
			break;
		case TDF_REC_STACK:
			printf("stack id=%u depth=%u", rec.stack.id, rec.stack.depth);
			for (uint32_t i = 0; i < rec.stack.depth; i++)
				put_kaddr("frame", rec.stack.frames[i]);
			printf("\n");
			break;
		case TDF_REC_LOSS:
			printf("loss kind=%u cpu=%u count=%llu from_ns=%llu to_ns=%llu\n",
			       rec.loss.kind, rec.loss.cpu, (unsigned long long)rec.loss.count,
			       (unsigned long long)rec.loss.from_ns,
			       (unsigned long long)rec.loss.to_ns);
			break;
		case TDF_REC_DROP:
			put_drop(&rec.drop, &reasons, &states);
			break;
		case TDF_REC_OWNER:
			printf("owner id=%u pid=%u comm=", rec.owner.id, rec.owner.pid);
			put_str(rec.owner.comm, TDF_COMM_LEN);
			printf(" cgroup=%llu\n", (unsigned long long)rec.owner.cgroup);
			break;
		case TDF_REC_CGROUP:
			printf("cgroup id=%llu path=", (unsigned long long)rec.cgroup.id);
			put_str(rec.cgroup.path, TDF_NAME_MAX);
			printf(" container=");
			put_str(rec.cgroup.container, TDF_NAME_MAX);
			printf("\n");
			break;
		case TDF_REC_NETNS:
			printf("netns inode=%u name=", rec.netns.inode);
			put_str(rec.netns.name, TDF_NAME_MAX);
			printf("\n");
			break;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			printf("%s offset=%llu skipped=%llu what=",
			       rec.type == TDF_EV_CORRUPT ? "corrupt" : "truncated",
			       (unsigned long long)rec.problem.offset,
			       (unsigned long long)rec.problem.skipped);
			put_str(rec.problem.what ? rec.problem.what : "", 4096);
			printf("\n");
			break;
		case TDF_EV_INDEX:
			printf("index chunks=%u drops=%llu lost=%llu excluded=%llu first_ns=%llu "
			       "last_ns=%llu\n",
			       rec.index.chunks, (unsigned long long)rec.index.drops,
			       (unsigned long long)rec.index.lost,
			       (unsigned long long)rec.index.excluded,
			       (unsigned long long)rec.index.first_ns,
			       (unsigned long long)rec.index.last_ns);
			break;
		default:
			printf("unknown type=%u\n", rec.type);
		}
	}
	struct tdf_reader_stats st;
	tdf_reader_stats(r, &st);
	printf("end status=%s chunks=%llu corrupt=%llu skipped_bytes=%llu truncated=%d "
	       "clean_close=%d\n",
	       rc == 0 ? "ok" : "error", (unsigned long long)st.chunks,
	       (unsigned long long)st.corrupt, (unsigned long long)st.skipped_bytes, st.truncated,
	       st.clean_close);
	if (rc < 0)
		fprintf(stderr, "tdfdump: %s\n", tdf_reader_error(r));
	tdf_reader_close(r);
	if (fd)
		close(fd);
	for (uint32_t i = 0; i < reasons.count; i++)
		free(reasons.names[i]);
	for (uint32_t i = 0; i < states.count; i++)
		free(states.names[i]);
	free(reasons.values);
	free(reasons.names);
	free(states.values);
	free(states.names);
	return rc < 0;
}

/*
 * Independent of the format library: find every zstd frame by its magic number and write
 * what it decompresses to. Used to search decompressed bytes for things that must not be there.
 */
static int dump_chunks(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > (off_t)CHUNKS_FILE_MAX) {
		fprintf(stderr, "tdfdump: %s: %s\n", path, fd < 0 ? strerror(errno) : "too large");
		return 1;
	}
	size_t len = (size_t)st.st_size;
	unsigned char *buf = malloc(len + 1);
	size_t got = 0;
	while (buf && got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf || got != len) {
		fprintf(stderr, "tdfdump: %s: short read\n", path);
		return 1;
	}
	size_t out_cap = TDF_CHUNK_RAW_MAX;
	void *out = malloc(out_cap);
	unsigned frames = 0;
	for (size_t i = 0; out && i + 4 <= len; i++) {
		if (buf[i] != 0x28 || buf[i + 1] != 0xb5 || buf[i + 2] != 0x2f ||
		    buf[i + 3] != 0xfd)
			continue;
		size_t csize = ZSTD_findFrameCompressedSize(buf + i, len - i);
		if (ZSTD_isError(csize))
			continue;
		size_t n = ZSTD_decompress(out, out_cap, buf + i, csize);
		if (ZSTD_isError(n))
			continue;
		fwrite(out, 1, n, stdout);
		frames++;
		i += csize - 1;
	}
	fprintf(stderr, "tdfdump: %u zstd frames\n", frames);
	free(out);
	free(buf);
	return frames ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--chunks"))
		return dump_chunks(argv[2]);
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		usage();
	return dump_records(argv[1]);
}
