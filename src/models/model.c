#include "model.h"

#include "outpar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contexts.h"
#include "kernels.h"
#include "kind.h"
#include "outpar.h"

#define MAX_DIM 65536
#define MAX_PARAMS (1ull << 31)
/* A tensor's size saturates here, so a wild layout cannot overflow the sums. */
#define SIZE_CAP (1ull << 52)

/* Declares c's tensors into the (zeroed) m, without allocating. */
static void layout(mm_model *m, const mm_config *c, const mm_kind *k)
{
    m->cfg = *c;
    m->kind = k;
    m->embedding = -1;
    k->layout_tensors(m);
}

mm_status mm_config_check(const mm_config *c, mm_err *err)
{
    if (c->vocab_size < 2 || c->vocab_size > MM_MAX_V)
        return mm_fail(err, MM_EINVAL, "vocabulary size %d is outside 2..%d", c->vocab_size, MM_MAX_V);
    const mm_kind *k = mm_kind_at(c->kind);
    if (!k) return mm_fail(err, MM_EINVAL, "unknown model kind %d", c->kind);
    if (c->block_size < 1 || c->block_size > MM_MAX_BLOCK)
        return mm_fail(err, MM_EINVAL, "--block-size %d is outside 1..%d", c->block_size, MM_MAX_BLOCK);
    if ((k->uses & MM_USES_EMBD) && (c->n_embd < 1 || c->n_embd > MAX_DIM))
        return mm_fail(err, MM_EINVAL, "--n-embd %d is outside 1..%d", c->n_embd, MAX_DIM);
    if ((k->uses & MM_USES_HIDDEN) && (c->n_hidden < 1 || c->n_hidden > MAX_DIM))
        return mm_fail(err, MM_EINVAL, "--n-hidden %d is outside 1..%d", c->n_hidden, MAX_DIM);
    if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
        return mm_fail(err, MM_EINVAL, "--dropout %g is outside [0, 1)", (double)c->dropout);
    if (c->dropout > 0.0f && !(k->uses & MM_USES_DROPOUT))
        return mm_fail(err, MM_EINVAL, "--dropout: model %s has no dropout", k->name);
    mm_status st = k->check(c, err);
    if (st) return st;
    mm_model *m = calloc(1, sizeof *m);
    if (!m) return mm_fail(err, MM_ENOMEM, "out of memory");
    layout(m, c, k);
    unsigned long long n = m->nparams;
    int overflow = m->ntensors > MM_MAX_TENSORS;
    free(m);
    if (overflow) return mm_fail(err, MM_EINVAL, "model of more than %d tensors", MM_MAX_TENSORS);
    if (n > MAX_PARAMS)
        return mm_fail(err, MM_EINVAL, "model of %llu parameters is over the limit of %llu", n, MAX_PARAMS);
    return MM_OK;
}

uint64_t mm_config_nparams(const mm_config *c)
{
    const mm_kind *k = mm_kind_at(c->kind);
    mm_model *m = k ? calloc(1, sizeof *m) : NULL;
    if (!m) return UINT64_MAX;
    layout(m, c, k);
    uint64_t n = m->nparams;
    free(m);
    return n;
}

mm_tensor *mm_model_add_tensor(mm_model *m, const char *name, int ndim, const int *shape,
                               int decay, int buffer)
{
    int i = m->ntensors;
    if (i >= MM_MAX_TENSORS) {
        i = MM_MAX_TENSORS; /* the scratch slot: mm_config_check refuses the model */
        m->ntensors = MM_MAX_TENSORS + 1;
    } else {
        m->ntensors++;
    }
    mm_tensor *t = &m->tensors[i];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim < 1 ? 1 : ndim > MM_MAX_DIMS ? MM_MAX_DIMS : ndim;
    uint64_t size = 1;
    for (int d = 0; d < t->ndim; d++) {
        t->shape[d] = shape[d] > 0 ? shape[d] : 0;
        size = t->shape[d] && size > SIZE_CAP / (uint64_t)t->shape[d] ? SIZE_CAP : size * (uint64_t)t->shape[d];
    }
    t->size = (size_t)size;
    t->offset = m->nparams;
    t->decay = decay;
    t->buffer = buffer;
    if (i < MM_MAX_TENSORS) {
        m->nparams += t->size;
        if (!buffer) m->ntrainable += t->size;
    }
    return t;
}

mm_status mm_model_build(mm_model *m, const mm_config *c, mm_err *err)
{
    memset(m, 0, sizeof *m);
    mm_status st = mm_config_check(c, err);
    if (st) return st;
    layout(m, c, mm_kind_at(c->kind));
    m->params = calloc(m->nparams, sizeof *m->params);
    m->grads = calloc(m->nparams, sizeof *m->grads);
    if (!m->params || !m->grads) {
        size_t n = m->nparams; /* mm_model_free clears it */
        mm_model_free(m);
        return mm_fail(err, MM_ENOMEM, "out of memory for %zu parameters", n);
    }
    return MM_OK;
}

float *mm_model_param(const mm_model *m, int tensor) { return m->params + m->tensors[tensor].offset; }
float *mm_model_grad(const mm_model *m, int tensor) { return m->grads + m->tensors[tensor].offset; }

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

void mm_model_init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    m->kind->init(m, kind, rng);
}

mm_status mm_model_fit(mm_model *m, const mm_split *train, mm_err *err)
{
    return m->kind->fit ? m->kind->fit(m, train, err) : MM_OK;
}

int mm_model_counted(const mm_model *m) { return m->kind->fit != NULL; }

int mm_kind_counted(int kind)
{
    const mm_kind *k = mm_kind_at(kind);
    return k && k->fit;
}

mm_status mm_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    memset(a, 0, sizeof *a);
    const mm_kind *k = mm_kind_at(c->kind);
    if (!k) return mm_fail(err, MM_EINVAL, "unknown model kind %d", c->kind);
    a->kind = k;
    a->B = B;
    a->rows = k->layout == MM_LAYOUT_SEQUENCE ? c->block_size : 1;
    mm_status st = k->acts_build(a, c, B, err);
    if (!st && k->head_of && k->body_forward && k->body_backward && !(k->own_head && k->own_head(c)))
        st = mm_outpar_attach(a, c, NULL, err);
    if (st) mm_acts_free(a);
    return st;
}

void mm_acts_free(mm_acts *a)
{
    mm_outpar_detach(a);
    if (a->kind) a->kind->acts_free(a);
    memset(a, 0, sizeof *a);
}

double mm_model_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                        int B, int nthreads)
{
    if (a->head) return mm_outpar_forward(a->head, m, a, X, Y, B, nthreads);
    return m->kind->forward(m, a, X, Y, B, nthreads);
}

void mm_model_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    if (a->head) mm_outpar_backward(a->head, m, a, X, B, nthreads);
    else m->kind->backward(m, a, X, B, nthreads);
}

void mm_model_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    m->kind->logits(m, a, X, B, nthreads);
}

void mm_model_zero_grad(mm_model *m)
{
    memset(m->grads, 0, m->nparams * sizeof *m->grads);
}
