// SPDX-License-Identifier: BSD-2-Clause
/* pump: pulls one file's records through its reader, absorbs metadata, hands out events. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "file.h"

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
	rpt_file_resolve(f, &f->cur, rd);
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
			snprintf(f->err, sizeof(f->err), "%s", tdf_reader_error(f->r));
			if (!*f->err)
				snprintf(f->err, sizeof(f->err), "%s: %s", f->name, strerror(-rc));
			return rc;
		}
		if (rc == 0)
			return 0;
		switch (rec.type) {
		case TDF_REC_DROP:
			rpt_file_prepare(f);
			fill_drop(f, &rec.drop, ev);
			return 1;
		case TDF_REC_LOSS:
			rpt_file_prepare(f);
			fill_loss(f, &rec.loss, ev);
			return 1;
		case TDF_EV_CORRUPT:
		case TDF_EV_TRUNCATED:
			memset(ev, 0, sizeof(*ev));
			ev->type = rec.type;
			ev->problem = rec.problem;
			return 1;
		default:
			rc = rpt_file_absorb(f, &rec);
			break;
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
	rpt_file_prepare(f);
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
		if (rc <= 0)
			f->have_pending = true;
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
