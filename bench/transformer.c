/* The transformer's training step: its time, and where it goes.
 *
 *   build/bench/transformer [nthreads [steps]]     (default 1 200)
 *
 * Times whole steps (zero grad, forward, backward, AdamW) of makemore.py's
 * default Transformer (V 27, T 16, E 64, 4 layers, 4 heads, batch 32 items
 * of random lengths) and prints the median us/step, then times each kernel
 * of one step alone at the step's shapes (median of repeats, times the
 * number of calls a step makes) to show where the time goes. The parts do
 * not add up to the step exactly: alone, a kernel finds its data in cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention.h"
#include "gelu.h"
#include "kernels.h"
#include "kind.h"
#include "layernorm.h"
#include "model.h"
#include "optim.h"
#include "seqloss.h"

enum { V = 27, T = 16, E = 64, L = 4, NH = 4, B = 32, N = B * T };

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of all threads: on a shared machine, what a 1-thread step costs
 * when it is not waiting for a core */
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp);
    return x[n / 2];
}

static float *buf(long n, mm_rng *r)
{
    float *x = malloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) x[i] = 2.0f * mm_rng_uniform(r) - 1.0f;
    return x;
}

/* Kernels of one step, as transformer.c calls them. */
enum { LN_F, QKV_F, ATT_F, PROJ_F, FC_F, GELU_F, FC2_F, HEAD_F, XENT, HEAD_B, LN_B, FC2_B, GELU_B, FC_B, PROJ_B,
       ATT_B, QKV_B, ADAMW, NOPS };
static const char *const NAMES[NOPS] = {
    "layernorm fwd", "c_attn fwd (512x64 @ 64x192)", "attention fwd", "attn c_proj fwd (64x64)",
    "mlp c_fc fwd (64x256)", "gelu fwd", "mlp c_proj fwd (256x64)", "lm_head fwd (64x27)", "softmax xent",
    "lm_head bwd", "layernorm bwd", "mlp c_proj bwd", "gelu bwd", "mlp c_fc bwd", "attn c_proj bwd",
    "attention bwd", "c_attn bwd", "adamw"};
static const int CALLS[NOPS] = {2 * L + 1, L, L, L, L, L, L, 1, 1, 1, 2 * L + 1, L, L, L, L, L, L, 1};

typedef struct {
    float *x, *y, *w, *wt, *b, *dw, *db, *big, *big2, *big3, *qkv, *att, *scratch, *logits;
    int32_t *Y;
    mm_model *m;
    mm_optim_state *s;
    int nt;
} bufs;

/* a Linear layer's backward as transformer.c's linear_backward */
#define BWD(din, db, dout, in, K, J)                                             \
    (mm_linear_backward(NULL, u->dw, db, dout, in, u->w, N, K, J, u->nt),        \
     mm_linear_backward_input_packed(din, u->wt, dout, u->w, N, K, J, u->nt))

static void run_op(int op, bufs *u)
{
    const mm_optim o = {.weight_decay = 0.01, .kind = MM_OPT_ADAMW, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8};
    switch (op) {
    case LN_F: mm_layernorm_forward(u->y, u->db, u->db + N, u->x, u->w, u->b, N, E, u->nt); break;
    case QKV_F: mm_linear_forward(u->qkv, u->x, u->w, u->b, N, E, 3 * E, u->nt); break;
    case ATT_F: mm_attention_forward(u->y, u->att, u->scratch, u->qkv, B, T, E, NH, u->nt); break;
    case PROJ_F: mm_linear_forward(u->y, u->x, u->w, u->b, N, E, E, u->nt); break;
    case FC_F: mm_linear_forward(u->big, u->x, u->w, u->b, N, E, 4 * E, u->nt); break;
    case GELU_F: mm_gelu_forward(u->big2, u->big, (long)N * 4 * E, u->nt); break;
    case FC2_F: mm_linear_forward(u->y, u->big, u->w, u->b, N, 4 * E, E, u->nt); break;
    case HEAD_F: mm_linear_forward(u->logits, u->x, u->w, NULL, N, E, V, u->nt); break;
    case XENT: mm_softmax_xent_masked(u->logits + N * V, u->logits, u->Y, N, V, 0); break;
    case HEAD_B: BWD(u->y, NULL, u->logits, u->x, E, V); break;
    case LN_B: mm_layernorm_backward(u->y, u->dw, u->b, u->x, u->big, u->db, u->db + N, u->w, N, E, u->nt); break;
    case FC2_B: BWD(u->big2, u->db, u->y, u->big, 4 * E, E); break;
    case GELU_B: mm_gelu_backward(u->big3, u->big2, u->big, (long)N * 4 * E, u->nt); break;
    case FC_B: BWD(u->y, u->db, u->big, u->x, E, 4 * E); break;
    case PROJ_B: BWD(u->y, u->db, u->x, u->x, E, E); break;
    case ATT_B: mm_attention_backward(u->big, u->scratch, u->y, u->att, u->qkv, B, T, E, NH, u->nt); break;
    case QKV_B: BWD(u->y, u->db, u->qkv, u->x, E, 3 * E); break;
    case ADAMW: mm_optim_step(&o, u->s, u->m, 5e-4, 1); break;
    default: break;
    }
}

static void make_batch(int32_t *X, int32_t *Y, mm_rng *r)
{
    for (int b = 0; b < B; b++) {
        const int len = 3 + (int)(mm_rng_u32(r) % 8); /* names.txt's items are 2..15 long, most 4..8 */
        for (int t = 0; t < T; t++) {
            const int32_t id = (int32_t)(1 + mm_rng_u32(r) % (V - 1));
            X[b * T + t] = t == 0 ? 0 : t <= len ? Y[b * T + t - 1] : 0;
            Y[b * T + t] = t < len ? id : t == len ? 0 : -1;
        }
    }
}

/* Each kernel alone at the step's shapes; percentages of step_us. */
static void time_kernels(mm_model *m, mm_optim_state *s, int nt, int32_t *Y, mm_rng *r, double step_us)
{
    bufs u = {.m = m, .s = s, .nt = nt};
    u.x = buf(N * E, r), u.y = buf(N * E, r), u.w = buf(4 * E * E, r), u.wt = buf(4 * E * E, r), u.b = buf(4 * E, r);
    u.dw = buf(4 * E * E, r), u.db = buf(2 * N + 4 * E, r), u.big = buf(N * 4 * E, r), u.big2 = buf(N * 4 * E, r);
    u.big3 = buf(N * 4 * E, r);
    u.qkv = buf(N * 3 * E, r), u.att = buf((long)B * NH * T * T, r), u.logits = buf(2 * N * V, r);
    u.scratch = buf(mm_attention_scratch(B, T, E, NH), r);
    u.Y = Y;
    for (int i = 0; i < N; i++) u.db[N + i] = 1.0f; /* rstd */
    double total = 0, reps[51];
    for (int op = 0; op < NOPS; op++) {
        for (int k = 0; k < 51; k++) {
            const double t0 = now();
            run_op(op, &u);
            reps[k] = now() - t0;
        }
        const double us = 1e6 * median(reps, 51) * CALLS[op];
        total += us;
        printf("  %-30s %2d x %7.1f us = %7.1f us  %5.1f%%\n", NAMES[op], CALLS[op], us / CALLS[op], us,
               100 * us / step_us);
    }
    printf("  %-30s %21.1f us  %5.1f%% of the step\n", "sum", total, 100 * total / step_us);
    float *all[] = {u.x, u.y, u.w, u.wt, u.b, u.dw, u.db, u.big, u.big2, u.big3, u.qkv, u.att, u.logits, u.scratch};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
}

int main(int argc, char **argv)
{
    const int nt = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 1;
    const int steps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 200;
    const mm_config c = {.vocab_size = V, .block_size = T, .n_embd = E, .n_hidden = E,
                         .kind = MM_MODEL_TRANSFORMER, .n_layers = L, .n_heads = NH};
    const mm_optim o = {.weight_decay = 0.01, .kind = MM_OPT_ADAMW, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8};
    mm_model m;
    mm_acts a;
    mm_optim_state s;
    mm_err err;
    mm_rng r;
    if (nt < 1 || steps < 1 || mm_model_build(&m, &c, &err) || mm_acts_build(&a, &c, B, &err) ||
        mm_optim_state_build(&s, o.kind, m.nparams, &err)) {
        fprintf(stderr, "usage: transformer [nthreads [steps]] (%s)\n", err.msg);
        return 2;
    }
    mm_rng_seed_torch(&r, 3407);
    mm_model_init(&m, MM_INIT_TORCH, &r);
    int32_t X[N], Y[N];
    double *t = malloc(sizeof(double) * (size_t)steps * 6), *tc = t + steps, loss = 0;
    double *phase[4] = {t + 2 * steps, t + 3 * steps, t + 4 * steps, t + 5 * steps}; /* CPU time of each part */
    for (int i = -10; i < steps; i++) {
        make_batch(X, Y, &r);
        double ck[5];
        const double t0 = now();
        ck[0] = cpu();
        mm_model_zero_grad(&m);
        ck[1] = cpu();
        loss = mm_model_forward(&m, &a, X, Y, B, nt);
        ck[2] = cpu();
        mm_model_backward(&m, &a, X, B, nt);
        ck[3] = cpu();
        mm_optim_step(&o, &s, &m, 5e-4, i + 11);
        ck[4] = cpu();
        if (i < 0) continue;
        t[i] = now() - t0, tc[i] = ck[4] - ck[0];
        for (int k = 0; k < 4; k++) phase[k][i] = ck[k + 1] - ck[k];
    }
    const double step = median(t, steps), step_cpu = median(tc, steps);
    printf("transformer V %d T %d E %d L %d heads %d B %d, %d thread(s): %.0f us/step wall, %.0f us CPU (all "
           "threads), medians of %d; %.2f GFLOP/s wall at 6 x params x tokens; last loss %.4f\n",
           V, T, E, L, NH, B, nt, 1e6 * step, 1e6 * step_cpu, steps, 6.0 * m.ntrainable * N / step * 1e-9, loss);

    const char *part[4] = {"zero grad", "forward + loss", "backward", "adamw"};
    for (int k = 0; k < 4; k++) printf("  in the step: %-16s %7.0f us CPU\n", part[k], 1e6 * median(phase[k], steps));
    /* a 1-thread step's CPU time is its time on a free core */
    time_kernels(&m, &s, nt, Y, &r, 1e6 * (nt == 1 ? step_cpu : step));
    free(t);
    mm_optim_state_free(&s);
    mm_acts_free(&a);
    mm_model_free(&m);
    return 0;
}
