#include "mix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "sample.h"

mm_status mm_model_target_probs(const mm_model *m, const mm_split *s, double *out, mm_err *err)
{
    mm_sampler sm;
    mm_sample_opts o = {1.0, 0, 1};
    mm_status st = mm_sampler_build(&sm, m, &o, err);
    if (st) return st;
    const int T = s->T;
    int *ctx = malloc((size_t)T * sizeof *ctx);
    if (!ctx) {
        mm_sampler_free(&sm);
        return mm_fail(err, MM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < s->n && !st; i++) {
        for (int t = 0; t < T; t++) ctx[t] = s->X[i * T + t];
        if (mm_sampler_probs(&sm, ctx))
            st = mm_fail(err, MM_ENUMERIC, MM_LOGITS_NOT_FINITE);
        else
            out[i] = sm.probs[s->Y[i]];
    }
    free(ctx);
    mm_sampler_free(&sm);
    return st;
}

double mm_mix_loss(const double *a, const double *b, size_t n, double w)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum -= log(w * a[i] + (1.0 - w) * b[i]);
    return n ? sum / (double)n : NAN;
}

double mm_mix_fit(const double *a, const double *b, size_t n)
{
    const double g = (sqrt(5.0) - 1.0) / 2.0;
    double lo = 0.0, hi = 1.0;
    double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
    double f1 = mm_mix_loss(a, b, n, x1), f2 = mm_mix_loss(a, b, n, x2);
    while (hi - lo > 1e-9) {
        if (f1 <= f2) {
            hi = x2; x2 = x1; f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = mm_mix_loss(a, b, n, x1);
        } else {
            lo = x1; x1 = x2; f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = mm_mix_loss(a, b, n, x2);
        }
    }
    double w = (lo + hi) / 2;
    /* the minimum of a convex function on [0,1] may sit on an end */
    double fw = mm_mix_loss(a, b, n, w);
    if (mm_mix_loss(a, b, n, 0.0) < fw) return 0.0;
    if (mm_mix_loss(a, b, n, 1.0) < fw) return 1.0;
    return w;
}

/* Per-example probabilities of both models on one split. */
static mm_status split_probs(const mm_model *m, const mm_ngram *g, const mm_words *w, const mm_vocab *v,
                             const mm_dataset *d, int split, double **a, double **b, mm_err *err)
{
    size_t n = d->split[split].n;
    *a = malloc((n ? n : 1) * sizeof **a);
    *b = malloc((n ? n : 1) * sizeof **b);
    if (!*a || !*b) return mm_fail(err, MM_ENOMEM, "out of memory for %zu probabilities", n);
    mm_status st = mm_model_target_probs(m, &d->split[split], *a, err);
    if (!st) st = mm_ngram_split_probs(g, w, v, d, split, *b, err);
    return st;
}

mm_status mm_mix_run(const mm_model *m, const mm_words *w, const mm_vocab *v, const mm_dataset *d,
                     int order, int with_test, mm_mix_result *r, mm_err *err)
{
    memset(r, 0, sizeof *r);
    r->order = order;
    if (m->kind->layout != MM_LAYOUT_CONTEXT)
        return mm_fail(err, MM_EINVAL, "a %s model predicts from the whole item so far, not from a context of "
                       "the last characters as the n-gram does: only context models mix", m->kind->name);
    for (int s = 0; s < MM_NSPLITS; s++) r->mlp_loss[s] = r->ngram_loss[s] = r->mix_loss[s] = NAN;
    if (d->split[MM_DEV].n == 0) return mm_fail(err, MM_EINVAL, "--mix-ngram needs a non-empty dev split to fit its weight");
    mm_ngram g;
    mm_status st = mm_ngram_build(&g, order, w, v, d, err);
    if (st) return st;
    int splits[3] = {MM_DEV, MM_TRAIN, MM_TEST}; /* dev first: it fixes the weight */
    for (int k = 0; k < (with_test ? 3 : 2) && !st; k++) {
        int s = splits[k];
        double *a = NULL, *b = NULL;
        st = split_probs(m, &g, w, v, d, s, &a, &b, err);
        if (!st) {
            size_t n = d->split[s].n;
            if (s == MM_DEV) r->weight = mm_mix_fit(a, b, n);
            r->mlp_loss[s] = mm_mix_loss(a, b, n, 1.0);
            r->ngram_loss[s] = mm_mix_loss(a, b, n, 0.0);
            r->mix_loss[s] = mm_mix_loss(a, b, n, r->weight);
        }
        free(a);
        free(b);
    }
    mm_ngram_free(&g);
    return st;
}
