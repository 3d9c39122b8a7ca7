/* Driver for tests/test_kn_ref.sh: counts an n-gram (ngram.h) on a corpus of
 * ids and prints log p(y | h) for every y and every history the corpus has,
 * plus a few it has not, for tests/ref/kn.py to recompute.
 *   kn_probs ORDER V abs|kn FILE
 * FILE: one item a line, its ids (1..V-1) separated by spaces.
 * Output: one line a history, "h_1 .. h_{n-1} : logp_0 .. logp_{V-1}". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngram.h"

enum { MAX_IDS = 1 << 16, MAX_HISTS = 4096 };

/* The context layout of dataset.h for the items: contexts of T ids. */
static int build_split(mm_split *s, const int *ids, const int *len, int nitems, int T)
{
    size_t n = 0;
    for (int i = 0; i < nitems; i++) n += (size_t)len[i] + 1;
    s->T = T;
    s->ny = 1;
    s->n = s->ntargets = n;
    s->X = calloc(n * (size_t)T, sizeof *s->X);
    s->Y = malloc(n * sizeof *s->Y);
    if (!s->X || !s->Y) return -1;
    size_t e = 0;
    for (int i = 0; i < nitems; i++, ids += len[i - 1]) {
        for (int c = 0; c <= len[i]; c++, e++) {
            int32_t *x = s->X + e * (size_t)T;
            for (int t = 0; t < T; t++) {
                int at = c - T + t;
                x[t] = at >= 0 ? ids[at] : 0;
            }
            s->Y[e] = c < len[i] ? ids[c] : 0;
        }
    }
    return 0;
}

static int read_items(const char *path, int *ids, int *len, int *nitems)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[65536];
    int total = 0;
    *nitems = 0;
    while (fgets(line, sizeof line, f) && *nitems < MAX_HISTS) {
        int k = 0;
        for (char *p = strtok(line, " \n"); p && total < MAX_IDS; p = strtok(NULL, " \n")) ids[total++] = atoi(p), k++;
        if (k) len[(*nitems)++] = k;
    }
    fclose(f);
    return 0;
}

static void print_hist(const mm_ngram *g, const int *h, double *p)
{
    const int n1 = g->order - 1;
    for (int k = 0; k < n1; k++) printf("%d ", h[k]);
    printf(":");
    for (int y = 0; y < g->V; y++) printf(" %.17g", log(mm_ngram_prob(g, h, y)));
    printf("\n");
    (void)p;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: kn_probs ORDER V abs|kn FILE\n");
        return 2;
    }
    int order = atoi(argv[1]), V = atoi(argv[2]), sm = strcmp(argv[3], "kn") ? MM_NGRAM_ABS : MM_NGRAM_KN;
    static int ids[MAX_IDS], len[MAX_HISTS];
    int nitems;
    mm_split s = {0};
    mm_ngram g;
    mm_err err;
    if (read_items(argv[4], ids, len, &nitems) || build_split(&s, ids, len, nitems, order > 1 ? order - 1 : 1)) {
        fprintf(stderr, "kn_probs: cannot read %s\n", argv[4]);
        return 1;
    }
    if (mm_ngram_build(&g, order, sm, V, &s, &err)) {
        fprintf(stderr, "kn_probs: %s\n", err.msg);
        return 1;
    }
    const int n1 = order - 1, T = s.T;
    /* the histories of the corpus: each example's context, widened to n-1 */
    for (size_t e = 0; e < s.n; e++) {
        int h[MM_NGRAM_MAX_ORDER] = {0};
        for (int k = 0; k < n1 && k < T; k++) h[n1 - 1 - k] = s.X[e * (size_t)T + T - 1 - k];
        print_hist(&g, h, NULL);
    }
    /* and unseen ones: every id repeated, and a mix */
    for (int v = 0; v < V; v++) {
        int h[MM_NGRAM_MAX_ORDER];
        for (int k = 0; k < n1; k++) h[k] = (v + k * (k + 1)) % V;
        print_hist(&g, h, NULL);
    }
    mm_ngram_free(&g);
    free(s.X);
    free(s.Y);
    return 0;
}
