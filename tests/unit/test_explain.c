// SPDX-License-Identifier: BSD-2-Clause
/* Unit tests for report/explain: coverage of every kernel's reason names, lookups, diagnoses. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../report/explain.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/tdftest.h"

/* ---- finding tests/data/reasons (like test_views finds its goldens) ---- */

static const char *reasons_dir(void)
{
	static char dir[4096];
	const char *top = getenv("TCPDROP_TOP");
	char exe[3072];
	ssize_t n;

	if (top && *top) {
		snprintf(dir, sizeof(dir), "%s/tests/data/reasons", top);
		return dir;
	}
	if (access("tests/data/reasons", F_OK) == 0)
		return "tests/data/reasons";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 6; up++) {
			char *p = strrchr(exe, '/');

			if (!p)
				break;
			*p = '\0';
			snprintf(dir, sizeof(dir), "%s/tests/data/reasons", exe);
			if (access(dir, F_OK) == 0)
				return dir;
		}
	}
	return "tests/data/reasons";
}

/* Printable ASCII, no newline: what the views may print as it is. */
static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Every entry is complete, unique and printable; summaries fit on a line. */
static void test_kb_integrity(void **state)
{
	size_t n;
	const struct rpt_reason_info *all = rpt_explain_all(&n);

	(void)state;
	assert_true(n > 200);
	for (size_t i = 0; i < n; i++) {
		const struct rpt_reason_info *ri = &all[i];

		if (!ri->name || !*ri->name || !ri->subsys || !ri->summary || !*ri->summary ||
		    !ri->check || !*ri->check || !ri->causes[0] || !ri->next[0])
			fail_msg("entry %zu (%s) is incomplete", i, ri->name ? ri->name : "?");
		if (strncmp(ri->name, "SKB_DROP_REASON_", 16) == 0)
			fail_msg("%s: names are kept without the prefix", ri->name);
		if (strcmp(ri->subsys, "core") && strcmp(ri->subsys, "mac80211") &&
		    strcmp(ri->subsys, "openvswitch"))
			fail_msg("%s: subsystem %s", ri->name, ri->subsys);
		if (!plain(ri->name) || !plain(ri->summary) || !plain(ri->check))
			fail_msg("%s: a string that is not plain ASCII on one line", ri->name);
		if (strlen(ri->summary) > 100)
			fail_msg("%s: summary of %zu bytes (at most 100)", ri->name,
				 strlen(ri->summary));
		for (int k = 0; k < RPT_EXPLAIN_LIST_MAX; k++)
			if ((ri->counters[k] && !plain(ri->counters[k])) ||
			    (ri->causes[k] && !plain(ri->causes[k])) ||
			    (ri->next[k] && !plain(ri->next[k])))
				fail_msg("%s: list item %d is not plain", ri->name, k);
		for (size_t j = 0; j < i; j++)
			if (strcmp(all[j].name, ri->name) == 0)
				fail_msg("%s twice", ri->name);
		assert_ptr_equal(rpt_explain_reason(ri->name), ri);
	}
}

/* Names that the report shows as they are. */
static const char *bare(const char *name)
{
	name = tdf_reason_short(name);
	return strncmp(name, "___", 3) == 0 ? name + 3 : name;
}

/*
 * tests/data/reasons/<version>.txt: one enumerator a line as the kernel's BTF names it ('#'
 * lines are comments). Every one must have an entry. Returns the number of names.
 */
static size_t check_names_file(const char *path, char *missing, size_t mlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t names = 0, used = strlen(missing);

	if (!f)
		fail_msg("%s: %s (run from the top of the tree or set TCPDROP_TOP)", path,
			 strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		names++;
		if (!rpt_explain_reason(line) && used + strlen(line) + 40 < mlen)
			used += (size_t)snprintf(missing + used, mlen - used, "  %s (%s)\n",
						 bare(line), strrchr(path, '/') + 1);
	}
	fclose(f);
	return names;
}

static void test_every_version_covered(void **state)
{
	const char *dir = reasons_dir();
	static const char *const need[] = {"6.1.txt", "6.18.txt"};
	char missing[8192] = "", path[4200];
	size_t files = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	(void)state;
	if (!d)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".txt") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (check_names_file(path, missing, sizeof(missing)) < 60)
			fail_msg("%s: fewer names than any kernel since 6.1 has", path);
		files++;
	}
	closedir(d);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, need[i]);
		if (access(path, R_OK) != 0)
			fail_msg("%s is missing", path);
	}
	assert_true(files >= 2);
	if (missing[0])
		fail_msg("names without an entry in report/reasons_kb.c:\n%s", missing);
}

/* ---- the running kernel's BTF, read without libbpf (the report never links it) ---- */

struct btf_strs {
	const char *base;
	uint32_t base_len;
	const char *own;
	uint32_t own_len;
};

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4); /* BTF is in the host's byte order */
	return v;
}

static const char *btf_str(const struct btf_strs *s, uint32_t off)
{
	if (off < s->base_len)
		return s->base + off;
	off -= s->base_len;
	return off < s->own_len ? s->own + off : "";
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 65536 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
	} while (got > 0);
	fclose(f);
	return buf;
}

/*
 * Check every enumerator of each enum whose name holds "drop_reason" (not "_subsys": what
 * tcpdrop-record stores) in one BTF blob. base: vmlinux's strings for a module's split BTF.
 * Returns the number of names checked; appends missing ones to missing.
 */
static size_t btf_check(const uint8_t *b, size_t len, struct btf_strs *s, char *missing,
			size_t mlen, const char *what)
{
	/* kind -> bytes after the common header, per vlen item or fixed */
	static const uint8_t fixed[20] = {[1] = 4, [3] = 12, [14] = 4, [17] = 4};
	static const uint8_t per_item[20] = {
	    [4] = 12, [5] = 12, [6] = 8, [13] = 8, [15] = 12, [19] = 12};
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	size_t names = 0, used = strlen(missing);
	const uint8_t *t, *end;

	if (len < 24 || b[0] != 0x9f || b[1] != 0xeb)
		fail_msg("%s: not BTF", what);
	hdr_len = rd32(b + 4);
	type_off = rd32(b + 8);
	type_len = rd32(b + 12);
	str_off = rd32(b + 16);
	str_len = rd32(b + 20);
	if ((uint64_t)hdr_len + type_off + type_len > len ||
	    (uint64_t)hdr_len + str_off + str_len > len)
		fail_msg("%s: BTF sections past the end", what);
	s->own = (const char *)b + hdr_len + str_off;
	s->own_len = str_len;
	t = b + hdr_len + type_off;
	end = t + type_len;
	while (t + 12 <= end) {
		uint32_t name_off = rd32(t), info = rd32(t + 4);
		unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		const uint8_t *items = t + 12;
		const char *tname = btf_str(s, name_off);

		if (kind == 0 || kind >= 20)
			fail_msg("%s: BTF kind %u unknown to this test", what, kind);
		t = items + fixed[kind] + (size_t)per_item[kind] * vlen;
		if (t > end)
			fail_msg("%s: BTF type past the end", what);
		if ((kind != 6 && kind != 19) || !strstr(tname, "drop_reason") ||
		    strstr(tname, "_subsys"))
			continue;
		for (unsigned i = 0; i < vlen; i++) {
			const char *e = btf_str(s, rd32(items + (size_t)i * per_item[kind]));

			names++;
			if (!rpt_explain_reason(e) && used + strlen(e) + 64 < mlen)
				used +=
				    (size_t)snprintf(missing + used, mlen - used,
						     "  %s (enum %s, %s)\n", bare(e), tname, what);
		}
	}
	return names;
}

static void test_running_kernel_covered(void **state)
{
	char missing[8192] = "", path[512];
	struct btf_strs s = {0};
	size_t len, names;
	uint8_t *vmlinux = slurp("/sys/kernel/btf/vmlinux", &len);
	const char *ci = getenv("CI");
	struct dirent *de;
	DIR *d;

	(void)state;
	if (!vmlinux) {
		if (ci && strcmp(ci, "true") == 0)
			fail_msg("/sys/kernel/btf/vmlinux: %s (CI=true: this must be checked)",
				 strerror(errno));
		print_message("[  SKIP    ] /sys/kernel/btf/vmlinux: %s: the running kernel's "
			      "names are not checked\n",
			      strerror(errno));
		skip();
	}
	names = btf_check(vmlinux, len, &s, missing, sizeof(missing), "vmlinux");
	assert_true(names >= 60);
	/* Modules' split BTF: string offsets past vmlinux's strings are their own. */
	s.base = s.own;
	s.base_len = s.own_len;
	d = opendir("/sys/kernel/btf");
	while (d && (de = readdir(d))) {
		size_t mlen;
		uint8_t *mod;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "vmlinux") == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/btf/%s", de->d_name);
		mod = slurp(path, &mlen);
		if (!mod)
			continue; /* a module going away */
		btf_check(mod, mlen, &s, missing, sizeof(missing), de->d_name);
		free(mod);
	}
	if (d)
		closedir(d);
	free(vmlinux);
	if (missing[0])
		fail_msg("names of the running kernel without an entry:\n%s", missing);
}

/* ---- lookups ---- */

static void test_lookup_forms(void **state)
{
	char buf[64];

	(void)state;
	assert_non_null(rpt_explain_reason("NO_SOCKET"));
	assert_ptr_equal(rpt_explain_reason("SKB_DROP_REASON_NO_SOCKET"),
			 rpt_explain_reason("NO_SOCKET"));
	assert_ptr_equal(rpt_explain_reason("___RX_DROP_U_DUP"),
			 rpt_explain_reason("RX_DROP_U_DUP"));
	assert_string_equal(rpt_explain_reason("RX_DROP_U_DUP")->subsys, "mac80211");
	assert_string_equal(rpt_explain_reason("OVS_DROP_METER")->subsys, "openvswitch");
	assert_non_null(rpt_explain_reason("SKB_CONSUMED"));
	assert_int_equal(rpt_explain_reason("SKB_CONSUMED")->verdict, RPT_VERDICT_NOT_A_DROP);
	assert_int_equal(rpt_explain_reason("QUEUE_PURGE")->verdict, RPT_VERDICT_BENIGN);
	assert_string_equal(rpt_explain_reason("TCP_LISTEN_OVERFLOW")->counters[0],
			    "TcpExtListenOverflows");
	assert_string_equal(rpt_explain_reason("TCP_ZEROWINDOW")->counters[0],
			    "TcpExtTCPZeroWindowDrop");
	assert_string_equal(rpt_explain_reason("IP_INHDR")->counters[0], "IpInHdrErrors");
	/* unknown: a newer kernel's name, a value the file did not name, nonsense */
	assert_null(rpt_explain_reason("TCP_FROM_THE_FUTURE"));
	assert_null(rpt_explain_reason("UNKNOWN_999"));
	assert_null(rpt_explain_reason("no_socket")); /* names are case-sensitive */
	assert_null(rpt_explain_reason(""));
	assert_null(rpt_explain_reason(NULL));
	assert_string_equal(rpt_explain_summary("TCP_FROM_THE_FUTURE"), RPT_EXPLAIN_UNKNOWN);
	assert_string_equal(RPT_EXPLAIN_UNKNOWN,
			    "no explanation for this reason in tcpdrop " TCPDROP_VERSION);
	assert_string_equal(rpt_explain_subsys("TCP_FROM_THE_FUTURE", 200, buf, sizeof(buf)),
			    "core");
	assert_string_equal(rpt_explain_subsys("RX_DROP_U_NEW", 0x10063, buf, sizeof(buf)),
			    "mac80211");
	assert_string_equal(rpt_explain_subsys("OVS_DROP_NEW", 0x30063, buf, sizeof(buf)),
			    "openvswitch");
	assert_string_equal(rpt_explain_subsys("XYZ_NEW", 0x70001, buf, sizeof(buf)),
			    "subsystem 7");
	assert_string_equal(rpt_explain_subsys("NO_SOCKET", 0x70001, buf, sizeof(buf)), "core");
	for (int v = RPT_VERDICT_PROBLEM; v <= RPT_VERDICT_NOT_A_DROP; v++)
		assert_true(plain(rpt_verdict_text((enum rpt_verdict)v)));
}

/* --reasons: a header, one line per entry, a legend; nothing but printable text. */
static void test_list(void **state)
{
	char *out = NULL;
	size_t out_len = 0, lines = 0, n;
	FILE *m = open_memstream(&out, &out_len);

	(void)state;
	rpt_explain_all(&n);
	assert_int_equal(rpt_explain_list(m), 0);
	assert_int_equal(fclose(m), 0);
	for (size_t i = 0; i < out_len; i++) {
		if (out[i] == '\n')
			lines++;
		else if ((unsigned char)out[i] < 0x20)
			fail_msg("control byte at %zu", i);
	}
	assert_int_equal(lines, n + 2);
	assert_non_null(strstr(out, "\nNO_SOCKET "));
	assert_non_null(strstr(out, "\nOVS_DROP_METER "));
	free(out);
}

/* ---- diagnoses of hand-made drops ---- */

enum {
	R_NO_SOCKET = 2,
	R_NETFILTER = 3,
	R_CSUM = 4,
	R_OVERFLOW = 5,
	R_INVALID_SEQ = 6,
	R_OLD_SEQ = 7,
	R_QDISC = 8,
	R_FUTURE = 9,
	R_NOT_SPECIFIED = 10,
	R_ZEROWIN = 11,
	R_UNNAMED = 77,
};

static const struct tdf_name reasons[] = {
    {R_NO_SOCKET, "SKB_DROP_REASON_NO_SOCKET"},
    {R_NETFILTER, "SKB_DROP_REASON_NETFILTER_DROP"},
    {R_CSUM, "SKB_DROP_REASON_TCP_CSUM"},
    {R_OVERFLOW, "SKB_DROP_REASON_TCP_LISTEN_OVERFLOW"},
    {R_INVALID_SEQ, "SKB_DROP_REASON_TCP_INVALID_SEQUENCE"},
    {R_OLD_SEQ, "SKB_DROP_REASON_TCP_OLD_SEQUENCE"},
    {R_QDISC, "SKB_DROP_REASON_QDISC_DROP"},
    {R_FUTURE, "SKB_DROP_REASON_TCP_FROM_THE_FUTURE"},
    {R_NOT_SPECIFIED, "SKB_DROP_REASON_NOT_SPECIFIED"},
    {R_ZEROWIN, "SKB_DROP_REASON_TCP_ZEROWINDOW"},
    {0x30063, "OVS_DROP_FROM_THE_FUTURE"},
};

static const struct tdf_name states[] = {
    {1, "ESTABLISHED"}, {3, "SYN_RECV"}, {6, "TIME_WAIT"}, {10, "LISTEN"}};

#define S(n) ((n)*0x100u)
static const struct tdf_ksym syms[] = {
    {S(1), "sk_skb_reason_drop"}, {S(2), "nf_hook_slow"},  {S(3), "ip_local_deliver"},
    {S(4), "ip_forward"},	  {S(5), "ip_rcv"},	   {S(6), "__ip_local_out"},
    {S(7), "ip_output"},	  {S(8), "ip6_input"},	   {S(9), "ip6_forward"},
    {S(10), "ipv6_rcv"},	  {S(11), "ip6_xmit"},	   {S(12), "ip6_output"},
    {S(13), "tcp_v4_rcv"},	  {S(14), "tun_get_user"}, {S(15), "nf_hook_slow_list"},
    {S(16), "ip_sublist_rcv"},	  {S(17), "do_softirq"},   {S(18), "tcp_validate_incoming"},
};
#define F(n)                                                                                       \
	{                                                                                          \
		TDF_MOD_VMLINUX, S(n) + 4                                                          \
	}

/* Stack id k: nf_hook_slow called from the k-th hook function (k = 1..10), then: */
static const struct tdf_kaddr st_nf[10][4] = {
    {F(1), F(2), F(3), F(17)},	{F(1), F(2), F(4), F(17)},  {F(1), F(2), F(5), F(17)},
    {F(1), F(2), F(6), F(17)},	{F(1), F(2), F(7), F(17)},  {F(1), F(2), F(8), F(17)},
    {F(1), F(2), F(9), F(17)},	{F(1), F(2), F(10), F(17)}, {F(1), F(2), F(11), F(17)},
    {F(1), F(2), F(15), F(16)}, /* list receive: nf_hook_slow_list between */
};
static const struct tdf_kaddr st_tun[] = {F(1), F(13), F(14), F(17)};
static const struct tdf_kaddr st_plain[] = {F(1), F(13), F(17)};

struct dcase {
	uint32_t reason;
	uint8_t family, flags, state, dir;
	uint16_t sport, dport;
	uint32_t stack_id; /* 1..10 netfilter stacks, 11 tun, 12 plain, 0 none */
	const char *ifname;
	uint16_t payload;
	const char *want[3]; /* substrings of the diagnosis */
};

#define SYN TDF_TCP_SYN
#define ACK TDF_TCP_ACK
#define RST TDF_TCP_RST
#define PSH TDF_TCP_PSH

static const struct dcase dcases[] = {
    {R_NO_SOCKET,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     81,
     12,
     "eth0",
     0,
     {"a SYN to port 81, where nothing listens in netns 4026531840", "refused"}},
    {R_NO_SOCKET,
     6,
     ACK | PSH,
     0,
     TDF_DIR_IN,
     40000,
     8080,
     12,
     "eth0",
     100,
     {"data to port 8080 matches no connection", "half-open after a restart"}},
    {R_NO_SOCKET,
     4,
     ACK,
     0,
     TDF_DIR_IN,
     40000,
     443,
     12,
     "eth0",
     0,
     {"an ACK to port 443 matches no connection", "closed earlier"}},
    {R_NO_SOCKET,
     4,
     RST | ACK,
     0,
     TDF_DIR_IN,
     80,
     40000,
     12,
     "eth0",
     0,
     {"a RST that matches no connection", "harmless"}},
    {R_OVERFLOW,
     4,
     SYN,
     10,
     TDF_DIR_IN,
     40000,
     8443,
     12,
     "eth0",
     0,
     {"listener on port 8443", "new connection attempts", "accept()"}},
    {R_OVERFLOW,
     4,
     ACK,
     10,
     TDF_DIR_IN,
     40000,
     8443,
     12,
     "eth0",
     0,
     {"listener on port 8443", "thinks it is connected"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     1,
     "eth0",
     0,
     {"the input hook (via ip_local_deliver)", "a SYN to port 7777"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     2,
     "eth0",
     0,
     {"the forward hook (via ip_forward)"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     3,
     "eth0",
     0,
     {"the prerouting hook (via ip_rcv)"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_OUT,
     40000,
     7777,
     4,
     "eth0",
     0,
     {"the output hook (via __ip_local_out)"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_OUT,
     40000,
     7777,
     5,
     "eth0",
     0,
     {"the postrouting hook (via ip_output)"}},
    {R_NETFILTER,
     6,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     6,
     "eth0",
     0,
     {"the input hook (via ip6_input)"}},
    {R_NETFILTER,
     6,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     7,
     "eth0",
     0,
     {"the forward hook (via ip6_forward)"}},
    {R_NETFILTER,
     6,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     8,
     "eth0",
     0,
     {"the prerouting hook (via ipv6_rcv)"}},
    {R_NETFILTER,
     6,
     SYN,
     0,
     TDF_DIR_OUT,
     40000,
     7777,
     9,
     "eth0",
     0,
     {"the output hook (via ip6_xmit)"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     10,
     "eth0",
     0,
     {"the prerouting hook (via ip_sublist_rcv)"}},
    {R_NETFILTER,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     7777,
     12,
     "eth0",
     0,
     {"hook not found in the stack"}},
    {R_NETFILTER, 4, SYN, 0, TDF_DIR_IN, 40000, 7777, 0, "eth0", 0, {"recorded without a stack"}},
    {R_CSUM,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     80,
     12,
     "enp3s0f1",
     0,
     {"received on enp3s0f1, a physical NIC", "ethtool -S enp3s0f1"}},
    {R_CSUM,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     80,
     12,
     "veth9a",
     0,
     {"on veth9a, a virtual device (by its name)", "not wire corruption"}},
    {R_CSUM,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     80,
     11,
     "tp1",
     0,
     {"on tp1, a virtual device (by its stack)"}},
    {R_CSUM,
     4,
     SYN,
     0,
     TDF_DIR_IN,
     40000,
     80,
     12,
     "",
     0,
     {"on ifindex 2 (its name was not recorded)"}},
    /* a hostile device name is escaped, never raw */
    {R_CSUM, 4, SYN, 0, TDF_DIR_IN, 40000, 80, 12, "e\x1b[2J\n", 0, {"e\\x1b[2J\\x0a"}},
    {R_INVALID_SEQ,
     4,
     ACK | PSH,
     1,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     500,
     {"data outside the receive window (ESTABLISHED, port 7002)", "middlebox", "injection"}},
    {R_INVALID_SEQ,
     4,
     RST,
     1,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     0,
     {"a RST outside the window", "RFC 5961", "spoofing"}},
    {R_INVALID_SEQ,
     4,
     SYN,
     1,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     0,
     {"a SYN on a synchronized connection", "restarted"}},
    {R_INVALID_SEQ,
     4,
     ACK,
     1,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     0,
     {"an ACK outside the window", "retransmission"}},
    {R_INVALID_SEQ,
     4,
     ACK,
     3,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     0,
     {"pending handshake on port 7002 (SYN_RECV)"}},
    {R_INVALID_SEQ,
     4,
     ACK | PSH,
     6,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     10,
     {"already closing (TIME_WAIT, port 7002)"}},
    {R_OLD_SEQ,
     4,
     ACK | PSH,
     1,
     TDF_DIR_IN,
     40000,
     7002,
     12,
     "eth0",
     10,
     {"already received (ESTABLISHED, port 7002)", "retransmission"}},
    {R_QDISC,
     4,
     ACK | PSH,
     1,
     TDF_DIR_OUT,
     7002,
     40000,
     12,
     "eth1",
     100,
     {"on egress device eth1", "tc -s qdisc show dev eth1"}},
    {R_ZEROWIN,
     4,
     ACK | PSH,
     1,
     TDF_DIR_IN,
     40000,
     5432,
     12,
     "eth0",
     100,
     {"zero", "local port 5432, ESTABLISHED"}},
    {R_NOT_SPECIFIED,
     4,
     ACK,
     1,
     TDF_DIR_IN,
     40000,
     5432,
     12,
     "eth0",
     0,
     {"no specific reason given, dropped in tcp_v4_rcv+0x4"}},
    {R_FUTURE,
     4,
     ACK,
     1,
     TDF_DIR_IN,
     40000,
     5432,
     12,
     "eth0",
     0,
     {RPT_EXPLAIN_UNKNOWN " (subsystem core, code 9)", "dropped in tcp_v4_rcv+0x4"}},
    {0x30063,
     4,
     ACK,
     1,
     TDF_DIR_IN,
     40000,
     5432,
     12,
     "eth0",
     0,
     {RPT_EXPLAIN_UNKNOWN " (subsystem openvswitch, code 196707)"}},
    {R_UNNAMED,
     4,
     ACK,
     1,
     TDF_DIR_IN,
     40000,
     5432,
     12,
     "eth0",
     0,
     {RPT_EXPLAIN_UNKNOWN " (subsystem core, code 77; the recording did not name it)"}},
};
#define NDCASES (sizeof(dcases) / sizeof(dcases[0]))

/* IP + TCP headers with payload bytes announced in the IP length (not captured). */
static void packet(struct tdf_drop *d, uint8_t *p, uint16_t payload)
{
	size_t ip = d->family == 4 ? 20 : 40;

	memset(p, 0, 60);
	if (d->family == 4) {
		p[0] = 0x45;
		p[2] = (uint8_t)((40 + payload) >> 8);
		p[3] = (uint8_t)(40 + payload);
		p[9] = 6;
	} else {
		p[0] = 0x60;
		p[4] = (uint8_t)((20 + payload) >> 8);
		p[5] = (uint8_t)(20 + payload);
		p[6] = 6;
	}
	p[ip + 12] = 5 << 4;
	p[ip + 13] = d->tcp_flags;
	d->data = p;
	d->caplen = (uint16_t)(ip + 20);
	d->len = (uint32_t)(ip + 20 + payload);
}

static uint8_t *diag_file(size_t *len)
{
	static uint8_t pkts[NDCASES][60];
	struct tdf_record recs[NDCASES + 32];
	size_t n = 0;

	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_REASONS;
	recs[n].names.count = sizeof(reasons) / sizeof(reasons[0]);
	recs[n++].names.names = reasons;
	recs[n].type = TDF_REC_STATES;
	recs[n].names.count = sizeof(states) / sizeof(states[0]);
	recs[n++].names.names = states;
	recs[n].type = TDF_REC_KSYMS;
	recs[n].ksyms.mod = TDF_MOD_VMLINUX;
	recs[n].ksyms.count = sizeof(syms) / sizeof(syms[0]);
	recs[n++].ksyms.syms = syms;
	for (uint32_t k = 0; k < 12; k++) {
		recs[n].type = TDF_REC_STACK;
		recs[n].stack.id = k + 1;
		recs[n].stack.depth = k < 10 ? 4 : k == 10 ? 4 : 3;
		recs[n++].stack.frames = k < 10 ? st_nf[k] : k == 10 ? st_tun : st_plain;
	}
	for (size_t i = 0; i < NDCASES; i++) {
		const struct dcase *c = &dcases[i];
		struct tdf_drop *d = &recs[n].drop;

		recs[n++].type = TDF_REC_DROP;
		tdftest_drop(d, i + 1, 40);
		d->reason = c->reason;
		d->family = c->family;
		d->tcp_flags = c->flags;
		d->state = c->state;
		d->dir = c->dir;
		d->sport = c->sport;
		d->dport = c->dport;
		d->stack_id = c->stack_id;
		d->location = (struct tdf_kaddr){TDF_MOD_VMLINUX, S(13) + 4};
		d->netns = 4026531840u;
		d->ifindex = 2;
		memset(d->ifname, 0, sizeof(d->ifname));
		memcpy(d->ifname, c->ifname, strlen(c->ifname));
		packet(d, pkts[i], c->payload);
	}
	return tdftest_write(recs, n, NULL, true, len);
}

struct capture {
	struct rpt_sink sink;
	char lines[NDCASES][RPT_EXPLAIN_LINE_MAX];
	size_t n;
};

static int capture_drop(void *ctx, const struct rpt_drop *rd)
{
	struct capture *c = ctx;
	size_t need;

	if (c->n == NDCASES)
		return -E2BIG;
	need = rpt_explain_drop(rd, c->lines[c->n], sizeof(c->lines[c->n]));
	assert_true(need < RPT_EXPLAIN_LINE_MAX);
	assert_int_equal(strlen(c->lines[c->n]), need);
	c->n++;
	return 0;
}

static const struct rpt_sink_ops capture_ops = {.drop = capture_drop};

static void test_diagnoses(void **state)
{
	static struct capture c = {.sink = {.ops = &capture_ops}};
	size_t len;
	uint8_t *buf = diag_file(&len);
	struct rpt_file *f;

	(void)state;
	assert_non_null(buf);
	f = rpt_file_open_mem(buf, len, "diag.tdrop");
	assert_non_null(f);
	c.sink.ctx = &c;
	assert_int_equal(rpt_run(&f, 1, &c.sink, NULL), 0);
	assert_int_equal(c.n, NDCASES);
	for (size_t i = 0; i < NDCASES; i++) {
		if (!plain(c.lines[i]))
			fail_msg("case %zu: not plain: %s", i, c.lines[i]);
		for (int k = 0; k < 3 && dcases[i].want[k]; k++)
			if (!strstr(c.lines[i], dcases[i].want[k]))
				fail_msg("case %zu: '%s' lacks '%s'", i, c.lines[i],
					 dcases[i].want[k]);
	}
	rpt_file_close(f);
	free(buf);
}

/* The explain view over the same drops: unknown reasons keep their name and subsystem. */
static void test_view_unknown(void **state)
{
	char *out = NULL;
	size_t len, out_len = 0;
	uint8_t *buf = diag_file(&len);
	struct rpt_file *f = rpt_file_open_mem(buf, len, "diag.tdrop");
	FILE *m = open_memstream(&out, &out_len);
	struct rpt_sink *sink = rpt_explain_open(m, NULL);

	(void)state;
	assert_non_null(sink);
	assert_int_equal(rpt_run(&f, 1, sink, NULL), 0);
	rpt_sink_close(sink);
	assert_int_equal(fclose(m), 0);
	assert_non_null(strstr(out, "\nTCP_FROM_THE_FUTURE (core): 1 drop, "));
	assert_non_null(strstr(out, "\nOVS_DROP_FROM_THE_FUTURE (openvswitch): 1 drop, "));
	assert_non_null(strstr(out, "\nUNKNOWN_77 (core): 1 drop, "));
	assert_non_null(
	    strstr(out, "  why:      " RPT_EXPLAIN_UNKNOWN " (subsystem core, code 9)"));
	/* the counters and the next step of a known reason */
	assert_non_null(
	    strstr(out, "  counters: nstat -az TcpExtListenOverflows TcpExtListenDrops\n"));
	assert_non_null(strstr(out, "  about:    see NETFILTER_DROP above\n"));
	assert_non_null(strstr(out, "  verdict:  usually a problem\n"));
	free(out);
	rpt_file_close(f);
	free(buf);
}

/* snprintf's contract: the full length back, a cut and terminated buffer. */
static void test_truncation(void **state)
{
	struct tdf_drop d;
	struct rpt_drop rd = {.d = &d, .reason = "NO_SOCKET"};
	char big[RPT_EXPLAIN_LINE_MAX], small[8];
	size_t full, cut;

	(void)state;
	tdftest_drop(&d, 1, 40);
	d.tcp_flags = TDF_TCP_SYN;
	rd.file = NULL;
	full = rpt_explain_drop(&rd, big, sizeof(big));
	assert_int_equal(strlen(big), full);
	memset(small, 'x', sizeof(small));
	cut = rpt_explain_drop(&rd, small, sizeof(small));
	assert_int_equal(cut, full);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, big, sizeof(small) - 1);
	assert_int_equal(rpt_explain_drop(&rd, NULL, 0), full); /* length only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kb_integrity),
	    cmocka_unit_test(test_every_version_covered),
	    cmocka_unit_test(test_running_kernel_covered),
	    cmocka_unit_test(test_lookup_forms),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_diagnoses),
	    cmocka_unit_test(test_view_unknown),
	    cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
