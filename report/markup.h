/* SPDX-License-Identifier: BSD-2-Clause */
/* markup: the file's strings made safe for HTML text and attributes (inline SVG included). */
#ifndef TCPDROP_RPT_MARKUP_H
#define TCPDROP_RPT_MARKUP_H

#include <stddef.h>
#include <stdio.h>

/*
 * Every string of a trace file is untrusted. For markup it first goes through the shared
 * escape (rpt_text_escape(): control characters, DEL, backslash and invalid UTF-8 become \\
 * and \xNN, so the text is valid UTF-8 without controls), then & < > " and ' become
 * character references. The result can neither open nor close an element, a comment, an
 * attribute value (quoted either way) or a <title>/<style>/<script> body: it is safe in
 * element text and in quoted attribute values alike.
 */

/* Write at most maxlen bytes of s (stops at NUL), escaped as above. Returns 0, -ENOMEM or
 * the failed write's -errno. */
int rpt_fput_html(FILE *out, const char *s, size_t maxlen);

/* Write n bytes of text that is already escaped by rpt_text_escape() (the stack-text
 * service's output, say): only the character references are added. Returns as above. */
int rpt_fput_html_escaped(FILE *out, const char *s, size_t n);

#endif /* TCPDROP_RPT_MARKUP_H */
