/* What makemore.py's sequence kinds (bigram, makemore-mlp, bow, rnn, gru)
 * share: torch's default initialisation of nn.Linear, tensors named as its
 * state_dict() keys, and activations carved from one allocation.
 *
 * Letters: B items, T positions, N = B*T rows, E embedding width,
 * H hidden width (makemore.py's n_embd2), V vocabulary. */
#ifndef MM_SEQKINDS_H
#define MM_SEQKINDS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Declares an nn.Linear(in, out) as NAME.weight, stored (in, out) for the
 * GEMM kernels and flagged transposed (torch holds (out, in)), and
 * NAME.bias (out) unless bias is 0. Both decay, as makemore.py's AdamW
 * decays every parameter. Returns the weight's tensor index. */
int mm_seq_add_linear(mm_model *m, const char *name, int in, int out, int bias);
/* A trainable tensor of 1 or 2 dims (d1 0 for one), decayed. */
int mm_seq_add(mm_model *m, const char *name, int d0, int d1);

/* nn.Linear's default initialisation in torch's order: the weight (out, in)
 * row by row from U(-b, b), b = 1/sqrt(in) as kaiming_uniform_ computes it,
 * written into W (in, out); then the bias (out) from U(-1/sqrt(in), ..). */
void mm_seq_init_linear(mm_rng *r, float *W, float *bias, int in, int out);

/* Slices of one allocation, each 64-byte aligned: walk the slices once
 * with base NULL to size it, then again with base set to place them. */
typedef struct {
    char *base;
    size_t used; /* bytes */
} mm_carver;
void *mm_carve(mm_carver *c, size_t bytes);

/* The logits (B*T, V) of a sequence kind's activations, and the kind's own
 * block of `bytes` (a->kind_acts points at it). */
mm_status mm_seq_acts_alloc(mm_acts *a, const mm_config *c, int B, size_t bytes, mm_err *err);
void mm_seq_acts_free(mm_acts *a);
/* Bytes mm_seq_acts_alloc takes for B items beyond the kind's own. */
uint64_t mm_seq_logits_bytes(const mm_config *c, int B);

/* A kind's layout of its own activations: carves them from cv for B items
 * and returns the kind's struct (the first slice). */
typedef void *(*mm_seq_plan)(mm_carver *cv, const mm_config *c, int B);
/* acts_build and acts_bytes of a kind whose activations plan lays out:
 * sized with one walk, placed with a second. */
mm_status mm_seq_acts_build(mm_acts *a, const mm_config *c, int B, mm_seq_plan plan, mm_err *err);
uint64_t mm_seq_acts_bytes(const mm_config *c, int B, mm_seq_plan plan);

/* The masked mean cross-entropy of a->logits (N, V) against Y (N),
 * honouring a->loss_norm; leaves its gradient in a->logits. */
double mm_seq_loss(mm_acts *a, const int32_t *Y, int N, int V);

#endif
