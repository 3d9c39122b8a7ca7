#include "bnstack.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"
#include "seqloss.h"

#define MAX_DIM 65536

/* Index in m->tensors of layer l's weight; its gain, bias, mean and
 * variance follow it. */
enum { T_C = 0, PER_LAYER = 5, GAIN = 1, BIAS = 2, MEAN = 3, VAR = 4 };
static int t_layer(int l) { return 1 + PER_LAYER * l; }
static int t_out(int L) { return 1 + PER_LAYER * L; } /* Wo, then bo */

static const mm_bnstack_geom *geom(const mm_config *c)
{
    return (const mm_bnstack_geom *)mm_kind_at(c->kind)->priv;
}

typedef struct {
    int B, L, H;
    float *emb;                  /* (B, T*E) */
    float *xhat[MM_MAX_LAYERS];  /* (R_l, H) pre-activations, normalised in place */
    float *h[MM_MAX_LAYERS];     /* (R_l, H) tanh outputs; R_l = B * rows of layer l */
    float *mean[MM_MAX_LAYERS];  /* (H) batch statistics of the last training forward */
    float *invstd[MM_MAX_LAYERS];/* (H) */
    int rows_last;               /* rows per example of the last layer */
    float *d0, *d1;              /* backward scratch, the widest layer's input or output */
    float *work;                 /* (2H) */
    float *mem;                  /* the one allocation the pointers above and a->logits share */
} bn_acts;

mm_status mm_bnstack_check(const mm_config *c, mm_err *err)
{
    unsigned long long k = (unsigned long long)c->block_size * c->n_embd;
    if (k > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--block-size x --n-embd = %llu is over %d", k, MAX_DIM);
    if (c->direct) return mm_fail(err, MM_EINVAL, "--direct is for the mlp model only");
    if (!(c->bn_momentum > 0.0f && c->bn_momentum <= 1.0f))
        return mm_fail(err, MM_EINVAL, "--bn-momentum %g is outside (0, 1]", (double)c->bn_momentum);
    if (2ull * c->n_hidden > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--n-hidden %d is over %d for this model", c->n_hidden, MAX_DIM / 2);
    return MM_OK;
}

void mm_bnstack_layout(mm_model *m)
{
    const mm_config *c = &m->cfg;
    const mm_bnstack_geom *g = geom(c);
    const int L = g->layers(c), H = c->n_hidden, V = c->vocab_size;
    char name[MM_TENSOR_NAME];
    mm_model_add_tensor(m, "C", 2, (int[]){V, c->n_embd}, 1, 0);
    for (int l = 0; l < L; l++) {
        int rows, K;
        g->shape(c, l, &rows, &K);
        snprintf(name, sizeof name, "W%d", l + 1);
        mm_model_add_tensor(m, name, 2, (int[]){K, H}, 1, 0);
        static const char *const parts[] = {"gain", "bias", "mean", "var"};
        for (int p = 0; p < 4; p++) {
            snprintf(name, sizeof name, "bn%d_%s", l + 1, parts[p]);
            mm_model_add_tensor(m, name, 1, (int[]){H}, 0, p >= 2);
        }
    }
    mm_model_add_tensor(m, "Wo", 2, (int[]){H, V}, 1, 0);
    mm_model_add_tensor(m, "bo", 1, (int[]){V}, 0, 0);
    m->embedding = T_C;
}

static float *P(const mm_model *m, int t) { return mm_model_param(m, t); }
static float *G(const mm_model *m, int t) { return mm_model_grad(m, t); }

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) x[i] = v;
}

static void randn_scaled(mm_rng *rng, const mm_tensor *t, float *p, float s)
{
    mm_rng_randn_torch(rng, p, t->size);
    for (size_t i = 0; i < t->size; i++) p[i] *= s;
}

void mm_bnstack_init(mm_model *m, mm_init_kind init, mm_rng *rng)
{
    (void)init; /* the CLI refuses --init for these kinds: they start as the lecture's */
    const int L = geom(&m->cfg)->layers(&m->cfg), H = m->cfg.n_hidden;
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

/* Floats of the one allocation for batches of B, and of each backward
 * scratch buffer within it. */
static size_t acts_floats(const mm_config *c, int B, size_t *scratch)
{
    const mm_bnstack_geom *g = geom(c);
    const size_t H = (size_t)c->n_hidden, V = (size_t)c->vocab_size;
    size_t total = (size_t)B * c->block_size * c->n_embd + (size_t)B * V + 2 * H;
    *scratch = 0;
    for (int l = 0; l < g->layers(c); l++) {
        int rows, K;
        g->shape(c, l, &rows, &K);
        size_t R = (size_t)B * rows, wide = R * ((size_t)K > H ? (size_t)K : H);
        *scratch = wide > *scratch ? wide : *scratch;
        total += 2 * R * H + 2 * H;
    }
    return total + 2 * *scratch;
}

uint64_t mm_bnstack_acts_bytes(const mm_config *c, int B)
{
    size_t scratch;
    return 4 * (uint64_t)acts_floats(c, B, &scratch) + sizeof(bn_acts);
}

mm_status mm_bnstack_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    const mm_bnstack_geom *g = geom(c);
    bn_acts *d = calloc(1, sizeof *d);
    a->kind_acts = d;
    if (!d) return mm_fail(err, MM_ENOMEM, "out of memory for activations");
    d->B = B;
    d->L = g->layers(c);
    d->H = c->n_hidden;
    size_t scratch;
    d->mem = malloc(acts_floats(c, B, &scratch) * sizeof *d->mem);
    if (!d->mem) return mm_fail(err, MM_ENOMEM, "out of memory for activations of batch %d", B);
    const size_t H = (size_t)c->n_hidden, V = (size_t)c->vocab_size;
    float *p = d->mem;
    d->emb = p, p += (size_t)B * c->block_size * c->n_embd;
    for (int l = 0; l < d->L; l++) {
        int rows, K;
        g->shape(c, l, &rows, &K);
        size_t R = (size_t)B * rows;
        d->xhat[l] = p, p += R * H;
        d->h[l] = p, p += R * H;
        d->mean[l] = p, p += H;
        d->invstd[l] = p, p += H;
        d->rows_last = rows;
    }
    a->logits = p, p += (size_t)B * V;
    d->work = p, p += 2 * H;
    d->d0 = p, p += scratch;
    d->d1 = p;
    return MM_OK;
}

void mm_bnstack_acts_free(mm_acts *a)
{
    bn_acts *d = a->kind_acts;
    if (d) free(d->mem);
    free(d);
}

/* Training-mode batch norm of layer l's R rows. A data-parallel run sums
 * the batch statistics over its processes here (a->reduce, model.h). */
static void batchnorm_train(mm_model *m, mm_acts *a, int l, int R)
{
    bn_acts *d = a->kind_acts;
    const int t = t_layer(l), H = m->cfg.n_hidden;
    mm_batchnorm_forward(d->h[l], d->xhat[l], d->mean[l], d->invstd[l], P(m, t + MEAN), P(m, t + VAR),
                         d->xhat[l], P(m, t + GAIN), P(m, t + BIAS), R, H, m->cfg.bn_momentum,
                         a->reduce ? a->reduce->sum : NULL, a->reduce ? a->reduce->ctx : NULL);
}

/* Up to the last layer's tanh outputs (returned). train: batch
 * statistics, which move the running ones (hence m is written only then);
 * else the running statistics. */
static const float *forward_body(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads, int train)
{
    const mm_config *c = &m->cfg;
    const mm_bnstack_geom *g = geom(c);
    bn_acts *d = a->kind_acts;
    const int H = c->n_hidden;
    mm_embed_forward(d->emb, P(m, T_C), X, B, c->block_size, c->n_embd);
    const float *x = d->emb;
    for (int l = 0; l < d->L; l++) {
        int rows, K, t = t_layer(l);
        g->shape(c, l, &rows, &K);
        const int R = B * rows;
        mm_linear_forward(d->xhat[l], x, P(m, t), NULL, R, K, H, nthreads);
        if (train)
            batchnorm_train(m, a, l, R);
        else
            mm_batchnorm_eval(d->h[l], d->xhat[l], P(m, t + GAIN), P(m, t + BIAS), P(m, t + MEAN),
                              P(m, t + VAR), R, H, d->work);
        mm_tanh_forward(d->h[l], (long)R * H);
        x = d->h[l];
    }
    return x;
}

static void forward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads, int train)
{
    const float *x = forward_body(m, a, X, B, nthreads, train);
    const int to = t_out(((bn_acts *)a->kind_acts)->L);
    mm_linear_forward(a->logits, x, P(m, to), P(m, to + 1), B, m->cfg.n_hidden, m->cfg.vocab_size, nthreads);
}

double mm_bnstack_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                          int nthreads)
{
    forward(m, a, X, B, nthreads, 1);
    return mm_softmax_xent_masked(a->logits, a->logits, Y, B, m->cfg.vocab_size, a->loss_norm);
}

void mm_bnstack_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    /* evaluation mode reads the model only */
    forward((mm_model *)m, a, X, B, nthreads, 0);
}

/* From d->d0, dL/d(the last layer's tanh outputs): the gradients of
 * everything before the output layer. */
static void body_back(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const mm_bnstack_geom *geo = geom(c);
    bn_acts *d = a->kind_acts;
    const int L = d->L, H = c->n_hidden;
    float *g = d->d0, *other = d->d1; /* the gradient flowing down, and the next one */
    for (int l = L - 1; l >= 0; l--) {
        int rows, K, t = t_layer(l);
        geo->shape(c, l, &rows, &K);
        const int R = B * rows;
        mm_tanh_backward(g, g, d->h[l], (long)R * H);
        mm_batchnorm_backward(g, G(m, t + GAIN), G(m, t + BIAS), g, d->xhat[l], d->invstd[l],
                              P(m, t + GAIN), R, H, d->work, a->reduce ? a->reduce->sum : NULL,
                              a->reduce ? a->reduce->ctx : NULL);
        mm_linear_backward(other, G(m, t), NULL, g, l ? d->h[l - 1] : d->emb, P(m, t), R, K, H,
                           nthreads);
        float *s = g;
        g = other;
        other = s;
    }
    mm_embed_backward(G(m, T_C), g, X, B, c->block_size, c->n_embd);
}

void mm_bnstack_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    bn_acts *d = a->kind_acts;
    const int to = t_out(d->L);
    mm_linear_backward(d->d0, G(m, to), G(m, to + 1), a->logits, d->h[d->L - 1], P(m, to), B, m->cfg.n_hidden,
                       m->cfg.vocab_size, nthreads);
    body_back(m, a, X, B, nthreads);
}

void mm_bnstack_head_of(const mm_config *c, mm_head_io *io)
{
    io->H = c->n_hidden;
    io->K = 0;
    io->W = t_out(geom(c)->layers(c));
    io->b = io->W + 1;
    io->Wd = -1;
}

void mm_bnstack_body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                             mm_head_io *io)
{
    mm_bnstack_head_of(&m->cfg, io);
    io->h = forward_body(m, a, X, B, nthreads, 1);
    io->N = B;
    io->y = Y;
    io->x = NULL;
}

void mm_bnstack_body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                              const mm_head_io *io)
{
    bn_acts *d = a->kind_acts;
    memcpy(d->d0, io->dh, (size_t)B * m->cfg.n_hidden * sizeof *d->d0);
    body_back(m, a, X, B, nthreads);
}

const float *mm_bnstack_hidden(const mm_acts *a, int *rows_per_example, int *width)
{
    const bn_acts *d = a->kind_acts;
    *rows_per_example = d->rows_last;
    *width = d->H;
    return d->h[d->L - 1];
}
