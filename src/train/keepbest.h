/* keep-best and patience: early stopping on the dev loss of the eval-every
 * evaluations (the paper's, and makemore.py's keeping of the model with
 * the best held-out loss). The command line's train and the library's
 * makemore_train both judge their evaluations through it; the run builder
 * writes its summary fields (mm_run_summary_best). */
#ifndef MM_KEEPBEST_H
#define MM_KEEPBEST_H

#include "checkpoint.h"

typedef struct {
    int keep;            /* keep-best: DIR/best.bin holds the best model so far */
    long patience;       /* stop after this many evaluations without a better dev loss; 0 never */
    char path[MM_MAX_PATH];
    double best_dev;     /* INFINITY until the first evaluation */
    long best_step;      /* -1 until then */
    long since;          /* evaluations since the best */
    int stop;            /* patience ran out */
    int stopped_early;   /* set by the caller: the run ended there, finished */
    mm_status save_status;
    mm_err err;          /* of a best.bin that could not be saved */
} mm_keepbest;

/* 0, or -1 when DIR/best.bin does not fit a path. */
int mm_keepbest_init(mm_keepbest *k, const char *workdir, int keep, long patience);
/* On a resumed run: an existing best.bin loaded into best (*found 1; the
 * caller frees it), refused when it is not a model of r's data; *found 0
 * when there is none. */
mm_status mm_keepbest_open(const mm_keepbest *k, const mm_run *r, mm_run *best, int *found, mm_err *err);
/* The dev loss of that best.bin (evaluated by the caller) becomes the one
 * to beat. */
void mm_keepbest_resume(mm_keepbest *k, double best_dev, long best_step);
/* After an evaluation at r's step with dev loss dev: a better one is saved
 * to best.bin (atomically, by the leader). Returns 1 when training should
 * stop: patience ran out. */
int mm_keepbest_eval(mm_keepbest *k, const mm_run *r, double dev, int leader);

#endif
