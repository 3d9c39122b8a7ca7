#include "seqkinds.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seqloss.h"

int mm_seq_add(mm_model *m, const char *name, int d0, int d1)
{
    const int shape[2] = {d0, d1};
    mm_model_add_tensor(m, name, d1 ? 2 : 1, shape, 1, 0);
    return m->ntensors - 1;
}

int mm_seq_add_linear(mm_model *m, const char *name, int in, int out, int bias)
{
    char full[MM_TENSOR_NAME];
    snprintf(full, sizeof full, "%s.weight", name);
    int w = mm_seq_add(m, full, in, out);
    m->tensors[w].transposed = 1;
    if (bias) {
        snprintf(full, sizeof full, "%s.bias", name);
        mm_seq_add(m, full, out, 0);
    }
    return w;
}

void mm_seq_init_linear(mm_rng *r, float *W, float *bias, int in, int out)
{
    /* kaiming_uniform_(a = sqrt(5)): gain sqrt(2 / (1 + 5)), bound
     * sqrt(3) * gain / sqrt(in), in double as torch's Python computes it */
    const double wb = sqrt(3.0) * (sqrt(2.0 / 6.0) / sqrt((double)in));
    for (int o = 0; o < out; o++)
        for (int i = 0; i < in; i++) mm_rng_uniform_torch(r, W + (size_t)i * out + o, 1, -wb, wb);
    if (bias) {
        const double bb = 1.0 / sqrt((double)in);
        mm_rng_uniform_torch(r, bias, (size_t)out, -bb, bb);
    }
}

void *mm_carve(mm_carver *c, size_t bytes)
{
    void *p = c->base ? c->base + c->used : NULL;
    c->used += (bytes + 63) / 64 * 64;
    return p;
}

uint64_t mm_seq_logits_bytes(const mm_config *c, int B)
{
    return (uint64_t)B * c->block_size * c->vocab_size * sizeof(float);
}

mm_status mm_seq_acts_alloc(mm_acts *a, const mm_config *c, int B, size_t bytes, mm_err *err)
{
    a->B = B;
    a->rows = c->block_size;
    a->logits = malloc(mm_seq_logits_bytes(c, B));
    a->kind_acts = bytes ? aligned_alloc(64, (bytes + 63) / 64 * 64) : NULL;
    if (!a->logits || (bytes && !a->kind_acts)) {
        mm_seq_acts_free(a);
        return mm_fail(err, MM_ENOMEM, "out of memory for the activations of %d items", B);
    }
    return MM_OK;
}

mm_status mm_seq_acts_build(mm_acts *a, const mm_config *c, int B, mm_seq_plan plan, mm_err *err)
{
    mm_carver cv = {0};
    plan(&cv, c, B);
    mm_status st = mm_seq_acts_alloc(a, c, B, cv.used, err);
    if (st) return st;
    cv = (mm_carver){.base = a->kind_acts};
    plan(&cv, c, B);
    return MM_OK;
}

uint64_t mm_seq_acts_bytes(const mm_config *c, int B, mm_seq_plan plan)
{
    mm_carver cv = {0};
    plan(&cv, c, B);
    return mm_seq_logits_bytes(c, B) + cv.used;
}

void mm_seq_acts_free(mm_acts *a)
{
    free(a->logits);
    free(a->kind_acts);
    a->logits = NULL;
    a->kind_acts = NULL;
}

double mm_seq_loss(mm_acts *a, const int32_t *Y, int N, int V)
{
    return mm_softmax_xent_masked(a->logits, a->logits, Y, N, V, a->loss_norm);
}
