/* makemore.py's Bigram: a (V, V) table whose row for the current id holds
 * the next id's logits. Every position is predicted from its own input id
 * alone, so the sampler needs no state. */
#include "kind.h"

#include <string.h>

#include "seqkinds.h"

static mm_status check(const mm_config *c, mm_err *err)
{
    return MM_OK;
}

static void layout_tensors(mm_model *m)
{
    mm_seq_add(m, "logits", m->cfg.vocab_size, m->cfg.vocab_size);
    m->embedding = -1; /* rows of V logits, not an embedding of width E */
}

static void init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    memset(mm_model_param(m, 0), 0, m->tensors[0].size * sizeof(float));
}

static mm_status acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    return mm_seq_acts_alloc(a, c, B, 0, err);
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    return mm_seq_logits_bytes(c, B);
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const int V = m->cfg.vocab_size, N = B * m->cfg.block_size;
    const float *L = mm_model_param(m, 0); /* (V, V) */
    for (int i = 0; i < N; i++) memcpy(a->logits + (size_t)i * V, L + (size_t)X[i] * V, V * sizeof(float));
}

static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    logits(m, a, X, B, nthreads);
    return mm_seq_loss(a, Y, B * m->cfg.block_size, m->cfg.vocab_size);
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const int V = m->cfg.vocab_size, N = B * m->cfg.block_size;
    float *dL = mm_model_grad(m, 0); /* (V, V) */
    for (int i = 0; i < N; i++) {
        const float *g = a->logits + (size_t)i * V;
        float *d = dL + (size_t)X[i] * V;
        for (int v = 0; v < V; v++) d[v] += g[v];
    }
}

const mm_kind mm_kind_bigram = {
    .makemore_type = "bigram",
    .name = "bigram",
    .summary = "makemore.py's bigram: a table of next-character logits per character",
    .layout = MM_LAYOUT_SEQUENCE,
    .uses = 0,
    .def_block = 0, .def_embd = 64, .def_hidden = 64,
    .check = check,
    .layout_tensors = layout_tensors,
    .init = init,
    .acts_build = acts_build,
    .acts_free = mm_seq_acts_free,
    .acts_bytes = acts_bytes,
    .forward = forward,
    .backward = backward,
    .logits = logits,
};
