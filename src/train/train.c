#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "kind.h"
#include "outpar.h"

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

static int targets_per_example(const mm_split *s)
{
    return s->ny > 0 ? s->ny : 1;
}

/* Xb (B, T) and Yb (B, ny): the examples ix (B) of s */
static void gather_batch(int32_t *Xb, int32_t *Yb, const int32_t *ix, const mm_split *s, int B)
{
    const int T = s->T, ny = targets_per_example(s);
    for (int b = 0; b < B; b++) {
        const int32_t *x = s->X + (size_t)ix[b] * T, *y = s->Y + (size_t)ix[b] * ny;
        for (int t = 0; t < T; t++) Xb[b * T + t] = x[t];
        for (int t = 0; t < ny; t++) Yb[b * ny + t] = y[t];
    }
}

/* The targets (not -1) of the examples ix (B): what the loss of the whole
 * batch is the mean over, whichever process computes which rows. */
static double batch_targets(const int32_t *ix, const mm_split *s, int B)
{
    const int ny = targets_per_example(s);
    size_t n = 0;
    for (int b = 0; b < B; b++) {
        const int32_t *y = s->Y + (size_t)ix[b] * ny;
        for (int t = 0; t < ny; t++) n += y[t] != -1;
    }
    return (double)n;
}

void mm_train_slice(int B, int rank, int nranks, int *lo, int *hi)
{
    *lo = (int)((long long)B * rank / nranks);
    *hi = (int)((long long)B * (rank + 1) / nranks);
}

mm_status mm_train_run(mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                       const mm_split *train, int nthreads, mm_step_fn fn, void *ctx,
                       mm_err *err)
{
    return mm_train_run_dist(m, tc, ts, train, nthreads, NULL, fn, ctx, err);
}

mm_outpar_comm mm_dist_outpar_comm(const mm_dist *d)
{
    mm_outpar_comm c = {d->rank, d->nranks, d->reduce.ctx, d->max_floats, d->reduce.sum, d->sum_floats};
    return c;
}

void mm_train_gather(const mm_dist *dist, mm_model *m, mm_train_state *ts)
{
    if (!dist || !dist->output) return;
    const mm_outpar_comm c = mm_dist_outpar_comm(dist);
    mm_outpar_gather(&c, m, ts->opt.buf, ts->opt.buf ? ts->opt.nslots : 0);
}

typedef struct {
    int B;            /* the global batch */
    int32_t *ix;      /* (B) the global batch's example indices */
    int32_t *X, *Y;   /* (B, T), (B, ny): this process's rows */
    int lo, hi;       /* this process's rows of the global batch */
    int output;       /* output-parallel: a's head is this process's share of the output layer */
    mm_optim_owned own; /* output-parallel: the output layer's columns this process updates */
} batch;

/* Forward on this process's rows; with dist, the loss summed over all
 * processes and, in vote, how many asked to stop (*vote in, the sum out). */
static double forward_step(mm_model *m, mm_acts *a, const batch *b, const mm_split *train,
                           int nthreads, const mm_dist *dist, double *vote)
{
    const int n = b->hi - b->lo;
    gather_batch(b->X, b->Y, b->ix + b->lo, train, n);
    if (dist) a->loss_norm = batch_targets(b->ix, train, b->B);
    if (b->output) { /* the loss is every process's already */
        double loss = mm_model_forward(m, a, b->X, b->Y, n, nthreads);
        dist->reduce.sum(dist->reduce.ctx, vote, 1);
        return loss;
    }
    double loss = mm_model_forward(m, a, b->X, b->Y, n, nthreads);
    if (!dist) return loss;
    double v[2] = {loss, *vote};
    dist->reduce.sum(dist->reduce.ctx, v, 2);
    *vote = v[1];
    return v[0];
}

static mm_optim_owned owned_columns(const mm_model *m, const mm_dist *dist)
{
    mm_head_io io = {.b = -1, .Wd = -1};
    m->kind->head_of(&m->cfg, &io);
    mm_optim_owned own = {{io.W, io.b, io.Wd}, 0, 0};
    mm_outpar_rows(m->cfg.vocab_size, dist->rank, dist->nranks, &own.r0, &own.r1);
    return own;
}

static void backward_step(mm_model *m, mm_acts *a, const batch *b, int nthreads, const mm_dist *dist)
{
    if (b->output)
        mm_optim_zero_owned(m, &b->own);
    else
        mm_model_zero_grad(m);
    mm_model_backward(m, a, b->X, b->hi - b->lo, nthreads);
    if (dist && !b->output) dist->sum_floats(dist->reduce.ctx, m->grads, m->nparams);
}

static mm_status diverged(mm_err *err, const mm_train_config *tc, long step, double loss)
{
    return mm_fail(err, MM_ENUMERIC,
                   "the loss became %s at step %ld (learning rate %g): training diverged; "
                   "try a smaller --learning-rate",
                   isnan(loss) ? "NaN" : "infinite", step + 1, mm_schedule_lr(&tc->sched, step));
}

static mm_status check_state(const mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                             const mm_dist *dist, mm_err *err)
{
    mm_status st;
    if (!ts->opt.buf && mm_optim_slots(tc->optim.kind) &&
        (st = mm_optim_state_build(&ts->opt, tc->optim.kind, m->nparams, err)))
        return st;
    if (ts->opt.nslots != mm_optim_slots(tc->optim.kind) || (ts->opt.nslots && ts->opt.n != m->nparams))
        return mm_fail(err, MM_EINVAL, "the optimizer's state does not fit the optimizer or the model");
    if (dist && (dist->nranks < 1 || dist->rank < 0 || dist->rank >= dist->nranks))
        return mm_fail(err, MM_EINVAL, "process %d of %d: no such process", dist->rank, dist->nranks);
    if (dist && dist->output) return mm_outpar_check(m, dist->nranks, err);
    if (dist && tc->batch_size < dist->nranks)
        return mm_fail(err, MM_EINVAL, "--batch-size %d is smaller than the %d processes: each needs a row",
                       tc->batch_size, dist->nranks);
    return MM_OK;
}

mm_status mm_train_run_dist(mm_model *m, const mm_train_config *tc, mm_train_state *ts,
                            const mm_split *train, int nthreads, const mm_dist *dist,
                            mm_step_fn fn, void *ctx, mm_err *err)
{
    const int B = tc->batch_size, T = train->T;
    batch b = {0};
    b.B = b.hi = B;
    mm_acts a = {0};
    mm_status st = mm_train_config_check(tc, train->n, err);
    const int ny = train->ny > 1 ? train->ny : 1, want = m->kind->layout == MM_LAYOUT_SEQUENCE ? T : 1;
    if (!st && (T != m->cfg.block_size || ny != want))
        st = mm_fail(err, MM_EINVAL, "examples of block %d with %d targets each do not fit a %s model of block %d",
                     T, ny, m->kind->name, m->cfg.block_size);
    if (!st) st = check_state(m, tc, ts, dist, err);
    b.output = dist && dist->output;
    if (!st && dist && !b.output) mm_train_slice(B, dist->rank, dist->nranks, &b.lo, &b.hi);
    if (!st && !(st = mm_acts_build(&a, &m->cfg, b.hi - b.lo, err))) {
        a.reduce = dist && !b.output ? &dist->reduce : NULL;
        b.ix = malloc((size_t)B * sizeof *b.ix);
        b.X = malloc((size_t)B * T * sizeof *b.X);
        b.Y = malloc((size_t)B * targets_per_example(train) * sizeof *b.Y);
        if (!b.ix || !b.X || !b.Y) st = mm_fail(err, MM_ENOMEM, "out of memory for batch %d", B);
    }
    if (!st && b.output) { /* every process computes the whole batch, its rows of the output layer */
        const mm_outpar_comm c = mm_dist_outpar_comm(dist);
        st = mm_outpar_attach(&a, &m->cfg, &c, err);
        b.own = owned_columns(m, dist);
    }
    if (dist) { /* no process may enter the steps' collectives alone */
        double failed = st != MM_OK;
        dist->reduce.sum(dist->reduce.ctx, &failed, 1);
        if (failed > 0 && !st) st = mm_fail(err, MM_ENOMEM, "another process could not start training");
    }
    if (st) goto done;
    double t0 = now_seconds(), vote = 0.0;
    while (ts->step < tc->max_steps) {
        mm_rng before = ts->rng;
        mm_rng_randint_torch(&ts->rng, b.ix, (size_t)B, (uint32_t)train->n);
        if (m->cfg.dropout > 0.0f) { /* this step's masks (dropout.h); never key 0 */
            a.drop_key = mm_rng_u64(&ts->rng) | 1u;
            a.drop_row0 = b.lo;
        }
        double loss = forward_step(m, &a, &b, train, nthreads, dist, &vote);
        if (vote > 0.0) { /* a process asked to stop after the last step */
            ts->rng = before;
            st = MM_EINTR;
            break;
        }
        if (!isfinite(loss)) {
            st = diverged(err, tc, ts->step, loss);
            break;
        }
        backward_step(m, &a, &b, nthreads, dist);
        double lr = mm_schedule_lr(&tc->sched, ts->step);
        mm_optim_step_owned(&tc->optim, &ts->opt, m, lr, ts->step + 1, b.output ? &b.own : NULL);
        ts->step++;
        int stop = fn && fn(ctx, ts->step, loss, lr);
        if (stop && !dist) {
            st = MM_EINTR;
            break;
        }
        vote = stop ? 1.0 : 0.0;
    }
    ts->train_seconds += now_seconds() - t0;
    mm_train_gather(dist, m, ts); /* every process leaves the loop at the same step */
done:
    free(b.ix);
    free(b.X);
    free(b.Y);
    mm_acts_free(&a);
    return st;
}
