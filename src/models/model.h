/* A model of any kind: the kind (kind.h, one file per kind in this folder)
 * says what it computes; the functions here serve every kind through its
 * table. All parameters live in one allocation and all gradients in
 * another, so a checkpoint reads or writes them in one call and the
 * optimizer walks one flat array; each tensor is a named slice of both. */
#ifndef MM_MODEL_H
#define MM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "rng.h"
#include "status.h"

#define MM_MAX_TENSORS 256
#define MM_MAX_DIMS 4
#define MM_TENSOR_NAME 64
#define MM_MAX_V (1 << 22)   /* vocabulary sizes up to this (word tokens; characters stop at 4096) */
#define MM_MAX_BLOCK 8192    /* block sizes up to this (a sequence kind on long items of words) */

/* Kind ids: places in the registry (kinds.c), stored in model.bin. */
enum {
    MM_MODEL_MLP = 0,         /* the lecture's MLP (Part 2) */
    MM_MODEL_BNMLP = 1,       /* n_layers x (Linear, BatchNorm, tanh), Part 3 */
    MM_MODEL_WAVENET = 2,     /* pairs of positions fused layer by layer, Part 5 */
    MM_MODEL_BIGRAM = 3,      /* makemore.py's types from here on */
    MM_MODEL_MAKEMORE_MLP = 4,
    MM_MODEL_RNN = 5,
    MM_MODEL_GRU = 6,
    MM_MODEL_BOW = 7,
    MM_MODEL_TRANSFORMER = 8,
    MM_MODEL_KN = 9           /* the Kneser-Ney n-gram, counted (Bengio et al. 2003's baseline) */
};

/* Zeros beyond the first four fields give the lecture's MLP. */
typedef struct {
    int vocab_size; /* V */
    int block_size; /* T */
    int n_embd;     /* E */
    int n_hidden;   /* H; makemore.py's n_embd2 */
    int kind;       /* registry id (kind.h) */
    int n_layers;   /* bnmlp: hidden layers; transformer: blocks; wavenet: log2(T), derived */
    int direct;     /* mlp: 1 adds emb @ Wd to the logits (E03) */
    float bn_momentum; /* batch norm: running = (1 - m) running + m batch */
    int n_heads;    /* transformer: attention heads */
    float dropout;  /* kinds with MM_USES_DROPOUT: the probability a unit is zeroed in training */
} mm_config;

typedef struct {
    char name[MM_TENSOR_NAME]; /* the safetensors name: makemore.py's state_dict key for its kinds */
    int ndim;
    int shape[MM_MAX_DIMS]; /* as stored here, row-major */
    int transposed; /* 2-D weights stored (in, out) that torch's nn.Linear holds (out, in) */
    size_t offset;  /* in floats, into params and grads */
    size_t size;    /* in floats */
    int decay;      /* 1: weight decay applies */
    int buffer;     /* 1: not trained (batch-norm running statistics, attention masks):
                       written by init or the forward pass, never by the optimizer */
} mm_tensor;

struct mm_kind;

typedef struct {
    mm_config cfg;
    const struct mm_kind *kind;
    size_t nparams;    /* floats in params, buffers included */
    size_t ntrainable; /* nparams less the buffers: what torch counts as parameters */
    int ntensors;   /* MM_MAX_TENSORS + 1: the layout overflowed (mm_config_check refuses it) */
    mm_tensor tensors[MM_MAX_TENSORS + 1]; /* the last is scratch for a layout that overflows */
    int embedding;  /* index of the character embedding (rows by id, E columns), or -1 */
    float *params;  /* (nparams) */
    float *grads;   /* (nparams) */
} mm_model;

/* Sums n doubles across the processes of a data-parallel run, in place
 * (MPI: an all-reduce); used by kinds whose forward couples the rows of a
 * batch (batch norm). */
typedef struct {
    void (*sum)(void *ctx, double *x, int n);
    void *ctx;
} mm_reducer;

/* Activations for batches of up to B examples. */
typedef struct {
    const struct mm_kind *kind; /* set by mm_acts_build */
    int B;
    int rows;        /* logits rows per example: 1 (context layout) or T (sequence) */
    float *logits;   /* (B * rows, V); after a training forward, the loss gradient: of every
                        row, or with head (below) of the rows whose target counts, in order */
    double loss_norm;/* > 0: the forward divides the loss sum by this instead of
                        the batch's own target count (data-parallel runs) */
    const mm_reducer *reduce; /* NULL in a single process */
    /* Dropout (cfg.dropout > 0) in a training forward: the masks' key, 0
     * for none (a forward outside training, as the diagnosis runs, drops
     * nothing), and the global batch row of this process's first row. */
    uint64_t drop_key;
    long drop_row0;
    void *kind_acts; /* the kind's own */
    void *head;      /* the shared output layer (outpar.h) the training step goes through, or NULL */
} mm_acts;

typedef enum { MM_INIT_TORCH, MM_INIT_SCALED } mm_init_kind;

/* Floats in the params allocation of a model of any kind, buffers
 * included, without allocating; c must pass mm_config_check. */
uint64_t mm_config_nparams(const mm_config *c);
/* Checks the sizes and returns a message naming the bad one. */
mm_status mm_config_check(const mm_config *c, mm_err *err);
mm_status mm_model_build(mm_model *m, const mm_config *c, mm_err *err);
/* For a kind's layout_tensors: appends a tensor of ndim (1..4) dims. */
mm_tensor *mm_model_add_tensor(mm_model *m, const char *name, int ndim, const int *shape,
                               int decay, int buffer);
/* The tensor's floats in params, or in grads. */
float *mm_model_param(const mm_model *m, int tensor);
float *mm_model_grad(const mm_model *m, int tensor);
void mm_model_free(mm_model *m);
/* MM_INIT_TORCH: torch.randn for C, W1, b1, W2, b2 in that order, as the
 * lecture. MM_INIT_SCALED draws the same numbers, then scales them so the
 * first loss is near uniform (see README, exercise E02). */
void mm_model_init(mm_model *m, mm_init_kind kind, mm_rng *rng);
const mm_tensor *mm_model_tensor(const mm_model *m, const char *name);

/* A kind counted from data (kind.h's fit, the kn n-gram): rebuilds m from
 * the training split; other kinds are left as they are. */
mm_status mm_model_fit(mm_model *m, const mm_split *train, mm_err *err);
/* 1 if m's kind is counted, not trained: it takes no training steps. */
int mm_model_counted(const mm_model *m);
int mm_kind_counted(int kind);

mm_status mm_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
void mm_acts_free(mm_acts *a);

/* Forward pass on B examples; returns the mean loss. The activations, and
 * the loss gradient in place of the logits, stay in a for mm_model_backward. */
double mm_model_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                        int B, int nthreads);
/* Accumulates the gradient of the mean loss of the last forward into grads. */
void mm_model_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
void mm_model_zero_grad(mm_model *m);

/* Evaluation mode (batch norm from running statistics): a->logits
 * (B * a->rows, V) for the examples X (B, T); a must have room for B. */
void mm_model_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

/* Mean loss over every non-ignored target of a whole split, in evaluation
 * mode. The result does not depend on nthreads. */
mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err);

#endif
