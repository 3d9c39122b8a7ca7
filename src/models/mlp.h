/* The lecture's MLP (Bengio et al. 2003, "Building makemore Part 2: MLP"),
 * the kind "mlp" (mlp.c), internal to the files that implement it:
 *   emb = C[X] viewed as (B, T*E);  h = tanh(emb @ W1 + b1);
 *   logits = h @ W2 + b2 [+ emb @ Wd with --direct];  loss = cross_entropy(logits, Y).
 *
 * Its training passes (mlp_passes.c) split each batch between threads
 * inside a single parallel region per pass: at the lecture's shapes a
 * kernel is a few microseconds, and a parallel region per kernel would
 * cost as much as it saves. The forward pass and the input gradients need
 * no synchronisation (the rows of a batch are independent); the weight
 * gradients are split by rows of dW, after one barrier. Every number is
 * computed by the same code in the same order whatever the thread count,
 * so results are bit-identical. Whether to split at all is timed as
 * training goes (mm_thread_tuner): it pays on an idle machine and costs
 * dearly on a busy one. When a batch's ids repeat, the first layer goes
 * through groups.h. Sampling tables the first layer (mlp_gen.c). */
#ifndef MM_MLP_H
#define MM_MLP_H

#include "groups.h"
#include "kind.h"

/* The tensors, in params order (Wd only with --direct). */
enum { MLP_C, MLP_W1, MLP_B1, MLP_W2, MLP_B2, MLP_WD };

/* Whether the passes split each batch between threads is decided by timing
 * both ways now and then: on a busy machine a thread that waits for a core
 * makes every pass wait, and a split that saves microseconds can cost
 * milliseconds. Results are the same either way. */
typedef struct {
    int nt;          /* threads the passes use now */
    int trying;      /* 0, else the threads under trial */
    long step;       /* backward passes so far */
    long next;       /* step at which the next trial starts */
    long interval;   /* steps between trials */
    double t0;       /* when the current forward pass started */
    double spent[2]; /* trial time with 1 thread, with more */
} mm_thread_tuner;

/* The MLP's activations for batches of up to B rows (a->kind_acts), every
 * array in one block laid out by mlp_acts.c's plan. */
typedef struct {
    char *block;     /* the one allocation: the arrays below, a->logits and the group tables */
    int H;
    float *emb;      /* (B, T*E) */
    float *h;        /* (B, H) tanh outputs, kept for backward */
    float *dh;       /* (B, H) */
    float *demb;     /* (B, T*E) */
    double *rowloss; /* (B) each row's loss in the last forward, summed in order */
    /* --dropout (cfg.dropout > 0), else NULL: the masks of a training
     * forward (dropout.h) and the dropped hidden units the output layer reads */
    float *mx;       /* (B, T*E) the embeddings' mask; emb holds the dropped embeddings */
    float *mh;       /* (B, H) the hidden units' mask */
    float *hd;       /* (B, H) h * mh */
    int dropped;     /* the last forward applied the masks */
    mm_thread_tuner tuner;
    mm_groups *groups;         /* &group_tables, or NULL when grouping cannot pay */
    mm_groups group_tables;    /* the rows grouped by id (groups.h) */
} mm_mlp_acts;

static inline mm_mlp_acts *mm_mlp_acts_of(const mm_acts *a) { return (mm_mlp_acts *)a->kind_acts; }

/* The kind's acts_build, acts_free and acts_bytes (mlp_acts.c). */
mm_status mm_mlp_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err);
void mm_mlp_acts_free(mm_acts *a);
uint64_t mm_mlp_acts_bytes(const mm_config *c, int B);

/* The most threads a pass over B rows may use: 4 rows or more each, and
 * enough work that an idle second core can pay for the fork and barrier. */
int mm_mlp_threads(const mm_config *c, int B, int nthreads);

/* The training forward pass without direct connections: rowloss receives
 * each row's loss, a->logits the loss gradient. Returns the mean loss (or
 * the sum over a->loss_norm). */
double mm_mlp_forward(const mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads);
void mm_mlp_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

/* Sampling (mlp_gen.c): the first layer is linear in the one-hot context,
 * so C[v] @ W1 for each position and character is tabled once, and a step
 * adds T rows instead of multiplying (T*E) x H. With direct connections
 * gen_build leaves *state NULL and the sampler takes the model's logits. */
mm_status mm_mlp_gen_build(void **state, const mm_model *m, mm_err *err);
void mm_mlp_gen_step(void *state, const int32_t *seq, int len, float *logits);
void mm_mlp_gen_free(void *state);

#endif
