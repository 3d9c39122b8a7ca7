/* DIR/report.html: one self-contained page about a training run (tables,
 * the lecture's pictures inline, samples, and when the caller has it the
 * interactive panel with the model inside). The caller fills an mm_report
 * with plain text; mm_report_html does all the markup. */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include "strbuf.h"

#define MM_REPORT_MAX_ROWS 48

typedef enum { MM_REP_CONFIG, MM_REP_RESULTS, MM_REP_TIMING, MM_REP_NSECTIONS } mm_report_section;

typedef struct {
    char key[64];
    char value[192];
} mm_report_row;

typedef struct {
    const char *svg;     /* a whole SVG document, or NULL to leave out */
    const char *caption;
} mm_report_figure;

typedef struct {
    char title[256];
    char subtitle[512];
    mm_report_row rows[MM_REP_NSECTIONS][MM_REPORT_MAX_ROWS];
    int nrows[MM_REP_NSECTIONS];
    /* losses: rows initial/final, columns train/dev (NAN: not known) */
    double loss[2][2];
    double uniform_loss;
    mm_report_figure figures[4];
    int nfigures;
    const char *const *samples;
    const char *const *sample_marks; /* (nsamples) "train", "dev", "test", "new"; or NULL */
    int nsamples;
    const char *samples_note;
    /* The interactive panel: panel_html (web/dist/report-panel.html, which
     * make web builds: the CLI in WebAssembly and the panel's code) goes in
     * verbatim after model_base64 (base64 of model.bin, which it runs on).
     * Either NULL: panel_note says instead how to get the panel. */
    const char *panel_html;
    const char *model_base64;
    const char *panel_note;
} mm_report;

void mm_report_init(mm_report *r, const char *title);
/* Adds a key/value row to a section (rows past the limit are dropped). */
void mm_report_add(mm_report *r, mm_report_section sec, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void mm_report_figure_add(mm_report *r, const char *svg, const char *caption);
mm_status mm_report_html(const mm_report *r, mm_sbuf *out, mm_err *err);

#endif
