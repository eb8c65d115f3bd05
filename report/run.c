// SPDX-License-Identifier: BSD-2-Clause
/* run: read every input file, merge their events in wall-clock order, filter, feed one sink. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "filter.h"
#include "views.h"

struct src {
	struct rpt_file *f;
	struct rpt_event ev;
	bool has_ev;
	bool done;
};

void rpt_sink_close(struct rpt_sink *s)
{
	if (s && s->ops && s->ops->close)
		s->ops->close(s->ctx);
}

/* Advance one source to its next drop or loss; problems are delivered as they come. */
static int pull(struct src *s, struct rpt_sink *sink, const struct rpt_run_opts *o, int *fatal)
{
	int rc;

	s->has_ev = false;
	while (!s->done) {
		rc = rpt_file_next(s->f, &s->ev);
		if (rc < 0) {
			if (!*fatal)
				*fatal = rc;
			s->done = true;
			break;
		}
		if (rc == 0) {
			s->done = true;
			break;
		}
		if (s->ev.type == TDF_EV_CORRUPT || s->ev.type == TDF_EV_TRUNCATED) {
			if (o && o->on_problem)
				o->on_problem(o->arg, s->f, s->ev.type, &s->ev.problem);
			if (sink->ops->problem) {
				errno = 0; /* see rpt_out_status() */
				rc =
				    sink->ops->problem(sink->ctx, s->f, s->ev.type, &s->ev.problem);
				if (rc)
					return rc;
			}
			continue;
		}
		s->has_ev = true;
		break;
	}
	return 0;
}

static size_t count_hosts(struct rpt_file *const *files, size_t n)
{
	size_t i, j, hosts = 0;

	for (i = 0; i < n; i++) {
		if (*rpt_file_error(files[i]))
			continue; /* unreadable: it has no host to show */
		for (j = 0; j < i; j++)
			if (!*rpt_file_error(files[j]) &&
			    strcmp(rpt_file_host(files[i]), rpt_file_host(files[j])) == 0)
				break;
		if (j == i)
			hosts++;
	}
	return hosts;
}

int rpt_run(struct rpt_file *const *files, size_t n, struct rpt_sink *sink,
	    const struct rpt_run_opts *o)
{
	const struct rpt_filter *filter = o ? o->filter : NULL;
	uint64_t max = o ? o->max_drops : 0, passed = 0;
	struct rpt_begin b = {.nfiles = n, .files = files};
	struct src *srcs;
	int fatal = 0, rc = 0;
	size_t i, readable = 0;

	srcs = calloc(n ? n : 1, sizeof(*srcs));
	if (!srcs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		srcs[i].f = files[i];
		rc = rpt_file_prime(files[i]);
		if (rc < 0 && !fatal)
			fatal = rc;
		readable += rc >= 0;
	}
	/* No input is a trace at all: the error alone, no header before it. */
	if (!readable && n)
		goto out;
	b.nhosts = count_hosts(files, n);
	for (i = 0; i < n; i++) {
		uint64_t st = rpt_file_start(files[i]), first = rpt_file_pending_ns(files[i]);

		/* Drops buffered before the recorder took its first anchor may precede it. */
		if (first && (!st || first < st))
			st = first;
		if (st && (!b.start_real_ns || st < b.start_real_ns))
			b.start_real_ns = st;
	}
	if (filter)
		rpt_filter_begin((struct rpt_filter *)filter, b.start_real_ns);
	if (sink->ops->begin) {
		errno = 0;
		rc = sink->ops->begin(sink->ctx, &b);
		if (rc)
			goto out;
	}
	/* After begin: problems met while priming reach the sink like any other. */
	for (i = 0; i < n; i++) {
		rc = pull(&srcs[i], sink, o, &fatal);
		if (rc)
			goto out;
	}
	for (;;) {
		struct src *best = NULL;

		for (i = 0; i < n; i++)
			if (srcs[i].has_ev && (!best || srcs[i].ev.real_ns < best->ev.real_ns))
				best = &srcs[i];
		if (!best)
			break;
		if (best->ev.type == TDF_REC_DROP) {
			if (rpt_filter_drop(filter, &best->ev.drop)) {
				errno = 0;
				rc = sink->ops->drop(sink->ctx, &best->ev.drop);
				if (rc)
					goto out;
				if (max && ++passed >= max)
					break;
			}
		} else if (best->ev.type == TDF_REC_LOSS) {
			if (rpt_filter_loss(filter, &best->ev.loss) && sink->ops->loss) {
				errno = 0;
				rc = sink->ops->loss(sink->ctx, &best->ev.loss);
				if (rc)
					goto out;
			}
		}
		rc = pull(best, sink, o, &fatal);
		if (rc)
			goto out;
	}
	errno = 0;
	if (sink->ops->finish)
		rc = sink->ops->finish(sink->ctx);
out:
	free(srcs);
	return rc ? rc : fatal;
}
