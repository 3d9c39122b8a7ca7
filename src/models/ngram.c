/* Counting: the context trie, the (context, next id) pairs, and the walk
 * over a split's targets. The estimates are in ngram_estimate.c. */
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

static void hash_free(mm_hash *h)
{
    free(h->keys);
    free(h->vals);
    memset(h, 0, sizeof *h);
}

static uint64_t pack(uint32_t node, int id) { return ((uint64_t)node << MM_NGRAM_ID_BITS) | (uint64_t)id; }

long mm_ngram_child(const mm_ngram *g, uint32_t node, int id)
{
    const uint32_t *v = hash_get(&g->ctx, pack(node, id));
    return v ? (long)*v : -1;
}

long mm_ngram_pair(const mm_ngram *g, uint32_t node, int y)
{
    const uint32_t *v = hash_get(&g->pair, pack(node, y));
    return v ? (long)*v : -1;
}

/* Grows the arrays of (n, cap) to hold one more; -1 on OOM. */
#define GROW(ptr, cap, ok) do { void *p_ = realloc((ptr), (cap) * sizeof *(ptr)); \
    if (p_) (ptr) = p_; else (ok) = 0; } while (0)

static int node_room(mm_ngram *g)
{
    if (g->nnodes < g->cap_nodes) return 0;
    if (g->cap_nodes >= UINT32_MAX / 2) return -1;
    size_t cap = g->cap_nodes ? 2 * g->cap_nodes : 1024;
    int ok = 1;
    GROW(g->parent, cap, ok); GROW(g->len, cap, ok); GROW(g->first, cap, ok);
    GROW(g->total, cap, ok); GROW(g->distinct, cap, ok);
    if (!ok) return -1;
    g->cap_nodes = cap;
    return 0;
}

static int pair_room(mm_ngram *g)
{
    if (g->npairs < g->cap_pairs) return 0;
    if (g->cap_pairs >= UINT32_MAX / 2) return -1;
    size_t cap = g->cap_pairs ? 2 * g->cap_pairs : 1024;
    int ok = 1;
    GROW(g->pnode, cap, ok); GROW(g->py, cap, ok); GROW(g->raw, cap, ok);
    if (!ok) return -1;
    g->cap_pairs = cap;
    return 0;
}

static long new_node(mm_ngram *g, uint32_t parent, int len, int first)
{
    if (node_room(g)) return -1;
    size_t v = g->nnodes++;
    g->parent[v] = parent;
    g->len[v] = (uint8_t)len;
    g->first[v] = first;
    g->total[v] = 0;
    g->distinct[v] = 0;
    return (long)v;
}

/* The node of context (id, context of parent), added if new; -1 on OOM. */
static long child_add(mm_ngram *g, uint32_t parent, int id)
{
    int isnew;
    uint32_t *v = hash_upsert(&g->ctx, pack(parent, id), &isnew);
    if (!v) return -1;
    if (isnew) {
        long n = new_node(g, parent, g->len[parent] + 1, id);
        if (n < 0) return -1;
        *v = (uint32_t)n;
    }
    return (long)*v;
}

static int count_pair(mm_ngram *g, uint32_t node, int y, uint64_t count)
{
    int isnew;
    uint32_t *v = hash_upsert(&g->pair, pack(node, y), &isnew);
    if (!v) return -1;
    if (isnew) {
        if (pair_room(g)) return -1;
        *v = (uint32_t)g->npairs++;
        g->pnode[*v] = node;
        g->py[*v] = y;
        g->raw[*v] = 0;
        g->distinct[node]++;
    }
    g->raw[*v] += count;
    g->total[node] += count;
    return 0;
}

mm_status mm_ngram_init(mm_ngram *g, int order, int V, int smoothing, mm_err *err)
{
    memset(g, 0, sizeof *g);
    if (order < 1 || order > MM_NGRAM_MAX_ORDER)
        return mm_fail(err, MM_EINVAL, "n-gram order %d is outside 1..%d", order, MM_NGRAM_MAX_ORDER);
    if (V < 2 || V > MM_NGRAM_MAX_VOCAB)
        return mm_fail(err, MM_EINVAL, "n-gram over %d ids: 2..%d are possible", V, MM_NGRAM_MAX_VOCAB);
    if (smoothing != MM_NGRAM_ABS && smoothing != MM_NGRAM_KN)
        return mm_fail(err, MM_EINVAL, "unknown n-gram smoothing %d", smoothing);
    g->order = order;
    g->V = V;
    g->smoothing = smoothing;
    if (new_node(g, 0, 0, 0) < 0) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
    return MM_OK;
}

mm_status mm_ngram_add(mm_ngram *g, const int *hist, int y, uint64_t count, mm_err *err)
{
    const int n1 = g->order - 1;
    if (g->finished) return mm_fail(err, MM_EINVAL, "n-gram counts added after mm_ngram_finish");
    if (y < 0 || y >= g->V) return mm_fail(err, MM_EFORMAT, "n-gram target id %d is outside 0..%d", y, g->V - 1);
    for (int k = 0; k < n1; k++)
        if (hist[k] < 0 || hist[k] >= g->V)
            return mm_fail(err, MM_EFORMAT, "n-gram history id %d is outside 0..%d", hist[k], g->V - 1);
    if (count == 0) return MM_OK; /* a pair must have a count to be seen */
    long node = 0;
    for (int k = 0; k <= n1; k++) {
        if (k > 0) node = child_add(g, (uint32_t)node, hist[n1 - k]);
        if (node < 0 || count_pair(g, (uint32_t)node, y, count))
            return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
    }
    return MM_OK;
}

/* Context layout: rows of one item follow each other, the first with a
 * context of stop tokens, the last with the stop token as target. */
static mm_status walk_contexts(const mm_split *s, int n1, mm_ngram_event_fn fn, void *ctx, mm_err *err)
{
    const int T = s->T;
    int hist[MM_NGRAM_MAX_ORDER] = {0};
    const int m = n1 < T ? n1 : T;
    for (size_t i = 0; i < s->n; i++) {
        if (i == 0 || s->Y[i - 1] == 0) memset(hist, 0, sizeof hist);
        const int32_t *x = s->X + i * (size_t)T;
        for (int k = 0; k < m; k++)
            if (x[T - m + k] != hist[n1 - m + k])
                return mm_fail(err, MM_EFORMAT, "example %zu's context does not continue its item's", i);
        const int y = s->Y[i];
        if (fn(ctx, hist, y, i)) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
        if (n1 > 0 && y != 0) {
            memmove(hist, hist + 1, (size_t)(n1 - 1) * sizeof *hist);
            hist[n1 - 1] = y;
        }
    }
    return MM_OK;
}

/* Sequence layout: row X = start token then the item, Y = the item then
 * the stop token then -1s. */
static mm_status walk_sequences(const mm_split *s, int n1, mm_ngram_event_fn fn, void *ctx, mm_err *err)
{
    const size_t T = (size_t)s->T;
    size_t e = 0;
    for (size_t i = 0; i < s->n; i++) {
        const int32_t *x = s->X + i * T, *y = s->Y + i * T;
        int hist[MM_NGRAM_MAX_ORDER] = {0};
        for (size_t t = 0; t < T; t++) {
            if (t > 0 && n1 > 0) {
                memmove(hist, hist + 1, (size_t)(n1 - 1) * sizeof *hist);
                hist[n1 - 1] = x[t];
            }
            if (y[t] < 0) continue;
            if (fn(ctx, hist, y[t], e++)) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
        }
    }
    return MM_OK;
}

mm_status mm_ngram_walk(const mm_split *s, int n1, mm_ngram_event_fn fn, void *ctx, mm_err *err)
{
    if (n1 < 0 || n1 >= MM_NGRAM_MAX_ORDER) return mm_fail(err, MM_EINVAL, "n-gram history of %d ids", n1);
    return s->ny > 1 ? walk_sequences(s, n1, fn, ctx, err) : walk_contexts(s, n1, fn, ctx, err);
}

typedef struct {
    mm_ngram *g;
    mm_err *err;
    mm_status st;
} add_ctx;

static int on_train_event(void *vctx, const int *hist, int y, size_t i)
{
    (void)i;
    add_ctx *c = vctx;
    c->st = mm_ngram_add(c->g, hist, y, 1, c->err);
    return c->st != MM_OK;
}

mm_status mm_ngram_count_split(mm_ngram *g, const mm_split *s, mm_err *err)
{
    add_ctx c = {g, err, MM_OK};
    mm_status st = mm_ngram_walk(s, g->order - 1, on_train_event, &c, err);
    return c.st ? c.st : st;
}

mm_status mm_ngram_build(mm_ngram *g, int order, int smoothing, int V, const mm_split *train, mm_err *err)
{
    mm_status st = mm_ngram_init(g, order, V, smoothing, err);
    if (!st) st = mm_ngram_count_split(g, train, err);
    if (!st) st = mm_ngram_finish(g, err);
    if (st) mm_ngram_free(g);
    return st;
}

void mm_ngram_free(mm_ngram *g)
{
    hash_free(&g->ctx);
    hash_free(&g->pair);
    free(g->parent); free(g->len); free(g->first); free(g->total); free(g->distinct);
    free(g->adj_total); free(g->nj);
    free(g->pnode); free(g->py); free(g->raw); free(g->adj);
    free(g->succ_start); free(g->succ);
    memset(g, 0, sizeof *g);
}

size_t mm_ngram_ntypes(const mm_ngram *g)
{
    size_t n = 0;
    for (size_t p = 0; p < g->npairs; p++) n += g->len[g->pnode[p]] == g->order - 1;
    return n;
}

void mm_ngram_types(const mm_ngram *g, int32_t *ids, uint64_t *counts)
{
    const int n1 = g->order - 1;
    size_t r = 0;
    for (size_t p = 0; p < g->npairs; p++) {
        uint32_t v = g->pnode[p];
        if (g->len[v] != n1) continue;
        int32_t *row = ids + r * (size_t)g->order;
        /* the node of h_k holds h_k's oldest id; its parent is h_{k-1} */
        for (int k = 0; k < n1; k++, v = g->parent[v]) row[k] = g->first[v];
        row[n1] = g->py[p];
        counts[r++] = g->raw[p];
    }
}
