/* SPDX-License-Identifier: BSD-2-Clause */
/* The few kernel types tcpdrop.bpf.c reads, declared by hand for CO-RE (never a vmlinux.h). */
#ifndef TCPDROP_KERNEL_H
#define TCPDROP_KERNEL_H

/*
 * Field offsets here mean nothing: preserve_access_index makes clang emit CO-RE relocations
 * and libbpf finds each field by name in the running kernel's BTF at load time. Only the
 * fields the program reads are declared; anonymous unions in the kernel (sk_buff::dev,
 * sk_buff::sk) are matched through by libbpf.
 */

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* uapi/linux/bpf.h values used by map definitions and helpers (stable ABI). */
enum {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};
enum {
	BPF_RB_AVAIL_DATA = 0,
	BPF_RB_RING_SIZE = 1,
};
enum {
	BPF_ANY = 0,
};

struct pt_regs;

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct ns_common {
	unsigned int inum;
};

struct net {
	struct ns_common ns;
};

typedef struct {
	struct net *net;
} possible_net_t;

typedef struct {
	__s64 counter;
} atomic64_t;

struct sock_common {
	unsigned short skc_family;
	volatile unsigned char skc_state;
	possible_net_t skc_net;
	struct sock *skc_listener; /* request sockets only (a union with skc_flags) */
	atomic64_t skc_cookie;
};

struct kernfs_node {
	__u64 id;
	const char *name;
};

/* the parent link was renamed in Linux 6.15 (RCU-protected since) */
struct kernfs_node___v615 {
	struct kernfs_node *__parent;
};

struct kernfs_node___old {
	struct kernfs_node *parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct sock_cgroup_data {
	struct cgroup *cgroup; /* the v2 cgroup the socket was created in */
};

struct sock {
	struct sock_common __sk_common;
	__u16 sk_protocol; /* u16 since Linux 5.6; we need 5.17 anyway */
	__u16 sk_type;
	struct sock_cgroup_data sk_cgrp_data;
};

/* For the owner iterator (owner.bpf.c). */
struct socket {
	struct sock *sk;
};

struct file;
struct seq_file;

struct nsproxy {
	struct net *net_ns;
};

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct nsproxy *nsproxy;
};

struct bpf_iter_meta {
	struct seq_file *seq;
};

struct bpf_iter__task_file {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
	__u32 fd;
	struct file *file;
};

struct net_device {
	char name[16];
	int ifindex;
	possible_net_t nd_net;
};

struct dst_entry {
	struct net_device *dev;
};

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned long _skb_refdst; /* struct dst_entry *, low bit SKB_DST_NOREF */
	unsigned int len;
	unsigned int data_len;
	int skb_iif;
	__be16 protocol;
	__u16 network_header;
	unsigned char *head;
	unsigned char *data;
};

#pragma clang attribute pop

#endif /* TCPDROP_KERNEL_H */
