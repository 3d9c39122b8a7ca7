/* Output-parallel training (Bengio et al. 2003, section 3): the output
 * layer of a model is split across P processes by vocabulary rows;
 * everything before it is replicated. Process r owns rows
 * [V r / P, V (r + 1) / P) of every tensor indexed by the output token
 * (the output weights' columns, the biases, the direct connections'
 * columns). Each step, every process
 *   - runs the kind's network up to the output layer on the whole batch
 *     (kind.h's body_forward),
 *   - computes the logits of its own rows (outlayer.h),
 *   - combines the softmax's per-row max and sum of exponentials with the
 *     others (a max and a sum over 2 doubles a row),
 *   - forms its part of the loss gradient, its rows' weight gradients and
 *     its share of dL/dh and dL/dx, which one sum combines,
 *   - and runs the kind's backward from there (body_backward), which then
 *     gives every process the same gradients for the replicated tensors.
 * The optimizer then updates every process's parameters; those of rows a
 * process does not own go stale (their gradient is zero there) until
 * mm_outpar_gather copies every row from its owner, before a checkpoint or
 * an evaluation. The library knows no MPI: the caller supplies the
 * collectives. */
#ifndef MM_OUTPAR_H
#define MM_OUTPAR_H

#include "kind.h"

typedef struct {
    int rank, nranks;
    void *ctx;
    /* Collectives every process calls in the same order; each gives
     * every process the same bits. */
    void (*max_floats)(void *ctx, float *x, int n);
    void (*sum_doubles)(void *ctx, double *x, int n);
    void (*sum_floats)(void *ctx, float *x, size_t n);
} mm_outpar_comm;

/* The vocabulary rows [*r0, *r1) that process rank of n owns. */
void mm_outpar_rows(int V, int rank, int nranks, int *r0, int *r1);

/* The same layer serves one process (nranks 1, no collectives): every
 * kind with kind.h's body hooks trains through it (mm_acts_build attaches
 * one to a->head), computing only the rows whose target counts. Its
 * softmax is then mm_softmax_xent_rows, row by row, as the kinds' own. */

/* Refuses a model whose kind has no output layer to split, or a
 * vocabulary with fewer rows than processes. */
mm_status mm_outpar_check(const mm_model *m, int nranks, mm_err *err);

typedef struct {
    mm_outpar_comm comm;
    int r0, r1;      /* this process's vocabulary rows */
    int Nmax, Kin;   /* rows there is room for; H + K */
    mm_head_io io;   /* the last forward's, then the gradients for body_backward */
    int n;           /* rows of the last forward with a target */
    int32_t *rows;   // (Nmax) their row numbers in io
    int direct;      /* Wd is there */
    float *Wt;       // (R, Kin) W^T for din_packed, else NULL
    int32_t *yc;     // (Nmax) their targets
    float *hx;       // (Nmax, Kin) their [h, x]
    float *Wr, *dWr; // (Kin, R) this process's columns of [W; Wd] and their gradient
    float *lg;       // (Nmax, R) logits, then the loss gradient
    float *dhx;      // (Nmax, Kin) dL/d[h, x] of the counted rows
    float *dh, *dx;  // (Nmax, H), (Nmax, K) the same on every row, for body_backward
    float *mx;       // (Nmax)
    double *sums;    // (2 Nmax) the sums of exponentials, then the target's shifted logits
    void *mem;
} mm_outpar;

/* Buffers for batches of up to B examples of config c, whose kind has the
 * body hooks; comm NULL: one process. lg_room, if not NULL, holds
 * (B * rows, V) floats the logits may use (the kind's a->logits). */
mm_status mm_outpar_build(mm_outpar *o, const mm_config *c, int B, const mm_outpar_comm *comm, float *lg_room,
                          mm_err *err);
void mm_outpar_free(mm_outpar *o);
/* a->head <- a new layer for comm (NULL: one process), replacing any. */
mm_status mm_outpar_attach(mm_acts *a, const mm_config *c, const mm_outpar_comm *comm, mm_err *err);
void mm_outpar_detach(mm_acts *a);

/* Collective. The training forward: returns the mean loss over the
 * batch's counted targets (or their sum over a->loss_norm if > 0), the
 * same on every process. */
double mm_outpar_forward(mm_outpar *o, mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                         int nthreads);
/* Collective. Accumulates (+=) the gradients of the last forward: this
 * process's rows of the output layer, and the whole of every other tensor. */
void mm_outpar_backward(mm_outpar *o, mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

/* Collective: every process gets every row of the output layer's tensors
 * from its owner, in params and in each of the nslots optimizer slots
 * (opt: (nslots, m->nparams), or NULL), so all hold the same bits. */
void mm_outpar_gather(const mm_outpar_comm *comm, mm_model *m, float *opt, int nslots);

/* Collective: the mean loss over a whole split in evaluation mode, each
 * process computing its rows of the output layer for every example (so
 * its other rows may be stale). For the kinds with body hooks, whose
 * training forward without a dropout key is evaluation's. */
mm_status mm_outpar_split_loss(const mm_model *m, const mm_split *s, const mm_outpar_comm *comm, int nthreads,
                               double *loss, mm_err *err);

#endif
