/* makemore.py's MLP (Bengio et al. 2003 over a whole item): position t
 * sees the ids at t, t-1, ..., t-T+1, concatenated in that order, with a
 * blank token (id V, an extra embedding row) before the item's start;
 * then Linear(T*E, H), tanh, Linear(H, V). Every position of every item is
 * one row of the same two GEMMs; a training forward keeps only the rows
 * whose target counts (padding is about half of a names batch). */
#include "kind.h"

#include <string.h>

#include "kernels.h"
#include "seqkinds.h"
#include "seqloss.h"

enum { WTE, W1, B1, W2, B2 }; /* tensor indices, in state_dict order */

/* Rows are the n rows computed: all N, or in training those of counted
 * targets, in order. */
typedef struct {
    int n;
    int32_t *row;  // (N) the row (b*T + t) of each row computed
    int32_t *yc;   // (N) their targets
    int32_t *ctx;  // (N, T) ids seen at each row, nearest first; V is the blank
    float *emb;    // (N, T*E)
    float *h;      // (N, H) tanh
    float *lg;     // (N, V) their logits, then the loss gradient
    float *dh;     // (N, H)
    float *demb;   // (N, T*E)
} mlp_acts;

static void *plan(mm_carver *cv, const mm_config *c, int B)
{
    const size_t N = (size_t)B * c->block_size, K = (size_t)c->block_size * c->n_embd;
    const size_t H = (size_t)c->n_hidden;
    mlp_acts *p = mm_carve(cv, sizeof *p), q;
    q.row = mm_carve(cv, N * sizeof(int32_t));
    q.yc = mm_carve(cv, N * sizeof(int32_t));
    q.lg = mm_carve(cv, N * c->vocab_size * sizeof(float));
    q.ctx = mm_carve(cv, N * c->block_size * sizeof(int32_t));
    q.emb = mm_carve(cv, N * K * sizeof(float));
    q.h = mm_carve(cv, N * H * sizeof(float));
    q.dh = mm_carve(cv, N * H * sizeof(float));
    q.demb = mm_carve(cv, N * K * sizeof(float));
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
    return mm_seq_acts_build(a, c, B, plan, err);
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    return mm_seq_acts_bytes(c, B, plan);
}

/* p->n rows p->row of the items X (B, T) up to the hidden layer p->h */
static void run_body(const mm_model *m, mlp_acts *p, const int32_t *X, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden, V = c->vocab_size;
    for (int i = 0; i < p->n; i++) {
        const int b = p->row[i] / T, t = p->row[i] % T;
        for (int k = 0; k < T; k++) p->ctx[(size_t)i * T + k] = t >= k ? X[b * T + t - k] : V;
    }
    mm_embed_forward(p->emb, mm_model_param(m, WTE), p->ctx, p->n, T, E);
    mm_linear_tanh_forward(p->h, p->emb, mm_model_param(m, W1), mm_model_param(m, B1), p->n, T * E, H,
                           nthreads);
}

/* p->n rows p->row of the items X (B, T) into out (n, V) */
static void run(const mm_model *m, mlp_acts *p, const int32_t *X, float *out, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int H = c->n_hidden, V = c->vocab_size;
    run_body(m, p, X, nthreads);
    mm_linear_forward(out, p->h, mm_model_param(m, W2), mm_model_param(m, B2), p->n, H, V, nthreads);
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    mlp_acts *p = a->kind_acts;
    p->n = B * m->cfg.block_size;
    for (int i = 0; i < p->n; i++) p->row[i] = i;
    run(m, p, X, a->logits, nthreads);
}

/* The rows whose target counts, in order. */
static void counted_rows(mlp_acts *p, const int32_t *Y, int N)
{
    p->n = 0;
    for (int i = 0; i < N; i++)
        if (Y[i] >= 0) {
            p->row[p->n] = i;
            p->yc[p->n++] = Y[i];
        }
}

static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    const int V = m->cfg.vocab_size, N = B * m->cfg.block_size;
    mlp_acts *p = a->kind_acts;
    counted_rows(p, Y, N);
    memset(a->logits, 0, (size_t)N * V * sizeof(float));
    if (!p->n) return 0.0;
    run(m, p, X, p->lg, nthreads);
    /* every row counts, so the divisor is the batch's count as over all N */
    const double loss = mm_softmax_xent_masked(p->lg, p->lg, p->yc, p->n, V, a->loss_norm);
    for (int i = 0; i < p->n; i++)
        memcpy(a->logits + (size_t)p->row[i] * V, p->lg + (size_t)i * V, V * sizeof(float));
    return loss;
}

/* From dL/dh (n, H) of the rows computed: accumulates the gradients
 * before the output layer. */
static void body_back(mm_model *m, mlp_acts *p, const float *dh, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden;
    mm_tanh_backward(p->dh, dh, p->h, (long)p->n * H);
    mm_linear_backward(p->demb, mm_model_grad(m, W1), mm_model_grad(m, B1), p->dh, p->emb,
                       mm_model_param(m, W1), p->n, T * E, H, nthreads);
    mm_embed_backward(mm_model_grad(m, WTE), p->demb, p->ctx, p->n, T, E);
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int H = c->n_hidden, V = c->vocab_size;
    mlp_acts *p = a->kind_acts;
    if (!p->n) return;
    mm_linear_backward(p->dh, mm_model_grad(m, W2), mm_model_grad(m, B2), p->lg, p->h,
                       mm_model_param(m, W2), p->n, H, V, nthreads);
    body_back(m, p, p->dh, nthreads);
}

static void head_of(const mm_config *c, mm_head_io *io)
{
    io->H = c->n_hidden;
    io->K = 0;
    io->W = W2;
    io->b = B2;
    io->Wd = -1;
}

/* Output-parallel training (outpar.h): only the counted rows are computed */
static void body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                         mm_head_io *io)
{
    mlp_acts *p = a->kind_acts;
    counted_rows(p, Y, B * m->cfg.block_size);
    run_body(m, p, X, nthreads);
    head_of(&m->cfg, io);
    io->N = p->n;
    io->y = p->yc;
    io->h = p->h;
    io->x = NULL;
}

static void body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io)
{
    mlp_acts *p = a->kind_acts;
    if (p->n) body_back(m, p, io->dh, nthreads);
}

const mm_kind mm_kind_makemore_mlp = {
    .makemore_type = "mlp",
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
    .head_of = head_of,
    .body_forward = body_forward,
    .body_backward = body_backward,
};
