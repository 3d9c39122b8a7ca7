#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "kernels.h"

/* Floats of distributions the sampler keeps (4 MiB). */
#define SEEN_FLOATS (1L << 20)

static mm_status build_generic(mm_sampler *s, mm_err *err)
{
    const mm_config *c = &s->m->cfg;
    s->generic = 1;
    s->probs = malloc((size_t)c->vocab_size * sizeof *s->probs);
    s->order = malloc((size_t)c->vocab_size * sizeof *s->order);
    s->ctx = malloc((size_t)c->block_size * sizeof *s->ctx);
    s->x = malloc((size_t)c->block_size * sizeof *s->x);
    mm_status st = s->probs && s->order && s->ctx && s->x ? mm_acts_build(&s->acts, c, 1, err)
                                                          : mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    if (st) mm_sampler_free(s);
    return st;
}

static mm_status build_model(mm_sampler *s, const mm_model *m, const mm_sample_opts *o, mm_err *err);

mm_status mm_sampler_build(mm_sampler *s, const mm_model *m, const mm_sample_opts *o, mm_err *err)
{
    mm_status st = build_model(s, m, o, err);
    if (!st && (st = mm_contexts_init(&s->seen, m->cfg.block_size, err))) mm_sampler_free(s);
    return st;
}

static mm_status build_model(mm_sampler *s, const mm_model *m, const mm_sample_opts *o, mm_err *err)
{
    memset(s, 0, sizeof *s);
    const mm_config *c = &m->cfg;
    int T = c->block_size, E = c->n_embd, H = c->n_hidden, V = c->vocab_size;
    if (!(o->temperature > 0) || !isfinite(o->temperature))
        return mm_fail(err, MM_EINVAL, "--temperature must be a finite number > 0");
    if (o->top_k < 0) return mm_fail(err, MM_EINVAL, "--top-k must be >= 0");
    if (o->max_len < 1) return mm_fail(err, MM_EINVAL, "--max-len must be >= 1");
    s->m = m;
    s->opts = *o;
    if (c->kind != MM_MODEL_MLP || m->Wd) return build_generic(s, err);
    s->table = malloc((size_t)T * V * H * sizeof *s->table);
    s->ldw = (V + 7) / 8 * 8;
    s->W2 = calloc((size_t)H * s->ldw, sizeof *s->W2);
    s->h = malloc((size_t)H * sizeof *s->h);
    s->probs = malloc((size_t)V * sizeof *s->probs);
    s->order = malloc((size_t)V * sizeof *s->order);
    s->ctx = malloc((size_t)T * sizeof *s->ctx);
    s->x = malloc((size_t)T * sizeof *s->x);
    if (!s->table || !s->W2 || !s->h || !s->probs || !s->order || !s->ctx || !s->x) {
        mm_sampler_free(s);
        return mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    }
    for (int t = 0; t < T; t++)
        for (int v = 0; v < V; v++) {
            float *row = s->table + ((size_t)t * V + v) * H;
            memset(row, 0, (size_t)H * sizeof *row);
            for (int e = 0; e < E; e++) {
                const float a = m->C[(size_t)v * E + e];
                const float *w = m->W1 + ((size_t)t * E + e) * H;
                for (int j = 0; j < H; j++) row[j] += a * w[j];
            }
        }
    for (int j = 0; j < H; j++) memcpy(s->W2 + (size_t)j * s->ldw, m->W2 + (size_t)j * V, (size_t)V * sizeof *s->W2);
    return MM_OK;
}

void mm_sampler_free(mm_sampler *s)
{
    free(s->table);
    free(s->W2);
    free(s->h);
    free(s->probs);
    free(s->order);
    free(s->ctx);
    free(s->x);
    free(s->dist);
    mm_contexts_free(&s->seen);
    if (s->generic) mm_acts_free(&s->acts);
    memset(s, 0, sizeof *s);
}

static void logits_after(mm_sampler *s, const int *ctx)
{
    const mm_model *m = s->m;
    const int T = m->cfg.block_size, H = m->cfg.n_hidden, V = m->cfg.vocab_size;
    if (s->generic) {
        for (int t = 0; t < T; t++) s->x[t] = ctx[t];
        mm_model_logits(m, &s->acts, s->x, 1, 1);
        memcpy(s->probs, s->acts.logits, (size_t)V * sizeof *s->probs);
        return;
    }
    float *h = s->h;
    memcpy(h, m->b1, (size_t)H * sizeof *h);
    for (int t = 0; t < T; t++) {
        const float *row = s->table + ((size_t)t * V + ctx[t]) * H;
        for (int j = 0; j < H; j++) h[j] += row[j];
    }
    mm_tanh_forward(h, H);
    mm_gemv_forward(s->probs, h, s->W2, s->ldw, m->b2, H, V);
}

int mm_sampler_probs(mm_sampler *s, const int *ctx)
{
    logits_after(s, ctx);
    return mm_probs_softmax(s->probs, s->m->cfg.vocab_size, 1.0f);
}

/* Room for one more kept distribution; 0 if there is none. */
static int room_for_one(mm_sampler *s, size_t V)
{
    if (s->seen.nuniq < s->cap) return 1;
    size_t cap = s->cap ? 2 * s->cap : 1024;
    if (cap * V > SEEN_FLOATS) cap = SEEN_FLOATS / V;
    if (cap <= s->seen.nuniq) return 0;
    float *d = realloc(s->dist, cap * V * sizeof *d);
    if (!d) return 0;
    s->dist = d;
    s->cap = cap;
    return 1;
}

/* The drawing distribution after s->ctx: kept, or computed and kept; NULL
 * when the model's logits are not finite. */
static const float *distribution(mm_sampler *s, float inv_temp, int k)
{
    const int T = s->m->cfg.block_size, V = s->m->cfg.vocab_size;
    for (int t = 0; t < T; t++) s->x[t] = s->ctx[t];
    long u = s->fresh ? -1 : mm_contexts_find(&s->seen, s->x);
    if (u >= 0) return s->dist + (size_t)u * V;
    logits_after(s, s->ctx);
    if (mm_probs_softmax(s->probs, V, inv_temp)) return NULL;
    if (k) mm_probs_top_k(s->probs, s->order, V, k);
    if (!s->fresh && room_for_one(s, (size_t)V) && (u = mm_contexts_add(&s->seen, s->x, s->cap)) >= 0)
        memcpy(s->dist + (size_t)u * V, s->probs, (size_t)V * sizeof *s->probs);
    return s->probs;
}

int mm_sample_item(mm_sampler *s, mm_rng *rng, int *out)
{
    const int T = s->m->cfg.block_size, V = s->m->cfg.vocab_size;
    const int k = s->opts.top_k > 0 && s->opts.top_k < V ? s->opts.top_k : 0;
    const float inv_temp = (float)(1.0 / s->opts.temperature);
    memset(s->ctx, 0, (size_t)T * sizeof *s->ctx);
    int n = 0;
    while (n < s->opts.max_len) {
        const float *p = distribution(s, inv_temp, k);
        if (!p) return -1;
        int id = mm_probs_draw(p, V, rng);
        if (id == 0) break;
        out[n++] = id;
        memmove(s->ctx, s->ctx + 1, (size_t)(T - 1) * sizeof *s->ctx);
        s->ctx[T - 1] = id;
    }
    return n;
}
