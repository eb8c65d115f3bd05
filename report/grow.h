/* SPDX-License-Identifier: BSD-2-Clause */
/* grow: the one growth rule for report/'s dynamic arrays (internal). */
#ifndef TCPDROP_RPT_GROW_H
#define TCPDROP_RPT_GROW_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make *arr hold at least need elements of size bytes, doubling from 16 so n appends cost
 * O(n). *arr and *cap are unchanged on failure. Returns 0 or -ENOMEM (also when the size in
 * bytes would overflow).
 */
static inline int rpt_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	p = reallocarray(*arr, ncap, size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

#endif /* TCPDROP_RPT_GROW_H */
