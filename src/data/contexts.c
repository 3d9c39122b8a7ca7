#include "contexts.h"

#include <stdlib.h>
#include <string.h>

#define EMPTY UINT32_MAX

static uint64_t hash_context(const int32_t *x, int T)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int t = 0; t < T; t++) {
        h ^= (uint32_t)x[t];
        h *= 0xff51afd7ed558ccdull; /* a 64-bit mix step: ids are small and dense */
        h ^= h >> 29;
    }
    return h;
}

/* The slot holding x, or the empty slot where it belongs. */
static size_t probe(const mm_contexts *c, const int32_t *x)
{
    const size_t row = (size_t)c->T * sizeof *x;
    size_t i = hash_context(x, c->T) & c->mask;
    while (c->slots[i] != EMPTY && memcmp(c->X + (size_t)c->slots[i] * c->T, x, row))
        i = (i + 1) & c->mask;
    return i;
}

long mm_contexts_find(const mm_contexts *c, const int32_t *x)
{
    uint32_t u = c->slots[probe(c, x)];
    return u == EMPTY ? -1 : (long)u;
}

/* Doubles X and the table (kept at most half full), rehashing. */
static int grow(mm_contexts *c)
{
    size_t cap = c->cap ? 2 * c->cap : 1024;
    int32_t *X = realloc(c->X, cap * (size_t)c->T * sizeof *X);
    if (!X) return -1;
    c->X = X;
    uint32_t *slots = malloc(2 * cap * sizeof *slots);
    if (!slots) return -1;
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    c->mask = 2 * cap - 1;
    memset(slots, 0xff, 2 * cap * sizeof *slots);
    for (size_t u = 0; u < c->nuniq; u++) slots[probe(c, c->X + u * c->T)] = (uint32_t)u;
    return 0;
}

mm_status mm_contexts_init(mm_contexts *c, int T, mm_err *err)
{
    memset(c, 0, sizeof *c);
    c->T = T;
    if (grow(c)) {
        mm_contexts_free(c);
        return mm_fail(err, MM_ENOMEM, "out of memory for contexts");
    }
    return MM_OK;
}

long mm_contexts_add(mm_contexts *c, const int32_t *x, size_t max)
{
    size_t slot = probe(c, x);
    if (c->slots[slot] != EMPTY) return (long)c->slots[slot];
    if (c->nuniq >= max) return -1;
    if (c->nuniq == c->cap) {
        if (grow(c)) return -1;
        slot = probe(c, x);
    }
    memcpy(c->X + c->nuniq * c->T, x, (size_t)c->T * sizeof *x);
    c->slots[slot] = (uint32_t)c->nuniq;
    return (long)c->nuniq++;
}

mm_status mm_contexts_build(mm_contexts *c, const mm_split *s, size_t max_uniq, int *complete,
                            mm_err *err)
{
    mm_status st = mm_contexts_init(c, s->T, err);
    if (st) return st;
    *complete = 1;
    for (size_t i = 0; i < s->n; i++) {
        const size_t before = c->nuniq;
        if (mm_contexts_add(c, s->X + i * (size_t)s->T, max_uniq) >= 0) continue;
        if (before < max_uniq) { /* no room for a new one: memory */
            mm_contexts_free(c);
            return mm_fail(err, MM_ENOMEM, "out of memory for the contexts of %zu examples", s->n);
        }
        *complete = 0;
        return MM_OK;
    }
    return MM_OK;
}

void mm_contexts_free(mm_contexts *c)
{
    free(c->X);
    free(c->slots);
    memset(c, 0, sizeof *c);
}
