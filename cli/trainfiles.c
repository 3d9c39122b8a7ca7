#include "trainfiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "drawer.h"
#include "figures.h"
#include "kind.h"
#include "mix.h"
#include "report.h"
#include "runbuild.h"
#include "progress.h"

/* Where make web leaves the report's panel in this build's tree (the
 * Makefile says; the WebAssembly build has none). */
#ifndef MM_REPORT_PANEL
#define MM_REPORT_PANEL NULL
#endif
#define PANEL_MAX_BYTES (64u << 20)

#define SATURATION_THRESHOLD 0.97
#define SATURATION_EXAMPLES 10000
#define REPORT_SAMPLES 20

/* Writes the document in doc to DIR/name; returns 0 or the exit status. */
static int save_in(const char *dir, const char *name, const mm_sbuf *doc)
{
    char path[MM_MAX_PATH];
    mm_err err;
    if (cli_path(path, sizeof path, dir, name)) return cli_error("-o: path too long");
    if (mm_sbuf_save(doc, path, &err)) return cli_error("%s", err.msg);
    return 0;
}

int trainfiles_save_lrfind(const char *dir, const mm_lrfind *f)
{
    mm_sbuf csv = {0}, svg = {0};
    mm_err err;
    mm_lrfind_csv(f, &csv);
    int rc = save_in(dir, "lr_find.csv", &csv);
    if (!rc && f->n > 0) {
        if (mm_fig_lrfind(&svg, f, &err)) rc = cli_error("%s", err.msg);
        else rc = save_in(dir, "lr_find.svg", &svg);
    }
    mm_sbuf_free(&csv);
    mm_sbuf_free(&svg);
    return rc;
}

/* The sweep and the saturation measurement on a fresh copy of the run's
 * initial model. */
static int fresh_probe(trainfiles *t, const mm_run *r, const cli_data *d)
{
    mm_model m;
    mm_err err;
    if (mm_model_build(&m, &r->model.cfg, &err)) return cli_error("%s", err.msg);
    mm_rng g;
    mm_rng_seed_torch(&g, r->seed);
    mm_model_init(&m, (mm_init_kind)r->init_kind, &g);
    const mm_split *train = &d->data.split[MM_TRAIN];
    /* the lecture's saturation picture: of the tanh layer the kind shows
     * (the MLP's one; the deeper models' last) */
    t->have_sat = m.kind->hidden != NULL;
    if (t->have_sat &&
        mm_tanh_saturation(&m, train, SATURATION_EXAMPLES, SATURATION_THRESHOLD, t->nthreads, &t->sat, &err)) {
        mm_model_free(&m);
        return cli_error("%s", err.msg);
    }
    if (t->have_sat) fprintf(stderr, "init tanh saturation: %.1f%% of activations have |h| > %.2f, %.0f%% of units saturated "
            "on over 99%% of examples (%ld training examples)\n", 100 * t->sat.frac, t->sat.threshold,
            100 * t->sat.dead_units, t->sat.examples);
    int rc = 0;
    if (t->lrfind_count > 0 && train->n > 0) {
        /* the run's optimizer (plain SGD unless --optimizer says otherwise) */
        mm_lrfind_config c = {-3.0, 0.0, t->lrfind_count, r->train.batch_size, r->train.optim};
        double t0 = progress_now();
        if (mm_lrfind_run(&t->lr, &m, &c, train, &g, t->nthreads, &err)) {
            rc = cli_error("%s", err.msg);
        } else {
            t->have_lr = 1;
            t->lrfind_seconds = progress_now() - t0;
            char rule[256];
            mm_lrfind_rule(&t->lr, rule, sizeof rule);
            fprintf(stderr, "lr sweep (%d steps, 10^-3..10^0, lr_find.svg): suggests %s\n", t->lr.n, rule);
            rc = trainfiles_save_lrfind(t->workdir, &t->lr);
        }
    }
    mm_model_free(&m);
    return rc;
}

int trainfiles_before(trainfiles *t, const mm_run *r, const cli_data *d, int fresh)
{
    t->t_start = t->t_start ? t->t_start : progress_now();
    if (fresh) return fresh_probe(t, r, d);
    char path[MM_MAX_PATH];
    unsigned char *buf;
    size_t len;
    mm_err err;
    /* an earlier sweep in this folder still belongs in the report */
    if (!cli_path(path, sizeof path, t->workdir, "lr_find.csv") &&
        !mm_read_file(path, 1u << 28, &buf, &len, &err)) {
        t->have_lr = mm_lrfind_parse(&t->lr, (const char *)buf, len, path, &err) == MM_OK && t->lr.n > 0;
        free(buf);
    }
    return 0;
}

void trainfiles_free(trainfiles *t)
{
    if (t->have_lr) mm_lrfind_free(&t->lr);
    t->have_lr = 0;
}

/* log.csv read back, with the final whole-split losses added (in memory:
 * the file has them only where --eval-every hit the last step). */
static int final_log(trainfiles *t, const mm_run *r, mm_losslog *log)
{
    char path[MM_MAX_PATH];
    mm_err err;
    if (cli_path(path, sizeof path, t->workdir, "log.csv")) return cli_error("-o: path too long");
    if (mm_losslog_read(log, path, &err)) return cli_error("%s", err.msg);
    double step = (double)r->state.step;
    if ((log->neval == 0 || log->eval_step[log->neval - 1] != step) &&
        mm_losslog_add_eval(log, step, t->final_train, t->final_dev, &err)) {
        mm_losslog_free(log);
        return cli_error("%s", err.msg);
    }
    return 0;
}

/* Up to n items drawn as the end of training prints them, into out, each
 * with its mark (train, dev, test or new) in marks; *got of them: fewer
 * when the model's logits are not finite. */
static mm_status draw_samples(const mm_run *r, const cli_data *d, int n, char **out, const char **marks, int *got,
                              mm_err *err)
{
    *got = 0;
    mm_sample_opts o = {1.0, 0, 0};
    mm_itemset set;
    mm_drawer dr;
    mm_status st = mm_itemset_build(&set, &d->words, &d->data, err);
    if (st) return st;
    /* the lecture samples from seed + 10 */
    st = mm_drawer_build(&dr, &r->model, &r->vocab, &o, r->seed + 10, NULL, "samples", &set, err);
    if (st) {
        mm_itemset_free(&set);
        return st;
    }
    for (int i = 0; i < n; i++) {
        int split;
        const char *text = mm_drawer_next(&dr, &split);
        if (!text) break; /* the logits are not finite */
        if (!(out[i] = strdup(text))) {
            st = mm_fail(err, MM_ENOMEM, "out of memory for the report's samples");
            break;
        }
        marks[i] = mm_item_label(split);
        *got = i + 1;
    }
    mm_drawer_free(&dr);
    mm_itemset_free(&set);
    return st;
}

static void describe_schedule(char *out, size_t n, const mm_schedule *s)
{
    if (s->kind == MM_SCHED_STEP)
        snprintf(out, n, "step: %g, then %g from step %ld", s->lr, s->lr * s->decay, s->decay_step);
    else if (s->kind == MM_SCHED_INV)
        snprintf(out, n, "inv: %g / (1 + %g t)", s->lr, s->rate);
    else
        snprintf(out, n, "cosine: %g down to %g at step %ld", s->lr, s->min_lr, s->decay_step);
    if (s->warmup > 0) snprintf(out + strlen(out), n - strlen(out), ", after %ld warmup steps", s->warmup);
}

static const char *optimizer_name(const mm_optim *o)
{
    static const char *const names[] = {"SGD", "SGD with momentum", "AdamW"};
    return (int)o->kind >= 0 && (int)o->kind < 3 ? names[o->kind] : "?";
}

static void report_tables(mm_report *rep, const trainfiles *t, const mm_run *r, const cli_data *d)
{
    const mm_config *c = &r->model.cfg;
    const mm_dataset *ds = &d->data;
    char sched[160];
    describe_schedule(sched, sizeof sched, &r->train.sched);
    mm_report_add(rep, MM_REP_CONFIG, "input", "%s", r->input);
    mm_report_add(rep, MM_REP_CONFIG, "model", "%s: %s", r->model.kind->name, r->model.kind->summary);
    mm_report_add(rep, MM_REP_CONFIG, "optimizer", "%s", optimizer_name(&r->train.optim));
    mm_report_add(rep, MM_REP_CONFIG, "block size, embedding, hidden", "%d, %d, %d", c->block_size, c->n_embd, c->n_hidden);
    mm_report_add(rep, MM_REP_CONFIG, "steps, batch size", "%ld of %ld, batch %d", r->state.step, r->train.max_steps, r->train.batch_size);
    mm_report_add(rep, MM_REP_CONFIG, "learning rate", "%s", sched);
    mm_report_add(rep, MM_REP_CONFIG, "weight decay", "%g", r->train.optim.weight_decay);
    if (c->dropout > 0.0f) mm_report_add(rep, MM_REP_CONFIG, "dropout", "%g", (double)c->dropout);
    if (t->resume_changes && *t->resume_changes)
        mm_report_add(rep, MM_REP_CONFIG, "changed at --resume", "from step %ld: %s", t->resume_step,
                      t->resume_changes);
    mm_report_add(rep, MM_REP_CONFIG, "initialisation", "%s, seed %llu", r->init_kind == MM_INIT_SCALED ? "scaled" : "torch (lecture)",
                  (unsigned long long)r->seed);
    if (r->vocab.words)
        mm_report_add(rep, MM_REP_CONFIG, "tokens", "words (split at white space), those seen at least %d times in "
                      "%s; the others are <unk>%s", r->min_count ? r->min_count : 1,
                      r->vocab_all ? "the whole file" : "the training split",
                      r->stream ? "; each split one running text, without end tokens" : "");
    if (r->split_kind == MM_SPLIT_ORDERED)
        mm_report_add(rep, MM_REP_CONFIG, "split", "file order: train %zu, dev %zu, test %zu items (sizes %g/%g)",
                      d->data.nwords[MM_TRAIN], d->data.nwords[MM_DEV], d->data.nwords[MM_TEST], r->split_sizes[0],
                      r->split_sizes[1]);
    else if (r->split_kind == MM_SPLIT_MAKEMORE)
        mm_report_add(rep, MM_REP_CONFIG, "split", "makemore.py's: torch.manual_seed(%llu), torch.randperm(%zu), the last "
                      "%zu test, no dev", (unsigned long long)r->split_seed, d->words.nwords, d->data.nwords[MM_TEST]);
    else
        mm_report_add(rep, MM_REP_CONFIG, "split", "Python random.seed(%llu), 80/10/10 of %zu items",
                      (unsigned long long)r->split_seed, d->words.nwords);
    mm_report_add(rep, MM_REP_CONFIG, "threads", "%d", t->nthreads);
    mm_report_add(rep, MM_REP_RESULTS, "parameters", "%zu trainable", r->model.ntrainable);
    if (r->vocab.words)
        mm_report_add(rep, MM_REP_RESULTS, "vocabulary", "%d tokens: %d words, <unk> and the end </s>", r->vocab.size,
                      r->vocab.size - 2);
    else
        mm_report_add(rep, MM_REP_RESULTS, "vocabulary", "%d characters including the stop token '.'", r->vocab.size);
    mm_report_add(rep, MM_REP_RESULTS, "examples", "train %zu, dev %zu, test %zu", ds->split[MM_TRAIN].n,
                  ds->split[MM_DEV].n, ds->split[MM_TEST].n);
    if (t->have_sat)
        mm_report_add(rep, MM_REP_RESULTS, "tanh saturation at init", "%.1f%% of activations |h| > %.2f; %.0f%% of units saturated on >99%% of examples",
                      100 * t->sat.frac, t->sat.threshold, 100 * t->sat.dead_units);
    if (t->have_lr && t->lr.n > 0)
        mm_report_add(rep, MM_REP_RESULTS, "learning-rate sweep", "suggests %.3g, where the smoothed loss is lowest",
                      t->lr.suggested_lr);
    if (t->have_mix)
        mm_report_add(rep, MM_REP_RESULTS, "mixed with a character n-gram", "n = %d%s, weight on the model %.3f (%s): train %.4f, dev %.4f",
                      t->mix.order, t->mix.smoothing == MM_NGRAM_KN ? " (Kneser-Ney)" : "", t->mix.weight,
                      t->mix.fitted ? "fitted on dev" : "fixed", t->mix.mix_loss[MM_TRAIN], t->mix.mix_loss[MM_DEV]);
    double ts = r->state.train_seconds;
    mm_report_add(rep, MM_REP_TIMING, "training", "%.2f s, %.1f us/step", ts, r->state.step ? 1e6 * ts / (double)r->state.step : 0.0);
    if (t->eval_seconds > 0) mm_report_add(rep, MM_REP_TIMING, "--eval-every evaluations", "%.2f s", t->eval_seconds);
    if (t->lrfind_seconds > 0) mm_report_add(rep, MM_REP_TIMING, "learning-rate sweep", "%.2f s", t->lrfind_seconds);
    mm_report_add(rep, MM_REP_TIMING, "this command, until the report", "%.2f s", progress_now() - t->t_start);
}

typedef struct {
    mm_sbuf loss, emb, lr;
    char *samples[REPORT_SAMPLES];
    const char *marks[REPORT_SAMPLES];
    int nsamples;
} figures;

static int make_figures(figures *f, trainfiles *t, const mm_run *r, const cli_data *d)
{
    mm_losslog log;
    mm_err err;
    int rc = final_log(t, r, &log);
    if (rc) return rc;
    mm_status st = mm_fig_loss(&f->loss, &log, &err);
    mm_losslog_free(&log);
    if (st) return cli_error("%s", err.msg);
    /* a kind without a character embedding (m->embedding < 0) has no map */
    if (r->model.embedding >= 0 && mm_fig_embedding(&f->emb, &r->model, &r->vocab, &err))
        return cli_error("%s", err.msg);
    if (t->have_lr && t->lr.n > 0 && mm_fig_lrfind(&f->lr, &t->lr, &err)) return cli_error("%s", err.msg);
    if ((rc = save_in(t->workdir, "loss.svg", &f->loss)) ||
        (f->emb.len && (rc = save_in(t->workdir, "embedding.svg", &f->emb))))
        return rc;
    if (draw_samples(r, d, REPORT_SAMPLES, f->samples, f->marks, &f->nsamples, &err))
        return cli_error("report.html: %s", err.msg);
    return 0;
}

/* Reads path whole into b, as it is or in base64; 0, or -1 with the
 * reason in why. */
static int read_into(mm_sbuf *b, const char *path, int base64, char *why, size_t n)
{
    unsigned char *buf;
    size_t len;
    mm_err err;
    if (mm_read_file(path, PANEL_MAX_BYTES, &buf, &len, &err)) {
        snprintf(why, n, "%s", err.msg);
        return -1;
    }
    if (base64) mm_sbuf_base64(b, buf, len);
    else mm_sbuf_put(b, (const char *)buf, len);
    free(buf);
    if (b->oom) snprintf(why, n, "%s: out of memory", path);
    else if (!len) snprintf(why, n, "%s is empty", path);
    return b->oom || !len ? -1 : 0;
}

/* The interactive panel (web/dist/report-panel.html, which make web
 * builds: MAKEMORE_REPORT_PANEL, else this tree's copy) and DIR/model.bin
 * in base64 for it. Without them the page keeps its static content and
 * says why in note; never an error, as the panel is optional. */
static void load_panel(const char *workdir, mm_sbuf *html, mm_sbuf *model, char *note, size_t n)
{
    const char *env = getenv("MAKEMORE_REPORT_PANEL"), *path = env && *env ? env : MM_REPORT_PANEL;
    char why[600] = "this build has no path to web/dist/report-panel.html", ckpt[MM_MAX_PATH];
    if (path && !read_into(html, path, 0, why, sizeof why) && !cli_path(ckpt, sizeof ckpt, workdir, "model.bin") &&
        !read_into(model, ckpt, 1, why, sizeof why))
        return;
    mm_sbuf_free(html);
    mm_sbuf_free(model);
    snprintf(note, n, "Here the page would let you type a prefix and see the next-character probabilities, "
             "and draw samples at any temperature, computed in the page by makemore compiled to "
             "WebAssembly. That needs the WebAssembly build: run make web (or set MAKEMORE_REPORT_PANEL "
             "to its web/dist/report-panel.html), then train again. (%s)", why);
}

static int write_report(trainfiles *t, const mm_run *r, const cli_data *d, const figures *f)
{
    mm_report *rep = malloc(sizeof *rep);
    if (!rep) return cli_error("out of memory for the report");
    const char *base = strrchr(r->input, '/');
    char title[300];
    snprintf(title, sizeof title, "makemore: %.20s on %.200s", r->model.kind->name,
             base ? base + 1 : r->input);
    mm_report_init(rep, title);
    snprintf(rep->subtitle, sizeof rep->subtitle,
             "A character-level language model, --model %.20s: %.120s. Trained on %.120s; the model is in "
             "%.120s/model.bin.", r->model.kind->name, r->model.kind->summary, r->input, t->workdir);
    rep->loss[0][0] = r->state.init_train_loss;
    rep->loss[0][1] = r->state.init_dev_loss;
    rep->loss[1][0] = t->final_train;
    rep->loss[1][1] = t->final_dev;
    rep->uniform_loss = log((double)r->vocab.size);
    report_tables(rep, t, r, d);
    if (f->lr.len)
        mm_report_figure_add(rep, mm_sbuf_str(&f->lr),
                             "The lecture's learning-rate sweep: one SGD step at each rate from 10^-3 to 1, from the "
                             "same initial model, the model updated along the way (lr_find.csv).");
    mm_report_figure_add(rep, mm_sbuf_str(&f->loss),
                         "log10 of the loss: every step's minibatch loss, its moving mean, and the loss on the "
                         "whole train and dev splits where evaluated (log.csv; more points with --eval-every N).");
    if (f->emb.len)
        mm_report_figure_add(rep, mm_sbuf_str(&f->emb),
                             "Where training put each character in embedding space. Characters that play similar "
                             "roles (the vowels, for instance) tend to end up near each other.");
    rep->samples = (const char *const *)f->samples;
    rep->sample_marks = f->marks;
    rep->nsamples = f->nsamples;
    char samples_note[400], fewer[160] = "";
    if (f->nsamples < REPORT_SAMPLES)
        snprintf(fewer, sizeof fewer, " %d of %d: after that the model's next-character probabilities were not "
                 "finite numbers.", f->nsamples, REPORT_SAMPLES);
    snprintf(samples_note, sizeof samples_note, "Drawn from the trained model with the lecture's sampling seed "
             "(training seed + 10), as printed at the end of training; each marked as a copy of a train, dev "
             "or test item, or new.%s", fewer);
    rep->samples_note = samples_note;
    mm_sbuf panel = {0}, model = {0}, html = {0};
    char note[1200];
    load_panel(t->workdir, &panel, &model, note, sizeof note);
    rep->panel_html = panel.len ? mm_sbuf_str(&panel) : NULL;
    rep->model_base64 = panel.len ? mm_sbuf_str(&model) : NULL;
    rep->panel_note = panel.len ? NULL : note;
    mm_err err;
    int rc = mm_report_html(rep, &html, &err) ? cli_error("%s", err.msg) : save_in(t->workdir, "report.html", &html);
    mm_sbuf_free(&html);
    mm_sbuf_free(&panel);
    mm_sbuf_free(&model);
    free(rep);
    return rc;
}

/* The splits the run's mixture is reported on. */
static unsigned mix_splits(const trainfiles *t)
{
    return (t->dev_only ? 0u : 1u << MM_TRAIN) | 1u << MM_DEV;
}

static int mix(trainfiles *t, const mm_run *r, const cli_data *d)
{
    if (t->mix_opts.order <= 0) return 0;
    mm_err err;
    if (mm_mix_run(&r->model, &d->data, &t->mix_opts, mix_splits(t), t->nthreads, &t->mix, &err))
        return cli_error("--mix-ngram: %s", err.msg);
    t->have_mix = 1;
    return 0;
}

int trainfiles_mix_opts(mm_mix_opts *o, int order, const char *smoothing, double weight)
{
    o->order = order;
    o->weight = weight < 0 ? NAN : weight;
    o->smoothing = mm_ngram_smoothing_parse(smoothing);
    if (o->smoothing < 0) return cli_error("--mix-smoothing '%s': expected abs or kn", smoothing);
    return 0;
}

/* Two lines, the n-gram alone and the mixture, for the splits in mask;
 * the character mixture's lines read as they always did. */
static void print_mix(FILE *out, const mm_mix_result *m, unsigned mask)
{
    const char *kn = m->smoothing == MM_NGRAM_KN ? " Kneser-Ney" : "";
    for (int k = 0; k < 2; k++) {
        if (k == 0) fprintf(out, "%d-gram%s alone:", m->order, kn);
        else fprintf(out, "mixed (%.3f model + %.3f %d-gram%s, weight %s):", m->weight, 1 - m->weight, m->order,
                     kn, m->fitted ? "fitted on dev" : "fixed");
        for (int s = 0; s < MM_NSPLITS; s++)
            if (mask & (1u << s)) {
                double loss = k ? m->mix_loss[s] : m->ngram_loss[s];
                fprintf(out, "  %s loss %.4f", mm_split_name(s), loss);
                if (m->smoothing == MM_NGRAM_KN) fprintf(out, " (perplexity %.2f)", exp(loss));
            }
        fputc('\n', out);
    }
}

void trainfiles_print(const trainfiles *t, FILE *out)
{
    if (t->have_mix) print_mix(out, &t->mix, mix_splits(t));
}

void trainfiles_json(const trainfiles *t, mm_json *j)
{
    mm_run_summary_best(j, &t->best);
    if (t->have_mix) mm_run_summary_mix(j, &t->mix, mix_splits(t));
}

int trainfiles_eval_mix(const mm_run *r, const cli_data *d, const mm_mix_opts *o, int only, int nthreads,
                        mm_json *j)
{
    mm_mix_result m;
    mm_err err;
    unsigned mask = only >= 0 ? 1u << only : (1u << MM_TRAIN | 1u << MM_DEV);
    if (mm_mix_run(&r->model, &d->data, o, mask, nthreads, &m, &err))
        return cli_error("--mix-ngram: %s", err.msg);
    if (j) mm_run_summary_mix(j, &m, mask);
    else print_mix(stdout, &m, mask);
    return 0;
}

int trainfiles_write_failed(const mm_err *err, const char *ckpt, long saved_step)
{
    /* "safely": a save whose folder could not be flushed did replace ckpt */
    if (saved_step >= 0) return cli_error("%s; the last checkpoint safely in %s is of step %ld", err->msg, ckpt, saved_step);
    return cli_error("%s; no checkpoint of this run was safely saved", err->msg);
}

int trainfiles_after(trainfiles *t, const mm_run *r, const cli_data *d)
{
    figures f;
    memset(&f, 0, sizeof f);
    int rc = mix(t, r, d);
    if (!rc) rc = make_figures(&f, t, r, d);
    if (!rc) rc = write_report(t, r, d, &f);
    mm_sbuf_free(&f.loss);
    mm_sbuf_free(&f.emb);
    mm_sbuf_free(&f.lr);
    for (int i = 0; i < f.nsamples; i++) free(f.samples[i]);
    return rc;
}
