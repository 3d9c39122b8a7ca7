#include "html.h"

#include <string.h>

static const char *CSS =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;background:#fafafa;"
    "max-width:1100px;margin:24px auto;padding:0 16px;line-height:1.45}"
    "h1{font-size:26px;margin-bottom:4px}h2{font-size:19px;margin-top:30px;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;margin:10px 0;background:white}"
    "caption{text-align:left;font-weight:bold;padding:4px 0}"
    "td,th{border:1px solid #ddd;padding:4px 10px;text-align:left;font-variant-numeric:tabular-nums}"
    "th{background:#f0f0f0}"
    "figure{margin:14px 0;background:white;border:1px solid #ddd;padding:8px;display:inline-block}"
    "figcaption{font-size:13px;color:#555;max-width:900px}"
    "ul.samples{columns:4;font-family:'DejaVu Sans Mono',monospace;font-size:15px;background:white;"
    "border:1px solid #ddd;padding:10px 30px}"
    ".mark{font-size:11px;padding:0 4px;border-radius:3px;background:#eee;color:#555}"
    ".mark-new{background:#dff0d8;color:#2b6a2b}.mark-train{background:#f5e0c8;color:#7a4a12}"
    "svg{max-width:100%;height:auto;display:block}";

void mm_html_begin(mm_html *h, const char *title)
{
    memset(h, 0, sizeof *h);
    mm_sbuf_puts(&h->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    mm_sbuf_puts(&h->out, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                          "script-src 'unsafe-inline' 'wasm-unsafe-eval'; worker-src blob:; style-src 'unsafe-inline'\">\n<title>");
    mm_sbuf_xml(&h->out, title);
    mm_sbuf_printf(&h->out, "</title>\n<style>%s</style>\n</head>\n<body>\n", CSS);
    mm_html_heading(h, 1, title);
}

void mm_html_heading(mm_html *h, int level, const char *text)
{
    level = level < 1 ? 1 : level > 6 ? 6 : level;
    mm_sbuf_printf(&h->out, "<h%d>", level);
    mm_sbuf_xml(&h->out, text);
    mm_sbuf_printf(&h->out, "</h%d>\n", level);
}

void mm_html_para(mm_html *h, const char *text)
{
    mm_sbuf_puts(&h->out, "<p>");
    mm_sbuf_xml(&h->out, text);
    mm_sbuf_puts(&h->out, "</p>\n");
}

static void cells(mm_html *h, const char *tag, const char *const *c)
{
    mm_sbuf_puts(&h->out, "<tr>");
    for (int i = 0; i < h->ncols; i++) {
        mm_sbuf_printf(&h->out, "<%s>", tag);
        mm_sbuf_xml(&h->out, c[i] ? c[i] : "");
        mm_sbuf_printf(&h->out, "</%s>", tag);
    }
    mm_sbuf_puts(&h->out, "</tr>\n");
}

void mm_html_table_begin(mm_html *h, const char *caption, const char *const *header, int ncols)
{
    h->ncols = ncols;
    mm_sbuf_puts(&h->out, "<table>\n");
    if (caption) {
        mm_sbuf_puts(&h->out, "<caption>");
        mm_sbuf_xml(&h->out, caption);
        mm_sbuf_puts(&h->out, "</caption>\n");
    }
    if (header) cells(h, "th", header);
}

void mm_html_table_row(mm_html *h, const char *const *c)
{
    cells(h, "td", c);
}

void mm_html_table_end(mm_html *h)
{
    mm_sbuf_puts(&h->out, "</table>\n");
    h->ncols = 0;
}

void mm_html_figure(mm_html *h, const char *svg, const char *caption)
{
    mm_sbuf_puts(&h->out, "<figure>\n");
    mm_sbuf_puts(&h->out, svg);
    if (caption) {
        mm_sbuf_puts(&h->out, "<figcaption>");
        mm_sbuf_xml(&h->out, caption);
        mm_sbuf_puts(&h->out, "</figcaption>\n");
    }
    mm_sbuf_puts(&h->out, "</figure>\n");
}

void mm_html_list(mm_html *h, const char *const *items, const char *const *marks, int n)
{
    mm_sbuf_puts(&h->out, "<ul class=\"samples\">\n");
    for (int i = 0; i < n; i++) {
        mm_sbuf_puts(&h->out, "<li>");
        mm_sbuf_xml(&h->out, items[i]);
        if (marks && marks[i]) {
            mm_sbuf_puts(&h->out, " <span class=\"mark mark-");
            mm_sbuf_xml(&h->out, marks[i]);
            mm_sbuf_puts(&h->out, "\">");
            mm_sbuf_xml(&h->out, marks[i]);
            mm_sbuf_puts(&h->out, "</span>");
        }
        mm_sbuf_puts(&h->out, "</li>\n");
    }
    mm_sbuf_puts(&h->out, "</ul>\n");
}

void mm_html_raw(mm_html *h, const char *html)
{
    mm_sbuf_puts(&h->out, html);
}

void mm_html_end(mm_html *h)
{
    mm_sbuf_puts(&h->out, "</body>\n</html>\n");
}

void mm_html_free(mm_html *h)
{
    mm_sbuf_free(&h->out);
    memset(h, 0, sizeof *h);
}
