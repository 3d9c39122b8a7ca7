/* Plots built on mm_svg: line/point series with optional smoothing, and a
 * labelled scatter. A figure is one or more panels in one mm_svg document.
 *
 * Series may be long (a loss per training step): smoothing runs over all
 * points, then at most max_points evenly spaced points are drawn, which
 * keeps a 200,000-step curve a few hundred kilobytes. */
#ifndef MM_PLOT_H
#define MM_PLOT_H

#include <stddef.h>

#include "svg.h"

typedef enum { MM_SERIES_LINE, MM_SERIES_POINTS } mm_series_kind;

typedef struct {
    mm_series_kind kind;
    const double *x, *y;
    size_t n;
    const char *label; /* legend entry; NULL for none */
    mm_style style;
    size_t smooth;     /* > 1: draw the centred moving mean over this many points */
    size_t max_points; /* > 0: draw at most this many points */
} mm_series;

typedef struct {
    const char *title, *xlabel, *ylabel;
    mm_range x, y; /* equal ends (e.g. {0, 0}): fitted to the data */
    mm_corner legend;
} mm_axes_opts;

/* A panel box in pixels. */
typedef struct {
    double left, top, right, bottom;
} mm_box;

/* The usual box for a single-panel figure of width x height. */
mm_box mm_plot_box(int width, int height);

/* Draws axes and series in box, then a legend of the labelled series. */
mm_status mm_plot_lines(mm_svg *s, mm_box box, const mm_axes_opts *o, const mm_series *series,
                        int n, mm_err *err);
/* Each point as a disc with its label on it (as the lecture's embedding
 * plot). */
void mm_plot_scatter(mm_svg *s, mm_box box, const mm_axes_opts *o, const double *x,
                     const double *y, const char *const *labels, size_t n, const char *color);

/* out[i] = mean of the finite in[j] with |i - j| <= window/2 (the window is
 * cut at the ends), NAN where there are none. out may not alias in. */
void mm_smooth_mean(double *out, const double *in, size_t n, size_t window);
/* Indices of at most m points spread evenly over 0..n-1, first and last
 * included; returns their count. */
size_t mm_decimate(size_t *idx, size_t n, size_t m);

#endif
