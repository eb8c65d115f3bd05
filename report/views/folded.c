// SPDX-License-Identifier: BSD-2-Clause
/* folded: one line per distinct drop stack, root first, and its count (flame graph input). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../flame.h"
#include "../views.h"

/*
 * The "folded" (collapsed) stack format that flamegraph.pl, inferno-flamegraph and
 * speedscope read: "frame;frame;frame COUNT", outermost frame first. The readers take the
 * count after the last space, so the frames' own spaces (" [module]") are fine; a ';' inside
 * a frame is written as \x3b (report/flame.h).
 */

struct folded {
	struct rpt_sink sink;
	FILE *out;
	enum rpt_folded_root root;
	struct rpt_flame *flame;
};

/* The root frame of rd's line in buf (already escaped), or NULL for none. */
static const char *root_of(const struct folded *fo, const struct rpt_drop *rd, char *buf,
			   size_t len)
{

	switch (fo->root) {
	case RPT_FOLDED_ROOT_REASON:
		rpt_text_escape(buf, len, rd->reason, TDF_NAME_MAX);
		return buf;
	case RPT_FOLDED_ROOT_NETNS:
		snprintf(buf, len, "netns:%" PRIu32, rd->d->netns);
		return buf;
	case RPT_FOLDED_ROOT_OWNER: {
		/* The socket's owner where the file names one, else the task on the CPU, named
		 * as such (files before 1.1 record no owner). */
		const char *label = rd->owner ? "owner:" : "on-cpu:";
		size_t n = strlen(label);

		memcpy(buf, label, n);
		rpt_text_escape(buf + n, len - n, rd->owner ? rd->owner->comm : rd->d->comm,
				TDF_COMM_LEN);
		return buf;
	}
	case RPT_FOLDED_ROOT_NONE:
		break;
	}
	return NULL;
}

static int folded_drop(void *ctx, const struct rpt_drop *rd)
{
	struct folded *fo = ctx;
	/* The longest root: a reason name of TDF_NAME_MAX bytes, each escaped to 4. */
	char root[4 * TDF_NAME_MAX + 16];

	return rpt_flame_add(fo->flame, rd, root_of(fo, rd, root, sizeof(root)));
}

static int folded_finish(void *ctx)
{
	struct folded *fo = ctx;
	const struct rpt_flame_path *p;
	size_t n, i;

	p = rpt_flame_sorted(fo->flame, &n);
	if (!p && rpt_flame_total(fo->flame))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		fwrite(p[i].text, 1, p[i].len, fo->out);
		fprintf(fo->out, " %" PRIu64 "\n", p[i].count);
	}
	return rpt_out_status(fo->out, true);
}

static void folded_close(void *ctx)
{
	struct folded *fo = ctx;

	rpt_flame_free(fo->flame);
	free(fo);
}

static const struct rpt_sink_ops folded_ops = {
    .drop = folded_drop,
    .finish = folded_finish,
    .close = folded_close,
};

struct rpt_sink *rpt_folded_open(FILE *out, const struct rpt_view_cfg *cfg)
{
	struct folded *fo = calloc(1, sizeof(*fo));

	if (!fo)
		return NULL;
	fo->out = out;
	if (cfg)
		fo->root = cfg->folded_root;
	fo->flame = rpt_flame_new(cfg && cfg->o.no_stack);
	if (!fo->flame) {
		free(fo);
		errno = ENOMEM;
		return NULL;
	}
	fo->sink.ops = &folded_ops;
	fo->sink.ctx = fo;
	return &fo->sink;
}
