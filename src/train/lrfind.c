#include "lrfind.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "train.h"

#define MAX_COUNT 10000000

mm_status mm_lrfind_config_check(const mm_lrfind_config *c, mm_err *err)
{
    if (!isfinite(c->lo_exp) || !isfinite(c->hi_exp) || c->lo_exp >= c->hi_exp)
        return mm_fail(err, MM_EINVAL, "--lr-min-exp %g must be below --lr-max-exp %g", c->lo_exp, c->hi_exp);
    if (c->lo_exp < -12 || c->hi_exp > 3)
        return mm_fail(err, MM_EINVAL, "the learning-rate exponents must lie in -12..3");
    if (c->count < 2 || c->count > MAX_COUNT)
        return mm_fail(err, MM_EINVAL, "--count %d is outside 2..%d", c->count, MAX_COUNT);
    return MM_OK;
}

static mm_status alloc_result(mm_lrfind *f, int count, mm_err *err)
{
    memset(f, 0, sizeof *f);
    f->count = count;
    f->lr_exp = calloc((size_t)count, sizeof *f->lr_exp);
    f->loss = calloc((size_t)count, sizeof *f->loss);
    f->smooth = calloc((size_t)count, sizeof *f->smooth);
    if (!f->lr_exp || !f->loss || !f->smooth) {
        mm_lrfind_free(f);
        return mm_fail(err, MM_ENOMEM, "out of memory for %d learning rates", count);
    }
    return MM_OK;
}

/* Smoothing, the lowest point and the suggestion, from lr_exp and loss. */
static void analyse(mm_lrfind *f)
{
    f->best = 0;
    f->suggested_lr = NAN;
    if (f->n == 0) return;
    size_t window = (size_t)(f->count / 20 > 1 ? f->count / 20 : 1);
    mm_smooth_mean(f->smooth, f->loss, (size_t)f->n, window);
    for (int i = 1; i < f->n; i++)
        if (f->smooth[i] < f->smooth[f->best]) f->best = i;
    f->suggested_lr = pow(10.0, f->lr_exp[f->best]);
}

typedef struct {
    double loss;
} step_seen;

static int remember(void *ctx, long step, double loss, double lr)
{
    ((step_seen *)ctx)->loss = loss;
    return 0;
}

mm_status mm_lrfind_run(mm_lrfind *f, mm_model *m, const mm_lrfind_config *c,
                        const mm_split *train, mm_rng *rng, int nthreads, mm_err *err)
{
    mm_status st = mm_lrfind_config_check(c, err);
    if (st || (st = alloc_result(f, c->count, err))) return st;
    double span = c->hi_exp - c->lo_exp;
    for (int i = 0; i < c->count; i++) /* as numpy.linspace: the last is exact */
        f->lr_exp[i] = i == c->count - 1 ? c->hi_exp : c->lo_exp + span * i / (c->count - 1);
    mm_train_config tc;
    memset(&tc, 0, sizeof tc);
    tc.batch_size = c->batch_size;
    tc.optim = c->optim;
    tc.sched.kind = MM_SCHED_STEP;
    tc.sched.decay = 1.0;
    mm_train_state ts = {0};
    ts.rng = *rng;
    for (int i = 0; i < c->count; i++) {
        /* one step of the ordinary training loop at this step's rate */
        tc.max_steps = i + 1;
        tc.sched.lr = pow(10.0, f->lr_exp[i]);
        step_seen seen;
        st = mm_train_run(m, &tc, &ts, train, nthreads, remember, &seen, err);
        if (st == MM_ENUMERIC) {
            f->diverged = 1;
            st = MM_OK;
            break;
        }
        if (st) break;
        f->loss[i] = seen.loss;
        f->n = i + 1;
    }
    *rng = ts.rng;
    mm_optim_state_free(&ts.opt);
    if (st) { mm_lrfind_free(f); return st; }
    analyse(f);
    return MM_OK;
}

void mm_lrfind_rule(const mm_lrfind *f, char *out, size_t n)
{
    if (f->n == 0) {
        snprintf(out, n, "no step finished, so there is no suggestion");
        return;
    }
    snprintf(out, n, "%.3g (10^%.2f), where the loss smoothed over %d steps is lowest (%.3f)",
             f->suggested_lr, f->lr_exp[f->best], f->count / 20 > 1 ? f->count / 20 : 1, f->smooth[f->best]);
}

void mm_lrfind_stop(const mm_lrfind *f, char *out, size_t n)
{
    if (!f->diverged || f->n >= f->count) {
        snprintf(out, n, "%s", "");
        return;
    }
    /* lr_exp holds the exponent; the rate is 10 to it */
    double e = f->lr_exp[f->n];
    snprintf(out, n, "the loss became NaN or infinite at step %d (lr %.3g = 10^%.2f); the sweep stopped there",
             f->n + 1, pow(10.0, e), e);
}

void mm_lrfind_csv(const mm_lrfind *f, mm_sbuf *out)
{
    mm_sbuf_puts(out, "step,lr_exp,lr,loss,smoothed_loss\n");
    for (int i = 0; i < f->n; i++)
        mm_sbuf_printf(out, "%d,%.6f,%.6g,%.7g,%.7g\n", i + 1, f->lr_exp[i], pow(10.0, f->lr_exp[i]),
                       f->loss[i], f->smooth[i]);
}

static int count_rows(const char *buf, size_t len)
{
    int rows = 0;
    for (size_t i = 0; i < len; i++) rows += buf[i] == '\n';
    return rows + 1;
}

mm_status mm_lrfind_parse(mm_lrfind *f, const char *buf, size_t len, const char *name, mm_err *err)
{
    static const char HDR[] = "step,lr_exp,lr,loss,smoothed_loss\n";
    if (len < sizeof HDR - 1 || memcmp(buf, HDR, sizeof HDR - 1))
        return mm_fail(err, MM_EFORMAT, "%s: not an lr_find.csv (header differs)", name);
    mm_status st = alloc_result(f, count_rows(buf, len), err);
    if (st) return st;
    const char *p = buf + sizeof HDR - 1, *end = buf + len;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) e = end;
        char line[256];
        size_t k = (size_t)(e - p) < sizeof line - 1 ? (size_t)(e - p) : sizeof line - 1;
        memcpy(line, p, k);
        line[k] = 0;
        int step;
        double lre, lr, loss, sm;
        if (k && (sscanf(line, "%d,%lf,%lf,%lf,%lf", &step, &lre, &lr, &loss, &sm) != 5 || step != f->n + 1)) {
            mm_lrfind_free(f);
            return mm_fail(err, MM_EFORMAT, "%s:%d: not a row of step,lr_exp,lr,loss,smoothed_loss", name, f->n + 2);
        }
        if (k) {
            f->lr_exp[f->n] = lre;
            f->loss[f->n++] = loss;
        }
        p = e + 1;
    }
    f->count = f->n;
    analyse(f);
    return MM_OK;
}

void mm_lrfind_free(mm_lrfind *f)
{
    free(f->lr_exp);
    free(f->loss);
    free(f->smooth);
    memset(f, 0, sizeof *f);
}
