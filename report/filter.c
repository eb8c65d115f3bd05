// SPDX-License-Identifier: BSD-2-Clause
/* filter: the tcpdump expression (libpcap on DLT_RAW) and the drop field predicates. */
#include <ctype.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "filter.h"
#include "grow.h"

/* The snaplen the expression is compiled for: larger than any stored snap (TDF_SNAP_MAX), so
 * only the captured length itself limits what the filter may read. */
#define FILTER_SNAPLEN 65535

struct strlist {
	char **v;
	size_t n, cap;
};

struct u32list {
	uint32_t *v;
	size_t n, cap;
};

struct rpt_filter {
	bool has_pcap;
	struct bpf_program prog;
	struct strlist reasons, states, comms, ifnames, syms, owner_comms, containers;
	bool state_none;
	struct u32list pids, netns, owner_pids;
	bool has_since, has_until;
	struct rpt_when since_w, until_w;
	uint64_t since_ns, until_ns;
};

struct rpt_filter *rpt_filter_new(void)
{
	return calloc(1, sizeof(struct rpt_filter));
}

static void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void rpt_filter_free(struct rpt_filter *f)
{
	if (!f)
		return;
	if (f->has_pcap)
		pcap_freecode(&f->prog);
	strlist_free(&f->reasons);
	strlist_free(&f->states);
	strlist_free(&f->comms);
	strlist_free(&f->ifnames);
	strlist_free(&f->syms);
	strlist_free(&f->owner_comms);
	strlist_free(&f->containers);
	free(f->owner_pids.v);
	free(f->pids.v);
	free(f->netns.v);
	free(f);
}

/*
 * libpcap 1.10 maps DLT_RAW (12 on Linux) to LINKTYPE_RAW: packets start at the IP header and
 * its code generator tells IPv4 from IPv6 by the version nibble, so "ip", "ip6" and
 * "tcp port 80" work on both families (tests/unit/test_filter.c checks each).
 */
int rpt_filter_set_pcap(struct rpt_filter *f, const char *expr, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(DLT_RAW, FILTER_SNAPLEN);
	int rc = 0;

	if (!p) {
		snprintf(err, errlen, "cannot create a pcap handle");
		return -ENOMEM;
	}
	if (f->has_pcap) {
		pcap_freecode(&f->prog);
		f->has_pcap = false;
	}
	if (pcap_compile(p, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		rc = -EINVAL;
	} else {
		f->has_pcap = true;
	}
	pcap_close(p);
	return rc;
}

static int strlist_add(struct strlist *l, const char *s, size_t n)
{
	int rc = rpt_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));

	if (rc)
		return rc;
	l->v[l->n] = strndup(s, n);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static int u32list_add(struct u32list *l, uint32_t x)
{
	int rc = rpt_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));

	if (rc)
		return rc;
	l->v[l->n++] = x;
	return 0;
}

/* Split a comma list; empty items are an error. */
static int add_list(struct strlist *l, const char *list, const char *prefix)
{
	const char *p = list;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t plen = strlen(prefix);
		int rc;

		if (n == 0)
			return -EINVAL;
		if (plen && n > plen && strncasecmp(p, prefix, plen) == 0) {
			p += plen;
			n -= plen;
		}
		rc = strlist_add(l, p, n);
		if (rc)
			return rc;
		if (!end)
			return 0;
		p = end + 1;
	}
}

int rpt_filter_add_reasons(struct rpt_filter *f, const char *list)
{
	return add_list(&f->reasons, list, "SKB_DROP_REASON_");
}

/* include/net/tcp_states.h order; BOUND_INACTIVE is Linux 6.7's. */
const char rpt_tcp_state_names[] = "ESTABLISHED,SYN_SENT,SYN_RECV,FIN_WAIT1,FIN_WAIT2,TIME_WAIT,"
				   "CLOSE,CLOSE_WAIT,LAST_ACK,LISTEN,CLOSING,NEW_SYN_RECV,"
				   "BOUND_INACTIVE";

static bool is_tcp_state(const char *name)
{
	size_t n = strlen(name);

	for (const char *p = rpt_tcp_state_names; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncasecmp(p, name, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

int rpt_filter_add_states(struct rpt_filter *f, const char *list)
{
	struct strlist tmp = {0};
	size_t i;
	int rc = add_list(&tmp, list, "TCP_");

	for (i = 0; rc == 0 && i < tmp.n; i++)
		if (strcmp(tmp.v[i], "-") && strcasecmp(tmp.v[i], "none") &&
		    !is_tcp_state(tmp.v[i]))
			rc = -ENOENT;
	for (i = 0; rc == 0 && i < tmp.n; i++) {
		if (strcmp(tmp.v[i], "-") == 0 || strcasecmp(tmp.v[i], "none") == 0)
			f->state_none = true;
		else
			rc = strlist_add(&f->states, tmp.v[i], strlen(tmp.v[i]));
	}
	strlist_free(&tmp);
	return rc;
}

int rpt_filter_add_comm(struct rpt_filter *f, const char *comm)
{
	return strlist_add(&f->comms, comm, TDF_COMM_LEN);
}

int rpt_filter_add_pid(struct rpt_filter *f, uint32_t pid)
{
	return u32list_add(&f->pids, pid);
}

int rpt_filter_add_netns(struct rpt_filter *f, uint32_t netns)
{
	return u32list_add(&f->netns, netns);
}

int rpt_filter_add_ifname(struct rpt_filter *f, const char *ifname)
{
	return strlist_add(&f->ifnames, ifname, TDF_IFNAME_LEN);
}

int rpt_filter_add_owner(struct rpt_filter *f, const char *owner)
{
	uint64_t pid = 0;
	const char *p;

	if (!*owner)
		return -EINVAL;
	for (p = owner; *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (uint64_t)(*p - '0');
		if (pid > UINT32_MAX)
			return -ERANGE;
	}
	if (!*p)
		return u32list_add(&f->owner_pids, (uint32_t)pid);
	return strlist_add(&f->owner_comms, owner, TDF_COMM_LEN);
}

int rpt_filter_add_container(struct rpt_filter *f, const char *id)
{
	if (!*id)
		return -EINVAL;
	return strlist_add(&f->containers, id, TDF_NAME_MAX);
}

int rpt_filter_add_stack_sym(struct rpt_filter *f, const char *sym)
{
	return strlist_add(&f->syms, sym, TDF_NAME_MAX);
}

/* Digits with an optional fraction of up to 9 digits, into ns. */
static int parse_secs(const char *s, int64_t *ns, const char **end)
{
	int64_t secs = 0, frac = 0;
	int digits = 0, fd = 0;

	while (isdigit((unsigned char)*s)) {
		if (secs > (INT64_MAX / 1000000000 - 9) / 10)
			return -EINVAL;
		secs = secs * 10 + (*s++ - '0');
		digits++;
	}
	if (!digits)
		return -EINVAL;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (fd < 9) {
				frac = frac * 10 + (*s - '0');
				fd++;
			}
			s++;
		}
		if (fd == 0)
			return -EINVAL;
		while (fd++ < 9)
			frac *= 10;
	}
	*ns = secs * 1000000000 + frac;
	*end = s;
	return 0;
}

static int fixed_num(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int rpt_when_parse(const char *s, bool utc, struct rpt_when *w)
{
	int y, mo, d, h, mi, sec, zh, zm;
	int64_t frac = 0;
	struct tm tm = {0};
	const char *p, *end;
	time_t t;

	memset(w, 0, sizeof(*w));
	if (*s == '+' || *s == '@') {
		if (parse_secs(s + 1, &w->ns, &end) || *end)
			return -EINVAL;
		w->relative = *s == '+';
		return 0;
	}
	/* YYYY-MM-DD?HH:MM:SS */
	if (strlen(s) < 19 || fixed_num(s, 4, &y) || s[4] != '-' || fixed_num(s + 5, 2, &mo) ||
	    s[7] != '-' || fixed_num(s + 8, 2, &d) || (s[10] != ' ' && s[10] != 'T') ||
	    fixed_num(s + 11, 2, &h) || s[13] != ':' || fixed_num(s + 14, 2, &mi) || s[16] != ':' ||
	    fixed_num(s + 17, 2, &sec))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "0%s", p);
		tmp[strcspn(tmp, "Z+-")] = '\0';
		if (parse_secs(tmp, &frac, &end) || *end)
			return -EINVAL;
		p++;
		while (isdigit((unsigned char)*p))
			p++;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if (*p == 'Z' && p[1] == '\0') {
		t = timegm(&tm);
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && fixed_num(p + 1, 2, &zh) == 0 &&
		   p[3] == ':' && fixed_num(p + 4, 2, &zm) == 0 && zh < 24 && zm < 60) {
		t = timegm(&tm);
		t += (*p == '+' ? -1 : 1) * (time_t)(zh * 3600 + zm * 60);
	} else if (*p == '\0') {
		t = utc ? timegm(&tm) : mktime(&tm);
	} else {
		return -EINVAL;
	}
	if (t < 0)
		return -EINVAL;
	w->ns = (int64_t)t * 1000000000 + frac;
	return 0;
}

void rpt_filter_set_since(struct rpt_filter *f, const struct rpt_when *w)
{
	f->has_since = true;
	f->since_w = *w;
	f->since_ns = w->relative ? 0 : (uint64_t)w->ns;
}

void rpt_filter_set_until(struct rpt_filter *f, const struct rpt_when *w)
{
	f->has_until = true;
	f->until_w = *w;
	f->until_ns = w->relative ? UINT64_MAX : (uint64_t)w->ns;
}

void rpt_filter_begin(struct rpt_filter *f, uint64_t start_real_ns)
{
	if (f->has_since && f->since_w.relative)
		f->since_ns = start_real_ns + (uint64_t)f->since_w.ns;
	if (f->has_until && f->until_w.relative)
		f->until_ns = start_real_ns + (uint64_t)f->until_w.ns;
}

static bool in_list(const struct strlist *l, const char *s, size_t maxlen, bool nocase)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (nocase ? strncasecmp(l->v[i], s, maxlen) == 0
			   : strncmp(l->v[i], s, maxlen) == 0)
			return true;
	return false;
}

static bool in_u32(const struct u32list *l, uint32_t x)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return true;
	return false;
}

static bool owner_match(const struct rpt_filter *f, const struct rpt_owner *o)
{
	if (!o)
		return false;
	return in_u32(&f->owner_pids, o->pid) ||
	       in_list(&f->owner_comms, o->comm, TDF_COMM_LEN, false);
}

/* Each --container is an id or a prefix of one. */
static bool container_match(const struct rpt_filter *f, const struct rpt_owner *o)
{
	size_t i;

	if (!o || !o->container)
		return false;
	for (i = 0; i < f->containers.n; i++)
		if (strncmp(o->container, f->containers.v[i], strlen(f->containers.v[i])) == 0)
			return true;
	return false;
}

static bool state_match(const struct rpt_filter *f, const struct rpt_drop *d)
{
	const char *st = d->state;

	if (!st)
		return f->state_none;
	if (strncasecmp(st, "TCP_", 4) == 0)
		st += 4;
	return in_list(&f->states, st, TDF_NAME_MAX, true);
}

static bool stack_match(const struct rpt_filter *f, const struct rpt_drop *d)
{
	const char *sym, *mod;
	uint32_t off, i;

	sym = rpt_file_lookup(d->file, d->d->location, &off, &mod);
	if (sym && in_list(&f->syms, sym, TDF_NAME_MAX, false))
		return true;
	for (i = 0; d->stack && i < d->stack->depth; i++) {
		sym = rpt_file_lookup(d->file, d->stack->frames[i], &off, &mod);
		if (sym && in_list(&f->syms, sym, TDF_NAME_MAX, false))
			return true;
	}
	return false;
}

bool rpt_filter_drop(const struct rpt_filter *f, const struct rpt_drop *d)
{
	if (!f)
		return true;
	if (f->has_since && d->real_ns < f->since_ns)
		return false;
	if (f->has_until && d->real_ns >= f->until_ns)
		return false;
	if (f->reasons.n && !in_list(&f->reasons, d->reason, TDF_NAME_MAX, true))
		return false;
	if ((f->states.n || f->state_none) && !state_match(f, d))
		return false;
	if (f->comms.n && !in_list(&f->comms, d->d->comm, TDF_COMM_LEN, false))
		return false;
	if (f->ifnames.n && !in_list(&f->ifnames, d->d->ifname, TDF_IFNAME_LEN, false))
		return false;
	if (f->pids.n && !in_u32(&f->pids, d->d->pid))
		return false;
	if (f->netns.n && !in_u32(&f->netns, d->d->netns))
		return false;
	if ((f->owner_pids.n || f->owner_comms.n) && !owner_match(f, d->owner))
		return false;
	if (f->containers.n && !container_match(f, d->owner))
		return false;
	if (f->syms.n && !stack_match(f, d))
		return false;
	if (f->has_pcap) {
		struct pcap_pkthdr h = {0};

		h.caplen = d->d->caplen;
		/* tcpdump's "len" (greater, less) is the packet's length: the IP header's */
		h.len = d->ip_len ? d->ip_len : d->d->len;
		if (h.len < h.caplen)
			h.len = h.caplen;
		if (!d->d->caplen || !pcap_offline_filter(&f->prog, &h, d->d->data))
			return false;
	}
	return true;
}

bool rpt_filter_loss(const struct rpt_filter *f, const struct rpt_loss *l)
{
	if (!f)
		return true;
	if (f->has_since && l->to_real_ns < f->since_ns)
		return false;
	if (f->has_until && l->from_real_ns >= f->until_ns)
		return false;
	return true;
}
