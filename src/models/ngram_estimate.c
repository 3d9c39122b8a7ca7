/* The estimates of ngram.h from the counts of ngram.c: continuation counts
 * and discounts (finish), single probabilities and whole distributions. */
#include "ngram.h"

#include <stdlib.h>
#include <string.h>

/* Adjusted counts: continuation counts summed from the next order up, then
 * raw counts where nothing can precede the n-gram. */
static void adjust_counts(mm_ngram *g)
{
    const int n1 = g->order - 1;
    memset(g->adj, 0, g->npairs * sizeof *g->adj);
    for (size_t p = 0; p < g->npairs; p++) {
        uint32_t v = g->pnode[p];
        if (g->len[v] == 0) continue;
        /* the suffix (h_{k-1}, y) gains one distinct left extension */
        long q = mm_ngram_pair(g, g->parent[v], g->py[p]);
        g->adj[q]++;
    }
    for (size_t p = 0; p < g->npairs; p++) {
        uint32_t v = g->pnode[p];
        if (g->len[v] == n1 || (g->len[v] > 0 && g->first[v] == 0)) g->adj[p] = g->raw[p];
    }
}

static void discounts(mm_ngram *g)
{
    for (size_t p = 0; p < g->npairs; p++) {
        uint32_t v = g->pnode[p];
        uint64_t a = g->adj[p];
        g->adj_total[v] += (double)a;
        g->nj[3 * (size_t)v + (a >= 3 ? 2 : a - 1)]++;
        if (a <= 4) g->coc[g->len[v]][a]++;
    }
    for (int k = 0; k < g->order; k++) {
        double n[5];
        for (int j = 0; j < 5; j++) n[j] = (double)g->coc[k][j];
        double Y = n[1] + 2 * n[2] > 0 ? n[1] / (n[1] + 2 * n[2]) : 0.0;
        /* a discount of 0 would leave the orders below no weight, and ids
         * unseen after a context a probability of 0 */
        double fallback = Y > 0 ? Y : 0.5;
        g->disc[k][0] = 0;
        for (int j = 1; j <= 3; j++) {
            double d = n[j] > 0 ? j - (j + 1) * Y * n[j + 1] / n[j] : fallback;
            g->disc[k][j] = d <= 0 ? fallback : d > j ? j : d;
        }
    }
}

/* succ: the pairs grouped by node (a counting sort). */
static int successors(mm_ngram *g)
{
    g->succ_start = calloc(g->nnodes + 1, sizeof *g->succ_start);
    g->succ = malloc((g->npairs ? g->npairs : 1) * sizeof *g->succ);
    if (!g->succ_start || !g->succ) return -1;
    for (size_t p = 0; p < g->npairs; p++) g->succ_start[g->pnode[p] + 1]++;
    for (size_t v = 0; v < g->nnodes; v++) g->succ_start[v + 1] += g->succ_start[v];
    size_t *at = malloc((g->nnodes ? g->nnodes : 1) * sizeof *at);
    if (!at) return -1;
    memcpy(at, g->succ_start, g->nnodes * sizeof *at);
    for (size_t p = 0; p < g->npairs; p++) g->succ[at[g->pnode[p]]++] = (uint32_t)p;
    free(at);
    return 0;
}

mm_status mm_ngram_finish(mm_ngram *g, mm_err *err)
{
    if (g->finished) return MM_OK;
    if (g->smoothing == MM_NGRAM_KN) {
        g->adj = malloc((g->npairs ? g->npairs : 1) * sizeof *g->adj);
        g->adj_total = calloc(g->nnodes, sizeof *g->adj_total);
        g->nj = calloc(3 * g->nnodes, sizeof *g->nj);
        if (!g->adj || !g->adj_total || !g->nj) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
        adjust_counts(g);
        discounts(g);
    }
    if (successors(g)) return mm_fail(err, MM_ENOMEM, "out of memory for n-gram counts");
    g->finished = 1;
    return MM_OK;
}

/* Node v's interpolation weight of the order below, and its share of
 * pair p's count (p < 0: y unseen after v). */
static double lower_weight(const mm_ngram *g, uint32_t v)
{
    if (g->smoothing == MM_NGRAM_ABS)
        return MM_NGRAM_DISCOUNT * g->distinct[v] / (double)g->total[v];
    const double *D = g->disc[g->len[v]];
    const uint32_t *n = g->nj + 3 * (size_t)v;
    return (D[1] * n[0] + D[2] * n[1] + D[3] * n[2]) / g->adj_total[v];
}

static double own_share(const mm_ngram *g, uint32_t v, long p)
{
    if (p < 0) return 0.0;
    if (g->smoothing == MM_NGRAM_ABS) {
        double c = (double)g->raw[p];
        return (c > MM_NGRAM_DISCOUNT ? c - MM_NGRAM_DISCOUNT : 0.0) / (double)g->total[v];
    }
    uint64_t a = g->adj[p];
    double d = g->disc[g->len[v]][a >= 3 ? 3 : a];
    return ((double)a - d) / g->adj_total[v];
}

/* The nodes of h_0 .. h_K for hist, K the longest seen; returns K + 1. */
static int context_nodes(const mm_ngram *g, const int *hist, uint32_t *nodes)
{
    const int n1 = g->order - 1;
    nodes[0] = 0;
    int k = 1;
    for (; k <= n1; k++) {
        long v = mm_ngram_child(g, nodes[k - 1], hist[n1 - k]);
        if (v < 0) break; /* a longer context is unseen too */
        nodes[k] = (uint32_t)v;
    }
    return k;
}

double mm_ngram_prob(const mm_ngram *g, const int *hist, int y)
{
    uint32_t nodes[MM_NGRAM_MAX_ORDER];
    const int K = g->total[0] ? context_nodes(g, hist, nodes) : 0;
    double p = 1.0 / g->V;
    for (int k = 0; k < K; k++) {
        uint32_t v = nodes[k];
        /* the same operations, in the same order, as the character mixture
         * always did: its numbers stay bit for bit */
        p = own_share(g, v, mm_ngram_pair(g, v, y)) + lower_weight(g, v) * p;
    }
    return p;
}

void mm_ngram_root_dist(const mm_ngram *g, double *p0)
{
    /* node 0 is the empty context; with nothing counted, uniform */
    const double lw = g->total[0] ? lower_weight(g, 0) : 1.0;
    for (int y = 0; y < g->V; y++) p0[y] = lw / g->V;
    if (!g->total[0]) return;
    for (size_t s = g->succ_start[0]; s < g->succ_start[1]; s++) {
        long q = (long)g->succ[s];
        p0[g->py[q]] += own_share(g, 0, q);
    }
}

size_t mm_ngram_dist_sparse(const mm_ngram *g, const int *hist, double *scale, double *acc, int32_t *touched)
{
    uint32_t nodes[MM_NGRAM_MAX_ORDER];
    const int K = g->total[0] ? context_nodes(g, hist, nodes) : 0;
    /* p_{K-1} = sum_k coef_{k+1} share_k + coef_0 / V with coef_K = 1 and
     * coef_k = coef_{k+1} gamma_k; the root's terms are coef_1 p_0 */
    double coef[MM_NGRAM_MAX_ORDER + 1];
    coef[K] = 1.0;
    for (int k = K - 1; k >= 1; k--) coef[k] = coef[k + 1] * lower_weight(g, nodes[k]);
    *scale = K >= 1 ? coef[1] : 1.0;
    size_t n = 0;
    for (int k = 1; k < K; k++) {
        uint32_t v = nodes[k];
        for (size_t s = g->succ_start[v]; s < g->succ_start[v + 1]; s++) {
            long q = (long)g->succ[s];
            int y = g->py[q];
            /* every id seen after h_k was seen after h_1: h_1's successors
             * list each touched id once */
            if (k == 1) touched[n++] = y;
            acc[y] += coef[k + 1] * own_share(g, v, q);
        }
    }
    return n;
}

void mm_ngram_dist(const mm_ngram *g, const int *hist, double *p)
{
    double scale;
    int32_t *touched = malloc((size_t)g->V * sizeof *touched);
    double *acc = calloc((size_t)g->V, sizeof *acc);
    if (!touched || !acc) { /* the slow way round: each id alone */
        for (int y = 0; y < g->V; y++) p[y] = mm_ngram_prob(g, hist, y);
    } else {
        mm_ngram_root_dist(g, p);
        mm_ngram_dist_sparse(g, hist, &scale, acc, touched);
        for (int y = 0; y < g->V; y++) p[y] = scale * p[y] + acc[y];
    }
    free(touched);
    free(acc);
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

mm_status mm_ngram_split_probs(const mm_ngram *g, const mm_split *s, double *out, mm_err *err)
{
    probs_ctx c = {g, out};
    return mm_ngram_walk(s, g->order - 1, on_eval_event, &c, err);
}
