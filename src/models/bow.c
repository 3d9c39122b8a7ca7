/* makemore.py's BoW: x = wte[id] + wpe[t]; then its BoWBlock,
 *     x = x + causal mean of x over positions 0..t
 *     x = x + c_proj(tanh(c_fc(x)))
 * and lm_head Linear(E, V). The mean's weights come from the stored causal
 * mask (context_block.cbow.bias, a buffer: 1 where s <= t) as makemore.py's
 * masked softmax of zeros gives them: 1 / (count of ones in row t) where
 * the mask is not 0. */
#include "kind.h"

#include <string.h>

#include "kernels.h"
#include "seqkinds.h"

enum { WTE, WPE, MASK, WFC, BFC, WPROJ, BPROJ, WLM, BLM }; /* state_dict order */

typedef struct {
    int H;
    float *w;   // (T, T) averaging weights from the mask
    float *x0;  // (N, E) wte + wpe
    float *x1;  // (N, E) x0 + its causal mean
    float *u;   // (N, H) tanh(c_fc(x1))
    float *x2;  // (N, E) x1 + c_proj(u)
    float *dx2; // (N, E)
    float *du;  // (N, H)
    float *dx1; // (N, E)
    float *dx0; // (N, E)
} bow_acts;

static void *plan(mm_carver *cv, const mm_config *c, int B)
{
    const size_t T = (size_t)c->block_size, N = (size_t)B * T, E = (size_t)c->n_embd;
    const size_t H = (size_t)c->n_hidden, f = sizeof(float);
    bow_acts *p = mm_carve(cv, sizeof *p), q = {.H = c->n_hidden};
    q.w = mm_carve(cv, T * T * f);
    q.x0 = mm_carve(cv, N * E * f);
    q.x1 = mm_carve(cv, N * E * f);
    q.u = mm_carve(cv, N * H * f);
    q.x2 = mm_carve(cv, N * E * f);
    q.dx2 = mm_carve(cv, N * E * f);
    q.du = mm_carve(cv, N * H * f);
    q.dx1 = mm_carve(cv, N * E * f);
    q.dx0 = mm_carve(cv, N * E * f);
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
    const int T = c->block_size, mask[3] = {1, T, T};
    m->embedding = mm_seq_add(m, "wte.weight", c->vocab_size, c->n_embd);
    mm_seq_add(m, "wpe.weight", T, c->n_embd);
    mm_model_add_tensor(m, "context_block.cbow.bias", 3, mask, 0, 1);
    mm_seq_add_linear(m, "context_block.mlp.c_fc", c->n_embd, c->n_hidden, 1);
    mm_seq_add_linear(m, "context_block.mlp.c_proj", c->n_hidden, c->n_embd, 1);
    mm_seq_add_linear(m, "lm_head", c->n_embd, c->vocab_size, 1);
}

static void init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden;
    mm_rng_randn_torch(rng, mm_model_param(m, WTE), m->tensors[WTE].size);
    mm_rng_randn_torch(rng, mm_model_param(m, WPE), m->tensors[WPE].size);
    float *mask = mm_model_param(m, MASK);
    for (int t = 0; t < T; t++)
        for (int s = 0; s < T; s++) mask[t * T + s] = s <= t;
    mm_seq_init_linear(rng, mm_model_param(m, WFC), mm_model_param(m, BFC), E, H);
    mm_seq_init_linear(rng, mm_model_param(m, WPROJ), mm_model_param(m, BPROJ), H, E);
    mm_seq_init_linear(rng, mm_model_param(m, WLM), mm_model_param(m, BLM), E, c->vocab_size);
}

static mm_status acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    return mm_seq_acts_build(a, c, B, plan, err);
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    return mm_seq_acts_bytes(c, B, plan);
}

/* out (B, T, E) (+)= w (T, T) @ in (B, T, E) per item, or w^T @ in if
 * transpose; s runs in order so every element sums the same way. */
static void average(float *out, const float *w, const float *in, int B, int T, int E, int transpose)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *o = out + ((size_t)b * T + t) * E;
            for (int s = 0; s < T; s++) {
                const float ws = transpose ? w[s * T + t] : w[t * T + s];
                if (ws == 0.0f) continue;
                const float *x = in + ((size_t)b * T + s) * E;
                for (int e = 0; e < E; e++) o[e] += ws * x[e];
            }
        }
}

/* Up to lm_head's input p->x2 (N, E). */
static void run_body(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden, N = B * T;
    bow_acts *p = a->kind_acts;
    const float *mask = mm_model_param(m, MASK), *wpe = mm_model_param(m, WPE);
    for (int t = 0; t < T; t++) {
        int n = 0;
        for (int s = 0; s < T; s++) n += mask[t * T + s] != 0.0f;
        for (int s = 0; s < T; s++) p->w[t * T + s] = mask[t * T + s] != 0.0f ? 1.0f / (float)n : 0.0f;
    }
    mm_embed_forward(p->x0, mm_model_param(m, WTE), X, N, 1, E);
    for (int i = 0; i < N; i++)
        for (int e = 0; e < E; e++) p->x0[(size_t)i * E + e] += wpe[(i % T) * E + e];
    memcpy(p->x1, p->x0, (size_t)N * E * sizeof(float));
    average(p->x1, p->w, p->x0, B, T, E, 0);
    mm_linear_tanh_forward(p->u, p->x1, mm_model_param(m, WFC), mm_model_param(m, BFC), N, E, H,
                           nthreads);
    mm_linear_forward(p->x2, p->u, mm_model_param(m, WPROJ), mm_model_param(m, BPROJ), N, H, E,
                      nthreads);
    for (size_t i = 0; i < (size_t)N * E; i++) p->x2[i] += p->x1[i];
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    bow_acts *p = a->kind_acts;
    run_body(m, a, X, B, nthreads);
    mm_linear_forward(a->logits, p->x2, mm_model_param(m, WLM), mm_model_param(m, BLM), B * c->block_size,
                      c->n_embd, c->vocab_size, nthreads);
}

static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    logits(m, a, X, B, nthreads);
    return mm_seq_loss(a, Y, B * m->cfg.block_size, m->cfg.vocab_size);
}

/* From p->dx2, dL/d(lm_head's input): the gradients before lm_head. */
static void body_back(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden, N = B * T;
    const size_t NE = (size_t)N * E;
    bow_acts *p = a->kind_acts;
    mm_linear_backward(p->du, mm_model_grad(m, WPROJ), mm_model_grad(m, BPROJ), p->dx2, p->u,
                       mm_model_param(m, WPROJ), N, H, E, nthreads);
    mm_tanh_backward(p->du, p->du, p->u, (long)N * H);
    mm_linear_backward(p->dx1, mm_model_grad(m, WFC), mm_model_grad(m, BFC), p->du, p->x1,
                       mm_model_param(m, WFC), N, E, H, nthreads);
    for (size_t i = 0; i < NE; i++) p->dx1[i] += p->dx2[i];
    memcpy(p->dx0, p->dx1, NE * sizeof(float));
    average(p->dx0, p->w, p->dx1, B, T, E, 1);
    mm_embed_backward(mm_model_grad(m, WTE), p->dx0, X, N, 1, E);
    float *dwpe = mm_model_grad(m, WPE);
    for (int i = 0; i < N; i++)
        for (int e = 0; e < E; e++) dwpe[(i % T) * E + e] += p->dx0[(size_t)i * E + e];
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    bow_acts *p = a->kind_acts;
    mm_linear_backward(p->dx2, mm_model_grad(m, WLM), mm_model_grad(m, BLM), a->logits, p->x2,
                       mm_model_param(m, WLM), B * m->cfg.block_size, m->cfg.n_embd, m->cfg.vocab_size, nthreads);
    body_back(m, a, X, B, nthreads);
}

static void head_of(const mm_config *c, mm_head_io *io)
{
    io->H = c->n_embd;
    io->K = 0;
    io->W = WLM;
    io->b = BLM;
    io->Wd = -1;
}

/* The shared output layer's side (outpar.h) */
static void body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                         mm_head_io *io)
{
    run_body(m, a, X, B, nthreads);
    head_of(&m->cfg, io);
    io->N = B * m->cfg.block_size;
    io->y = Y;
    io->h = ((bow_acts *)a->kind_acts)->x2;
    io->x = NULL;
}

static void body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io)
{
    bow_acts *p = a->kind_acts;
    memcpy(p->dx2, io->dh, (size_t)B * m->cfg.block_size * m->cfg.n_embd * sizeof *p->dx2);
    body_back(m, a, X, B, nthreads);
}

static const float *hidden(const mm_acts *a, int *rows_per_example, int *width)
{
    const bow_acts *p = a->kind_acts;
    *rows_per_example = a->rows;
    *width = p->H;
    return p->u;
}

const mm_kind mm_kind_bow = {
    .makemore_type = "bow",
    .name = "bow",
    .summary = "makemore.py's BoW: causal mean of token+position embeddings, a tanh MLP, residuals",
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
    .head_of = head_of,
    .body_forward = body_forward,
    .body_backward = body_backward,
};
