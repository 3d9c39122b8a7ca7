#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "kind.h"

#define MAX_BATCH (1 << 20)

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

mm_status mm_train_config_check(const mm_train_config *tc, size_t ntrain, mm_err *err)
{
    if (tc->max_steps < 0)
        return mm_fail(err, MM_EINVAL, "--max-steps %ld is negative", tc->max_steps);
    if (tc->batch_size < 1 || tc->batch_size > MAX_BATCH)
        return mm_fail(err, MM_EINVAL, "--batch-size %d is outside 1..%d", tc->batch_size, MAX_BATCH);
    mm_status st = mm_schedule_check(&tc->sched, err);
    if (!st) st = mm_optim_check(&tc->optim, err);
    if (st) return st;
    if (ntrain == 0 && tc->max_steps > 0)
        return mm_fail(err, MM_EINVAL, "the training split is empty: the input needs more items");
    if (ntrain > 0xffffffffu)
        return mm_fail(err, MM_EINVAL, "the training split has over 2^32 examples");
    return MM_OK;
}

/* Xb (B, T) and Yb (B, ny): the examples ix (B) of s */
static void gather_batch(int32_t *Xb, int32_t *Yb, const int32_t *ix, const mm_split *s, int B)
{
    const int T = s->T, ny = s->ny > 1 ? s->ny : 1;
    for (int b = 0; b < B; b++) {
        const int32_t *x = s->X + (size_t)ix[b] * T, *y = s->Y + (size_t)ix[b] * ny;
        for (int t = 0; t < T; t++) Xb[b * T + t] = x[t];
        for (int t = 0; t < ny; t++) Yb[b * ny + t] = y[t];
    }
}

mm_status mm_train_run(mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                       const mm_split *train, int nthreads, mm_step_fn fn, void *ctx,
                       mm_err *err)
{
    mm_status st = mm_train_config_check(tc, train->n, err);
    if (st) return st;
    if (!ts->opt.buf && mm_optim_slots(tc->optim.kind) &&
        (st = mm_optim_state_build(&ts->opt, tc->optim.kind, m->nparams, err)))
        return st;
    if (ts->opt.nslots != mm_optim_slots(tc->optim.kind) || (ts->opt.nslots && ts->opt.n != m->nparams))
        return mm_fail(err, MM_EINVAL, "the optimizer's state does not fit the optimizer or the model");
    const int B = tc->batch_size, T = train->T;
    const int ny = train->ny > 1 ? train->ny : 1, want = m->kind->layout == MM_LAYOUT_SEQUENCE ? T : 1;
    if (T != m->cfg.block_size || ny != want)
        return mm_fail(err, MM_EINVAL, "examples of block %d with %d targets each do not fit a %s model of block %d",
                       T, ny, m->kind->name, m->cfg.block_size);
    mm_acts a;
    if ((st = mm_acts_build(&a, &m->cfg, B, err))) return st;
    int32_t *ix = malloc((size_t)B * sizeof *ix);
    int32_t *Xb = malloc((size_t)B * T * sizeof *Xb);
    int32_t *Yb = malloc((size_t)B * (train->ny > 1 ? (size_t)train->ny : 1) * sizeof *Yb);
    if (!ix || !Xb || !Yb) {
        st = mm_fail(err, MM_ENOMEM, "out of memory for batch %d", B);
        goto done;
    }
    double t0 = now_seconds();
    while (ts->step < tc->max_steps) {
        mm_rng_randint_torch(&ts->rng, ix, (size_t)B, (uint32_t)train->n);
        gather_batch(Xb, Yb, ix, train, B);
        double loss = mm_model_forward(m, &a, Xb, Yb, B, nthreads);
        if (!isfinite(loss)) {
            st = mm_fail(err, MM_ENUMERIC,
                         "the loss became %s at step %ld (learning rate %g): training diverged; "
                         "try a smaller --learning-rate",
                         isnan(loss) ? "NaN" : "infinite", ts->step + 1,
                         mm_schedule_lr(&tc->sched, ts->step));
            break;
        }
        mm_model_zero_grad(m);
        mm_model_backward(m, &a, Xb, B, nthreads);
        double lr = mm_schedule_lr(&tc->sched, ts->step);
        mm_optim_step(&tc->optim, &ts->opt, m, lr, ts->step + 1);
        ts->step++;
        if (fn && fn(ctx, ts->step, loss, lr)) {
            st = MM_EINTR;
            break;
        }
    }
    ts->train_seconds += now_seconds() - t0;
done:
    free(ix);
    free(Xb);
    free(Yb);
    mm_acts_free(&a);
    return st;
}
