/* makemore_train: the library's side of `makemore train`, through the same
 * run builder (runbuild.h) and summary writer as the command line: a fresh
 * run to DIR/model.bin and its summary. The figures, report.html and the
 * learning-rate sweep stay with the command line. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "memory.h"
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

const char *makemore_train_setting(int i)
{
    const mm_setting *s = mm_setting_at(i);
    return s ? s->name + 2 : NULL;
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
static mm_status gather(mm_settings *s, const makemore_train_config *c, const char *const *kv, mm_err *err)
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
        if (!(st = split_setting(kv[i], name, sizeof name, &value, err)) && mm_setting_find(name) != mm_setting_find("preset"))
            st = mm_settings_set(s, name, value, err);
    if (!st && mm_settings_given(s, "lr-find") && s->lr_find != 0)
        st = mm_fail(err, MM_EINVAL, "--lr-find: the library runs no learning-rate sweep; use makemore lr-find");
    if (!st && mm_settings_given(s, "mix-ngram") && s->mix_ngram != 0)
        st = mm_fail(err, MM_EINVAL, "--mix-ngram: the library trains no mixture; use makemore train or eval");
    return st ? st : mm_settings_resolve(s, 0, err);
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

/* Trains r to the end, saves ckpt and leaves the final losses in final. */
static mm_status train_to(mm_run *r, const mm_run_data *d, const char *dir, const char *ckpt, int nthreads,
                          double final[2], mm_err *err)
{
    mm_status st = split_losses(r, d, nthreads, &r->state.init_train_loss, &r->state.init_dev_loss, err);
    if (!st) st = make_dir(dir, err);
    if (!st) st = mm_train_run(&r->model, &r->train, &r->state, &d->data.split[MM_TRAIN], nthreads, NULL, NULL, err);
    if (!st) st = mm_checkpoint_save(r, ckpt, err);
    return st ? st : split_losses(r, d, nthreads, &final[0], &final[1], err);
}

static mm_status write_summary(const mm_run *r, const mm_run_data *d, const double final[2], int nthreads,
                               const char *ckpt, char *json, size_t cap, mm_err *err)
{
    mm_json j;
    mm_run_summary(&j, r, &d->data, final[0], final[1], nthreads, ckpt);
    mm_json_end(&j);
    mm_sbuf *b = &j.b;
    mm_status st = MM_OK;
    if (b->oom) st = mm_fail(err, MM_ENOMEM, "out of memory");
    else if (b->len + 1 > cap) st = mm_fail(err, MM_ENOMEM, "makemore_train: %zu bytes are too few for the summary (%zu)", cap, b->len + 1);
    else memcpy(json, mm_sbuf_str(b), b->len + 1);
    mm_json_free(&j);
    return st;
}

makemore_status makemore_train_with(const char *input, const char *dir, const makemore_train_config *c,
                                    const char *const *settings, char *json, size_t cap, makemore_error *err)
{
    makemore_train_config def = makemore_train_defaults();
    if (!c) c = &def;
    mm_err e;
    if (!input || !dir) return api_status(mm_fail(&e, MM_EINVAL, "makemore_train: input and folder are required"), &e, err);
    char ckpt[MM_MAX_PATH];
    if (snprintf(ckpt, sizeof ckpt, "%s/model.bin", dir) >= (int)sizeof ckpt)
        return api_status(mm_fail(&e, MM_EINVAL, "%s: folder path too long", dir), &e, err);
    mm_settings s;
    mm_status st = gather(&s, c, settings, &e);
    if (st) return api_status(st, &e, err);
    int nthreads = api_threads(s.threads);
    mm_run r;
    mm_run_data d;
    double final[2];
    st = mm_run_build(&r, &d, &s, input, mm_memory_available(), &e);
    if (!st) st = train_to(&r, &d, dir, ckpt, nthreads, final, &e);
    if (!st && json) st = write_summary(&r, &d, final, nthreads, ckpt, json, cap, &e);
    mm_run_data_free(&d);
    mm_run_free(&r);
    return api_status(st, &e, err);
}

makemore_status makemore_train(const char *input, const char *dir, const makemore_train_config *c, char *json,
                               size_t cap, makemore_error *err)
{
    return makemore_train_with(input, dir, c, NULL, json, cap, err);
}
