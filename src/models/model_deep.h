/* The lecture series' deeper MLPs, with batch normalisation. model.c's
 * public functions dispatch here for every kind but the plain MLP.
 *
 *   bnmlp (Part 3):   emb (B, T*E) -> n_layers x [Linear (no bias), BatchNorm1d, tanh]
 *                     -> Linear (H, V) with bias
 *   wavenet (Part 5): emb (B, T, E) -> log2(T) x [FlattenConsecutive(2), Linear (no
 *                     bias), BatchNorm1d over dims (0, 1), tanh] -> Linear (H, V)
 *
 * FlattenConsecutive(2) turns (B, T', C) into (B, T'/2, 2C): in row-major
 * memory that is no move at all, so layer l of the WaveNet is a linear layer
 * on B * T / 2^(l+1) rows of width 2C, and both kinds share one code path
 * that differs only in the rows and widths of each layer.
 *
 * Tensors, in params order: C (V, E); for each layer l = 1..L: Wl (K_l, H),
 * bnl_gain (H), bnl_bias (H), bnl_mean (H), bnl_var (H) (the last two are
 * buffers: running statistics for evaluation, not trained); Wo (H, V),
 * bo (V). The names are those of the safetensors export. */
#ifndef MM_MODEL_DEEP_H
#define MM_MODEL_DEEP_H

#include "model.h"

#define MM_MAX_LAYERS 16

struct mm_deep_acts {
    int B, L;
    float *emb;                  /* (B, T*E) */
    float *xhat[MM_MAX_LAYERS];  /* (R_l, H) pre-activations, normalised in place */
    float *h[MM_MAX_LAYERS];     /* (R_l, H) tanh outputs; R_l = B * rows of layer l */
    float *mean[MM_MAX_LAYERS];  /* (H) batch statistics of the last training forward */
    float *invstd[MM_MAX_LAYERS];/* (H) */
    float *logits;               /* (B, V) overwritten by dlogits in training */
    float *d0, *d1;              /* backward scratch, the widest layer's input or output */
    float *work;                 /* (2H) */
    float *mem;                  /* the one allocation the pointers above share */
};

/* Hidden layers of c (bnmlp: n_layers; wavenet: log2(T)). */
int mm_deep_layers(const mm_config *c);

mm_status mm_deep_config_check(const mm_config *c, mm_err *err);
mm_status mm_deep_build(mm_model *m, const mm_config *c, mm_err *err);
/* C ~ N(0, 1); W ~ N(0, 1) / sqrt(fan_in); Wo additionally x 0.1 so the first
 * softmax is nearly uniform (the lecture, Part 5); gains 1, biases 0,
 * running mean 0 and variance 1. Draws C, W1..WL, Wo in that order. */
void mm_deep_init(mm_model *m, mm_rng *rng);

mm_status mm_deep_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
void mm_deep_acts_free(mm_acts *a);
/* Training mode: batch statistics, and the running ones move. */
double mm_deep_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                       int nthreads);
void mm_deep_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
/* Evaluation mode into a->logits. */
void mm_deep_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

#endif
