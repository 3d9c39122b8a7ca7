#include "ngram.h"

#include <stdlib.h>
#include <string.h>

#define USED (1ull << 63)

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: packed keys are far from random */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static size_t slot_of(const mm_hash *h, uint64_t key)
{
    size_t i = (size_t)mix64(key) & (h->cap - 1);
    while (h->keys[i] && h->keys[i] != key) i = (i + 1) & (h->cap - 1);
    return i;
}

static int hash_grow(mm_hash *h)
{
    size_t cap = h->cap ? 2 * h->cap : 1024;
    uint64_t *k = calloc(cap, sizeof *k);
    uint32_t *v = calloc(cap, sizeof *v);
    if (!k || !v) { free(k); free(v); return -1; }
    mm_hash nh = {k, v, cap, h->used};
    for (size_t i = 0; i < h->cap; i++)
        if (h->keys[i]) {
            size_t j = slot_of(&nh, h->keys[i]);
            k[j] = h->keys[i];
            v[j] = h->vals[i];
        }
    free(h->keys);
    free(h->vals);
    *h = nh;
    return 0;
}

/* The value slot of key, inserted as 0 if new (*isnew set); NULL on OOM. */
static uint32_t *hash_upsert(mm_hash *h, uint64_t key, int *isnew)
{
    if (2 * (h->used + 1) > h->cap && hash_grow(h)) return NULL;
    size_t i = slot_of(h, key | USED);
    *isnew = !h->keys[i];
    if (*isnew) {
        h->keys[i] = key | USED;
        h->vals[i] = 0;
        h->used++;
    }
    return &h->vals[i];
}

static const uint32_t *hash_get(const mm_hash *h, uint64_t key)
{
    if (!h->cap) return NULL;
    size_t i = slot_of(h, key | USED);
    return h->keys[i] ? &h->vals[i] : NULL;
}

/* The last k ids of hist (n-1 long) with k, packed. */
static uint64_t ctx_key(const int *hist, int n1, int k)
{
    uint64_t key = (uint64_t)k;
    for (int i = n1 - k; i < n1; i++) key = (key << 12) | (uint64_t)hist[i];
    return key;
}

static int add_context(mm_ngram *g, uint64_t key, uint32_t *id)
{
    int isnew;
    uint32_t *v = hash_upsert(&g->ctx, key, &isnew);
    if (!v) return -1;
    if (isnew) {
        if (g->ncontexts == g->cap_contexts) {
            size_t cap = g->cap_contexts ? 2 * g->cap_contexts : 1024;
            uint32_t *t = realloc(g->total, cap * sizeof *t), *d;
            if (t) g->total = t;
            d = t ? realloc(g->distinct, cap * sizeof *d) : NULL;
            if (!t || !d) return -1;
            g->distinct = d;
            g->cap_contexts = cap;
        }
        g->total[g->ncontexts] = g->distinct[g->ncontexts] = 0;
        *v = (uint32_t)g->ncontexts++;
    }
    *id = *v;
    return 0;
}

static int count_event(mm_ngram *g, const int *hist, int y)
{
    const int n1 = g->order - 1;
    for (int k = 0; k <= n1; k++) {
        uint32_t id;
        int isnew;
        if (add_context(g, ctx_key(hist, n1, k), &id)) return -1;
        uint32_t *c = hash_upsert(&g->pair, ((uint64_t)id << 12) | (uint64_t)y, &isnew);
        if (!c) return -1;
        (*c)++;
        g->total[id]++;
        g->distinct[id] += isnew;
    }
    return 0;
}

/* Calls fn for every (history, target) of split's words, in example order. */
typedef int (*event_fn)(void *ctx, const int *hist, int y, size_t i);

static mm_status walk_split(const mm_words *w, const mm_vocab *v, const mm_dataset *d, int split, int n1,
                            event_fn fn, void *ctx, mm_err *err)
{
    size_t first = 0, ex = 0;
    for (int s = 0; s < split; s++) first += d->nwords[s];
    int hist[MM_NGRAM_MAX_ORDER] = {0};
    for (size_t i = first; i < first + d->nwords[split]; i++) {
        size_t k = d->order[i];
        memset(hist, 0, sizeof hist);
        for (size_t c = w->start[k]; c <= w->start[k + 1]; c++) {
            int y = c < w->start[k + 1] ? mm_vocab_id(v, w->chars[c]) : 0;
            if (y < 0) return mm_fail(err, MM_EFORMAT, "a character is missing from the vocabulary");
            if (fn(ctx, hist, y, ex++)) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
            if (n1 > 0) {
                memmove(hist, hist + 1, (size_t)(n1 - 1) * sizeof *hist);
                hist[n1 - 1] = y;
            }
        }
    }
    if (ex != d->split[split].n)
        return mm_fail(err, MM_EFORMAT, "n-gram walk found %zu examples, the split has %zu", ex, d->split[split].n);
    return MM_OK;
}

static int on_train_event(void *ctx, const int *hist, int y, size_t i)
{
    (void)i;
    return count_event(ctx, hist, y);
}

mm_status mm_ngram_build(mm_ngram *g, int order, const mm_words *w, const mm_vocab *v,
                         const mm_dataset *d, mm_err *err)
{
    memset(g, 0, sizeof *g);
    if (order < 1 || order > MM_NGRAM_MAX_ORDER)
        return mm_fail(err, MM_EINVAL, "--mix-ngram %d is outside 1..%d", order, MM_NGRAM_MAX_ORDER);
    if (v->size > MM_MAX_VOCAB) /* the keys pack 12 bits an id */
        return mm_fail(err, MM_EINVAL, "--mix-ngram: a vocabulary of %d tokens is over this n-gram's %d", v->size,
                       MM_MAX_VOCAB);
    g->order = order;
    g->V = v->size;
    mm_status st = walk_split(w, v, d, MM_TRAIN, order - 1, on_train_event, g, err);
    if (st) mm_ngram_free(g);
    return st;
}

void mm_ngram_free(mm_ngram *g)
{
    free(g->ctx.keys); free(g->ctx.vals);
    free(g->pair.keys); free(g->pair.vals);
    free(g->total); free(g->distinct);
    memset(g, 0, sizeof *g);
}

double mm_ngram_prob(const mm_ngram *g, const int *hist, int y)
{
    const int n1 = g->order - 1;
    double p = 1.0 / g->V;
    for (int k = 0; k <= n1; k++) {
        const uint32_t *id = hash_get(&g->ctx, ctx_key(hist, n1, k));
        if (!id) break; /* a longer context is unseen too */
        const uint32_t *c = hash_get(&g->pair, ((uint64_t)*id << 12) | (uint64_t)y);
        double tot = g->total[*id], cy = c ? *c : 0;
        double disc = cy > MM_NGRAM_DISCOUNT ? cy - MM_NGRAM_DISCOUNT : 0.0;
        p = disc / tot + MM_NGRAM_DISCOUNT * g->distinct[*id] / tot * p;
    }
    return p;
}

typedef struct {
    const mm_ngram *g;
    double *out;
} probs_ctx;

static int on_eval_event(void *vctx, const int *hist, int y, size_t i)
{
    probs_ctx *c = vctx;
    c->out[i] = mm_ngram_prob(c->g, hist, y);
    return 0;
}

mm_status mm_ngram_split_probs(const mm_ngram *g, const mm_words *w, const mm_vocab *v,
                               const mm_dataset *d, int split, double *out, mm_err *err)
{
    probs_ctx c = {g, out};
    return walk_split(w, v, d, split, g->order - 1, on_eval_event, &c, err);
}
