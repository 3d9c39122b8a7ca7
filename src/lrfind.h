/* The lecture's learning-rate finder: from a fresh model, one minibatch SGD
 * step at each of count learning rates 10**linspace(lo_exp, hi_exp, count),
 * the same model updated all along (as the lecture), recording each step's
 * minibatch loss (measured before that step's update).
 *
 * Suggested rate (the rule, stated by mm_lrfind_rule): smooth the losses
 * with a centred moving mean over count/20 steps, find the lr where that
 * curve is lowest, and take a third of it (half a decade lower). At the
 * minimum the steps are already as large as the model tolerates and noise
 * from the sweep itself; backing off by 3x lands on the flat bottom of the
 * valley where a long run is stable. */
#ifndef MM_LRFIND_H
#define MM_LRFIND_H

#include "model.h"
#include "strbuf.h"

typedef struct {
    double lo_exp, hi_exp; /* lr from 10^lo_exp to 10^hi_exp */
    int count;             /* steps, one learning rate each (>= 2) */
    int batch_size;
} mm_lrfind_config;

typedef struct {
    int count;        /* steps planned */
    int n;            /* steps done: count, or fewer if the loss diverged */
    double *lr_exp;   /* (count) log10 of each step's learning rate */
    double *loss;     /* (count) minibatch loss of each step done */
    double *smooth;   /* (count) the moving mean of loss over the steps done */
    int best;         /* step where smooth is lowest */
    double best_lr;   /* 10^lr_exp[best] */
    double suggested_lr;
    int diverged;     /* the loss became NaN or infinite at step n */
} mm_lrfind;

#define MM_LRFIND_BACKOFF 3.0

mm_status mm_lrfind_config_check(const mm_lrfind_config *c, mm_err *err);
/* m must be initialised; rng is the generator its batches are drawn from
 * (advanced as the sweep draws them). m is trained by the sweep. */
mm_status mm_lrfind_run(mm_lrfind *out, mm_model *m, const mm_lrfind_config *c,
                        const mm_split *train, mm_rng *rng, int nthreads, mm_err *err);
/* A sentence saying how the suggestion was made, with the numbers. */
void mm_lrfind_rule(const mm_lrfind *f, char *out, size_t n);
/* CSV: step,lr_exp,lr,loss,smoothed_loss, one row per step done. */
void mm_lrfind_csv(const mm_lrfind *f, mm_sbuf *out);
/* Reads such a CSV back (e.g. to put an earlier sweep in a report) and
 * recomputes smoothing and suggestion. */
mm_status mm_lrfind_parse(mm_lrfind *f, const char *buf, size_t len, const char *name, mm_err *err);
void mm_lrfind_free(mm_lrfind *f);

#endif
