// SPDX-License-Identifier: BSD-2-Clause
/* markup: the file's strings made safe for HTML text and attributes (inline SVG included). */
#include "markup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpt.h"

/* rpt_text_escape() makes at most 4 bytes of one ("\xNN"): 4 KiB of input fits here. */
#define SMALL_ESCAPED 16384u

int rpt_fput_html_escaped(FILE *out, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *ref;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			ref = "&amp;";
			break;
		case '<':
			ref = "&lt;";
			break;
		case '>':
			ref = "&gt;";
			break;
		case '"':
			ref = "&quot;";
			break;
		case '\'':
			ref = "&#39;";
			break;
		default:
			continue;
		}
		if ((i > run && fwrite(s + run, 1, i - run, out) != i - run) ||
		    fputs(ref, out) == EOF)
			return errno ? -errno : -EIO;
		run = i + 1;
	}
	if (n > run && fwrite(s + run, 1, n - run, out) != n - run)
		return errno ? -errno : -EIO;
	return 0;
}

int rpt_fput_html(FILE *out, const char *s, size_t maxlen)
{
	char small[SMALL_ESCAPED], *p = small;
	size_t need = rpt_text_escape(small, sizeof(small), s, maxlen);
	int rc;

	if (need >= sizeof(small)) {
		p = malloc(need + 1);
		if (!p)
			return -ENOMEM;
		rpt_text_escape(p, need + 1, s, maxlen);
	}
	rc = rpt_fput_html_escaped(out, p, need);
	if (p != small)
		free(p);
	return rc;
}
