#include "layernorm.h"

#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels.h"
#include "simd.h"

/* Row reductions as 8 partial sums (lane l takes e = l, l+8, ...) added in
 * mm_hsum8's tree: vector lanes with AVX2, the same order in plain C. */
#ifdef MM_AVX2
static float row_sum(const float *x, int E)
{
    __m256 s = _mm256_setzero_ps();
    int e = 0;
    for (; e + 8 <= E; e += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(x + e));
    if (e < E) s = _mm256_add_ps(s, _mm256_maskload_ps(x + e, mm_mask8(E - e)));
    return mm_hsum8(s);
}

static float row_sqdev(const float *x, float mean, int E)
{
    const __m256 m = _mm256_set1_ps(mean);
    __m256 s = _mm256_setzero_ps();
    int e = 0;
    for (; e + 8 <= E; e += 8) {
        const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + e), m);
        s = _mm256_fmadd_ps(d, d, s);
    }
    if (e < E) {
        const __m256i mask = mm_mask8(E - e);
        const __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + e, mask), m),
                                       _mm256_castsi256_ps(mask));
        s = _mm256_fmadd_ps(d, d, s);
    }
    return mm_hsum8(s);
}
/* *mg = mean of g = d * w, *mgx = mean of g * xhat, xhat = (x - m) * r */
static void row_grad_means(float *mg, float *mgx, const float *d, const float *w, const float *x,
                           float m, float r, int E)
{
    const __m256 mv = _mm256_set1_ps(m), rv = _mm256_set1_ps(r);
    __m256 s = _mm256_setzero_ps(), sx = _mm256_setzero_ps();
    for (int e = 0; e < E; e += 8) {
        const __m256i mask = mm_mask8(E - e < 8 ? E - e : 8);
        const __m256 g = _mm256_mul_ps(_mm256_maskload_ps(d + e, mask), _mm256_maskload_ps(w + e, mask));
        const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(x + e, mask), mv), rv);
        s = _mm256_add_ps(s, g);
        sx = _mm256_fmadd_ps(g, xhat, sx);
    }
    *mg = mm_hsum8(s) / (float)E;
    *mgx = mm_hsum8(sx) / (float)E;
}
#else
static float tree8(const float *s)
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static float row_sum(const float *x, int E)
{
    float s[8] = {0};
    for (int e = 0; e < E; e++) s[e % 8] += x[e];
    return tree8(s);
}

static float row_sqdev(const float *x, float mean, int E)
{
    float s[8] = {0};
    for (int e = 0; e < E; e++) s[e % 8] += (x[e] - mean) * (x[e] - mean);
    return tree8(s);
}
static void row_grad_means(float *mg, float *mgx, const float *d, const float *w, const float *x,
                           float m, float r, int E)
{
    float s[8] = {0}, sx[8] = {0};
    for (int e = 0; e < E; e++) {
        const float g = d[e] * w[e];
        s[e % 8] += g;
        sx[e % 8] += g * ((x[e] - m) * r);
    }
    *mg = tree8(s) / (float)E;
    *mgx = tree8(sx) / (float)E;
}
#endif

static void forward_row(float *out, float *mean, float *rstd, const float *x, const float *w,
                        const float *b, int E)
{
    const float m = row_sum(x, E) / (float)E;
    /* the centred sum of squares, not E[x^2] - mean^2, which cancels when
     * the mean is large against the spread */
    const float r = 1.0f / sqrtf(row_sqdev(x, m, E) / (float)E + MM_LN_EPS);
    for (int e = 0; e < E; e++) out[e] = (x[e] - m) * r * w[e] + b[e];
    *mean = m;
    *rstd = r;
}

void mm_layernorm_forward(float *out, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int E, int nthreads)
{
    /* weighed as multiply-adds by its time against a product's */
    const int nt = mm_kernel_threads(16L * N * E, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int n = 0; n < N; n++)
        forward_row(out + (long)n * E, mean + n, rstd + n, x + (long)n * E, w, b, E);
}

/* dx (E) += one row's input gradient, given the row's means of
 * g = dout * w and of g * xhat */
static void row_backward(float *restrict dx, const float *restrict d, const float *restrict x,
                         const float *restrict w, float m, float r, float mg, float mgx, int E)
{
    for (int e = 0; e < E; e++) dx[e] += r * (d[e] * w[e] - mg - (x[e] - m) * r * mgx);
}

/* columns e0..e1-1 of dw, db (E) += the sums over rows of dout * xhat and dout */
static void params_backward(float *restrict dw, float *restrict db, const float *restrict dout,
                            const float *restrict x, const float *mean, const float *rstd, int N, int E,
                            int e0, int e1)
{
    for (int n = 0; n < N; n++) {
        const float *d = dout + (long)n * E, *xr = x + (long)n * E, m = mean[n], r = rstd[n];
        for (int e = e0; e < e1; e++) {
            dw[e] += d[e] * ((xr[e] - m) * r);
            db[e] += d[e];
        }
    }
}

void mm_layernorm_backward_rows(float *dx, const float *dout, const float *x, const float *mean,
                                const float *rstd, const float *w, int N, int E)
{
    for (int r = 0; r < N; r++) {
        const float *d = dout + (long)r * E, *xr = x + (long)r * E;
        float mg, mgx;
        row_grad_means(&mg, &mgx, d, w, xr, mean[r], rstd[r], E);
        row_backward(dx + (long)r * E, d, xr, w, mean[r], rstd[r], mg, mgx, E);
    }
}

void mm_layernorm_backward_params(float *dw, float *db, const float *dout, const float *x,
                                  const float *mean, const float *rstd, int N, int E, int e0, int e1)
{
    params_backward(dw, db, dout, x, mean, rstd, N, E, e0, e1);
}

void mm_layernorm_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                           const float *mean, const float *rstd, const float *w, int N, int E,
                           int nthreads)
{
    const int nt = mm_kernel_threads(16L * N * E, nthreads);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        const int id = omp_get_thread_num(), n = omp_get_num_threads();
#else
        const int id = 0, n = 1;
#endif
        /* rows for dx; columns, whole and in row order, for dw and db */
        const int cols = (E + n - 1) / n, e0 = id * cols < E ? id * cols : E, e1 = e0 + cols < E ? e0 + cols : E;
        params_backward(dw, db, dout, x, mean, rstd, N, E, e0, e1);
        const int r0 = (int)((long)N * id / n), r1 = (int)((long)N * (id + 1) / n);
        mm_layernorm_backward_rows(dx + (long)r0 * E, dout + (long)r0 * E, x + (long)r0 * E, mean + r0,
                                   rstd + r0, w, r1 - r0, E);
    }
}
