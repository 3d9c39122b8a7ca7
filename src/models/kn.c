/* The interpolated modified Kneser-Ney n-gram (ngram.h) as a model kind:
 * counted from the training split (fit), not trained. The n-gram's order is
 * --block-size + 1 (the paper's n: the context and the predicted word).
 *
 * Its parameters are the table that determines the model, the top-order
 * n-grams with their raw counts, so model.bin, export and import carry it
 * like any weights: "table" (rows, n + 2) buffer floats, each row the n-1
 * history ids, the next id, and the count as count % 2^24 and count / 2^24
 * (floats hold integers below 2^24 exactly). cfg.n_hidden holds the row
 * count. The logits are log p, so the softmax of every consumer gives p
 * back; the counts are rebuilt into an mm_ngram once per activations. */
#include "kind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ngram.h"
#include "seqloss.h"

#define COUNT_SPLIT 16777216.0 /* 2^24 */

typedef struct {
    const float *built_from; /* the params the n-gram was rebuilt from */
    size_t built_size;
    mm_ngram g;
    int have;
    double *p0;              /* (V) the distribution of the empty history */
    float *logp0;            /* (V) its log */
    double *acc;             /* (V) zeros between calls (mm_ngram_dist_sparse) */
    int32_t *touched;        /* (V) */
} kn_acts;

static int order_of(const mm_config *c) { return c->block_size + 1; }

static mm_status check(const mm_config *c, mm_err *err)
{
    if (c->block_size > MM_NGRAM_MAX_ORDER - 1)
        return mm_fail(err, MM_EINVAL, "--block-size %d: the kn model's order is block + 1, at most %d",
                       c->block_size, MM_NGRAM_MAX_ORDER);
    if (c->vocab_size > MM_NGRAM_MAX_VOCAB)
        return mm_fail(err, MM_EINVAL, "kn: a vocabulary of %d is over %d", c->vocab_size, MM_NGRAM_MAX_VOCAB);
    if (c->n_hidden < 0) return mm_fail(err, MM_EINVAL, "kn: a table of %d rows", c->n_hidden);
    return MM_OK;
}

static void layout_tensors(mm_model *m)
{
    /* one empty row before the model is counted: it adds nothing */
    int shape[2] = {m->cfg.n_hidden > 0 ? m->cfg.n_hidden : 1, order_of(&m->cfg) + 2};
    mm_model_add_tensor(m, "table", 2, shape, 0, 1);
    m->embedding = -1;
}

static void init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    memset(m->params, 0, m->nparams * sizeof *m->params);
}

/* The n-gram the table describes. */
static mm_status rebuild(mm_ngram *g, const mm_model *m, mm_err *err)
{
    const int n = order_of(&m->cfg), rows = m->tensors[0].shape[0];
    const float *t = mm_model_param(m, 0);
    mm_status st = mm_ngram_init(g, n, m->cfg.vocab_size, MM_NGRAM_KN, err);
    for (int r = 0; r < rows && !st; r++, t += n + 2) {
        int ids[MM_NGRAM_MAX_ORDER + 1];
        for (int k = 0; k < n; k++) ids[k] = (int)t[k];
        uint64_t count = (uint64_t)t[n] + (uint64_t)t[n + 1] * (uint64_t)COUNT_SPLIT;
        st = mm_ngram_add(g, ids, ids[n - 1], count, err);
    }
    if (!st) st = mm_ngram_finish(g, err);
    if (st) mm_ngram_free(g);
    return st;
}

static mm_status fit(mm_model *m, const mm_split *train, mm_err *err)
{
    mm_ngram g;
    mm_config c = m->cfg;
    mm_status st = mm_ngram_build(&g, order_of(&c), MM_NGRAM_KN, c.vocab_size, train, err);
    if (st) return st;
    size_t rows = mm_ngram_ntypes(&g);
    if (rows > INT32_MAX / 8) {
        mm_ngram_free(&g);
        return mm_fail(err, MM_EINVAL, "kn: %zu distinct n-grams are over the limit", rows);
    }
    c.n_hidden = (int)rows;
    int32_t *ids = malloc((rows ? rows : 1) * (size_t)order_of(&c) * sizeof *ids);
    uint64_t *counts = malloc((rows ? rows : 1) * sizeof *counts);
    mm_model fresh;
    st = !ids || !counts ? mm_fail(err, MM_ENOMEM, "out of memory for %zu n-grams", rows)
                         : mm_model_build(&fresh, &c, err);
    if (!st) {
        const int n = order_of(&c);
        mm_ngram_types(&g, ids, counts);
        float *t = mm_model_param(&fresh, 0);
        for (size_t r = 0; r < rows; r++, t += n + 2) {
            for (int k = 0; k < n; k++) t[k] = (float)ids[r * n + k];
            t[n] = (float)(counts[r] % (uint64_t)COUNT_SPLIT);
            t[n + 1] = (float)(counts[r] / (uint64_t)COUNT_SPLIT);
        }
        mm_model_free(m);
        *m = fresh;
    }
    free(ids);
    free(counts);
    mm_ngram_free(&g);
    return st;
}

static void acts_free(mm_acts *a)
{
    kn_acts *k = a->kind_acts;
    if (k) {
        if (k->have) mm_ngram_free(&k->g);
        free(k->acc);
        free(k->touched);
        free(k->p0);
        free(k->logp0);
        free(k);
    }
    free(a->logits);
}

static mm_status acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    kn_acts *k = calloc(1, sizeof *k);
    a->kind_acts = k;
    a->logits = malloc((size_t)B * c->vocab_size * sizeof *a->logits);
    if (k) {
        k->acc = calloc((size_t)c->vocab_size, sizeof *k->acc);
        k->touched = malloc((size_t)c->vocab_size * sizeof *k->touched);
        k->p0 = malloc((size_t)c->vocab_size * sizeof *k->p0);
        k->logp0 = malloc((size_t)c->vocab_size * sizeof *k->logp0);
    }
    if (!k || !k->acc || !k->touched || !k->p0 || !k->logp0 || !a->logits) return mm_fail(err, MM_ENOMEM, "out of memory for a batch of %d", B);
    return MM_OK;
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    /* the rebuilt n-gram: about 100 bytes per row and order */
    return (uint64_t)B * c->vocab_size * 4 + (uint64_t)c->vocab_size * 24 +
           (uint64_t)(c->n_hidden + 1) * (c->block_size + 1) * 100;
}

/* The n-gram of m, rebuilt when m's parameters are new to a. */
static const mm_ngram *ngram_of(const mm_model *m, mm_acts *a)
{
    kn_acts *k = a->kind_acts;
    if (k->have && k->built_from == m->params && k->built_size == m->nparams) return &k->g;
    if (k->have) mm_ngram_free(&k->g);
    mm_err err;
    k->have = rebuild(&k->g, m, &err) == MM_OK;
    k->built_from = m->params;
    k->built_size = m->nparams;
    if (k->have) {
        mm_ngram_root_dist(&k->g, k->p0);
        for (int v = 0; v < m->cfg.vocab_size; v++) k->logp0[v] = (float)log(k->p0[v]);
    }
    return k->have ? &k->g : NULL;
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const int T = m->cfg.block_size, V = m->cfg.vocab_size;
    const mm_ngram *g = ngram_of(m, a);
    kn_acts *k = a->kind_acts;
    for (int b = 0; b < B; b++) {
        float *out = a->logits + (size_t)b * V;
        if (!g) { /* out of memory: NaN logits, which every caller reports */
            for (int v = 0; v < V; v++) out[v] = NAN;
            continue;
        }
        int hist[MM_NGRAM_MAX_ORDER];
        for (int t = 0; t < T; t++) hist[t] = X[(size_t)b * T + t];
        /* the ids never seen after the last id have p = scale p_0: their
         * logs are log p_0 shifted, and only the others need a log each */
        double scale;
        size_t n = mm_ngram_dist_sparse(g, hist, &scale, k->acc, k->touched);
        const float ls = (float)log(scale);
        for (int v = 0; v < V; v++) out[v] = k->logp0[v] + ls;
        for (size_t i = 0; i < n; i++) {
            int y = k->touched[i];
            out[y] = (float)log(scale * k->p0[y] + k->acc[y]);
            k->acc[y] = 0.0;
        }
    }
}

/* Counted, not trained: the loss of the batch, and no gradient. */
static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads)
{
    logits(m, a, X, B, nthreads);
    return mm_softmax_xent_masked(a->logits, a->logits, Y, B, m->cfg.vocab_size, a->loss_norm);
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads) {}

const mm_kind mm_kind_kn = {
    .name = "kn",
    .summary = "interpolated modified Kneser-Ney n-gram of order block + 1, counted from the training split (not trained)",
    .layout = MM_LAYOUT_CONTEXT,
    .uses = 0,
    .def_block = 4, .def_embd = 1, .def_hidden = 0,
    .check = check,
    .layout_tensors = layout_tensors,
    .init = init,
    .acts_build = acts_build,
    .acts_free = acts_free,
    .acts_bytes = acts_bytes,
    .forward = forward,
    .backward = backward,
    .logits = logits,
    .fit = fit,
};
