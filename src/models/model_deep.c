#include "model_deep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"

#define MAX_DIM 65536
#define MAX_PARAMS (1ull << 31)

/* Tensor names must outlive the model: one static table per role. */
#define NAMES16(p, s) {p "1" s, p "2" s, p "3" s, p "4" s, p "5" s, p "6" s, p "7" s, p "8" s, \
                       p "9" s, p "10" s, p "11" s, p "12" s, p "13" s, p "14" s, p "15" s, p "16" s}
static const char *const W_NAMES[MM_MAX_LAYERS] = NAMES16("W", "");
static const char *const GAIN_NAMES[MM_MAX_LAYERS] = NAMES16("bn", "_gain");
static const char *const BIAS_NAMES[MM_MAX_LAYERS] = NAMES16("bn", "_bias");
static const char *const MEAN_NAMES[MM_MAX_LAYERS] = NAMES16("bn", "_mean");
static const char *const VAR_NAMES[MM_MAX_LAYERS] = NAMES16("bn", "_var");

/* Index in m->tensors of layer l's weight; its gain, bias, mean and
 * variance follow it. */
enum { T_C = 0, PER_LAYER = 5, GAIN = 1, BIAS = 2, MEAN = 3, VAR = 4 };
static int t_layer(int l) { return 1 + PER_LAYER * l; }
static int t_out(int L) { return 1 + PER_LAYER * L; } /* Wo, then bo */

int mm_deep_layers(const mm_config *c)
{
    if (c->kind != MM_MODEL_WAVENET) return c->n_layers;
    int L = 0;
    while ((1 << L) < c->block_size) L++;
    return L;
}

/* Layer l works on B * rows rows of width K. */
static void layer_shape(const mm_config *c, int l, int *rows, int *K)
{
    if (c->kind == MM_MODEL_WAVENET) {
        *rows = c->block_size >> (l + 1);
        *K = 2 * (l == 0 ? c->n_embd : c->n_hidden);
    } else {
        *rows = 1;
        *K = l == 0 ? c->block_size * c->n_embd : c->n_hidden;
    }
}

uint64_t mm_config_nparams(const mm_config *c)
{
    uint64_t V = (uint64_t)c->vocab_size, E = (uint64_t)c->n_embd, H = (uint64_t)c->n_hidden;
    uint64_t K = (uint64_t)c->block_size * E;
    if (c->kind == MM_MODEL_MLP) /* C, W1, b1, W2, b2 [, Wd]: the order of model.c */
        return V * E + K * H + H + H * V + V + (c->direct ? K * V : 0);
    uint64_t n = V * E + H * V + V;
    for (int l = 0; l < mm_deep_layers(c); l++) {
        int rows, Kl;
        layer_shape(c, l, &rows, &Kl);
        n += (uint64_t)Kl * H + 4 * H;
    }
    return n;
}

mm_status mm_deep_config_check(const mm_config *c, mm_err *err)
{
    if (c->kind != MM_MODEL_BNMLP && c->kind != MM_MODEL_WAVENET)
        return mm_fail(err, MM_EINVAL, "unknown model kind %d", c->kind);
    if (c->kind == MM_MODEL_BNMLP && (c->n_layers < 1 || c->n_layers > MM_MAX_LAYERS))
        return mm_fail(err, MM_EINVAL, "--n-layers %d is outside 1..%d", c->n_layers, MM_MAX_LAYERS);
    if (c->kind == MM_MODEL_WAVENET && (c->block_size < 2 || (c->block_size & (c->block_size - 1))))
        return mm_fail(err, MM_EINVAL, "--block-size %d: the wavenet model fuses pairs of positions, so it "
                       "needs a power of two >= 2 (the lecture's is 8)", c->block_size);
    if (c->direct) return mm_fail(err, MM_EINVAL, "--direct is for the mlp model only");
    if (!(c->bn_momentum > 0.0f && c->bn_momentum <= 1.0f))
        return mm_fail(err, MM_EINVAL, "--bn-momentum %g is outside (0, 1]", (double)c->bn_momentum);
    if (2ull * c->n_hidden > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--n-hidden %d is over %d for this model", c->n_hidden, MAX_DIM / 2);
    uint64_t n = mm_config_nparams(c);
    if (n > MAX_PARAMS)
        return mm_fail(err, MM_EINVAL, "model of %llu parameters is over the limit of %llu",
                       (unsigned long long)n, MAX_PARAMS);
    return MM_OK;
}

static void add_tensor(mm_model *m, const char *name, int d0, int d1, int decay, int buffer)
{
    mm_tensor *t = &m->tensors[m->ntensors++];
    t->name = name;
    t->ndim = d1 ? 2 : 1;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->size = (size_t)d0 * (size_t)(d1 ? d1 : 1);
    t->offset = m->nparams;
    t->decay = decay;
    t->buffer = buffer;
    m->nparams += t->size;
    if (!buffer) m->ntrainable += t->size;
}

mm_status mm_deep_build(mm_model *m, const mm_config *c, mm_err *err)
{
    memset(m, 0, sizeof *m);
    mm_status st = mm_config_check(c, err);
    if (st) return st;
    m->cfg = *c;
    const int L = mm_deep_layers(c), H = c->n_hidden, V = c->vocab_size;
    add_tensor(m, "C", V, c->n_embd, 1, 0);
    for (int l = 0; l < L; l++) {
        int rows, K;
        layer_shape(c, l, &rows, &K);
        add_tensor(m, W_NAMES[l], K, H, 1, 0);
        add_tensor(m, GAIN_NAMES[l], H, 0, 0, 0);
        add_tensor(m, BIAS_NAMES[l], H, 0, 0, 0);
        add_tensor(m, MEAN_NAMES[l], H, 0, 0, 1);
        add_tensor(m, VAR_NAMES[l], H, 0, 0, 1);
    }
    add_tensor(m, "Wo", H, V, 1, 0);
    add_tensor(m, "bo", V, 0, 0, 0);
    m->params = calloc(m->nparams, sizeof *m->params);
    m->grads = calloc(m->nparams, sizeof *m->grads);
    if (!m->params || !m->grads) {
        size_t n = m->nparams;
        mm_model_free(m);
        return mm_fail(err, MM_ENOMEM, "out of memory for %zu parameters", n);
    }
    m->C = m->params;
    m->dC = m->grads;
    return MM_OK;
}

static float *P(const mm_model *m, int t) { return m->params + m->tensors[t].offset; }
static float *G(const mm_model *m, int t) { return m->grads + m->tensors[t].offset; }

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) x[i] = v;
}

static void randn_scaled(mm_rng *rng, const mm_tensor *t, float *p, float s)
{
    mm_rng_randn_torch(rng, p, t->size);
    for (size_t i = 0; i < t->size; i++) p[i] *= s;
}

void mm_deep_init(mm_model *m, mm_rng *rng)
{
    const int L = mm_deep_layers(&m->cfg), H = m->cfg.n_hidden;
    mm_rng_randn_torch(rng, P(m, T_C), m->tensors[T_C].size);
    for (int l = 0; l < L; l++) {
        const mm_tensor *w = &m->tensors[t_layer(l)];
        randn_scaled(rng, w, P(m, t_layer(l)), 1.0f / sqrtf((float)w->shape[0]));
        fill(P(m, t_layer(l) + GAIN), (size_t)H, 1.0f);
        fill(P(m, t_layer(l) + BIAS), (size_t)H, 0.0f);
        fill(P(m, t_layer(l) + MEAN), (size_t)H, 0.0f);
        fill(P(m, t_layer(l) + VAR), (size_t)H, 1.0f);
    }
    randn_scaled(rng, &m->tensors[t_out(L)], P(m, t_out(L)), 0.1f / sqrtf((float)H));
    fill(P(m, t_out(L) + 1), (size_t)m->cfg.vocab_size, 0.0f);
}

mm_status mm_deep_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    memset(a, 0, sizeof *a);
    struct mm_deep_acts *d = calloc(1, sizeof *d);
    if (!d) return mm_fail(err, MM_ENOMEM, "out of memory for activations");
    a->deep = d;
    a->B = d->B = B;
    d->L = mm_deep_layers(c);
    const size_t H = (size_t)c->n_hidden, V = (size_t)c->vocab_size;
    size_t total = (size_t)B * c->block_size * c->n_embd + (size_t)B * V + 2 * H, scratch = 0;
    for (int l = 0; l < d->L; l++) {
        int rows, K;
        layer_shape(c, l, &rows, &K);
        size_t R = (size_t)B * rows, wide = R * ((size_t)K > H ? (size_t)K : H);
        scratch = wide > scratch ? wide : scratch;
        total += 2 * R * H + 2 * H;
    }
    d->mem = malloc((total + 2 * scratch) * sizeof *d->mem);
    if (!d->mem) {
        mm_deep_acts_free(a);
        return mm_fail(err, MM_ENOMEM, "out of memory for activations of batch %d", B);
    }
    float *p = d->mem;
    d->emb = p, p += (size_t)B * c->block_size * c->n_embd;
    for (int l = 0; l < d->L; l++) {
        int rows, K;
        layer_shape(c, l, &rows, &K);
        size_t R = (size_t)B * rows;
        d->xhat[l] = p, p += R * H;
        d->h[l] = p, p += R * H;
        d->mean[l] = p, p += H;
        d->invstd[l] = p, p += H;
    }
    d->logits = a->logits = p, p += (size_t)B * V;
    d->work = p, p += 2 * H;
    d->d0 = p, p += scratch;
    d->d1 = p;
    return MM_OK;
}

void mm_deep_acts_free(mm_acts *a)
{
    if (a->deep) free(a->deep->mem);
    free(a->deep);
    memset(a, 0, sizeof *a);
}

/* train: batch statistics, which move the running ones (hence m is written
 * only then); else the running statistics. */
static void forward(mm_model *m, struct mm_deep_acts *d, const int32_t *X, int B, int nthreads,
                    int train)
{
    const mm_config *c = &m->cfg;
    const int H = c->n_hidden;
    mm_embed_forward(d->emb, P(m, T_C), X, B, c->block_size, c->n_embd);
    const float *x = d->emb;
    for (int l = 0; l < d->L; l++) {
        int rows, K, t = t_layer(l);
        layer_shape(c, l, &rows, &K);
        const int R = B * rows;
        mm_linear_forward(d->xhat[l], x, P(m, t), NULL, R, K, H, nthreads);
        if (train)
            mm_batchnorm_forward(d->h[l], d->xhat[l], d->mean[l], d->invstd[l], P(m, t + MEAN),
                                 P(m, t + VAR), d->xhat[l], P(m, t + GAIN), P(m, t + BIAS), R, H,
                                 c->bn_momentum);
        else
            mm_batchnorm_eval(d->h[l], d->xhat[l], P(m, t + GAIN), P(m, t + BIAS), P(m, t + MEAN),
                              P(m, t + VAR), R, H, d->work);
        mm_tanh_forward(d->h[l], (long)R * H);
        x = d->h[l];
    }
    const int to = t_out(d->L);
    mm_linear_forward(d->logits, x, P(m, to), P(m, to + 1), B, H, c->vocab_size, nthreads);
}

double mm_deep_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                       int nthreads)
{
    forward(m, a->deep, X, B, nthreads, 1);
    return mm_softmax_xent(a->deep->logits, a->deep->logits, Y, B, m->cfg.vocab_size);
}

void mm_deep_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    /* evaluation mode reads the model only */
    forward((mm_model *)m, a->deep, X, B, nthreads, 0);
}

void mm_deep_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    struct mm_deep_acts *d = a->deep;
    const int L = d->L, H = c->n_hidden, to = t_out(L);
    float *g = d->d0, *other = d->d1; /* the gradient flowing down, and the next one */
    mm_linear_backward(g, G(m, to), G(m, to + 1), d->logits, d->h[L - 1], P(m, to), B, H,
                       c->vocab_size, nthreads);
    for (int l = L - 1; l >= 0; l--) {
        int rows, K, t = t_layer(l);
        layer_shape(c, l, &rows, &K);
        const int R = B * rows;
        mm_tanh_backward(g, g, d->h[l], (long)R * H);
        mm_batchnorm_backward(g, G(m, t + GAIN), G(m, t + BIAS), g, d->xhat[l], d->invstd[l],
                              P(m, t + GAIN), R, H, d->work);
        mm_linear_backward(other, G(m, t), NULL, g, l ? d->h[l - 1] : d->emb, P(m, t), R, K, H,
                           nthreads);
        float *s = g;
        g = other;
        other = s;
    }
    mm_embed_backward(G(m, T_C), g, X, B, c->block_size, c->n_embd);
}
