// SPDX-License-Identifier: BSD-2-Clause
/* rptsample: deterministic sample recordings for the report's tests, written with the format
 * writer. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rptsample.h"
#include "tdf.h"
#include "tdftest.h"

#define NS	    UINT64_C(1000000000)
#define BOOT_BASE   (UINT64_C(5000) * NS) /* boot clock at the start: 5000 s after boot */
#define NETNS_INIT  4026531840u
#define NETNS_OTHER 4026532999u
#define PKT_MAX	    64

struct recs {
	struct tdf_record v[64];
	size_t n;
};

static struct tdf_record *add(struct recs *r, uint32_t type)
{
	struct tdf_record *rec = &r->v[r->n++];

	if (r->n > sizeof(r->v) / sizeof(r->v[0]))
		abort();
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	return rec;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* IP + TCP header bytes for d into pkt; sets d->caplen, d->len, d->data. */
static void packet(struct tdf_drop *d, uint8_t *pkt)
{
	uint8_t *tcp;
	size_t ip_len;

	memset(pkt, 0, PKT_MAX);
	if (d->family == 4) {
		ip_len = 20;
		pkt[0] = 0x45;
		put16(pkt + 2, 40);
		pkt[8] = 64;
		pkt[9] = 6; /* TCP */
		memcpy(pkt + 12, d->saddr, 4);
		memcpy(pkt + 16, d->daddr, 4);
	} else {
		ip_len = 40;
		pkt[0] = 0x60;
		put16(pkt + 4, 20);
		pkt[6] = 6;
		pkt[7] = 64;
		memcpy(pkt + 8, d->saddr, 16);
		memcpy(pkt + 24, d->daddr, 16);
	}
	tcp = pkt + ip_len;
	put16(tcp, d->sport);
	put16(tcp + 2, d->dport);
	put32(tcp + 4, d->tcp_seq);
	put32(tcp + 8, d->tcp_ack);
	tcp[12] = 5 << 4;
	tcp[13] = d->tcp_flags;
	put16(tcp + 14, d->win);
	d->caplen = (uint16_t)(ip_len + 20);
	d->len = (uint32_t)(ip_len + 20);
	d->data = pkt;
}

static void addr(uint8_t family, const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, s, out) != 1)
		abort();
}

struct drop_spec {
	uint64_t at_ns; /* after the start */
	uint8_t family;
	const char *saddr, *daddr;
	uint16_t sport, dport;
	uint8_t flags, state;
	uint32_t reason;
	uint32_t stack_id;
	struct tdf_kaddr location;
	uint32_t pid;
	const char *comm;
	size_t comm_len; /* bytes of comm to copy (may hold NULs or no NUL) */
	uint32_t netns, ifindex;
	const char *ifname;
	size_t ifname_len;
	uint32_t cpu;
	uint8_t dir;
};

static void add_drop(struct recs *r, const struct drop_spec *s, uint64_t seq, uint8_t *pkt)
{
	struct tdf_drop *d = &add(r, TDF_REC_DROP)->drop;

	d->seq_no = seq;
	d->ts_ns = BOOT_BASE + s->at_ns;
	d->cpu = s->cpu;
	d->pid = s->pid;
	d->tid = s->pid;
	memcpy(d->comm, s->comm, s->comm_len);
	d->family = s->family;
	d->tcp_flags = s->flags;
	d->state = s->state;
	d->dir = s->dir;
	addr(s->family, s->saddr, d->saddr);
	addr(s->family, s->daddr, d->daddr);
	d->sport = s->sport;
	d->dport = s->dport;
	d->tcp_seq = 1000u * (uint32_t)seq;
	d->tcp_ack = s->flags & TDF_TCP_ACK ? 77u * (uint32_t)seq : 0;
	d->win = 64240;
	d->reason = s->reason;
	d->location = s->location;
	d->netns = s->netns;
	d->ifindex = s->ifindex;
	memcpy(d->ifname, s->ifname, s->ifname_len);
	d->stack_id = s->stack_id;
	packet(d, pkt);
}

static void add_meta(struct recs *r, const char *host, const char *release)
{
	static struct tdf_kv kv[2][10];
	static int slot;
	struct tdf_kv *m = kv[slot++ & 1];
	struct tdf_record *rec = add(r, TDF_REC_META);

	m[0] = (struct tdf_kv){TDF_META_HOST, host};
	m[1] = (struct tdf_kv){TDF_META_KERNEL_RELEASE, release};
	m[2] = (struct tdf_kv){TDF_META_KERNEL_VERSION, "#1 SMP PREEMPT_DYNAMIC"};
	m[3] = (struct tdf_kv){TDF_META_ARCH, "x86_64"};
	m[4] = (struct tdf_kv){TDF_META_BOOT_ID, "0f0e0d0c-0b0a-0908-0706-050403020100"};
	m[5] = (struct tdf_kv){TDF_META_TOOL_VERSION, "0.1.0"};
	m[6] = (struct tdf_kv){TDF_META_CMDLINE, "tcpdrop-record -w sample.tdrop"};
	m[7] = (struct tdf_kv){TDF_META_SNAPLEN, "128"};
	m[8] = (struct tdf_kv){TDF_META_STACK_DEPTH, "32"};
	m[9] = (struct tdf_kv){TDF_META_HOOK, "tp_btf/kfree_skb"};
	rec->meta.count = 10;
	rec->meta.kv = m;
}

static const struct tdf_name reasons[] = {
    {2, "SKB_DROP_REASON_NO_SOCKET"},
    {5, "SKB_DROP_REASON_TCP_CSUM"},
    {7, "SKB_DROP_REASON_NETFILTER_DROP"},
    {30, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW"},
};

static const struct tdf_name states[] = {
    {1, "ESTABLISHED"}, {2, "SYN_SENT"},  {3, "SYN_RECV"}, {4, "FIN_WAIT1"},
    {5, "FIN_WAIT2"},	{6, "TIME_WAIT"}, {7, "CLOSE"},	   {8, "CLOSE_WAIT"},
    {9, "LAST_ACK"},	{10, "LISTEN"},	  {11, "CLOSING"}, {12, "NEW_SYN_RECV"},
};

/* vmlinux symbols by offset from _text; "shift" moves them (another kernel build). */
static const struct tdf_ksym alpha_syms[] = {
    {0x1000, "__traceiter_kfree_skb"},
    {0x2000, "sk_skb_reason_drop"},
    {0x3000, "tcp_v4_rcv"},
    {0x4000, "ip_protocol_deliver_rcu"},
    {0x5000, "tcp_v6_rcv"},
    {0x6000, "nf_hook_slow"},
    {0x7000, "bpf_trace_run4"},
    {0x8000, "tcpdrop_sample_rx_path"},
    {0x9000, "tcp_validate_incoming"},
};

static const struct tdf_ksym nft_syms[] = {
    {0x0, "nft_do_chain"},
    {0x400, "nft_immediate_eval"},
};

#define K(o)                                                                                       \
	{                                                                                          \
		TDF_MOD_VMLINUX, (o)                                                               \
	}
static const struct tdf_kaddr stack1[] = {K(0x7010), K(0x1041), K(0x2090),
					  K(0x3099), K(0x4028), K(0x8123)};
static const struct tdf_kaddr stack2[] = {K(0x7010), K(0x1041), K(0x2090), K(0x50a0), K(0x8123)};
static const struct tdf_kaddr stack3[] = {
    K(0x7010), K(0x2090), {1, 0x412}, {1, 0x20}, K(0x6044), {TDF_MOD_UNKNOWN, 0}, K(0x8123)};

static void add_tables(struct recs *r, const struct tdf_ksym *syms, uint32_t nsyms)
{
	struct tdf_record *rec;

	rec = add(r, TDF_REC_REASONS);
	rec->names.count = sizeof(reasons) / sizeof(reasons[0]);
	rec->names.names = reasons;
	rec = add(r, TDF_REC_STATES);
	rec->names.count = sizeof(states) / sizeof(states[0]);
	rec->names.names = states;
	rec = add(r, TDF_REC_KMOD);
	rec->kmod.id = 1;
	rec->kmod.name = "nf_tables";
	rec = add(r, TDF_REC_KSYMS);
	rec->ksyms.mod = TDF_MOD_VMLINUX;
	rec->ksyms.count = nsyms;
	rec->ksyms.syms = syms;
	rec = add(r, TDF_REC_KSYMS);
	rec->ksyms.mod = 1;
	rec->ksyms.count = 2;
	rec->ksyms.syms = nft_syms;
}

static void add_stack(struct recs *r, uint32_t id, const struct tdf_kaddr *f, uint32_t depth)
{
	struct tdf_record *rec = add(r, TDF_REC_STACK);

	rec->stack.id = id;
	rec->stack.depth = depth;
	rec->stack.frames = f;
}

static void add_clock(struct recs *r, uint64_t boot, uint64_t real)
{
	struct tdf_record *rec = add(r, TDF_REC_CLOCK);

	rec->clock.boot_ns = boot;
	rec->clock.real_ns = real;
}

uint8_t *rptsample_alpha(bool clean_close, size_t *len)
{
	static uint8_t pkts[RPTSAMPLE_ALPHA_DROPS][PKT_MAX];
	static const struct drop_spec drops[RPTSAMPLE_ALPHA_DROPS] = {
	    {1 * NS + 1, 4, "10.0.0.1",	 "10.0.0.2", 40000,	 80, TDF_TCP_SYN, 0, 2, 1,
	     K(0x3099),	 0, "swapper/0", 9,	     NETNS_INIT, 1,  "lo",	  2, 0, TDF_DIR_IN},
	    {1500000000, 6, "fd00::1", "fd00::2", 40001, 443,	    TDF_TCP_SYN,
	     0,		 2, 2,	       K(0x50a0), 1234,	 "curl",    4,
	     NETNS_INIT, 1, "lo",      2,	  1,	 TDF_DIR_IN},
	    {2200000000,  4, "10.0.0.3", "10.0.0.2", 5555, 22,	      TDF_TCP_PSH | TDF_TCP_ACK,
	     1,		  5, 1,		 K(0x9010),  4242, "sshd",    4,
	     NETNS_OTHER, 2, "eth0",	 4,	     1,	   TDF_DIR_IN},
	    /* comm: ESC [31m, a quote, a comma, a newline and an invalid UTF-8 byte, no NUL */
	    {3100000000,
	     4,
	     "10.0.0.1",
	     "10.0.0.2",
	     40002,
	     80,
	     TDF_TCP_SYN,
	     0,
	     7,
	     3,
	     {1, 0x412},
	     666,
	     "ev\x1b[31m\"il,\n\xff\xfe!",
	     16,
	     NETNS_INIT,
	     3,
	     "e\"th,\t\xc3\xa9\\",
	     10,
	     0,
	     TDF_DIR_IN},
	    {65 * NS,	 4,   "10.0.0.4", "10.0.0.2", 80, 33000,	 TDF_TCP_RST | TDF_TCP_ACK,
	     10,	 999, 0,	  K(0x2090),  0,  "ksoftirqd/1", 11,
	     NETNS_INIT, 1,   "lo",	  2,	      1,  TDF_DIR_OUT},
	    {66250000000,
	     6,
	     "fd00::3",
	     "fd00::2",
	     50000,
	     80,
	     TDF_TCP_FIN | TDF_TCP_ACK,
	     7,
	     5,
	     1,
	     K(0x3099),
	     77,
	     "nginx",
	     5,
	     NETNS_INIT,
	     1,
	     "lo",
	     2,
	     0,
	     TDF_DIR_UNKNOWN},
	};
	static struct recs r;
	struct tdf_record *rec;
	struct tdf_writer_opts opts = {.chunk_raw_max = 600};
	size_t i;

	r.n = 0;
	add_meta(&r, "alpha", "6.18.0-sample");
	add_clock(&r, BOOT_BASE, RPTSAMPLE_START_NS);
	add_tables(&r, alpha_syms, sizeof(alpha_syms) / sizeof(alpha_syms[0]));
	add_stack(&r, 1, stack1, sizeof(stack1) / sizeof(stack1[0]));
	add_stack(&r, 2, stack2, sizeof(stack2) / sizeof(stack2[0]));
	for (i = 0; i < 3; i++)
		add_drop(&r, &drops[i], i + 1, pkts[i]);
	rec = add(&r, TDF_REC_LOSS);
	rec->loss.kind = TDF_LOSS_RINGBUF;
	rec->loss.cpu = UINT32_MAX;
	rec->loss.count = 7;
	rec->loss.from_ns = BOOT_BASE + 2500000000u;
	rec->loss.to_ns = BOOT_BASE + 3 * NS;
	rec = add(&r, TDF_REC_LOSS);
	rec->loss.kind = TDF_LOSS_EXCLUDED;
	rec->loss.cpu = UINT32_MAX;
	rec->loss.count = 3;
	rec->loss.from_ns = BOOT_BASE + 2500000000u;
	rec->loss.to_ns = BOOT_BASE + 3 * NS;
	add_stack(&r, 3, stack3, sizeof(stack3) / sizeof(stack3[0]));
	add_drop(&r, &drops[3], 4, pkts[3]);
	/* A later anchor: the wall clock was stepped 2 ms forward at 60 s. */
	add_clock(&r, BOOT_BASE + 60 * NS, RPTSAMPLE_START_NS + 60 * NS + 2000000);
	add_drop(&r, &drops[4], 5, pkts[4]);
	add_drop(&r, &drops[5], 6, pkts[5]);
	return tdftest_write(r.v, r.n, &opts, clean_close, len);
}

uint8_t *rptsample_beta(size_t *len)
{
	static uint8_t pkts[RPTSAMPLE_BETA_DROPS][PKT_MAX];
	/* Another kernel build: every symbol 0x100 further, one renamed. */
	static const struct tdf_ksym beta_syms[] = {
	    {0x1100, "__traceiter_kfree_skb"},
	    {0x2100, "kfree_skb_reason"},
	    {0x3100, "tcp_v4_rcv"},
	    {0x4100, "ip_local_deliver_finish"},
	    {0x5100, "tcp_v6_rcv"},
	    {0x6100, "nf_hook_slow"},
	    {0x7100, "bpf_trace_run4"},
	    {0x8100, "tcpdrop_sample_beta_path"},
	    {0x9100, "tcp_validate_incoming"},
	};
	static const struct drop_spec drops[RPTSAMPLE_BETA_DROPS] = {
	    {1250000000,
	     4,
	     "192.168.1.1",
	     "192.168.1.2",
	     1000,
	     80,
	     TDF_TCP_SYN,
	     0,
	     2,
	     1,
	     K(0x3199),
	     0,
	     "swapper/1",
	     9,
	     NETNS_INIT,
	     1,
	     "lo",
	     2,
	     1,
	     TDF_DIR_IN},
	    {3 * NS,
	     4,
	     "192.168.1.3",
	     "192.168.1.2",
	     2000,
	     22,
	     TDF_TCP_ACK,
	     1,
	     5,
	     1,
	     K(0x9110),
	     99,
	     "sshd",
	     4,
	     NETNS_INIT,
	     2,
	     "eth0",
	     4,
	     0,
	     TDF_DIR_IN},
	};
	static const struct tdf_kaddr stack1b[] = {K(0x7110), K(0x1141), K(0x2190),
						   K(0x3199), K(0x4128), K(0x8123)};
	static struct recs r;

	r.n = 0;
	add_meta(&r, "beta", "6.1.0-sample");
	/* Booted at another time: a different boot clock for the same wall clock. */
	add_clock(&r, 123 * NS, RPTSAMPLE_START_NS);
	add_tables(&r, beta_syms, sizeof(beta_syms) / sizeof(beta_syms[0]));
	add_stack(&r, 1, stack1b, sizeof(stack1b) / sizeof(stack1b[0]));
	for (size_t i = 0; i < RPTSAMPLE_BETA_DROPS; i++) {
		struct drop_spec s = drops[i];

		add_drop(&r, &s, i + 1, pkts[i]);
		/* BOOT_BASE is alpha's; beta's clock runs from 123 s. */
		r.v[r.n - 1].drop.ts_ns = 123 * NS + s.at_ns;
	}
	return tdftest_write(r.v, r.n, NULL, true, len);
}
