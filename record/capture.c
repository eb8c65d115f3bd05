// SPDX-License-Identifier: BSD-2-Clause
/* capture: turns probe events and counters into trace-file records, per file and over time. */
#include "capture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct capture {
	struct capture_cfg cfg;
	struct probe *probe;
	struct stacks *stacks;
	uint64_t seq_no;
	struct capture_stats st;
	uint64_t last_clock_ns, last_loss_ns, last_flush_ns;
	struct tde_counter *prev[TDE_CNT_MAX]; /* per CPU, as last read */
	struct tde_counter *cur;
	uint32_t ncpus;
	struct tdf_kaddr frames[TDF_STACK_MAX];
	struct owners *owners;
	struct nsnames *nsnames;
};

struct capture *capture_new(const struct capture_cfg *cfg)
{
	struct capture *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	c->stacks = stacks_new(CAPTURE_STACKS_MAX);
	if (!c->stacks) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	for (int i = 0; i < TDE_CNT_MAX; i++)
		free(c->prev[i]);
	free(c->cur);
	stacks_free(c->stacks);
	free(c);
}

int capture_set_probe(struct capture *c, struct probe *p)
{
	c->probe = p;
	c->ncpus = probe_ncpus(p);
	for (int i = 0; i < TDE_CNT_MAX; i++) {
		c->prev[i] = calloc(c->ncpus, sizeof(struct tde_counter));
		if (!c->prev[i])
			return -ENOMEM;
	}
	c->cur = calloc(c->ncpus, sizeof(struct tde_counter));
	if (!c->cur)
		return -ENOMEM;
	c->last_loss_ns = meta_boot_ns();
	return 0;
}

void capture_set_names(struct capture *c, struct owners *o, struct nsnames *n)
{
	c->owners = o;
	c->nsnames = n;
}

void capture_set_ksyms(struct capture *c, const struct ksyms *ks)
{
	c->cfg.ksyms = ks;
}

int capture_begin_file(void *arg, struct tdf_writer *w)
{
	struct capture *c = arg;
	const struct capture_cfg *cfg = &c->cfg;
	struct tdf_record rec;
	int rc;

	meta_record(cfg->meta, &rec);
	rc = tdf_writer_add(w, &rec);
	if (rc)
		return rc;
	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_CLOCK;
	rc = meta_clock_now(&rec.clock);
	if (!rc)
		rc = tdf_writer_add(w, &rec);
	if (rc)
		return rc;
	c->last_clock_ns = rec.clock.boot_ns;

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_REASONS;
	rec.names.count = cfg->reasons->count;
	rec.names.names = cfg->reasons->names;
	rc = tdf_writer_add(w, &rec);
	if (rc)
		return rc;
	rec.type = TDF_REC_STATES;
	rec.names.count = cfg->states->count;
	rec.names.names = cfg->states->names;
	rc = tdf_writer_add(w, &rec);
	if (rc)
		return rc;

	for (uint32_t id = 1; id <= ksyms_mod_count(cfg->ksyms); id++) {
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_KMOD;
		rec.kmod.id = id;
		rec.kmod.name = ksyms_mod_name(cfg->ksyms, id);
		rc = tdf_writer_add(w, &rec);
		if (rc)
			return rc;
	}
	for (uint32_t id = 0; id <= ksyms_mod_count(cfg->ksyms); id++) {
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_KSYMS;
		if (ksyms_symbols(cfg->ksyms, id, &rec.ksyms) || rec.ksyms.count == 0)
			continue;
		rc = tdf_writer_add(w, &rec);
		if (rc)
			return rc;
	}
	/* the names known at the start; later ones come before the first drop naming them */
	for (uint32_t i = 0; c->nsnames && i < nsnames_count(c->nsnames); i++) {
		struct nsnames_ent *ne = nsnames_at(c->nsnames, i);

		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_NETNS;
		rec.netns = (struct tdf_netns){ne->inode, ne->name};
		rc = tdf_writer_add(w, &rec);
		if (rc)
			return rc;
		ne->gen = output_generation(cfg->out) + 1;
	}
	/* the preamble is a chunk of its own: a reader sees the tables before any drop */
	return tdf_writer_flush(w);
}

/*
 * The labels as tcpdrop-report names them: reason without its prefix, netns by its name
 * (netns_name, NULL when it has none) else its inode, the owner's container (or NULL).
 */
static void count_drop(struct capture *c, const struct tde_event *e, const char *netns_name,
		       const char *container)
{
	const struct btfnames *r = c->cfg.reasons;
	const char *reason = NULL;
	char unknown[24], netns[16];

	for (uint32_t i = 0; i < r->count && !reason; i++)
		if (r->names[i].value == e->reason)
			reason = tdf_reason_short(r->names[i].name);
	if (!reason)
		snprintf(unknown, sizeof(unknown), "UNKNOWN_%u", (unsigned)e->reason);
	if (!netns_name && e->netns) {
		snprintf(netns, sizeof(netns), "%u", (unsigned)e->netns);
		netns_name = netns;
	}
	metrics_drop_add(c->cfg.metrics, reason ? reason : unknown, e->family, netns_name,
			 container);
}

/* A NETNS record unless this file has it already. */
static int netns_put(struct capture *c, struct nsnames_ent *ne)
{
	uint32_t gen = output_generation(c->cfg.out) + 1;
	struct tdf_record rec = {.type = TDF_REC_NETNS};

	if (!ne || ne->gen == gen)
		return 0;
	rec.netns = (struct tdf_netns){ne->inode, ne->name};
	ne->gen = gen;
	return output_add(c->cfg.out, &rec);
}

/*
 * The drop's owner: its CGROUP and OWNER records (and the owner's container netns name)
 * unless this file has them. The owner, or NULL for none, in *out. 0 or -errno.
 */
static int owner_put(struct capture *c, const struct tde_event *e, struct owners_ent **out)
{
	uint32_t gen = output_generation(c->cfg.out) + 1;
	struct owners_ent *oe;
	struct tdf_record rec;
	int rc;

	*out = NULL;
	oe = owners_lookup(c->owners, e->owner_sk, e->owner_cookie, e->ts_ns);
	if (!oe)
		return 0;
	if (oe->cg && oe->cg->gen != gen) {
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_CGROUP;
		rec.cgroup = (struct tdf_cgroup){oe->cg->id, oe->cg->path, oe->cg->container};
		rc = output_add(c->cfg.out, &rec);
		if (rc)
			return rc;
		oe->cg->gen = gen;
	}
	if (oe->cg && oe->cg->container[0] && c->nsnames && oe->netns) {
		char name[32];

		snprintf(name, sizeof(name), "container:%.12s", oe->cg->container);
		rc = netns_put(c, nsnames_set(c->nsnames, oe->netns, name));
		if (rc)
			return rc;
	}
	if (oe->gen != gen) {
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_OWNER;
		rec.owner.id = oe->id;
		rec.owner.pid = oe->pid;
		memcpy(rec.owner.comm, oe->comm, TDF_COMM_LEN);
		rec.owner.cgroup = oe->cg ? oe->cg->id : 0;
		rc = output_add(c->cfg.out, &rec);
		if (rc)
			return rc;
		oe->gen = gen;
	}
	*out = oe;
	return 0;
}

int capture_on_event(void *arg, const struct probe_event *pe)
{
	struct capture *c = arg;
	const struct tde_event *e = pe->ev;
	struct tdf_record rec;
	struct tdf_drop *d = &rec.drop;
	struct nsnames_ent *ne = NULL;
	struct owners_ent *oe = NULL;
	uint32_t stack_id = 0;
	int64_t now_s;
	int rc;

	if (capture_done(c))
		return -ECANCELED;
	now_s = (int64_t)time(NULL);
	if (output_rotate_due(c->cfg.out, (time_t)now_s)) {
		rc = output_rotate(c->cfg.out, (time_t)now_s);
		if (rc)
			return rc;
	}
	if (pe->nframes) {
		bool emit = false;

		rc = stacks_intern(c->stacks, pe->frames, pe->nframes,
				   output_generation(c->cfg.out), &stack_id, &emit);
		if (rc)
			return rc;
		if (emit) {
			for (uint32_t i = 0; i < pe->nframes; i++)
				c->frames[i] = ksyms_normalise(c->cfg.ksyms, pe->frames[i]);
			memset(&rec, 0, sizeof(rec));
			rec.type = TDF_REC_STACK;
			rec.stack.id = stack_id;
			rec.stack.depth = pe->nframes;
			rec.stack.frames = c->frames;
			rc = output_add(c->cfg.out, &rec);
			if (rc)
				return rc;
		}
	}

	if (c->nsnames && e->netns) {
		ne = nsnames_get(c->nsnames, e->netns, e->ts_ns);
		rc = netns_put(c, ne);
		if (rc)
			return rc;
	}
	if (c->owners && e->owner_sk) {
		rc = owner_put(c, e, &oe);
		if (rc)
			return rc;
	}

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_DROP;
	d->owner = oe ? oe->id : 0;
	d->seq_no = ++c->seq_no;
	d->ts_ns = e->ts_ns;
	d->cpu = e->cpu;
	d->pid = e->pid;
	d->tid = e->tid;
	memcpy(d->comm, e->comm, TDF_COMM_LEN);
	d->family = e->family;
	d->tcp_flags = e->tcp_flags;
	d->state = e->state;
	d->dir = e->dir;
	memcpy(d->saddr, e->saddr, 16);
	memcpy(d->daddr, e->daddr, 16);
	d->sport = e->sport;
	d->dport = e->dport;
	d->tcp_seq = e->tcp_seq;
	d->tcp_ack = e->tcp_ack;
	d->win = e->win;
	d->reason = e->reason;
	d->location = ksyms_normalise(c->cfg.ksyms, e->location);
	d->netns = e->netns;
	d->ifindex = e->ifindex;
	memcpy(d->ifname, e->ifname, TDF_IFNAME_LEN);
	d->ifname[TDF_IFNAME_LEN - 1] = 0;
	d->len = e->len;
	d->stack_id = stack_id;
	d->caplen = e->caplen;
	d->data = pe->snap;
	rc = output_add(c->cfg.out, &rec);
	if (rc)
		return rc;
	c->st.drops++;
	if (c->cfg.metrics)
		count_drop(c, e, ne ? ne->name : NULL,
			   oe && oe->cg && oe->cg->container[0] ? oe->cg->container : NULL);
	return 0;
}

/* Counter deltas since the last read become LOSS records, one per CPU that moved. */
static int loss_records(struct capture *c, uint32_t slot, uint8_t kind, uint64_t since_ns,
			uint64_t now_ns, uint64_t *total)
{
	struct tdf_record rec;
	int rc = probe_counter(c->probe, slot, c->cur);

	if (rc)
		return rc;
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		uint64_t delta = c->cur[cpu].count - c->prev[slot][cpu].count;

		if (!delta)
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_LOSS;
		rec.loss.kind = kind;
		rec.loss.cpu = cpu;
		rec.loss.count = delta;
		rec.loss.from_ns = since_ns;
		rec.loss.to_ns = c->cur[cpu].last_ns > since_ns ? c->cur[cpu].last_ns : now_ns;
		rc = output_add(c->cfg.out, &rec);
		if (rc)
			return rc;
		c->prev[slot][cpu] = c->cur[cpu];
		*total += delta;
	}
	return 0;
}

int capture_tick(struct capture *c, uint64_t now_ns, int64_t now_s, uint64_t flush_ns, bool force)
{
	struct tdf_record rec;
	int rc;

	if (c->probe && c->prev[0] &&
	    (force || now_ns - c->last_loss_ns >= CAPTURE_LOSS_EVERY_NS)) {
		rc = loss_records(c, TDE_CNT_RINGBUF_LOST, TDF_LOSS_RINGBUF, c->last_loss_ns,
				  now_ns, &c->st.lost);
		if (!rc)
			rc = loss_records(c, TDE_CNT_EXCLUDED, TDF_LOSS_EXCLUDED, c->last_loss_ns,
					  now_ns, &c->st.excluded);
		if (rc)
			return rc;
		c->last_loss_ns = now_ns;
	}
	if (now_ns - c->last_clock_ns >= CAPTURE_CLOCK_EVERY_NS) {
		memset(&rec, 0, sizeof(rec));
		rec.type = TDF_REC_CLOCK;
		rc = meta_clock_now(&rec.clock);
		if (!rc)
			rc = output_add(c->cfg.out, &rec);
		if (rc)
			return rc;
		c->last_clock_ns = rec.clock.boot_ns;
	}
	if (force || now_ns - c->last_flush_ns >= flush_ns) {
		rc = output_flush(c->cfg.out);
		if (rc)
			return rc;
		c->last_flush_ns = now_ns;
	}
	if (!force && output_rotate_due(c->cfg.out, (time_t)now_s)) {
		rc = output_rotate(c->cfg.out, (time_t)now_s);
		if (rc)
			return rc;
	}
	c->st.bytes = output_bytes(c->cfg.out);
	return 0;
}

void capture_stats(const struct capture *c, struct capture_stats *st)
{
	*st = c->st;
	st->bytes = output_bytes(c->cfg.out);
}

bool capture_done(const struct capture *c)
{
	return c->cfg.max_drops && c->st.drops >= c->cfg.max_drops;
}
