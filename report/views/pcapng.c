// SPDX-License-Identifier: BSD-2-Clause
/* pcapng: the view that turns drops into pcapng packets with the reason in each comment. */
#include "../views.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../explain.h"
#include "../pcapng_write.h"
#include "../stacktext.h"

/*
 * A packet comment is at most 64 KiB (16-bit option length). A full stack of TDF_STACK_MAX
 * escaped frames could pass that, so comments are capped well below it and the frames that do
 * not fit are counted on a last line instead.
 */
#define COMMENT_CAP 16384u
/* Room kept for that last line. */
#define COMMENT_TAIL 64u
/* One escaped name of <= TDF_NAME_MAX bytes (x4 when escaped), with room to spare. */
#define LINE_MAX_LEN 2304u
/* SHB strings built from several files' metadata. */
#define SHB_STR_CAP 4096u
/* rpt_fmt_iso_utc()'s width for years 1970-9999, until the real end is known. */
#define END_PLACEHOLDER "YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ"

static const struct rpt_frame_style comment_frames = {
    .before = "  ", .between = "\n", .after = "\n"};

struct iface {
	char *host;
	uint32_t netns, ifindex;
	uint32_t if_id;
	uint64_t osdrop;
};

/* Per input file: losses not yet charged to a packet, and where the last packet went. */
struct fstate {
	const struct rpt_file *file;
	uint64_t pending_lost;
	struct iface *last_if;
};

struct exporter {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	struct pcapng_writer *w;
	uint32_t snaplen;
	bool multi_host;
	struct rpt_file *const *files;
	size_t nfiles;

	struct iface **ifs; /* by if_id */
	size_t nifs, ifs_cap;
	uint32_t *slots; /* open-addressing index into ifs (if_id + 1, 0 = empty) */
	size_t nslots;

	struct fstate *fs;
	size_t nfs, fs_cap;

	uint64_t start_ns, end_ns;

	/* A regular file as output: the SHB comment's end-of-recording placeholder is filled
	 * in at the end (a pipe gets a comment that says where the end is instead). */
	bool seekable;
	off_t base;	       /* output offset of the SHB */
	size_t end_in_comment; /* offset of the placeholder in the SHB comment, 0 = none */

	struct rpt_stacktext *frames; /* a frame per line, indented by two spaces */
	char *text;		      /* the comment being built */
	size_t text_len;
	bool text_full;
};

/* ---- small text builder ---- */

static void text_reset(struct exporter *x)
{
	x->text_len = 0;
	x->text[0] = '\0';
	x->text_full = false;
}

/* Append a formatted line (the caller escapes untrusted parts); false if it did not fit. */
static bool __attribute__((format(printf, 2, 3)))
text_line(struct exporter *x, const char *fmt, ...)
{
	size_t room = COMMENT_CAP - COMMENT_TAIL - x->text_len;
	va_list ap;
	int n;

	if (x->text_full)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(x->text + x->text_len, room, fmt, ap);
	va_end(ap);
	/* +1: the newline that separates it from the next line */
	if (n < 0 || (size_t)n + 1 >= room) {
		x->text[x->text_len] = '\0';
		x->text_full = true;
		return false;
	}
	x->text_len += (size_t)n;
	x->text[x->text_len++] = '\n';
	x->text[x->text_len] = '\0';
	return true;
}

/* Drop the last newline. */
static void text_end(struct exporter *x)
{
	if (x->text_len && x->text[x->text_len - 1] == '\n')
		x->text[--x->text_len] = '\0';
}

/* An untrusted string of at most maxlen bytes, escaped into buf. */
static const char *esc(char *buf, size_t len, const char *s, size_t maxlen)
{
	rpt_text_escape(buf, len, s ? s : "", maxlen);
	return buf;
}

/* ---- interfaces ---- */

static uint64_t iface_hash(const char *host, uint32_t netns, uint32_t ifindex)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)host; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h = (h ^ netns) * 1099511628211ull;
	h = (h ^ ifindex) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int slots_grow(struct exporter *x)
{
	size_t n = x->nslots ? x->nslots * 2 : 64;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < x->nifs; i++) {
		struct iface *f = x->ifs[i];
		size_t j = iface_hash(f->host, f->netns, f->ifindex) & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = f->if_id + 1;
	}
	free(x->slots);
	x->slots = s;
	x->nslots = n;
	return 0;
}

static struct iface *iface_find(struct exporter *x, const char *host, uint32_t netns,
				uint32_t ifindex, size_t *slot)
{
	size_t j;

	if (!x->nslots)
		return NULL;
	j = iface_hash(host, netns, ifindex) & (x->nslots - 1);
	for (; x->slots[j]; j = (j + 1) & (x->nslots - 1)) {
		struct iface *f = x->ifs[x->slots[j] - 1];

		if (f->netns == netns && f->ifindex == ifindex && strcmp(f->host, host) == 0)
			return f;
	}
	*slot = j;
	return NULL;
}

/*
 * Describe a new interface in an IDB and index it. ifname may be NULL or "" (untrusted bytes);
 * desc, when not NULL, replaces the description made from netns and ifindex.
 */
static int iface_add(struct exporter *x, const char *host, uint32_t netns, uint32_t ifindex,
		     const char *ifname, const char *desc_override, struct iface **out)
{
	char name[TDF_IFNAME_LEN * 4 + 16], desc[1200], hostesc[TDF_NAME_MAX * 4 + 1];
	struct pcapng_iface idb = {.name = name, .description = desc};
	struct iface *f;
	size_t slot = 0;
	int err;

	if (x->nifs == x->ifs_cap) {
		size_t cap = x->ifs_cap ? x->ifs_cap * 2 : 16;
		struct iface **p = realloc(x->ifs, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		x->ifs = p;
		x->ifs_cap = cap;
	}
	/* keep the index at most half full */
	if ((x->nifs + 1) * 2 > x->nslots) {
		err = slots_grow(x);
		if (err)
			return err;
	}
	if (iface_find(x, host, netns, ifindex, &slot))
		return -EEXIST;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->host = strdup(host);
	if (!f->host) {
		free(f);
		return -ENOMEM;
	}
	f->netns = netns;
	f->ifindex = ifindex;

	if (ifname && *ifname)
		esc(name, sizeof(name), ifname, TDF_IFNAME_LEN);
	else if (ifindex)
		snprintf(name, sizeof(name), "ifindex %" PRIu32, ifindex);
	else
		snprintf(name, sizeof(name), "(no device)");
	if (desc_override) {
		snprintf(desc, sizeof(desc), "%s", desc_override);
	} else {
		int n;
		char ns[32];

		if (netns)
			snprintf(ns, sizeof(ns), "netns %" PRIu32, netns);
		else
			snprintf(ns, sizeof(ns), "netns unknown");
		if (ifindex)
			n = snprintf(desc, sizeof(desc), "%s, ifindex %" PRIu32, ns, ifindex);
		else
			n = snprintf(desc, sizeof(desc), "%s, drops without a device", ns);
		if (x->multi_host && n > 0 && (size_t)n < sizeof(desc))
			snprintf(desc + n, sizeof(desc) - (size_t)n, ", host %s",
				 esc(hostesc, sizeof(hostesc), host, TDF_NAME_MAX));
	}
	err = pcapng_writer_add_iface(x->w, &idb, &f->if_id);
	if (err) {
		free(f->host);
		free(f);
		return err;
	}
	x->ifs[x->nifs++] = f;
	x->slots[slot] = f->if_id + 1;
	*out = f;
	return 0;
}

static struct fstate *fstate_get(struct exporter *x, const struct rpt_file *file)
{
	for (size_t i = 0; i < x->nfs; i++)
		if (x->fs[i].file == file)
			return &x->fs[i];
	if (x->nfs == x->fs_cap) {
		size_t cap = x->fs_cap ? x->fs_cap * 2 : 8;
		struct fstate *p = realloc(x->fs, cap * sizeof(*p));

		if (!p)
			return NULL;
		x->fs = p;
		x->fs_cap = cap;
	}
	x->fs[x->nfs] = (struct fstate){.file = file};
	return &x->fs[x->nfs++];
}

/* ---- the section header ---- */

/*
 * Distinct escaped values of META key1 (or "key1 key2"), each after prefix, over all files,
 * "; "-joined.
 */
static void meta_join(const struct exporter *x, const char *prefix, const char *key1,
		      const char *key2, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < x->nfiles; i++) {
		const char *v1 = rpt_file_meta(x->files[i], key1);
		const char *v2 = key2 ? rpt_file_meta(x->files[i], key2) : NULL;
		char e1[TDF_NAME_MAX * 4 + 1], e2[TDF_NAME_MAX * 4 + 1], one[TDF_NAME_MAX * 8 + 16];

		if (!v1 && !v2)
			continue;
		esc(e1, sizeof(e1), v1, TDF_NAME_MAX);
		esc(e2, sizeof(e2), v2, TDF_NAME_MAX);
		snprintf(one, sizeof(one), "%s%s%s%s", prefix, e1, *e1 && *e2 ? " " : "", e2);
		if (!*one || strstr(buf, one))
			continue; /* a repeat (or a substring of one: good enough for a title) */
		if (used + strlen(one) + 3 >= len)
			break;
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "; " : "", one);
	}
}

static uint32_t files_snaplen(const struct exporter *x)
{
	uint32_t best = 0;

	for (size_t i = 0; i < x->nfiles; i++) {
		const char *v = rpt_file_meta(x->files[i], TDF_META_SNAPLEN);
		char *end;
		unsigned long n;

		if (!v || !*v)
			continue;
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || n == 0 || n > TDF_SNAP_MAX)
			continue;
		if (n > best)
			best = (uint32_t)n;
	}
	/* no usable metadata: the largest the format allows */
	return best ? best : TDF_SNAP_MAX;
}

static int write_section(struct exporter *x)
{
	char os[SHB_STR_CAP], hw[SHB_STR_CAP], hosts[SHB_STR_CAP], tools[SHB_STR_CAP];
	char start[64];
	struct pcapng_section sec = {
	    .os = os, .hardware = hw, .userappl = "tcpdrop-report " TCPDROP_VERSION};

	/* what dumpcap writes there too: uname's system name and release (and version) */
	meta_join(x, "Linux ", TDF_META_KERNEL_RELEASE, TDF_META_KERNEL_VERSION, os, sizeof(os));
	meta_join(x, "", TDF_META_ARCH, NULL, hw, sizeof(hw));
	meta_join(x, "", TDF_META_TOOL_VERSION, NULL, tools, sizeof(tools));
	hosts[0] = '\0';
	for (size_t i = 0, used = 0; i < x->nfiles; i++) {
		char h[TDF_NAME_MAX * 4 + 1];

		esc(h, sizeof(h), rpt_file_host(x->files[i]), TDF_NAME_MAX);
		if (strstr(hosts, h) || used + strlen(h) + 3 >= sizeof(hosts))
			continue;
		used += (size_t)snprintf(hosts + used, sizeof(hosts) - used, "%s%s",
					 used ? ", " : "", h);
	}
	text_reset(x);
	text_line(x, "tcpdrop: TCP segments the Linux kernel dropped, one packet per drop");
	text_line(x, "%s %s", x->multi_host ? "hosts:" : "host:", hosts[0] ? hosts : "?");
	x->end_in_comment = 0;
	if (x->start_ns) {
		rpt_fmt_iso_utc(x->start_ns, start, sizeof(start));
		if (x->seekable && strlen(start) == strlen(END_PLACEHOLDER)) {
			size_t at =
			    x->text_len + strlen("recorded: ") + strlen(start) + strlen(" to ");

			if (text_line(x, "recorded: %s to %s (recording start to last event)",
				      start, END_PLACEHOLDER))
				x->end_in_comment = at;
		} else {
			text_line(x,
				  "recorded: from %s (streamed: the last packet's time is the end)",
				  start);
		}
	}
	if (tools[0])
		text_line(x, "recorded by: tcpdrop-record %s", tools);
	text_line(x, "each packet comment starts with \"TCP drop: <REASON>\"; "
		     "filter: frame.comment contains \"NO_SOCKET\"");
	text_line(x, "drop counts (epb_dropcount, isb_osdrop) are drops the recorder lost "
		     "(ring buffer full), charged to the next drop it recorded");
	text_end(x);
	sec.comment = x->text;
	x->w = pcapng_writer_open(x->out, &sec, PCAPNG_LINKTYPE_DLT_RAW, x->snaplen);
	return x->w ? 0 : -errno;
}

/* ---- sink ops ---- */

/* Can the SHB be revisited at the end? Only a regular file (not a pipe, tty or socket). */
static void check_seekable(struct exporter *x)
{
	struct stat st;
	int fd = fileno(x->out);

	x->seekable = false;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	x->base = ftello(x->out);
	x->seekable = x->base >= 0;
}

/* Overwrite the placeholder in the SHB comment with the end of the recording. */
static int patch_end(struct exporter *x)
{
	char end[64];
	off_t here, at;

	if (!x->end_in_comment || !x->end_ns)
		return 0;
	rpt_fmt_iso_utc(x->end_ns, end, sizeof(end));
	if (strlen(end) != strlen(END_PLACEHOLDER))
		return 0; /* not representable in the same width: leave the placeholder */
	if (fflush(x->out) == EOF)
		return errno ? -errno : -EIO;
	here = ftello(x->out);
	at = x->base + (off_t)pcapng_writer_section_comment_at(x->w) + (off_t)x->end_in_comment;
	if (here < 0 || fseeko(x->out, at, SEEK_SET) != 0)
		return errno ? -errno : -EIO;
	if (fwrite(end, 1, strlen(end), x->out) != strlen(end) || fflush(x->out) == EOF ||
	    fseeko(x->out, here, SEEK_SET) != 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int export_begin(void *ctx, const struct rpt_begin *b)
{
	struct exporter *x = ctx;

	if (x->w)
		return 0;
	check_seekable(x);
	x->files = b->files;
	x->nfiles = b->nfiles;
	x->multi_host = b->nhosts > 1;
	x->start_ns = b->start_real_ns;
	x->snaplen = files_snaplen(x);
	return write_section(x);
}

/* Without begin() (not expected from rpt_run): a section that says nothing about the host. */
static int ensure_section(struct exporter *x)
{
	if (x->w)
		return 0;
	check_seekable(x);
	x->snaplen = TDF_SNAP_MAX;
	return write_section(x);
}

/* Append n bytes as one line, with text_line()'s rule for what fits. */
static bool text_mem(struct exporter *x, const char *s, size_t n)
{
	size_t room = COMMENT_CAP - COMMENT_TAIL - x->text_len;

	if (x->text_full)
		return false;
	if (n + 1 >= room) {
		x->text[x->text_len] = '\0';
		x->text_full = true;
		return false;
	}
	memcpy(x->text + x->text_len, s, n);
	x->text_len += n;
	x->text[x->text_len++] = '\n';
	x->text[x->text_len] = '\0';
	return true;
}

/* The stack's lines (from the stack-text service) while they fit; the frames it has. */
static int put_stack(struct exporter *x, const struct rpt_drop *rd, uint32_t *frames,
		     uint32_t *shown)
{
	const char *text, *p, *nl;
	size_t len;

	*frames = *shown = 0;
	text = rpt_stacktext_stack(x->frames, rd->file, rd->stack, &len);
	if (!text)
		return -errno;
	for (p = text; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			break; /* cannot happen: every frame line ends in a newline */
		if (*frames == 0)
			text_line(x, "stack:");
		if (text_mem(x, p, (size_t)(nl - p)))
			(*shown)++;
		(*frames)++;
	}
	return 0;
}

/* Who held the socket: its process, cgroup and container, as the file recorded them. */
static void put_owner(struct exporter *x, const struct rpt_owner *o)
{
	char comm[LINE_MAX_LEN], path[LINE_MAX_LEN], id[LINE_MAX_LEN];

	if (!o) {
		text_line(x, "owner: - (no socket owner recorded)");
		return;
	}
	esc(comm, sizeof(comm), o->comm, TDF_COMM_LEN);
	esc(path, sizeof(path), o->cgroup_path, RPT_TEXT_PATH_MAX);
	esc(id, sizeof(id), o->container, TDF_NAME_MAX);
	text_line(x, "owner: %" PRIu32 "/%s (the socket's process%s%s%s%s)", o->pid, comm,
		  o->cgroup_path ? "; cgroup " : "", path, o->container ? "; container " : "", id);
}

static int build_comment(struct exporter *x, const struct rpt_drop *rd)
{
	const struct tdf_drop *d = rd->d;
	char a[LINE_MAX_LEN], b[LINE_MAX_LEN], ns[LINE_MAX_LEN + 2] = "", src[64], dst[64],
								 flags[40];
	uint32_t shown = 0, frames = 0;
	const char *text;
	size_t len;
	int rc;

	text_reset(x);
	text_line(x, "TCP drop: %s", esc(a, sizeof(a), rd->reason, TDF_NAME_MAX));
	/* The diagnosis is escaped by report/explain.c already. */
	rpt_explain_drop(rd, a, sizeof(a));
	text_line(x, "why: %s", a);
	if (rd->state)
		text_line(x, "state: %s", esc(a, sizeof(a), rd->state, TDF_NAME_MAX));
	else if (d->state != TDF_STATE_NONE)
		text_line(x, "state: %u (not named in the file)", d->state);
	else
		text_line(x, "state: - (no socket)");
	rpt_fmt_flags(d->tcp_flags, flags, sizeof(flags));
	text_line(x, "flags: %s", flags[0] ? flags : "-");
	text_line(x, "flow: %s -> %s",
		  rpt_fmt_endpoint(d->family, d->saddr, d->sport, src, sizeof(src)),
		  rpt_fmt_endpoint(d->family, d->daddr, d->dport, dst, sizeof(dst)));
	text_line(x,
		  "pid/comm: %" PRIu32 "/%s (on CPU %" PRIu32 " at the drop; in softirq "
		  "often unrelated)",
		  d->pid, esc(a, sizeof(a), d->comm, TDF_COMM_LEN), d->cpu);
	put_owner(x, rd->owner);
	if (d->location.mod != TDF_MOD_UNKNOWN) {
		text = rpt_stacktext_addr(x->frames, rd->file, d->location, &len);
		if (!text)
			return -errno;
		text_line(x, "location: %.*s", (int)len, text);
	} else {
		text_line(x, "location: ?");
	}
	if (rd->netns_name)
		snprintf(ns, sizeof(ns), " %s", esc(b, sizeof(b), rd->netns_name, TDF_NAME_MAX));
	if (d->ifname[0] || d->ifindex)
		text_line(x, "interface: %s (ifindex %" PRIu32 ", netns %" PRIu32 "%s)",
			  d->ifname[0] ? esc(a, sizeof(a), d->ifname, TDF_IFNAME_LEN) : "?",
			  d->ifindex, d->netns, ns);
	else
		text_line(x, "interface: - (no device; netns %" PRIu32 "%s)", d->netns, ns);
	text_line(x, "skb len: %" PRIu32, d->len);
	if (x->multi_host)
		text_line(x, "host: %s", esc(a, sizeof(a), rd->host, TDF_NAME_MAX));
	if (!x->o.no_stack && rd->stack) {
		rc = put_stack(x, rd, &frames, &shown);
		if (rc)
			return rc;
	}
	if (shown < frames) {
		/* COMMENT_TAIL was kept free for this */
		x->text_full = false;
		x->text_len += (size_t)snprintf(x->text + x->text_len, COMMENT_TAIL,
						"  (%" PRIu32 " more frames)\n", frames - shown);
	}
	text_end(x);
	return 0;
}

/*
 * The packet's original length. skb->len counts from skb->data, which at most drop sites is
 * past the IP header (tcp_v4_rcv has pulled it: a 60-byte SYN has skb->len 40), so the
 * packet's own length field says it better: IPv4 total length, IPv6 payload length + 40.
 * Zero there (BIG TCP/GSO) or a value below what was captured falls back to skb->len, and
 * the result is never below caplen (pcapng: original >= captured).
 */
static uint32_t wire_len(const struct tdf_drop *d, uint32_t caplen)
{
	const uint8_t *ip = d->data;
	uint32_t n = 0;

	if (ip && caplen >= 20 && (ip[0] >> 4) == 4)
		n = (uint32_t)ip[2] << 8 | ip[3];
	else if (ip && caplen >= 40 && (ip[0] >> 4) == 6 && (ip[4] | ip[5]))
		n = 40u + ((uint32_t)ip[4] << 8 | ip[5]);
	if (n == 0 || n < caplen)
		n = d->len;
	return n > caplen ? n : caplen;
}

static int export_drop(void *ctx, const struct rpt_drop *rd)
{
	struct exporter *x = ctx;
	const struct tdf_drop *d = rd->d;
	struct pcapng_packet p = {0};
	struct fstate *fs;
	struct iface *f;
	size_t slot;
	int err;

	err = ensure_section(x);
	if (err)
		return err;
	fs = fstate_get(x, rd->file);
	if (!fs)
		return -ENOMEM;
	f = iface_find(x, rd->host, d->netns, d->ifindex, &slot);
	if (!f) {
		err = iface_add(x, rd->host, d->netns, d->ifindex, d->ifname, NULL, &f);
		if (err)
			return err;
	}
	err = build_comment(x, rd);
	if (err)
		return err;

	p.if_id = f->if_id;
	p.ts_ns = rd->real_ns;
	/* The reader caps caplen at TDF_SNAP_MAX; a file that exceeds its own declared snaplen
	 * is cut to the section's, keeping the original length. */
	p.caplen = !d->data ? 0 : d->caplen < x->snaplen ? d->caplen : x->snaplen;
	p.len = wire_len(d, p.caplen);
	p.data = p.caplen ? d->data : NULL;
	p.comment = x->text;
	p.has_flags = d->dir == TDF_DIR_IN || d->dir == TDF_DIR_OUT;
	p.flags = d->dir == TDF_DIR_IN ? PCAPNG_EPB_DIR_IN : PCAPNG_EPB_DIR_OUT;
	p.has_packet_id = true;
	p.packet_id = d->seq_no;
	p.has_dropcount = true;
	p.dropcount = fs->pending_lost;
	err = pcapng_writer_add_packet(x->w, &p);
	if (err)
		return err;
	f->osdrop += fs->pending_lost;
	fs->pending_lost = 0;
	fs->last_if = f;
	if (rd->real_ns > x->end_ns)
		x->end_ns = rd->real_ns;
	if (x->o.flush && fflush(x->out) == EOF)
		return errno ? -errno : -EIO;
	return 0;
}

static int export_loss(void *ctx, const struct rpt_loss *l)
{
	struct exporter *x = ctx;
	struct fstate *fs;

	if (l->kind != TDF_LOSS_RINGBUF)
		return 0; /* excluded NOT_SPECIFIED drops were not lost */
	fs = fstate_get(x, l->file);
	if (!fs)
		return -ENOMEM;
	if (l->count > UINT64_MAX - fs->pending_lost)
		fs->pending_lost = UINT64_MAX;
	else
		fs->pending_lost += l->count;
	if (l->to_real_ns > x->end_ns)
		x->end_ns = l->to_real_ns;
	return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

static int export_finish(void *ctx)
{
	struct exporter *x = ctx;
	struct iface *unknown = NULL;
	int err;

	err = ensure_section(x);
	if (err)
		return err;
	/* Losses after a file's last exported drop. */
	for (size_t i = 0; i < x->nfs; i++) {
		struct fstate *fs = &x->fs[i];
		struct iface *f = fs->last_if;

		if (!fs->pending_lost)
			continue;
		if (!f) {
			if (!unknown) {
				err = iface_add(
				    x, "", 0, 0, "(lost drops)",
				    "drops lost before recording while no drop was exported",
				    &unknown);
				if (err)
					return err;
			}
			f = unknown;
		}
		f->osdrop = sat_add(f->osdrop, fs->pending_lost);
		fs->pending_lost = 0;
	}
	/* libpcap refuses a file without any interface: an empty export still has one. */
	if (x->nifs == 0) {
		err = iface_add(x, "", 0, 0, "(no drops)", "no drop was exported", &unknown);
		if (err)
			return err;
	}
	for (size_t i = 0; i < x->nfiles; i++) {
		const struct tdf_index *idx = rpt_file_index(x->files[i]);
		uint64_t e = idx && idx->last_ns ? rpt_file_realtime(x->files[i], idx->last_ns) : 0;

		if (e > x->end_ns)
			x->end_ns = e;
	}
	if (x->end_ns < x->start_ns)
		x->end_ns = x->start_ns;
	for (size_t i = 0; i < x->nifs; i++) {
		struct pcapng_stats st = {
		    .if_id = x->ifs[i]->if_id,
		    .ts_ns = x->end_ns,
		    .has_span = x->start_ns != 0,
		    .start_ns = x->start_ns,
		    .end_ns = x->end_ns,
		    .has_osdrop = true,
		    .osdrop = x->ifs[i]->osdrop,
		};

		err = pcapng_writer_add_stats(x->w, &st);
		if (err)
			return err;
	}
	err = patch_end(x);
	if (err)
		return err;
	err = pcapng_writer_close(x->w);
	x->w = NULL;
	return err;
}

static void export_close(void *ctx)
{
	struct exporter *x = ctx;

	if (!x)
		return;
	pcapng_writer_close(x->w);
	for (size_t i = 0; i < x->nifs; i++) {
		free(x->ifs[i]->host);
		free(x->ifs[i]);
	}
	free(x->ifs);
	free(x->slots);
	free(x->fs);
	free(x->text);
	rpt_stacktext_free(x->frames);
	free(x);
}

static const struct rpt_sink_ops export_ops = {
    .begin = export_begin,
    .drop = export_drop,
    .loss = export_loss,
    .finish = export_finish,
    .close = export_close,
};

struct rpt_sink *rpt_pcapng_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct exporter *x;

	if (!out) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return NULL;
	x->text = malloc(COMMENT_CAP);
	x->frames = rpt_stacktext_new(&comment_frames);
	if (!x->text || !x->frames) {
		free(x->text);
		rpt_stacktext_free(x->frames);
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	x->text[0] = '\0';
	x->out = out;
	if (cfg)
		x->o = cfg->o;
	x->sink.ops = &export_ops;
	x->sink.ctx = x;
	return &x->sink;
}
