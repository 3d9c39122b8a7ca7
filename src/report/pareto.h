/* The Pareto picture of docs/RESULTS.md: dev loss against training time,
 * one line per model kind through its sizes, so a reader sees which kind
 * to pick for a budget. */
#ifndef MM_PARETO_H
#define MM_PARETO_H

#include <stddef.h>

#include "strbuf.h"

typedef struct {
    const char *kind;  /* one line per distinct kind, in order of first appearance */
    const char *label; /* a point's own label (its size), or NULL */
    double seconds;    /* wall time of training */
    double loss;       /* dev loss */
} mm_pareto_point;

/* An SVG document in *out (the caller frees it with mm_sbuf_free): x is
 * log10 of the seconds, y the loss; a kind's points are dots joined in
 * order of time, each with its label. Points without positive seconds or a
 * finite loss are left out; fails (MM_EINVAL) when none is left or when
 * there are more than 16 kinds. */
mm_status mm_fig_pareto(mm_sbuf *out, const mm_pareto_point *p, size_t n, mm_err *err);

#endif
