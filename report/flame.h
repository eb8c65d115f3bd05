/* SPDX-License-Identifier: BSD-2-Clause */
/* flame: drops folded into root-first stack paths with counts (folded and html views). */
#ifndef TCPDROP_RPT_FLAME_H
#define TCPDROP_RPT_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpt.h"

/*
 * A path is one line of the "folded" format of flamegraph.pl, inferno and speedscope
 * without its count: an optional root frame the caller chooses (a reason, a netns...), then
 * the drop's stack from the outermost frame to the innermost, joined by RPT_FLAME_SEP. The
 * frames are the stack-text service's (report/stacktext.h: the tracing machinery's frames
 * left out, symbolized from the file, escaped), with ';' written as \x3b so a frame never
 * splits. A drop without a stack (or when no_stack was asked for) gets its drop location as
 * its only frame below the root.
 *
 * Drops are counted per path; the text of a (file, stack, root) is made once, so adding a
 * drop costs a hash lookup. Every new root, (file, stack, root) and path is charged to the
 * views' budget (report/budget.h) with its share of a tree built from it; past the budget a
 * drop is counted in one path RPT_FLAME_OTHER (one frame, no root), so the counts still sum
 * to the drops.
 */
#define RPT_FLAME_SEP	';'
#define RPT_FLAME_OTHER "(other)"

struct rpt_flame;

/* A new, empty collection. NULL with errno on failure. */
struct rpt_flame *rpt_flame_new(bool no_stack);

/* Frees fl and gives back what it charged to the views' budget. NULL: nothing. */
void rpt_flame_free(struct rpt_flame *fl);

/*
 * Count rd under root: text already escaped for display (rpt_text_escape()), NULL or "" for
 * no root frame; a ';' in it is written as \x3b like in frames. Returns 0 or -ENOMEM.
 */
int rpt_flame_add(struct rpt_flame *fl, const struct rpt_drop *rd, const char *root);

struct rpt_flame_path {
	const char *text; /* frames joined by RPT_FLAME_SEP, NUL-terminated */
	size_t len;
	uint32_t nframes; /* >= 1 */
	uint64_t count;
};

/*
 * Every path, ordered frame by frame (a frame before every longer frame it is a prefix of,
 * a path right before the paths that extend it): the order is deterministic and the paths
 * sharing a prefix of frames are adjacent, so a tree can be built in one pass. The array
 * stays owned by fl and valid until the next rpt_flame_add() or rpt_flame_free(). *n
 * receives the number of paths. NULL with errno ENOMEM (n = 0), or NULL with n = 0 when
 * empty.
 */
const struct rpt_flame_path *rpt_flame_sorted(struct rpt_flame *fl, size_t *n);

/* Drops counted so far (the sum of all paths' counts). */
uint64_t rpt_flame_total(const struct rpt_flame *fl);

/* Drops counted in the RPT_FLAME_OTHER path because their path did not fit the budget. */
uint64_t rpt_flame_folded(const struct rpt_flame *fl);

/* The length of the first frame of p[0..n) (up to RPT_FLAME_SEP or the end). */
size_t rpt_flame_frame_len(const char *p, size_t n);

#endif /* TCPDROP_RPT_FLAME_H */
