/* The lecture's MLP language model (Bengio et al. 2003):
 *   emb = C[X] viewed as (B, T*E);  h = tanh(emb @ W1 + b1);
 *   logits = h @ W2 + b2 [+ emb @ Wd with --direct];  loss = cross_entropy(logits, Y).
 * and its deeper relatives with batch normalisation (model_deep.h): the
 * kind in mm_config picks one; every public function here serves all kinds.
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

#define MM_MAX_TENSORS 96

typedef enum {
    MM_MODEL_MLP = 0,    /* the lecture's MLP (Part 2) */
    MM_MODEL_BNMLP = 1,  /* n_layers x (Linear, BatchNorm, tanh), Part 3 */
    MM_MODEL_WAVENET = 2 /* pairs of positions fused layer by layer, Part 5 */
} mm_model_kind;

/* Zeros beyond the first four fields give the lecture's MLP. */
typedef struct {
    int vocab_size; /* V */
    int block_size; /* T */
    int n_embd;     /* E */
    int n_hidden;   /* H */
    int kind;       /* mm_model_kind */
    int n_layers;   /* MM_MODEL_BNMLP: hidden layers; WaveNet: log2(T), derived */
    int direct;     /* MM_MODEL_MLP: 1 adds emb @ Wd to the logits (E03) */
    float bn_momentum; /* batch norm: running = (1 - m) running + m batch */
} mm_config;

typedef struct {
    const char *name;
    int ndim;
    int shape[2];
    size_t offset; /* in floats, into params and grads */
    size_t size;   /* in floats */
    int decay;     /* 1 for weights and embeddings, 0 for biases */
    int buffer;    /* 1 for batch-norm running statistics: updated by the
                      forward pass, never by the optimizer */
} mm_tensor;

typedef struct {
    mm_config cfg;
    size_t nparams;
    int ntensors;
    mm_tensor tensors[MM_MAX_TENSORS];
    size_t ntrainable; /* nparams less the batch-norm buffers */
    float *params;  /* (nparams) */
    float *grads;   /* (nparams) */
    float *C;       /* (V, E)   points into params */
    float *W1;      /* (T*E, H) */
    float *b1;      /* (H) */
    float *W2;      /* (H, V) */
    float *b2;      /* (V) */
    float *Wd;      /* (T*E, V) direct connections, or NULL */
    float *dC, *dW1, *db1, *dW2, *db2, *dWd; /* the same shapes, into grads */
} mm_model;

/* Whether the MLP's passes split each batch between threads (mlp.c) is
 * decided by timing both ways now and then: on a busy machine a thread
 * that waits for a core makes every pass wait, and a split that saves 10 us
 * can cost milliseconds. Results are the same either way. */
typedef struct {
    int nt;          /* threads the passes use now */
    int trying;      /* 0, else the threads under trial */
    long step;       /* backward passes so far */
    long next;       /* step at which the next trial starts */
    long interval;   /* steps between trials */
    double t0;       /* when the current forward pass started */
    double spent[2]; /* trial time with 1 thread, with more */
} mm_thread_tuner;

/* Activations for batches of up to B rows. */
typedef struct {
    int B;
    float *emb;    /* (B, T*E) */
    float *h;      /* (B, H) tanh outputs, kept for backward */
    float *logits; /* (B, V) overwritten by dlogits in backward */
    float *dh;     /* (B, H) */
    float *demb;   /* (B, T*E) */
    double *rowloss; /* (B) each row's loss in the last forward, summed in order */
    mm_thread_tuner tuner;
    struct mm_groups *groups; /* the MLP's rows grouped by id (groups.h), or NULL */
    struct mm_deep_acts *deep; /* the other kinds' own; logits points into it */
} mm_acts;

typedef enum { MM_INIT_TORCH, MM_INIT_SCALED } mm_init_kind;

/* Floats in the params allocation of a model of any kind, batch-norm
 * buffers included, without allocating (model_deep.c); c must pass
 * mm_config_check. */
uint64_t mm_config_nparams(const mm_config *c);
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

/* Evaluation mode (batch norm from running statistics): a->logits (B, V)
 * for the contexts X (B, T); a must have room for B rows. */
void mm_model_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

/* Mean loss over a whole split, in evaluation mode. The result does not
 * depend on nthreads. */
mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err);

#endif
