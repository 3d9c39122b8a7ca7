/* --keep-best and --patience: early stopping on the dev loss of the
 * --eval-every evaluations (the paper's, and makemore.py's keeping of the
 * model with the best held-out loss). */
#ifndef MM_KEEPBEST_H
#define MM_KEEPBEST_H

#include "checkpoint.h"

typedef struct {
    int keep;            /* --keep-best: DIR/best.bin holds the best model so far */
    long patience;       /* --patience: stop after this many evaluations without a better dev loss; 0 never */
    char path[MM_MAX_PATH];
    double best_dev;     /* INFINITY until the first evaluation */
    long best_step;      /* -1 until then */
    long since;          /* evaluations since the best */
    int stop;            /* patience ran out */
    mm_status save_status;
    mm_err err;          /* of a best.bin that could not be saved */
} keepbest;

/* 0, or -1 when DIR/best.bin does not fit a path. */
int keepbest_init(keepbest *k, const char *workdir, int keep, long patience);
/* On a resumed run, the dev loss of an existing best.bin (evaluated by the
 * caller) becomes the one to beat. */
void keepbest_resume(keepbest *k, double best_dev, long best_step);
/* After an evaluation at r's step with dev loss dev: a better one is saved
 * to best.bin (atomically, by the leader). Returns 1 when training should
 * stop: patience ran out. */
int keepbest_eval(keepbest *k, const mm_run *r, double dev, int leader);

#endif
