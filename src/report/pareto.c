#include "pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define MAX_KINDS 16
#define WIDTH 820
#define HEIGHT 520

static const char *const COLORS[MAX_KINDS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"};

static int drawable(const mm_pareto_point *q)
{
    return q->kind && q->seconds > 0 && isfinite(q->seconds) && isfinite(q->loss);
}

/* The distinct kinds of the drawable points, in order of first appearance;
 * returns their count, or -1 when there are more than MAX_KINDS. */
static int distinct_kinds(const mm_pareto_point *p, size_t n, const char **kinds)
{
    int nk = 0;
    for (size_t i = 0; i < n; i++) {
        if (!drawable(&p[i])) continue;
        int seen = 0;
        for (int k = 0; k < nk; k++) seen |= !strcmp(kinds[k], p[i].kind);
        if (seen) continue;
        if (nk == MAX_KINDS) return -1;
        kinds[nk++] = p[i].kind;
    }
    return nk;
}

/* Indices of kind's drawable points in idx, sorted by time (insertion
 * sort: a kind has a handful of sizes); returns their count. */
static size_t kind_points(const mm_pareto_point *p, size_t n, const char *kind, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!drawable(&p[i]) || strcmp(p[i].kind, kind)) continue;
        size_t j = m++;
        for (; j > 0 && p[idx[j - 1]].seconds > p[i].seconds; j--) idx[j] = idx[j - 1];
        idx[j] = i;
    }
    return m;
}

/* Each point's own label, just above and right of its marker. */
static void label_points(mm_svg *s, const mm_pareto_point *p, const size_t *idx, size_t m, const char *color)
{
    for (size_t i = 0; i < m; i++) {
        const mm_pareto_point *q = &p[idx[i]];
        if (!q->label || !*q->label) continue;
        mm_svg_text(s, mm_svg_px(s, log10(q->seconds)) + 5, mm_svg_py(s, q->loss) - 6, "start", 10, color,
                    q->label);
    }
}

mm_status mm_fig_pareto(mm_sbuf *out, const mm_pareto_point *p, size_t n, mm_err *err)
{
    const char *kinds[MAX_KINDS];
    int nk = distinct_kinds(p, n, kinds);
    if (nk < 0) return mm_fail(err, MM_EINVAL, "more than %d model kinds to plot", MAX_KINDS);
    if (nk == 0) return mm_fail(err, MM_EINVAL, "no point with positive seconds and a finite loss to plot");
    size_t *idx = malloc(n * sizeof *idx);
    double *xy = malloc(2 * n * sizeof *xy); /* per kind's points: x then y, kinds one after another */
    if (!idx || !xy) {
        free(idx); free(xy);
        return mm_fail(err, MM_ENOMEM, "out of memory for the Pareto plot");
    }
    /* one line (in the legend) and one set of dots per kind */
    mm_series se[2 * MAX_KINDS];
    size_t used = 0;
    for (int k = 0; k < nk; k++) {
        size_t m = kind_points(p, n, kinds[k], idx);
        double *kx = xy + 2 * used, *ky = kx + m;
        for (size_t i = 0; i < m; i++) kx[i] = log10(p[idx[i]].seconds), ky[i] = p[idx[i]].loss;
        used += m;
        se[2 * k] = (mm_series){MM_SERIES_LINE, kx, ky, m, kinds[k], {COLORS[k], 2.0, 0, MM_MARK_NONE, 0}, 0, 0};
        se[2 * k + 1] = (mm_series){MM_SERIES_POINTS, kx, ky, m, NULL, {COLORS[k], 0, 0, MM_MARK_DOT, 4.0}, 0, 0};
    }
    mm_axes_opts o = {"Dev loss against training time", "log10(wall seconds of training)",
                      "dev loss (lecture split)", {0, 0}, {0, 0}, MM_TOP_RIGHT};
    mm_svg s;
    mm_svg_begin(&s, "pareto", WIDTH, HEIGHT, "Dev loss against log10 of training seconds, one line per model kind");
    mm_status st = mm_plot_lines(&s, mm_plot_box(WIDTH, HEIGHT), &o, se, 2 * nk, err);
    for (int k = 0; !st && k < nk; k++) label_points(&s, p, idx, kind_points(p, n, kinds[k], idx), COLORS[k]);
    mm_svg_end(&s);
    free(idx); free(xy);
    if (!st && s.out.oom) st = mm_fail(err, MM_ENOMEM, "out of memory while drawing");
    if (st) {
        mm_svg_free(&s);
        return st;
    }
    *out = s.out;
    return MM_OK;
}
