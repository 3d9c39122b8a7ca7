/* The kind "mlp": the lecture's MLP (mlp.h). Without direct connections
 * training goes through the threaded passes of mlp_passes.c; with them,
 * through plain kernel calls. */
#include "mlp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dropout.h"
#include "kernels.h"
#include "layers.h"
#include "seqloss.h"

#define MAX_DIM 65536

static mm_status mlp_check(const mm_config *c, mm_err *err)
{
    unsigned long long k = (unsigned long long)c->block_size * c->n_embd;
    if (k > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--block-size x --n-embd = %llu is over %d", k, MAX_DIM);
    if (c->direct != 0 && c->direct != 1) return mm_fail(err, MM_EINVAL, "direct must be 0 or 1");
    return MM_OK;
}

static void mlp_layout(mm_model *m)
{
    const mm_config *c = &m->cfg;
    const int V = c->vocab_size, K = c->block_size * c->n_embd, H = c->n_hidden;
    mm_model_add_tensor(m, "C", 2, (int[]){V, c->n_embd}, 1, 0);
    mm_model_add_tensor(m, "W1", 2, (int[]){K, H}, 1, 0);
    mm_model_add_tensor(m, "b1", 1, (int[]){H}, 0, 0);
    mm_model_add_tensor(m, "W2", 2, (int[]){H, V}, 1, 0);
    mm_model_add_tensor(m, "b2", 1, (int[]){V}, 0, 0);
    if (c->direct) mm_model_add_tensor(m, "Wd", 2, (int[]){K, V}, 1, 0);
    m->embedding = MLP_C;
}

static void scale(float *x, size_t n, float s)
{
    for (size_t i = 0; i < n; i++) x[i] *= s;
}

/* MM_INIT_TORCH: torch.randn for C, W1, b1, W2, b2 in that order, as the
 * lecture. MM_INIT_SCALED draws the same numbers, then scales them so the
 * first loss is near uniform (see README, exercise E02). */
static void mlp_init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    /* Direct connections start at zero and draw nothing: the model starts
     * as the plain MLP, on the same random stream, so a comparison with and
     * without them is paired. */
    const int ndraw = m->cfg.direct ? MLP_WD : m->ntensors;
    if (m->cfg.direct) memset(mm_model_param(m, MLP_WD), 0, m->tensors[MLP_WD].size * sizeof(float));
    for (int i = 0; i < ndraw; i++) mm_rng_randn_torch(rng, mm_model_param(m, i), m->tensors[i].size);
    if (kind == MM_INIT_SCALED) {
        const mm_config *c = &m->cfg;
        int K = c->block_size * c->n_embd;
        /* Hidden pre-activations with unit variance keep tanh in its linear
         * range; tiny output weights make the first softmax almost uniform,
         * so the first loss is -ln(1/V) rather than a confident mistake. */
        scale(mm_model_param(m, MLP_W1), (size_t)K * c->n_hidden, 1.0f / sqrtf((float)K));
        scale(mm_model_param(m, MLP_B1), (size_t)c->n_hidden, 0.01f);
        scale(mm_model_param(m, MLP_W2), (size_t)c->n_hidden * c->vocab_size, 0.01f);
        scale(mm_model_param(m, MLP_B2), (size_t)c->vocab_size, 0.0f);
    }
}

static void logits_pass(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    mm_embed_forward(ma->emb, mm_model_param(m, MLP_C), X, B, T, E);
    mm_linear_tanh_forward(ma->h, ma->emb, mm_model_param(m, MLP_W1), mm_model_param(m, MLP_B1), B, K, H,
                           nthreads);
    mm_linear_forward(a->logits, ma->h, mm_model_param(m, MLP_W2), mm_model_param(m, MLP_B2), B, H, V,
                      nthreads);
    if (c->direct) mm_linear_forward_add(a->logits, ma->emb, mm_model_param(m, MLP_WD), B, K, V, nthreads);
}

static double mlp_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                          int nthreads)
{
    if (!m->cfg.direct) return mm_mlp_forward(m, a, X, Y, B, nthreads);
    logits_pass(m, a, X, B, nthreads);
    return mm_softmax_xent_masked(a->logits, a->logits, Y, B, m->cfg.vocab_size, a->loss_norm);
}

static void mlp_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    if (!m->cfg.direct) {
        mm_mlp_backward(m, a, X, B, nthreads);
        return;
    }
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    mm_linear_backward(ma->dh, mm_model_grad(m, MLP_W2), mm_model_grad(m, MLP_B2), a->logits, ma->h,
                       mm_model_param(m, MLP_W2), B, H, V, nthreads);
    mm_tanh_backward(ma->dh, ma->dh, ma->h, (long)B * H);
    mm_linear_backward(ma->demb, mm_model_grad(m, MLP_W1), mm_model_grad(m, MLP_B1), ma->dh, ma->emb,
                       mm_model_param(m, MLP_W1), B, K, H, nthreads);
    /* the logits' gradient reaches the embeddings a second way */
    mm_linear_backward(NULL, mm_model_grad(m, MLP_WD), NULL, a->logits, ma->emb, mm_model_param(m, MLP_WD),
                       B, K, V, nthreads);
    mm_linear_backward_input_add(ma->demb, a->logits, mm_model_param(m, MLP_WD), B, K, V);
    mm_embed_backward(mm_model_grad(m, MLP_C), ma->demb, X, B, T, E);
}

static void mlp_head_of(const mm_config *c, mm_head_io *io)
{
    io->H = c->n_hidden;
    io->K = c->block_size * c->n_embd;
    io->W = MLP_W2;
    io->b = MLP_B2;
    io->Wd = c->direct ? MLP_WD : -1;
}

/* Without direct connections or dropout a step goes through mlp_passes.c's
 * threaded passes, the lecture's bits; otherwise through the shared output
 * layer, where [h, emb] @ [W2; Wd] is one product and the body below can
 * drop units. */
static int mlp_own_head(const mm_config *c)
{
    return !c->direct && c->dropout <= 0.0f;
}

/* Dropout in a training forward (a key given): masks for every row's
 * embeddings (stream 0) and hidden units (stream 1), both at cfg.dropout,
 * and the embeddings dropped in place, since every reader (W1, Wd and
 * their gradients) wants them dropped. */
static void drop_embeddings(const mm_config *c, mm_acts *a, int B)
{
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    const int K = c->block_size * c->n_embd, H = c->n_hidden;
    ma->dropped = c->dropout > 0.0f && a->drop_key && ma->mx;
    if (!ma->dropped) return;
    for (int b = 0; b < B; b++) {
        const uint64_t row = (uint64_t)(a->drop_row0 + b);
        mm_dropout_row_mask(ma->mx + (size_t)b * K, K, a->drop_key, 0, row, c->dropout);
        mm_dropout_row_mask(ma->mh + (size_t)b * H, H, a->drop_key, 1, row, c->dropout);
    }
    mm_dropout_apply(ma->emb, ma->mx, (long)B * K);
}

/* The hidden units the output layer reads: h, or with dropout h * mh in
 * hd (tanh's gradient needs h whole). */
static const float *drop_hidden(mm_mlp_acts *ma, int B)
{
    if (!ma->dropped) return ma->h;
    for (long i = 0; i < (long)B * ma->H; i++) ma->hd[i] = ma->h[i] * ma->mh[i];
    return ma->hd;
}

/* The shared output layer's side (outpar.h): the plain kernels */
static void mlp_body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                             int nthreads, mm_head_io *io)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    mm_embed_forward(ma->emb, mm_model_param(m, MLP_C), X, B, T, E);
    drop_embeddings(c, a, B);
    mm_linear_tanh_forward(ma->h, ma->emb, mm_model_param(m, MLP_W1), mm_model_param(m, MLP_B1), B, K, H,
                           nthreads);
    mlp_head_of(c, io);
    io->N = B;
    io->y = Y;
    io->h = drop_hidden(ma, B);
    io->x = c->direct ? ma->emb : NULL;
}

static void mlp_body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                              const mm_head_io *io)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    const float *dh = io->dh;
    if (ma->dropped) { /* the gradient reaches only the units that were kept */
        for (long i = 0; i < (long)B * H; i++) ma->dh[i] = io->dh[i] * ma->mh[i];
        dh = ma->dh;
    }
    mm_tanh_backward(ma->dh, dh, ma->h, (long)B * H);
    mm_linear_backward(ma->demb, mm_model_grad(m, MLP_W1), mm_model_grad(m, MLP_B1), ma->dh, ma->emb,
                       mm_model_param(m, MLP_W1), B, K, H, nthreads);
    if (io->dx)
        for (long i = 0; i < (long)B * K; i++) ma->demb[i] += io->dx[i];
    if (ma->dropped) mm_dropout_apply(ma->demb, ma->mx, (long)B * K);
    mm_embed_backward(mm_model_grad(m, MLP_C), ma->demb, X, B, T, E);
}

static const float *mlp_hidden(const mm_acts *a, int *rows_per_example, int *width)
{
    *rows_per_example = 1;
    *width = mm_mlp_acts_of(a)->H;
    return mm_mlp_acts_of(a)->h;
}

const mm_kind mm_kind_mlp = {
    .name = "mlp",
    .summary = "the lecture's MLP (Part 2): embedding, one tanh layer, softmax",
    .layout = MM_LAYOUT_CONTEXT,
    .uses = MM_USES_EMBD | MM_USES_HIDDEN | MM_USES_DIRECT | MM_USES_INIT | MM_USES_DROPOUT,
    .def_block = 3, .def_embd = 10, .def_hidden = 200, .def_layers = 0, .def_heads = 0,
    .check = mlp_check,
    .layout_tensors = mlp_layout,
    .init = mlp_init,
    .acts_build = mm_mlp_acts_build,
    .acts_free = mm_mlp_acts_free,
    .acts_bytes = mm_mlp_acts_bytes,
    .forward = mlp_forward,
    .backward = mlp_backward,
    .logits = logits_pass,
    .gen_build = mm_mlp_gen_build,
    .gen_step = mm_mlp_gen_step,
    .gen_free = mm_mlp_gen_free,
    .hidden = mlp_hidden,
    .head_of = mlp_head_of,
    .own_head = mlp_own_head,
    .body_forward = mlp_body_forward,
    .body_backward = mlp_body_backward,
};
