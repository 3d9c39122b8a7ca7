/* A smoothed character n-gram model, counted on the training split, to mix
 * with the MLP (Bengio et al. 2003, section 4: the MLP's distribution
 * interpolated with a smoothed trigram did better than either).
 *
 * Smoothing: interpolated absolute discounting (Ney, Essen & Kneser 1994)
 * with discount D = 0.75, down to a uniform distribution over the
 * vocabulary:
 *   p_k(y | h_k) = max(c(h_k y) - D, 0) / c(h_k)
 *                + D * N1+(h_k) / c(h_k) * p_{k-1}(y | h_{k-1})
 * where h_k are the last k characters, c(h_k) the times h_k was followed by
 * anything, N1+(h_k) the number of distinct characters that followed it; an
 * unseen h_k falls back to p_{k-1}. Every p_k sums to 1 over the
 * vocabulary. Contexts are padded with stop tokens like the MLP's, so the
 * start of a word is a context too. */
#ifndef MM_NGRAM_H
#define MM_NGRAM_H

#include <stdint.h>

#include "dataset.h"

/* A context of up to 5 characters of 12 bits each (MM_MAX_VOCAB = 4096),
 * plus its length, packs into one 64-bit hash key. */
#define MM_NGRAM_MAX_ORDER 6
#define MM_NGRAM_DISCOUNT 0.75

typedef struct {
    uint64_t *keys; /* 0: empty slot */
    uint32_t *vals;
    size_t cap, used;
} mm_hash;

typedef struct {
    int order;           /* n: contexts of n-1 characters */
    int V;
    mm_hash ctx;         /* (length, context) -> context number */
    mm_hash pair;        /* (context number, next) -> count */
    uint32_t *total;     /* (contexts) c(h) */
    uint32_t *distinct;  /* (contexts) N1+(h) */
    size_t ncontexts, cap_contexts;
} mm_ngram;

/* Counts the words of the training split of d (built from w with v). */
mm_status mm_ngram_build(mm_ngram *g, int order, const mm_words *w, const mm_vocab *v,
                         const mm_dataset *d, mm_err *err);
void mm_ngram_free(mm_ngram *g);
/* p(y | hist), hist the last order-1 ids, oldest first. */
double mm_ngram_prob(const mm_ngram *g, const int *hist, int y);
/* out[i] = p(target of example i | its history) for every example of the
 * split, in the split's order (histories taken from the words, so they may
 * be longer than the MLP's block size). */
mm_status mm_ngram_split_probs(const mm_ngram *g, const mm_words *w, const mm_vocab *v,
                               const mm_dataset *d, int split, double *out, mm_err *err);

#endif
