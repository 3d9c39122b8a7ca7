/* makemore.py's RNN class, which the rnn and gru kinds share: a learned
 * start state (H), token embeddings (V, E), one cell applied position by
 * position, and lm_head Linear(H, V) on every position's state. The cell is
 * makemore.py's RNNCell for MM_MODEL_RNN:
 *     h = tanh([x, hprev] @ W + b)
 * and its GRUCell for MM_MODEL_GRU:
 *     r = sigmoid([x, hprev] @ Wr + br),  z = sigmoid([x, hprev] @ Wz + bz),
 *     hbar = tanh([x, r * hprev] @ Whbar + bhbar),  h = (1 - z) hprev + z hbar.
 * Each gate's weight (E+H, H) splits into an input part (its first E rows),
 * applied to every position in one GEMM, and a recurrent part (the last H
 * rows), the only work that runs position by position. */
#ifndef MM_RECURRENT_H
#define MM_RECURRENT_H

#include "kind.h"

void mm_rec_layout(mm_model *m);
void mm_rec_init(mm_model *m, mm_init_kind kind, mm_rng *rng);
mm_status mm_rec_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
uint64_t mm_rec_acts_bytes(const mm_config *c, int B);
double mm_rec_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads);
void mm_rec_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
void mm_rec_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
/* kind.h's hooks for output-parallel training (outpar.h) */
void mm_rec_head_of(const mm_config *c, mm_head_io *io);
void mm_rec_body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                         mm_head_io *io);
void mm_rec_body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io);
/* The sampler's state: the hidden state after the ids fed so far. */
mm_status mm_rec_gen_build(void **state, const mm_model *m, mm_err *err);
void mm_rec_gen_step(void *state, const int32_t *seq, int len, float *logits);
void mm_rec_gen_free(void *state);

#endif
