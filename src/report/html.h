/* A builder for self-contained HTML report pages: one file with inline CSS
 * and inline SVG, no fonts, links or scripts to fetch, so it opens the same
 * offline, from a CI artifact or attached to a mail. Its Content Security
 * Policy allows inline scripts, WebAssembly and workers made from a Blob
 * (the report's interactive panel) and forbids every fetch, so nothing on
 * the page can go online.
 *
 * Text arguments are escaped; only mm_html_raw and the SVG of mm_html_figure
 * go in verbatim (documents made by mm_svg, the report's panel). */
#ifndef MM_HTML_H
#define MM_HTML_H

#include "strbuf.h"

typedef struct {
    mm_sbuf out;
    int ncols; /* columns of the open table, 0 when none */
} mm_html;

void mm_html_begin(mm_html *h, const char *title);
void mm_html_heading(mm_html *h, int level, const char *text);
void mm_html_para(mm_html *h, const char *text);
/* A table with a caption (may be NULL) and ncols header cells (header may
 * be NULL for a table without a header row). */
void mm_html_table_begin(mm_html *h, const char *caption, const char *const *header, int ncols);
void mm_html_table_row(mm_html *h, const char *const *cells);
void mm_html_table_end(mm_html *h);
/* A figure holding svg (inserted verbatim) and an escaped caption. */
void mm_html_figure(mm_html *h, const char *svg, const char *caption);
/* A bulleted list in columns, e.g. generated samples; marks (NULL: none)
 * adds a short tag after each item, styled by its text (train, new, ...). */
void mm_html_list(mm_html *h, const char *const *items, const char *const *marks, int n);
void mm_html_raw(mm_html *h, const char *html);
void mm_html_end(mm_html *h);
void mm_html_free(mm_html *h);

#endif
