/* The kind "mlp": the lecture's MLP (mlp.h). Without direct connections
 * training goes through the threaded passes of mlp_passes.c; with them,
 * through plain kernel calls. */
#include "mlp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    if (c->direct) mm_linear_forward_add(a->logits, ma->emb, mm_model_param(m, MLP_WD), B, K, V);
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
    .uses = MM_USES_EMBD | MM_USES_HIDDEN | MM_USES_DIRECT | MM_USES_INIT,
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
};
