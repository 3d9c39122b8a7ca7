/* Optimizer and learning-rate schedule.
 *
 * SGD as the lecture: p -= lr * grad. Weight decay, when set, adds wd * p to
 * the gradient of weights and embeddings (not biases), the L2 penalty of
 * Bengio et al. 2003. */
#ifndef MM_OPTIM_H
#define MM_OPTIM_H

#include "model.h"

typedef enum {
    MM_SCHED_STEP, /* lr0, then lr0 * decay from decay_step on (the lecture) */
    MM_SCHED_INV   /* lr0 / (1 + rate * t)  (Bengio et al. 2003) */
} mm_sched_kind;

typedef struct {
    mm_sched_kind kind;
    double lr;         /* lr0 */
    double decay;      /* MM_SCHED_STEP: factor applied at decay_step */
    long decay_step;
    double rate;       /* MM_SCHED_INV */
} mm_schedule;

double mm_schedule_lr(const mm_schedule *s, long step);

typedef struct {
    double weight_decay;
} mm_optim;

void mm_optim_step(const mm_optim *o, mm_model *m, double lr);

#endif
