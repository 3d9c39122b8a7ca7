#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define FONT "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""
#define AXIS_COLOR "#444"
#define GRID_COLOR "#e6e6e6"

void mm_svg_begin(mm_svg *s, const char *id, int width, int height, const char *title)
{
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    for (char *p = s->id; *p; p++) /* ids land unescaped in attributes and url() */
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-'))
            *p = '_';
    s->width = width;
    s->height = height;
    mm_sbuf_printf(&s->out,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" width=\"%d\" height=\"%d\" "
                   "viewBox=\"0 0 %d %d\" " FONT ">\n",
                   s->id, width, height, width, height);
    if (title) {
        mm_sbuf_puts(&s->out, "<title>");
        mm_sbuf_xml(&s->out, title);
        mm_sbuf_puts(&s->out, "</title>\n");
    }
    mm_sbuf_printf(&s->out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height);
}

void mm_svg_panel(mm_svg *s, double left, double top, double right, double bottom,
                  mm_range x, mm_range y)
{
    s->left = left;
    s->top = top;
    s->right = right;
    s->bottom = bottom;
    s->x = x;
    s->y = y;
    s->npanels++;
    /* A clip path per panel keeps lines that leave the y range inside the box. */
    mm_sbuf_printf(&s->out,
                   "<clipPath id=\"%s-clip%d\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                   "height=\"%.1f\"/></clipPath>\n",
                   s->id, s->npanels, left, top, right - left, bottom - top);
}

double mm_svg_px(const mm_svg *s, double x)
{
    double span = s->x.hi - s->x.lo;
    return s->left + (span != 0 ? (x - s->x.lo) / span : 0.5) * (s->right - s->left);
}

double mm_svg_py(const mm_svg *s, double y)
{
    double span = s->y.hi - s->y.lo;
    return s->bottom - (span != 0 ? (y - s->y.lo) / span : 0.5) * (s->bottom - s->top);
}

static int ticks_at(double lo, double hi, double st, int max, double *ticks)
{
    int n = 0;
    /* the 1e-9 slack keeps ticks that sit on an end despite rounding */
    for (double k = ceil(lo / st - 1e-9); k * st <= hi + 1e-9 * st && n < max; k++)
        ticks[n++] = k * st == 0 ? 0.0 : k * st; /* no "-0" */
    return n;
}

int mm_nice_ticks(double lo, double hi, int max, double *ticks, double *step)
{
    if (max > MM_MAX_TICKS) max = MM_MAX_TICKS;
    *step = 1.0;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi) || max < 2) return 0;
    static const double nice[] = {1.0, 2.0, 5.0};
    double raw = (hi - lo) / (max - 1);
    int e = (int)floor(log10(raw)), i = 0;
    while (i < 3 && nice[i] * pow(10.0, e) < raw * (1 - 1e-12)) i++;
    if (i == 3) { i = 0; e++; }
    /* Rounding the spacing up can leave a single tick in a short range:
     * then step down through 5, 2, 1 until two fit. */
    for (;;) {
        double st = nice[i] * pow(10.0, e);
        int n = ticks_at(lo, hi, st, max, ticks);
        if (n >= 2 || e < -300) {
            *step = st;
            return n;
        }
        if (--i < 0) { i = 2; e--; }
    }
}

void mm_tick_label(char *out, size_t n, double v, double step)
{
    if (fabs(v) >= 1000 && step >= 1000 && fmod(v, 1000) == 0) {
        snprintf(out, n, "%gk", v / 1000);
        return;
    }
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 9) dec = 9;
    snprintf(out, n, "%.*f", dec, v);
}

mm_range mm_range_of(const double *v, size_t n, double pad)
{
    mm_range r = {INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        if (v[i] < r.lo) r.lo = v[i];
        if (v[i] > r.hi) r.hi = v[i];
    }
    if (r.lo > r.hi) return (mm_range){0.0, 1.0};
    if (r.lo == r.hi) return (mm_range){r.lo - 1.0, r.lo + 1.0};
    double d = (r.hi - r.lo) * pad;
    return (mm_range){r.lo - d, r.hi + d};
}

static void text_open(mm_svg *s, double px, double py, const char *anchor, double size,
                      const char *color, const char *extra)
{
    mm_sbuf_printf(&s->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%.1f\" fill=\"%s\"%s>",
                   px, py, anchor, size, color, extra);
}

void mm_svg_text(mm_svg *s, double px, double py, const char *anchor, double size,
                 const char *color, const char *text)
{
    text_open(s, px, py, anchor, size, color, "");
    mm_sbuf_xml(&s->out, text);
    mm_sbuf_puts(&s->out, "</text>\n");
}

static void x_ticks(mm_svg *s)
{
    double t[MM_MAX_TICKS], step;
    int n = mm_nice_ticks(s->x.lo, s->x.hi, 8, t, &step);
    for (int i = 0; i < n; i++) {
        double px = mm_svg_px(s, t[i]);
        char lab[32];
        mm_tick_label(lab, sizeof lab, t[i], step);
        mm_sbuf_printf(&s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID_COLOR "\"/>\n",
                       px, s->top, px, s->bottom);
        mm_sbuf_printf(&s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR "\"/>\n",
                       px, s->bottom, px, s->bottom + 5);
        mm_svg_text(s, px, s->bottom + 18, "middle", 11, AXIS_COLOR, lab);
    }
}

static void y_ticks(mm_svg *s)
{
    double t[MM_MAX_TICKS], step;
    int n = mm_nice_ticks(s->y.lo, s->y.hi, 7, t, &step);
    for (int i = 0; i < n; i++) {
        double py = mm_svg_py(s, t[i]);
        char lab[32];
        mm_tick_label(lab, sizeof lab, t[i], step);
        mm_sbuf_printf(&s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID_COLOR "\"/>\n",
                       s->left, py, s->right, py);
        mm_sbuf_printf(&s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" AXIS_COLOR "\"/>\n",
                       s->left - 5, py, s->left, py);
        mm_svg_text(s, s->left - 8, py + 4, "end", 11, AXIS_COLOR, lab);
    }
}

void mm_svg_axes(mm_svg *s, const char *title, const char *xlabel, const char *ylabel)
{
    mm_sbuf_puts(&s->out, "<g class=\"axes\">\n");
    x_ticks(s);
    y_ticks(s);
    mm_sbuf_printf(&s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"" AXIS_COLOR "\"/>\n",
                   s->left, s->top, s->right - s->left, s->bottom - s->top);
    double cx = (s->left + s->right) / 2, cy = (s->top + s->bottom) / 2;
    if (xlabel) mm_svg_text(s, cx, s->bottom + 38, "middle", 13, "#222", xlabel);
    if (ylabel) {
        char rot[64];
        snprintf(rot, sizeof rot, " transform=\"rotate(-90 %.1f %.1f)\"", s->left - 48, cy);
        text_open(s, s->left - 48, cy, "middle", 13, "#222", rot);
        mm_sbuf_xml(&s->out, ylabel);
        mm_sbuf_puts(&s->out, "</text>\n");
    }
    if (title) {
        text_open(s, cx, s->top - 12, "middle", 15, "#111", " font-weight=\"bold\"");
        mm_sbuf_xml(&s->out, title);
        mm_sbuf_puts(&s->out, "</text>\n");
    }
    mm_sbuf_puts(&s->out, "</g>\n");
}

static double opacity(const mm_style *st)
{
    return st->opacity > 0 ? st->opacity : 1.0;
}

void mm_svg_path(mm_svg *s, const double *x, const double *y, size_t n, const mm_style *st)
{
    mm_sbuf_printf(&s->out, "<path clip-path=\"url(#%s-clip%d)\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\" "
                   "stroke-opacity=\"%.3f\" stroke-linejoin=\"round\" d=\"",
                   s->id, s->npanels, st->color, st->width > 0 ? st->width : 1.0, opacity(st));
    int pen_down = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) { pen_down = 0; continue; }
        mm_sbuf_printf(&s->out, "%c%.1f %.1f ", pen_down ? 'L' : 'M', mm_svg_px(s, x[i]), mm_svg_py(s, y[i]));
        pen_down = 1;
    }
    mm_sbuf_puts(&s->out, "\"/>\n");
}

static void marker_at(mm_sbuf *o, double px, double py, const mm_style *st)
{
    double r = st->size > 0 ? st->size : 3.0;
    switch (st->marker) {
    case MM_MARK_RING:
        mm_sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                       px, py, r, st->color);
        break;
    case MM_MARK_SQUARE:
        mm_sbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
                       px - r, py - r, 2 * r, 2 * r, st->color);
        break;
    default:
        mm_sbuf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>\n", px, py, r);
        break;
    }
}

void mm_svg_markers(mm_svg *s, const double *x, const double *y, size_t n, const mm_style *st)
{
    /* dots share one fill on the group, which keeps thousands of them small */
    mm_sbuf_printf(&s->out, "<g clip-path=\"url(#%s-clip%d)\" fill=\"%s\" fill-opacity=\"%.3f\">\n",
                   s->id, s->npanels, st->color, opacity(st));
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) marker_at(&s->out, mm_svg_px(s, x[i]), mm_svg_py(s, y[i]), st);
    mm_sbuf_puts(&s->out, "</g>\n");
}

void mm_svg_legend(mm_svg *s, const mm_legend_entry *e, int n, mm_corner where)
{
    if (n <= 0) return;
    size_t longest = 0;
    for (int i = 0; i < n; i++) longest = strlen(e[i].label) > longest ? strlen(e[i].label) : longest;
    /* 6.5 px per character approximates 12 px sans-serif text */
    double w = 40 + 6.5 * (double)longest, h = 8 + 18.0 * n;
    int left = where == MM_TOP_LEFT || where == MM_BOTTOM_LEFT;
    int top = where == MM_TOP_LEFT || where == MM_TOP_RIGHT;
    double x0 = left ? s->left + 8 : s->right - w - 8, y0 = top ? s->top + 8 : s->bottom - h - 8;
    mm_sbuf_printf(&s->out, "<g class=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n", x0, y0, w, h);
    for (int i = 0; i < n; i++) {
        double cy = y0 + 13 + 18.0 * i;
        const mm_style *st = &e[i].style;
        if (e[i].is_line) {
            mm_sbuf_printf(&s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                           "stroke-width=\"%.2f\" stroke-opacity=\"%.3f\"/>\n",
                           x0 + 8, cy, x0 + 30, cy, st->color, st->width > 0 ? st->width : 1.0, opacity(st));
        } else {
            mm_style big = *st;
            big.size = st->size > 3 ? st->size : 3;
            mm_sbuf_printf(&s->out, "<g fill=\"%s\">", st->color);
            marker_at(&s->out, x0 + 19, cy, &big);
            mm_sbuf_puts(&s->out, "</g>\n");
        }
        mm_svg_text(s, x0 + 36, cy + 4, "start", 12, "#222", e[i].label);
    }
    mm_sbuf_puts(&s->out, "</g>\n");
}

void mm_svg_end(mm_svg *s)
{
    mm_sbuf_puts(&s->out, "</svg>\n");
}

void mm_svg_free(mm_svg *s)
{
    mm_sbuf_free(&s->out);
    memset(s, 0, sizeof *s);
}
