/* SPDX-License-Identifier: BSD-2-Clause */
/* Kernel -> user ABI of tcpdrop.bpf.c: ring-buffer events, counter slots (not the file format). */
#ifndef TCPDROP_EVENT_H
#define TCPDROP_EVENT_H

/*
 * Fixed-width types only (__u8...__u64): the includer provides them, bpf/kernel.h on the BPF
 * side and <linux/types.h> in userspace. Every field is naturally aligned so both compilers
 * agree on the layout without packing.
 */

#define TDE_SNAP_MAX	1024 /* == TDF_SNAP_MAX: bytes of packet copied per event */
#define TDE_STACK_MAX	127  /* == TDF_STACK_MAX: PERF_MAX_STACK_DEPTH */
#define TDE_REASONS_MAX 16   /* --reason NAME[,NAME]... values the program can match */
#define TDE_COMM_LEN	16
#define TDE_IFNAME_LEN	16

/* tde_flags bits */
#define TDE_F_TCP_HDR  0x01 /* the TCP header was in the linear data: ports/flags/seq valid */
#define TDE_F_FRAGMENT 0x02 /* a non-first IP fragment of a TCP packet */

/*
 * One dropped TCP segment. A variable tail follows the fixed part: snap_cap bytes of packet
 * (of which caplen are valid) and then stack_cap frames (of which stack_bytes / 8 are
 * valid). snap_cap and stack_cap are fixed for the whole run (set before load) and
 * userspace knows them; snap_cap is a multiple of 8 so the frames stay aligned.
 */
struct tde_event {
	__u64 ts_ns;	/* bpf_ktime_get_boot_ns() */
	__u64 location; /* raw kernel address: normalised in userspace, never stored */
	__u32 cpu;
	__u32 pid; /* tgid of the task on CPU (often a softirq bystander) */
	__u32 tid;
	__u32 reason;	   /* raw enum skb_drop_reason value */
	__u32 netns;	   /* inode of the drop's netns, 0 unknown */
	__u32 ifindex;	   /* 0 unknown */
	__u32 len;	   /* skb->len */
	__u32 tcp_seq;	   /* host order */
	__u32 tcp_ack;	   /* host order */
	__u16 sport;	   /* host order */
	__u16 dport;	   /* host order */
	__u16 win;	   /* raw window field, host order */
	__u16 caplen;	   /* valid packet bytes in the tail, from the IP header */
	__s32 stack_bytes; /* bpf_get_stack() result: bytes of frames, or -errno */
	__u8 family;	   /* 4 or 6 */
	__u8 tcp_flags;
	__u8 state; /* 0 none, else the TCP state */
	__u8 dir;   /* 0 unknown, 1 in, 2 out */
	__u8 flags; /* TDE_F_* */
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[TDE_COMM_LEN];
	char ifname[TDE_IFNAME_LEN];
};

/* Slots of the per-CPU counter map (BPF array, one struct tde_counter per CPU per slot). */
enum {
	TDE_CNT_RINGBUF_LOST = 0, /* bpf_ringbuf_reserve() failed: a drop not recorded */
	TDE_CNT_EXCLUDED = 1,	  /* NOT_SPECIFIED drop left out (no --all-reasons) */
	TDE_CNT_MAX = 2,
};

struct tde_counter {
	__u64 count;
	__u64 last_ns; /* bpf_ktime_get_boot_ns() of the last increment */
};

#endif /* TCPDROP_EVENT_H */
