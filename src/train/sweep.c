#include "sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "settings.h"
#include "train.h"

#define MAX_DRAWS 100000
#define CSV_HEADER "trial,lr,schedule,lr_decay_step,lr_decay_rate,batch_size,block_size,n_embd,n_hidden," \
                   "params,steps,train_loss,dev_loss,seconds\n"

mm_status mm_sweep_space_check(const mm_sweep_space *s, int V, mm_err *err)
{
    if (!(s->lr_min > 0) || !(s->lr_max >= s->lr_min) || !isfinite(s->lr_max))
        return mm_fail(err, MM_EINVAL, "--lr-min/--lr-max: need 0 < min <= max");
    if (!s->use_step && !s->use_inv) return mm_fail(err, MM_EINVAL, "--schedules: name step, inv or both");
    struct { const char *name; int lo, hi; } r[] = {
        {"--batch", s->batch_min, s->batch_max}, {"--block", s->block_min, s->block_max},
        {"--embd", s->embd_min, s->embd_max}, {"--hidden", s->hidden_min, s->hidden_max}};
    for (int i = 0; i < 4; i++)
        if (r[i].lo < 1 || r[i].hi < r[i].lo)
            return mm_fail(err, MM_EINVAL, "%s-min %d / %s-max %d: need 1 <= min <= max", r[i].name, r[i].lo, r[i].name, r[i].hi);
    if (s->max_params > 0 && mm_sweep_params(V, s->block_min, s->embd_min, s->hidden_min) > (size_t)s->max_params)
        return mm_fail(err, MM_EINVAL, "--max-params %ld: even the smallest model in the ranges has %zu", s->max_params,
                       mm_sweep_params(V, s->block_min, s->embd_min, s->hidden_min));
    return MM_OK;
}

size_t mm_sweep_params(int V, int block, int embd, int hidden)
{
    size_t E = (size_t)embd, H = (size_t)hidden;
    return (size_t)V * E + (size_t)block * E * H + H + H * (size_t)V + (size_t)V;
}

/* x to 3 significant digits, as the double that "%.3g" text parses to, so
 * the commands and CSV rows printed with %.6g give back exactly this value. */
static double round3(double x)
{
    char s[32];
    snprintf(s, sizeof s, "%.3g", x);
    return strtod(s, NULL);
}

static double unif(mm_rng *g, double lo, double hi)
{
    return lo + (hi - lo) * mm_rng_random_python(g);
}

static int log_int(mm_rng *g, int lo, int hi)
{
    int v = (int)lround(exp(unif(g, log(lo), log(hi))));
    return v < lo ? lo : v > hi ? hi : v;
}

static int pow2_in(mm_rng *g, int lo, int hi)
{
    int a = (int)ceil(log2(lo) - 1e-9), b = (int)floor(log2(hi) + 1e-9);
    if (b < a) return lo; /* no power of two inside: the lower end */
    return 1 << (a + (int)(mm_rng_random_python(g) * (b - a + 1)) % (b - a + 1));
}

mm_status mm_sweep_draw(const mm_sweep_space *s, int V, uint64_t seed, long steps, int id,
                        mm_trial *t, mm_err *err)
{
    mm_rng g;
    /* a generator of its own per trial: trial i is the same whatever ran before */
    mm_rng_seed_python(&g, seed * 1000003ull + (uint64_t)id);
    for (int k = 0; k < MAX_DRAWS; k++) {
        memset(t, 0, sizeof *t);
        t->id = id;
        t->steps = steps;
        t->lr = round3(exp(unif(&g, log(s->lr_min), log(s->lr_max))));
        t->inv = s->use_step && s->use_inv ? mm_rng_random_python(&g) < 0.5 : s->use_inv;
        t->decay_step = (long)lround(unif(&g, 0.5, 0.9) * (double)steps);
        /* inv: the last step's lr is lr/f, f log-uniform in 2..50 */
        t->rate = steps > 0 ? round3((exp(unif(&g, log(2.0), log(50.0))) - 1.0) / (double)steps) : 0;
        t->batch = pow2_in(&g, s->batch_min, s->batch_max);
        t->block = s->block_min + (int)(mm_rng_random_python(&g) * (s->block_max - s->block_min + 1));
        if (t->block > s->block_max) t->block = s->block_max;
        t->embd = log_int(&g, s->embd_min, s->embd_max);
        t->hidden = log_int(&g, s->hidden_min, s->hidden_max);
        t->params = mm_sweep_params(V, t->block, t->embd, t->hidden);
        t->train_loss = t->dev_loss = t->seconds = NAN;
        if (s->max_params <= 0 || t->params <= (size_t)s->max_params) return MM_OK;
    }
    return mm_fail(err, MM_EINVAL, "--max-params %ld: no configuration within it after %d draws; widen the ranges",
                   s->max_params, MAX_DRAWS);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Trial t as the settings of `makemore train` (mm_sweep_command's flags),
 * turned into a model and training by the run builder's mm_settings_apply. */
static mm_status trial_settings(const mm_trial *t, int V, mm_config *cfg, mm_train_config *tc, mm_err *err)
{
    mm_settings s;
    mm_settings_defaults(&s);
    char v[8][40];
    snprintf(v[0], sizeof v[0], "%ld", t->steps);
    snprintf(v[1], sizeof v[1], "%d", t->batch);
    snprintf(v[2], sizeof v[2], "%d", t->block);
    snprintf(v[3], sizeof v[3], "%d", t->embd);
    snprintf(v[4], sizeof v[4], "%d", t->hidden);
    snprintf(v[5], sizeof v[5], "%.17g", t->lr);
    snprintf(v[6], sizeof v[6], "%ld", t->decay_step);
    snprintf(v[7], sizeof v[7], "%.17g", t->rate);
    const char *set[][2] = {{"max-steps", v[0]}, {"batch-size", v[1]}, {"block-size", v[2]}, {"n-embd", v[3]},
                            {"n-hidden", v[4]}, {"learning-rate", v[5]}, {"lr-decay-step", v[6]},
                            {"lr-decay-rate", v[7]}, {"lr-schedule", t->inv ? "inv" : "step"}};
    mm_status st = MM_OK;
    for (size_t i = 0; i < sizeof set / sizeof *set && !st; i++) st = mm_settings_set(&s, set[i][0], set[i][1], err);
    if (!st) st = mm_settings_resolve(&s, 0, err);
    if (!st) mm_settings_apply(&s, V, t->block, cfg, tc);
    return st;
}

static mm_status train_trial(mm_trial *t, const mm_sweep_setup *su, const mm_dataset *d, int nthreads,
                             mm_err *err)
{
    mm_config cfg;
    mm_train_config tc;
    mm_status st = trial_settings(t, su->vocab->size, &cfg, &tc, err);
    mm_model m;
    if (!st) st = mm_model_build(&m, &cfg, err);
    if (st) return st;
    mm_train_state ts;
    memset(&ts, 0, sizeof ts);
    mm_rng_seed_torch(&ts.rng, su->seed);
    mm_model_init(&m, (mm_init_kind)su->init_kind, &ts.rng);
    st = mm_train_run(&m, &tc, &ts, &d->split[MM_TRAIN], nthreads, NULL, NULL, err);
    mm_optim_state_free(&ts.opt);
    t->seconds = ts.train_seconds;
    if (st == MM_ENUMERIC) {
        st = MM_OK; /* diverged: NaN losses mark it in the table */
    } else if (!st) {
        st = mm_model_split_loss(&m, &d->split[MM_TRAIN], nthreads, &t->train_loss, err);
        if (!st) st = mm_model_split_loss(&m, &d->split[MM_DEV], nthreads, &t->dev_loss, err);
    }
    mm_model_free(&m);
    return st;
}

mm_status mm_sweep_run(mm_trial *t, const mm_sweep_setup *su, int nthreads, mm_err *err)
{
    mm_dataset d;
    t->train_loss = t->dev_loss = NAN;
    double t0 = now_seconds();
    const mm_data_opts o = {.T = t->block, .split_kind = MM_SPLIT_LECTURE, .split_seed = su->split_seed};
    mm_status st = mm_dataset_build(&d, su->words, su->vocab, &o, su->input, err);
    if (st) return st;
    st = train_trial(t, su, &d, nthreads, err);
    if (!(t->seconds > 0)) t->seconds = now_seconds() - t0;
    mm_dataset_free(&d);
    return st;
}

void mm_sweep_command(const mm_trial *t, const mm_sweep_setup *su, mm_sbuf *out)
{
    mm_sbuf_printf(out, "makemore train -i %s --max-steps %ld --batch-size %d --block-size %d --n-embd %d "
                   "--n-hidden %d --learning-rate %.6g", su->input, t->steps, t->batch, t->block, t->embd,
                   t->hidden, t->lr);
    if (t->inv) mm_sbuf_printf(out, " --lr-schedule inv --lr-decay-rate %.6g", t->rate);
    else mm_sbuf_printf(out, " --lr-decay-step %ld", t->decay_step);
    mm_sbuf_printf(out, " --init %s --seed %llu --split-seed %llu", su->init_kind == MM_INIT_SCALED ? "scaled" : "torch",
                   (unsigned long long)su->seed, (unsigned long long)su->split_seed);
}

void mm_sweep_csv(const mm_trial *t, int n, mm_sbuf *out)
{
    mm_sbuf_puts(out, CSV_HEADER);
    for (int i = 0; i < n; i++)
        mm_sbuf_printf(out, "%d,%.6g,%s,%ld,%.6g,%d,%d,%d,%d,%zu,%ld,%.7g,%.7g,%.3f\n", t[i].id, t[i].lr,
                       t[i].inv ? "inv" : "step", t[i].decay_step, t[i].rate, t[i].batch, t[i].block, t[i].embd,
                       t[i].hidden, t[i].params, t[i].steps, t[i].train_loss, t[i].dev_loss, t[i].seconds);
}

mm_status mm_sweep_parse(const char *buf, size_t len, const char *name, mm_trial **out, int *n, mm_err *err)
{
    *out = NULL;
    *n = 0;
    size_t hl = strlen(CSV_HEADER);
    if (len < hl || memcmp(buf, CSV_HEADER, hl))
        return mm_fail(err, MM_EFORMAT, "%s: not a sweep.csv (the header differs); use another -o folder", name);
    size_t rows = 0;
    for (size_t i = hl; i < len; i++) rows += buf[i] == '\n';
    mm_trial *t = calloc(rows + 1, sizeof *t);
    if (!t) return mm_fail(err, MM_ENOMEM, "out of memory");
    const char *p = buf + hl, *end = buf + len;
    int line = 1, k = 0;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        line++;
        char row[512], sched[8];
        size_t m = (size_t)(e - p) < sizeof row - 1 ? (size_t)(e - p) : sizeof row - 1;
        memcpy(row, p, m);
        row[m] = 0;
        p = e + 1;
        if (!m) continue;
        mm_trial *r = &t[k];
        int got = sscanf(row, "%d,%lf,%7[^,],%ld,%lf,%d,%d,%d,%d,%zu,%ld,%lf,%lf,%lf", &r->id, &r->lr, sched,
                         &r->decay_step, &r->rate, &r->batch, &r->block, &r->embd, &r->hidden, &r->params,
                         &r->steps, &r->train_loss, &r->dev_loss, &r->seconds);
        if (got != 14 || (strcmp(sched, "step") && strcmp(sched, "inv"))) {
            free(t);
            return mm_fail(err, MM_EFORMAT, "%s:%d: not a sweep row", name, line);
        }
        r->inv = !strcmp(sched, "inv");
        k++;
    }
    *out = t;
    *n = k;
    return MM_OK;
}

static int by_dev(const void *a, const void *b)
{
    const mm_trial *x = a, *y = b;
    int nx = isnan(x->dev_loss), ny = isnan(y->dev_loss);
    if (nx || ny) return nx - ny;
    return x->dev_loss < y->dev_loss ? -1 : x->dev_loss > y->dev_loss ? 1 : x->id - y->id;
}

void mm_sweep_markdown(mm_trial *t, int n, const mm_sweep_setup *su, mm_sbuf *out)
{
    qsort(t, (size_t)n, sizeof *t, by_dev);
    mm_sbuf_printf(out, "# Sweep on %s: %d trials of %ld steps, sorted by dev loss\n\n", su->input, n, su->steps);
    mm_sbuf_puts(out, "| rank | dev loss | train loss | params | lr | schedule | batch | block | embd | hidden | seconds | trial |\n"
                      "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        char sched[64];
        if (t[i].inv) snprintf(sched, sizeof sched, "inv, rate %.3g", t[i].rate);
        else snprintf(sched, sizeof sched, "step, x0.1 at %ld", t[i].decay_step);
        mm_sbuf_printf(out, "| %d | %.4f | %.4f | %zu | %.3g | %s | %d | %d | %d | %d | %.1f | %d |\n", i + 1,
                       t[i].dev_loss, t[i].train_loss, t[i].params, t[i].lr, sched, t[i].batch, t[i].block,
                       t[i].embd, t[i].hidden, t[i].seconds, t[i].id);
    }
    if (n > 0 && !isnan(t[0].dev_loss)) {
        mm_sbuf_printf(out, "\nBest (trial %d, dev loss %.4f); to train it again:\n\n```\n", t[0].id, t[0].dev_loss);
        mm_sweep_command(&t[0], su, out);
        mm_sbuf_puts(out, "\n```\n");
    }
}
