// SPDX-License-Identifier: BSD-2-Clause
/* rewrite: one trace file copied through the format writer, filtered and optionally anonymised. */
#include "rewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "filter.h"

struct rewrite {
	const struct rpt_rewrite_opts *o;
	struct rpt_file
	    *f; /* the input's metadata, for the filter (its own reader reads nothing) */
	struct tdf_writer *w;
	bool begun;	/* the filter knows the start */
	bool said_anon; /* the RPT_META_ANONYMIZED pair is written */
	uint64_t passed, written;
	uint8_t data[TDF_SNAP_MAX];
	char unknown_reason[32], unknown_state[16];
	char names[RPT_ANON_NAME_BUF]; /* an anonymised CGROUP's or NETNS's strings */
};

#define PSEUDONYM_MAX 80 /* "host-" and hex digits, or a boot id, with room to spare */

/* META: every pair through the anonymiser, then (once) what the anonymisation was. */
static int put_meta(struct rewrite *rw, const struct tdf_record *rec)
{
	struct tdf_record out = {.type = TDF_REC_META};
	size_t i, n = 0;
	struct tdf_kv *kv;
	char *values;
	const char *v;
	int rc;

	if (!rw->o->anon)
		return tdf_writer_add(rw->w, rec);
	kv = calloc((size_t)rec->meta.count + 1, sizeof(*kv));
	values = calloc((size_t)rec->meta.count + 1, PSEUDONYM_MAX);
	if (!kv || !values) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rec->meta.count; i++) {
		rpt_anon_meta(rw->o->anon, rec->meta.kv[i].key, rec->meta.kv[i].value, &v,
			      values + i * PSEUDONYM_MAX, PSEUDONYM_MAX);
		if (v)
			kv[n++] = (struct tdf_kv){rec->meta.kv[i].key, v};
	}
	if (!rw->said_anon) {
		kv[n++] = (struct tdf_kv){RPT_META_ANONYMIZED, rpt_anon_describe(rw->o->anon)};
		rw->said_anon = true;
	}
	out.meta.count = (uint32_t)n;
	out.meta.kv = kv;
	rc = n ? tdf_writer_add(rw->w, &out) : 0;
out:
	free(kv);
	free(values);
	return rc;
}

/* A file whose first record is not META still says it was anonymised, first. */
static int say_anon(struct rewrite *rw)
{
	struct tdf_record m = {.type = TDF_REC_META};

	if (!rw->o->anon || rw->said_anon)
		return 0;
	m.meta.count = 0;
	m.meta.kv = NULL;
	return put_meta(rw, &m);
}

/* The filter's start: the first anchor or the first event, whichever is earlier (rpt_run). */
static void begin(struct rewrite *rw, uint64_t first_ns)
{
	uint64_t st = rpt_file_start(rw->f);

	if (rw->begun)
		return;
	rw->begun = true;
	if (first_ns && (!st || first_ns < st))
		st = first_ns;
	if (rw->o->filter)
		rpt_filter_begin((struct rpt_filter *)rw->o->filter, st);
}

static bool drop_passes(struct rewrite *rw, const struct tdf_drop *d)
{
	struct rpt_drop rd = {.d = d, .file = rw->f};

	rpt_file_prepare(rw->f);
	rd.host = rpt_file_host(rw->f);
	rd.real_ns = rpt_file_realtime(rw->f, d->ts_ns);
	begin(rw, rd.real_ns);
	if (!rw->o->filter)
		return true;
	rd.reason = rpt_file_reason(rw->f, d->reason);
	if (!rd.reason) {
		snprintf(rw->unknown_reason, sizeof(rw->unknown_reason), "UNKNOWN_%" PRIu32,
			 d->reason);
		rd.reason = rw->unknown_reason;
	}
	rd.state = rpt_file_state(rw->f, d->state);
	if (!rd.state && d->state != TDF_STATE_NONE) {
		snprintf(rw->unknown_state, sizeof(rw->unknown_state), "UNKNOWN_%u", d->state);
		rd.state = rw->unknown_state;
	}
	rd.stack = rpt_file_stack(rw->f, d->stack_id);
	rpt_file_resolve(rw->f, d, &rd);
	return rpt_filter_drop(rw->o->filter, &rd);
}

static bool loss_passes(struct rewrite *rw, const struct tdf_loss *l)
{
	struct rpt_loss rl = {.file = rw->f, .kind = l->kind, .cpu = l->cpu, .count = l->count};

	rpt_file_prepare(rw->f);
	rl.host = rpt_file_host(rw->f);
	rl.from_real_ns = rpt_file_realtime(rw->f, l->from_ns);
	rl.to_real_ns = rpt_file_realtime(rw->f, l->to_ns);
	begin(rw, rl.from_real_ns);
	return !rw->o->filter || rpt_filter_loss(rw->o->filter, &rl);
}

/* OWNER, CGROUP, NETNS: what they name goes through the anonymiser (report/anon.h). */
static int put_owner(struct rewrite *rw, const struct tdf_record *rec)
{
	struct tdf_record out = *rec;

	if (!rw->o->anon)
		return tdf_writer_add(rw->w, rec);
	if (rec->type == TDF_REC_OWNER)
		rpt_anon_owner(rw->o->anon, &rec->owner, &out.owner);
	else if (rec->type == TDF_REC_CGROUP)
		rpt_anon_cgroup(rw->o->anon, &rec->cgroup, &out.cgroup, rw->names);
	else
		rpt_anon_netns(rw->o->anon, &rec->netns, &out.netns, rw->names);
	return tdf_writer_add(rw->w, &out);
}

/* One record; 1 when -c is reached and the copy ends here. */
static int put(struct rewrite *rw, struct tdf_record *rec)
{
	struct tdf_record out;
	int rc;

	switch (rec->type) {
	case TDF_REC_META:
		rc = rpt_file_absorb(rw->f, rec);
		return rc ? rc : put_meta(rw, rec);
	case TDF_REC_CLOCK:
		rc = rpt_file_absorb(rw->f, rec);
		if (rc)
			return rc;
		if ((rc = say_anon(rw)))
			return rc;
		out = *rec;
		if (rw->o->anon)
			out.clock.real_ns += (uint64_t)rpt_anon_time_shift(rw->o->anon);
		return tdf_writer_add(rw->w, &out);
	case TDF_REC_DROP:
		if ((rc = say_anon(rw)))
			return rc;
		if (!drop_passes(rw, &rec->drop))
			return 0;
		out = *rec;
		if (rw->o->anon)
			rpt_anon_drop(rw->o->anon, &rec->drop, &out.drop, rw->data);
		rc = tdf_writer_add(rw->w, &out);
		rw->written += !rc;
		if (!rc && rw->o->max_drops && ++rw->passed >= rw->o->max_drops)
			return 1;
		return rc;
	case TDF_REC_LOSS:
		if ((rc = say_anon(rw)))
			return rc;
		return loss_passes(rw, &rec->loss) ? tdf_writer_add(rw->w, rec) : 0;
	case TDF_REC_REASONS:
	case TDF_REC_STATES:
	case TDF_REC_KMOD:
	case TDF_REC_KSYMS:
	case TDF_REC_STACK:
		rc = rpt_file_absorb(rw->f, rec);
		if (rc)
			return rc;
		if ((rc = say_anon(rw)))
			return rc;
		return tdf_writer_add(rw->w, rec);
	case TDF_REC_OWNER:
	case TDF_REC_CGROUP:
	case TDF_REC_NETNS:
		rc = rpt_file_absorb(rw->f, rec);
		if (rc)
			return rc;
		if ((rc = say_anon(rw)))
			return rc;
		return put_owner(rw, rec);
	case TDF_EV_CORRUPT:
	case TDF_EV_TRUNCATED:
		if (rw->o->on_problem)
			rw->o->on_problem(rw->o->arg, rw->f, rec->type, &rec->problem);
		return 0;
	default: /* the input's index: the writer makes the copy's own */
		return 0;
	}
}

int rpt_rewrite(int in_fd, const char *name, int out_fd, const struct rpt_rewrite_opts *o,
		struct rpt_rewrite_stats *st, char *err, size_t errlen)
{
	struct rpt_rewrite_stats s = {0};
	struct tdf_reader *r = NULL;
	struct rewrite *rw;
	struct tdf_record rec;
	int rc;

	*err = '\0';
	rw = calloc(1, sizeof(*rw));
	if (!rw)
		return -ENOMEM;
	rw->o = o;
	rw->f = rpt_file_open_mem(NULL, 0, name);
	if (!rw->f) {
		rc = -errno;
		goto out;
	}
	r = tdf_reader_open_fd(in_fd, name);
	if (!r) {
		rc = -errno;
		goto out;
	}
	rw->w = tdf_writer_open(out_fd, NULL);
	if (!rw->w) {
		rc = -errno;
		snprintf(err, errlen, "output: %s", strerror(-rc));
		goto out;
	}
	for (;;) {
		rc = tdf_reader_next(r, &rec);
		if (rc < 0) {
			snprintf(err, errlen, "%s", tdf_reader_error(r));
			break;
		}
		if (rc == 0)
			break;
		s.records++;
		s.drops_in += rec.type == TDF_REC_DROP;
		rc = put(rw, &rec);
		if (rc == 1) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: offset %" PRIu64 ": %s", name, rec.offset,
				 strerror(-rc));
			break;
		}
	}
	s.drops_out = rw->written;
	if (!rc)
		rc = say_anon(rw);
	if (rc) {
		tdf_writer_abandon(rw->w);
	} else {
		rc = tdf_writer_close(rw->w);
		if (rc)
			snprintf(err, errlen, "output: %s", strerror(-rc));
	}
	rw->w = NULL;
	if (rc && !*err)
		snprintf(err, errlen, "%s: %s", name, strerror(-rc));
out:
	tdf_reader_close(r);
	rpt_file_close(rw->f);
	free(rw);
	if (st)
		*st = s;
	return rc;
}

int rpt_rewrite_mem(const char *path, const struct rpt_rewrite_opts *o, struct rpt_rewritten *m,
		    char *err, size_t errlen)
{
	bool std = strcmp(path, "-") == 0;
	int in = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC), out = -1, rc;
	struct stat st;
	void *map;

	m->buf = NULL;
	m->len = 0;
	if (in < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	out = memfd_create("tcpdrop-anon", MFD_CLOEXEC);
	if (out < 0) {
		rc = -errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(-rc));
		goto out;
	}
	rc = rpt_rewrite(in, std ? "stdin" : path, out, o, NULL, err, errlen);
	if (rc)
		goto out;
	if (fstat(out, &st)) {
		rc = -errno;
		snprintf(err, errlen, "memfd: %s", strerror(-rc));
		goto out;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, out, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "mmap: %s", strerror(-rc));
		goto out;
	}
	m->buf = map;
	m->len = (size_t)st.st_size;
out:
	if (out >= 0)
		close(out);
	if (!std)
		close(in);
	return rc;
}

void rpt_rewritten_free(struct rpt_rewritten *m)
{
	if (m->buf)
		munmap(m->buf, m->len);
	m->buf = NULL;
	m->len = 0;
}
