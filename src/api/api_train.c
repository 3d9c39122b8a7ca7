/* makemore_train: the library's side of `makemore train` (a fresh run to
 * DIR/model.bin and its summary), with the settings of a
 * makemore_train_config in place of flags. The figures and report.html
 * stay with the command line. */
#include "api.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "kind.h"
#include "strbuf.h"

static const char *const OPTIMIZERS[] = {"sgd", "momentum", "adamw"};
static const char *const SCHEDULES[] = {"step", "inv", "cosine"};

makemore_train_config makemore_train_defaults(void)
{
    makemore_train_config c = {
        .model = "mlp", .max_steps = 200000, .batch_size = 32, .learning_rate = 0.1, .optimizer = "sgd",
        .schedule = "step", .lr_decay = 0.1, .lr_decay_step = -1, .init = "torch",
        .seed = 2147483647ull, .split_seed = 42,
    };
    return c;
}

static int lookup(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

/* A size the user set for a kind that does not take it is refused, not
 * dropped; 0 takes the kind's default. */
static mm_status size_of(int given, int def, unsigned uses, unsigned flag, const char *name, const mm_kind *k,
                         int *out, mm_err *err)
{
    if (given < 0) return mm_fail(err, MM_EINVAL, "%s %d: must be >= 0 (0: the kind's default)", name, given);
    if (given && flag && !(k->uses & flag)) return mm_fail(err, MM_EINVAL, "%s: not used by the %s model", name, k->name);
    *out = given ? given : def;
    (void)uses;
    return MM_OK;
}

static size_t longest_item(const mm_words *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->nwords; i++)
        if (w->start[i + 1] - w->start[i] > n) n = w->start[i + 1] - w->start[i];
    return n;
}

/* The model's sizes and the training settings from c; block 0 with a kind
 * whose default is 0 becomes the longest item + 1 (w). */
static mm_status settings(const makemore_train_config *c, const mm_words *w, int V, mm_config *mc,
                          mm_train_config *tc, mm_err *err)
{
    int id = mm_kind_find(c->model ? c->model : "");
    if (id < 0) return mm_fail(err, MM_EINVAL, "model '%s': expected one of %s", c->model ? c->model : "", mm_kind_names());
    const mm_kind *k = mm_kind_at(id);
    memset(mc, 0, sizeof *mc);
    mc->kind = id;
    mc->vocab_size = V;
    mc->bn_momentum = 0.001f; /* the lecture's */
    mm_status st = size_of(c->block_size, k->def_block, k->uses, 0, "block_size", k, &mc->block_size, err);
    if (!st) st = size_of(c->n_embd, k->def_embd, k->uses, MM_USES_EMBD, "n_embd", k, &mc->n_embd, err);
    if (!st) st = size_of(c->n_hidden, k->def_hidden, k->uses, MM_USES_HIDDEN, "n_hidden", k, &mc->n_hidden, err);
    if (!st) st = size_of(c->n_layers, k->def_layers, k->uses, MM_USES_LAYERS, "n_layers", k, &mc->n_layers, err);
    if (!st) st = size_of(c->n_heads, k->def_heads, k->uses, MM_USES_HEADS, "n_heads", k, &mc->n_heads, err);
    if (st) return st;
    if (mc->block_size == 0) mc->block_size = (int)longest_item(w) + 1;
    memset(tc, 0, sizeof *tc);
    int opt = lookup(OPTIMIZERS, 3, c->optimizer), sched = lookup(SCHEDULES, 3, c->schedule);
    if (opt < 0) return mm_fail(err, MM_EINVAL, "optimizer '%s': expected sgd, momentum or adamw", c->optimizer ? c->optimizer : "");
    if (sched < 0) return mm_fail(err, MM_EINVAL, "schedule '%s': expected step, inv or cosine", c->schedule ? c->schedule : "");
    tc->max_steps = c->max_steps;
    tc->batch_size = c->batch_size;
    tc->optim = (mm_optim){.weight_decay = c->weight_decay, .kind = (mm_optim_kind)opt, .momentum = 0.9,
                           .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    tc->sched = (mm_schedule){.kind = (mm_sched_kind)sched, .lr = c->learning_rate, .decay = c->lr_decay,
                              .rate = 1e-4};
    tc->sched.decay_step = c->lr_decay_step >= 0 ? c->lr_decay_step
                           : sched == MM_SCHED_COSINE ? c->max_steps : c->max_steps / 2;
    return MM_OK;
}

static int init_kind(const makemore_train_config *c, const mm_kind *k, mm_err *err)
{
    if (!c->init || !strcmp(c->init, "torch")) return MM_INIT_TORCH;
    if (strcmp(c->init, "scaled")) return mm_fail(err, MM_EINVAL, "init '%s': expected torch or scaled", c->init), -1;
    if (!(k->uses & MM_USES_INIT)) return mm_fail(err, MM_EINVAL, "init: not used by the %s model", k->name), -1;
    return MM_INIT_SCALED;
}

/* The fields of `makemore train --json` that a library run has, through
 * the shared strict writer (an empty split's NaN loss is null). */
static void summary_json(mm_json *j, const mm_run *r, const api_data *d, const double final[2], int nthreads,
                         const char *optimizer)
{
    const mm_split *s = d->data.split;
    const mm_config *c = &r->model.cfg;
    long step = r->state.step;
    mm_json_begin(j);
    mm_json_int(j, "vocab_size", r->vocab.size);
    mm_json_int(j, "ntrain", (long long)s[MM_TRAIN].n);
    mm_json_int(j, "ndev", (long long)s[MM_DEV].n);
    mm_json_int(j, "ntest", (long long)s[MM_TEST].n);
    mm_json_int(j, "params", (long long)r->model.ntrainable);
    mm_json_int(j, "block_size", c->block_size);
    mm_json_int(j, "n_embd", c->n_embd);
    mm_json_int(j, "n_hidden", c->n_hidden);
    mm_json_int(j, "batch_size", r->train.batch_size);
    mm_json_num(j, "init_train_loss", r->state.init_train_loss, 6);
    mm_json_num(j, "init_dev_loss", r->state.init_dev_loss, 6);
    mm_json_num(j, "train_loss", final[0], 6);
    mm_json_num(j, "dev_loss", final[1], 6);
    mm_json_int(j, "steps", step);
    mm_json_num(j, "train_seconds", r->state.train_seconds, 4);
    mm_json_num(j, "us_per_step", step ? 1e6 * r->state.train_seconds / (double)step : 0.0, 3);
    mm_json_int(j, "threads", nthreads);
    mm_json_str(j, "model", r->model.kind->name);
    mm_json_str(j, "optimizer", optimizer);
    mm_json_str(j, "input", r->input);
    mm_json_end(j);
}

static mm_status make_dir(const char *dir, mm_err *err)
{
    struct stat sb;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return mm_fail(err, MM_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return mm_fail(err, MM_EIO, "%s: not a folder", dir);
    return MM_OK;
}

/* Builds and initialises r's model for the data d; the initial losses. */
static mm_status setup(mm_run *r, const api_data *d, const makemore_train_config *c, int nthreads, mm_err *err)
{
    mm_config mc;
    mm_status st = settings(c, &d->words, d->vocab.size, &mc, &r->train, err);
    if (st) return st;
    int init = init_kind(c, mm_kind_at(mc.kind), err);
    if (init < 0) return MM_EINVAL;
    r->seed = c->seed;
    r->split_seed = c->split_seed;
    r->init_kind = init;
    if ((st = mm_train_config_check(&r->train, d->data.split[MM_TRAIN].n, err)) || (st = mm_config_check(&mc, err)) ||
        (st = mm_model_build(&r->model, &mc, err)) ||
        (st = mm_vocab_from_codepoints(&r->vocab, d->vocab.cp + 1, d->vocab.size - 1, err)))
        return st;
    mm_rng_seed_torch(&r->state.rng, r->seed);
    mm_model_init(&r->model, (mm_init_kind)init, &r->state.rng);
    if (mm_model_counted(&r->model) && r->train.max_steps > 0)
        return mm_fail(err, MM_EINVAL, "max_steps %ld: a %s model is counted from the training split, not trained; "
                       "set max_steps to 0", (long)r->train.max_steps, r->model.kind->name);
    if ((st = mm_model_fit(&r->model, &d->data.split[MM_TRAIN], err))) return st;
    if ((st = mm_model_split_loss(&r->model, &d->data.split[MM_TRAIN], nthreads, &r->state.init_train_loss, err)))
        return st;
    return mm_model_split_loss(&r->model, &d->data.split[MM_DEV], nthreads, &r->state.init_dev_loss, err);
}

static mm_status train_to(mm_run *r, const api_data *d, const char *dir, int nthreads, double final[2],
                          mm_err *err)
{
    char ckpt[MM_MAX_PATH];
    if (snprintf(ckpt, sizeof ckpt, "%s/model.bin", dir) >= (int)sizeof ckpt)
        return mm_fail(err, MM_EINVAL, "%s: folder path too long", dir);
    mm_status st = make_dir(dir, err);
    if (!st) st = mm_train_run(&r->model, &r->train, &r->state, &d->data.split[MM_TRAIN], nthreads, NULL, NULL, err);
    if (!st) st = mm_checkpoint_save(r, ckpt, err);
    if (!st) st = mm_model_split_loss(&r->model, &d->data.split[MM_TRAIN], nthreads, &final[0], err);
    if (!st) st = mm_model_split_loss(&r->model, &d->data.split[MM_DEV], nthreads, &final[1], err);
    return st;
}

makemore_status makemore_train(const char *input, const char *dir, const makemore_train_config *c, char *json,
                               size_t cap, makemore_error *err)
{
    makemore_train_config def = makemore_train_defaults();
    if (!c) c = &def;
    mm_err e;
    if (!input || !dir) return api_status(mm_fail(&e, MM_EINVAL, "makemore_train: input and folder are required"), &e, err);
    if (strlen(input) >= MM_MAX_PATH) return api_status(mm_fail(&e, MM_EINVAL, "%s: path too long", input), &e, err);
    if (c->threads < 0) return api_status(mm_fail(&e, MM_EINVAL, "threads must be >= 0"), &e, err);
    int nthreads = api_threads(c->threads);
    mm_run r;
    memset(&r, 0, sizeof r);
    snprintf(r.input, sizeof r.input, "%s", input);
    api_data d;
    mm_config mc;
    mm_status st = api_data_read(&d, input, &e);
    if (st) return api_status(st, &e, err);
    if (!(st = settings(c, &d.words, d.vocab.size, &mc, &r.train, &e)))
        st = api_data_split(&d, input, &(mm_data_opts){.T = mc.block_size,
                            .sequence = mm_kind_at(mc.kind)->layout == MM_LAYOUT_SEQUENCE,
                            .split_kind = MM_SPLIT_LECTURE, .split_seed = c->split_seed}, NULL, &e);
    double final[2];
    if (!st && !(st = setup(&r, &d, c, nthreads, &e)) && !(st = train_to(&r, &d, dir, nthreads, final, &e)) && json) {
        mm_json j;
        summary_json(&j, &r, &d, final, nthreads, OPTIMIZERS[r.train.optim.kind]);
        mm_sbuf *b = &j.b;
        if (b->oom) st = mm_fail(&e, MM_ENOMEM, "out of memory");
        else if (b->len + 1 > cap) st = mm_fail(&e, MM_ENOMEM, "makemore_train: %zu bytes are too few for the summary (%zu)", cap, b->len + 1);
        else memcpy(json, mm_sbuf_str(b), b->len + 1);
        mm_json_free(&j);
    }
    api_data_free(&d);
    mm_run_free(&r);
    return api_status(st, &e, err);
}
