#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca.h"
#include "kind.h"
#include "plot.h"

#define BLUE "#1f77b4"
#define ORANGE "#ff7f0e"
#define GREEN "#2ca02c"
#define RED "#d62728"
#define GREY "#7f7f7f"

/* Hands the finished document to out and frees the builder. */
static mm_status finish(mm_svg *s, mm_sbuf *out, mm_status st, mm_err *err)
{
    mm_svg_end(s);
    if (!st && s->out.oom) st = mm_fail(err, MM_ENOMEM, "out of memory while drawing");
    if (st) {
        mm_svg_free(s);
        return st;
    }
    *out = s->out;
    return MM_OK;
}

static double *log10_of(const double *v, size_t n)
{
    double *r = malloc((n ? n : 1) * sizeof *r);
    if (r)
        for (size_t i = 0; i < n; i++) r[i] = v[i] > 0 ? log10(v[i]) : NAN;
    return r;
}

mm_status mm_fig_loss(mm_sbuf *out, const mm_losslog *log, mm_err *err)
{
    double *y = log10_of(log->loss, log->n), *tr = log10_of(log->train_loss, log->neval);
    double *dv = log10_of(log->dev_loss, log->neval);
    if (!y || !tr || !dv) {
        free(y); free(tr); free(dv);
        return mm_fail(err, MM_ENOMEM, "out of memory for the loss plot");
    }
    size_t window = log->n / 200 > 1 ? log->n / 200 : 1;
    char raw_label[64], smooth_label[64];
    snprintf(raw_label, sizeof raw_label, "minibatch loss%s", log->n > 4000 ? " (a sample)" : "");
    snprintf(smooth_label, sizeof smooth_label, "moving mean over %zu steps", window);
    mm_series se[4] = {
        {MM_SERIES_POINTS, log->step, y, log->n, raw_label, {"#9ecae1", 0, 0.5, MM_MARK_DOT, 1.2}, 0, 4000},
        {MM_SERIES_LINE, log->step, y, log->n, smooth_label, {BLUE, 2.2, 0, MM_MARK_NONE, 0}, window, 1500},
        {MM_SERIES_POINTS, log->eval_step, tr, log->neval, "train split", {GREEN, 0, 0, MM_MARK_SQUARE, 3.5}, 0, 0},
        {MM_SERIES_POINTS, log->eval_step, dv, log->neval, "dev split", {RED, 0, 0, MM_MARK_RING, 4.5}, 0, 0},
    };
    mm_axes_opts o = {"Training loss", "step", "log10(loss)", {0, 0}, {0, 0}, MM_TOP_RIGHT};
    mm_svg s;
    mm_svg_begin(&s, "loss", 820, 460, "Training loss: log10 of the loss against step");
    mm_status st = mm_plot_lines(&s, mm_plot_box(820, 460), &o, se, 4, err);
    free(y); free(tr); free(dv);
    return finish(&s, out, st, err);
}

/* The embedding's first V rows (a kind may add a padding row) and its width. */
static int embedding_width(const mm_model *m) { return m->tensors[m->embedding].shape[1]; }

/* Words drawn in the embedding figure: the likeliest (the first ids), as
 * thousands of labels would cover each other. */
#define FIG_WORDS 300

/* The first V rows of the embedding (all ids, or the likeliest words). */
static mm_status embedding_panels(mm_svg *s, const mm_model *m, const char *const *labels, int V, int W)
{
    const int E = embedding_width(m);
    double *x = malloc((size_t)V * sizeof *x), *y = malloc((size_t)V * sizeof *y);
    double *pc = malloc(2 * (size_t)V * sizeof *pc);
    if (!x || !y || !pc) { free(x); free(y); free(pc); return MM_ENOMEM; }
    const float *C = mm_model_param(m, m->embedding);
    for (int v = 0; v < V; v++) {
        x[v] = C[(size_t)v * E];
        y[v] = E > 1 ? C[(size_t)v * E + 1] : 0.0;
    }
    double half = E > 2 ? W / 2.0 : W;
    mm_axes_opts o = {E > 1 ? "Embedding dimensions 0 and 1" : "Embedding (one dimension)",
                      "C[:, 0]", E > 1 ? "C[:, 1]" : "", {0, 0}, {0, 0}, MM_TOP_RIGHT};
    mm_plot_scatter(s, (mm_box){70, 42, half - 20, 560 - 56.0}, &o, x, y, labels, (size_t)V, BLUE);
    mm_status st = MM_OK;
    if (E > 2) {
        double frac[2];
        st = mm_pca2(C, V, E, pc, frac, NULL);
        if (!st) {
            for (int v = 0; v < V; v++) { x[v] = pc[2 * v]; y[v] = pc[2 * v + 1]; }
            char title[96];
            snprintf(title, sizeof title, "PCA of all %d dimensions (%.0f%% + %.0f%% of variance)%s", E,
                     100 * frac[0], 100 * frac[1], V < m->cfg.vocab_size ? " of these words" : "");
            mm_axes_opts p = {title, "principal component 1", "principal component 2", {0, 0}, {0, 0}, MM_TOP_RIGHT};
            mm_plot_scatter(s, (mm_box){half + 70, 42, W - 20.0, 560 - 56.0}, &p, x, y, labels, (size_t)V, ORANGE);
        }
    }
    free(x); free(y); free(pc);
    return st;
}

mm_status mm_fig_embedding(mm_sbuf *out, const mm_model *m, const mm_vocab *v, mm_err *err)
{
    if (m->embedding < 0 || m->tensors[m->embedding].ndim != 2)
        return mm_fail(err, MM_EINVAL, "a %s model has no character embedding to draw", m->kind->name);
    const int V = v->words && m->cfg.vocab_size > FIG_WORDS ? FIG_WORDS : m->cfg.vocab_size;
    const int E = embedding_width(m);
    const char **labels = malloc((size_t)V * sizeof *labels);
    if (!labels) return mm_fail(err, MM_ENOMEM, "out of memory for the embedding plot");
    for (int i = 0; i < V; i++) labels[i] = mm_vocab_token(v, i);
    int W = E > 2 ? 1100 : 600;
    mm_svg s;
    char title[96];
    if (V < m->cfg.vocab_size)
        snprintf(title, sizeof title, "Word embeddings: the %d likeliest tokens of %d", V, m->cfg.vocab_size);
    mm_svg_begin(&s, "embedding", W, 560, V < m->cfg.vocab_size ? title : v->words ? "Word embeddings" : "Character embeddings");
    mm_status st = embedding_panels(&s, m, labels, V, W);
    if (st) st = mm_fail(err, st, "out of memory for the embedding plot");
    free(labels);
    return finish(&s, out, st, err);
}

mm_status mm_fig_lrfind(mm_sbuf *out, const mm_lrfind *f, mm_err *err)
{
    size_t n = (size_t)f->n;
    if (n == 0 || f->count < 2) return mm_fail(err, MM_EINVAL, "the learning-rate sweep has no steps to plot");
    /* The y range follows the smoothed curve (and the lowest raw loss), so a
     * few huge raw losses at either end do not squash the valley flat. */
    mm_range yr = mm_range_of(f->smooth, n, 0.0);
    for (size_t i = 0; i < n; i++) yr.lo = fmin(yr.lo, f->loss[i]);
    double ends[2] = {yr.lo, yr.hi};
    yr = mm_range_of(ends, 2, 0.06);
    double sx[2] = {f->lr_exp[f->best], f->lr_exp[f->best]}, vy[2] = {yr.lo, yr.hi};
    char sug_label[64];
    snprintf(sug_label, sizeof sug_label, "suggested lr %.3g (lowest smoothed loss)", f->suggested_lr);
    mm_series se[3] = {
        {MM_SERIES_LINE, f->lr_exp, f->loss, n, "loss of each step", {"#9ecae1", 1.0, 0.9, MM_MARK_NONE, 0}, 0, 0},
        {MM_SERIES_LINE, f->lr_exp, f->smooth, n, "moving mean", {BLUE, 2.4, 0, MM_MARK_NONE, 0}, 0, 0},
        {MM_SERIES_LINE, sx, vy, 2, sug_label, {RED, 2.0, 0, MM_MARK_NONE, 0}, 0, 0},
    };
    mm_axes_opts o = {"Learning-rate sweep", "log10(learning rate)", "loss",
                      {f->lr_exp[0], f->lr_exp[f->count - 1]}, yr, MM_BOTTOM_LEFT};
    mm_svg s;
    mm_svg_begin(&s, "lr_find", 820, 460, "Loss against log10 of the learning rate, one step each");
    mm_status st = mm_plot_lines(&s, mm_plot_box(820, 460), &o, se, 3, err);
    return finish(&s, out, st, err);
}
