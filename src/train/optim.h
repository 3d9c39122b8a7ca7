/* Optimizers and learning-rate schedules.
 *
 * SGD as the lecture: p -= lr * grad. With weight decay, SGD and momentum
 * add wd * p to the gradient of weights and embeddings (not biases or
 * batch-norm gains), the L2 penalty of Bengio et al. 2003. AdamW instead
 * decays those weights directly, p *= 1 - lr * wd, outside the adaptive
 * step (Loshchilov & Hutter). Every update follows torch.optim's formulas
 * (SGD, SGD with momentum and dampening 0, AdamW), so a run can be checked
 * against PyTorch step by step. Tensors flagged as buffers (batch-norm
 * running statistics) are never touched. */
#ifndef MM_OPTIM_H
#define MM_OPTIM_H

#include "model.h"

typedef enum {
    MM_SCHED_STEP,  /* lr0, then lr0 * decay from decay_step on (the lecture) */
    MM_SCHED_INV,   /* lr0 / (1 + rate * t)  (Bengio et al. 2003) */
    MM_SCHED_COSINE /* lr0 down to min_lr along half a cosine, ending at decay_step */
} mm_sched_kind;

typedef struct {
    mm_sched_kind kind;
    double lr;         /* lr0 */
    double decay;      /* MM_SCHED_STEP: factor applied at decay_step */
    long decay_step;   /* MM_SCHED_STEP: when to decay; MM_SCHED_COSINE: where min_lr is reached */
    double rate;       /* MM_SCHED_INV */
    long warmup;       /* any schedule: steps 0..warmup-1 ramp linearly up to it */
    double min_lr;     /* MM_SCHED_COSINE */
} mm_schedule;

/* By name ("step", "inv", "cosine"): the kind, or -1; and back; and
 * "step, inv or cosine" for messages. */
int mm_sched_find(const char *name);
const char *mm_sched_name(int kind);
const char *mm_sched_names(void);
/* The learning rate of step (0-based). */
double mm_schedule_lr(const mm_schedule *s, long step);

typedef enum { MM_OPT_SGD, MM_OPT_MOMENTUM, MM_OPT_ADAMW } mm_optim_kind;

typedef struct {
    double weight_decay; /* SGD, momentum: L2 coefficient; AdamW: decoupled decay */
    mm_optim_kind kind;
    double momentum;     /* MM_OPT_MOMENTUM */
    double beta1, beta2, eps; /* MM_OPT_ADAMW */
} mm_optim;

/* What an optimizer carries from step to step, in one allocation so a
 * checkpoint writes it in one call. */
typedef struct {
    int nslots;  /* 0 for SGD, 1 for momentum, 2 for AdamW */
    size_t n;    /* floats per slot: the model's nparams */
    float *buf;  /* (nslots, n): the momentum buffer; or Adam's m, then v */
} mm_optim_state;

#define MM_OPTIM_MAX_SLOTS 4

/* One optimizer: a table entry behind one interface (optimizers.c); the
 * training loop, the checkpoint and the front ends know them by name,
 * slots and check only. */
typedef struct {
    const char *name;    /* --optimizer NAME */
    const char *summary; /* one line, for --optimizer list */
    int nslots;          /* floats it keeps per parameter between steps, <= MM_OPTIM_MAX_SLOTS */
    /* Refuses its own settings out of range, naming the flag (NULL: none;
     * the weight decay is checked for all). */
    mm_status (*check)(const mm_optim *o, mm_err *err);
    /* Updates one tensor: n parameters p from their gradients g at rate lr
     * with decay wd (0 for tensors that take none); slot[k] are its nslots
     * state arrays for this tensor; t is the update's 1-based count. */
    void (*step)(const mm_optim *o, float *p, float *const *slot, const float *g, size_t n, double lr,
                 double wd, long t);
} mm_optimizer;

/* The registry (optimizers.c), by id (mm_optim_kind). */
int mm_optim_count(void);
const mm_optimizer *mm_optimizer_at(int kind); /* NULL outside 0..count-1 */
/* By name ("sgd", ...): the id, or -1; an id's name ("?" for none); and
 * "sgd, momentum or adamw" for messages. */
int mm_optim_find(const char *name);
const char *mm_optim_name(int kind);
const char *mm_optim_names(void);

/* Ranges of the optimizer's settings; names the flag that is wrong. */
mm_status mm_optim_check(const mm_optim *o, mm_err *err);
mm_status mm_schedule_check(const mm_schedule *s, mm_err *err);
int mm_optim_slots(mm_optim_kind kind);
/* A zeroed state for n parameters, as torch's before its first step. */
mm_status mm_optim_state_build(mm_optim_state *s, mm_optim_kind kind, size_t n, mm_err *err);
void mm_optim_state_free(mm_optim_state *s);

/* One update from m->grads at learning rate lr; t is this update's 1-based
 * count (AdamW's bias correction). s must be built for o->kind and m. */
void mm_optim_step(const mm_optim *o, mm_optim_state *s, mm_model *m, double lr, long t);

/* What an output-parallel process owns of the tensors indexed by the output
 * token, each (rows, V) with the token along the row: their columns
 * [r0, r1). ids: those tensors (-1: none). */
typedef struct {
    int ids[3];
    int r0, r1;
} mm_optim_owned;

/* mm_optim_step on the other tensors whole and on own's columns only: the
 * rest of the output layer is other processes' to update, and a gather
 * replaces it, so updating it too would only repeat their work. */
void mm_optim_step_owned(const mm_optim *o, mm_optim_state *s, mm_model *m, double lr, long t,
                         const mm_optim_owned *own);
/* Zeroes the gradients mm_optim_step_owned reads: the other tensors whole,
 * own's columns of its tensors. */
void mm_optim_zero_owned(mm_model *m, const mm_optim_owned *own);

#endif
