// SPDX-License-Identifier: BSD-2-Clause
/* gen: write a large synthetic trace file of realistic drops through the format library. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tdf.h"

/* A real kallsyms snapshot holds tens of thousands of text symbols; the report searches them. */
#define FILLER_SYMS 60000u
#define SYM_SPACING 0x180u

/* The symbols the stacks below use, at fixed offsets after the filler. */
static const char *const path_syms[] = {
    "sk_skb_reason_drop",
    "tcp_v4_rcv",
    "tcp_v6_rcv",
    "ip_protocol_deliver_rcu",
    "ip_local_deliver_finish",
    "ip6_protocol_deliver_rcu",
    "ip6_input_finish",
    "__netif_receive_skb_one_core",
    "process_backlog",
    "__napi_poll",
    "net_rx_action",
    "handle_softirqs",
    "do_softirq.part.0",
    "__local_bh_enable_ip",
    "__dev_queue_xmit",
    "ip_finish_output2",
    "ip_output",
    "raw_sendmsg",
    "____sys_sendmsg",
    "___sys_sendmsg",
    "__sys_sendmmsg",
    "__x64_sys_sendmmsg",
    "do_syscall_64",
    "entry_SYSCALL_64_after_hwframe",
    "nft_do_chain",
    "nft_do_chain_ipv4",
    "nf_hook_slow",
    "ip_rcv",
    "__netif_receive_skb_core",
    "veth_xmit",
    "tcp_v4_do_rcv",
    "tcp_rcv_established",
    "tcp_validate_incoming",
    "tcp_data_queue",
    "tcp_conn_request",
    "tcp_v4_conn_request",
    "tcp_rcv_state_process",
    "virtnet_poll",
    "napi_gro_receive",
    "gro_receive_skb",
    "tun_get_user",
    "tun_chr_write_iter",
    "vfs_write",
    "ksys_write",
    "__x64_sys_write",
    "__do_softirq",
    "irq_exit_rcu",
    "common_interrupt",
    "asm_common_interrupt",
    "cpuidle_enter_state",
    "do_idle",
    "cpu_startup_entry",
    "tcp_add_backlog",
    "tcp_checksum_complete",
};
#define NPATH (sizeof(path_syms) / sizeof(path_syms[0]))

/* Stacks by symbol index into path_syms, innermost first; -1 ends one. */
static const int stack_defs[][24] = {
    /* NO_SOCKET, IPv4, from a local sender (the flood's path) */
    {0, 1, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, -1},
    /* NO_SOCKET, IPv4, from a NIC in interrupt context */
    {0, 1, 3, 4, 7, 37, 9, 10, 45, 46, 47, 48, 49, 50, 51, -1},
    /* NO_SOCKET, IPv6, via veth */
    {0, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 29, 14, 15, 16, 17, 18, 19, 22, 23, -1},
    /* NETFILTER_DROP at input */
    {0, 24, 25, 26, 27, 28, 8, 9, 10, 45, 46, 47, 48, 49, 50, -1},
    /* TCP_INVALID_SEQUENCE on an established connection */
    {0, 32, 31, 30, 1, 3, 4, 7, 37, 9, 10, 45, 46, 47, 48, -1},
    /* TCP_CSUM from a tap device */
    {0, 53, 1, 3, 4, 7, 8, 9, 10, 11, 12, 13, 40, 41, 42, 43, 44, 22, 23, -1},
    /* TCP_LISTEN_OVERFLOW */
    {0, 35, 34, 36, 1, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -1},
    /* TCP_OLD_DATA */
    {0, 33, 31, 30, 1, 3, 4, 7, 37, 9, 10, 45, 46, 47, -1},
};
#define NSTACKS (sizeof(stack_defs) / sizeof(stack_defs[0]))

struct kind {
	uint32_t reason;
	const char *name;
	unsigned int weight; /* per 1000 */
	unsigned int stack;  /* index into stack_defs */
	uint8_t state, flags;
	uint8_t v6; /* 1: IPv6 */
	uint16_t payload;
};

static const struct kind kinds[] = {
    {3, "SKB_DROP_REASON_NO_SOCKET", 500, 0, 0, TDF_TCP_SYN, 0, 0},
    {3, "SKB_DROP_REASON_NO_SOCKET", 150, 1, 0, TDF_TCP_ACK, 0, 0},
    {3, "SKB_DROP_REASON_NO_SOCKET", 100, 2, 0, TDF_TCP_SYN, 1, 0},
    {12, "SKB_DROP_REASON_NETFILTER_DROP", 100, 3, 0, TDF_TCP_SYN, 0, 0},
    {42, "SKB_DROP_REASON_TCP_INVALID_SEQUENCE", 60, 4, 1, TDF_TCP_ACK | TDF_TCP_PSH, 0, 512},
    {10, "SKB_DROP_REASON_TCP_CSUM", 40, 5, 0, TDF_TCP_ACK, 0, 100},
    {40, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW", 30, 6, 10, TDF_TCP_ACK, 0, 0},
    {33, "SKB_DROP_REASON_TCP_OLD_DATA", 20, 7, 1, TDF_TCP_ACK | TDF_TCP_PSH, 1, 1200},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char *const state_names[] = {
    "",	     "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",	 "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",	 "NEW_SYN_RECV",
};

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32be(uint8_t *p, uint32_t v)
{
	put16be(p, (uint16_t)(v >> 16));
	put16be(p + 2, (uint16_t)v);
}

/* The packet's first bytes from the IP header, consistent with the drop's fields. */
static uint16_t packet_build(uint8_t *pkt, const struct tdf_drop *d, uint16_t payload)
{
	uint8_t *tcp;
	uint16_t iplen = d->family == 6 ? 40 : 20, hdr = iplen + 20;

	memset(pkt, 0, hdr);
	if (d->family == 6) {
		pkt[0] = 0x60;
		put16be(pkt + 4, (uint16_t)(20 + payload));
		pkt[6] = 6;
		pkt[7] = 64;
		memcpy(pkt + 8, d->saddr, 16);
		memcpy(pkt + 24, d->daddr, 16);
	} else {
		pkt[0] = 0x45;
		put16be(pkt + 2, (uint16_t)(hdr + payload));
		pkt[6] = 0x40;
		pkt[8] = 64;
		pkt[9] = 6;
		memcpy(pkt + 12, d->saddr, 4);
		memcpy(pkt + 16, d->daddr, 4);
	}
	tcp = pkt + iplen;
	put16be(tcp, d->sport);
	put16be(tcp + 2, d->dport);
	put32be(tcp + 4, d->tcp_seq);
	put32be(tcp + 8, d->tcp_ack);
	tcp[12] = 5 << 4;
	tcp[13] = d->tcp_flags;
	put16be(tcp + 14, d->win);
	put16be(tcp + 16, (uint16_t)rnd());
	return hdr;
}

static int write_preamble(struct tdf_writer *w, uint32_t *stack_ids)
{
	static const struct tdf_kv kv[] = {
	    {TDF_META_HOST, "bench-synthetic"},
	    {TDF_META_KERNEL_RELEASE, "6.18.0-synthetic"},
	    {TDF_META_KERNEL_VERSION, "#1 SMP PREEMPT_DYNAMIC"},
	    {TDF_META_BOOT_ID, "00000000-0000-4000-8000-000000000000"},
	    {TDF_META_ARCH, "x86_64"},
	    {TDF_META_TOOL_VERSION, "bench-gen"},
	    {TDF_META_CMDLINE, "bench/gen"},
	    {TDF_META_SNAPLEN, "128"},
	    {TDF_META_STACK_DEPTH, "127"},
	    {TDF_META_HOOK, "tp_btf"},
	};
	struct tdf_record rec;
	struct tdf_name reasons[NKINDS], states[12];
	struct tdf_ksym *syms;
	struct tdf_kaddr frames[24];
	uint32_t nreasons = 0, nsyms = FILLER_SYMS + NPATH;
	char *names;
	int ret;

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_META;
	rec.meta.count = sizeof(kv) / sizeof(kv[0]);
	rec.meta.kv = kv;
	if ((ret = tdf_writer_add(w, &rec)))
		return ret;

	rec.type = TDF_REC_CLOCK;
	rec.clock.boot_ns = 1000000000ull;
	rec.clock.real_ns = 1795900000000000000ull;
	if ((ret = tdf_writer_add(w, &rec)))
		return ret;

	for (size_t i = 0; i < NKINDS; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < nreasons; j++)
			seen |= reasons[j].value == kinds[i].reason;
		if (!seen)
			reasons[nreasons++] = (struct tdf_name){kinds[i].reason, kinds[i].name};
	}
	rec.type = TDF_REC_REASONS;
	rec.names.count = nreasons;
	rec.names.names = reasons;
	if ((ret = tdf_writer_add(w, &rec)))
		return ret;

	for (uint32_t i = 0; i < 12; i++)
		states[i] = (struct tdf_name){i + 1, state_names[i + 1]};
	rec.type = TDF_REC_STATES;
	rec.names.count = 12;
	rec.names.names = states;
	if ((ret = tdf_writer_add(w, &rec)))
		return ret;

	syms = calloc(nsyms, sizeof(*syms));
	names = calloc(FILLER_SYMS, 16);
	if (!syms || !names) {
		free(syms);
		free(names);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < FILLER_SYMS; i++) {
		snprintf(names + 16 * i, 16, "fn_%05u", i);
		syms[i] = (struct tdf_ksym){i * SYM_SPACING, names + 16 * i};
	}
	for (uint32_t i = 0; i < NPATH; i++)
		syms[FILLER_SYMS + i] =
		    (struct tdf_ksym){(FILLER_SYMS + i) * SYM_SPACING, path_syms[i]};
	rec.type = TDF_REC_KSYMS;
	rec.ksyms.mod = TDF_MOD_VMLINUX;
	rec.ksyms.count = nsyms;
	rec.ksyms.syms = syms;
	ret = tdf_writer_add(w, &rec);
	free(syms);
	free(names);
	if (ret)
		return ret;

	for (uint32_t s = 0; s < NSTACKS; s++) {
		uint32_t depth = 0;

		while (stack_defs[s][depth] >= 0) {
			uint32_t sym = FILLER_SYMS + (uint32_t)stack_defs[s][depth];

			frames[depth] = (struct tdf_kaddr){TDF_MOD_VMLINUX,
							   sym * SYM_SPACING + 0x20 + depth * 7};
			depth++;
		}
		rec.type = TDF_REC_STACK;
		rec.stack.id = s + 1;
		rec.stack.depth = depth;
		rec.stack.frames = frames;
		if ((ret = tdf_writer_add(w, &rec)))
			return ret;
		stack_ids[s] = s + 1;
	}
	return 0;
}

static int write_drops(struct tdf_writer *w, uint64_t count, const uint32_t *stack_ids)
{
	static const char *const comms[] = {"swapper/0",   "swapper/1", "nginx",
					    "ksoftirqd/1", "curl",	"postgres"};
	uint8_t pkt[TDF_SNAP_MAX];
	uint64_t ts = 2000000000ull;
	struct tdf_record rec;
	int ret;

	memset(&rec, 0, sizeof(rec));
	rec.type = TDF_REC_DROP;
	for (uint64_t n = 1; n <= count; n++) {
		struct tdf_drop *d = &rec.drop;
		uint64_t r = rnd();
		unsigned int pick = (unsigned int)(r % 1000), acc = 0;
		const struct kind *k = &kinds[0];

		for (size_t i = 0; i < NKINDS; i++) {
			acc += kinds[i].weight;
			if (pick < acc) {
				k = &kinds[i];
				break;
			}
		}
		memset(d, 0, sizeof(*d));
		d->seq_no = n;
		ts += 200 + (r >> 20) % 1800; /* ~1 us apart with jitter: about a million drops/s */
		d->ts_ns = ts;
		d->cpu = (uint32_t)(r >> 40) & 1;
		snprintf(d->comm, sizeof(d->comm), "%s", comms[(r >> 42) % 6]);
		d->pid = d->tid = 100 + (uint32_t)((r >> 45) % 6) * 1117;
		d->family = k->v6 ? 6 : 4;
		d->tcp_flags = k->flags;
		d->state = k->state;
		d->dir = TDF_DIR_IN;
		if (k->v6) {
			d->saddr[0] = 0xfd;
			d->saddr[1] = 0x42;
			d->saddr[15] = (uint8_t)(r >> 8);
			d->saddr[14] = (uint8_t)(r >> 50);
			d->daddr[0] = 0xfd;
			d->daddr[1] = 0x42;
			d->daddr[15] = 1;
		} else {
			d->saddr[0] = 10;
			d->saddr[1] = (uint8_t)(r >> 52);
			d->saddr[2] = (uint8_t)(r >> 8);
			d->saddr[3] = (uint8_t)(r >> 16) | 1;
			d->daddr[0] = 10;
			d->daddr[3] = 1;
		}
		d->sport = (uint16_t)(1024 + (r >> 24) % 64511);
		{
			static const uint16_t dports[] = {443, 80, 22, 5432, 8080, 9};

			d->dport = dports[(r >> 56) % 6];
		}
		d->tcp_seq = (uint32_t)rnd();
		d->tcp_ack = k->flags & TDF_TCP_ACK ? (uint32_t)rnd() : 0;
		d->win = k->flags & TDF_TCP_SYN ? 64240 : (uint16_t)(500 + (r >> 30) % 3000);
		d->reason = k->reason;
		d->stack_id = stack_ids[k->stack];
		d->location = (struct tdf_kaddr){
		    TDF_MOD_VMLINUX,
		    (FILLER_SYMS + (uint32_t)stack_defs[k->stack][1]) * SYM_SPACING + 0x99};
		d->netns = 4026531840u + (uint32_t)((r >> 33) % 4);
		d->ifindex = k->stack == 0 ? 1 : 2 + (uint32_t)((r >> 35) % 2);
		snprintf(d->ifname, sizeof(d->ifname), "%s",
			 d->ifindex == 1   ? "lo"
			 : d->ifindex == 2 ? "eth0"
					   : "veth0");
		d->caplen = packet_build(pkt, d, k->payload);
		d->len = d->caplen + k->payload;
		/* The default snap length keeps payload bytes too, up to 128 from the IP header. */
		if (k->payload) {
			uint16_t extra =
			    k->payload < 128 - d->caplen ? k->payload : 128 - d->caplen;

			for (uint16_t i = 0; i < extra; i++)
				pkt[d->caplen + i] = (uint8_t)('a' + (i % 26));
			d->caplen += extra;
		}
		d->data = pkt;
		if ((ret = tdf_writer_add(w, &rec)))
			return ret;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t stack_ids[NSTACKS];
	unsigned long long count = 1000000;
	const char *out = NULL;
	struct tdf_writer *w;
	char *end;
	int c, fd, ret;

	while ((c = getopt(argc, argv, "n:o:s:h")) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			count = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || count == 0 || count > 1000000000ull) {
				fprintf(stderr, "gen: -n: '%s' is not a count in 1..1000000000\n",
					optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			rng_state = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			fprintf(stderr, "usage: gen -n COUNT -o FILE [-s SEED]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!out || optind != argc) {
		fprintf(stderr, "usage: gen -n COUNT -o FILE [-s SEED]\n");
		return 2;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "gen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	w = tdf_writer_open(fd, NULL);
	if (!w) {
		fprintf(stderr, "gen: %s: %s\n", out, strerror(errno));
		close(fd);
		return 1;
	}
	ret = write_preamble(w, stack_ids);
	if (!ret)
		ret = write_drops(w, count, stack_ids);
	if (ret) {
		fprintf(stderr, "gen: %s: %s\n", out, strerror(-ret));
		tdf_writer_abandon(w);
		close(fd);
		return 1;
	}
	ret = tdf_writer_close(w);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		fprintf(stderr, "gen: %s: %s\n", out, strerror(-ret));
		return 1;
	}
	printf("gen: %llu drops written to %s\n", count, out);
	return 0;
}
