// SPDX-License-Identifier: BSD-2-Clause
/* explain: lookups in the drop-reason knowledge base and the diagnosis of one drop. */
#include "explain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stacktext.h"

/* ---- the index: the table sorted by name, built on first use ---- */

static const struct rpt_reason_info **sorted;
static size_t nsorted;

static int cmp_info(const void *a, const void *b)
{
	const struct rpt_reason_info *x = *(const struct rpt_reason_info *const *)a;
	const struct rpt_reason_info *y = *(const struct rpt_reason_info *const *)b;

	return strcmp(x->name, y->name);
}

/* The report is single-threaded; without memory the lookups fall back to a linear scan. */
static void build_index(void)
{
	if (sorted || !rpt_reasons_kb_count)
		return;
	sorted = calloc(rpt_reasons_kb_count, sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < rpt_reasons_kb_count; i++)
		sorted[i] = &rpt_reasons_kb[i];
	qsort(sorted, rpt_reasons_kb_count, sizeof(*sorted), cmp_info);
	nsorted = rpt_reasons_kb_count;
}

/* The name as the table spells it: no SKB_DROP_REASON_ prefix; no "___" (mac80211's BTF
 * duplicate of its enum, seen in Linux 6.12, spells every name with three underscores). */
static const char *bare_name(const char *name)
{
	name = tdf_reason_short(name);
	if (strncmp(name, "___", 3) == 0 && name[3] != '_')
		name += 3;
	return name;
}

const struct rpt_reason_info *rpt_explain_reason(const char *name)
{
	size_t lo = 0, hi;

	if (!name)
		return NULL;
	name = bare_name(name);
	build_index();
	if (!sorted) {
		for (size_t i = 0; i < rpt_reasons_kb_count; i++)
			if (strcmp(rpt_reasons_kb[i].name, name) == 0)
				return &rpt_reasons_kb[i];
		return NULL;
	}
	hi = nsorted;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, sorted[mid]->name);

		if (c == 0)
			return sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct rpt_reason_info *rpt_explain_all(size_t *n)
{
	*n = rpt_reasons_kb_count;
	return rpt_reasons_kb;
}

const char *rpt_verdict_text(enum rpt_verdict v)
{
	switch (v) {
	case RPT_VERDICT_PROBLEM:
		return "usually a problem";
	case RPT_VERDICT_DEPENDS:
		return "normal in small numbers, a problem when it grows";
	case RPT_VERDICT_BENIGN:
		return "usually benign";
	case RPT_VERDICT_NOT_A_DROP:
		return "not a drop";
	}
	return "?";
}

const char *rpt_explain_summary(const char *name)
{
	const struct rpt_reason_info *ri = rpt_explain_reason(name);

	return ri ? ri->summary : RPT_EXPLAIN_UNKNOWN;
}

const char *rpt_explain_subsys(const char *name, uint32_t code, char *buf, size_t len)
{
	const struct rpt_reason_info *ri = rpt_explain_reason(name);
	const char *b = name ? bare_name(name) : "";
	const char *s = NULL;

	if (ri)
		s = ri->subsys;
	else if (strncmp(b, "RX_", 3) == 0)
		s = "mac80211";
	else if (strncmp(b, "OVS_", 4) == 0)
		s = "openvswitch";
	else if (code >> 16 == 0)
		s = "core";
	if (len == 0)
		return buf;
	if (s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "subsystem %" PRIu32, code >> 16);
	return buf;
}

/* ---- the diagnosis of one drop ---- */

/* A line under construction; what does not fit is counted, like snprintf. */
struct line {
	char *buf;
	size_t len, used;
};

static void __attribute__((format(printf, 2, 3))) add(struct line *l, const char *fmt, ...)
{
	size_t room = l->used < l->len ? l->len - l->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? l->buf + l->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n;
}

/* What the diagnoses look at, worked out once. */
struct facts {
	const struct rpt_drop *rd;
	const struct tdf_drop *d;
	bool syn, ack, rst, fin;
	long payload; /* TCP payload bytes from the captured headers, -1 unknown */
	uint16_t local_port;
	char ifname[TDF_IFNAME_LEN * 4 + 1]; /* escaped; "" = no device recorded */
	char in_netns[96];		     /* " in netns N", " in netns NAME (N)" or "" */
	char owner[TDF_COMM_LEN * 4 + 16];   /* " (COMM/PID)" of the socket owner, or "" */
	const char *state;		     /* TCP state name, escaped, or NULL without socket */
	char state_buf[TDF_NAME_MAX * 4 + 1];
};

/* Payload length from the IP and TCP headers (IPv6 only without extension headers). */
static long payload_len(const struct tdf_drop *d)
{
	const uint8_t *p = d->data;
	size_t ip_len, total;

	if (!p)
		return -1;
	if (d->family == 4 && d->caplen >= 20 && (p[0] >> 4) == 4) {
		ip_len = (size_t)(p[0] & 0x0f) * 4;
		total = (size_t)p[2] << 8 | p[3];
	} else if (d->family == 6 && d->caplen >= 40 && (p[0] >> 4) == 6 && p[6] == 6) {
		ip_len = 40;
		total = 40 + ((size_t)p[4] << 8 | p[5]);
	} else {
		return -1;
	}
	if (ip_len < 20 || d->caplen < ip_len + 13)
		return -1;
	size_t tcp_len = (size_t)(p[ip_len + 12] >> 4) * 4;

	if (tcp_len < 20 || total < ip_len + tcp_len)
		return -1;
	return (long)(total - ip_len - tcp_len);
}

static void facts_init(struct facts *f, const struct rpt_drop *rd)
{
	const struct tdf_drop *d = rd->d;

	memset(f, 0, sizeof(*f));
	f->rd = rd;
	f->d = d;
	f->syn = d->tcp_flags & TDF_TCP_SYN;
	f->ack = d->tcp_flags & TDF_TCP_ACK;
	f->rst = d->tcp_flags & TDF_TCP_RST;
	f->fin = d->tcp_flags & TDF_TCP_FIN;
	f->payload = payload_len(d);
	/* Sent segments have the local end as source; everything else was on its way in. */
	f->local_port = d->dir == TDF_DIR_OUT ? d->sport : d->dport;
	if (d->ifname[0])
		rpt_text_escape(f->ifname, sizeof(f->ifname), d->ifname, TDF_IFNAME_LEN);
	else if (d->ifindex)
		snprintf(f->ifname, sizeof(f->ifname), "ifindex %" PRIu32, d->ifindex);
	if (d->netns && rd->netns_name) {
		char name[65]; /* cut: the line must stay within RPT_EXPLAIN_LINE_MAX */

		rpt_text_escape(name, sizeof(name), rd->netns_name, TDF_NAME_MAX);
		snprintf(f->in_netns, sizeof(f->in_netns), " in netns %s (%" PRIu32 ")", name,
			 d->netns);
	} else if (d->netns) {
		snprintf(f->in_netns, sizeof(f->in_netns), " in netns %" PRIu32, d->netns);
	}
	if (rd->owner) {
		char comm[TDF_COMM_LEN * 4 + 1];

		rpt_text_escape(comm, sizeof(comm), rd->owner->comm, TDF_COMM_LEN);
		snprintf(f->owner, sizeof(f->owner), " (%s/%" PRIu32 ")", comm, rd->owner->pid);
	}
	if (rd->state) {
		rpt_text_escape(f->state_buf, sizeof(f->state_buf), rd->state, TDF_NAME_MAX);
		f->state = f->state_buf;
	}
}

/* "a SYN", "data", "a FIN", "a RST" or "an ACK": what the segment was. */
static const char *segment_kind(const struct facts *f)
{
	if (f->rst)
		return "a RST";
	if (f->syn)
		return f->ack ? "a SYN-ACK" : "a SYN";
	if (f->payload > 0)
		return "data";
	if (f->fin)
		return "a FIN";
	return f->ack ? "an ACK" : "a segment";
}

/* The symbol of frame a (NULL if the snapshot cannot place it) and its module. */
static const char *frame_sym(const struct rpt_file *file, struct tdf_kaddr a, const char **mod)
{
	uint32_t off;

	*mod = NULL;
	return rpt_file_lookup(file, a, &off, mod);
}

/* Functions that call nf_hook_slow, inlined NF_HOOK() included, and the hook they run. */
static const struct {
	const char *fn, *hook;
} nf_callers[] = {
    {"ip_rcv", "prerouting"},
    {"ip_sublist_rcv", "prerouting"},
    {"ip_list_rcv", "prerouting"},
    {"ip_local_deliver", "input"},
    {"ip_forward", "forward"},
    {"__ip_local_out", "output"},
    {"ip_local_out", "output"},
    {"ip_send_skb", "output"},
    {"ip_output", "postrouting"},
    {"ip_mc_output", "postrouting"},
    {"ipv6_rcv", "prerouting"},
    {"ipv6_list_rcv", "prerouting"},
    {"ip6_sublist_rcv", "prerouting"},
    {"ip6_input", "input"},
    {"ip6_mc_input", "input"},
    {"ip6_forward", "forward"},
    {"__ip6_local_out", "output"},
    {"ip6_local_out", "output"},
    {"ip6_xmit", "output"},
    {"ip6_output", "postrouting"},
    {"ip6_finish_output2", "postrouting"},
    {"__netif_receive_skb_core", "netdev ingress"},
    {"__dev_queue_xmit", "netdev egress"},
    {"br_handle_frame", "bridge prerouting"},
    {"br_handle_frame_finish", "bridge input"},
    {"br_pass_frame_up", "bridge input"},
    {"__br_forward", "bridge forward"},
    {"br_forward_finish", "bridge postrouting"},
    {"br_dev_queue_push_xmit", "bridge postrouting"},
    {"arp_rcv", "arp input"},
};

/* Frames between the innermost nf_hook_slow and the caller that names its hook, at most. */
#define NF_CALLER_REACH 4

/*
 * Which netfilter hook dropped it, from the stack: the first known caller outside
 * nf_hook_slow, and who gave the verdict when the stack still shows it (it rarely does: the
 * verdict function has returned by the time nf_hook_slow frees the packet).
 */
static void nf_hook_of(const struct facts *f, const char **hook, const char **via, const char **who)
{
	const struct tdf_stack *s = f->rd->stack;
	const struct rpt_file *file = f->rd->file;
	uint32_t i, skip, hook_at = UINT32_MAX;

	*hook = *via = *who = NULL;
	if (!s)
		return;
	*hook = ""; /* a stack: "" until a known caller names the hook */
	skip = rpt_stack_skip(file, s);
	for (i = skip; i < s->depth; i++) {
		const char *mod, *sym = frame_sym(file, s->frames[i], &mod);

		if (!sym)
			continue;
		if (hook_at == UINT32_MAX && strcmp(sym, "nf_hook_slow") == 0) {
			hook_at = i;
			continue;
		}
		if (hook_at == UINT32_MAX) {
			if (strncmp(sym, "nft_", 4) == 0)
				*who = "an nftables rule";
			else if (strstr(sym, "t_do_table"))
				*who = "an iptables rule";
			else if (strncmp(sym, "nf_conntrack", 12) == 0 ||
				 strstr(sym, "conntrack_in"))
				*who = "conntrack";
			continue;
		}
		if (i - hook_at > NF_CALLER_REACH)
			break;
		if (strncmp(sym, "nf_hook", 7) == 0)
			continue; /* nf_hook_slow_list and friends */
		for (size_t k = 0; k < sizeof(nf_callers) / sizeof(nf_callers[0]); k++) {
			if (strcmp(sym, nf_callers[k].fn) == 0) {
				*hook = nf_callers[k].hook;
				*via = nf_callers[k].fn;
				return;
			}
		}
	}
}

/* Interface name prefixes of virtual devices. */
static const char *const virtual_prefixes[] = {
    "lo",      "veth",	  "tap",   "tun",	"br",	 "docker", "virbr", "vnet",   "cni",
    "flannel", "cali",	  "vxlan", "geneve",	"genev", "wg",	   "lxc",   "cilium", "kube",
    "ovs",     "dummy",	  "ifb",   "gre",	"ip6",	 "sit",	   "ipip",  "vti",    "nlmon",
    "macvlan", "macvtap", "ipvl",  "tailscale", "zt",	 "weave",  "vrf",   "podman", "vmnet",
};

/* Functions and modules of virtual devices and of packets injected by software. */
static const char *const virtual_syms[] = {
    "tun_", "tap_", "veth_", "loopback_", "netif_rx", "__netif_rx", "dev_loopback_xmit",
};
static const char *const virtual_mods[] = {
    "tun",	   "veth",	 "tap",		 "macvtap",   "macvlan",
    "ipvlan",	   "vxlan",	 "geneve",	 "wireguard", "bridge",
    "openvswitch", "virtio_net", "xen_netfront", "hv_netvsc", "vmxnet3",
};

/* Why the device looks virtual ("name", "stack"), or NULL for a physical-looking one. */
static const char *virtual_device(const struct facts *f)
{
	const struct tdf_stack *s = f->rd->stack;
	const char *name = f->d->ifname;

	for (size_t i = 0; i < sizeof(virtual_prefixes) / sizeof(virtual_prefixes[0]); i++)
		if (strncmp(name, virtual_prefixes[i], strlen(virtual_prefixes[i])) == 0)
			return "its name";
	if (!s)
		return NULL;
	for (uint32_t i = rpt_stack_skip(f->rd->file, s); i < s->depth; i++) {
		const char *mod, *sym = frame_sym(f->rd->file, s->frames[i], &mod);

		for (size_t k = 0; sym && k < sizeof(virtual_syms) / sizeof(virtual_syms[0]); k++)
			if (strncmp(sym, virtual_syms[k], strlen(virtual_syms[k])) == 0)
				return "its stack";
		for (size_t k = 0; mod && k < sizeof(virtual_mods) / sizeof(virtual_mods[0]); k++)
			if (strcmp(mod, virtual_mods[k]) == 0)
				return "its stack";
	}
	return NULL;
}

static void diag_no_socket(struct line *l, const struct facts *f)
{
	if (f->syn && !f->ack)
		add(l,
		    "a SYN to port %u, where nothing listens%s: the kernel answered with a "
		    "reset (the client sees 'connection refused')",
		    f->d->dport, f->in_netns);
	else if (f->rst) /* no port: resets mostly go to ephemeral ports, one group for all */
		add(l,
		    "a RST that matches no connection%s: the peer reset a connection already "
		    "gone here (harmless)",
		    f->in_netns);
	else
		add(l,
		    "%s to port %u matches no connection%s: half-open after a restart here, or "
		    "closed earlier while the peer still sends",
		    segment_kind(f), f->d->dport, f->in_netns);
}

static void diag_listen_overflow(struct line *l, const struct facts *f)
{
	add(l, "the accept queue of the listener on port %u%s%s is full: ", f->local_port, f->owner,
	    f->in_netns);
	if (f->syn)
		add(l, "new connection attempts are dropped and clients retry their SYN; the "
		       "application does not accept() fast enough");
	else
		add(l, "the handshake's last ACK was dropped, so the client thinks it is connected "
		       "while the server has no connection yet; the application does not accept() "
		       "fast enough");
}

static void diag_netfilter(struct line *l, const struct facts *f)
{
	const char *hook, *via, *who;

	nf_hook_of(f, &hook, &via, &who);
	add(l, "%s dropped %s to port %u", who ? who : "a netfilter rule or policy",
	    segment_kind(f), f->d->dport);
	if (hook && *hook)
		add(l, " in the %s hook (via %s)", hook, via);
	else if (hook)
		add(l, " (hook not found in the stack)");
	else
		add(l, " (hook unknown: recorded without a stack)");
	add(l, "%s: nft list ruleset or iptables-save -c there", f->in_netns);
}

static void diag_csum(struct line *l, const struct facts *f)
{
	const char *why;

	if (!f->d->ifname[0]) {
		if (f->d->ifindex)
			add(l, "bad TCP checksum on %s (its name was not recorded): ", f->ifname);
		else
			add(l, "bad TCP checksum (no device recorded): ");
		add(l, "wire or NIC corruption, or a checksum left to an offload that never filled "
		       "it in");
		return;
	}
	why = virtual_device(f);
	if (why)
		add(l,
		    "bad TCP checksum on %s, a virtual device (by %s): usually a sender that left "
		    "the checksum to offload and an injector or forwarder that did not fill it "
		    "in, not wire corruption",
		    f->ifname, why);
	else
		add(l,
		    "bad TCP checksum received on %s, a physical NIC: corruption on the wire, "
		    "optics or NIC (ethtool -S %s), or a middlebox rewriting segments",
		    f->ifname, f->ifname);
}

static void diag_sequence(struct line *l, const struct facts *f, bool old)
{
	const char *st = f->state ? f->state : "socket-less";

	if (f->rst) {
		add(l,
		    "a RST outside the window (%s, port %u): ignored on purpose (RFC 5961); a "
		    "late reset of an old connection, or spoofing if many come from unknown "
		    "sources",
		    st, f->local_port);
	} else if (f->syn) {
		add(l,
		    "a SYN on a synchronized connection (%s, port %u): the peer restarted with "
		    "the same ports, or spoofing",
		    st, f->local_port);
	} else if (f->state &&
		   (strcmp(f->state, "SYN_RECV") == 0 || strcmp(f->state, "NEW_SYN_RECV") == 0 ||
		    strcmp(f->state, "LISTEN") == 0)) {
		add(l,
		    "%s that does not fit the pending handshake on port %u (%s): a stale "
		    "retransmission, or a middlebox or SYN-cookie mismatch",
		    segment_kind(f), f->local_port, f->state);
	} else if (f->state && strcmp(f->state, "ESTABLISHED") != 0) {
		add(l,
		    "%s for a connection already closing (%s, port %u): a late retransmission "
		    "after close",
		    segment_kind(f), f->state, f->local_port);
	} else if (old) {
		add(l,
		    "%s that was already received (%s, port %u): a retransmission after a lost "
		    "or late ACK; harmless unless frequent",
		    segment_kind(f), st, f->local_port);
	} else if (f->payload > 0) {
		add(l,
		    "data outside the receive window (%s, port %u): the peer overran the "
		    "window, or a middlebox rewrote sequence numbers or window scaling; an "
		    "injection attempt if it comes from unexpected sources",
		    st, f->local_port);
	} else {
		add(l,
		    "%s outside the window (%s, port %u): mostly a late or reordered "
		    "retransmission; a middlebox or spoofing if it persists",
		    segment_kind(f), st, f->local_port);
	}
}

static void diag_qdisc(struct line *l, const struct facts *f, const struct rpt_reason_info *ri)
{
	if (f->ifname[0])
		add(l, "%s, on egress device %s: tc -s qdisc show dev %s", ri->summary, f->ifname,
		    f->ifname);
	else
		add(l, "%s (egress device not recorded)", ri->summary);
}

/* Reasons about one socket's memory or window: name the local port and state. */
static void diag_socket(struct line *l, const struct facts *f, const struct rpt_reason_info *ri)
{
	add(l, "%s (local port %u, %s%s)", ri->summary, f->local_port,
	    f->state ? f->state : "no socket", f->in_netns);
}

/* The drop location as escaped text. */
static void add_location(struct line *l, const struct facts *f)
{
	char sym[TDF_NAME_MAX + 64], esc[sizeof(sym) * 4];

	if (f->d->location.mod == TDF_MOD_UNKNOWN)
		return;
	rpt_file_symbolize(f->rd->file, f->d->location, sym, sizeof(sym));
	rpt_text_escape(esc, sizeof(esc), sym, sizeof(sym));
	add(l, ", dropped in %s", esc);
}

static void diag_not_specified(struct line *l, const struct facts *f)
{
	add(l, "no specific reason given");
	add_location(l, f);
	add(l, ": the location and stack tell which check failed");
}

static bool is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

size_t rpt_explain_drop(const struct rpt_drop *rd, char *buf, size_t len)
{
	struct line l = {.buf = buf, .len = len};
	const struct rpt_reason_info *ri;
	struct facts f;
	const char *n;
	char sub[48];

	if (len)
		buf[0] = '\0';
	facts_init(&f, rd);
	ri = rpt_explain_reason(rd->reason);
	if (!ri) {
		rpt_explain_subsys(rd->reason, rd->d->reason, sub, sizeof(sub));
		add(&l, "%s (subsystem %s, code %" PRIu32 "%s)", RPT_EXPLAIN_UNKNOWN, sub,
		    rd->d->reason,
		    rpt_file_reason(rd->file, rd->d->reason) ? ""
							     : "; the recording did not name it");
		add_location(&l, &f);
		goto out;
	}
	n = ri->name;
	if (is(n, "NO_SOCKET"))
		diag_no_socket(&l, &f);
	else if (is(n, "TCP_LISTEN_OVERFLOW"))
		diag_listen_overflow(&l, &f);
	else if (is(n, "NETFILTER_DROP"))
		diag_netfilter(&l, &f);
	else if (is(n, "TCP_CSUM"))
		diag_csum(&l, &f);
	else if (is(n, "TCP_INVALID_SEQUENCE") || is(n, "TCP_OLD_SEQUENCE") ||
		 is(n, "TCP_INVALID_END_SEQUENCE"))
		diag_sequence(&l, &f, is(n, "TCP_OLD_SEQUENCE"));
	else if (strncmp(n, "QDISC_", 6) == 0 || strncmp(n, "FQ_", 3) == 0 || is(n, "CAKE_FLOOD") ||
		 is(n, "DUALPI2_STEP_DROP"))
		diag_qdisc(&l, &f, ri);
	else if (is(n, "TCP_ZEROWINDOW") || is(n, "SOCKET_RCVBUFF") || is(n, "PROTO_MEM") ||
		 is(n, "SOCKET_BACKLOG") || is(n, "TCP_OFO_DROP") || is(n, "TCP_OFO_QUEUE_PRUNE") ||
		 is(n, "TCP_ABORT_ON_DATA"))
		diag_socket(&l, &f, ri);
	else if (is(n, "NOT_SPECIFIED"))
		diag_not_specified(&l, &f);
	else
		add(&l, "%s", ri->summary);
out:
	if (len && l.used >= len)
		buf[len - 1] = '\0';
	return l.used;
}

/* ---- --reasons ---- */

static const char *verdict_word(enum rpt_verdict v)
{
	switch (v) {
	case RPT_VERDICT_PROBLEM:
		return "problem";
	case RPT_VERDICT_DEPENDS:
		return "depends";
	case RPT_VERDICT_BENIGN:
		return "benign";
	case RPT_VERDICT_NOT_A_DROP:
		return "no-drop";
	}
	return "?";
}

int rpt_explain_list(FILE *out)
{
	errno = 0;
	fprintf(out, "%-36s %-11s %-8s %s\n", "REASON", "SUBSYSTEM", "VERDICT", "WHY");
	for (size_t i = 0; i < rpt_reasons_kb_count; i++) {
		const struct rpt_reason_info *ri = &rpt_reasons_kb[i];

		fprintf(out, "%-36s %-11s %-8s %s\n", ri->name, ri->subsys,
			verdict_word(ri->verdict), ri->summary);
	}
	fprintf(out,
		"%zu reasons. VERDICT: problem = usually a problem; depends = normal in small "
		"numbers, a problem when it grows; benign = usually benign; no-drop = never a "
		"real drop.\n",
		rpt_reasons_kb_count);
	return rpt_out_status(out, true);
}
