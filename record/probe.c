// SPDX-License-Identifier: BSD-2-Clause
/* probe: the BPF skeleton's lifecycle (feature check, configure, load, attach, drain). */
#include "probe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcpdrop.skel.h"

struct probe {
	struct tcpdrop_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *link;
	struct bpf_program *prog;
	probe_event_fn fn;
	void *arg;
	uint32_t snap_cap, stack_cap;
	int ncpus;
	const char *hook;
};

int probe_kernel_check(const struct btf *vmlinux, struct probe_kernel *k)
{
	const struct btf_type *t;
	int id;

	memset(k, 0, sizeof(*k));
	/* typedef void (*btf_trace_kfree_skb)(void *, struct sk_buff *, void *location,
	 * enum skb_drop_reason reason[, struct sock *rx_sk]) */
	id = btf__find_by_name_kind(vmlinux, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(vmlinux, id);
	while (t && (btf_is_typedef(t) || btf_is_ptr(t)))
		t = btf__type_by_id(vmlinux, t->type);
	if (!t || !btf_is_func_proto(t))
		return -ENOENT;
	k->has_reason = btf_vlen(t) >= 4;
	k->has_rx_sk = btf_vlen(t) >= 5;
	return k->has_reason ? 0 : -EOPNOTSUPP;
}

static int on_sample(void *ctx, void *data, size_t len)
{
	struct probe *p = ctx;
	struct probe_event pe;
	const struct tde_event *e = data;
	int32_t sb;

	if (len < sizeof(*e) + p->snap_cap + (size_t)p->stack_cap * 8)
		return 0; /* cannot happen: the program reserves exactly this */
	pe.ev = e;
	pe.snap = (const uint8_t *)(e + 1);
	pe.frames = (const uint64_t *)((const uint8_t *)(e + 1) + p->snap_cap);
	sb = e->stack_bytes;
	pe.nframes = sb > 0 ? (uint32_t)sb / 8 : 0;
	if (pe.nframes > p->stack_cap)
		pe.nframes = p->stack_cap;
	if (e->caplen > p->snap_cap)
		return 0;
	return p->fn(p->arg, &pe);
}

static void configure(struct tcpdrop_bpf *s, const struct probe_cfg *cfg, uint32_t snap_cap,
		      uint32_t stack_cap)
{
	s->rodata->reason_not_dropped = cfg->reason_not_dropped;
	s->rodata->reason_consumed = cfg->reason_consumed;
	s->rodata->reason_not_specified = cfg->reason_not_specified;
	s->rodata->all_reasons = cfg->all_reasons;
	s->rodata->snap_len = cfg->snaplen;
	s->rodata->snap_cap = snap_cap;
	s->rodata->stack_cap = stack_cap;
	s->rodata->event_size = (uint32_t)sizeof(struct tde_event) + snap_cap + stack_cap * 8;
	s->rodata->state_time_wait = cfg->state_time_wait;
	s->rodata->state_new_syn_recv = cfg->state_new_syn_recv;
	/* wake the reader early only when the ring is half full; else it drains on a timer */
	s->rodata->wake_threshold = cfg->ringbuf_bytes / 2;
	s->rodata->filter_family = cfg->family;
	s->rodata->filter_port = cfg->port;
	s->rodata->filter_host_family = cfg->host_family;
	memcpy((void *)s->rodata->filter_host, cfg->host, 16);
	s->rodata->filter_netns = cfg->netns;
	s->rodata->filter_nreasons = cfg->nreasons;
	memcpy((void *)s->rodata->filter_reasons, cfg->reasons, sizeof(cfg->reasons));
}

/* One attempt with one program variant; on failure everything is undone. */
static int try_open(struct probe *p, const struct probe_cfg *cfg, const struct probe_kernel *k,
		    bool btf_hook, const char **stage)
{
	struct tcpdrop_bpf *s;
	struct bpf_program *progs[4], *want;
	int err;

	*stage = "open BPF object";
	s = tcpdrop_bpf__open();
	if (!s)
		return errno ? -errno : -EINVAL;
	progs[0] = s->progs.kfree_skb_btf_rxsk;
	progs[1] = s->progs.kfree_skb_btf;
	progs[2] = s->progs.kfree_skb_raw_rxsk;
	progs[3] = s->progs.kfree_skb_raw;
	want = progs[(btf_hook ? 0 : 2) + (k->has_rx_sk ? 0 : 1)];
	for (int i = 0; i < 4; i++)
		bpf_program__set_autoload(progs[i], progs[i] == want);
	configure(s, cfg, p->snap_cap, p->stack_cap);
	*stage = "size the ring buffer";
	err = bpf_map__set_max_entries(s->maps.events, (uint32_t)cfg->ringbuf_bytes);
	if (err)
		goto fail;
	*stage = btf_hook ? "load BPF program (tp_btf)" : "load BPF program (raw_tp)";
	err = tcpdrop_bpf__load(s);
	if (err)
		goto fail;
	*stage = btf_hook ? "attach tp_btf/kfree_skb" : "attach raw_tp/kfree_skb";
	p->link = bpf_program__attach(want);
	if (!p->link) {
		err = errno ? -errno : -EINVAL;
		goto fail;
	}
	p->skel = s;
	p->prog = want;
	p->hook = btf_hook ? "tp_btf" : "raw_tp";
	return 0;
fail:
	tcpdrop_bpf__destroy(s);
	return err < 0 ? err : -err;
}

int probe_open(const struct probe_cfg *cfg, const struct probe_kernel *k, probe_event_fn fn,
	       void *arg, struct probe **out, const char **stage)
{
	struct probe *p;
	int err = -ENOMEM;

	*out = NULL;
	*stage = "set up";
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fn = fn;
	p->arg = arg;
	p->snap_cap = (cfg->snaplen + 7) & ~7u;
	p->stack_cap = cfg->stack_depth;
	*stage = "count CPUs";
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		err = p->ncpus < 0 ? p->ncpus : -EINVAL;
		goto fail;
	}
	if (!cfg->force_raw_tp) {
		const char *btf_stage;
		int btf_err = try_open(p, cfg, k, true, stage);

		if (btf_err) {
			btf_stage = *stage;
			err = try_open(p, cfg, k, false, stage);
			if (err) {
				/* report the preferred hook's failure: it is the more telling one
				 */
				*stage = btf_stage;
				err = btf_err;
				goto fail;
			}
		}
	} else {
		err = try_open(p, cfg, k, false, stage);
		if (err)
			goto fail;
	}
	*stage = "open the ring buffer";
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.events), on_sample, p, NULL);
	if (!p->rb) {
		err = errno ? -errno : -ENOMEM;
		goto fail;
	}
	*out = p;
	return 0;
fail:
	probe_close(p);
	return err;
}

int probe_poll(struct probe *p, int timeout_ms)
{
	int n, m;

	/* events are submitted without a wakeup: epoll only fires on the half-full threshold */
	n = ring_buffer__poll(p->rb, timeout_ms);
	if (n == -EINTR)
		n = 0;
	if (n < 0)
		return n;
	m = ring_buffer__consume(p->rb);
	if (m == -EINTR)
		m = 0;
	if (m < 0)
		return m;
	return n + m;
}

uint32_t probe_ncpus(const struct probe *p)
{
	return (uint32_t)p->ncpus;
}

int probe_counter(const struct probe *p, uint32_t slot, struct tde_counter *per_cpu)
{
	if (bpf_map__lookup_elem(p->skel->maps.counters, &slot, sizeof(slot), per_cpu,
				 sizeof(*per_cpu) * (size_t)p->ncpus, 0))
		return -errno;
	return 0;
}

const char *probe_hook(const struct probe *p)
{
	return p->hook;
}

uint32_t probe_prog_id(const struct probe *p)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (!p->prog || bpf_obj_get_info_by_fd(bpf_program__fd(p->prog), &info, &len))
		return 0;
	return info.id;
}

void probe_detach(struct probe *p)
{
	bpf_link__destroy(p->link);
	p->link = NULL;
}

void probe_close(struct probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	bpf_link__destroy(p->link);
	tcpdrop_bpf__destroy(p->skel);
	free(p);
}
