/* A smoothed n-gram model over token ids (characters or words), counted on
 * the training split: the baseline of Bengio et al. 2003 (its Table 1) and
 * the model their network is mixed with (section 4).
 *
 * Histories are padded with stop tokens like the context models' (id 0,
 * which never occurs inside an item), so the start of an item is a context
 * too. h_k below is the last k ids, p_{-1} the uniform distribution.
 *
 * Two estimates, both interpolated and both summing to 1 over the
 * vocabulary for every history:
 *   MM_NGRAM_ABS  absolute discounting (Ney, Essen & Kneser 1994), D = 0.75,
 *                 on raw counts c:
 *     p_k(y|h_k) = max(c(h_k y) - D, 0) / c(h_k) + D N1+(h_k .) / c(h_k) p_{k-1}(y|h_{k-1})
 *   MM_NGRAM_KN   interpolated modified Kneser-Ney (Chen & Goodman 1998,
 *                 section 3.5), on adjusted counts a:
 *     p_k(y|h_k) = (a(h_k y) - D_k(a)) / A(h_k) + gamma(h_k) p_{k-1}(y|h_{k-1})
 *     gamma(h_k) = (D_k1 N1(h_k .) + D_k2 N2(h_k .) + D_k3+ N3+(h_k .)) / A(h_k)
 *     A(h_k) = sum_y a(h_k y); N_j(h_k .) = the y with a(h_k y) = j (3+: >= 3).
 *   The adjusted count is the raw count at the top order and for an n-gram
 *   whose first id is the padding/start token (nothing can precede it, as
 *   KenLM treats <s>); otherwise the continuation count N1+(. h_k y), the
 *   number of distinct ids seen before h_k y. The discounts of each order
 *   come from its count-of-counts n_j of adjusted counts:
 *     Y = n1 / (n1 + 2 n2),  D_kj = j - (j + 1) Y n_{j+1} / n_j  (j = 1, 2, 3)
 *   at most j; a D_kj with n_j = 0, or that comes out <= 0, is Y instead
 *   (0.5 when Y is 0), so every id keeps a probability above 0.
 * An unseen h_k gives p_k = p_{k-1}. tests/ref/kn.py is an independent
 * Python version of the same definitions.
 *
 * Contexts are a trie of suffixes: the node of h_k is keyed by the node of
 * h_{k-1} and the id added in front, so a key holds any order with ids up
 * to 2^22 (word vocabularies of 2^20 and more). */
#ifndef MM_NGRAM_H
#define MM_NGRAM_H

#include <stdint.h>

#include "dataset.h"

#define MM_NGRAM_MAX_ORDER 6
#define MM_NGRAM_DISCOUNT 0.75
#define MM_NGRAM_ID_BITS 22
#define MM_NGRAM_MAX_VOCAB (1 << MM_NGRAM_ID_BITS)

typedef enum { MM_NGRAM_ABS = 0, MM_NGRAM_KN = 1 } mm_ngram_smoothing;

typedef struct {
    uint64_t *keys; /* 0: empty slot */
    uint32_t *vals;
    size_t cap, used;
} mm_hash;

typedef struct {
    int order;           /* n: histories of n-1 ids */
    int V;
    int smoothing;       /* mm_ngram_smoothing */
    int finished;        /* mm_ngram_finish ran: no more counts */
    mm_hash ctx;         /* (parent node, id in front) -> node; node 0 is the empty context */
    mm_hash pair;        /* (node, next id) -> pair */
    /* nodes (contexts) */
    size_t nnodes, cap_nodes;
    uint32_t *parent;    /* (nnodes) the node of the context less its oldest id */
    uint8_t *len;        /* (nnodes) k */
    int32_t *first;      /* (nnodes) the oldest id of the context */
    uint64_t *total;     /* (nnodes) c(h): raw counts of the events after h */
    uint32_t *distinct;  /* (nnodes) N1+(h .) */
    double *adj_total;   /* (nnodes) A(h) (KN) */
    uint32_t *nj;        /* (nnodes, 3) N1, N2, N3+ of adjusted counts (KN) */
    /* pairs (context, next id) */
    size_t npairs, cap_pairs;
    uint32_t *pnode;     /* (npairs) */
    int32_t *py;         /* (npairs) */
    uint64_t *raw;       /* (npairs) c(h y) */
    uint64_t *adj;       /* (npairs) a(h y) (KN) */
    /* successors by node, for whole distributions: pairs succ[succ_start[v] ..
     * succ_start[v+1]) are node v's */
    size_t *succ_start;  /* (nnodes + 1) */
    uint32_t *succ;      /* (npairs) */
    double disc[MM_NGRAM_MAX_ORDER][4]; /* (KN) D_kj, [k][0] = 0 */
    uint64_t coc[MM_NGRAM_MAX_ORDER][5]; /* (KN) n_j of adjusted counts, j = 1..4 */
} mm_ngram;

/* An empty model of order n (1..6) over V ids (2..2^22). */
mm_status mm_ngram_init(mm_ngram *g, int order, int V, int smoothing, mm_err *err);
/* Counts y after hist (order-1 ids, oldest first) count times. */
mm_status mm_ngram_add(mm_ngram *g, const int *hist, int y, uint64_t count, mm_err *err);
/* Counts every target of a split (either layout), histories taken from
 * the split's items (so longer than a context model's block if need be). */
mm_status mm_ngram_count_split(mm_ngram *g, const mm_split *s, mm_err *err);
/* After the counts: continuation counts, discounts, successor lists. */
mm_status mm_ngram_finish(mm_ngram *g, mm_err *err);
/* init + count_split(train) + finish. */
mm_status mm_ngram_build(mm_ngram *g, int order, int smoothing, int V, const mm_split *train, mm_err *err);
void mm_ngram_free(mm_ngram *g);

/* p(y | hist), hist the last order-1 ids, oldest first (finished model). */
double mm_ngram_prob(const mm_ngram *g, const int *hist, int y);
/* p(. | hist) for every id into p (V). */
void mm_ngram_dist(const mm_ngram *g, const int *hist, double *p);
/* The same in parts, for many histories: p_0 (V), the distribution of the
 * empty history, once; then for each history p(y) = *scale p_0(y) + acc[y],
 * where acc (V, zeros on entry) gains the ids seen after the history's
 * last id (and longer suffixes), listed once each in touched (V); returns
 * their count. The caller zeroes acc[touched[..]] again. */
void mm_ngram_root_dist(const mm_ngram *g, double *p0);
size_t mm_ngram_dist_sparse(const mm_ngram *g, const int *hist, double *scale, double *acc, int32_t *touched);
/* out[i] = p(i-th target of the split | its history), targets in the
 * order of the split's rows (ignored -1 targets skipped): as many as
 * s->ntargets. */
mm_status mm_ngram_split_probs(const mm_ngram *g, const mm_split *s, double *out, mm_err *err);

/* The top-order n-grams with their raw counts, which determine the whole
 * model: mm_ngram_add of each row rebuilds it. */
size_t mm_ngram_ntypes(const mm_ngram *g);
/* Row i of ntypes: hist[order-1], y, into ids (ntypes, order); counts (ntypes). */
void mm_ngram_types(const mm_ngram *g, int32_t *ids, uint64_t *counts);

/* For ngram_estimate.c: the node of context (id, node's context), and
 * the pair (node, y); -1 if unseen. */
long mm_ngram_child(const mm_ngram *g, uint32_t node, int id);
long mm_ngram_pair(const mm_ngram *g, uint32_t node, int y);

/* Calls fn on every (history, target) of a split, in row order. */
typedef int (*mm_ngram_event_fn)(void *ctx, const int *hist, int y, size_t i);
mm_status mm_ngram_walk(const mm_split *s, int n1, mm_ngram_event_fn fn, void *ctx, mm_err *err);

#endif
