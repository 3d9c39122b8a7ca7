/* The lecture series' deeper MLPs share one code path: a stack of
 * [Linear (no bias), BatchNorm1d, tanh] layers over the embedding, then a
 * Linear layer (with bias) to the vocabulary. The kinds that use it differ
 * only in the rows and widths of each layer, which they give in their
 * table's priv (mm_bnstack_geom):
 *
 *   bnmlp (Part 3, bnmlp.c):     emb (B, T*E) -> n_layers x layer -> (B, V)
 *   wavenet (Part 5, wavenet.c): emb (B, T, E) -> log2(T) x [FlattenConsecutive(2),
 *                                layer over dims (0, 1)] -> (B, V)
 *
 * FlattenConsecutive(2) turns (B, T', C) into (B, T'/2, 2C): in row-major
 * memory that is no move at all, so layer l of the WaveNet is a linear layer
 * on B * T / 2^(l+1) rows of width 2C.
 *
 * Tensors, in params order: C (V, E); for each layer l = 1..L: Wl (K_l, H),
 * bnl_gain (H), bnl_bias (H), bnl_mean (H), bnl_var (H) (the last two are
 * buffers: running statistics for evaluation, not trained); Wo (H, V),
 * bo (V). The names are those of the safetensors export. */
#ifndef MM_BNSTACK_H
#define MM_BNSTACK_H

#include "kind.h"

#define MM_MAX_LAYERS 16

typedef struct {
    /* Hidden layers of c (bnmlp: n_layers; wavenet: log2(T)). */
    int (*layers)(const mm_config *c);
    /* Layer l works on B * rows rows of width K. */
    void (*shape)(const mm_config *c, int l, int *rows, int *K);
} mm_bnstack_geom;

/* The checks both kinds share (after the kind's own). */
mm_status mm_bnstack_check(const mm_config *c, mm_err *err);
/* The rest of an mm_kind's functions, for both kinds. */
void mm_bnstack_layout(mm_model *m);
/* C ~ N(0, 1); W ~ N(0, 1) / sqrt(fan_in); Wo additionally x 0.1 so the first
 * softmax is nearly uniform (the lecture, Part 5); gains 1, biases 0,
 * running mean 0 and variance 1. Draws C, W1..WL, Wo in that order. */
void mm_bnstack_init(mm_model *m, mm_init_kind init, mm_rng *rng);
mm_status mm_bnstack_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
void mm_bnstack_acts_free(mm_acts *a);
uint64_t mm_bnstack_acts_bytes(const mm_config *c, int B);
/* Training mode: batch statistics, and the running ones move. */
double mm_bnstack_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                          int nthreads);
void mm_bnstack_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
/* Evaluation mode (running statistics) into a->logits. */
void mm_bnstack_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
/* kind.h's hooks for the shared output layer (outpar.h) */
void mm_bnstack_head_of(const mm_config *c, mm_head_io *io);
void mm_bnstack_body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                             mm_head_io *io);
void mm_bnstack_body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                              const mm_head_io *io);
/* The last layer's tanh outputs. */
const float *mm_bnstack_hidden(const mm_acts *a, int *rows_per_example, int *width);

#endif
