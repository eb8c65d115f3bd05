// SPDX-License-Identifier: BSD-2-Clause
/* info: what each file is (host, kernel, tool, command line, span), its drops and its damage. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../anon.h"
#include "../strmap.h"
#include "../views.h"

#define PROBLEMS_SHOWN 20 /* damage lines listed per file; the rest are counted */

struct file_info {
	const struct rpt_file *f;
	uint64_t drops, lost, excluded;
	uint64_t first_ns, last_ns;
	struct strmap reasons;
	char *problems[PROBLEMS_SHOWN];
	size_t nproblems, more_problems;
};

struct info {
	struct rpt_sink sink;
	FILE *out;
	struct rpt_view_opts o;
	uint64_t start_ns;
	struct file_info *fi;
	size_t nfi;
};

static struct file_info *find(struct info *in, const struct rpt_file *f)
{
	size_t i;

	for (i = 0; i < in->nfi; i++)
		if (in->fi[i].f == f)
			return &in->fi[i];
	return NULL;
}

static int info_begin(void *ctx, const struct rpt_begin *b)
{
	struct info *in = ctx;
	size_t i;

	in->start_ns = b->start_real_ns;
	in->fi = calloc(b->nfiles ? b->nfiles : 1, sizeof(*in->fi));
	if (!in->fi)
		return -ENOMEM;
	in->nfi = b->nfiles;
	for (i = 0; i < b->nfiles; i++)
		in->fi[i].f = b->files[i];
	return 0;
}

static int info_drop(void *ctx, const struct rpt_drop *rd)
{
	struct file_info *fi = find(ctx, rd->file);
	char reason[300];

	if (!fi)
		return 0;
	if (!fi->drops || rd->real_ns < fi->first_ns)
		fi->first_ns = rd->real_ns;
	if (rd->real_ns > fi->last_ns)
		fi->last_ns = rd->real_ns;
	fi->drops++;
	rpt_text_escape(reason, sizeof(reason), rd->reason, TDF_NAME_MAX);
	return strmap_add(&fi->reasons, reason, 1);
}

static int info_loss(void *ctx, const struct rpt_loss *l)
{
	struct file_info *fi = find(ctx, l->file);

	if (!fi)
		return 0;
	if (l->kind == TDF_LOSS_RINGBUF)
		fi->lost += l->count;
	else if (l->kind == TDF_LOSS_EXCLUDED)
		fi->excluded += l->count;
	return 0;
}

static int info_problem(void *ctx, const struct rpt_file *f, uint32_t type,
			const struct tdf_problem *p)
{
	struct file_info *fi = find(ctx, f);
	char what[300];

	if (!fi)
		return 0;
	if (fi->nproblems == PROBLEMS_SHOWN) {
		fi->more_problems++;
		return 0;
	}
	rpt_text_escape(what, sizeof(what), p->what ? p->what : "", 256);
	if (type == TDF_EV_TRUNCATED) {
		if (asprintf(&fi->problems[fi->nproblems], "offset %" PRIu64 ": truncated: %s",
			     p->offset, what) < 0)
			return -ENOMEM;
	} else if (asprintf(&fi->problems[fi->nproblems],
			    "offset %" PRIu64 ": corrupt, %" PRIu64 " bytes skipped: %s", p->offset,
			    p->skipped, what) < 0) {
		return -ENOMEM;
	}
	fi->nproblems++;
	return 0;
}

static void put_line(FILE *out, const char *label, const char *value)
{
	fprintf(out, "%-16s ", label);
	if (value)
		rpt_fput_text(out, value, 4096);
	else
		fputs("-", out);
	fputc('\n', out);
}

static void put_file(struct info *in, struct file_info *fi)
{
	const struct rpt_file *f = fi->f;
	const struct tdf_index *idx = rpt_file_index(f);
	struct tdf_reader_stats st;
	struct strmap_ent *rows;
	char a[64], b[64], kernel[1024];
	const char *rel, *ver;
	size_t n, i, nown, ncg, nns;
	FILE *out = in->out;

	put_line(out, "file:", rpt_file_name(f));
	put_line(out, "host:", rpt_file_meta(f, TDF_META_HOST));
	rel = rpt_file_meta(f, TDF_META_KERNEL_RELEASE);
	ver = rpt_file_meta(f, TDF_META_KERNEL_VERSION);
	snprintf(kernel, sizeof(kernel), "%s%s%s%s", rel ? rel : "-", ver ? " (" : "",
		 ver ? ver : "", ver ? ")" : "");
	put_line(out, "kernel:", kernel);
	put_line(out, "arch:", rpt_file_meta(f, TDF_META_ARCH));
	put_line(out, "boot id:", rpt_file_meta(f, TDF_META_BOOT_ID));
	put_line(out, "tool version:", rpt_file_meta(f, TDF_META_TOOL_VERSION));
	put_line(out, "command line:", rpt_file_meta(f, TDF_META_CMDLINE));
	put_line(out, "hook:", rpt_file_meta(f, TDF_META_HOOK));
	put_line(out, "snaplen:", rpt_file_meta(f, TDF_META_SNAPLEN));
	put_line(out, "stack depth:", rpt_file_meta(f, TDF_META_STACK_DEPTH));
	put_line(out, "filters:", rpt_file_meta(f, TDF_META_FILTERS));
	if (rpt_file_meta(f, RPT_META_ANONYMIZED)) /* only then: older files say nothing */
		put_line(out, "anonymized:", rpt_file_meta(f, RPT_META_ANONYMIZED));
	if (rpt_file_start(f))
		put_line(out, "recording start:",
			 rpt_fmt_time(rpt_file_start(f), in->start_ns, &in->o, a, sizeof(a)));
	if (fi->drops) {
		snprintf(kernel, sizeof(kernel), "%s .. %s",
			 rpt_fmt_time(fi->first_ns, in->start_ns, &in->o, a, sizeof(a)),
			 rpt_fmt_time(fi->last_ns, in->start_ns, &in->o, b, sizeof(b)));
		put_line(out, "drops span:", kernel);
	}
	fprintf(out, "%-16s %" PRIu64 "\n", "drops:", fi->drops);
	fprintf(out, "%-16s %" PRIu64 "%s\n", "lost:", fi->lost,
		fi->lost ? " (ring buffer full: they happened but are not in the file)" : "");
	if (fi->excluded)
		fprintf(out, "%-16s %" PRIu64 " (NOT_SPECIFIED frees left out when recording)\n",
			"excluded:", fi->excluded);
	rpt_file_owner_counts(f, &nown, &ncg, &nns);
	if (nown || ncg || nns) /* only then: files before 1.1 record none */
		fprintf(out, "%-16s %zu socket owners, %zu cgroups, %zu netns names\n",
			"owners:", nown, ncg, nns);
	rpt_file_stats(f, &st);
	fprintf(out, "%-16s %s\n", "closed cleanly:",
		st.clean_close ? "yes"
			       : "no (recorder still running, killed, or the file was cut)");
	if (idx)
		fprintf(out,
			"%-16s %" PRIu32 " chunks, %" PRIu64 " drops, %" PRIu64 " lost, %" PRIu64
			" excluded\n",
			"index says:", idx->chunks, idx->drops, idx->lost, idx->excluded);
	fprintf(out,
		"%-16s %" PRIu64 " chunks read, %" PRIu64 " corrupt (%" PRIu64
		" bytes skipped), %s\n",
		"integrity:", st.chunks, st.corrupt, st.skipped_bytes,
		st.truncated ? "truncated" : "not truncated");
	for (i = 0; i < fi->nproblems; i++)
		fprintf(out, "%-16s %s\n", "", fi->problems[i]);
	if (fi->more_problems)
		fprintf(out, "%-16s ... and %zu more\n", "", fi->more_problems);
	rows = strmap_sorted(&fi->reasons, &n);
	if (n)
		fprintf(out, "drops by reason:\n");
	for (i = 0; i < n; i++)
		fprintf(out, "%10" PRIu64 " %6.1f%%  %s\n", rows[i].count,
			100.0 * (double)rows[i].count / (double)fi->drops, rows[i].key);
	free(rows);
}

static int info_finish(void *ctx)
{
	struct info *in = ctx;
	size_t i;

	for (i = 0; i < in->nfi; i++) {
		if (i)
			fputc('\n', in->out);
		put_file(in, &in->fi[i]);
	}
	return rpt_out_status(in->out, true);
}

static void info_close(void *ctx)
{
	struct info *in = ctx;
	size_t i, j;

	for (i = 0; i < in->nfi; i++) {
		strmap_free(&in->fi[i].reasons);
		for (j = 0; j < in->fi[i].nproblems; j++)
			free(in->fi[i].problems[j]);
	}
	free(in->fi);
	free(in);
}

static const struct rpt_sink_ops info_ops = {
    .begin = info_begin,
    .drop = info_drop,
    .loss = info_loss,
    .problem = info_problem,
    .finish = info_finish,
    .close = info_close,
};

struct rpt_sink *rpt_info_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct info *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->out = out;
	if (cfg)
		in->o = cfg->o;
	/* A file's span may cover days: the clock style alone would hide the date. */
	if (in->o.time_fmt == RPT_TIME_CLOCK)
		in->o.time_fmt = RPT_TIME_ISO;
	in->sink.ops = &info_ops;
	in->sink.ctx = in;
	return &in->sink;
}
