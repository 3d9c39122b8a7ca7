#include "attention.h"

#include <math.h>
#include <string.h>

#include "kernels.h"

long mm_attention_scratch(int B, int T, int E, int NH)
{
    return (long)B * T * (E + NH);
}

/* Sizes shared by every (example, head) pair. */
typedef struct {
    int T, E, NH, HS;
    float scale; /* 1 / sqrt(HS) */
} geom;

/* dst (HS, T) = columns col..col+HS-1 of the T rows of src (rows ld apart),
 * transposed: the score loops then run along contiguous positions. */
static void gather_t(float *dst, const float *src, long ld, int T, int HS)
{
    for (int j = 0; j < T; j++)
        for (int d = 0; d < HS; d++) dst[d * T + j] = src[j * ld + d];
}

/* Row i of the causal softmax: a[0..i] from q_i against Kt (HS, T), a[i+1..T-1] = 0. */
static void score_row(float *a, const float *q, const float *Kt, int i, const geom *g)
{
    const int n = i + 1, T = g->T;
    for (int j = 0; j < n; j++) a[j] = 0.0f;
    for (int d = 0; d < g->HS; d++) {
        const float qd = q[d], *kt = Kt + d * T;
        for (int j = 0; j < n; j++) a[j] += qd * kt[j];
    }
    float mx = -INFINITY;
    for (int j = 0; j < n; j++) {
        a[j] *= g->scale;
        mx = a[j] > mx ? a[j] : mx;
    }
    for (int j = 0; j < n; j++) a[j] -= mx;
    mm_exp_forward(a, n);
    float sum = 0.0f;
    for (int j = 0; j < n; j++) sum += a[j];
    const float inv = 1.0f / sum;
    for (int j = 0; j < n; j++) a[j] *= inv;
    for (int j = n; j < T; j++) a[j] = 0.0f;
}

static void forward_pair(float *y, float *att, float *Kt, const float *qkv, const geom *g)
{
    const int T = g->T, HS = g->HS;
    const long ld = 3L * g->E;
    gather_t(Kt, qkv + g->E, ld, T, HS);
    for (int i = 0; i < T; i++) {
        float *a = att + (long)i * T, *yi = y + (long)i * g->E;
        score_row(a, qkv + i * ld, Kt, i, g);
        for (int d = 0; d < HS; d++) yi[d] = 0.0f;
        for (int j = 0; j <= i; j++) {
            const float aj = a[j], *v = qkv + j * ld + 2 * g->E;
            for (int d = 0; d < HS; d++) yi[d] += aj * v[d];
        }
    }
}

static geom make_geom(int T, int E, int NH)
{
    geom g = {T, E, NH, E / NH, 1.0f / sqrtf((float)(E / NH))};
    return g;
}

void mm_attention_forward(float *y, float *att, float *scratch, const float *qkv, int B, int T,
                          int E, int NH, int nthreads)
{
    const geom g = make_geom(T, E, NH);
    const int pairs = B * NH;
    const int nt = mm_kernel_threads((long)pairs * T * T * g.HS, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int p = 0; p < pairs; p++) {
        const int b = p / NH, h = p % NH;
        const long row0 = (long)b * T;
        forward_pair(y + row0 * E + h * g.HS, att + (long)p * T * T,
                     scratch + (long)p * T * (g.HS + 1), qkv + row0 * 3 * E + h * g.HS, &g);
    }
}

/* One pair's backward; dqkv and qkv point at the pair's q columns of its
 * first row, dy at its y columns. */
static void backward_pair(float *dqkv, float *work, const float *dy, const float *att,
                          const float *qkv, const geom *g)
{
    const int T = g->T, HS = g->HS, E = g->E;
    const long ld = 3L * E;
    float *Vt = work, *da = work + (long)HS * T;
    gather_t(Vt, qkv + 2 * E, ld, T, HS);
    for (int j = 0; j < T; j++) {
        memset(dqkv + j * ld + E, 0, (size_t)HS * sizeof *dqkv);
        memset(dqkv + j * ld + 2 * E, 0, (size_t)HS * sizeof *dqkv);
    }
    for (int i = 0; i < T; i++) {
        const float *a = att + (long)i * T, *dyi = dy + (long)i * E, *qi = qkv + i * ld;
        const int n = i + 1;
        for (int j = 0; j < n; j++) da[j] = 0.0f;
        for (int d = 0; d < HS; d++) {
            const float gd = dyi[d], *vt = Vt + d * T;
            for (int j = 0; j < n; j++) da[j] += gd * vt[j];
        }
        float dot = 0.0f;
        for (int j = 0; j < n; j++) dot += a[j] * da[j];
        /* da becomes the gradient of the scaled scores, times the scale */
        for (int j = 0; j < n; j++) da[j] = a[j] * (da[j] - dot) * g->scale;
        float *dqi = dqkv + i * ld;
        for (int d = 0; d < HS; d++) dqi[d] = 0.0f;
        for (int j = 0; j < n; j++) {
            const float dj = da[j], aj = a[j], *kj = qkv + j * ld + E;
            float *dk = dqkv + j * ld + E, *dv = dqkv + j * ld + 2 * E;
            for (int d = 0; d < HS; d++) {
                dqi[d] += dj * kj[d];
                dk[d] += dj * qi[d];
                dv[d] += aj * dyi[d];
            }
        }
    }
}

void mm_attention_backward(float *dqkv, float *scratch, const float *dy, const float *att,
                           const float *qkv, int B, int T, int E, int NH, int nthreads)
{
    const geom g = make_geom(T, E, NH);
    const int pairs = B * NH;
    const int nt = mm_kernel_threads(2L * pairs * T * T * g.HS, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int p = 0; p < pairs; p++) {
        const int b = p / NH, h = p % NH;
        const long row0 = (long)b * T;
        backward_pair(dqkv + row0 * 3 * E + h * g.HS, scratch + (long)p * T * (g.HS + 1),
                      dy + row0 * E + h * g.HS, att + (long)p * T * T,
                      qkv + row0 * 3 * E + h * g.HS, &g);
    }
}
