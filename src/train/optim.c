#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

double mm_schedule_lr(const mm_schedule *s, long step)
{
    if (step < s->warmup) return s->lr * (double)(step + 1) / (double)s->warmup;
    switch (s->kind) {
    case MM_SCHED_INV:
        return s->lr / (1.0 + s->rate * (double)step);
    case MM_SCHED_COSINE: {
        long span = s->decay_step - s->warmup;
        double p = span > 0 ? (double)(step - s->warmup) / (double)span : 1.0;
        if (p > 1.0) p = 1.0;
        return s->min_lr + 0.5 * (s->lr - s->min_lr) * (1.0 + cos(PI * p));
    }
    case MM_SCHED_STEP:
    default:
        return step < s->decay_step ? s->lr : s->lr * s->decay;
    }
}

mm_status mm_schedule_check(const mm_schedule *s, mm_err *err)
{
    if (s->kind != MM_SCHED_STEP && s->kind != MM_SCHED_INV && s->kind != MM_SCHED_COSINE)
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
    if (o->kind != MM_OPT_SGD && o->kind != MM_OPT_MOMENTUM && o->kind != MM_OPT_ADAMW)
        return mm_fail(err, MM_EINVAL, "--optimizer: unknown optimizer %d", (int)o->kind);
    if (!isfinite(o->weight_decay) || o->weight_decay < 0)
        return mm_fail(err, MM_EINVAL, "--weight-decay must be a finite number >= 0");
    if (o->kind == MM_OPT_MOMENTUM && !(o->momentum >= 0 && o->momentum < 1))
        return mm_fail(err, MM_EINVAL, "--momentum %g must be in [0, 1)", o->momentum);
    if (o->kind == MM_OPT_ADAMW) {
        if (!(o->beta1 >= 0 && o->beta1 < 1)) return mm_fail(err, MM_EINVAL, "--beta1 %g must be in [0, 1)", o->beta1);
        if (!(o->beta2 >= 0 && o->beta2 < 1)) return mm_fail(err, MM_EINVAL, "--beta2 %g must be in [0, 1)", o->beta2);
        if (!(o->eps > 0 && o->eps <= 1)) return mm_fail(err, MM_EINVAL, "--eps %g must be in (0, 1]", o->eps);
    }
    return MM_OK;
}

int mm_optim_slots(mm_optim_kind kind)
{
    return kind == MM_OPT_ADAMW ? 2 : kind == MM_OPT_MOMENTUM ? 1 : 0;
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

static void sgd(float *p, const float *g, size_t n, float neg_lr, float wd)
{
    if (wd != 0.0f)
        for (size_t i = 0; i < n; i++) p[i] += neg_lr * (g[i] + wd * p[i]);
    else
        for (size_t i = 0; i < n; i++) p[i] += neg_lr * g[i];
}

static void momentum(float *p, float *buf, const float *g, size_t n, float neg_lr, float wd, float mu)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = mu * buf[i] + (g[i] + wd * p[i]);
        p[i] += neg_lr * buf[i];
    }
}

/* torch.optim.AdamW's single-tensor update: the bias corrections are folded
 * into a step size and a divisor of sqrt(v), in that order, as torch does. */
static void adamw(float *p, float *m, float *v, const float *g, size_t n, const mm_optim *o,
                  double lr, double wd, long t)
{
    const float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
    const double bc1 = 1.0 - pow(o->beta1, (double)t), bc2 = 1.0 - pow(o->beta2, (double)t);
    const float neg_step = (float)(-lr / bc1), bc2_sqrt = (float)sqrt(bc2);
    const float shrink = (float)(1.0 - lr * wd);
    for (size_t i = 0; i < n; i++) {
        p[i] *= shrink;
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] += neg_step * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
    }
}

void mm_optim_step(const mm_optim *o, mm_optim_state *s, mm_model *m, double lr, long t)
{
    /* torch multiplies the float32 gradient by the lr rounded to float32 */
    const float neg_lr = (float)-lr;
    for (int k = 0; k < m->ntensors; k++) {
        const mm_tensor *tn = &m->tensors[k];
        if (tn->buffer) continue;
        float *p = m->params + tn->offset;
        const float *g = m->grads + tn->offset;
        const double wd = tn->decay ? o->weight_decay : 0.0;
        switch (o->kind) {
        case MM_OPT_MOMENTUM:
            momentum(p, s->buf + tn->offset, g, tn->size, neg_lr, (float)wd, (float)o->momentum);
            break;
        case MM_OPT_ADAMW:
            adamw(p, s->buf + tn->offset, s->buf + s->n + tn->offset, g, tn->size, o, lr, wd, t);
            break;
        case MM_OPT_SGD:
        default:
            sgd(p, g, tn->size, neg_lr, (float)wd);
        }
    }
}
