#include "pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define MAX_KINDS 16

static const char *const COLORS[MAX_KINDS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The points of kind k sorted by time into xy (2 * count), as x then y. */
static size_t kind_points(const mm_pareto_point *p, size_t n, const char *kind, double *xy)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(p[i].kind, kind) && p[i].seconds > 0 && isfinite(p[i].loss)) {
            xy[2 * m] = log10(p[i].seconds);
            xy[2 * m + 1] = p[i].loss;
            m++;
        }
    qsort(xy, m, 2 * sizeof *xy, cmp_double);
    return m;
}

mm_status mm_fig_pareto(mm_sbuf *out, const mm_pareto_point *p, size_t n, mm_err *err)
{
    const char *kinds[MAX_KINDS];
    int nk = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (int k = 0; k < nk; k++) seen |= !strcmp(kinds[k], p[i].kind);
        if (seen) continue;
        if (nk == MAX_KINDS) return mm_fail(err, MM_EINVAL, "more than %d model kinds to plot", MAX_KINDS);
        kinds[nk++] = p[i].kind;
    }
    double *xy = malloc(2 * (n ? n : 1) * (size_t)(nk ? nk : 1) * sizeof *xy);
    double *xs = malloc((n ? n : 1) * (size_t)(nk ? nk : 1) * sizeof *xs);
    double *ys = malloc((n ? n : 1) * (size_t)(nk ? nk : 1) * sizeof *ys);
    mm_series se[MAX_KINDS];
    if (!xy || !xs || !ys) {
        free(xy); free(xs); free(ys);
        return mm_fail(err, MM_ENOMEM, "out of memory for the Pareto plot");
    }
    for (int k = 0; k < nk; k++) {
        double *kx = xs + (size_t)k * n, *ky = ys + (size_t)k * n;
        size_t m = kind_points(p, n, kinds[k], xy);
        for (size_t i = 0; i < m; i++) kx[i] = xy[2 * i], ky[i] = xy[2 * i + 1];
        se[k] = (mm_series){MM_SERIES_LINE, kx, ky, m, kinds[k], {COLORS[k], 2.0, 0, MM_MARK_DOT, 4.0}, 0, 0};
    }
    mm_axes_opts o = {"Dev loss against training time", "log10(training seconds)", "dev loss (lecture split)",
                      {0, 0}, {0, 0}, MM_TOP_RIGHT};
    mm_svg s;
    mm_svg_begin(&s, "pareto", 820, 520, "Dev loss against log10 of training seconds, one line per model kind");
    mm_status st = mm_plot_lines(&s, mm_plot_box(820, 520), &o, se, nk, err);
    mm_svg_end(&s);
    free(xy); free(xs); free(ys);
    if (!st && s.out.oom) st = mm_fail(err, MM_ENOMEM, "out of memory while drawing");
    if (st) {
        mm_svg_free(&s);
        return st;
    }
    *out = s.out;
    return MM_OK;
}
