#include "attention.h"

#include <math.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"

long mm_attention_scratch(int B, int T, int E, int NH)
{
    return (long)B * T * (E + NH * T);
}

/* Sizes shared by every (example, head) pair. */
typedef struct {
    int T, E, NH, HS;
    float scale; /* 1 / sqrt(HS) */
} geom;

/* dst (HS, T) = columns col..col+HS-1 of the T rows of src (rows ld apart),
 * transposed: the score loops then run along contiguous positions. */
static void gather_t(float *restrict dst, const float *restrict src, long ld, int T, int HS)
{
    for (int j = 0; j < T; j++)
        for (int d = 0; d < HS; d++) dst[d * T + j] = src[j * ld + d];
}

/* Rows of att (T, T) hold scores; each becomes its causal softmax, zeros
 * above the diagonal. */
#ifdef MM_AVX2
/* Row i in 8-wide pieces: lanes past the diagonal are masked out of the
 * max and the sum, and stored as 0. */
static void causal_softmax(float *att, int T, float scale)
{
    const __m256 sc = _mm256_set1_ps(scale), ninf = _mm256_set1_ps(-INFINITY);
    for (int i = 0; i < T; i++) {
        float *a = att + (long)i * T;
        const int n = i + 1;
        __m256 mx8 = ninf;
        for (int c = 0; c < n; c += 8) {
            const __m256i in = mm_mask8(n - c < 8 ? n - c : 8);
            mx8 = _mm256_max_ps(mx8, _mm256_blendv_ps(ninf, _mm256_maskload_ps(a + c, in), _mm256_castsi256_ps(in)));
        }
        const __m256 mx = _mm256_set1_ps(mm_hmax8(mx8) * scale);
        __m256 s8 = _mm256_setzero_ps();
        for (int c = 0; c < T; c += 8) {
            const __m256i row = mm_mask8(T - c < 8 ? T - c : 8);
            __m256 e = _mm256_setzero_ps();
            if (c < n) {
                const __m256i in = mm_mask8(n - c < 8 ? n - c : 8);
                e = _mm256_and_ps(mm_exp8(_mm256_sub_ps(_mm256_mul_ps(_mm256_maskload_ps(a + c, in), sc), mx)),
                                  _mm256_castsi256_ps(in));
                s8 = _mm256_add_ps(s8, e);
            }
            _mm256_maskstore_ps(a + c, row, e);
        }
        const __m256 inv = _mm256_set1_ps(1.0f / mm_hsum8(s8));
        for (int c = 0; c < n; c += 8) {
            const __m256i in = mm_mask8(n - c < 8 ? n - c : 8);
            _mm256_maskstore_ps(a + c, in, _mm256_mul_ps(_mm256_maskload_ps(a + c, in), inv));
        }
    }
}
#else
static void causal_softmax(float *att, int T, float scale)
{
    for (int i = 0; i < T; i++) {
        float *a = att + (long)i * T, mx = -INFINITY;
        for (int j = 0; j <= i; j++) mx = a[j] > mx ? a[j] : mx;
        mx *= scale;
        for (int j = 0; j <= i; j++) a[j] = a[j] * scale - mx;
        for (int j = i + 1; j < T; j++) a[j] = 0.0f; /* exp'd, then zeroed below */
    }
    mm_exp_forward(att, (long)T * T);
    for (int i = 0; i < T; i++) {
        float *a = att + (long)i * T, sum = 0.0f;
        for (int j = 0; j <= i; j++) sum += a[j];
        const float inv = 1.0f / sum;
        for (int j = 0; j <= i; j++) a[j] *= inv;
        for (int j = i + 1; j < T; j++) a[j] = 0.0f;
    }
}
#endif

/* The products below run over whole T x T blocks, zeros above the
 * diagonal included: adding those zeros leaves every sum as the causal
 * one, and one shape for every row lets the register tiles of
 * mm_gemm_small do the work. */
static void forward_pair(float *y, float *att, float *Kt, const float *qkv, const geom *g)
{
    const int T = g->T, HS = g->HS, E = g->E;
    const long ld = 3L * E;
    gather_t(Kt, qkv + E, ld, T, HS);
    mm_gemm_small(att, T, qkv, ld, 1, Kt, T, T, T, HS, 0); /* q k^T */
    causal_softmax(att, T, g->scale);
    mm_gemm_small(y, E, att, T, 1, qkv + 2 * E, ld, T, HS, T, 0); /* att v */
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
    /* two products and the softmax, weighed as multiply-adds */
    const int nt = mm_kernel_threads(3L * pairs * T * T * g.HS, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int p = 0; p < pairs; p++) {
        const int b = p / NH, h = p % NH;
        const long row0 = (long)b * T;
        forward_pair(y + row0 * E + h * g.HS, att + (long)p * T * T,
                     scratch + (long)p * T * (g.HS + T), qkv + row0 * 3 * E + h * g.HS, &g);
    }
}

/* dot + a b in one rounding where there is FMA. Written out because gcc
 * may vectorise `dot += a * b` as in-order adds of separate products with
 * wide enough vectors (AVX-512), and the results would then depend on the
 * vector width the compiler chose. */
static inline float dot_step(float dot, float a, float b)
{
#ifdef MM_AVX2
    return fmaf(a, b, dot);
#else
    return dot + a * b;
#endif
}

/* One pair's backward; dqkv and qkv point at the pair's q columns of its
 * first row, dy at its y columns; work holds HS*T + T*T floats. */
static void backward_pair(float *dqkv, float *work, const float *dy, const float *att,
                          const float *qkv, const geom *g)
{
    const int T = g->T, HS = g->HS, E = g->E;
    const long ld = 3L * E;
    float *Vt = work, *dp = work + (long)HS * T;
    gather_t(Vt, qkv + 2 * E, ld, T, HS);
    mm_gemm_small(dp, T, dy, E, 1, Vt, T, T, T, HS, 0); /* d att = dy v^T */
    for (int i = 0; i < T; i++) {
        const float *a = att + (long)i * T;
        float *d = dp + (long)i * T, dot = 0.0f;
        for (int j = 0; j <= i; j++) dot = dot_step(dot, a[j], d[j]);
        /* the gradient of the scaled scores, times the scale; 0 above the diagonal */
        for (int j = 0; j < T; j++) d[j] = a[j] * (d[j] - dot) * g->scale;
    }
    mm_gemm_small(dqkv, ld, dp, T, 1, qkv + E, ld, T, HS, T, 0);          /* dq = dp k */
    mm_gemm_small(dqkv + E, ld, dp, 1, T, qkv, ld, T, HS, T, 0);          /* dk = dp^T q */
    mm_gemm_small(dqkv + 2 * E, ld, att, 1, T, dy, E, T, HS, T, 0);       /* dv = att^T dy */
}

void mm_attention_backward(float *dqkv, float *scratch, const float *dy, const float *att,
                           const float *qkv, int B, int T, int E, int NH, int nthreads)
{
    const geom g = make_geom(T, E, NH);
    const int pairs = B * NH;
    const int nt = mm_kernel_threads(4L * pairs * T * T * g.HS, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (int p = 0; p < pairs; p++) {
        const int b = p / NH, h = p % NH;
        const long row0 = (long)b * T;
        backward_pair(dqkv + row0 * 3 * E + h * g.HS, scratch + (long)p * T * (g.HS + T),
                      dy + row0 * E + h * g.HS, att + (long)p * T * T,
                      qkv + row0 * 3 * E + h * g.HS, &g);
    }
}
