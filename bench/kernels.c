/* Kernel sandbox: each kernel of one training step at a given shape, first
 * checked against a plain double-precision reference, then timed.
 *
 *   build/bench/kernels [B K H V [nthreads]]     (default 32 30 200 27 1)
 *
 * (make bench builds it; bench.py does not run it: it is for working on
 * the kernels.)
 *
 * Prints ns per call and GFLOP/s for each kernel and for the sum, which is
 * what one step's kernels cost without the loop around them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *randn(long n, unsigned *seed, float scale)
{
    float *x = malloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        x[i] = scale * ((float)(*seed >> 8) / 16777216.0f - 0.5f);
    }
    return x;
}

/* max |got - want| / (1 + |want|) over n */
static double maxdiff(const float *got, const double *want, long n)
{
    double m = 0;
    for (long i = 0; i < n; i++) m = fmax(m, fabs(got[i] - want[i]) / (1 + fabs(want[i])));
    return m;
}

static int check(int B, int K, int J, int nthreads)
{
    unsigned seed = 7;
    float *in = randn((long)B * K, &seed, 2), *W = randn((long)K * J, &seed, 2);
    float *bias = randn(J, &seed, 2), *dout = randn((long)B * J, &seed, 2);
    float *out = malloc((size_t)B * J * sizeof *out), *din = malloc((size_t)B * K * sizeof *din);
    float *dW = calloc((size_t)K * J, sizeof *dW), *db = calloc((size_t)J, sizeof *db);
    double *ro = malloc((size_t)B * J * sizeof *ro), *rdin = malloc((size_t)B * K * sizeof *rdin);
    double *rdW = calloc((size_t)K * J, sizeof *rdW);
    for (int b = 0; b < B; b++)
        for (int j = 0; j < J; j++) {
            double s = bias[j];
            for (int k = 0; k < K; k++) s += (double)in[b * K + k] * W[k * J + j];
            ro[b * J + j] = s;
        }
    for (int k = 0; k < K; k++)
        for (int j = 0; j < J; j++) {
            double s = 0;
            for (int b = 0; b < B; b++) s += (double)in[b * K + k] * dout[b * J + j];
            rdW[k * J + j] = s;
        }
    for (int b = 0; b < B; b++)
        for (int k = 0; k < K; k++) {
            double s = 0;
            for (int j = 0; j < J; j++) s += (double)dout[b * J + j] * W[k * J + j];
            rdin[b * K + k] = s;
        }
    mm_linear_forward(out, in, W, bias, B, K, J, nthreads);
    mm_linear_backward(din, dW, db, dout, in, W, B, K, J, nthreads);
    double e1 = maxdiff(out, ro, (long)B * J), e2 = maxdiff(dW, rdW, (long)K * J);
    double e3 = maxdiff(din, rdin, (long)B * K);
    double tol = 1e-5 * sqrt((double)(K > B ? (K > J ? K : J) : (B > J ? B : J)));
    int ok = e1 < tol && e2 < tol && e3 < tol;
    printf("%s check B=%d K=%d J=%d: forward %.1e, dW %.1e, din %.1e (tolerance %.1e)\n",
           ok ? "ok  " : "FAIL", B, K, J, e1, e2, e3, tol);
    free(in); free(W); free(bias); free(dout); free(out); free(din); free(dW); free(db);
    free(ro); free(rdin); free(rdW);
    return ok;
}

typedef struct {
    int B, K, H, V, nt;
    float *emb, *W1, *b1, *h, *W2, *b2, *logits, *dh, *demb, *dW1, *db1, *dW2, *db2;
    int32_t *Y;
} shapes;

/* The best of 100 rounds of about 0.5 ms each: other processes on the
 * machine only ever make a round slower. */
#define TIME(label, flops, stmt)                                                   \
    do {                                                                            \
        int reps = 1;                                                               \
        double best = 1e30;                                                         \
        for (int round = 0; round < 100;) {                                           \
            double t0 = now();                                                      \
            for (int r_ = 0; r_ < reps; r_++) { stmt; }                             \
            double t = now() - t0;                                                  \
            if (t < 0.0005) { reps *= 2; continue; }                                  \
            best = t / reps < best ? t / reps : best;                               \
            round++;                                                                \
        }                                                                           \
        double ns = 1e9 * best;                                                     \
        total += ns;                                                                \
        printf("%-28s %10.0f ns %8.1f GFLOP/s\n", label, ns, (flops) / ns);        \
    } while (0)

static void time_step(shapes *s)
{
    const int B = s->B, K = s->K, H = s->H, V = s->V, nt = s->nt;
    double total = 0;
    TIME("L1 forward", 2.0 * B * K * H, mm_linear_forward(s->h, s->emb, s->W1, s->b1, B, K, H, nt));
    TIME("tanh forward", 0, mm_tanh_forward(s->h, (long)B * H));
    TIME("L2 forward", 2.0 * B * H * V, mm_linear_forward(s->logits, s->h, s->W2, s->b2, B, H, V, nt));
    TIME("softmax xent", 0, {
        memcpy(s->dh, s->logits, (size_t)B * V * sizeof(float));
        mm_softmax_xent(s->dh, s->dh, s->Y, B, V);
    });
    TIME("L2 backward dW2 db2", 2.0 * B * H * V,
         mm_linear_backward(NULL, s->dW2, s->db2, s->logits, s->h, s->W2, B, H, V, nt));
    TIME("L2 backward dh", 2.0 * B * H * V,
         mm_linear_backward(s->dh, s->dW2, NULL, s->logits, s->h, s->W2, B, H, V, nt));
    TIME("tanh backward", 0, mm_tanh_backward(s->dh, s->dh, s->h, (long)B * H));
    TIME("L1 backward dW1 db1", 2.0 * B * K * H,
         mm_linear_backward(NULL, s->dW1, s->db1, s->dh, s->emb, s->W1, B, K, H, nt));
    TIME("L1 backward demb (+dW1)", 4.0 * B * K * H,
         mm_linear_backward(s->demb, s->dW1, NULL, s->dh, s->emb, s->W1, B, K, H, nt));
    /* the din timings above also did a dW: count the flops twice too */
    printf("%-28s %10.0f ns %8.1f GFLOP/s (din rows include their dW again)\n", "sum", total,
           (2.0 * B * K * H * 4 + 2.0 * B * H * V * 4) / total);
}

int main(int argc, char **argv)
{
    shapes s = {.B = 32, .K = 30, .H = 200, .V = 27, .nt = 1};
    if (argc >= 5) {
        s.B = atoi(argv[1]); s.K = atoi(argv[2]); s.H = atoi(argv[3]); s.V = atoi(argv[4]);
    }
    if (argc >= 6) s.nt = atoi(argv[5]);
    int ok = 1;
    int sizes[][3] = {{1, 1, 1}, {5, 3, 7}, {7, 13, 9}, {32, 30, 200}, {32, 200, 27}, {33, 31, 65},
                      {64, 100, 300}, {3, 70, 5}, {s.B, s.K, s.H}, {s.B, s.H, s.V}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        ok &= check(sizes[i][0], sizes[i][1], sizes[i][2], s.nt);
    if (!ok) return 1;
    unsigned seed = 1;
    long B = s.B, K = s.K, H = s.H, V = s.V;
    s.emb = randn(B * K, &seed, 2); s.W1 = randn(K * H, &seed, 2); s.b1 = randn(H, &seed, 2);
    s.h = randn(B * H, &seed, 2); s.W2 = randn(H * V, &seed, 2); s.b2 = randn(V, &seed, 2);
    s.logits = randn(B * V, &seed, 2); s.dh = randn(B * H, &seed, 2); s.demb = randn(B * K, &seed, 2);
    s.dW1 = randn(K * H, &seed, 0); s.db1 = randn(H, &seed, 0); s.dW2 = randn(H * V, &seed, 0);
    s.db2 = randn(V, &seed, 0);
    s.Y = calloc((size_t)B, sizeof *s.Y);
    printf("B=%d K=%d H=%d V=%d threads=%d\n", s.B, s.K, s.H, s.V, s.nt);
    time_step(&s);
    return 0;
}
