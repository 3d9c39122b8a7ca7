#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "html.h"

static const char *SECTION_TITLE[MM_REP_NSECTIONS] = {"Configuration", "Model and data", "Timings"};

void mm_report_init(mm_report *r, const char *title)
{
    memset(r, 0, sizeof *r);
    snprintf(r->title, sizeof r->title, "%s", title);
    for (int i = 0; i < 2; i++) r->loss[i][0] = r->loss[i][1] = NAN;
    r->uniform_loss = NAN;
}

void mm_report_add(mm_report *r, mm_report_section sec, const char *key, const char *fmt, ...)
{
    if (r->nrows[sec] >= MM_REPORT_MAX_ROWS) return;
    mm_report_row *row = &r->rows[sec][r->nrows[sec]++];
    snprintf(row->key, sizeof row->key, "%s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(row->value, sizeof row->value, fmt, ap);
    va_end(ap);
}

void mm_report_figure_add(mm_report *r, const char *svg, const char *caption)
{
    if (!svg || r->nfigures >= (int)(sizeof r->figures / sizeof *r->figures)) return;
    r->figures[r->nfigures++] = (mm_report_figure){svg, caption};
}

static void section_table(mm_html *h, const mm_report *r, mm_report_section sec)
{
    if (!r->nrows[sec]) return;
    mm_html_table_begin(h, SECTION_TITLE[sec], NULL, 2);
    for (int i = 0; i < r->nrows[sec]; i++) {
        const char *cells[2] = {r->rows[sec][i].key, r->rows[sec][i].value};
        mm_html_table_row(h, cells);
    }
    mm_html_table_end(h);
}

static void fmt_loss(char *out, size_t n, double v)
{
    if (isnan(v)) snprintf(out, n, "-");
    else snprintf(out, n, "%.4f", v);
}

static void loss_table(mm_html *h, const mm_report *r)
{
    const char *hdr[] = {"", "train loss", "dev loss"};
    mm_html_table_begin(h, "Loss on the whole splits", hdr, 3);
    static const char *names[3] = {"initial (before step 1)", "final", "uniform guess, -ln(1/V)"};
    for (int i = 0; i < 3; i++) {
        char a[32], b[32];
        fmt_loss(a, sizeof a, i < 2 ? r->loss[i][0] : r->uniform_loss);
        fmt_loss(b, sizeof b, i < 2 ? r->loss[i][1] : r->uniform_loss);
        const char *cells[3] = {names[i], a, b};
        mm_html_table_row(h, cells);
    }
    mm_html_table_end(h);
}

/* The panel's script reads the model from the element #mm-model. */
static void panel(mm_html *h, const mm_report *r)
{
    mm_html_heading(h, 2, "Ask the model");
    if (!r->panel_html || !r->model_base64) {
        if (r->panel_note) mm_html_para(h, r->panel_note);
        return;
    }
    mm_html_raw(h, "<script type=\"application/octet-stream\" id=\"mm-model\">");
    mm_html_raw(h, r->model_base64);
    mm_html_raw(h, "</script>\n");
    mm_html_raw(h, r->panel_html);
}

mm_status mm_report_html(const mm_report *r, mm_sbuf *out, mm_err *err)
{
    mm_html h;
    mm_html_begin(&h, r->title);
    if (r->subtitle[0]) mm_html_para(&h, r->subtitle);
    mm_html_heading(&h, 2, "Results");
    loss_table(&h, r);
    section_table(&h, r, MM_REP_RESULTS);
    if (r->nfigures) mm_html_heading(&h, 2, "Pictures");
    for (int i = 0; i < r->nfigures; i++) mm_html_figure(&h, r->figures[i].svg, r->figures[i].caption);
    if (r->nsamples || r->samples_note) { /* the note says why there are none */
        mm_html_heading(&h, 2, "Samples");
        if (r->samples_note) mm_html_para(&h, r->samples_note);
        mm_html_list(&h, r->samples, r->sample_marks, r->nsamples);
    }
    if (r->panel_html || r->panel_note) panel(&h, r);
    mm_html_heading(&h, 2, "Run");
    section_table(&h, r, MM_REP_CONFIG);
    section_table(&h, r, MM_REP_TIMING);
    mm_html_end(&h);
    if (h.out.oom) {
        mm_html_free(&h);
        return mm_fail(err, MM_ENOMEM, "out of memory while writing the report");
    }
    *out = h.out;
    return MM_OK;
}
