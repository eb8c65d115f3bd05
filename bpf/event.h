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
	__u64 owner_sk;	    /* socket whose owner to name (a listener for a request sock), 0 none;
			       an in-memory key for record/owners.c, never stored */
	__u64 owner_cookie; /* that socket's cookie as the drop found it, 0 not assigned yet */
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

/*
 * The layout both sides must agree on, pinned: a field moved, resized or added changes these
 * numbers, and then the record side's decoding (record/) with them. __builtin_offsetof
 * because the BPF side has no <stddef.h>; tests/unit/test_rec_event.c checks the same.
 */
#define TDE_EVENT_SIZE 152
_Static_assert(sizeof(struct tde_event) == TDE_EVENT_SIZE, "struct tde_event size");
_Static_assert(sizeof(struct tde_event) % 8 == 0, "struct tde_event: the tail stays aligned");
_Static_assert(__builtin_offsetof(struct tde_event, ts_ns) == 0, "tde_event.ts_ns");
_Static_assert(__builtin_offsetof(struct tde_event, location) == 8, "tde_event.location");
_Static_assert(__builtin_offsetof(struct tde_event, cpu) == 16, "tde_event.cpu");
_Static_assert(__builtin_offsetof(struct tde_event, pid) == 20, "tde_event.pid");
_Static_assert(__builtin_offsetof(struct tde_event, tid) == 24, "tde_event.tid");
_Static_assert(__builtin_offsetof(struct tde_event, reason) == 28, "tde_event.reason");
_Static_assert(__builtin_offsetof(struct tde_event, netns) == 32, "tde_event.netns");
_Static_assert(__builtin_offsetof(struct tde_event, ifindex) == 36, "tde_event.ifindex");
_Static_assert(__builtin_offsetof(struct tde_event, len) == 40, "tde_event.len");
_Static_assert(__builtin_offsetof(struct tde_event, tcp_seq) == 44, "tde_event.tcp_seq");
_Static_assert(__builtin_offsetof(struct tde_event, tcp_ack) == 48, "tde_event.tcp_ack");
_Static_assert(__builtin_offsetof(struct tde_event, sport) == 52, "tde_event.sport");
_Static_assert(__builtin_offsetof(struct tde_event, dport) == 54, "tde_event.dport");
_Static_assert(__builtin_offsetof(struct tde_event, win) == 56, "tde_event.win");
_Static_assert(__builtin_offsetof(struct tde_event, caplen) == 58, "tde_event.caplen");
_Static_assert(__builtin_offsetof(struct tde_event, stack_bytes) == 60, "tde_event.stack_bytes");
_Static_assert(__builtin_offsetof(struct tde_event, family) == 64, "tde_event.family");
_Static_assert(__builtin_offsetof(struct tde_event, tcp_flags) == 65, "tde_event.tcp_flags");
_Static_assert(__builtin_offsetof(struct tde_event, state) == 66, "tde_event.state");
_Static_assert(__builtin_offsetof(struct tde_event, dir) == 67, "tde_event.dir");
_Static_assert(__builtin_offsetof(struct tde_event, flags) == 68, "tde_event.flags");
_Static_assert(__builtin_offsetof(struct tde_event, pad) == 69, "tde_event.pad");
_Static_assert(__builtin_offsetof(struct tde_event, saddr) == 72, "tde_event.saddr");
_Static_assert(__builtin_offsetof(struct tde_event, daddr) == 88, "tde_event.daddr");
_Static_assert(__builtin_offsetof(struct tde_event, comm) == 104, "tde_event.comm");
_Static_assert(__builtin_offsetof(struct tde_event, ifname) == 120, "tde_event.ifname");
_Static_assert(__builtin_offsetof(struct tde_event, owner_sk) == 136, "tde_event.owner_sk");
_Static_assert(__builtin_offsetof(struct tde_event, owner_cookie) == 144, "tde_event.owner_cookie");
_Static_assert(sizeof(struct tde_counter) == 16, "struct tde_counter size");
_Static_assert(__builtin_offsetof(struct tde_counter, count) == 0, "tde_counter.count");
_Static_assert(__builtin_offsetof(struct tde_counter, last_ns) == 8, "tde_counter.last_ns");

/*
 * The owner iterator (owner.bpf.c) writes one of these per (process, socket file) whose socket
 * userspace asked for in its "want" map; read from the iterator's fd. The socket's cgroup path
 * comes as its directory names, innermost first, so userspace needs no cgroupfs access.
 */
#define TDE_OWN_WANT_MAX 4096 /* sockets asked for in one scan */
#define TDE_CG_DEPTH	 8    /* path components kept (innermost); deeper is cut at the root end */
#define TDE_CG_NAME	 128  /* bytes per component, NUL included */
struct tde_owner_rec {
	__u64 sk;     /* the key asked for */
	__u64 cookie; /* the socket's cookie (assigned by the scan if it had none) */
	__u64 cgroup; /* cgroup v2 id of the socket, 0 unknown */
	__u32 pid;    /* tgid of the process holding the file */
	__u32 netns;  /* inode of that process's netns */
	char comm[TDE_COMM_LEN];
	__u32 cg_depth; /* components in cg_names */
	__u32 cg_cut;	/* 1: the path had more components than TDE_CG_DEPTH */
	char cg_names[TDE_CG_DEPTH][TDE_CG_NAME];
};
_Static_assert(sizeof(struct tde_owner_rec) == 56 + TDE_CG_DEPTH * TDE_CG_NAME,
	       "struct tde_owner_rec size");

#endif /* TCPDROP_EVENT_H */
