#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contexts.h"
#include "groups.h"
#include "kernels.h"
#include "mlp.h"
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
        size_t n = m->nparams; /* mm_model_free clears it */
        mm_model_free(m);
        return mm_fail(err, MM_ENOMEM, "out of memory for %zu parameters", n);
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
    a->rowloss = malloc((size_t)B * sizeof(double));
    a->groups = mm_groups_new(c, B); /* NULL is fine: rows are then taken one by one */
    if (!a->emb || !a->h || !a->logits || !a->dh || !a->demb || !a->rowloss) {
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
    free(a->rowloss);
    mm_groups_free(a->groups);
    memset(a, 0, sizeof *a);
}

static void forward_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_embed_forward(a->emb, m->C, X, B, T, E);
    mm_linear_tanh_forward(a->h, a->emb, m->W1, m->b1, B, K, H, nthreads);
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
    if (!m->Wd) return mm_mlp_forward(m, a, X, Y, B, nthreads);
    forward_logits(m, a, X, B, nthreads);
    return mm_softmax_xent(a->logits, a->logits, Y, B, m->cfg.vocab_size);
}

void mm_model_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    if (m->cfg.kind != MM_MODEL_MLP) {
        mm_deep_backward(m, a, X, B, nthreads);
        return;
    }
    if (!m->Wd) {
        mm_mlp_backward(m, a, X, B, nthreads);
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
/* Floats of logits kept for the distinct contexts of a split (4 MiB: the
 * lecture's training split needs 0.6); with more distinct contexts than
 * that (long contexts, large vocabularies) every example is evaluated. */
#define EVAL_CACHE_FLOATS (1L << 20)

/* For the n contexts X (n, T), in chunks of EVAL_CHUNK shared between
 * threads: with Y, chunksum (one per chunk) receives the sum of the chunk's
 * losses in row order; without, logits (n, V) receives the logits, with
 * each row's max and log-sum-exp in mx and lse (n). */
typedef struct {
    const int32_t *X, *Y;
    size_t n;
    double *chunksum;
    float *logits, *mx, *lse;
} eval_job;

static void eval_chunk(const mm_model *m, mm_acts *a, const eval_job *j, long ci)
{
    const int T = m->cfg.block_size, V = m->cfg.vocab_size;
    const size_t r0 = (size_t)ci * EVAL_CHUNK;
    const int B = (int)(j->n - r0 < EVAL_CHUNK ? j->n - r0 : EVAL_CHUNK);
    mm_model_logits(m, a, j->X + r0 * (size_t)T, B, 1);
    if (j->Y) {
        double rowloss[EVAL_CHUNK], sum = 0.0;
        mm_softmax_xent_rows(NULL, rowloss, a->logits, j->Y + r0, B, V, 1.0f);
        for (int b = 0; b < B; b++) sum += rowloss[b];
        j->chunksum[ci] = sum;
    } else {
        memcpy(j->logits + r0 * (size_t)V, a->logits, (size_t)B * V * sizeof *a->logits);
        mm_logsumexp_rows(j->mx + r0, j->lse + r0, a->logits, B, V);
    }
}

static mm_status eval_chunks(const mm_model *m, const eval_job *j, int nthreads, mm_err *err)
{
    const long nchunks = (long)((j->n + EVAL_CHUNK - 1) / EVAL_CHUNK);
    int failed = 0, nt = nthreads < 1 ? 1 : nthreads;
    if (nt > nchunks) nt = (int)nchunks;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        mm_acts a;
        mm_err e;
        int ok = mm_acts_build(&a, &m->cfg, EVAL_CHUNK, &e) == MM_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (long ci = 0; ci < nchunks; ci++)
            if (ok) eval_chunk(m, &a, j, ci);
        if (ok) mm_acts_free(&a);
    }
    return failed ? mm_fail(err, MM_ENOMEM, "out of memory for evaluation") : MM_OK;
}

/* Every example, chunk by chunk: memory independent of the split's size. */
static mm_status split_loss_direct(const mm_model *m, const mm_split *s, int nthreads,
                                   double *loss, mm_err *err)
{
    const long nchunks = (long)((s->n + EVAL_CHUNK - 1) / EVAL_CHUNK);
    eval_job j = {s->X, s->Y, s->n, calloc((size_t)nchunks, sizeof(double)), NULL, NULL, NULL};
    if (!j.chunksum) return mm_fail(err, MM_ENOMEM, "out of memory for evaluation");
    mm_status st = eval_chunks(m, &j, nthreads, err);
    double total = 0.0;
    for (long ci = 0; ci < nchunks; ci++) total += j.chunksum[ci]; /* fixed order */
    free(j.chunksum);
    *loss = total / (double)s->n;
    return st;
}

/* Evaluates each distinct context of the split once (see contexts.h) and
 * looks every example's loss up. Each example's loss is the same float
 * expression as in mm_softmax_xent, and the sums run in the same order as
 * split_loss_direct's, so either way, and whatever nthreads is, the result
 * is the same. */
mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err)
{
    if (s->n == 0) { *loss = NAN; return MM_OK; }
    const size_t V = (size_t)m->cfg.vocab_size;
    mm_contexts u;
    int complete;
    mm_status st = mm_contexts_build(&u, s, EVAL_CACHE_FLOATS / V, &complete, err);
    if (st) return st;
    if (!complete) {
        mm_contexts_free(&u);
        return split_loss_direct(m, s, nthreads, loss, err);
    }
    eval_job j = {u.X, NULL, u.nuniq, NULL, malloc(u.nuniq * V * sizeof(float)),
                  malloc(u.nuniq * sizeof(float)), malloc(u.nuniq * sizeof(float))};
    st = j.logits && j.mx && j.lse ? eval_chunks(m, &j, nthreads, err)
                                   : mm_fail(err, MM_ENOMEM, "out of memory for evaluation");
    if (!st) {
        double total = 0.0;
        for (size_t r0 = 0; r0 < s->n; r0 += EVAL_CHUNK) {
            double sum = 0.0;
            for (size_t i = r0; i < s->n && i < r0 + EVAL_CHUNK; i++) {
                const size_t w = (size_t)mm_contexts_find(&u, s->X + i * (size_t)s->T);
                sum += MM_XENT(j.lse[w], j.logits[w * V + (size_t)s->Y[i]], j.mx[w]);
            }
            total += sum;
        }
        *loss = total / (double)s->n;
    }
    free(j.logits);
    free(j.mx);
    free(j.lse);
    mm_contexts_free(&u);
    return st;
}
