/* One model kind: a table of functions behind one interface (model.h calls
 * them; nothing outside src/models/<kind>.c knows what a kind computes).
 * The registry (kinds.c) lists every kind, one line each, at its id (the
 * enum in model.h), which model.bin stores: ids are never reused.
 *
 * Two data layouts (dataset.h):
 *   MM_LAYOUT_CONTEXT   an example is a context of T ids and one target
 *                       (the lecture's models): X (B, T), Y (B).
 *   MM_LAYOUT_SEQUENCE  an example is a whole item as makemore.py builds it:
 *                       X (B, T) = start token 0, the item's ids, 0 padding;
 *                       Y (B, T) = the item's ids, the stop token 0, then -1
 *                       (ignored). Logits and targets are (B*T) rows.
 * The loss is the mean over the batch's targets that are not -1
 * (mm_softmax_xent_masked in seqloss.h computes it, a->loss_norm included). */
#ifndef MM_KIND_H
#define MM_KIND_H

#include "model.h"

typedef enum { MM_LAYOUT_CONTEXT = 0, MM_LAYOUT_SEQUENCE = 1 } mm_layout;

/* Which of the optional flags a kind takes; the CLI refuses the others. */
enum {
    MM_USES_LAYERS = 1,  /* --n-layers */
    MM_USES_HEADS = 2,   /* --n-head */
    MM_USES_DIRECT = 4,  /* --direct */
    MM_USES_INIT = 8,    /* --init torch|scaled */
    MM_USES_BN = 16,     /* --bn-momentum; batches of 2 or more rows */
    MM_USES_HIDDEN = 32, /* --n-hidden (makemore.py's n_embd2) */
    MM_USES_EMBD = 64,   /* --n-embd */
    MM_USES_DROPOUT = 128 /* --dropout */
};

/* What a kind's network hands its output layer (outpar.h):
 *   logits (N, V) = h (N, H) @ W (H, V) + b (V)  [+ x (N, K) @ Wd (K, V)]
 * and, back, the gradients of h and x. */
typedef struct {
    int N;            /* rows; those whose target is -1 are ignored */
    const int32_t *y; // (N) targets
    const float *h;   // (N, H) the output layer's input
    const float *x;   // (N, K) the direct connections' input, NULL without them
    int H, K;
    int W, b, Wd;     /* tensor ids of W, b, Wd; -1 for b or Wd when absent */
    int din_packed;   /* 1: dL/dh through mm_linear_backward_input_packed (the kind's own order) */
    const float *dh;  // (N, H) for body_backward: dL/dh (zeros on ignored rows)
    const float *dx;  // (N, K) dL/dx, or NULL
} mm_head_io;

typedef struct mm_kind {
    const char *name;    /* --model NAME */
    const char *summary; /* one line, for --help and report.html */
    mm_layout layout;
    unsigned uses;       /* MM_USES_* */
    /* The sizes when the user gives none; block 0 means "longest item + 1"
     * (the sequence kinds, as makemore.py). */
    int def_block, def_embd, def_hidden, def_layers, def_heads;

    /* Refuses sizes this kind cannot build, naming the flag. The generic
     * checks (vocabulary, block, widths in range) have passed already. */
    mm_status (*check)(const mm_config *c, mm_err *err);
    /* Declares the tensors in params order with mm_model_add_tensor;
     * params are not allocated yet (mm_config_nparams calls it too). Sets
     * m->embedding. */
    void (*layout_tensors)(mm_model *m);
    /* Draws the initial parameters from rng, in a fixed order. */
    void (*init)(mm_model *m, mm_init_kind init, mm_rng *rng);

    /* Activations for batches of up to B examples: a->kind_acts is the
     * kind's own, a->logits must hold (B * rows, V) floats, rows being 1 or
     * T by layout. a arrives zeroed but for kind, B and rows. On failure
     * mm_acts_build calls acts_free, so acts_free must accept a partly
     * built a (NULL pointers); it frees logits too, and need not clear a. */
    mm_status (*acts_build)(mm_acts *a, const mm_config *c, int B, mm_err *err);
    void (*acts_free)(mm_acts *a);
    /* Bytes acts_build allocates for B examples (memory.h's estimate). */
    uint64_t (*acts_bytes)(const mm_config *c, int B);

    /* Training mode: returns the mean loss over the non-ignored targets
     * (or their sum divided by a->loss_norm when that is > 0) and leaves
     * the loss gradient in a->logits for backward. */
    double (*forward)(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads);
    /* Accumulates (+=) the gradient of the last forward's loss into m->grads. */
    void (*backward)(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);
    /* Evaluation mode: logits into a->logits, the model unchanged. */
    void (*logits)(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads);

    /* Optional (NULL: the sampler runs logits on one example): state for
     * drawing items one id at a time. step gets the item so far, seq[0] = 0
     * (the start token) then the ids drawn, and writes the next id's logits
     * (V). It is called with len = 1, 2, 3, ... for each item, so a
     * recurrent kind can carry its state from one call to the next (a
     * context-layout kind's step must depend on the last T ids only: the
     * sampler keeps its distributions by context). gen_build may leave
     * *state NULL to have the sampler run logits after all. */
    mm_status (*gen_build)(void **state, const mm_model *m, mm_err *err);
    void (*gen_step)(void *state, const int32_t *seq, int len, float *logits);
    void (*gen_free)(void *state);

    /* Optional: the tanh activations of the last training forward,
     * (B * rows_per_example, width), for the saturation diagnosis
     * (inspect.h); also called before any forward, for the shape. */
    const float *(*hidden)(const mm_acts *a, int *rows_per_example, int *width);

    /* Optional, for kinds whose last layer maps to the vocabulary (the
     * output-parallel training of outpar.h): body_forward runs the
     * training forward up to that layer and describes it in io (the
     * kind's logits are left alone); body_backward, given io->dh (and
     * io->dx), accumulates the gradients of everything before it, as
     * backward would. head_of fills io's H, K, W, b and Wd (the rest is
     * body_forward's). */
    void (*head_of)(const mm_config *c, mm_head_io *io);
    /* Optional: 1 when a training step with config c goes through the
     * kind's own forward and backward alone (the lecture MLP's threaded
     * passes); otherwise a kind with the hooks above trains through the
     * shared output layer (outpar.h), which computes only the rows whose
     * target counts. */
    int (*own_head)(const mm_config *c);
    void (*body_forward)(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                         int nthreads, mm_head_io *io);
    void (*body_backward)(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io);

    /* Optional: makemore.py's --type name for this kind ("bigram", "mlp",
     * ...): --preset makemore-TYPE then trains it with makemore.py's
     * settings (cli/train_model.c). NULL for the lecture's kinds. */
    const char *makemore_type;

    /* Optional: a model counted from the data instead of trained (kn):
     * rebuilds m, sized for the training split, with its parameters
     * filled. A kind with fit takes no training steps (mm_model_counted). */
    mm_status (*fit)(mm_model *m, const mm_split *train, mm_err *err);

    /* Optional: constant data of the kind's own, for kinds that share code
     * (bnmlp and wavenet share the batch-norm stack of bnstack.h). */
    const void *priv;
} mm_kind;

/* The registry (kinds.c). Ids without a kind in this build are NULL. */
int mm_kind_count(void);                      /* 1 + the largest id */
const mm_kind *mm_kind_at(int id);            /* NULL outside 0..count-1 */
int mm_kind_find(const char *name);           /* id, or -1 */
/* "mlp, bnmlp, wavenet, ...": every kind's name, for messages. */
const char *mm_kind_names(void);

#endif
