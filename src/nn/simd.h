/* Vector helpers shared by the kernels and the sampler (internal header).
 *
 * With AVX2 and FMA (the default -march=native build on x86-64) the kernels
 * use 8-wide intrinsics; otherwise (make PORTABLE=1, arm64, ...) they use the
 * plain C paths, which compute the same formulas one element at a time.
 * WebAssembly with 128-bit SIMD (the page, clang -msimd128) has its own
 * 4-wide path that does the plain C path's operations in its order, unfused
 * (SIMD128 has no FMA), so the page's results are the portable build's.
 *
 * tanh and exp are our own approximations rather than libm's, so that a
 * whole row can be computed in a few vector instructions. Their coefficients
 * come from bench/fit_approx.py. Checked at every float against libm in
 * double: tanh is within 5.2 ulp with FMA (5.8 without, as in the portable
 * x86-64 build), exp within 0.91 ulp (1.2) on [-87.3, 88];
 * tests/test_kernels.c checks a sample of them. */
#ifndef MM_SIMD_H
#define MM_SIMD_H

#include <math.h>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define MM_AVX2 1
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define MM_WASM_SIMD 1
#endif

/* tanh(x) = x P(x^2) / Q(x^2) for |x| < 9.0109, and +-1 beyond, where
 * tanh rounds to +-1.0f. One rational for the whole range costs about 20
 * vector operations against about 30 for the usual two regimes (a series
 * near 0, exp above). Its float evaluation is within 6 ulp (above), which
 * moves a training run less than float32 itself does (bench/RESULTS.md). */
#define MM_TANH_ONE 9.0109f
#define MM_TANH_P0 1.0f
#define MM_TANH_P1 0.130840227f
#define MM_TANH_P2 0.00310397078f
#define MM_TANH_P3 1.1154455e-05f
#define MM_TANH_P4 -2.02257802e-08f
#define MM_TANH_P5 5.2781942e-11f
#define MM_TANH_P6 -8.4892881e-14f
#define MM_TANH_Q1 0.464173496f
#define MM_TANH_Q2 0.0244952366f
#define MM_TANH_Q3 0.000254616607f

/* exp(x) = 2^n exp(r), n = round(x / ln2), |r| <= ln2/2, exp(r) a degree-6
 * polynomial. Inputs are clamped to [-87.3, 88] so that 2^n stays a normal
 * float (n in -126..127): exp of anything below -87.3 comes out as 1.2e-38,
 * not 0, which no softmax can notice, and nothing overflows. */
#define MM_EXP_LO -87.3365447f
#define MM_EXP_HI 88.0f
#define MM_LOG2E 1.44269504f
#define MM_LN2_HI 0.693145752f   /* ln2 in 16 bits: n * LN2_HI is exact */
#define MM_LN2_LO 1.42860677e-06f
#define MM_EXP_C2 0.49999994f
#define MM_EXP_C3 0.166665211f
#define MM_EXP_C4 0.041668389f
#define MM_EXP_C5 0.00836870633f
#define MM_EXP_C6 0.00138145348f

static inline float mm_exp1(float x)
{
    x = x > MM_EXP_HI ? MM_EXP_HI : x;
    x = x < MM_EXP_LO ? MM_EXP_LO : x;
    if (x != x) return x;
    const float n = rintf(x * MM_LOG2E);
    float r = x - n * MM_LN2_HI;
    r = r - n * MM_LN2_LO;
    float p = MM_EXP_C6;
    p = p * r + MM_EXP_C5;
    p = p * r + MM_EXP_C4;
    p = p * r + MM_EXP_C3;
    p = p * r + MM_EXP_C2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return ldexpf(p, (int)n);
}

/* The comparisons here are written so that a NaN passes through instead of
 * being clamped into a finite number: a diverging run must still show a NaN
 * loss. */
static inline float mm_tanh1(float x)
{
    if (fabsf(x) >= MM_TANH_ONE) return copysignf(1.0f, x);
    const float s = x * x;
    float p = MM_TANH_P6;
    p = p * s + MM_TANH_P5;
    p = p * s + MM_TANH_P4;
    p = p * s + MM_TANH_P3;
    p = p * s + MM_TANH_P2;
    p = p * s + MM_TANH_P1;
    p = p * s + MM_TANH_P0;
    float q = MM_TANH_Q3;
    q = q * s + MM_TANH_Q2;
    q = q * s + MM_TANH_Q1;
    q = q * s + 1.0f;
    /* the rational overshoots 1 by up to 4 ulp near the end: 1 - y^2 must
     * not go negative */
    const float y = x * p / q;
    return y > 1.0f ? 1.0f : y < -1.0f ? -1.0f : y;
}

#ifdef MM_AVX2
static inline __m256 mm_exp8(__m256 x)
{
    x = _mm256_min_ps(_mm256_set1_ps(MM_EXP_HI), x);
    x = _mm256_max_ps(_mm256_set1_ps(MM_EXP_LO), x);
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(MM_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(MM_LN2_HI), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(MM_LN2_LO), r);
    __m256 p = _mm256_set1_ps(MM_EXP_C6);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MM_EXP_C5));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MM_EXP_C4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MM_EXP_C3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(MM_EXP_C2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    /* 2^n written straight into the exponent field */
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
}

static inline __m256 mm_tanh8(__m256 x)
{
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    /* false for a NaN, which then goes through the rational and stays NaN;
     * beyond the threshold the rational may overflow, but is not used */
    const __m256 saturated = _mm256_cmp_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(MM_TANH_ONE), _CMP_GE_OQ);
    const __m256 s = _mm256_mul_ps(x, x);
    __m256 p = _mm256_set1_ps(MM_TANH_P6);
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P5));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P4));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P3));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P2));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P1));
    p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(MM_TANH_P0));
    __m256 q = _mm256_set1_ps(MM_TANH_Q3);
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(MM_TANH_Q2));
    q = _mm256_fmadd_ps(q, s, _mm256_set1_ps(MM_TANH_Q1));
    q = _mm256_fmadd_ps(q, s, one);
    __m256 y = _mm256_div_ps(_mm256_mul_ps(x, p), q);
    y = _mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), one), _mm256_min_ps(one, y));
    return _mm256_blendv_ps(y, _mm256_or_ps(one, _mm256_and_ps(sign, x)), saturated);
}

/* Sum of the 8 lanes as ((x0+x1)+(x2+x3)) + ((x4+x5)+(x6+x7)), the same
 * tree for every caller, so a sum never depends on how work was tiled. */
static inline float mm_hsum8(__m256 v)
{
    __m256 h = _mm256_hadd_ps(v, v);
    h = _mm256_hadd_ps(h, h);
    return _mm_cvtss_f32(_mm_add_ss(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

static inline float mm_hmax8(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

/* Lanes 0..n-1 set, for loads and stores of a row's last n < 8 floats. */
static inline __m256i mm_mask8(int n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

#ifdef MM_WASM_SIMD
#define MM_SPLAT4(c) wasm_f32x4_splat(c)

/* mm_exp1 four at a time, operation for operation: pmin and pmax are its
 * comparisons (a NaN passes), nearest is rintf, and 2^n built in the
 * exponent field rounds p * 2^n once, as ldexpf does (n is in -126..127). */
static inline v128_t mm_exp4(v128_t x)
{
    x = wasm_f32x4_pmin(x, MM_SPLAT4(MM_EXP_HI));
    x = wasm_f32x4_pmax(x, MM_SPLAT4(MM_EXP_LO));
    const v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, MM_SPLAT4(MM_LOG2E)));
    v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, MM_SPLAT4(MM_LN2_HI)));
    r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, MM_SPLAT4(MM_LN2_LO)));
    v128_t p = MM_SPLAT4(MM_EXP_C6);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(MM_EXP_C5));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(MM_EXP_C4));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(MM_EXP_C3));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(MM_EXP_C2));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(1.0f));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, r), MM_SPLAT4(1.0f));
    const v128_t e = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127));
    return wasm_f32x4_mul(p, wasm_i32x4_shl(e, 23));
}

/* mm_tanh1 four at a time, operation for operation. */
static inline v128_t mm_tanh4(v128_t x)
{
    const v128_t one = MM_SPLAT4(1.0f), sign = MM_SPLAT4(-0.0f);
    const v128_t saturated = wasm_f32x4_ge(wasm_f32x4_abs(x), MM_SPLAT4(MM_TANH_ONE));
    const v128_t s = wasm_f32x4_mul(x, x);
    v128_t p = MM_SPLAT4(MM_TANH_P6);
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P5));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P4));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P3));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P2));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P1));
    p = wasm_f32x4_add(wasm_f32x4_mul(p, s), MM_SPLAT4(MM_TANH_P0));
    v128_t q = MM_SPLAT4(MM_TANH_Q3);
    q = wasm_f32x4_add(wasm_f32x4_mul(q, s), MM_SPLAT4(MM_TANH_Q2));
    q = wasm_f32x4_add(wasm_f32x4_mul(q, s), MM_SPLAT4(MM_TANH_Q1));
    q = wasm_f32x4_add(wasm_f32x4_mul(q, s), one);
    v128_t y = wasm_f32x4_div(wasm_f32x4_mul(x, p), q);
    /* pmin(y, 1) is y > 1 ? 1 : y, and pmax(., -1) then y < -1 ? -1 : y */
    y = wasm_f32x4_pmax(wasm_f32x4_pmin(y, one), MM_SPLAT4(-1.0f));
    return wasm_v128_bitselect(wasm_v128_or(one, wasm_v128_and(x, sign)), y, saturated);
}

/* ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)) of s0..3 in lo and
 * s4..7 in hi: mm_hsum8's tree, as the plain C dot products add them. */
static inline float mm_hsum4x2(v128_t lo, v128_t hi)
{
    const v128_t p = wasm_f32x4_add(wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6), wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7));
    const v128_t q = wasm_f32x4_add(p, wasm_i32x4_shuffle(p, p, 1, 0, 3, 2));
    return wasm_f32x4_extract_lane(q, 0) + wasm_f32x4_extract_lane(q, 2);
}
#endif

#endif
