/* Drawing new items from a trained model of any kind, one character at a
 * time from the start token until the stop token or a length limit.
 *
 * Each step's logits come from the kind's gen_step when it has one (the
 * MLP's table of its first layer, a recurrent kind's carried state), else
 * from the model's evaluation-mode logits on one example: for the context
 * layout the last T ids of the item so far, stop tokens before its start;
 * for the sequence layout the item so far (its last T ids once it is
 * longer, as makemore.py crops), padded with 0 to T, read at its last
 * position. */
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
    int max_len;        /* characters before the item is cut off; 0: the
                           model's own limit (mm_sample_max_len) */
} mm_sample_opts;

/* The length limit of max_len 0: block size - 1 for the sequence layout
 * (the longest item the model was built for: makemore.py draws that many
 * ids at most), MM_MAX_LINE_CHARS for the context layout. */
int mm_sample_max_len(const mm_model *m);
/* *o with max_len 0 replaced by mm_sample_max_len(m). */
mm_sample_opts mm_sample_opts_resolve(const mm_model *m, const mm_sample_opts *o);

typedef struct {
    const mm_model *m;
    mm_sample_opts opts;
    void *gen;     /* the kind's sampling state, or NULL */
    mm_acts acts;  /* for B = 1, without gen */
    float *probs;  /* (V) */
    int *order;    /* (V) scratch for top-k */
    int32_t *seq;  /* (max_len + 1) the start token, then the ids drawn */
    int32_t *x;    /* (T) the example as the model takes it */
    /* Context layout: each context's drawing distribution (temperature and
     * top-k applied), kept once computed: names revisit the same few
     * thousand contexts, and the numbers are the same either way. Up to 1M
     * floats. */
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
/* mm_sample_item continuing the item prefix (np ids, no stop token): out
 * gets the prefix, then the ids drawn, opts.max_len in all at most. */
int mm_sample_complete(mm_sampler *s, mm_rng *rng, const int *prefix, int np, int *out);
/* Context layout only: the next-character distribution after ctx (T ids)
 * into s->probs, without temperature or top-k. Returns 0, or -1 when the
 * logits are not finite. */
int mm_sampler_probs(mm_sampler *s, const int *ctx);
/* Any layout: the same after the item so far (n ids, no start token; at
 * most opts.max_len of them are used). Returns 0, or -1 as above. */
int mm_sampler_probs_after(mm_sampler *s, const int *ids, int n);

#endif
