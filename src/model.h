/* The lecture's MLP language model (Bengio et al. 2003):
 *   emb = C[X] viewed as (B, T*E);  h = tanh(emb @ W1 + b1);
 *   logits = h @ W2 + b2;  loss = cross_entropy(logits, Y).
 * All parameters live in one allocation and all gradients in another, so a
 * checkpoint reads or writes them in one call and the optimizer walks one
 * flat array. */
#ifndef MM_MODEL_H
#define MM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "rng.h"
#include "status.h"

#define MM_MAX_TENSORS 8

typedef struct {
    int vocab_size; /* V */
    int block_size; /* T */
    int n_embd;     /* E */
    int n_hidden;   /* H */
} mm_config;

typedef struct {
    const char *name;
    int ndim;
    int shape[2];
    size_t offset; /* in floats, into params and grads */
    size_t size;   /* in floats */
    int decay;     /* 1 for weights and embeddings, 0 for biases */
} mm_tensor;

typedef struct {
    mm_config cfg;
    size_t nparams;
    int ntensors;
    mm_tensor tensors[MM_MAX_TENSORS];
    float *params;  /* (nparams) */
    float *grads;   /* (nparams) */
    float *C;       /* (V, E)   points into params */
    float *W1;      /* (T*E, H) */
    float *b1;      /* (H) */
    float *W2;      /* (H, V) */
    float *b2;      /* (V) */
    float *dC, *dW1, *db1, *dW2, *db2; /* the same shapes, into grads */
} mm_model;

/* Activations for batches of up to B rows. */
typedef struct {
    int B;
    float *emb;    /* (B, T*E) */
    float *h;      /* (B, H) tanh outputs, kept for backward */
    float *logits; /* (B, V) overwritten by dlogits in backward */
    float *dh;     /* (B, H) */
    float *demb;   /* (B, T*E) */
} mm_acts;

typedef enum { MM_INIT_TORCH, MM_INIT_SCALED } mm_init_kind;

/* Checks the sizes and returns a message naming the bad one. */
mm_status mm_config_check(const mm_config *c, mm_err *err);
mm_status mm_model_build(mm_model *m, const mm_config *c, mm_err *err);
void mm_model_free(mm_model *m);
/* MM_INIT_TORCH: torch.randn for C, W1, b1, W2, b2 in that order, as the
 * lecture. MM_INIT_SCALED draws the same numbers, then scales them so the
 * first loss is near uniform (see README, exercise E02). */
void mm_model_init(mm_model *m, mm_init_kind kind, mm_rng *rng);
const mm_tensor *mm_model_tensor(const mm_model *m, const char *name);

mm_status mm_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
void mm_acts_free(mm_acts *a);

/* Forward pass on B examples; returns the mean loss. The activations, and
 * the loss gradient in place of the logits, stay in a for mm_model_backward. */
double mm_model_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                        int B, int nthreads);
/* Accumulates the gradient of the mean loss of the last forward into grads. */
void mm_model_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
void mm_model_zero_grad(mm_model *m);

/* Mean loss over a whole split. The result does not depend on nthreads. */
mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err);

#endif
