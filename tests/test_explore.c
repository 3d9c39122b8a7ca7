/* The exploring modules: n-gram model and mixing, PCA, the learning-rate
 * finder's CSV and rule, the training-log reader, the sweep's draws and
 * tables, and the report page. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "figures.h"
#include "losslog.h"
#include "lrfind.h"
#include "mix.h"
#include "ngram.h"
#include "pca.h"
#include "report.h"
#include "sweep.h"
#include "check.h"

static const char *WORDS = "anna\nann\nbob\nabba\nbab\nnab\nana\nbanana\nnan\nab\n";

typedef struct {
    mm_words w;
    mm_vocab v;
    mm_dataset d;
} corpus;

static int corpus_build(corpus *c, const char *text, int T)
{
    mm_err e;
    return mm_words_parse(&c->w, text, strlen(text), "mem", &e) || mm_vocab_build(&c->v, &c->w, "mem", &e) ||
           mm_dataset_build(&c->d, &c->w, &c->v, &(mm_data_opts){.T = T, .split_seed = 42}, "mem", &e);
}

static void corpus_free(corpus *c)
{
    mm_dataset_free(&c->d);
    mm_vocab_free(&c->v);
    mm_words_free(&c->w);
}

static void test_ngram(void)
{
    corpus c;
    mm_err e;
    CHECK(corpus_build(&c, WORDS, 3) == 0, "a small corpus builds");
    for (int order = 1; order <= 4; order++) {
        mm_ngram g;
        CHECK(mm_ngram_build(&g, order, MM_NGRAM_ABS, c.v.size, &c.d.split[MM_TRAIN], &e) == MM_OK, "order %d counts", order);
        double worst = 0;
        int hists[4][3] = {{0, 0, 0}, {0, 1, 2}, {2, 2, 2}, {3, 3, 1}}; /* seen and unseen */
        for (int h = 0; h < 4; h++) {
            double sum = 0;
            int *hist = hists[h] + (3 - (order - 1));
            for (int y = 0; y < c.v.size; y++) sum += mm_ngram_prob(&g, hist, y);
            worst = fmax(worst, fabs(sum - 1));
        }
        CHECK(worst < 1e-12, "order %d: p(.|h) sums to 1 for seen and unseen h (worst %.1e)", order, worst);
        mm_ngram_free(&g);
    }
    /* unigram by hand: the training split's targets, discounted toward uniform */
    mm_ngram g;
    mm_ngram_build(&g, 1, MM_NGRAM_ABS, c.v.size, &c.d.split[MM_TRAIN], &e);
    const mm_split *s = &c.d.split[MM_TRAIN];
    long cnt[8] = {0}, distinct = 0;
    for (size_t i = 0; i < s->n; i++) cnt[s->Y[i]]++;
    for (int y = 0; y < c.v.size; y++) distinct += cnt[y] > 0;
    double want = fmax(cnt[1] - 0.75, 0) / s->n + 0.75 * distinct / s->n / c.v.size;
    CHECK(fabs(mm_ngram_prob(&g, NULL, 1) - want) < 1e-12, "unigram p('a') = %.6f by hand (%.6f)",
          mm_ngram_prob(&g, NULL, 1), want);
    double *p = malloc(s->n * sizeof *p);
    CHECK(mm_ngram_split_probs(&g, s, p, &e) == MM_OK && fabs(p[0] - mm_ngram_prob(&g, NULL, s->Y[0])) < 1e-15,
          "split probabilities follow the examples' targets");
    free(p);
    mm_ngram_free(&g);
    CHECK(mm_ngram_build(&g, 7, MM_NGRAM_ABS, c.v.size, &c.d.split[MM_TRAIN], &e) == MM_EINVAL && strstr(e.msg, "order 7"),
          "order 7 refused: %s", e.msg);
    corpus_free(&c);
}

static void test_mix_fit(void)
{
    enum { N = 200 };
    double a[N], b[N];
    for (int i = 0; i < N; i++) { a[i] = 0.5; b[i] = 0.1; }
    CHECK(mm_mix_fit(a, b, N) == 1.0, "a model better everywhere gets all the weight");
    for (int i = 0; i < N; i++) { a[i] = i % 3 ? 0.6 : 0.02; b[i] = i % 3 ? 0.2 : 0.5; }
    double w = mm_mix_fit(a, b, N), best = 0, bestf = INFINITY;
    for (int k = 0; k <= 100000; k++) {
        double f = mm_mix_loss(a, b, N, k / 100000.0);
        if (f < bestf) { bestf = f; best = k / 100000.0; }
    }
    CHECK(fabs(w - best) < 2e-5 && w > 0 && w < 1, "golden section finds the interior minimum %.5f (grid %.5f)", w, best);
    CHECK(mm_mix_loss(a, b, N, w) <= fmin(mm_mix_loss(a, b, N, 0), mm_mix_loss(a, b, N, 1)),
          "the mixture is no worse than either model on the data it was fitted on");
}

static void test_pca(void)
{
    /* points along (1, 2, 0) with a smaller spread along (0, 0, 1) */
    enum { N = 50 };
    float X[N * 3];
    for (int i = 0; i < N; i++) {
        double t = (i - 24.5) / 10.0, u = ((i * 7) % 11 - 5) / 20.0;
        X[3 * i] = (float)(1 + t);
        X[3 * i + 1] = (float)(2 * t - 3);
        X[3 * i + 2] = (float)u;
    }
    double co[2 * N], frac[2];
    mm_err e;
    CHECK(mm_pca2(X, N, 3, co, frac, &e) == MM_OK, "PCA runs");
    /* along (1,2,0)/sqrt5 a step dt moves the projection by sqrt5 dt and y by 2 dt */
    double ratio = (co[2 * 49] - co[0]) / (X[3 * 49 + 1] - X[1]);
    CHECK(fabs(fabs(ratio) - sqrt(5.0) / 2) < 1e-5, "first axis is the long direction (%.6f = sqrt(5)/2)", ratio);
    CHECK(frac[0] > 0.95 && frac[0] + frac[1] > 0.999999, "variance shares %.4f + %.4f, all of it in two axes", frac[0], frac[1]);
    double dot = 0;
    for (int i = 0; i < N; i++) dot += co[2 * i] * co[2 * i + 1];
    CHECK(fabs(dot) < 1e-6, "the two projections are uncorrelated (%.1e)", dot);
    CHECK(mm_pca2(X, N, 1, co, frac, &e) == MM_EINVAL, "one dimension is refused");
}

static void test_losslog(void)
{
    const char *ok = "step,lr,loss,train_loss,dev_loss\n0,,,3.3,3.31\n1,0.1,3.2,,\n2,0.1,3.1,,\r\n2,,,3.0,3.05\n";
    mm_losslog l;
    mm_err e;
    CHECK(mm_losslog_parse(&l, ok, strlen(ok), "log.csv", &e) == MM_OK && l.n == 2 && l.neval == 2 &&
          l.loss[1] == 3.1 && l.dev_loss[1] == 3.05 && l.eval_step[0] == 0, "a log with step and eval rows (CRLF too)");
    CHECK(mm_losslog_add_eval(&l, 9, 1, 2, &e) == MM_OK && l.neval == 3 && l.eval_step[2] == 9, "an eval row appended in memory");
    mm_losslog_free(&l);
    const char *bad = "step,lr,loss,train_loss,dev_loss\n1,0.1,3.2,,\n2,x,3,,\n";
    CHECK(mm_losslog_parse(&l, bad, strlen(bad), "log.csv", &e) == MM_EFORMAT && strstr(e.msg, "log.csv:3:"),
          "a bad row is named by line: %s", e.msg);
    CHECK(mm_losslog_parse(&l, "a,b\n", 4, "log.csv", &e) == MM_EFORMAT, "a foreign header is refused");
}

static void test_lrfind_csv(void)
{
    const int n = 200;
    mm_sbuf b = {0};
    mm_sbuf_puts(&b, "step,lr_exp,lr,loss,smoothed_loss\n");
    for (int i = 0; i < n; i++) {
        double x = -3.0 + 3.0 * i / (n - 1);
        mm_sbuf_printf(&b, "%d,%.6f,%g,%.7g,0\n", i + 1, x, pow(10, x), (x + 0.7) * (x + 0.7) + 2 + 0.05 * ((i * 37) % 7 - 3));
    }
    mm_lrfind f;
    mm_err e;
    CHECK(mm_lrfind_parse(&f, mm_sbuf_str(&b), b.len, "lr_find.csv", &e) == MM_OK && f.n == n, "lr_find.csv read back");
    CHECK(fabs(log10(f.suggested_lr) + 0.7) < 0.1, "suggestion at the smoothed minimum: 10^%.3f (valley at 10^-0.7)", log10(f.suggested_lr));
    mm_sbuf out = {0};
    mm_lrfind_csv(&f, &out);
    mm_lrfind g;
    CHECK(mm_lrfind_parse(&g, mm_sbuf_str(&out), out.len, "again", &e) == MM_OK && g.best == f.best, "CSV round trip keeps the suggestion");
    mm_sbuf svg = {0};
    CHECK(mm_fig_lrfind(&svg, &f, &e) == MM_OK && strstr(mm_sbuf_str(&svg), "suggested lr"), "the sweep's figure draws");
    mm_sbuf_free(&svg);
    mm_lrfind_free(&g);
    mm_lrfind_free(&f);
    mm_sbuf_free(&out);
    mm_sbuf_free(&b);
    /* a sweep that diverged at its 5th step of 10 from 10^-3 to 10^0: the
     * message names 10^(-3 + 3 * 4/9), not the exponent as the rate */
    double exps[10];
    for (int i = 0; i < 10; i++) exps[i] = -3.0 + 3.0 * i / 9;
    mm_lrfind d = {.count = 10, .n = 4, .diverged = 1, .lr_exp = exps};
    char stop[256], want[64];
    mm_lrfind_stop(&d, stop, sizeof stop);
    snprintf(want, sizeof want, "step 5 (lr %.3g = 10^%.2f)", pow(10, exps[4]), exps[4]);
    CHECK(strstr(stop, want) != NULL, "the divergence message names the rate: %s", stop);
    d.diverged = 0;
    mm_lrfind_stop(&d, stop, sizeof stop);
    CHECK(stop[0] == 0, "no divergence, no message");
    mm_lrfind_config c = {.lo_exp = 0, .hi_exp = -1, .count = 100, .batch_size = 32};
    CHECK(mm_lrfind_config_check(&c, &e) == MM_EINVAL, "an empty range is refused: %s", e.msg);
}

static void test_sweep(void)
{
    mm_sweep_space s = {0.03, 0.5, 1, 1, 16, 256, 2, 8, 4, 24, 50, 400, 12000};
    mm_err e;
    int ok = 1, inv = 0;
    for (int id = 0; id < 200; id++) {
        mm_trial a, b;
        if (mm_sweep_draw(&s, 27, 5, 1000, id, &a, &e) || mm_sweep_draw(&s, 27, 5, 1000, id, &b, &e)) ok = 0;
        if (memcmp(&a, &b, offsetof(mm_trial, params)) || a.params > 12000 || a.lr < 0.03 || a.lr > 0.5 ||
            a.block < 2 || a.block > 8 || (a.batch & (a.batch - 1)) || a.batch < 16 || a.batch > 256)
            ok = 0;
        inv += a.inv;
    }
    CHECK(ok, "200 draws: repeatable per trial id, inside the ranges, at most 12000 parameters");
    CHECK(inv > 60 && inv < 140, "both schedules drawn (%d of 200 inv)", inv);
    mm_trial t[3];
    for (int i = 0; i < 3; i++) {
        mm_sweep_draw(&s, 27, 5, 1000, i, &t[i], &e);
        t[i].dev_loss = 2.5 - 0.1 * i;
        t[i].train_loss = 2.4;
    }
    t[1].dev_loss = NAN; /* a diverged trial */
    mm_sbuf csv = {0}, md = {0};
    mm_sweep_csv(t, 3, &csv);
    mm_trial *back;
    int n;
    CHECK(mm_sweep_parse(mm_sbuf_str(&csv), csv.len, "sweep.csv", &back, &n, &e) == MM_OK && n == 3 &&
          back[2].lr == t[2].lr && back[0].rate == t[0].rate && isnan(back[1].dev_loss), "sweep.csv round trip, exact rates");
    mm_sweep_setup su = {NULL, NULL, "names.txt", 42, 7, 1, 1000};
    mm_sweep_markdown(back, n, &su, &md);
    const char *m = mm_sbuf_str(&md), *r1 = strstr(m, "| 1 | 2.3000"), *r2 = strstr(m, "| 2 | 2.5000");
    CHECK(r1 && r2 && r1 < r2 && strstr(m, "| 3 | nan"), "Markdown sorted by dev loss, diverged last");
    CHECK(strstr(m, "makemore train -i names.txt --max-steps 1000") != NULL, "the best trial's command is given");
    free(back);
    mm_sbuf_free(&csv);
    mm_sbuf_free(&md);
    CHECK(mm_sweep_parse("x\n", 2, "sweep.csv", &back, &n, &e) == MM_EFORMAT, "a foreign CSV is refused");
    s.max_params = 100;
    CHECK(mm_sweep_space_check(&s, 27, &e) == MM_EINVAL, "an unreachable --max-params is refused: %s", e.msg);
}

static void test_report(void)
{
    mm_report *r = malloc(sizeof *r);
    mm_report_init(r, "run <1>");
    mm_report_add(r, MM_REP_CONFIG, "lr", "%g", 0.1);
    r->loss[0][0] = 3.3;
    mm_report_figure_add(r, "<svg id=\"a\"></svg>", "cap & more");
    const char *samples[2] = {"emma", "<b>"};
    r->samples = samples;
    r->nsamples = 2;
    mm_sbuf html = {0};
    mm_err e;
    CHECK(mm_report_html(r, &html, &e) == MM_OK, "report builds");
    const char *h = mm_sbuf_str(&html);
    CHECK(strstr(h, "<h1>run &lt;1&gt;</h1>") && strstr(h, "<td>3.3000</td><td>-</td>") && strstr(h, "<svg id=\"a\">") &&
          strstr(h, "<li>&lt;b&gt;</li>") && strstr(h, "cap &amp; more"), "title, losses, figure, samples, all escaped");
    mm_sbuf_free(&html);
    free(r);
}

/* The interactive panel goes in verbatim after the model; without it, the note. */
static void test_report_panel(void)
{
    mm_report *r = malloc(sizeof *r);
    mm_sbuf out;
    mm_err e;
    mm_report_init(r, "t");
    r->panel_html = "<div id=\"mm-panel\"></div>";
    r->model_base64 = "Zm9v";
    r->panel_note = "not this";
    CHECK(mm_report_html(r, &out, &e) == MM_OK &&
          strstr(mm_sbuf_str(&out), "<script type=\"application/octet-stream\" id=\"mm-model\">Zm9v</script>\n"
                                    "<div id=\"mm-panel\"></div>") && !strstr(mm_sbuf_str(&out), "not this"),
          "the report holds the model, then the panel");
    mm_sbuf_free(&out);
    r->panel_html = NULL;
    r->panel_note = "run make <web>";
    CHECK(mm_report_html(r, &out, &e) == MM_OK && strstr(mm_sbuf_str(&out), "<p>run make &lt;web&gt;</p>") &&
          !strstr(mm_sbuf_str(&out), "mm-model"), "without the panel, the report holds the note, escaped");
    mm_sbuf_free(&out);
    free(r);
}

int main(void)
{
    PLAN(42);
    test_ngram();
    test_mix_fit();
    test_pca();
    test_losslog();
    test_lrfind_csv();
    test_sweep();
    test_report();
    test_report_panel();
    return CHECK_DONE();
}
