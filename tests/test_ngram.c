/* The n-gram model (ngram.h) beyond tests/test_kn_ref.sh's reference
 * values: whole distributions equal single probabilities and sum to 1 for
 * every context the model holds, the top-order table rebuilds the model,
 * ids up to 2^22 (word vocabularies), both split layouts count the same,
 * and bad orders and vocabularies are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ngram.h"
#include "check.h"

/* Items of ids 1..4; make_split multiplies them by `scale` so ids can be
 * large. */
static const int ITEMS[][6] = {{1, 2, 3}, {2, 3}, {1, 1, 4}, {3, 2, 1, 2, 3}, {4}, {2, 2, 2, 2}, {1, 4, 3, 2}};
#define NITEMS ((int)(sizeof ITEMS / sizeof *ITEMS))

static int item_len(int i)
{
    int n = 0;
    while (n < 6 && ITEMS[i][n]) n++;
    return n;
}

/* The context layout (T ids) or the sequence layout (T = longest + 1). */
static void make_split(mm_split *s, int T, int sequence, int scale)
{
    memset(s, 0, sizeof *s);
    size_t n = 0;
    for (int i = 0; i < NITEMS; i++) n += sequence ? 1 : (size_t)item_len(i) + 1;
    s->T = T;
    s->ny = sequence ? T : 1;
    s->n = n;
    s->X = calloc(n * (size_t)T, sizeof *s->X);
    s->Y = malloc(n * (size_t)s->ny * sizeof *s->Y);
    size_t e = 0;
    for (int i = 0; i < NITEMS; i++) {
        int len = item_len(i);
        s->ntargets += (size_t)len + 1;
        if (sequence) {
            int32_t *x = s->X + e * (size_t)T, *y = s->Y + e * (size_t)T;
            for (int t = 0; t < T; t++) {
                x[t] = t >= 1 && t <= len ? ITEMS[i][t - 1] * scale : 0;
                y[t] = t < len ? ITEMS[i][t] * scale : t == len ? 0 : -1;
            }
            e++;
            continue;
        }
        for (int c = 0; c <= len; c++, e++) {
            for (int t = 0; t < T; t++) {
                int at = c - T + t;
                s->X[e * (size_t)T + t] = at >= 0 ? ITEMS[i][at] * scale : 0;
            }
            s->Y[e] = c < len ? ITEMS[i][c] * scale : 0;
        }
    }
}

static void free_split(mm_split *s)
{
    free(s->X);
    free(s->Y);
}

/* Every node's history, rebuilt from the trie, with the rest padded. */
static void node_hist(const mm_ngram *g, uint32_t v, int *h)
{
    const int n1 = g->order - 1;
    for (int k = 0; k < n1; k++) h[k] = 0;
    for (int k = n1 - g->len[v]; k < n1; k++, v = g->parent[v]) h[k] = g->first[v];
}

static void test_sums(int smoothing)
{
    const char *name = smoothing == MM_NGRAM_KN ? "kn" : "abs";
    mm_split s;
    make_split(&s, 5, 0, 1);
    for (int order = 1; order <= 6; order++) {
        mm_ngram g;
        mm_err e;
        if (mm_ngram_build(&g, order, smoothing, 5, &s, &e)) {
            CHECK(0, "%s order %d builds: %s", name, order, e.msg);
            continue;
        }
        double worst_sum = 0, worst_dist = 0, *p = malloc(5 * sizeof *p);
        for (size_t v = 0; v < g.nnodes; v++) {
            int h[MM_NGRAM_MAX_ORDER];
            node_hist(&g, (uint32_t)v, h);
            mm_ngram_dist(&g, h, p);
            double sum = 0;
            for (int y = 0; y < 5; y++) {
                sum += mm_ngram_prob(&g, h, y);
                worst_dist = fmax(worst_dist, fabs(p[y] - mm_ngram_prob(&g, h, y)));
            }
            worst_sum = fmax(worst_sum, fabs(sum - 1));
        }
        CHECK(worst_sum < 1e-12 && worst_dist < 1e-15, "%s order %d: p(.|h) sums to 1 for all %zu contexts (worst %.1e); "
              "whole distributions equal single probabilities (%.1e)", name, order, g.nnodes, worst_sum, worst_dist);
        free(p);
        mm_ngram_free(&g);
    }
    free_split(&s);
}

/* A model rebuilt from its top-order table gives the same probabilities;
 * so does one whose ids are scaled to near 2^22 (a vocabulary of words):
 * packed keys keep them apart. */
static void test_table_and_wide_ids(void)
{
    const int scale = 1000000, V = 4 * scale + 1; /* ids up to 4,000,000, near 2^22 */
    mm_split s, w;
    make_split(&s, 4, 0, 1);
    make_split(&w, 4, 0, scale);
    mm_ngram g, r, small, big;
    mm_err e;
    int ok = !mm_ngram_build(&g, 5, MM_NGRAM_KN, 5, &s, &e) && !mm_ngram_build(&small, 5, MM_NGRAM_KN, V, &s, &e) &&
             !mm_ngram_build(&big, 5, MM_NGRAM_KN, V, &w, &e);
    CHECK(ok, "order 5 over ids up to %d builds", 4 * scale);
    if (!ok) return;
    size_t n = mm_ngram_ntypes(&g);
    int32_t *ids = malloc(n * 5 * sizeof *ids);
    uint64_t *counts = malloc(n * sizeof *counts);
    mm_ngram_types(&g, ids, counts);
    uint64_t total = 0;
    mm_ngram_init(&r, 5, 5, MM_NGRAM_KN, &e);
    for (size_t i = 0; i < n; i++) {
        total += counts[i];
        mm_ngram_add(&r, ids + 5 * i, ids[5 * i + 4], counts[i], &e);
    }
    mm_ngram_finish(&r, &e);
    CHECK(total == s.n, "the table's counts add up to the %zu events (%llu in %zu rows)", s.n, (unsigned long long)total, n);
    double worst = 0, worst_big = 0;
    for (size_t i = 0; i < s.n; i++) {
        int h[4], hb[4];
        for (int t = 0; t < 4; t++) h[t] = s.X[i * 4 + t], hb[t] = w.X[i * 4 + t];
        for (int y = 0; y < 5; y++) {
            worst = fmax(worst, fabs(mm_ngram_prob(&g, h, y) - mm_ngram_prob(&r, h, y)));
            worst_big = fmax(worst_big, fabs(mm_ngram_prob(&small, h, y) - mm_ngram_prob(&big, hb, y * scale)));
        }
    }
    CHECK(worst == 0, "the rebuilt model's probabilities are the same bits (worst %.1e)", worst);
    CHECK(worst_big == 0 && big.nnodes == small.nnodes && big.npairs == small.npairs,
          "ids scaled up to %d: the same contexts, pairs and probabilities (worst %.1e)", 4 * scale, worst_big);
    free(ids);
    free(counts);
    mm_ngram_free(&g);
    mm_ngram_free(&r);
    mm_ngram_free(&small);
    mm_ngram_free(&big);
    free_split(&s);
    free_split(&w);
}

static void test_layouts(void)
{
    mm_split c, q;
    make_split(&c, 2, 0, 1);
    make_split(&q, 7, 1, 1);
    mm_ngram a, b;
    mm_err e;
    int ok = !mm_ngram_build(&a, 4, MM_NGRAM_KN, 5, &c, &e) && !mm_ngram_build(&b, 4, MM_NGRAM_KN, 5, &q, &e);
    CHECK(ok, "a 4-gram counts from contexts of 2 ids and from whole items");
    if (!ok) return;
    double pa[64], pb[64];
    CHECK(c.ntargets == q.ntargets && c.ntargets < 64, "both layouts have %zu targets", c.ntargets);
    mm_ngram_split_probs(&a, &c, pa, &e);
    mm_ngram_split_probs(&b, &q, pb, &e);
    double worst = 0;
    for (size_t i = 0; i < c.ntargets; i++) worst = fmax(worst, fabs(pa[i] - pb[i]));
    CHECK(worst == 0, "the same probabilities target by target, histories longer than the contexts (worst %.1e)", worst);
    /* a context that does not continue its item is refused */
    c.X[3 * 2 + 1] = 4;
    CHECK(mm_ngram_split_probs(&a, &c, pa, &e) == MM_EFORMAT, "a split out of item order is refused: %s", e.msg);
    mm_ngram_free(&a);
    mm_ngram_free(&b);
    free_split(&c);
    free_split(&q);
}

static void test_refusals(void)
{
    mm_ngram g;
    mm_err e;
    CHECK(mm_ngram_init(&g, 7, 10, MM_NGRAM_KN, &e) == MM_EINVAL && strstr(e.msg, "order 7"), "order 7: %s", e.msg);
    CHECK(mm_ngram_init(&g, 0, 10, MM_NGRAM_KN, &e) == MM_EINVAL, "order 0: %s", e.msg);
    CHECK(mm_ngram_init(&g, 3, MM_NGRAM_MAX_VOCAB + 1, MM_NGRAM_KN, &e) == MM_EINVAL, "V = 2^22 + 1: %s", e.msg);
    CHECK(mm_ngram_init(&g, 3, 10, MM_NGRAM_KN, &e) == MM_OK, "order 3 over 10 ids");
    int h[2] = {1, 10};
    CHECK(mm_ngram_add(&g, h, 2, 1, &e) == MM_EFORMAT, "a history id outside the vocabulary: %s", e.msg);
    CHECK(mm_ngram_add(&g, h, -1, 1, &e) == MM_EFORMAT, "a target id of -1: %s", e.msg);
    mm_ngram_free(&g);
}

int main(void)
{
    PLAN(2 * 6 + 4 + 4 + 6);
    test_sums(MM_NGRAM_KN);
    test_sums(MM_NGRAM_ABS);
    test_table_and_wide_ids();
    test_layouts();
    test_refusals();
    return CHECK_DONE();
}
