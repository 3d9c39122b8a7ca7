/* The lecture's MLP, one training pass at a time, with the batch split
 * between threads inside a single parallel region per pass (internal to
 * model.c, which keeps the public API).
 *
 * At the lecture's shapes a kernel is a few microseconds: a parallel region
 * per kernel would cost as much as it saves, so each pass forks once. The
 * forward pass and the input gradients need no synchronisation at all (the
 * rows of a batch are independent); the weight gradients are split by rows
 * of dW, after one barrier. Every number is computed by the same code in
 * the same order whatever the thread count, so results are bit-identical.
 * Whether to split at all is timed as training goes (mm_thread_tuner in
 * model.h): it pays on an idle machine and costs dearly on a busy one.
 * When a batch's ids repeat, the first layer goes through groups.h. */
#ifndef MM_MLP_H
#define MM_MLP_H

#include "model.h"

/* The most threads a pass over B rows may use: 4 rows or more each, and
 * enough work that an idle second core can pay for the fork and barrier. */
int mm_mlp_threads(const mm_config *c, int B, int nthreads);

/* mm_model_forward for the plain MLP: a->rowloss receives each row's loss,
 * a->logits the loss gradient. Returns the mean loss. */
double mm_mlp_forward(const mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads);
/* mm_model_backward for the plain MLP. */
void mm_mlp_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

#endif
