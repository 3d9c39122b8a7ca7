#include "mix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "sample.h"

#define SEQ_BATCH 16
#define CTX_BATCH 256

/* Context layout: the sampler's distributions, kept by context. */
static mm_status context_probs(const mm_model *m, const mm_split *s, double *out, mm_err *err)
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

/* softmax(row)[y] in double. */
static double row_prob(const float *row, int V, int y)
{
    double mx = row[0], sum = 0.0;
    for (int v = 1; v < V; v++) mx = row[v] > mx ? row[v] : mx;
    for (int v = 0; v < V; v++) sum += exp(row[v] - mx);
    return exp(row[y] - mx) / sum;
}

/* Batches of examples through the model's logits: every position of a
 * sequence kind's items, or a context kind's examples when the vocabulary
 * is too large for the sampler's one-context-at-a-time path to pay (word
 * contexts rarely repeat). */
static mm_status batched_probs(const mm_model *m, const mm_split *s, int nthreads, double *out, mm_err *err)
{
    const int batch = s->ny > 1 ? SEQ_BATCH : CTX_BATCH;
    mm_acts a;
    mm_status st = mm_acts_build(&a, &m->cfg, batch, err);
    if (st) return st;
    const int T = s->T, V = m->cfg.vocab_size, ny = s->ny > 1 ? s->ny : 1;
    size_t e = 0;
    for (size_t i = 0; i < s->n && !st; i += batch) {
        int B = s->n - i < (size_t)batch ? (int)(s->n - i) : batch;
        mm_model_logits(m, &a, s->X + i * (size_t)T, B, nthreads);
        for (size_t r = 0; r < (size_t)B * ny && !st; r++) {
            int y = s->Y[i * (size_t)ny + r];
            if (y < 0) continue;
            double p = row_prob(a.logits + r * (size_t)V, V, y);
            if (!isfinite(p)) st = mm_fail(err, MM_ENUMERIC, MM_LOGITS_NOT_FINITE);
            out[e++] = p;
        }
    }
    mm_acts_free(&a);
    return st;
}

mm_status mm_model_target_probs(const mm_model *m, const mm_split *s, int nthreads, double *out, mm_err *err)
{
    /* characters: the sampler's distributions by context, as always */
    if (m->kind->layout == MM_LAYOUT_CONTEXT && m->cfg.vocab_size <= MM_MAX_VOCAB)
        return context_probs(m, s, out, err);
    return batched_probs(m, s, nthreads, out, err);
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

/* Per-target probabilities of both models on one split. */
static mm_status split_probs(const mm_model *m, const mm_ngram *g, const mm_split *s, int with_model, int nthreads,
                             double **a, double **b, mm_err *err)
{
    size_t n = s->ntargets;
    *a = malloc((n ? n : 1) * sizeof **a);
    *b = malloc((n ? n : 1) * sizeof **b);
    if (!*a || !*b) return mm_fail(err, MM_ENOMEM, "out of memory for %zu probabilities", n);
    mm_status st = MM_OK;
    if (with_model) st = mm_model_target_probs(m, s, nthreads, *a, err);
    else for (size_t i = 0; i < n; i++) (*a)[i] = NAN;
    if (!st) st = mm_ngram_split_probs(g, s, *b, err);
    return st;
}

static mm_status check_opts(const mm_dataset *d, const mm_mix_opts *o, mm_err *err)
{
    if (isnan(o->weight) && d->split[MM_DEV].n == 0)
        return mm_fail(err, MM_EINVAL, "--mix-ngram needs a non-empty dev split to fit its weight (or a fixed --mix-weight)");
    if (!isnan(o->weight) && !(o->weight >= 0.0 && o->weight <= 1.0))
        return mm_fail(err, MM_EINVAL, "--mix-weight %g is outside [0, 1]", o->weight);
    return MM_OK;
}

mm_status mm_mix_run(const mm_model *m, const mm_dataset *d, const mm_mix_opts *o, unsigned splits, int nthreads,
                     mm_mix_result *r, mm_err *err)
{
    memset(r, 0, sizeof *r);
    r->order = o->order;
    r->smoothing = o->smoothing;
    r->fitted = isnan(o->weight);
    r->weight = r->fitted ? 0.0 : o->weight;
    for (int s = 0; s < MM_NSPLITS; s++) r->mlp_loss[s] = r->ngram_loss[s] = r->mix_loss[s] = NAN;
    mm_status st = check_opts(d, o, err);
    if (st) return st;
    mm_ngram g;
    st = mm_ngram_build(&g, o->order, o->smoothing, m->cfg.vocab_size, &d->split[MM_TRAIN], err);
    if (st) return st;
    if (r->fitted) splits |= 1u << MM_DEV;
    int order[3] = {MM_DEV, MM_TRAIN, MM_TEST}; /* dev first: it fixes the weight */
    for (int k = 0; k < 3 && !st; k++) {
        int s = order[k];
        if (!(splits & (1u << s))) continue;
        double *a = NULL, *b = NULL;
        /* a fixed weight of 0 is the n-gram alone: the model need not run */
        st = split_probs(m, &g, &d->split[s], r->fitted || r->weight > 0, nthreads, &a, &b, err);
        if (!st) {
            size_t n = d->split[s].ntargets;
            if (s == MM_DEV && r->fitted) r->weight = mm_mix_fit(a, b, n);
            r->mlp_loss[s] = mm_mix_loss(a, b, n, 1.0);
            r->ngram_loss[s] = mm_mix_loss(b, b, n, 1.0); /* log b exactly, a NAN or not */
            r->mix_loss[s] = r->weight > 0 ? mm_mix_loss(a, b, n, r->weight) : r->ngram_loss[s];
        }
        free(a);
        free(b);
    }
    mm_ngram_free(&g);
    return st;
}

const char *mm_ngram_smoothing_name(int smoothing)
{
    return smoothing == MM_NGRAM_KN ? "kn" : smoothing == MM_NGRAM_ABS ? "abs" : "?";
}

int mm_ngram_smoothing_parse(const char *name)
{
    return !strcmp(name, "kn") ? MM_NGRAM_KN : !strcmp(name, "abs") ? MM_NGRAM_ABS : -1;
}
