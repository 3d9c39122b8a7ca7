#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "layers.h"
#include "model_deep.h"

#define MAX_DIM 65536
#define MAX_PARAMS (1ull << 31)

mm_status mm_config_check(const mm_config *c, mm_err *err)
{
    if (c->vocab_size < 2 || c->vocab_size > 65536)
        return mm_fail(err, MM_EINVAL, "vocabulary size %d is outside 2..65536", c->vocab_size);
    if (c->block_size < 1 || c->block_size > 1024)
        return mm_fail(err, MM_EINVAL, "--block-size %d is outside 1..1024", c->block_size);
    if (c->n_embd < 1 || c->n_embd > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--n-embd %d is outside 1..%d", c->n_embd, MAX_DIM);
    if (c->n_hidden < 1 || c->n_hidden > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--n-hidden %d is outside 1..%d", c->n_hidden, MAX_DIM);
    unsigned long long k = (unsigned long long)c->block_size * c->n_embd;
    if (k > MAX_DIM)
        return mm_fail(err, MM_EINVAL, "--block-size x --n-embd = %llu is over %d", k, MAX_DIM);
    if (c->kind != MM_MODEL_MLP) return mm_deep_config_check(c, err);
    if (c->direct != 0 && c->direct != 1) return mm_fail(err, MM_EINVAL, "direct must be 0 or 1");
    unsigned long long n = mm_config_nparams(c);
    if (n > MAX_PARAMS)
        return mm_fail(err, MM_EINVAL, "model of %llu parameters is over the limit of %llu", n, MAX_PARAMS);
    return MM_OK;
}

static void add_tensor(mm_model *m, const char *name, int d0, int d1, int decay)
{
    mm_tensor *t = &m->tensors[m->ntensors++];
    t->name = name;
    t->ndim = d1 ? 2 : 1;
    t->shape[0] = d0;
    t->shape[1] = d1;
    t->size = (size_t)d0 * (size_t)(d1 ? d1 : 1);
    t->offset = m->nparams;
    t->decay = decay;
    m->nparams += t->size;
}

mm_status mm_model_build(mm_model *m, const mm_config *c, mm_err *err)
{
    memset(m, 0, sizeof *m);
    mm_status st = mm_config_check(c, err);
    if (st) return st;
    if (c->kind != MM_MODEL_MLP) return mm_deep_build(m, c, err);
    m->cfg = *c;
    int V = c->vocab_size, K = c->block_size * c->n_embd, H = c->n_hidden;
    add_tensor(m, "C", V, c->n_embd, 1);
    add_tensor(m, "W1", K, H, 1);
    add_tensor(m, "b1", H, 0, 0);
    add_tensor(m, "W2", H, V, 1);
    add_tensor(m, "b2", V, 0, 0);
    if (c->direct) add_tensor(m, "Wd", K, V, 1);
    m->ntrainable = m->nparams;
    m->params = calloc(m->nparams, sizeof *m->params);
    m->grads = calloc(m->nparams, sizeof *m->grads);
    if (!m->params || !m->grads) {
        mm_model_free(m);
        return mm_fail(err, MM_ENOMEM, "out of memory for %zu parameters", (size_t)m->nparams);
    }
    float **p[] = {&m->C, &m->W1, &m->b1, &m->W2, &m->b2, &m->Wd};
    float **g[] = {&m->dC, &m->dW1, &m->db1, &m->dW2, &m->db2, &m->dWd};
    for (int i = 0; i < m->ntensors; i++) {
        *p[i] = m->params + m->tensors[i].offset;
        *g[i] = m->grads + m->tensors[i].offset;
    }
    return MM_OK;
}

void mm_model_free(mm_model *m)
{
    free(m->params);
    free(m->grads);
    memset(m, 0, sizeof *m);
}

const mm_tensor *mm_model_tensor(const mm_model *m, const char *name)
{
    for (int i = 0; i < m->ntensors; i++)
        if (!strcmp(m->tensors[i].name, name)) return &m->tensors[i];
    return NULL;
}

static void scale(float *x, size_t n, float s)
{
    for (size_t i = 0; i < n; i++) x[i] *= s;
}

void mm_model_init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    if (m->cfg.kind != MM_MODEL_MLP) {
        mm_deep_init(m, rng);
        return;
    }
    /* Direct connections start at zero and draw nothing: the model starts
     * as the plain MLP, on the same random stream, so a comparison with and
     * without them is paired. */
    const int ndraw = m->Wd ? m->ntensors - 1 : m->ntensors;
    if (m->Wd) memset(m->Wd, 0, m->tensors[ndraw].size * sizeof *m->Wd);
    for (int i = 0; i < ndraw; i++)
        mm_rng_randn_torch(rng, m->params + m->tensors[i].offset, m->tensors[i].size);
    if (kind == MM_INIT_SCALED) {
        const mm_config *c = &m->cfg;
        int K = c->block_size * c->n_embd;
        /* Hidden pre-activations with unit variance keep tanh in its linear
         * range; tiny output weights make the first softmax almost uniform,
         * so the first loss is -ln(1/V) rather than a confident mistake. */
        scale(m->W1, (size_t)K * c->n_hidden, 1.0f / sqrtf((float)K));
        scale(m->b1, (size_t)c->n_hidden, 0.01f);
        scale(m->W2, (size_t)c->n_hidden * c->vocab_size, 0.01f);
        scale(m->b2, (size_t)c->vocab_size, 0.0f);
    }
}

mm_status mm_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    if (c->kind != MM_MODEL_MLP) return mm_deep_acts_build(a, c, B, err);
    memset(a, 0, sizeof *a);
    size_t K = (size_t)c->block_size * c->n_embd, H = (size_t)c->n_hidden, V = (size_t)c->vocab_size;
    a->B = B;
    a->emb = malloc((size_t)B * K * sizeof(float));
    a->h = malloc((size_t)B * H * sizeof(float));
    a->logits = malloc((size_t)B * V * sizeof(float));
    a->dh = malloc((size_t)B * H * sizeof(float));
    a->demb = malloc((size_t)B * K * sizeof(float));
    if (!a->emb || !a->h || !a->logits || !a->dh || !a->demb) {
        mm_acts_free(a);
        return mm_fail(err, MM_ENOMEM, "out of memory for activations of batch %d", B);
    }
    return MM_OK;
}

void mm_acts_free(mm_acts *a)
{
    if (a->deep) {
        mm_deep_acts_free(a);
        return;
    }
    free(a->emb);
    free(a->h);
    free(a->logits);
    free(a->dh);
    free(a->demb);
    memset(a, 0, sizeof *a);
}

static void forward_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_embed_forward(a->emb, m->C, X, B, T, E);
    mm_linear_forward(a->h, a->emb, m->W1, m->b1, B, K, H, nthreads);
    mm_tanh_forward(a->h, (long)B * H);
    mm_linear_forward(a->logits, a->h, m->W2, m->b2, B, H, V, nthreads);
    if (m->Wd) mm_linear_forward_add(a->logits, a->emb, m->Wd, B, K, V);
}

void mm_model_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    if (m->cfg.kind != MM_MODEL_MLP) mm_deep_logits(m, a, X, B, nthreads);
    else forward_logits(m, a, X, B, nthreads);
}

double mm_model_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                        int B, int nthreads)
{
    if (m->cfg.kind != MM_MODEL_MLP) return mm_deep_forward(m, a, X, Y, B, nthreads);
    forward_logits(m, a, X, B, nthreads);
    return mm_softmax_xent(a->logits, a->logits, Y, B, m->cfg.vocab_size);
}

void mm_model_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    if (m->cfg.kind != MM_MODEL_MLP) {
        mm_deep_backward(m, a, X, B, nthreads);
        return;
    }
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_linear_backward(a->dh, m->dW2, m->db2, a->logits, a->h, m->W2, B, H, V, nthreads);
    mm_tanh_backward(a->dh, a->dh, a->h, (long)B * H);
    mm_linear_backward(a->demb, m->dW1, m->db1, a->dh, a->emb, m->W1, B, K, H, nthreads);
    if (m->Wd) { /* the logits' gradient reaches the embeddings a second way */
        mm_linear_backward(NULL, m->dWd, NULL, a->logits, a->emb, m->Wd, B, K, V, nthreads);
        mm_linear_backward_input_add(a->demb, a->logits, m->Wd, B, K, V);
    }
    mm_embed_backward(m->dC, a->demb, X, B, T, E);
}

void mm_model_zero_grad(mm_model *m)
{
    memset(m->grads, 0, m->nparams * sizeof *m->grads);
}

/* Rows per chunk of a whole-split evaluation: large enough for the kernels to
 * run at speed, small enough that activations stay in cache. */
#define EVAL_CHUNK 512

mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err)
{
    if (s->n == 0) { *loss = NAN; return MM_OK; }
    long nchunks = (long)((s->n + EVAL_CHUNK - 1) / EVAL_CHUNK);
    double *sums = calloc((size_t)nchunks, sizeof *sums);
    if (!sums) return mm_fail(err, MM_ENOMEM, "out of memory");
    int failed = 0;
    const int T = m->cfg.block_size;
#pragma omp parallel num_threads(nthreads > 0 ? nthreads : 1)
    {
        mm_acts a;
        mm_err e;
        int ok = mm_acts_build(&a, &m->cfg, EVAL_CHUNK, &e) == MM_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (long ci = 0; ci < nchunks; ci++) {
            if (!ok) continue;
            size_t r0 = (size_t)ci * EVAL_CHUNK;
            int B = (int)(s->n - r0 < EVAL_CHUNK ? s->n - r0 : EVAL_CHUNK);
            mm_model_logits(m, &a, s->X + r0 * (size_t)T, B, 1);
            sums[ci] = mm_softmax_xent(NULL, a.logits, s->Y + r0, B, m->cfg.vocab_size) * B;
        }
        mm_acts_free(&a);
    }
    double total = 0.0;
    for (long ci = 0; ci < nchunks; ci++) total += sums[ci]; /* fixed order */
    free(sums);
    if (failed) return mm_fail(err, MM_ENOMEM, "out of memory for evaluation");
    *loss = total / (double)s->n;
    return MM_OK;
}
