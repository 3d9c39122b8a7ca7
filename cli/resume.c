#include "resume.h"

#include <stdio.h>
#include <string.h>

#include "sha256.h"

/* A setting a resumed run may change: the flag and where its value lives in
 * the run (a double, or a long). */
typedef struct {
    const char *flag;
    double *d;
    long *l;
} setting;

static void note(char *changes, size_t n, const char *flag, const char *was, const char *now)
{
    size_t used = strlen(changes);
    snprintf(changes + used, n - used, "%s%s %s -> %s", used ? "; " : "", flag, was, now);
    fprintf(stderr, "makemore: --resume: %s changed from %s to %s\n", flag, was, now);
}

/* --lr-schedule by name; when it changes and --lr-decay-step is not given,
 * the end (cosine) or decay step (step) is derived from the run's steps as
 * for a fresh run. */
static int apply_schedule(mm_run *r, const arg_spec *specs, int nspecs, char *changes, size_t n)
{
    const arg_spec *s = args_find(specs, nspecs, "--lr-schedule");
    if (!s || !s->seen) return 0;
    const char *name = *(const char *const *)s->dest;
    int kind = mm_sched_find(name);
    if (kind < 0) return cli_error("--lr-schedule '%s': expected %s", name, mm_sched_names());
    mm_schedule *sc = &r->train.sched;
    if (kind == (int)sc->kind) return 0;
    note(changes, n, "--lr-schedule", mm_sched_name(sc->kind), name);
    sc->kind = (mm_sched_kind)kind;
    if (!args_seen(specs, nspecs, "--lr-decay-step"))
        sc->decay_step = kind == MM_SCHED_COSINE ? r->train.max_steps : r->train.max_steps / 2;
    return 0;
}

int resume_apply_settings(mm_run *r, const arg_spec *specs, int nspecs, char *changes, size_t n)
{
    changes[0] = 0;
    if (args_seen(specs, nspecs, "--init"))
        return cli_error("--init: the weights of a resumed run exist already; drop --init to resume, or "
                         "train afresh with --force");
    const arg_spec *lf = args_find(specs, nspecs, "--lr-find");
    if (lf && lf->seen && *(const int *)lf->dest != 0) /* 0 asks for no sweep: nothing to refuse */
        return cli_error("--lr-find: the learning-rate sweep runs when a run starts (its lr_find.csv stays); "
                         "drop it to resume, or run makemore lr-find");
    mm_train_config *t = &r->train;
    const setting table[] = {
        {"--learning-rate", &t->sched.lr, NULL}, {"--lr-decay", &t->sched.decay, NULL},
        {"--lr-decay-step", NULL, &t->sched.decay_step}, {"--lr-decay-rate", &t->sched.rate, NULL},
        {"--weight-decay", &t->optim.weight_decay, NULL}, {"--momentum", &t->optim.momentum, NULL},
        {"--beta1", &t->optim.beta1, NULL}, {"--beta2", &t->optim.beta2, NULL},
        {"--eps", &t->optim.eps, NULL}, {"--warmup-steps", NULL, &t->sched.warmup},
        {"--min-lr", &t->sched.min_lr, NULL},
    };
    int rc = apply_schedule(r, specs, nspecs, changes, n);
    for (size_t i = 0; !rc && i < sizeof table / sizeof *table; i++) {
        const arg_spec *s = args_find(specs, nspecs, table[i].flag);
        if (!s || !s->seen) continue;
        char was[32], now[32];
        if (table[i].d) {
            double v = *(const double *)s->dest;
            if (v == *table[i].d) continue;
            snprintf(was, sizeof was, "%g", *table[i].d);
            snprintf(now, sizeof now, "%g", v);
            *table[i].d = v;
        } else {
            long v = *(const long *)s->dest;
            if (v == *table[i].l) continue;
            snprintf(was, sizeof was, "%ld", *table[i].l);
            snprintf(now, sizeof now, "%ld", v);
            *table[i].l = v;
        }
        note(changes, n, table[i].flag, was, now);
    }
    mm_err err;
    if (!rc && mm_train_config_check(t, 1, &err)) rc = cli_error("--resume: %s", err.msg);
    return rc;
}

int resume_check_data(const mm_run *r, const cli_data *d, const char *ckpt)
{
    if (!r->data_items) return 0; /* a checkpoint from before the identity was recorded */
    if (r->data_items == d->words.nwords && !memcmp(r->data_sha256, d->words.sha256, 32)) return 0;
    char want[65], got[65];
    mm_sha256_hex(r->data_sha256, want);
    mm_sha256_hex(d->words.sha256, got);
    return cli_error("%s: not the data of the run in %s (%zu items, sha256 %.12s..., where the run trained on "
                     "%llu items, sha256 %.12s...); resume on that file, or train afresh with --force", r->input,
                     ckpt, d->words.nwords, got, (unsigned long long)r->data_items, want);
}

int resume_check_unfinished(const mm_run *r, const char *ckpt)
{
    if (r->state.step < r->train.max_steps) return 0;
    return cli_error("%s: this run is finished (step %ld of --max-steps %ld): pass --resume --max-steps N with "
                     "N above %ld to train further, or --force to start over", ckpt, r->state.step,
                     r->train.max_steps, r->state.step);
}

void resume_record_data(mm_run *r, const cli_data *d)
{
    r->data_items = d->words.nwords;
    memcpy(r->data_sha256, d->words.sha256, sizeof r->data_sha256);
}
