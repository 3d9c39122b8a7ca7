/* Drawing new items from a trained model, one character at a time, from an
 * all-stop context until the stop token or a length limit. */
#ifndef MM_SAMPLE_H
#define MM_SAMPLE_H

#include "contexts.h"
#include "model.h"

/* The message for a sampler that met NaN or infinite logits. */
#define MM_LOGITS_NOT_FINITE                                                              \
    "the model's logits are NaN or infinite (its weights are finite but too large to " \
    "use)"

typedef struct {
    double temperature; /* > 0; logits are divided by it */
    int top_k;          /* 0: all characters; else only the k most likely */
    int max_len;        /* characters before the item is cut off */
} mm_sample_opts;

typedef struct {
    const mm_model *m;
    mm_sample_opts opts;
    /* The first layer is linear in the one-hot context, so C[v] @ W1 for each
     * position and character can be tabled once: a step then adds T rows
     * instead of multiplying (T*E) x H. */
    float *table;  /* (T, V, H) */
    float *W2;     /* (H, ldw) the model's W2 with rows padded to ldw, a
                      multiple of 8, for mm_gemv_forward */
    int ldw;
    float *h;      /* (H) */
    float *probs;  /* (V) */
    int *order;    /* (V) scratch for top-k */
    int *ctx;      /* (T) */
    /* Other kinds, and the MLP with direct connections, take the model's own
     * evaluation-mode forward pass on one row instead of the table. */
    int generic;
    mm_acts acts;  /* for B = 1 */
    int32_t *x;    /* (T) the context as the model takes it */
    /* Each context's drawing distribution (temperature and top-k applied),
     * kept once computed: names revisit the same few thousand contexts, and
     * the numbers are the same either way. Up to 1M floats. */
    mm_contexts seen;
    float *dist;   /* (cap, V) the distribution of context seen.X[i] */
    size_t cap;
    int fresh;     /* set to 1 after mm_sampler_build to compute every step
                      anew instead (same numbers; for tests and benchmarks) */
} mm_sampler;

mm_status mm_sampler_build(mm_sampler *s, const mm_model *m, const mm_sample_opts *o, mm_err *err);
void mm_sampler_free(mm_sampler *s);
/* Writes up to opts.max_len ids (1..V-1) to out and returns the count; the
 * stop token is not included. Returns -1 when the model's logits are NaN or
 * infinite (finite weights can overflow them): the item cannot be drawn. */
int mm_sample_item(mm_sampler *s, mm_rng *rng, int *out);
/* The next-character distribution after ctx (T ids) into s->probs, without
 * temperature or top-k. Returns 0, or -1 when the logits are not finite. */
int mm_sampler_probs(mm_sampler *s, const int *ctx);

#endif
