/* The distinct contexts of a split, for evaluating each one once.
 *
 * A model's logits depend on the context alone, and a split repeats its
 * contexts many times over: the lecture's training split has 182,625
 * examples but only 5,438 distinct 3-character contexts. Evaluating each
 * distinct context once and looking every example's loss up gives the same
 * numbers (the same float operations per example) in a fraction of the
 * time. Memory grows with the distinct contexts only, up to a cap. */
#ifndef MM_CONTEXTS_H
#define MM_CONTEXTS_H

#include <stdint.h>

#include "dataset.h"
#include "status.h"

typedef struct {
    int T;
    size_t nuniq;    /* distinct contexts */
    size_t cap;      /* room in X */
    int32_t *X;      /* (nuniq, T) the distinct contexts, in order of first use */
    uint32_t *slots; /* (mask + 1) hash table of indices into X */
    size_t mask;
} mm_contexts;

/* Collects the distinct contexts of s. Sets *complete to 0 (and stops) if
 * there are more than max_uniq of them. */
mm_status mm_contexts_build(mm_contexts *c, const mm_split *s, size_t max_uniq, int *complete,
                            mm_err *err);
/* An empty set of contexts of T ids; MM_ENOMEM on failure. */
mm_status mm_contexts_init(mm_contexts *c, int T, mm_err *err);
/* The index in c->X of the context x (T ids), or -1 if it is not there. */
long mm_contexts_find(const mm_contexts *c, const int32_t *x);
/* The index of x, added if new and if there are fewer than max contexts
 * (and memory); else -1. */
long mm_contexts_add(mm_contexts *c, const int32_t *x, size_t max);
void mm_contexts_free(mm_contexts *c);

#endif
