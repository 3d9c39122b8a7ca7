#include "optim.h"

double mm_schedule_lr(const mm_schedule *s, long step)
{
    switch (s->kind) {
    case MM_SCHED_INV:
        return s->lr / (1.0 + s->rate * (double)step);
    case MM_SCHED_STEP:
    default:
        return step < s->decay_step ? s->lr : s->lr * s->decay;
    }
}

void mm_optim_step(const mm_optim *o, mm_model *m, double lr)
{
    /* torch multiplies the float32 gradient by the lr rounded to float32 */
    const float neg_lr = (float)-lr;
    const float wd = (float)o->weight_decay;
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        float *p = m->params + tn->offset;
        const float *g = m->grads + tn->offset;
        if (wd != 0.0f && tn->decay)
            for (size_t i = 0; i < tn->size; i++) p[i] += neg_lr * (g[i] + wd * p[i]);
        else
            for (size_t i = 0; i < tn->size; i++) p[i] += neg_lr * g[i];
    }
}
