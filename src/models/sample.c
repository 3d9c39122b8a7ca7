#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"
#include "kernels.h"
#include "kind.h"

/* Floats of distributions the sampler keeps (4 MiB). */
#define SEEN_FLOATS (1L << 20)

static mm_status check_opts(const mm_sample_opts *o, mm_err *err)
{
    if (!(o->temperature > 0) || !isfinite(o->temperature))
        return mm_fail(err, MM_EINVAL, "--temperature must be a finite number > 0");
    if (o->top_k < 0) return mm_fail(err, MM_EINVAL, "--top-k must be >= 0");
    if (o->max_len < 1) return mm_fail(err, MM_EINVAL, "--max-len must be >= 1");
    return MM_OK;
}

static int context_layout(const mm_sampler *s) { return s->m->kind->layout == MM_LAYOUT_CONTEXT; }

int mm_sample_max_len(const mm_model *m)
{
    const int T = m->cfg.block_size;
    return m->kind->layout == MM_LAYOUT_SEQUENCE && T > 1 ? T - 1 : MM_MAX_LINE_CHARS;
}

mm_sample_opts mm_sample_opts_resolve(const mm_model *m, const mm_sample_opts *o)
{
    mm_sample_opts r = *o;
    if (r.max_len == 0) r.max_len = mm_sample_max_len(m);
    return r;
}

mm_status mm_sampler_build(mm_sampler *s, const mm_model *m, const mm_sample_opts *opts, mm_err *err)
{
    memset(s, 0, sizeof *s);
    const mm_sample_opts resolved = mm_sample_opts_resolve(m, opts), *o = &resolved;
    mm_status st = check_opts(o, err);
    if (st) return st;
    const mm_config *c = &m->cfg;
    const mm_kind *k = m->kind;
    s->m = m;
    s->opts = *o;
    s->probs = malloc((size_t)c->vocab_size * sizeof *s->probs);
    s->order = malloc((size_t)c->vocab_size * sizeof *s->order);
    /* room for an item, or for a context after the start token (mm_sampler_probs) */
    s->seq = malloc(((size_t)(o->max_len > c->block_size ? o->max_len : c->block_size) + 1) * sizeof *s->seq);
    s->x = malloc((size_t)c->block_size * sizeof *s->x);
    if (!s->probs || !s->order || !s->seq || !s->x) st = mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    if (!st && k->gen_build) st = k->gen_build(&s->gen, m, err);
    if (!st && !s->gen) st = mm_acts_build(&s->acts, c, 1, err);
    if (!st && context_layout(s)) st = mm_contexts_init(&s->seen, c->block_size, err);
    if (st) mm_sampler_free(s);
    return st;
}

void mm_sampler_free(mm_sampler *s)
{
    if (s->gen) s->m->kind->gen_free(s->gen);
    mm_acts_free(&s->acts);
    free(s->probs);
    free(s->order);
    free(s->seq);
    free(s->x);
    free(s->dist);
    mm_contexts_free(&s->seen);
    memset(s, 0, sizeof *s);
}

/* The context-layout example after the item so far: its last T ids, stop
 * tokens before its start (seq[0], the start token, is one too). */
static void window(int32_t *x, const int32_t *seq, int len, int T)
{
    for (int t = 0; t < T; t++) {
        const int i = len - T + t;
        x[t] = i >= 0 ? seq[i] : 0;
    }
}

/* The next id's logits after seq (len ids) into s->probs. */
static void logits_after(mm_sampler *s, const int32_t *seq, int len)
{
    const mm_model *m = s->m;
    const int T = m->cfg.block_size, V = m->cfg.vocab_size;
    if (s->gen) {
        m->kind->gen_step(s->gen, seq, len, s->probs);
        return;
    }
    int row = 0;
    if (context_layout(s)) {
        window(s->x, seq, len, T);
    } else { /* the item so far, cropped to its last T ids, padded */
        const int from = len > T ? len - T : 0, n = len - from;
        memcpy(s->x, seq + from, (size_t)n * sizeof *s->x);
        memset(s->x + n, 0, (size_t)(T - n) * sizeof *s->x);
        row = n - 1;
    }
    mm_model_logits(m, &s->acts, s->x, 1, 1);
    memcpy(s->probs, s->acts.logits + (size_t)row * V, (size_t)V * sizeof *s->probs);
}

int mm_sampler_probs(mm_sampler *s, const int *ctx)
{
    /* the start token, then ctx: the window of the last T is ctx itself */
    const int T = s->m->cfg.block_size;
    s->seq[0] = 0;
    for (int t = 0; t < T; t++) s->seq[t + 1] = ctx[t];
    logits_after(s, s->seq, T + 1);
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

/* The drawing distribution after the item so far (len ids of s->seq):
 * for the context layout kept, or computed and kept. NULL when the model's
 * logits are not finite. */
static const float *distribution(mm_sampler *s, int len, float inv_temp, int k)
{
    const int T = s->m->cfg.block_size, V = s->m->cfg.vocab_size;
    const int keep = context_layout(s) && !s->fresh;
    long u = -1;
    if (keep) {
        window(s->x, s->seq, len, T);
        if ((u = mm_contexts_find(&s->seen, s->x)) >= 0) return s->dist + (size_t)u * V;
    }
    logits_after(s, s->seq, len);
    if (mm_probs_softmax(s->probs, V, inv_temp)) return NULL;
    if (k) mm_probs_top_k(s->probs, s->order, V, k);
    if (keep && room_for_one(s, (size_t)V)) {
        window(s->x, s->seq, len, T); /* logits_after may have used x */
        if ((u = mm_contexts_add(&s->seen, s->x, s->cap)) >= 0)
            memcpy(s->dist + (size_t)u * V, s->probs, (size_t)V * sizeof *s->probs);
    }
    return s->probs;
}

/* s->seq = the start token, then the item so far (ids, n); a kind that
 * carries state from step to step (the sequence layout's gen_step) is
 * stepped through it, so the next step continues after it. */
static void start_item(mm_sampler *s, const int *ids, int n)
{
    s->seq[0] = 0;
    for (int i = 0; i < n; i++) s->seq[i + 1] = ids[i];
    if (s->gen && !context_layout(s))
        for (int len = 1; len <= n; len++) logits_after(s, s->seq, len);
}

int mm_sampler_probs_after(mm_sampler *s, const int *ids, int n)
{
    n = n < s->opts.max_len ? n : s->opts.max_len;
    start_item(s, ids, n);
    logits_after(s, s->seq, n + 1);
    return mm_probs_softmax(s->probs, s->m->cfg.vocab_size, 1.0f);
}

int mm_sample_complete(mm_sampler *s, mm_rng *rng, const int *prefix, int np, int *out)
{
    const int V = s->m->cfg.vocab_size;
    const int k = s->opts.top_k > 0 && s->opts.top_k < V ? s->opts.top_k : 0;
    const float inv_temp = (float)(1.0 / s->opts.temperature);
    int n = np < s->opts.max_len ? np : s->opts.max_len;
    if (n > 0) memmove(out, prefix, (size_t)n * sizeof *out);
    start_item(s, out, n);
    while (n < s->opts.max_len) {
        const float *p = distribution(s, n + 1, inv_temp, k);
        if (!p) return -1;
        int id = mm_probs_draw(p, V, rng);
        if (id == 0) break;
        out[n++] = id;
        s->seq[n] = id;
    }
    return n;
}

int mm_sample_item(mm_sampler *s, mm_rng *rng, int *out)
{
    return mm_sample_complete(s, rng, NULL, 0, out);
}
