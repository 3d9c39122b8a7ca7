/* makemore.py's MLP (Bengio et al. 2003 over a whole item): position t
 * sees the ids at t, t-1, ..., t-T+1, concatenated in that order, with a
 * blank token (id V, an extra embedding row) before the item's start;
 * then Linear(T*E, H), tanh, Linear(H, V). Every position of every item is
 * one row of the same two GEMMs. */
#include "kind.h"

#include "kernels.h"
#include "seqkinds.h"

enum { WTE, W1, B1, W2, B2 }; /* tensor indices, in state_dict order */

typedef struct {
    int32_t *ctx; // (N, T) ids seen at each row, nearest first; V is the blank
    float *emb;   // (N, T*E)
    float *h;     // (N, H) tanh
    float *dh;    // (N, H)
    float *demb;  // (N, T*E)
    int H;
} mlp_acts;

static mlp_acts *plan(mm_carver *cv, const mm_config *c, int B)
{
    const size_t N = (size_t)B * c->block_size, K = (size_t)c->block_size * c->n_embd;
    const size_t H = (size_t)c->n_hidden;
    mlp_acts *p = mm_carve(cv, sizeof *p), q;
    q.ctx = mm_carve(cv, N * c->block_size * sizeof(int32_t));
    q.emb = mm_carve(cv, N * K * sizeof(float));
    q.h = mm_carve(cv, N * H * sizeof(float));
    q.dh = mm_carve(cv, N * H * sizeof(float));
    q.demb = mm_carve(cv, N * K * sizeof(float));
    q.H = c->n_hidden;
    if (p) *p = q;
    return p;
}

static mm_status check(const mm_config *c, mm_err *err)
{
    return MM_OK;
}

static void layout_tensors(mm_model *m)
{
    const mm_config *c = &m->cfg;
    m->embedding = mm_seq_add(m, "wte.weight", c->vocab_size + 1, c->n_embd);
    mm_seq_add_linear(m, "mlp.0", c->block_size * c->n_embd, c->n_hidden, 1);
    mm_seq_add_linear(m, "mlp.2", c->n_hidden, c->vocab_size, 1);
}

static void init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    const mm_config *c = &m->cfg;
    mm_rng_randn_torch(rng, mm_model_param(m, WTE), m->tensors[WTE].size);
    mm_seq_init_linear(rng, mm_model_param(m, W1), mm_model_param(m, B1),
                       c->block_size * c->n_embd, c->n_hidden);
    mm_seq_init_linear(rng, mm_model_param(m, W2), mm_model_param(m, B2), c->n_hidden, c->vocab_size);
}

static mm_status acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    mm_carver cv = {0};
    plan(&cv, c, B);
    mm_status st = mm_seq_acts_alloc(a, c, B, cv.used, err);
    if (st) return st;
    cv = (mm_carver){.base = a->kind_acts};
    plan(&cv, c, B);
    return MM_OK;
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    mm_carver cv = {0};
    plan(&cv, c, B);
    return mm_seq_logits_bytes(c, B) + cv.used;
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden, V = c->vocab_size, N = B * T;
    mlp_acts *p = a->kind_acts;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int k = 0; k < T; k++)
                p->ctx[((size_t)b * T + t) * T + k] = t >= k ? X[b * T + t - k] : V;
    mm_embed_forward(p->emb, mm_model_param(m, WTE), p->ctx, N, T, E);
    mm_linear_tanh_forward(p->h, p->emb, mm_model_param(m, W1), mm_model_param(m, B1), N, T * E, H,
                           nthreads);
    mm_linear_forward(a->logits, p->h, mm_model_param(m, W2), mm_model_param(m, B2), N, H, V,
                      nthreads);
}

static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    logits(m, a, X, B, nthreads);
    return mm_seq_loss(a, Y, B * m->cfg.block_size, m->cfg.vocab_size);
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden, V = c->vocab_size, N = B * T;
    mlp_acts *p = a->kind_acts;
    mm_linear_backward(p->dh, mm_model_grad(m, W2), mm_model_grad(m, B2), a->logits, p->h,
                       mm_model_param(m, W2), N, H, V, nthreads);
    mm_tanh_backward(p->dh, p->dh, p->h, (long)N * H);
    mm_linear_backward(p->demb, mm_model_grad(m, W1), mm_model_grad(m, B1), p->dh, p->emb,
                       mm_model_param(m, W1), N, T * E, H, nthreads);
    mm_embed_backward(mm_model_grad(m, WTE), p->demb, p->ctx, N, T, E);
}

static const float *hidden(const mm_acts *a, int *rows_per_example, int *width)
{
    const mlp_acts *p = a->kind_acts;
    *rows_per_example = a->rows;
    *width = p->H;
    return p->h;
}

const mm_kind mm_kind_makemore_mlp = {
    .name = "makemore-mlp",
    .summary = "makemore.py's MLP: the whole block's embeddings (blank before the start), tanh layer",
    .layout = MM_LAYOUT_SEQUENCE,
    .uses = MM_USES_EMBD | MM_USES_HIDDEN,
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
    .hidden = hidden,
};
