/* The lecture's MLP, one training pass at a time, with the batch split
 * between threads inside a single parallel region per pass (internal to
 * model.c, which keeps the public API).
 *
 * At the lecture's shapes a kernel is a few microseconds: a parallel region
 * per kernel would cost as much as it saves, so each pass forks once. The
 * forward pass and the input gradients need no synchronisation at all (the
 * rows of a batch are independent); the weight gradients are split by rows
 * of dW, after one barrier. Every number is computed by the same code in
 * the same order whatever the thread count, so results are bit-identical. */
#ifndef MM_MLP_H
#define MM_MLP_H

#include "model.h"

/* How many threads a pass over B rows uses: a second thread pays from
 * about 16 rows of the lecture's MLP. */
int mm_mlp_threads(const mm_config *c, int B, int nthreads);

/* mm_model_forward for the plain MLP: a->rowloss receives each row's loss,
 * a->logits the loss gradient. Returns the mean loss. */
double mm_mlp_forward(const mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads);
/* mm_model_backward for the plain MLP. */
void mm_mlp_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

#endif
