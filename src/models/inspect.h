/* Looking inside a model: how saturated its tanh units are on real data
 * (the lecture's Part 3 diagnosis of a bad initialisation). */
#ifndef MM_INSPECT_H
#define MM_INSPECT_H

#include "model.h"

typedef struct {
    double threshold;    /* |h| above this counts as saturated, e.g. 0.97 */
    double frac;         /* fraction of all (example, unit) pairs saturated */
    double dead_units;   /* fraction of units saturated on over 99% of examples:
                            their gradient is near zero almost always */
    double mean_abs;     /* mean |h| */
    long examples;       /* examples looked at */
} mm_saturation;

/* Runs the first max_examples examples of s (all if 0 or more than s->n)
 * through m and measures the hidden layer. */
mm_status mm_tanh_saturation(mm_model *m, const mm_split *s, long max_examples, double threshold,
                             int nthreads, mm_saturation *out, mm_err *err);

#endif
