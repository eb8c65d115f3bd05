// SPDX-License-Identifier: BSD-2-Clause
/* test_html: the one-file HTML page: its numbers, its flame graph's boxes, escaping of hostile
 * strings, nothing fetched, damage and filters shown, bounded size for many stacks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../report/markup.h"
#include "../../report/rpt.h"
#include "../../report/views.h"
#include "../lib/rptsample.h"
#include "../lib/tdftest.h"

#define PAGE_MAX (2u << 20) /* the page for any recording stays within 2 MiB */

static char *render(rpt_view_open_fn *open, uint8_t *const *bufs, const size_t *lens, size_t n,
		    const struct rpt_view_cfg *cfg, size_t *out_len)
{
	struct rpt_file *files[4];
	struct rpt_sink *sink;
	char *out = NULL;
	FILE *m = open_memstream(&out, out_len);
	size_t i;

	assert_non_null(m);
	assert_true(n <= 4);
	for (i = 0; i < n; i++) {
		files[i] = rpt_file_open_mem(bufs[i], lens[i], i ? "beta.tdrop" : "alpha.tdrop");
		assert_non_null(files[i]);
	}
	sink = open(m, cfg);
	assert_non_null(sink);
	assert_int_equal(rpt_run(files, n, sink, NULL), 0);
	rpt_sink_close(sink);
	for (i = 0; i < n; i++)
		rpt_file_close(files[i]);
	assert_int_equal(fclose(m), 0);
	return out;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

/* The number after the first `what` (e.g. "id=\"drops\" data-count=\""). */
static uint64_t number_after(const char *page, const char *what)
{
	const char *p = strstr(page, what);

	if (!p)
		fail_msg("no '%s' in the page", what);
	return strtoull(p + strlen(what), NULL, 10);
}

/* Sum of the data-count of every reason row. */
static uint64_t reason_sum(const char *page, size_t *rows)
{
	const char *p = page;
	uint64_t sum = 0;

	*rows = 0;
	while ((p = strstr(p, "<tr class=\"reason\""))) {
		sum += number_after(p, "data-count=\"");
		++*rows;
		p++;
	}
	return sum;
}

/* Distinct frame paths (every prefix of every line) in folded output, plus the "all" box. */
static size_t expected_boxes(const char *folded)
{
	char **seen = NULL;
	size_t n = 0, cap = 0;
	const char *line = folded;

	while (*line) {
		const char *nl = strchr(line, '\n'), *sp = nl;

		assert_non_null(nl);
		while (sp > line && *sp != ' ')
			sp--;
		for (const char *e = line; e <= sp; e++) {
			size_t k;

			if (e != sp && *e != ';')
				continue;
			for (k = 0; k < n; k++)
				if (strlen(seen[k]) == (size_t)(e - line) &&
				    memcmp(seen[k], line, (size_t)(e - line)) == 0)
					break;
			if (k < n)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				seen = realloc(seen, cap * sizeof(*seen));
				assert_non_null(seen);
			}
			seen[n++] = strndup(line, (size_t)(e - line));
		}
		line = nl + 1;
	}
	for (size_t k = 0; k < n; k++)
		free(seen[k]);
	free(seen);
	return n + 1;
}

/*
 * Every tag is one of the page's own elements, and no tag has an attribute that fetches or
 * runs something (src, href, on*): a '<' of the file's strings can only appear escaped.
 * The script's body is ours (its '<' are comparisons) and is skipped.
 */
static void check_tags(const char *page)
{
	static const char *const allowed[] = {
	    "!DOCTYPE", "html",	 "head", "meta", "title", "style", "body",   "header",
	    "h1",	"h2",	 "dl",	 "dt",	 "dd",	  "span",  "code",   "br",
	    "section",	"p",	 "svg",	 "line", "text",  "rect",  "g",	     "table",
	    "thead",	"tbody", "tr",	 "th",	 "td",	  "div",   "footer", "script"};
	const char *p = page;

	while ((p = strchr(p, '<'))) {
		const char *name = p + 1 + (p[1] == '/'), *end = strchr(p, '>'), *q;
		size_t n = strspn(name, "!abcdefghijklmnopqrstuvwxyzDOCTYPE0123456789"), k;

		assert_non_null(end);
		for (k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			if (strlen(allowed[k]) == n && strncmp(name, allowed[k], n) == 0)
				break;
		if (k == sizeof(allowed) / sizeof(allowed[0]))
			fail_msg("unexpected tag at %zu: %.40s", (size_t)(p - page), p);
		for (q = p; q < end; q++)
			if (strncmp(q, " on", 3) == 0 || strncmp(q, " src", 4) == 0 ||
			    strncmp(q, " href", 5) == 0 || strncmp(q, "url(", 4) == 0)
				fail_msg("attribute at %zu: %.60s", (size_t)(q - page), p);
		if (strncmp(p, "<script>", 8) == 0) {
			end = strstr(p, "</script>");
			assert_non_null(end);
		}
		p = end;
	}
}

/* Well-formed enough for a browser and a grep: balanced tags, no raw controls, no URL. */
static void check_page(const char *page, size_t len)
{
	assert_int_equal(strlen(page), len);
	assert_true(len <= PAGE_MAX);
	assert_memory_equal(page, "<!DOCTYPE html>\n", 16);
	assert_non_null(strstr(page, "<meta http-equiv=\"Content-Security-Policy\" "
				     "content=\"default-src 'none'; style-src 'unsafe-inline'; "
				     "script-src 'sha256-"));
	/* Nothing that could fetch: no URL scheme, no src/href attribute, no CSS url(). */
	assert_null(strstr(page, "http:"));
	assert_null(strstr(page, "https:"));
	assert_null(strstr(page, "//"));
	assert_null(strstr(page, "url("));
	assert_null(strstr(page, "@import"));
	check_tags(page);
	assert_int_equal(count(page, "<script"), 1);
	assert_int_equal(count(page, "</script>"), 1);
	assert_int_equal(count(page, "<style>"), 1);
	assert_int_equal(count(page, "</style>"), 1);
	assert_int_equal(count(page, "<svg"), count(page, "</svg>"));
	assert_int_equal(count(page, "<g "), count(page, "</g>"));
	assert_int_equal(count(page, "<table>"), count(page, "</table>"));
	assert_int_equal(count(page, "<tr"), count(page, "</tr>"));
	assert_int_equal(count(page, "<title>"), count(page, "</title>"));
	assert_int_equal(count(page, "<text"), count(page, "</text>"));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)page[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			fail_msg("raw control byte 0x%02x at %zu", c, i);
	}
}

static void test_sample_page(void **state)
{
	struct rpt_view_cfg cfg = {.o = {.utc = true}};
	size_t lens[2], len, len2, flen, rows;
	uint8_t *bufs[2];
	char *page, *again, *folded;

	(void)state;
	bufs[0] = rptsample_alpha(true, &lens[0]);
	bufs[1] = rptsample_beta(&lens[1]);
	page = render(rpt_html_open, bufs, lens, 1, &cfg, &len);
	check_page(page, len);
	assert_int_equal(number_after(page, "id=\"drops\" data-count=\""), RPTSAMPLE_ALPHA_DROPS);
	assert_int_equal(number_after(page, "id=\"lost\" data-count=\""), 7);
	assert_int_equal(number_after(page, "id=\"excluded\" data-count=\""), 3);
	assert_int_equal(number_after(page, "id=\"integrity\" data-damaged=\""), 0);
	assert_int_equal(reason_sum(page, &rows), RPTSAMPLE_ALPHA_DROPS);
	assert_int_equal(rows, 4); /* NO_SOCKET TCP_CSUM NETFILTER_DROP UNKNOWN_999 */
	assert_non_null(strstr(page, "none: every drop in the file<"));
	/* The explanation of a known reason, the knowledge base's word for an unknown one. */
	assert_non_null(strstr(page, "no explanation for this reason"));
	/* One box per distinct frame path under the reason, and the "all drops" box. */
	folded = render(rpt_folded_open, bufs, lens, 1, &cfg, &flen);
	assert_int_equal(count(page, "<g class=\"f\""), expected_boxes(folded));
	assert_int_equal(number_after(page, "data-boxes=\""), expected_boxes(folded));
	/* The same input, the same bytes. */
	again = render(rpt_html_open, bufs, lens, 1, &cfg, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(page, again, len);
	free(again);
	free(folded);
	free(page);

	/* Two hosts: both named, the drops of both counted. */
	page = render(rpt_html_open, bufs, lens, 2, &cfg, &len);
	check_page(page, len);
	assert_non_null(strstr(page, "<dt>hosts</dt>"));
	assert_int_equal(number_after(page, "id=\"drops\" data-count=\""),
			 RPTSAMPLE_ALPHA_DROPS + RPTSAMPLE_BETA_DROPS);
	assert_int_equal(reason_sum(page, &rows), RPTSAMPLE_ALPHA_DROPS + RPTSAMPLE_BETA_DROPS);
	folded = render(rpt_folded_open, bufs, lens, 2, &cfg, &flen);
	assert_int_equal(count(page, "<g class=\"f\""), expected_boxes(folded));
	free(folded);
	free(page);
	free(bufs[0]);
	free(bufs[1]);
}

/* Markup from the file's strings in text and in attributes, and in the filters line. */
static void test_hostile_markup(void **state)
{
	static const struct tdf_kv meta[] = {
	    {TDF_META_HOST, "</title><script>alert(1)</script>"},
	    {TDF_META_KERNEL_RELEASE, "<b>6.18</b>&amp;"},
	    {TDF_META_KERNEL_VERSION, "\"><img src=x onerror=alert(2)>"},
	    {TDF_META_ARCH, "x86'64"},
	};
	static const struct tdf_name reasons[] = {
	    {2, "SKB_DROP_REASON_<i>X</i>\"onmouseover=\"alert(3)"}};
	static const struct tdf_ksym syms[] = {{0x10, "sym</text><script>alert(4)</script>"},
					       {0x20, "a&b\"c'd<e>f"}};
	static const struct tdf_kaddr frames[] = {{0, 0x15}, {1, 0x5}, {0, 0x25}};
	struct rpt_view_cfg cfg = {.o = {.utc = true},
				   .filters = "--comm=<b>x</b>\nexpression: host 1.2.3.4"};
	struct tdf_record recs[12];
	size_t n = 0, len, out_len;
	uint8_t *buf;
	char *page;

	(void)state;
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_META;
	recs[n++].meta = (struct tdf_meta){4, meta};
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){1, reasons};
	recs[n].type = TDF_REC_KMOD;
	recs[n++].kmod = (struct tdf_kmod){1, "</style><svg onload=alert(5)>"};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){1, 2, syms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 3, frames};
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 1, 40);
	memcpy(recs[n].drop.comm, "<script>x()</s>", 16);
	memcpy(recs[n].drop.ifname, "\"><svg onload=", 15);
	recs[n].drop.location = frames[1];
	n++;
	recs[n].type = TDF_REC_DROP;
	tdftest_drop(&recs[n].drop, 2, 40);
	memcpy(recs[n].drop.comm, "a'b\"c&d\x1b[31m", 13);
	n++;
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);
	page = render(rpt_html_open, &buf, &len, 1, &cfg, &out_len);
	check_page(page, out_len);
	/* None of it became markup. */
	assert_null(strstr(page, "<img"));
	assert_null(strstr(page, "<i>"));
	assert_null(strstr(page, "<b>"));
	/* (check_page() found no on* attribute in any tag: "onload=" is only text here) */
	assert_null(strstr(page, "\"onmouseover"));
	assert_null(strstr(page, "</title><script"));
	assert_null(strstr(page, "<e>"));
	assert_int_equal(count(page, "<title>"),
			 1 + count(page, "<g class=\"f\"") + count(page, "</title></rect>"));
	/* All of it is there, as text. */
	assert_non_null(strstr(page, "TCP drops on &lt;/title&gt;&lt;script&gt;alert(1)&lt;"));
	assert_non_null(strstr(page, "&lt;b&gt;6.18&lt;/b&gt;&amp;amp;"));
	assert_non_null(strstr(page, "data-reason=\"&lt;i&gt;X&lt;/i&gt;&quot;onmouseover="));
	assert_non_null(strstr(page, "&lt;script&gt;x()&lt;/s&gt;"));
	assert_non_null(strstr(page, "a&#39;b&quot;c&amp;d\\x1b[31m"));
	assert_non_null(strstr(page, "sym&lt;/text&gt;&lt;script&gt;alert(4)"));
	assert_non_null(strstr(page, "[&lt;/style&gt;&lt;svg onload=alert(5)&gt;]"));
	assert_non_null(strstr(page, "<code>--comm=&lt;b&gt;x&lt;/b&gt;</code>"));
	assert_non_null(strstr(page, "<code>expression: host 1.2.3.4</code>"));
	free(page);
	free(buf);
}

/* A stack whose frames part when sorted bytewise ("f+0x1", "f+0x10;..", "f+0x1;..") still
 * gives one box per frame path. */
static void test_tree(void **state)
{
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NO_SOCKET"}};
	static const struct tdf_ksym syms[] = {{0x3000, "outer"}, {0x4000, "inner"}};
	static const struct tdf_kaddr s1[] = {{0, 0x4000}, {0, 0x3001}};
	static const struct tdf_kaddr s2[] = {{0, 0x4000}, {0, 0x3010}};
	struct rpt_view_cfg cfg = {0};
	struct tdf_record recs[12];
	size_t n = 0, len, plen, flen;
	char *page, *folded;
	uint8_t *buf;

	(void)state;
	memset(recs, 0, sizeof(recs));
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){1, reasons};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){1, 2, s1};
	recs[n].type = TDF_REC_STACK;
	recs[n++].stack = (struct tdf_stack){2, 2, s2};
	for (uint32_t i = 0; i < 4; i++) {
		recs[n].type = TDF_REC_DROP;
		tdftest_drop(&recs[n].drop, i + 1, 0);
		recs[n].drop.stack_id = i % 3; /* 0 (location only), 1, 2, 0 */
		recs[n].drop.location = (struct tdf_kaddr){0, 0x3001};
		n++;
	}
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);
	folded = render(rpt_folded_open, &buf, &len, 1, &cfg, &flen);
	assert_string_equal(folded, "NO_SOCKET;outer+0x1 2\n"
				    "NO_SOCKET;outer+0x1;inner+0x0 1\n"
				    "NO_SOCKET;outer+0x10;inner+0x0 1\n");
	page = render(rpt_html_open, &buf, &len, 1, &cfg, &plen);
	check_page(page, plen);
	/* all, NO_SOCKET, outer+0x1, its inner, outer+0x10, its inner */
	assert_int_equal(count(page, "<g class=\"f\""), 6);
	assert_int_equal(expected_boxes(folded), 6);
	free(page);
	free(folded);
	free(buf);
}

/* A file cut short: the header says damaged; the drops before the cut are still there. */
static void test_damaged(void **state)
{
	struct rpt_view_cfg cfg = {0};
	size_t len, plen;
	uint8_t *buf;
	char *page;

	(void)state;
	buf = rptsample_alpha(false, &len);
	len = len * 3 / 4;
	page = render(rpt_html_open, &buf, &len, 1, &cfg, &plen);
	check_page(page, plen);
	assert_int_equal(number_after(page, "id=\"integrity\" data-damaged=\""), 1);
	assert_non_null(strstr(page, "truncated"));
	assert_non_null(strstr(page, "not closed cleanly"));
	free(page);
	free(buf);
}

/* No drops at all (every one filtered out, or an empty recording): a page that says so. */
static void test_no_drops(void **state)
{
	static const struct tdf_kv meta[] = {{TDF_META_HOST, "quiet"}};
	struct rpt_view_cfg cfg = {.filters = "--reason=NO_SUCH"};
	struct tdf_record rec = {.type = TDF_REC_META, .meta = {1, meta}};
	size_t len, plen;
	uint8_t *buf = tdftest_write(&rec, 1, NULL, true, &len);
	char *page;

	(void)state;
	assert_non_null(buf);
	page = render(rpt_html_open, &buf, &len, 1, &cfg, &plen);
	check_page(page, plen);
	assert_int_equal(number_after(page, "id=\"drops\" data-count=\""), 0);
	assert_non_null(strstr(page, "No drops."));
	assert_null(strstr(page, "id=\"flame-svg\""));
	free(page);
	free(buf);
}

/*
 * Many distinct stacks (each drop its own) over a month, in no time order: the page stays
 * under its size bound with the narrow boxes left out (and says so), and the timeline's
 * bars add up to the drops in at most 120 intervals.
 */
#define MANY 20000u

static void test_many_stacks(void **state)
{
	static const struct tdf_name reasons[] = {{2, "SKB_DROP_REASON_NO_SOCKET"},
						  {3, "SKB_DROP_REASON_TCP_CSUM"}};
	static const struct tdf_ksym syms[] = {{0, "root_fn"}, {0x100000, "leaf_fn"}};
	static const struct tdf_clock clock = {.boot_ns = 0, .real_ns = RPTSAMPLE_START_NS};
	struct tdf_kaddr *frames = calloc(2 * MANY, sizeof(*frames));
	struct tdf_record *recs = calloc(2 * MANY + 3, sizeof(*recs));
	struct rpt_view_cfg cfg = {.o = {.utc = true}};
	size_t n = 0, len, plen;
	uint64_t bars = 0;
	const char *p;
	uint8_t *buf;
	char *page;

	(void)state;
	assert_non_null(frames);
	assert_non_null(recs);
	recs[n].type = TDF_REC_CLOCK;
	recs[n++].clock = clock;
	recs[n].type = TDF_REC_REASONS;
	recs[n++].names = (struct tdf_names){2, reasons};
	recs[n].type = TDF_REC_KSYMS;
	recs[n++].ksyms = (struct tdf_ksyms){0, 2, syms};
	for (uint32_t i = 0; i < MANY; i++) {
		frames[2 * i] = (struct tdf_kaddr){0, 0x100000 + i};
		frames[2 * i + 1] = (struct tdf_kaddr){0, i % 7};
		recs[n].type = TDF_REC_STACK;
		recs[n++].stack = (struct tdf_stack){i + 1, 2, frames + 2 * i};
		recs[n].type = TDF_REC_DROP;
		tdftest_drop(&recs[n].drop, i + 1, 0);
		recs[n].drop.stack_id = i + 1;
		recs[n].drop.reason = i % 5 ? 2 : 3;
		/* scattered over 30 days, back and forth */
		recs[n].drop.ts_ns =
		    (uint64_t)((i * 7919u) % MANY) * (30 * 86400ull * 1000000000 / MANY);
		n++;
	}
	buf = tdftest_write(recs, n, NULL, true, &len);
	assert_non_null(buf);
	page = render(rpt_html_open, &buf, &len, 1, &cfg, &plen);
	check_page(page, plen);
	assert_int_equal(number_after(page, "id=\"drops\" data-count=\""), MANY);
	assert_non_null(strstr(page, "id=\"flame-pruned\""));
	assert_true(number_after(page, "data-boxes=\"") <= 5000);
	assert_non_null(strstr(page, "Drops per 6 h,"));
	p = strstr(page, "<svg id=\"timeline-svg\"");
	assert_non_null(p);
	for (p = strstr(p, "</title></rect>"); p; p = strstr(p + 1, "</title></rect>")) {
		const char *colon = p;

		while (colon > page && *colon != ':')
			colon--;
		bars += strtoull(colon + 1, NULL, 10);
	}
	assert_int_equal(bars, MANY);
	free(page);
	free(buf);
	free(recs);
	free(frames);
}

/* The markup helper: character references after the shared escape. */
static void test_markup(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	(void)state;
	assert_non_null(m);
	assert_int_equal(rpt_fput_html(m, "<a href='x'>&\"\x01\xff\\</a>", 64), 0);
	assert_int_equal(rpt_fput_html(m, "cut here", 3), 0);
	assert_int_equal(rpt_fput_html_escaped(m, "&<>\"'", 5), 0);
	assert_int_equal(fclose(m), 0);
	assert_string_equal(out, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x01\\xff\\\\&lt;/a&gt;"
				 "cut"
				 "&amp;&lt;&gt;&quot;&#39;");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sample_page), cmocka_unit_test(test_hostile_markup),
	    cmocka_unit_test(test_tree),	cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_no_drops),	cmocka_unit_test(test_many_stacks),
	    cmocka_unit_test(test_markup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
