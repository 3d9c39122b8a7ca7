/* The lecture's learning-rate finder: from a fresh model, one minibatch SGD
 * step at each of count learning rates 10**linspace(lo_exp, hi_exp, count),
 * the same model updated all along (as the lecture), recording each step's
 * minibatch loss (measured before that step's update).
 *
 * Suggested rate (the rule, stated by mm_lrfind_rule): smooth the losses
 * with a centred moving mean over count/20 steps and take the lr where that
 * curve is lowest. Because the sweep keeps training one model, its curve
 * mixes "how fast does this rate learn" with "how far has training got";
 * its lowest point is where larger steps stop paying off. On names.txt it
 * lands at 0.16 (the lecture read 0.1 off the same picture); 200,000-step
 * runs at 0.054, 0.1, 0.16 and 0.24 reached dev 2.195, 2.164, 2.160 and
 * 2.169, so the lowest point itself is the best of these and backing off
 * by a factor (as finders that sweep until divergence do) only hurt. */
#ifndef MM_LRFIND_H
#define MM_LRFIND_H

#include "optim.h"
#include "strbuf.h"

typedef struct {
    double lo_exp, hi_exp; /* lr from 10^lo_exp to 10^hi_exp */
    int count;             /* steps, one learning rate each (>= 2) */
    int batch_size;
    mm_optim optim;        /* zeroed: plain SGD, as the lecture */
} mm_lrfind_config;

typedef struct {
    int count;        /* steps planned */
    int n;            /* steps done: count, or fewer if the loss diverged */
    double *lr_exp;   /* (count) log10 of each step's learning rate */
    double *loss;     /* (count) minibatch loss of each step done */
    double *smooth;   /* (count) the moving mean of loss over the steps done */
    int best;         /* step where smooth is lowest */
    double suggested_lr; /* 10^lr_exp[best] */
    int diverged;     /* the loss became NaN or infinite at step n */
} mm_lrfind;

mm_status mm_lrfind_config_check(const mm_lrfind_config *c, mm_err *err);
/* m must be initialised; rng is the generator its batches are drawn from
 * (advanced as the sweep draws them). m is trained by the sweep. */
mm_status mm_lrfind_run(mm_lrfind *out, mm_model *m, const mm_lrfind_config *c,
                        const mm_split *train, mm_rng *rng, int nthreads, mm_err *err);
/* A sentence saying how the suggestion was made, with the numbers. */
void mm_lrfind_rule(const mm_lrfind *f, char *out, size_t n);
/* When the sweep diverged: a sentence naming the step where the loss became
 * NaN or infinite and its learning rate; else "". */
void mm_lrfind_stop(const mm_lrfind *f, char *out, size_t n);
/* CSV: step,lr_exp,lr,loss,smoothed_loss, one row per step done. */
void mm_lrfind_csv(const mm_lrfind *f, mm_sbuf *out);
/* Reads such a CSV back (e.g. to put an earlier sweep in a report) and
 * recomputes smoothing and suggestion. */
mm_status mm_lrfind_parse(mm_lrfind *f, const char *buf, size_t len, const char *name, mm_err *err);
void mm_lrfind_free(mm_lrfind *f);

#endif
