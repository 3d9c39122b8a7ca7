#include "mlp.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include <time.h>

#include "groups.h"
#include "kernels.h"

/* Multiply-adds per thread below which a second thread costs more (the
 * fork, the barrier, a cold cache) than it saves (docs/THREADS.md). */
#define MLP_PAR_MIN_WORK 250000L

#define MIN(a, b) ((a) < (b) ? (a) : (b))

int mm_mlp_threads(const mm_config *c, int B, int nthreads)
{
    const long K = (long)c->block_size * c->n_embd, H = c->n_hidden, V = c->vocab_size;
    const long work = (long)B * 3 * (K * H + H * V); /* forward + backward */
    long nt = MIN((long)nthreads, work / MLP_PAR_MIN_WORK);
    nt = MIN(nt, B / 4);
    return nt < 1 ? 1 : (int)nt;
}

/* A trial times TRIAL_STEPS steps each way (1 thread, then all), the first
 * TRIAL_WARMUP of them untimed while caches and threads wake up. A split
 * that wins is re-checked every FIRST_INTERVAL steps; one that loses, at
 * doubling intervals, so that on a busy machine, where a trial with two
 * threads can cost as much as a thousand plain steps, trials stay rare. */
#define TRIAL_STEPS 16
#define TRIAL_WARMUP 2
#define FIRST_INTERVAL 4096L
#define MAX_INTERVAL (1L << 17)

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Threads for the current step's passes, most being what the shape allows. */
static int tuned_threads(mm_thread_tuner *t, int most)
{
    if (most <= 1) return 1;
    if (t->interval == 0) { /* a new tuner: try both at once */
        t->interval = FIRST_INTERVAL;
        t->nt = 1;
    }
    const long k = t->step - t->next;
    if (k >= 0 && k < 2 * TRIAL_STEPS) return k < TRIAL_STEPS ? 1 : most;
    return t->nt;
}

/* After a step's backward pass: its time counts towards a running trial.
 * A split step slower than 4 plain ones ends the trial at once: on a busy
 * machine one such step can cost as much as a hundred plain ones. */
static void tuner_step_done(mm_thread_tuner *t, int most)
{
    const long k = t->step++ - t->next;
    if (most <= 1 || k < 0 || k >= 2 * TRIAL_STEPS) return;
    const double dt = now_seconds() - t->t0;
    if (k % TRIAL_STEPS >= TRIAL_WARMUP) t->spent[k >= TRIAL_STEPS] += dt;
    const int hopeless = k >= TRIAL_STEPS && dt > 4 * t->spent[0] / (TRIAL_STEPS - TRIAL_WARMUP);
    if (k < 2 * TRIAL_STEPS - 1 && !hopeless) return;
    const int split_wins = !hopeless && t->spent[1] < t->spent[0];
    t->nt = split_wins ? most : 1;
    t->interval = split_wins ? FIRST_INTERVAL : MIN(2 * t->interval, MAX_INTERVAL);
    t->next = t->step + t->interval;
    t->spent[0] = t->spent[1] = 0;
}

/* The share [*lo, *hi) of n items for thread id of nt, in multiples of
 * `align` so that threads get whole register tiles. */
static void share(int n, int id, int nt, int align, int *lo, int *hi)
{
    int per = ((n + nt - 1) / nt + align - 1) / align * align;
    *lo = MIN(n, id * per);
    *hi = MIN(n, *lo + per);
}

static void forward_rows(const mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                         int r0, int r1, float scale)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    const int n = r1 - r0;
    if (n <= 0) return;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    float *emb = ma->emb + (long)r0 * K, *h = ma->h + (long)r0 * H, *l = a->logits + (long)r0 * V;
    if (ma->groups && ma->groups->active) {
        mm_groups_hidden(ma->groups, m, ma->h, r0, r1);
    } else {
        mm_embed_forward(emb, mm_model_param(m, MLP_C), X + (long)r0 * T, n, T, E);
        mm_linear_tanh_forward(h, emb, mm_model_param(m, MLP_W1), mm_model_param(m, MLP_B1), n, K, H, 1);
    }
    mm_linear_forward(l, h, mm_model_param(m, MLP_W2), mm_model_param(m, MLP_B2), n, H, V, 1);
    mm_softmax_xent_rows(l, ma->rowloss + r0, l, Y + r0, n, V, scale);
}

double mm_mlp_forward(const mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    const int most = mm_mlp_threads(&m->cfg, B, nthreads);
    /* only a step that may be a trial is timed (a clock read is a call out
     * of the WebAssembly page's module) */
    if (most > 1) ma->tuner.t0 = now_seconds();
    const int nt = tuned_threads(&ma->tuner, most);
    /* a data-parallel run divides by the targets of all its processes */
    const double norm = a->loss_norm > 0 ? a->loss_norm : (double)B;
    const float scale = 1.0f / (float)norm;
    mm_groups *g = ma->groups;
    if (g) { /* the group tables are small: one thread makes them */
        g->active = mm_groups_build(g, X, B);
        if (g->active) mm_groups_tables(g, m);
    }
    if (nt == 1) {
        forward_rows(m, a, X, Y, 0, B, scale);
    } else {
#pragma omp parallel num_threads(nt)
        {
            int r0 = 0, r1 = B;
#ifdef _OPENMP
            share(B, omp_get_thread_num(), omp_get_num_threads(), 4, &r0, &r1);
#endif
            forward_rows(m, a, X, Y, r0, r1, scale);
        }
    }
    double total = 0.0;
    for (int b = 0; b < B; b++) total += ma->rowloss[b]; /* in row order */
    return total / norm;
}

/* Thread id of nt: the input gradients of its rows, then (after the
 * barrier, which makes every row's dh visible) its rows of dW1. dW2 only
 * needs the forward pass, so it goes before the barrier. */
static void backward_share(mm_model *m, mm_acts *a, const int32_t *X, int B, int id, int nt)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, K = T * E, H = c->n_hidden, V = c->vocab_size;
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    int r0, r1, k0, k1;
    share(B, id, nt, 4, &r0, &r1);
    const int grouped = ma->groups && ma->groups->active;
    if (r1 > r0) {
        float *dh = ma->dh + (long)r0 * H;
        mm_linear_backward_input(dh, a->logits + (long)r0 * V, mm_model_param(m, MLP_W2), r1 - r0, H, V);
        mm_tanh_backward(dh, dh, ma->h + (long)r0 * H, (long)(r1 - r0) * H);
        if (!grouped)
            mm_linear_backward_input(ma->demb + (long)r0 * K, dh, mm_model_param(m, MLP_W1), r1 - r0, K, H);
    }
    share(H, id, nt, 8, &k0, &k1);
    if (k1 > k0) mm_linear_backward_weights(mm_model_grad(m, MLP_W2), a->logits, ma->h, B, H, V, k0, k1);
    if (id == nt - 1) mm_bias_backward(mm_model_grad(m, MLP_B2), a->logits, B, V);
#pragma omp barrier
    if (id == nt - 1) mm_bias_backward(mm_model_grad(m, MLP_B1), ma->dh, B, H);
    if (grouped) {
        if (id == 0) mm_groups_backward(ma->groups, m, ma->dh, B);
        return;
    }
    share(K, id, nt, 4, &k0, &k1);
    if (k1 > k0) mm_linear_backward_weights(mm_model_grad(m, MLP_W1), ma->dh, ma->emb, B, K, H, k0, k1);
    if (id == 0) mm_embed_backward(mm_model_grad(m, MLP_C), ma->demb, X, B, T, E);
}

void mm_mlp_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    mm_thread_tuner *tuner = &mm_mlp_acts_of(a)->tuner;
    const int most = mm_mlp_threads(&m->cfg, B, nthreads);
    const int nt = tuned_threads(tuner, most);
    if (nt == 1) {
        backward_share(m, a, X, B, 0, 1);
    } else {
#pragma omp parallel num_threads(nt)
        {
#ifdef _OPENMP
            backward_share(m, a, X, B, omp_get_thread_num(), omp_get_num_threads());
#else
            backward_share(m, a, X, B, 0, 1);
#endif
        }
    }
    tuner_step_done(tuner, most);
}
