/* The fast kernels against plain double-precision references, the vector
 * tanh and exp against libm in double, and the promises the speed rests on:
 * results do not depend on the thread count, on how a batch is split into
 * rows, or on whether a split's contexts are evaluated once or per example. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "groups.h"
#include "kernels.h"
#include "mlp.h"
#include "model.h"
#include "check.h"

static unsigned seed = 12345;

static float frand(float scale)
{
    seed = seed * 1664525u + 1013904223u;
    return scale * ((float)(seed >> 8) / 16777216.0f - 0.5f);
}

static float *rand_array(long n, float scale)
{
    float *x = malloc((size_t)n * sizeof *x);
    for (long i = 0; i < n; i++) x[i] = frand(scale);
    return x;
}

/* |got - want| in units of the float spacing at want */
static double ulps(float got, double want)
{
    const float w = (float)want;
    const double spacing = (double)nextafterf(fabsf(w), INFINITY) - fabs((double)w);
    return fabs((double)got - want) / spacing;
}

static void test_tanh_exp(void)
{
    double worst = 0, at = 0;
    for (float x = -10.0f; x < 10.0f; x = nextafterf(x, 20.0f) + 1.3e-6f) {
        float y = x;
        mm_tanh_forward(&y, 1);
        double e = ulps(y, tanh((double)x));
        if (e > worst) { worst = e; at = x; }
    }
    /* every float was checked offline: 5.2 ulp with FMA, 5.8 without */
    CHECK(worst <= 6.0, "tanh within 6 ulp of libm's double tanh on [-10, 10]: max %.2f ulp at %g", worst, at);
    float edge[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1e-30f, 30.0f, -30.0f};
    mm_tanh_forward(edge, 8);
    CHECK(isnan(edge[0]) && edge[1] == 1.0f && edge[2] == -1.0f && edge[3] == 0.0f && edge[4] == 0.0f &&
              edge[5] == 1e-30f && edge[6] == 1.0f && edge[7] == -1.0f,
          "tanh(NaN) is NaN, tanh(+-inf) = +-1, tiny x gives x, saturation gives exactly +-1");
    int odd = 1;
    for (int i = 0; i < 1000; i++) {
        float a = frand(20), b = -a;
        mm_tanh_forward(&a, 1);
        mm_tanh_forward(&b, 1);
        odd &= a == -b && fabsf(a) <= 1.0f;
    }
    CHECK(odd, "tanh is odd and within [-1, 1]");

    worst = 0;
    for (float x = -87.0f; x < 88.0f; x = nextafterf(x, 100.0f) + 2e-5f) {
        float y = x;
        mm_exp_forward(&y, 1);
        double e = ulps(y, exp((double)x));
        if (e > worst) { worst = e; at = x; }
    }
    /* every float: 0.91 ulp with FMA, 1.2 without */
    CHECK(worst <= 1.25, "exp within 1.25 ulp of libm's double exp on [-87, 88]: max %.2f ulp at %g", worst, at);
    float ex[] = {NAN, -1000.0f, 0.0f};
    mm_exp_forward(ex, 3);
    CHECK(isnan(ex[0]) && ex[1] >= 0.0f && ex[1] < 1.2e-38f && ex[2] == 1.0f,
          "exp(NaN) is NaN, exp(-1000) is below 1.2e-38, exp(0) = 1");
    /* a whole array goes through the vector path and a masked tail */
    float *v = rand_array(37, 30), w[37];
    memcpy(w, v, sizeof w);
    mm_tanh_forward(v, 37);
    int same = 1;
    for (int i = 0; i < 37; i++) {
        float one = w[i];
        mm_tanh_forward(&one, 1);
        same &= one == v[i];
    }
    CHECK(same, "tanh of an array equals tanh element by element, tail included");
    free(v);
}

/* Forward, backward and gemv at B, K, J against double references. */
static int check_linear(int B, int K, int J, int nthreads)
{
    float *in = rand_array((long)B * K, 2), *W = rand_array((long)K * J, 2), *bias = rand_array(J, 2);
    float *dout = rand_array((long)B * J, 2), *dW = rand_array((long)K * J, 1), *db = rand_array(J, 1);
    float *dW0 = malloc((size_t)K * J * sizeof *dW0), *db0 = malloc((size_t)J * sizeof *db0);
    float *out = malloc((size_t)B * J * sizeof *out), *din = malloc((size_t)B * K * sizeof *din);
    float *row = malloc((size_t)J * sizeof *row);
    int ldw = (J + 7) / 8 * 8;
    float *Wp = calloc((size_t)K * ldw, sizeof *Wp);
    for (int k = 0; k < K; k++) memcpy(Wp + (long)k * ldw, W + (long)k * J, (size_t)J * sizeof *Wp);
    memcpy(dW0, dW, (size_t)K * J * sizeof *dW);
    memcpy(db0, db, (size_t)J * sizeof *db);
    mm_linear_forward(out, in, W, bias, B, K, J, nthreads);
    mm_linear_backward(din, dW, db, dout, in, W, B, K, J, nthreads);
    mm_gemv_forward(row, in, Wp, ldw, bias, K, J);
    double ef = 0, ew = 0, eb = 0, ei = 0, eg = 0, scale = 1e-6 * sqrt((double)(B + K + J));
    for (int j = 0; j < J; j++) {
        double sb = db0[j];
        for (int b = 0; b < B; b++) {
            double s = bias[j];
            for (int k = 0; k < K; k++) s += (double)in[b * K + k] * W[k * J + j];
            ef = fmax(ef, fabs(out[b * J + j] - s) / (1 + fabs(s)));
            if (b == 0) eg = fmax(eg, fabs(row[j] - s) / (1 + fabs(s)));
            sb += dout[b * J + j];
        }
        eb = fmax(eb, fabs(db[j] - sb) / (1 + fabs(sb)));
        for (int k = 0; k < K; k++) {
            double s = dW0[k * J + j];
            for (int b = 0; b < B; b++) s += (double)in[b * K + k] * dout[b * J + j];
            ew = fmax(ew, fabs(dW[k * J + j] - s) / (1 + fabs(s)));
        }
    }
    for (int b = 0; b < B; b++)
        for (int k = 0; k < K; k++) {
            double s = 0;
            for (int j = 0; j < J; j++) s += (double)dout[b * J + j] * W[k * J + j];
            ei = fmax(ei, fabs(din[b * K + k] - s) / (1 + fabs(s)));
        }
    int ok = ef < scale && ew < scale && eb < scale && ei < scale && eg < scale;
    if (!ok)
        printf("# B=%d K=%d J=%d: forward %.1e dW %.1e db %.1e din %.1e gemv %.1e (tolerance %.1e)\n",
               B, K, J, ef, ew, eb, ei, eg, scale);
    free(in); free(W); free(bias); free(dout); free(dW); free(db); free(dW0); free(db0);
    free(out); free(din); free(row); free(Wp);
    return ok;
}

static void test_linear(void)
{
    int ok = 1, n = 0;
    /* every tail: rows 1..9 (register tiles of 2..4), columns 1..40 (masks,
     * one to five vectors), narrow and wide J for both backward paths */
    for (int B = 1; B <= 9; B++)
        for (int J = 1; J <= 40; J += (J < 10 ? 1 : 3)) {
            ok &= check_linear(B, 3 + (B * J) % 29, J, 1);
            n++;
        }
    /* 512 and 64 columns: B's rows are packed into a panel, in two blocks
     * of rows when K = 300 */
    int big[][3] = {{32, 30, 200}, {32, 200, 27}, {33, 31, 65}, {64, 100, 300}, {3, 70, 5}, {17, 300, 64},
                    {40, 300, 512}};
    for (size_t i = 0; i < sizeof big / sizeof *big; i++, n++) ok &= check_linear(big[i][0], big[i][1], big[i][2], 1);
    CHECK(ok, "linear forward, gemv, dW, dbias and din match double references at %d shapes", n);
}

static int same_floats(const float *a, const float *b, long n)
{
    return !memcmp(a, b, (size_t)n * sizeof *a);
}

/* dL/d(input) of a wide output layer (J = 3,000 > gemm.h's PACK_LONG_K):
 * through W^T, with the long inner dimension packed a panel at a time;
 * against a double reference, and the same bits on 1 and 2 threads. */
static void test_long_inner(void)
{
    const int B = 21, K = 37, J = 3000;
    float *W = rand_array((long)K * J, 2), *dout = rand_array((long)B * J, 2);
    float *Wt = malloc((size_t)K * J * sizeof *Wt), *din[2];
    double worst = 0;
    for (int t = 0; t < 2; t++) {
        din[t] = malloc((size_t)B * K * sizeof *din[t]);
        mm_linear_backward_input_packed(din[t], Wt, dout, W, B, K, J, t + 1);
    }
    for (int b = 0; b < B; b++)
        for (int k = 0; k < K; k++) {
            double s = 0;
            for (int j = 0; j < J; j++) s += (double)dout[(long)b * J + j] * W[(long)k * J + j];
            worst = fmax(worst, fabs(din[0][b * K + k] - s) / (1 + fabs(s)));
        }
    const double tol = 1e-6 * sqrt((double)(B + K + J)); /* check_linear's */
    CHECK(worst < tol && same_floats(din[0], din[1], (long)B * K),
          "din of a %d-wide layer through W^T, packed along J: max |diff| / (1 + |din|) %.1e (tolerance %.1e), "
          "1 and 2 threads the same bits", J, worst, tol);
    free(W); free(dout); free(Wt); free(din[0]); free(din[1]);
}

/* Every output element is summed in one order whatever tile or thread
 * computes it: threads, and a batch cut into rows, change nothing. */
static void test_bitwise(int B, int K, int J)
{
    float *in = rand_array((long)B * K, 2), *W = rand_array((long)K * J, 2), *bias = rand_array(J, 2);
    float *dout = rand_array((long)B * J, 2);
    float *out[3], *din[3], *dW[3];
    for (int t = 0; t < 3; t++) {
        out[t] = malloc((size_t)B * J * sizeof(float));
        din[t] = malloc((size_t)B * K * sizeof(float));
        dW[t] = calloc((size_t)K * J, sizeof(float));
        mm_linear_forward(out[t], in, W, bias, B, K, J, t + 1);
        mm_linear_backward(din[t], dW[t], NULL, dout, in, W, B, K, J, t + 1);
    }
    int threads = 1;
    for (int t = 1; t < 3; t++)
        threads &= same_floats(out[0], out[t], (long)B * J) && same_floats(din[0], din[t], (long)B * K) &&
                   same_floats(dW[0], dW[t], (long)K * J);
    CHECK(threads, "B=%d K=%d J=%d: forward, dW and din bit-identical with 1, 2 and 3 threads", B, K, J);
    /* rows 5..B-1 on their own, and dW in two pieces of rows */
    int r0 = 5;
    mm_linear_forward(out[1], in + (long)r0 * K, W, bias, B - r0, K, J, 1);
    mm_linear_backward_input(din[1], dout + (long)r0 * J, W, B - r0, K, J);
    memset(dW[1], 0, (size_t)K * J * sizeof(float));
    mm_linear_backward_weights(dW[1], dout, in, B, K, J, 0, K / 3);
    mm_linear_backward_weights(dW[1], dout, in, B, K, J, K / 3, K);
    CHECK(same_floats(out[0] + (long)r0 * J, out[1], (long)(B - r0) * J) &&
              same_floats(din[0] + (long)r0 * K, din[1], (long)(B - r0) * K) &&
              same_floats(dW[0], dW[1], (long)K * J),
          "B=%d K=%d J=%d: a batch cut at row %d, and dW cut at row %d, give the same bits", B, K, J, r0, K / 3);
    for (int t = 0; t < 3; t++) { free(out[t]); free(din[t]); free(dW[t]); }
    free(in); free(W); free(bias); free(dout);
}

/* The kernels are chosen by CPU at run time (cpu.h): AVX-512 exactly where
 * the CPU has it (in an x86-64 build with AVX2), and capping at AVX2 gives
 * the same bits as the level picked. */
static void test_dispatch(void)
{
    const mm_simd got = mm_simd_level();
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
    __builtin_cpu_init();
    const char *env = getenv("MAKEMORE_SIMD");
    const mm_simd want = __builtin_cpu_supports("avx512f") && !(env && strcmp(env, "avx512"))
                             ? MM_SIMD_AVX512 : MM_SIMD_AVX2;
#elif defined(__AVX2__) && defined(__FMA__)
    const mm_simd want = MM_SIMD_AVX2;
#else
    const mm_simd want = MM_SIMD_PLAIN;
#endif
    CHECK(got == want, "the kernels in use are %s (this CPU and build: %s)", mm_simd_name(got), mm_simd_name(want));
    enum { B = 61, K = 300, J = 77 };
    float *in = rand_array((long)B * K, 2), *W = rand_array((long)K * J, 2), *bias = rand_array(J, 2);
    float *dout = rand_array((long)B * J, 2), *out[2], *din[2], *dW[2];
    for (int k = 0; k < 2; k++) {
        if (k == 1) mm_simd_cap(MM_SIMD_AVX2);
        out[k] = malloc((size_t)B * J * sizeof(float));
        din[k] = malloc((size_t)B * K * sizeof(float));
        dW[k] = calloc((size_t)K * J, sizeof(float));
        mm_linear_forward(out[k], in, W, bias, B, K, J, 1);
        mm_linear_backward(din[k], dW[k], NULL, dout, in, W, B, K, J, 1);
    }
    const mm_simd capped = mm_simd_level();
    mm_simd_cap(MM_SIMD_AVX512);
    CHECK(same_floats(out[0], out[1], (long)B * J) && same_floats(din[0], din[1], (long)B * K) &&
              same_floats(dW[0], dW[1], (long)K * J) && mm_simd_level() == got,
          "linear forward and backward on the %s kernels and capped at %s: the same bits%s", mm_simd_name(got),
          mm_simd_name(capped), got == capped ? " (one path for this CPU and build: no AVX-512 to compare)" : "");
    for (int k = 0; k < 2; k++) { free(out[k]); free(din[k]); free(dW[k]); }
    free(in); free(W); free(bias); free(dout);
}

static void test_softmax(void)
{
    enum { B = 7, V = 27 };
    float *l = rand_array(B * V, 20), d[B * V], mx[B], lse[B];
    int32_t Y[B];
    double rowloss[B];
    for (int b = 0; b < B; b++) Y[b] = (int32_t)((b * 5) % V);
    double loss = mm_softmax_xent(d, l, Y, B, V), want = 0, eg = 0;
    for (int b = 0; b < B; b++) {
        double m = -INFINITY, z = 0;
        for (int v = 0; v < V; v++) m = fmax(m, l[b * V + v]);
        for (int v = 0; v < V; v++) z += exp(l[b * V + v] - m);
        want += log(z) + m - l[b * V + Y[b]];
        for (int v = 0; v < V; v++) {
            double g = (exp(l[b * V + v] - m) / z - (v == Y[b])) / B;
            eg = fmax(eg, fabs(d[b * V + v] - g));
        }
    }
    want /= B;
    CHECK(fabs(loss - want) < 1e-6 * want && eg < 1e-7, "softmax xent: loss %.8f vs %.8f, gradient max |diff| %.1e",
          loss, want, eg);
    mm_softmax_xent_rows(NULL, rowloss, l, Y, B, V, 1.0f);
    mm_logsumexp_rows(mx, lse, l, B, V);
    int exact = 1;
    for (int b = 0; b < B; b++) exact &= MM_XENT(lse[b], l[b * V + Y[b]], mx[b]) == rowloss[b];
    CHECK(exact, "a row's loss from its log-sum-exp equals its cross-entropy to the bit");
    free(l);
}

/* A model of c's shape with small random weights and a split of n examples
 * over few distinct contexts (so the split loss takes its cached path). */
static void build_model(mm_model *m, const mm_config *c)
{
    mm_err err;
    if (mm_model_build(m, c, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    for (size_t i = 0; i < m->nparams; i++) m->params[i] = frand(1.0f);
}

/* Training steps take the first layer once per (position, id) group when
 * ids repeat in a batch (groups.h): the loss and every gradient must match
 * the row-by-row form up to rounding. */
static void test_groups(void)
{
    mm_config c = {.vocab_size = 27, .block_size = 3, .n_embd = 4, .n_hidden = 9};
    enum { B = 32 };
    mm_model m;
    mm_acts a;
    mm_err err;
    int32_t X[B * 3], Y[B];
    for (int i = 0; i < B * 3; i++) X[i] = (int32_t)((seed = seed * 1664525u + 1013904223u) >> 28) % 5;
    for (int i = 0; i < B; i++) Y[i] = (int32_t)(i * 7 % 27);
    build_model(&m, &c);
    mm_acts_build(&a, &c, B, &err);
    double loss[2];
    float *g[2];
    int grouped = 0;
    for (int pass = 0; pass < 2; pass++) {
        mm_mlp_acts *ma = mm_mlp_acts_of(&a);
        if (pass == 1) { /* the same step with the groups taken away */
            ma->groups = NULL; /* its tables stay in the block, unused */
        }
        mm_model_zero_grad(&m);
        loss[pass] = mm_model_forward(&m, &a, X, Y, B, 1);
        if (pass == 0 && ma->groups && ma->groups->active) grouped = ma->groups->n[0] + ma->groups->n[1] + ma->groups->n[2];
        mm_model_backward(&m, &a, X, B, 1);
        g[pass] = malloc(m.nparams * sizeof(float));
        memcpy(g[pass], m.grads, m.nparams * sizeof(float));
    }
    double worst = 0, gmax = 0;
    for (size_t i = 0; i < m.nparams; i++) {
        worst = fmax(worst, fabs((double)g[0][i] - g[1][i]));
        gmax = fmax(gmax, fabs((double)g[1][i]));
    }
    CHECK(grouped && fabs(loss[0] - loss[1]) < 1e-6 * loss[1] && worst < 1e-5 * gmax,
          "grouped first layer (%d groups for 96 ids): loss %.8f vs %.8f row by row, gradients max |diff| %.1e of %.2g",
          grouped, loss[0], loss[1], worst, gmax);
    free(g[0]);
    free(g[1]);
    mm_acts_free(&a);
    mm_model_free(&m);
}

/* The split loss evaluates each distinct context once (or, with too many
 * of them, every example): either way it must equal the per-example losses
 * of evaluation passes summed in chunks of 512, whatever the threads. */
static void check_split_loss(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int N,
                             const char *what)
{
    mm_split s = {.n = (size_t)N, .T = 3, .X = (int32_t *)X, .Y = (int32_t *)Y, .ny = 1, .ntargets = (size_t)N};
    double split[2], total = 0;
    mm_err err;
    mm_model_split_loss(m, &s, 1, &split[0], &err);
    mm_model_split_loss(m, &s, 2, &split[1], &err);
    for (int r0 = 0; r0 < N; r0 += 512) {
        int n = N - r0 < 512 ? N - r0 : 512;
        double sum = 0, rowloss[512];
        mm_model_logits(m, a, X + r0 * 3, n, 1);
        mm_softmax_xent_rows(NULL, rowloss, a->logits, Y + r0, n, m->cfg.vocab_size, 1.0f);
        for (int b = 0; b < n; b++) sum += rowloss[b];
        total += sum;
    }
    CHECK(split[0] == total / N && split[1] == split[0],
          "split loss over %d examples (%s) equals the per-example sum to the bit: %.10f, %.10f", N, what,
          split[0], total / N);
}

static void test_model_threads(void)
{
    enum { B = 64, N = 3000 };
    mm_config c = {.vocab_size = 27, .block_size = 3, .n_embd = 10, .n_hidden = 200};
    mm_config wide = {.vocab_size = 3000, .block_size = 3, .n_embd = 4, .n_hidden = 16};
    mm_model m;
    mm_acts a;
    mm_err err;
    int32_t *X = malloc(N * 3 * sizeof *X), *Y = malloc(N * sizeof *Y);
    for (int i = 0; i < N * 3; i++) X[i] = (int32_t)((seed = seed * 1664525u + 1013904223u) >> 28) % 9;
    for (int i = 0; i < N; i++) Y[i] = (int32_t)(i * 7 % 27);
    build_model(&m, &c);
    mm_acts_build(&a, &c, 512, &err);
    double loss[3];
    float *g[3];
    for (int t = 0; t < 3; t++) {
        mm_model_zero_grad(&m);
        loss[t] = mm_model_forward(&m, &a, X, Y, B, t + 1);
        mm_model_backward(&m, &a, X, B, t + 1);
        g[t] = malloc(m.nparams * sizeof(float));
        memcpy(g[t], m.grads, m.nparams * sizeof(float));
    }
    CHECK(loss[0] == loss[1] && loss[0] == loss[2] && same_floats(g[0], g[1], (long)m.nparams) &&
              same_floats(g[0], g[2], (long)m.nparams),
          "a training step (B=%d) gives the same loss and gradients to the bit with 1, 2 and 3 threads", B);
    check_split_loss(&m, &a, X, Y, N, "at most 729 distinct contexts: each evaluated once");
    for (int t = 0; t < 3; t++) free(g[t]);
    mm_acts_free(&a);
    mm_model_free(&m);

    /* 3000 ids: nearly every context distinct, over the cache: per example */
    for (int i = 0; i < N * 3; i++) X[i] = (int32_t)((seed = seed * 1664525u + 1013904223u) >> 8) % 3000;
    build_model(&m, &wide);
    mm_acts_build(&a, &wide, 512, &err);
    check_split_loss(&m, &a, X, Y, N, "3000 ids, too many distinct contexts to cache");
    mm_acts_free(&a);
    mm_model_free(&m);
    free(X);
    free(Y);
}

int main(void)
{
    PLAN(26);
    test_tanh_exp();
    test_linear();
    test_long_inner();
    test_softmax();
    test_dispatch();
    test_bitwise(32, 30, 200);
    test_bitwise(256, 200, 27);
    test_bitwise(300, 512, 300);
    test_bitwise(100, 1000, 65);
    test_bitwise(64, 300, 512);
    test_groups();
    test_model_threads();
    return CHECK_DONE();
}
