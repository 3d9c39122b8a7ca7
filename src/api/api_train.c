/* makemore_train: the library's side of `makemore train`, through the same
 * run builder (runbuild.h) and summary writer as the command line: a fresh
 * run (or a resumed one) to DIR/model.bin and its summary. The figures,
 * report.html and the learning-rate sweep stay with the command line; the
 * flags about printing are refused by name (makemore.h lists them). */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "drawer.h"
#include "items.h"
#include "kind.h"
#include "json.h"
#include "keepbest.h"
#include "memory.h"
#include "mix.h"
#include <math.h>
#include "ngram.h"
#include "runbuild.h"
#include "strbuf.h"

makemore_train_config makemore_train_defaults(void)
{
    makemore_train_config c = {
        .model = "mlp", .max_steps = 200000, .batch_size = 32, .learning_rate = 0.1, .optimizer = "sgd",
        .schedule = "step", .lr_decay = 0.1, .lr_decay_step = -1, .init = "torch",
        .seed = 2147483647ull, .split_seed = 42,
    };
    return c;
}

/* The flags of `makemore train` outside the settings table (cmd_train.c's
 * own, about the run rather than the model): what the library does with
 * each, or why it refuses it (makemore.h says the same). */
typedef struct {
    long eval_every, save_every, samples, resume, keep_best, patience;
} run_opts;

static const struct {
    const char *name;
    size_t offset;
    double max;
    const char *refused; /* non-NULL: refused when given a non-zero value */
} RUN_OPTS[] = {
    {"eval-every", offsetof(run_opts, eval_every), 1e12, NULL},
    {"save-every", offsetof(run_opts, save_every), 1e12, NULL},
    {"num-samples", offsetof(run_opts, samples), 100000, NULL},
    {"print-every", 0, 1e12, "the library prints nothing: makemore_train_watch's callback receives every step's "
                             "loss"},
    {"resume", offsetof(run_opts, resume), 1, NULL},
    {"keep-best", offsetof(run_opts, keep_best), 1, NULL},
    {"patience", offsetof(run_opts, patience), 1e12, NULL},
};
#define NRUN_OPTS ((int)(sizeof RUN_OPTS / sizeof *RUN_OPTS))

static int same_name(const char *name, const char *want)
{
    if (!strncmp(name, "--", 2)) name += 2;
    while (*want && (*name == *want || (*name == '_' && *want == '-'))) name++, want++;
    return !*want && !*name;
}

static int run_opt_find(const char *name)
{
    for (int i = 0; i < NRUN_OPTS; i++)
        if (same_name(name, RUN_OPTS[i].name)) return i;
    return -1;
}

static mm_status run_opt_set(run_opts *o, int i, const char *text, mm_err *err)
{
    char flag[40];
    long v = 0;
    snprintf(flag, sizeof flag, "--%s", RUN_OPTS[i].name);
    mm_status st = mm_parse_value(MM_VAL_LONG, flag, text, 0, RUN_OPTS[i].max, &v, err);
    if (st) return st;
    if (RUN_OPTS[i].refused) return v ? mm_fail(err, MM_EINVAL, "%s: %s", flag, RUN_OPTS[i].refused) : MM_OK;
    *(long *)((char *)o + RUN_OPTS[i].offset) = v;
    return MM_OK;
}

const char *makemore_train_setting(int i)
{
    const mm_setting *s = mm_setting_at(i);
    if (s) return s->name + 2;
    i -= mm_settings_count();
    return i >= 0 && i < NRUN_OPTS ? RUN_OPTS[i].name : NULL;
}

/* Sets name from text when differs, unless an earlier setting failed. */
typedef struct {
    mm_settings *s;
    mm_err *err;
    mm_status st;
} setter;

static void put(setter *p, int differs, const char *name, const char *text)
{
    if (!p->st && differs && text) p->st = mm_settings_set(p->s, name, text, p->err);
}

static void put_int(setter *p, int differs, const char *name, long long v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", v);
    put(p, differs, name, t);
}

static void put_u64(setter *p, int differs, const char *name, uint64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    put(p, differs, name, t);
}

static void put_num(setter *p, int differs, const char *name, double v)
{
    char t[40];
    snprintf(t, sizeof t, "%.17g", v); /* reads back as the same double */
    put(p, differs, name, t);
}

static int differ(const char *a, const char *b) { return a && strcmp(a, b); }

/* c's fields that differ from the defaults, as if given by name (a size of
 * 0 and a NULL string leave the default). */
static mm_status from_config(mm_settings *s, const makemore_train_config *c, mm_err *err)
{
    const makemore_train_config d = makemore_train_defaults();
    setter p = {s, err, MM_OK};
    put(&p, differ(c->model, d.model), "model", c->model);
    put_int(&p, c->block_size != 0, "block-size", c->block_size);
    put_int(&p, c->n_embd != 0, "n-embd", c->n_embd);
    put_int(&p, c->n_hidden != 0, "n-hidden", c->n_hidden);
    put_int(&p, c->n_layers != 0, "n-layers", c->n_layers);
    put_int(&p, c->n_heads != 0, "n-head", c->n_heads);
    put_int(&p, c->max_steps != d.max_steps, "max-steps", c->max_steps);
    put_int(&p, c->batch_size != d.batch_size, "batch-size", c->batch_size);
    put_num(&p, c->learning_rate != d.learning_rate, "learning-rate", c->learning_rate);
    put(&p, differ(c->optimizer, d.optimizer), "optimizer", c->optimizer);
    put(&p, differ(c->schedule, d.schedule), "lr-schedule", c->schedule);
    put_num(&p, c->lr_decay != d.lr_decay, "lr-decay", c->lr_decay);
    put_int(&p, c->lr_decay_step != d.lr_decay_step, "lr-decay-step", c->lr_decay_step);
    put_num(&p, c->weight_decay != d.weight_decay, "weight-decay", c->weight_decay);
    put(&p, differ(c->init, d.init), "init", c->init);
    put_u64(&p, c->seed != d.seed, "seed", c->seed);
    put_u64(&p, c->split_seed != d.split_seed, "split-seed", c->split_seed);
    put_int(&p, c->threads != d.threads, "threads", c->threads);
    return p.st;
}

/* "name=value" into name (n bytes) and *value. */
static mm_status split_setting(const char *kv, char *name, size_t n, const char **value, mm_err *err)
{
    const char *eq = strchr(kv, '=');
    if (!eq || (size_t)(eq - kv) >= n)
        return mm_fail(err, MM_EINVAL, "setting '%s': expected name=value, as max-steps=1000", kv);
    memcpy(name, kv, (size_t)(eq - kv));
    name[eq - kv] = 0;
    *value = eq + 1;
    return MM_OK;
}

/* A preset first, then c, then the named settings: what is given last
 * overrides, as flags override a --preset. */
static mm_status gather(mm_settings *s, run_opts *o, const makemore_train_config *c, const char *const *kv,
                        mm_err *err)
{
    char name[64];
    const char *value = NULL;
    mm_settings_defaults(s);
    mm_status st = MM_OK;
    for (int i = 0; kv && kv[i] && !st; i++)
        if (!(st = split_setting(kv[i], name, sizeof name, &value, err)) && mm_setting_find(name) == mm_setting_find("preset"))
            st = mm_settings_preset(s, value, err);
    if (!st) st = from_config(s, c, err);
    for (int i = 0; kv && kv[i] && !st; i++)
        if (!(st = split_setting(kv[i], name, sizeof name, &value, err)) && run_opt_find(name) >= 0)
            st = run_opt_set(o, run_opt_find(name), value, err);
        else if (!st && mm_setting_find(name) != mm_setting_find("preset"))
            st = mm_settings_set(s, name, value, err);
    if (!st && mm_settings_given(s, "lr-find") && s->lr_find != 0)
        st = mm_fail(err, MM_EINVAL, "--lr-find: the library runs no learning-rate sweep; use makemore lr-find");
    return st ? st : mm_settings_resolve(s, (int)o->resume, err);
}

/* resume=1: the run saved in ckpt goes on to max-steps, on input, which
 * must be the data it trained on. The checkpoint fixes every other
 * setting, so one given is refused by name (makemore train --resume can
 * change the learning-rate settings: they are the command line's only). */
static mm_status resume_run(mm_run *r, mm_run_data *d, const mm_settings *s, const char *input, const char *ckpt,
                            mm_err *err)
{
    for (int i = 0; i < mm_settings_count(); i++) {
        const char *name = mm_setting_at(i)->name;
        if (s->given[i] && strcmp(name, "--max-steps") && strcmp(name, "--threads"))
            return mm_fail(err, MM_EINVAL, "%s: a resumed run keeps its checkpoint's settings (only max-steps and "
                           "threads may be given); drop it, or use makemore train --resume", name);
    }
    if (strlen(input) >= sizeof r->input) return mm_fail(err, MM_EINVAL, "%s: path too long", input);
    mm_status st = mm_checkpoint_load(r, ckpt, err);
    if (st) return st;
    if (mm_settings_given(s, "max-steps")) {
        if (s->max_steps < r->state.step)
            return mm_fail(err, MM_EINVAL, "--max-steps %ld is before the checkpoint's step %ld", s->max_steps,
                           r->state.step);
        r->train.max_steps = s->max_steps;
    }
    if (r->state.step >= r->train.max_steps)
        return mm_fail(err, MM_EINVAL, "%s: this run is finished (step %ld of --max-steps %ld): give max-steps "
                       "above %ld to train further", ckpt, r->state.step, r->train.max_steps, r->state.step);
    snprintf(r->input, sizeof r->input, "%s", input);
    mm_data_opts o = mm_run_data_opts(r);
    if ((st = mm_run_data_load(d, input, &o, NULL, mm_memory_available(), err))) return st;
    int same = !r->data_items ||
               (r->data_items == d->words.nwords && !memcmp(r->data_sha256, d->words.sha256, 32));
    same = same && mm_vocab_equal(&d->vocab, &r->vocab);
    return same ? MM_OK : mm_fail(err, MM_EINVAL, "%s: not the data of the run in %s; resume on that file", input,
                                  ckpt);
}

static mm_status make_dir(const char *dir, mm_err *err)
{
    struct stat sb;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return mm_fail(err, MM_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return mm_fail(err, MM_EIO, "%s: not a folder", dir);
    return MM_OK;
}

static mm_status split_losses(const mm_run *r, const mm_run_data *d, int nthreads, double *train, double *dev,
                              mm_err *err)
{
    mm_status st = mm_model_split_loss(&r->model, &d->data.split[MM_TRAIN], nthreads, train, err);
    return st ? st : mm_model_split_loss(&r->model, &d->data.split[MM_DEV], nthreads, dev, err);
}

/* The progress callback behind mm_train_run's step hook: the steps since
 * the last call in one batch (a call a step would cost more than a small
 * model's step), with the whole train and dev losses every eval_every
 * steps and at the last. */
#define WATCH_STEPS 256
#define WATCH_SECONDS 0.2
typedef struct {
    makemore_progress_fn fn;
    void *user;
    long eval_every, save_every, max_steps;
    mm_run *r;
    const mm_run_data *d;
    const char *ckpt;
    int nthreads;
    mm_keepbest kb; /* keep-best, patience: judge the evaluations at multiples of eval_every */
    mm_status st;   /* a failed evaluation or save stops the run with this */
    mm_err *err;
    int n;                                     /* steps held */
    double loss[WATCH_STEPS], lr[WATCH_STEPS]; /* (n) */
    double sent;                               /* when fn was last called */
} watch;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* keep-best and patience judge the evaluations of step % eval_every == 0,
 * as the command line's; a best.bin that cannot be saved stops the run (the
 * library has no warning to give). 1 when the run should stop. */
static int judge(watch *w, long step, double dev)
{
    if (!(w->kb.keep || w->kb.patience) || step % w->eval_every) return 0;
    int stop = mm_keepbest_eval(&w->kb, w->r, dev, 1);
    if (w->kb.save_status) *w->err = w->kb.err, w->st = w->kb.save_status;
    return stop || w->st;
}

static int watch_step(void *ctx, long step, double loss, double lr)
{
    watch *w = ctx;
    /* --save-every, as the command line: the last step's save is the final one */
    if (w->save_every > 0 && step % w->save_every == 0 && step < w->max_steps &&
        (w->st = mm_checkpoint_save(w->r, w->ckpt, w->err)))
        return 1;
    /* without a callback, only keep-best and patience need the evaluations */
    int eval = w->eval_every > 0 && (step % w->eval_every == 0 || (w->fn && step == w->max_steps));
    if (!w->fn && !eval) return 0;
    if (w->fn) w->loss[w->n] = loss, w->lr[w->n++] = lr;
    if (!eval && step < w->max_steps && w->n < WATCH_STEPS && seconds() - w->sent < WATCH_SECONDS) return 0;
    makemore_progress p = {.step = step, .max_steps = w->max_steps, .lr = lr, .loss = loss, .n = w->n,
                           .losses = w->loss, .lrs = w->lr};
    int stop = 0;
    if (eval) {
        if ((w->st = split_losses(w->r, w->d, w->nthreads, &p.train_loss, &p.dev_loss, w->err))) return 1;
        p.evaluated = 1;
        stop = judge(w, step, p.dev_loss);
        if (w->st) return 1;
    }
    w->n = 0;
    if (w->fn) stop |= w->fn(&p, w->user) != 0;
    w->sent = seconds();
    return stop;
}

/* Trains r to the end, or until w's callback stops it (MM_EINTR), saves
 * ckpt either way (as the CLI saves on Ctrl-C) and leaves the final losses
 * in final. */
static mm_status train_to(mm_run *r, const mm_run_data *d, const char *dir, const char *ckpt, int nthreads,
                          int resume, watch *w, double final[2], mm_err *err)
{
    mm_status st = resume ? MM_OK /* the initial losses are the checkpoint's */
                          : split_losses(r, d, nthreads, &r->state.init_train_loss, &r->state.init_dev_loss, err);
    if (!st) st = make_dir(dir, err);
    if (!st) {
        w->sent = seconds();
        st = mm_train_run(&r->model, &r->train, &r->state, &d->data.split[MM_TRAIN], nthreads,
                          w->fn || w->save_every > 0 || w->eval_every > 0 ? watch_step : NULL, w, err);
        if (st == MM_EINTR && w->st) return w->st;
        if (st == MM_EINTR && w->kb.stop) {
            /* patience ran out: the run is finished here, as the command line's */
            r->train.max_steps = r->state.step;
            w->kb.stopped_early = 1;
            st = MM_OK;
        }
    }
    mm_status ran = st;
    if (!st || st == MM_EINTR) st = mm_checkpoint_save(r, ckpt, err);
    if (!st) st = split_losses(r, d, nthreads, &final[0], &final[1], err);
    if (!st && ran == MM_EINTR)
        st = mm_fail(err, MM_EINTR, "stopped at step %ld of %ld by the progress callback; %s saved", r->state.step,
                     r->train.max_steps, ckpt);
    return st;
}

/* --num-samples: n items from the lecture's sampling seed (seed + 10), each
 * marked train, dev, test or new, as the command line's "samples"; logits
 * that are not finite end the list early, as there. */
static mm_status summary_samples(mm_json *j, const mm_run *r, const mm_run_data *d, long n, mm_err *err)
{
    mm_sample_opts o = {1.0, 0, 0};
    mm_itemset set;
    mm_drawer dr;
    int marked = mm_itemset_build(&set, &d->words, &d->data, err) == MM_OK;
    mm_status st = mm_drawer_build(&dr, &r->model, &r->vocab, &o, r->seed + 10, NULL, "--prefix",
                                   marked ? &set : NULL, err);
    if (!st) {
        mm_json_array(j, "samples");
        const char *text;
        int split;
        for (long i = 0; i < n && (text = mm_drawer_next(&dr, &split)); i++) {
            mm_json_item_object(j);
            mm_json_str(j, "text", text);
            mm_json_str_or_null(j, "split", split == MM_UNMARKED ? NULL : mm_item_label(split));
            mm_json_item_object_end(j);
        }
        mm_json_array_end(j);
        mm_drawer_free(&dr);
    }
    if (marked) mm_itemset_free(&set);
    return st;
}

/* The summary, with the --mix-ngram mixture and the --num-samples samples
 * when asked for, as train --json writes them. */
static mm_status write_summary(const mm_run *r, const mm_run_data *d, const double final[2], int nthreads,
                               const char *ckpt, const run_opts *o, const mm_settings *s, const mm_keepbest *kb,
                               char *json, size_t cap, mm_err *err)
{
    mm_json j;
    mm_run_summary(&j, r, &d->data, final[0], final[1], nthreads, ckpt);
    mm_run_summary_best(&j, kb);
    mm_status st = MM_OK;
    if (s->mix_ngram > 0) { /* the settings' mixture, as train --mix-ngram N [--mix-smoothing, --mix-weight] */
        mm_mix_result m;
        mm_mix_opts mo = {s->mix_ngram, mm_ngram_smoothing_parse(s->mix_smoothing),
                          s->mix_weight < 0 ? NAN : s->mix_weight};
        st = mm_mix_run(&r->model, &d->data, &mo, 1u << MM_TRAIN | 1u << MM_DEV, nthreads, &m, err);
        if (!st) mm_run_summary_mix(&j, &m, 1u << MM_TRAIN | 1u << MM_DEV);
    }
    if (!st && o->samples > 0) st = summary_samples(&j, r, d, o->samples, err);
    mm_json_end(&j);
    mm_sbuf *b = &j.b;
    if (st) {
    } else if (b->oom) st = mm_fail(err, MM_ENOMEM, "out of memory");
    else if (b->len + 1 > cap) st = mm_fail(err, MM_ENOMEM, "makemore_train: %zu bytes are too few for the summary (%zu)", cap, b->len + 1);
    else memcpy(json, mm_sbuf_str(b), b->len + 1);
    mm_json_free(&j);
    return st;
}

/* keep-best and patience for a run into dir; a resumed run's best so far
 * is the dev loss of an existing DIR/best.bin, as the command line's. */
static mm_status keep_best_setup(mm_keepbest *kb, const mm_run *r, const mm_run_data *d, const char *dir,
                                 const run_opts *o, int nthreads, mm_err *err)
{
    if (mm_keepbest_init(kb, dir, (int)o->keep_best, o->patience))
        return mm_fail(err, MM_EINVAL, "%s: folder path too long", dir);
    if (!o->resume || !(o->keep_best || o->patience)) return MM_OK;
    mm_run best;
    int found;
    double dev;
    mm_status st = mm_keepbest_open(kb, r, &best, &found, err);
    if (st || !found) return st;
    st = mm_model_split_loss(&best.model, &d->data.split[MM_DEV], nthreads, &dev, err);
    if (!st) mm_keepbest_resume(kb, dev, best.state.step);
    mm_run_free(&best);
    return st;
}

makemore_status makemore_train_watch(const char *input, const char *dir, const makemore_train_config *c,
                                     const char *const *settings, makemore_progress_fn fn, void *user,
                                     long eval_every, char *json, size_t cap, makemore_error *err)
{
    makemore_train_config def = makemore_train_defaults();
    if (!c) c = &def;
    mm_err e;
    if (!input || !dir) return api_status(mm_fail(&e, MM_EINVAL, "makemore_train: input and folder are required"), &e, err);
    if (eval_every < 0) return api_status(mm_fail(&e, MM_EINVAL, "eval_every %ld: must be >= 0", eval_every), &e, err);
    char ckpt[MM_MAX_PATH];
    if (snprintf(ckpt, sizeof ckpt, "%s/model.bin", dir) >= (int)sizeof ckpt)
        return api_status(mm_fail(&e, MM_EINVAL, "%s: folder path too long", dir), &e, err);
    mm_settings s;
    run_opts o = {0};
    mm_status st = gather(&s, &o, c, settings, &e);
    if (!st && eval_every > 0) o.eval_every = eval_every;
    if (!st && (o.keep_best || o.patience) && o.eval_every <= 0)
        st = mm_fail(&e, MM_EINVAL, "--keep-best and --patience judge the dev loss of the evaluations: give eval-every N");
    if (!st && o.eval_every > 0 && !fn && !o.keep_best && !o.patience)
        st = mm_fail(&e, MM_EINVAL, "--eval-every: the evaluations go to a progress callback (use makemore_train_watch), "
                     "or to keep-best and patience");
    if (st) return api_status(st, &e, err);
    int nthreads = api_threads(s.threads);
    mm_run r;
    mm_run_data d;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    double final[2];
    watch *w = calloc(1, sizeof *w);
    st = !w ? mm_fail(&e, MM_ENOMEM, "out of memory")
         : o.resume ? resume_run(&r, &d, &s, input, ckpt, &e)
                    : mm_run_build(&r, &d, &s, input, mm_memory_available(), &e);
    if (!st) {
        *w = (watch){.fn = fn, .user = user, .eval_every = o.eval_every, .save_every = o.save_every,
                     .max_steps = r.train.max_steps, .r = &r, .d = &d, .ckpt = ckpt, .nthreads = nthreads, .err = &e};
        st = keep_best_setup(&w->kb, &r, &d, dir, &o, nthreads, &e);
    }
    if (!st) st = train_to(&r, &d, dir, ckpt, nthreads, (int)o.resume, w, final, &e);
    if ((!st || st == MM_EINTR) && json) {
        mm_status stopped = st;
        st = write_summary(&r, &d, final, nthreads, ckpt, &o, &s, &w->kb, json, cap, &e);
        if (!st) st = stopped;
    }
    free(w);
    mm_run_data_free(&d);
    mm_run_free(&r);
    return api_status(st, &e, err);
}

makemore_status makemore_train_with(const char *input, const char *dir, const makemore_train_config *c,
                                    const char *const *settings, char *json, size_t cap, makemore_error *err)
{
    return makemore_train_watch(input, dir, c, settings, NULL, NULL, 0, json, cap, err);
}

makemore_status makemore_train(const char *input, const char *dir, const makemore_train_config *c, char *json,
                               size_t cap, makemore_error *err)
{
    return makemore_train_with(input, dir, c, NULL, json, cap, err);
}
