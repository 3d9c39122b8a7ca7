#include "gelu.h"

#include "kernels.h"
#include "simd.h"

#define GELU_C 0.7978845608028654f /* sqrt(2 / pi) */
#define GELU_A 0.044715f

/* gelu'(x) = (1 + t)/2 + x/2 (1 - t^2) c (1 + 3a x^2), t = tanh(c (x + a x^3)) */
static inline float gelu_grad1(float x)
{
    const float x2 = x * x, t = mm_tanh1(GELU_C * x * (1.0f + GELU_A * x2));
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * GELU_C * (1.0f + 3.0f * GELU_A * x2);
}

#ifdef MM_AVX2
static inline __m256 gelu8(__m256 x)
{
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 u = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(GELU_C), x),
                                   _mm256_fmadd_ps(_mm256_set1_ps(GELU_A), x2, one));
    return _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_add_ps(one, mm_tanh8(u)));
}

static inline __m256 gelu_grad8(__m256 x)
{
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), c = _mm256_set1_ps(GELU_C);
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 t = mm_tanh8(_mm256_mul_ps(_mm256_mul_ps(c, x), _mm256_fmadd_ps(_mm256_set1_ps(GELU_A), x2, one)));
    const __m256 du = _mm256_mul_ps(c, _mm256_fmadd_ps(_mm256_set1_ps(3.0f * GELU_A), x2, one));
    const __m256 sech2 = _mm256_fnmadd_ps(t, t, one);
    return _mm256_fmadd_ps(half, _mm256_add_ps(one, t), _mm256_mul_ps(_mm256_mul_ps(half, x), _mm256_mul_ps(sech2, du)));
}
#endif

/* Elements per thread's piece. The last elements of any piece go through
 * the same vector formula, masked, so an element's result never depends
 * on where a piece (or a caller's row range) ends. */
#define PIECE 4096L

static void gelu_forward(float *out, const float *x, long n)
{
    long i = 0;
#ifdef MM_AVX2
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, gelu8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i mask = mm_mask8((int)(n - i));
        _mm256_maskstore_ps(out + i, mask, gelu8(_mm256_maskload_ps(x + i, mask)));
        return;
    }
#endif
    for (; i < n; i++) out[i] = 0.5f * x[i] * (1.0f + mm_tanh1(GELU_C * x[i] * (1.0f + GELU_A * x[i] * x[i])));
}

static void gelu_backward(float *dx, const float *dout, const float *x, long n)
{
    long i = 0;
#ifdef MM_AVX2
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dout + i), gelu_grad8(_mm256_loadu_ps(x + i))));
    if (i < n) {
        const __m256i mask = mm_mask8((int)(n - i));
        const __m256 g = gelu_grad8(_mm256_maskload_ps(x + i, mask));
        _mm256_maskstore_ps(dx + i, mask, _mm256_mul_ps(_mm256_maskload_ps(dout + i, mask), g));
        return;
    }
#endif
    for (; i < n; i++) dx[i] = dout[i] * gelu_grad1(x[i]);
}

/* about 40 vector operations an element, weighed as multiply-adds */
static int gelu_threads(long n, int nthreads)
{
    return mm_kernel_threads(5 * n, nthreads);
}

void mm_gelu_forward(float *out, const float *x, long n, int nthreads)
{
    const int nt = gelu_threads(n, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; i += PIECE) gelu_forward(out + i, x + i, n - i < PIECE ? n - i : PIECE);
}

void mm_gelu_backward(float *dx, const float *dout, const float *x, long n, int nthreads)
{
    const int nt = gelu_threads(n, nthreads);
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1)
    for (long i = 0; i < n; i += PIECE) gelu_backward(dx + i, dout + i, x + i, n - i < PIECE ? n - i : PIECE);
}
