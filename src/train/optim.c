#include "optim.h"
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

static double lr_step(const mm_schedule *s, long step) { return step < s->decay_step ? s->lr : s->lr * s->decay; }

static double lr_inv(const mm_schedule *s, long step) { return s->lr / (1.0 + s->rate * (double)step); }

static double lr_cosine(const mm_schedule *s, long step)
{
    long span = s->decay_step - s->warmup;
    double p = span > 0 ? (double)(step - s->warmup) / (double)span : 1.0;
    if (p > 1.0) p = 1.0;
    return s->min_lr + 0.5 * (s->lr - s->min_lr) * (1.0 + cos(PI * p));
}

/* The schedules at their ids (mm_sched_kind, which model.bin stores). */
static const struct {
    const char *name;
    double (*lr)(const mm_schedule *s, long step);
} SCHEDULES[] = {
    [MM_SCHED_STEP] = {"step", lr_step},
    [MM_SCHED_INV] = {"inv", lr_inv},
    [MM_SCHED_COSINE] = {"cosine", lr_cosine},
};
#define NSCHEDULES ((int)(sizeof SCHEDULES / sizeof *SCHEDULES))

int mm_sched_find(const char *name)
{
    for (int i = 0; name && i < NSCHEDULES; i++)
        if (!strcmp(SCHEDULES[i].name, name)) return i;
    return -1;
}

const char *mm_sched_name(int kind) { return kind >= 0 && kind < NSCHEDULES ? SCHEDULES[kind].name : "?"; }

const char *mm_sched_names(void)
{
    static char names[128];
    static int done;
#pragma omp critical(mm_sched_names)
    if (!done) {
        mm_names_join(names, sizeof names, NSCHEDULES, mm_sched_name);
        done = 1;
    }
    return names;
}

double mm_schedule_lr(const mm_schedule *s, long step)
{
    if (step < s->warmup) return s->lr * (double)(step + 1) / (double)s->warmup;
    int k = (int)s->kind;
    return SCHEDULES[k >= 0 && k < NSCHEDULES ? k : MM_SCHED_STEP].lr(s, step);
}

mm_status mm_schedule_check(const mm_schedule *s, mm_err *err)
{
    if ((int)s->kind < 0 || (int)s->kind >= NSCHEDULES)
        return mm_fail(err, MM_EINVAL, "--lr-schedule: unknown schedule %d", (int)s->kind);
    if (!isfinite(s->lr) || s->lr < 0)
        return mm_fail(err, MM_EINVAL, "--learning-rate must be a finite number >= 0");
    if (!isfinite(s->decay) || s->decay < 0)
        return mm_fail(err, MM_EINVAL, "--lr-decay must be a finite number >= 0");
    if (!isfinite(s->rate) || s->rate < 0)
        return mm_fail(err, MM_EINVAL, "--lr-decay-rate must be a finite number >= 0");
    if (s->decay_step < 0) return mm_fail(err, MM_EINVAL, "--lr-decay-step must be >= 0");
    if (s->warmup < 0) return mm_fail(err, MM_EINVAL, "--warmup-steps must be >= 0");
    if (!isfinite(s->min_lr) || s->min_lr < 0 || s->min_lr > s->lr)
        return mm_fail(err, MM_EINVAL, "--min-lr %g must be between 0 and --learning-rate %g", s->min_lr, s->lr);
    return MM_OK;
}

mm_status mm_optim_check(const mm_optim *o, mm_err *err)
{
    const mm_optimizer *k = mm_optimizer_at((int)o->kind);
    if (!k) return mm_fail(err, MM_EINVAL, "--optimizer: unknown optimizer %d", (int)o->kind);
    if (!isfinite(o->weight_decay) || o->weight_decay < 0)
        return mm_fail(err, MM_EINVAL, "--weight-decay must be a finite number >= 0");
    return k->check ? k->check(o, err) : MM_OK;
}

int mm_optim_slots(mm_optim_kind kind)
{
    const mm_optimizer *k = mm_optimizer_at((int)kind);
    return k ? k->nslots : 0;
}

mm_status mm_optim_state_build(mm_optim_state *s, mm_optim_kind kind, size_t n, mm_err *err)
{
    memset(s, 0, sizeof *s);
    s->nslots = mm_optim_slots(kind);
    s->n = n;
    if (s->nslots == 0) return MM_OK;
    s->buf = calloc((size_t)s->nslots * n, sizeof *s->buf);
    if (!s->buf) return mm_fail(err, MM_ENOMEM, "out of memory for the optimizer's state (%d x %zu floats)", s->nslots, n);
    return MM_OK;
}

void mm_optim_state_free(mm_optim_state *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

/* Which of own's tensors tensor i is (its rows: size / V), else 0. */
static int owned_rows(const mm_model *m, int i, const mm_optim_owned *own)
{
    if (!own) return 0;
    for (int k = 0; k < 3; k++)
        if (own->ids[k] == i) return (int)(m->tensors[i].size / (size_t)m->cfg.vocab_size);
    return 0;
}

/* The update of tensor tn's n parameters from its element at. */
static void step_span(const mm_optimizer *k, const mm_optim *o, mm_optim_state *s, mm_model *m,
                      const mm_tensor *tn, size_t at, size_t n, double lr, long t)
{
    float *slot[MM_OPTIM_MAX_SLOTS];
    const size_t off = tn->offset + at;
    for (int j = 0; j < k->nslots; j++) slot[j] = s->buf + (size_t)j * s->n + off;
    k->step(o, m->params + off, slot, m->grads + off, n, lr, tn->decay ? o->weight_decay : 0.0, t);
}

void mm_optim_step_owned(const mm_optim *o, mm_optim_state *s, mm_model *m, double lr, long t,
                         const mm_optim_owned *own)
{
    const mm_optimizer *k = mm_optimizer_at((int)o->kind);
    if (!k) return; /* mm_optim_check refuses it before training */
    const size_t V = (size_t)m->cfg.vocab_size;
    for (int i = 0; i < m->ntensors; i++) {
        const mm_tensor *tn = &m->tensors[i];
        if (tn->buffer) continue;
        const int rows = owned_rows(m, i, own);
        if (!rows) {
            step_span(k, o, s, m, tn, 0, tn->size, lr, t);
            continue;
        }
        for (int r = 0; r < rows; r++)
            step_span(k, o, s, m, tn, (size_t)r * V + (size_t)own->r0, (size_t)(own->r1 - own->r0), lr, t);
    }
}

void mm_optim_step(const mm_optim *o, mm_optim_state *s, mm_model *m, double lr, long t)
{
    mm_optim_step_owned(o, s, m, lr, t, NULL);
}

void mm_optim_zero_owned(mm_model *m, const mm_optim_owned *own)
{
    const size_t V = (size_t)m->cfg.vocab_size;
    for (int i = 0; i < m->ntensors; i++) {
        const mm_tensor *tn = &m->tensors[i];
        float *g = m->grads + tn->offset;
        const int rows = owned_rows(m, i, own);
        if (!rows) memset(g, 0, tn->size * sizeof *g);
        for (int r = 0; r < rows; r++)
            memset(g + (size_t)r * V + own->r0, 0, (size_t)(own->r1 - own->r0) * sizeof *g);
    }
}
