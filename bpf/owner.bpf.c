// SPDX-License-Identifier: BSD-2-Clause
/*
 * The owner iterator: walks every process's open files and reports those whose socket
 * userspace asked about (the "want" map), with the process and the socket's cgroup. Its link
 * is created while the recorder is privileged; reading a new iterator from it later needs no
 * capability, so owners are found without keeping CAP_SYS_PTRACE or scanning /proc.
 */
#include "kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TDE_OWN_WANT_MAX);
	__type(key, __u64);  /* struct sock * as the probe saw it */
	__type(value, __u8); /* unused */
} want SEC(".maps");

/* the record is larger than the BPF stack: built here (iterators run one at a time) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tde_owner_rec);
} scratch SEC(".maps");

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___v615, __parent))
		return BPF_CORE_READ((struct kernfs_node___v615 *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* The cgroup directory names from kn up to (not including) the root, innermost first. */
static __always_inline void cg_path(struct tde_owner_rec *r, struct kernfs_node *kn)
{
	struct kernfs_node *up;
	__u32 i;

	r->cg_depth = 0;
	r->cg_cut = 0;
	for (i = 0; i < TDE_CG_DEPTH; i++) {
		if (!kn)
			return;
		up = kn_parent(kn);
		if (!up)
			return; /* kn is the root */
		bpf_probe_read_kernel_str(r->cg_names[i], TDE_CG_NAME, BPF_CORE_READ(kn, name));
		r->cg_depth = i + 1;
		kn = up;
	}
	r->cg_cut = kn && kn_parent(kn) ? 1 : 0;
}

SEC("iter/task_file")
int owners(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct tde_owner_rec *r;
	struct kernfs_node *kn;
	struct socket *sock;
	struct sock *sk;
	__u32 zero = 0;
	__u64 key;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	key = (__u64)sk;
	if (!sk || !bpf_map_lookup_elem(&want, &key))
		return 0;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return 0;
	r->sk = key;
	r->cookie = bpf_get_socket_cookie(sock->sk);
	kn = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn);
	r->cgroup = kn ? BPF_CORE_READ(kn, id) : 0;
	r->pid = task->tgid;
	r->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), task->comm);
	cg_path(r, kn);
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
	return 0;
}
