// SPDX-License-Identifier: BSD-2-Clause
/* views: the table of views, by name, that tcpdrop-report chooses its output from. */
#include <string.h>

#include "../views.h"

/* Views chosen by --format=NAME say so in their option; the others have their own option. */
const struct rpt_view rpt_views[] = {
    {"table", "--format=table", rpt_table_open},
    {"json", "--format=json", rpt_json_open},
    {"csv", "--format=csv", rpt_csv_open},
    {"summary", "--summary", rpt_summary_open},
    {"timeline", "--timeline", rpt_timeline_open},
    {"info", "--info", rpt_info_open},
    {"pcapng", "-w", rpt_pcapng_open},
    {"explain", "--explain", rpt_explain_open},
    {"folded", "--format=folded", rpt_folded_open},
    {"html", "--html", rpt_html_open},
    {NULL, NULL, NULL},
};

const struct rpt_view *rpt_view_find(const char *name)
{
	const struct rpt_view *v;

	for (v = rpt_views; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}
