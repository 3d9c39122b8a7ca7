/* The training loop: draw a minibatch, forward, backward, update.
 *
 * Minibatch indices come from the same generator that initialised the
 * weights (torch.randint(0, ntrain, (B,), generator=g)), so a run follows the
 * lecture step by step. Everything a resumed run needs is in mm_train_state. */
#ifndef MM_TRAIN_H
#define MM_TRAIN_H

#include <signal.h>

#include "optim.h"
#include "outpar.h"

typedef struct {
    long max_steps;
    int batch_size;
    mm_schedule sched;
    mm_optim optim;
} mm_train_config;

typedef struct {
    long step;              /* steps completed */
    mm_rng rng;             /* the generator after the last draw */
    double train_seconds;   /* summed over all sessions of this run */
    double init_train_loss; /* whole training split, before step 0 */
    double init_dev_loss;
    mm_optim_state opt;     /* built by mm_train_run if empty; the owner frees it */
} mm_train_state;

/* Data-parallel training over N processes (the CLI's MPI build fills this
 * in; the library knows no MPI). Every process draws the same global batch
 * of batch_size indices from the shared generator, so the run samples what
 * one process samples, and computes the rows mm_train_slice gives it; the
 * loss is normalised by the global batch's target count, so summing the
 * processes' losses and gradients gives the global batch's. The processes
 * then apply one identical update. */
typedef struct {
    int rank, nranks;
    mm_reducer reduce; /* sums doubles: the loss, the stop vote, batch-norm statistics */
    /* Sums n floats across the processes in place, giving every process
     * the same bits (the gradients). */
    void (*sum_floats)(void *ctx, float *x, size_t n);
    /* 1: output-parallel instead (outpar.h): every process computes the
     * whole batch, owns a share of the output layer's rows, and the
     * processes combine the softmax's sums and dL/d(hidden) instead of the
     * gradients. */
    int output;
    void (*max_floats)(void *ctx, float *x, int n); /* the largest of each of n floats */
} mm_dist;

/* Rows [*lo, *hi) of a global batch of B that process rank of nranks computes. */
void mm_train_slice(int B, int rank, int nranks, int *lo, int *hi);

/* Collective, output-parallel runs only (else nothing): every process gets
 * every row of the output layer from its owner, in the parameters and the
 * optimizer state, so that all hold the whole model. mm_train_run_dist
 * does it before it returns; call it before a checkpoint or an evaluation
 * in between. */
void mm_train_gather(const mm_dist *dist, mm_model *m, mm_train_state *ts);
/* dist's collectives as outpar.h takes them */
mm_outpar_comm mm_dist_outpar_comm(const mm_dist *d);

/* Called after every step with the step just completed (1-based count) and
 * its minibatch loss. A non-zero return stops training (mm_train_run then
 * returns MM_EINTR). */
typedef int (*mm_step_fn)(void *ctx, long step, double loss, double lr);

mm_status mm_train_config_check(const mm_train_config *tc, size_t ntrain, mm_err *err);

/* Runs steps ts->step .. tc->max_steps-1. On a NaN or infinite loss it stops
 * before the update and returns MM_ENUMERIC; the parameters are those before
 * that step. */
mm_status mm_train_run(mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                       const mm_split *train, int nthreads, mm_step_fn fn, void *ctx,
                       mm_err *err);
/* mm_train_run on one process of a data-parallel run (dist NULL: alone).
 * A non-zero return of fn on any process stops every process before the
 * next update, so all stop at the same step. */
mm_status mm_train_run_dist(mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                            const mm_split *train, int nthreads, const mm_dist *dist,
                            mm_step_fn fn, void *ctx, mm_err *err);

#endif
