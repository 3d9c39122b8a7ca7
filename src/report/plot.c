#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

mm_box mm_plot_box(int width, int height)
{
    return (mm_box){78, 42, width - 22.0, height - 56.0};
}

void mm_smooth_mean(double *out, const double *in, size_t n, size_t window)
{
    size_t half = window / 2;
    double sum = 0.0;
    size_t cnt = 0, lo = 0, hi = 0; /* the window is in[lo..hi) */
    for (size_t i = 0; i < n; i++) {
        size_t want_lo = i > half ? i - half : 0, want_hi = i + half + 1 < n ? i + half + 1 : n;
        for (; hi < want_hi; hi++)
            if (isfinite(in[hi])) { sum += in[hi]; cnt++; }
        for (; lo < want_lo; lo++)
            if (isfinite(in[lo])) { sum -= in[lo]; cnt--; }
        out[i] = cnt ? sum / (double)cnt : NAN;
    }
}

size_t mm_decimate(size_t *idx, size_t n, size_t m)
{
    if (n <= m || m < 2) {
        size_t k = n <= m ? n : (n ? 1 : 0);
        for (size_t i = 0; i < k; i++) idx[i] = i;
        return k;
    }
    for (size_t k = 0; k < m; k++)
        idx[k] = (size_t)(((double)k * (double)(n - 1)) / (double)(m - 1) + 0.5);
    return m;
}

/* Fits unset axis ranges to the finite values of all series. */
static void fit_ranges(mm_axes_opts *o, const mm_series *series, int n)
{
    for (int axis = 0; axis < 2; axis++) {
        mm_range *r = axis ? &o->y : &o->x;
        if (r->lo != r->hi) continue;
        mm_range all = {INFINITY, -INFINITY};
        for (int i = 0; i < n; i++) {
            mm_range one = mm_range_of(axis ? series[i].y : series[i].x, series[i].n, 0.0);
            if (series[i].n == 0) continue;
            all.lo = fmin(all.lo, one.lo);
            all.hi = fmax(all.hi, one.hi);
        }
        double ends[2] = {all.lo, all.hi};
        *r = mm_range_of(ends, 2, axis ? 0.05 : 0.02);
    }
}

static mm_status draw_series(mm_svg *s, const mm_series *se, mm_err *err)
{
    size_t m = se->max_points && se->max_points < se->n ? se->max_points : se->n;
    double *ys = se->smooth > 1 ? malloc(se->n * sizeof *ys) : NULL;
    size_t *idx = malloc((m ? m : 1) * sizeof *idx);
    double *px = malloc((m ? m : 1) * sizeof *px), *py = malloc((m ? m : 1) * sizeof *py);
    if ((se->smooth > 1 && !ys) || !idx || !px || !py) {
        free(ys); free(idx); free(px); free(py);
        return mm_fail(err, MM_ENOMEM, "out of memory for a plot of %zu points", se->n);
    }
    if (ys) mm_smooth_mean(ys, se->y, se->n, se->smooth);
    const double *y = ys ? ys : se->y;
    m = mm_decimate(idx, se->n, m);
    for (size_t k = 0; k < m; k++) {
        px[k] = se->x[idx[k]];
        py[k] = y[idx[k]];
    }
    if (se->kind == MM_SERIES_LINE) mm_svg_path(s, px, py, m, &se->style);
    else mm_svg_markers(s, px, py, m, &se->style);
    free(ys); free(idx); free(px); free(py);
    return MM_OK;
}

mm_status mm_plot_lines(mm_svg *s, mm_box box, const mm_axes_opts *opts, const mm_series *series,
                        int n, mm_err *err)
{
    mm_axes_opts o = *opts;
    fit_ranges(&o, series, n);
    mm_svg_panel(s, box.left, box.top, box.right, box.bottom, o.x, o.y);
    mm_svg_axes(s, o.title, o.xlabel, o.ylabel);
    mm_legend_entry leg[16];
    int nleg = 0;
    for (int i = 0; i < n; i++) {
        mm_status st = draw_series(s, &series[i], err);
        if (st) return st;
        if (series[i].label && nleg < 16)
            leg[nleg++] = (mm_legend_entry){series[i].label, series[i].style, series[i].kind == MM_SERIES_LINE};
    }
    mm_svg_legend(s, leg, nleg, o.legend);
    return MM_OK;
}

void mm_plot_scatter(mm_svg *s, mm_box box, const mm_axes_opts *opts, const double *x,
                     const double *y, const char *const *labels, size_t n, const char *color)
{
    mm_axes_opts o = *opts;
    /* generous padding: the discs are 10 px wide and must stay inside */
    if (o.x.lo == o.x.hi) o.x = mm_range_of(x, n, 0.08);
    if (o.y.lo == o.y.hi) o.y = mm_range_of(y, n, 0.08);
    mm_svg_panel(s, box.left, box.top, box.right, box.bottom, o.x, o.y);
    mm_svg_axes(s, o.title, o.xlabel, o.ylabel);
    mm_style disc = {color, 0, 0.85, MM_MARK_DOT, 10};
    mm_svg_markers(s, x, y, n, &disc);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        mm_svg_text(s, mm_svg_px(s, x[i]), mm_svg_py(s, y[i]) + 4.5, "middle", 13, "white", labels[i]);
    }
}
