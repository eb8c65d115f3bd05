// SPDX-License-Identifier: BSD-2-Clause
/* The skb:kfree_skb probe: keep dropped IPv4/IPv6 TCP segments, parse them, queue events. */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86DD
#define IPPROTO_TCP   6
#define SOCK_STREAM   1
#define NET_HDR_UNSET 0xffff /* skb->network_header before it is set (~0U as u16) */
#define IPV6_EXT_MAX  8	     /* extension headers walked before giving up */

/* Set by userspace between open and load; the verifier sees them as constants. */
const volatile __u32 reason_not_dropped = 0;   /* SKB_NOT_DROPPED_YET of this kernel */
const volatile __u32 reason_consumed = 1;      /* SKB_CONSUMED */
const volatile __u32 reason_not_specified = 2; /* SKB_DROP_REASON_NOT_SPECIFIED */
const volatile bool all_reasons = false;
const volatile __u32 snap_len = 128; /* bytes to copy, <= snap_cap */
const volatile __u32 snap_cap = 128; /* tail bytes reserved for the packet, multiple of 8 */
const volatile __u32 stack_cap = 0;  /* frames reserved (0: --no-stack) */
const volatile __u32 event_size = sizeof(struct tde_event) + 128;
const volatile __u32 state_time_wait = 6;     /* TCP_TIME_WAIT */
const volatile __u32 state_new_syn_recv = 12; /* TCP_NEW_SYN_RECV */
const volatile __u64 wake_threshold = 0;      /* force a wakeup above this many queued bytes */
const volatile __u8 filter_family = 0;	      /* 0 any, 4, 6 */
const volatile __u16 filter_port = 0;	      /* 0 any, else either side (host order) */
const volatile __u8 filter_host_family = 0;   /* 0 any, 4, 6 */
const volatile __u8 filter_host[16] = {};
const volatile __u32 filter_netns = 0; /* 0 any */
const volatile __u32 filter_nreasons = 0;
const volatile __u32 filter_reasons[TDE_REASONS_MAX] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20); /* resized by userspace before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TDE_CNT_MAX);
	__type(key, __u32);
	__type(value, struct tde_counter);
} counters SEC(".maps");

/* What the header walk found, before anything is reserved. */
struct pkt {
	__u8 family, tcp_flags, flags;
	__u16 sport, dport, win;
	__u32 seq, ack;
	__u8 saddr[16], daddr[16];
};

static __always_inline void count(__u32 slot)
{
	struct tde_counter *c = bpf_map_lookup_elem(&counters, &slot);

	if (c) {
		__sync_fetch_and_add(&c->count, 1);
		c->last_ns = bpf_ktime_get_boot_ns();
	}
}

/*
 * RD(direct, p, field): a kernel field through p. tp_btf programs get typed (BTF) pointers
 * and read them directly: a plain load the verifier guards, where BPF_CORE_READ is a
 * bpf_probe_read_kernel() call per field, about ten times dearer. raw_tp programs get raw
 * values and must use the helper. direct is a constant in each entry point, so the other
 * branch is compiled out; both keep CO-RE relocations (kernel.h's preserve_access_index).
 */
#define RD(direct, p, field) ((direct) ? (p)->field : BPF_CORE_READ(p, field))

static __always_inline __u32 net_inum(struct net *net, const bool direct)
{
	return net ? RD(direct, net, ns.inum) : 0;
}

/*
 * The device of the skb's route, or NULL. tcp_v4_rcv() and tcp_v6_rcv() clear skb->dev once
 * they have found the socket, and before Linux 6.11 the tracepoint has no rx_sk: for a drop
 * past the socket lookup the route (input or output) is what still names the netns. veth
 * drops the route on crossing, so unlike skb->sk it is never the other namespace's.
 */
static __always_inline struct net_device *route_dev(struct sk_buff *skb)
{
	struct dst_entry *dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);

	return dst ? BPF_CORE_READ(dst, dev) : NULL;
}

static __always_inline bool addr_eq(const __u8 *a, const volatile __u8 *b, __u32 n)
{
	for (__u32 i = 0; i < 16; i++) {
		if (i >= n)
			break;
		if (a[i] != b[i])
			return false;
	}
	return true;
}

/* Reads the TCP header at nh + off if the linear data holds it. */
static __always_inline void parse_tcp(struct pkt *p, const unsigned char *nh, __u32 off,
				      __u32 avail)
{
	__u8 th[20];

	if (off > avail || avail - off < sizeof(th))
		return;
	if (bpf_probe_read_kernel(th, sizeof(th), nh + off))
		return;
	p->sport = ((__u16)th[0] << 8) | th[1];
	p->dport = ((__u16)th[2] << 8) | th[3];
	p->seq = ((__u32)th[4] << 24) | ((__u32)th[5] << 16) | ((__u32)th[6] << 8) | th[7];
	p->ack = ((__u32)th[8] << 24) | ((__u32)th[9] << 16) | ((__u32)th[10] << 8) | th[11];
	p->tcp_flags = th[13];
	p->win = ((__u16)th[14] << 8) | th[15];
	p->flags |= TDE_F_TCP_HDR;
}

/* 0 when nh points at an IPv4 packet carrying TCP; fills p. */
static __always_inline int parse_ipv4(struct pkt *p, const unsigned char *nh, __u32 avail)
{
	__u8 ip[20];
	__u32 ihl;

	if (avail < sizeof(ip) || bpf_probe_read_kernel(ip, sizeof(ip), nh))
		return -1;
	ihl = (ip[0] & 0x0f) * 4;
	if (ihl < 20 || ip[9] != IPPROTO_TCP)
		return -1;
	p->family = 4;
	__builtin_memcpy(p->saddr, &ip[12], 4);
	__builtin_memcpy(p->daddr, &ip[16], 4);
	if (((ip[6] & 0x1f) | ip[7]) != 0) {
		/* fragment offset != 0: no TCP header in this packet */
		p->flags |= TDE_F_FRAGMENT;
		return 0;
	}
	parse_tcp(p, nh, ihl, avail);
	return 0;
}

/* 0 when nh points at an IPv6 packet whose header chain ends in TCP; fills p. */
static __always_inline int parse_ipv6(struct pkt *p, const unsigned char *nh, __u32 avail)
{
	__u8 ip[40], ext[4];
	__u32 off = 40, next, i;

	if (avail < sizeof(ip) || bpf_probe_read_kernel(ip, sizeof(ip), nh))
		return -1;
	next = ip[6];
	for (i = 0; i < IPV6_EXT_MAX; i++) {
		if (next == IPPROTO_TCP)
			break;
		if (next != 0 && next != 43 && next != 60 && next != 44 && next != 51)
			return -1; /* not TCP (or an extension we do not walk: ESP, NONE) */
		if (off > avail || avail - off < sizeof(ext) ||
		    bpf_probe_read_kernel(ext, sizeof(ext), nh + off))
			return -1;
		if (next == 44) { /* fragment header: 8 bytes */
			if (ext[0] == IPPROTO_TCP && (((ext[2] << 8) | ext[3]) & 0xfff8)) {
				p->family = 6;
				__builtin_memcpy(p->saddr, &ip[8], 16);
				__builtin_memcpy(p->daddr, &ip[24], 16);
				p->flags |= TDE_F_FRAGMENT;
				return 0;
			}
			off += 8;
		} else if (next == 51) { /* AH: length in 4-byte units minus 2 */
			off += ((__u32)ext[1] + 2) * 4;
		} else { /* hop-by-hop, routing, destination options: 8-byte units minus 1 */
			off += ((__u32)ext[1] + 1) * 8;
		}
		next = ext[0];
	}
	if (next != IPPROTO_TCP)
		return -1;
	p->family = 6;
	__builtin_memcpy(p->saddr, &ip[8], 16);
	__builtin_memcpy(p->daddr, &ip[24], 16);
	parse_tcp(p, nh, off, avail);
	return 0;
}

static __always_inline bool reason_wanted(__u32 reason)
{
	if (filter_nreasons == 0)
		return true;
	for (__u32 i = 0; i < TDE_REASONS_MAX; i++) {
		if (i >= filter_nreasons)
			break;
		if (filter_reasons[i] == reason)
			return true;
	}
	return false;
}

static __always_inline __u8 sock_state(struct sock *rx_sk, struct sock *sk, __u32 netns,
				       const bool direct)
{
	__u32 st;

	if (rx_sk)
		return RD(direct, rx_sk, __sk_common.skc_state);
	if (!sk)
		return 0;
	/* after a veth crossing skb->sk can be the sender's socket in another netns */
	if (net_inum(RD(direct, sk, __sk_common.skc_net.net), direct) != netns)
		return 0;
	st = RD(direct, sk, __sk_common.skc_state);
	/* request and time-wait mini-sockets: only sock_common is there to read */
	if (st == state_time_wait || st == state_new_syn_recv)
		return st;
	if (RD(direct, sk, sk_protocol) == IPPROTO_TCP && RD(direct, sk, sk_type) == SOCK_STREAM)
		return st;
	return 0; /* tap sockets, the per-netns control socket (SOCK_RAW), UDP... */
}

/*
 * The socket whose owner names this drop's: the drop's own full socket, a request socket's
 * listener (the process that will accept it), none for time-wait (no file, no listener).
 */
static __always_inline struct sock *owner_sock(struct sock *rx_sk, struct sock *sk, __u8 state,
					       const bool direct)
{
	struct sock *s = rx_sk ? rx_sk : sk;

	if (!state || !s || state == state_time_wait)
		return NULL;
	if (state == state_new_syn_recv)
		/* request_sock's rsk_listener: a union member the verifier types as a number,
		   so the helper reads it (and the cookie below) in both kinds of program */
		return BPF_CORE_READ(s, __sk_common.skc_listener);
	return s;
}

static __always_inline int handle(void *ctx, struct sk_buff *skb, __u64 location, __u32 reason,
				  struct sock *rx_sk, const bool direct)
{
	struct net_device *dev, *rdev;
	struct sock *sk;
	struct tde_event *e;
	unsigned char *head, *data, *nh;
	__u32 nh_off, lin_end, avail, netns, skb_len;
	__u64 cap;
	__u16 proto;
	struct pkt p = {};
	__u64 id;
	long sb;

	if (reason == reason_not_dropped || reason == reason_consumed || !skb)
		return 0;
	if (!reason_wanted(reason))
		return 0;

	proto = RD(direct, skb, protocol);
	if (proto && proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return 0;
	nh_off = RD(direct, skb, network_header);
	if (nh_off == NET_HDR_UNSET)
		return 0;
	head = RD(direct, skb, head);
	data = RD(direct, skb, data);
	skb_len = RD(direct, skb, len);
	/* end of the linear data as an offset from head: (data - head) + skb_headlen() */
	lin_end = (__u32)(data - head) + (skb_len - RD(direct, skb, data_len));
	if (!head || nh_off >= lin_end)
		return 0;
	avail = lin_end - nh_off;
	nh = head + nh_off;

	{
		__u8 v;

		if (bpf_probe_read_kernel(&v, 1, nh))
			return 0;
		v >>= 4;
		if (v == 4) {
			if (filter_family == 6 || parse_ipv4(&p, nh, avail))
				return 0;
		} else if (v == 6) {
			if (filter_family == 4 || parse_ipv6(&p, nh, avail))
				return 0;
		} else {
			return 0;
		}
	}

	if (filter_port) {
		if (!(p.flags & TDE_F_TCP_HDR))
			return 0;
		if (p.sport != filter_port && p.dport != filter_port)
			return 0;
	}
	if (filter_host_family) {
		__u32 alen = filter_host_family == 4 ? 4 : 16;

		if (p.family != filter_host_family)
			return 0;
		if (!addr_eq(p.saddr, filter_host, alen) && !addr_eq(p.daddr, filter_host, alen))
			return 0;
	}

	/* the drop's netns: the receiving socket's, else the device's or route's, else skb->sk's */
	dev = RD(direct, skb, dev);
	sk = RD(direct, skb, sk);
	if (rx_sk)
		netns = net_inum(RD(direct, rx_sk, __sk_common.skc_net.net), direct);
	else if (dev)
		netns = net_inum(RD(direct, dev, nd_net.net), direct);
	else if ((rdev = route_dev(skb))) /* a raw value (flag bit): the helper either way */
		netns = net_inum(BPF_CORE_READ(rdev, nd_net.net), false);
	else if (sk)
		netns = net_inum(RD(direct, sk, __sk_common.skc_net.net), direct);
	else
		netns = 0;
	if (filter_netns && netns != filter_netns)
		return 0;

	if (reason == reason_not_specified && !all_reasons) {
		count(TDE_CNT_EXCLUDED);
		return 0;
	}

	e = bpf_ringbuf_reserve(&events, event_size, 0);
	if (!e) {
		count(TDE_CNT_RINGBUF_LOST);
		return 0;
	}

	e->ts_ns = bpf_ktime_get_boot_ns();
	e->location = location;
	e->cpu = bpf_get_smp_processor_id();
	id = bpf_get_current_pid_tgid();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->reason = reason;
	e->netns = netns;
	e->len = skb_len;
	e->tcp_seq = p.seq;
	e->tcp_ack = p.ack;
	e->sport = p.sport;
	e->dport = p.dport;
	e->win = p.win;
	e->family = p.family;
	e->tcp_flags = p.tcp_flags;
	e->flags = p.flags;
	e->dir = rx_sk ? 1 : 0;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	__builtin_memcpy(e->saddr, p.saddr, 16);
	__builtin_memcpy(e->daddr, p.daddr, 16);
	e->state = sock_state(rx_sk, sk, netns, direct);
	{
		struct sock *os = owner_sock(rx_sk, sk, e->state, direct);

		e->owner_sk = (__u64)os;
		e->owner_cookie = os ? BPF_CORE_READ(os, __sk_common.skc_cookie.counter) : 0;
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (dev) {
		e->ifindex = RD(direct, dev, ifindex);
		bpf_probe_read_kernel_str(e->ifname, sizeof(e->ifname), dev->name);
	} else {
		e->ifindex = RD(direct, skb, skb_iif);
		e->ifname[0] = 0;
	}

	/*
	 * 64-bit and bounded right before the call: clang 14 must not split the checks. snap_cap
	 * comes last because the 6.1 verifier also walks branches it cannot rule out when clang
	 * puts the constant on the left of a compare: there a TDE_SNAP_MAX clamp would leave
	 * 1024 bytes, more than the tail reserved for the packet, and fail the load.
	 */
	cap = avail < snap_len ? avail : snap_len;
	barrier_var(cap);
	if (cap > TDE_SNAP_MAX)
		cap = TDE_SNAP_MAX;
	barrier_var(cap);
	if (cap > snap_cap)
		cap = snap_cap;
	if (cap == 0 || bpf_probe_read_kernel((__u8 *)(e + 1), cap, nh))
		cap = 0;
	e->caplen = cap;

	e->stack_bytes = 0;
	if (stack_cap) {
		sb = bpf_get_stack(ctx, (__u8 *)(e + 1) + snap_cap, stack_cap * 8, 0);
		e->stack_bytes = sb;
	}

	if (wake_threshold && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > wake_threshold)
		bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	else
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * Four entry points, one chosen by userspace at load time: tp_btf where the kernel allows
 * it (cheapest), raw_tp otherwise; with rx_sk where the tracepoint has it (Linux 6.11,
 * "net: add rx_sk to trace_kfree_skb") and without it before. A program that reads an
 * argument the tracepoint lacks is rejected, hence separate programs.
 */
SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb_btf_rxsk, struct sk_buff *skb, void *location, __u32 reason,
	     struct sock *rx_sk)
{
	return handle(ctx, skb, (__u64)location, reason, rx_sk, true);
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb_btf, struct sk_buff *skb, void *location, __u32 reason)
{
	return handle(ctx, skb, (__u64)location, reason, 0, true);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(kfree_skb_raw_rxsk, struct sk_buff *skb, void *location, __u32 reason,
	     struct sock *rx_sk)
{
	return handle(ctx, skb, (__u64)location, reason, rx_sk, false);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(kfree_skb_raw, struct sk_buff *skb, void *location, __u32 reason)
{
	return handle(ctx, skb, (__u64)location, reason, 0, false);
}
