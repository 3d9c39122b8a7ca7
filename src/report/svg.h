/* A small SVG document builder for plots: panels that map data ranges onto
 * pixel boxes, axes with "nice" ticks, paths, markers, text and legends.
 * All text goes through XML escaping, and every document it makes parses
 * as XML (tests/test_svg.c and the shell tests check that).
 *
 * Pixel coordinates have y growing downwards; data coordinates have y
 * growing upwards, as on paper. Non-finite data values break a line and are
 * skipped as markers, so a diverged loss leaves a gap, not a broken file. */
#ifndef MM_SVG_H
#define MM_SVG_H

#include "strbuf.h"

typedef struct {
    double lo, hi;
} mm_range;

typedef enum { MM_MARK_NONE, MM_MARK_DOT, MM_MARK_RING, MM_MARK_SQUARE } mm_marker;

typedef struct {
    const char *color;  /* any SVG colour, e.g. "#1f77b4" */
    double width;       /* line width in pixels (lines) */
    double opacity;     /* 0..1; 0 means 1 */
    mm_marker marker;   /* for mm_svg_markers */
    double size;        /* marker radius in pixels */
} mm_style;

typedef struct {
    const char *label;
    mm_style style;
    int is_line; /* draw a line sample, else a marker */
} mm_legend_entry;

typedef struct {
    mm_sbuf out;
    int width, height;
    char id[32];  /* the svg element's id, and the prefix of its clip ids */
    int npanels;
    /* the current panel: data ranges x, y mapped onto the pixel box */
    double left, top, right, bottom;
    mm_range x, y;
} mm_svg;

#define MM_MAX_TICKS 16

/* id must be unique within any page that inlines the SVG (letters, digits,
 * '-' and '_'): clip paths are named after it. */
void mm_svg_begin(mm_svg *s, const char *id, int width, int height, const char *title);
/* Starts a panel: the pixel box (left, top)-(right, bottom) shows data
 * x in [x.lo, x.hi] and y in [y.lo, y.hi]. Series drawn afterwards are
 * clipped to the box. */
void mm_svg_panel(mm_svg *s, double left, double top, double right, double bottom,
                  mm_range x, mm_range y);
double mm_svg_px(const mm_svg *s, double x);
double mm_svg_py(const mm_svg *s, double y);
/* Frame, light grid, ticks with labels, axis labels and a panel title
 * (each label may be NULL). */
void mm_svg_axes(mm_svg *s, const char *title, const char *xlabel, const char *ylabel);
/* A line through the points in data coordinates. */
void mm_svg_path(mm_svg *s, const double *x, const double *y, size_t n, const mm_style *st);
void mm_svg_markers(mm_svg *s, const double *x, const double *y, size_t n, const mm_style *st);
/* Text at pixel (px, py); anchor is "start", "middle" or "end". */
void mm_svg_text(mm_svg *s, double px, double py, const char *anchor, double size,
                 const char *color, const char *text);
typedef enum { MM_TOP_RIGHT, MM_TOP_LEFT, MM_BOTTOM_LEFT, MM_BOTTOM_RIGHT } mm_corner;
/* A boxed legend in a corner of the current panel. */
void mm_svg_legend(mm_svg *s, const mm_legend_entry *e, int n, mm_corner where);
/* Closes the document; s->out then holds it. */
void mm_svg_end(mm_svg *s);
void mm_svg_free(mm_svg *s);

/* Up to max (<= MM_MAX_TICKS) round tick values (1, 2 or 5 times a power of
 * ten apart) inside [lo, hi]; returns the count and the spacing in *step. */
int mm_nice_ticks(double lo, double hi, int max, double *ticks, double *step);
/* A tick label: as many decimals as the spacing needs; 25000 as "25k". */
void mm_tick_label(char *out, size_t n, double v, double step);
/* The finite min..max of v, widened by pad (a fraction of the span) on each
 * side; a degenerate range becomes lo-1..lo+1, and an empty one 0..1. */
mm_range mm_range_of(const double *v, size_t n, double pad);

#endif
