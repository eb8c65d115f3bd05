// SPDX-License-Identifier: BSD-2-Clause
/* The benchmark floor: an empty program on the recorder's hook, so its cost is the hook's own. */
/* The few kernel types bpf_helpers.h needs, so no host kernel headers are involved. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>

SEC("tp_btf/kfree_skb")
int floor_kfree_skb(__u64 *ctx)
{
	(void)ctx;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
