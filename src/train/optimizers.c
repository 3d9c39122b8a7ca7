/* The optimizers, one table entry each at its id (mm_optim_kind, which
 * model.bin stores: ids are never reused). Every update follows
 * torch.optim's formulas in float32, so a run can be checked against
 * PyTorch step by step. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "optim.h"
#include "parse.h"

/* torch multiplies the float32 gradient by the lr rounded to float32 */
static void sgd_step(const mm_optim *o, float *p, float *const *slot, const float *g, size_t n, double lr,
                     double wd, long t)
{
    const float neg_lr = (float)-lr, w = (float)wd;
    if (w != 0.0f)
        for (size_t i = 0; i < n; i++) p[i] += neg_lr * (g[i] + w * p[i]);
    else
        for (size_t i = 0; i < n; i++) p[i] += neg_lr * g[i];
}

/* torch's SGD with momentum and dampening 0: slot 0 is the buffer. */
static void momentum_step(const mm_optim *o, float *p, float *const *slot, const float *g, size_t n, double lr,
                          double wd, long t)
{
    const float neg_lr = (float)-lr, w = (float)wd, mu = (float)o->momentum;
    float *buf = slot[0];
    for (size_t i = 0; i < n; i++) {
        buf[i] = mu * buf[i] + (g[i] + w * p[i]);
        p[i] += neg_lr * buf[i];
    }
}

static mm_status momentum_check(const mm_optim *o, mm_err *err)
{
    if (!(o->momentum >= 0 && o->momentum < 1)) return mm_fail(err, MM_EINVAL, "--momentum %g must be in [0, 1)", o->momentum);
    return MM_OK;
}

/* torch.optim.AdamW's single-tensor update: the bias corrections are folded
 * into a step size and a divisor of sqrt(v), in that order, as torch does.
 * Slots 0 and 1 are m and v. */
static void adamw_step(const mm_optim *o, float *p, float *const *slot, const float *g, size_t n, double lr,
                       double wd, long t)
{
    float *m = slot[0], *v = slot[1];
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

static mm_status adamw_check(const mm_optim *o, mm_err *err)
{
    if (!(o->beta1 >= 0 && o->beta1 < 1)) return mm_fail(err, MM_EINVAL, "--beta1 %g must be in [0, 1)", o->beta1);
    if (!(o->beta2 >= 0 && o->beta2 < 1)) return mm_fail(err, MM_EINVAL, "--beta2 %g must be in [0, 1)", o->beta2);
    if (!(o->eps > 0 && o->eps <= 1)) return mm_fail(err, MM_EINVAL, "--eps %g must be in (0, 1]", o->eps);
    return MM_OK;
}

static const mm_optimizer OPTIMIZERS[] = {
    [MM_OPT_SGD] = {"sgd", "plain SGD, as the lecture: p -= lr * grad (weight decay: L2)", 0, NULL, sgd_step},
    [MM_OPT_MOMENTUM] = {"momentum", "SGD with momentum (--momentum), torch's, dampening 0 (weight decay: L2)", 1,
                         momentum_check, momentum_step},
    [MM_OPT_ADAMW] = {"adamw", "AdamW (--beta1, --beta2, --eps), weight decay decoupled", 2, adamw_check, adamw_step},
};
#define NOPTIMIZERS ((int)(sizeof OPTIMIZERS / sizeof *OPTIMIZERS))

int mm_optim_count(void) { return NOPTIMIZERS; }

const mm_optimizer *mm_optimizer_at(int kind)
{
    return kind >= 0 && kind < NOPTIMIZERS && OPTIMIZERS[kind].name ? &OPTIMIZERS[kind] : NULL;
}

int mm_optim_find(const char *name)
{
    for (int i = 0; name && i < NOPTIMIZERS; i++)
        if (OPTIMIZERS[i].name && !strcmp(OPTIMIZERS[i].name, name)) return i;
    return -1;
}

const char *mm_optim_name(int kind)
{
    const mm_optimizer *o = mm_optimizer_at(kind);
    return o ? o->name : "?";
}

const char *mm_optim_names(void)
{
    static char names[256];
    static int done;
#pragma omp critical(mm_optim_names)
    if (!done) {
        mm_names_join(names, sizeof names, NOPTIMIZERS, mm_optim_name);
        done = 1;
    }
    return names;
}
