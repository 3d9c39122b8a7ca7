#include "kernels.h"

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu.h"
#include "gemm.h"
#include "simd.h"

/* A second thread only joins a kernel with at least this many multiply-adds
 * per thread: at the lecture's shapes (a few hundred thousand per kernel,
 * docs/THREADS.md) waking it, and the barrier after, cost more than it saves. */
#define PAR_MIN_WORK 400000L

/* The transposed panel of W that dout @ W^T packs on the stack (32 KiB). */
#define PANEL_FLOATS 8192

/* Above this output width a backward input gradient uses dot products
 * (long, contiguous reductions); below it a transposed panel of W. */
#define DOT_MIN_J 64

#define MIN(a, b) ((a) < (b) ? (a) : (b))

int mm_kernel_threads(long work, int nthreads)
{
    long most = work / PAR_MIN_WORK;
    if (nthreads < 1 || most < 2) return 1;
    return nthreads < most ? nthreads : (int)most;
}

void mm_embed_forward(float *emb, const float *C, const int32_t *X, int B, int T, int E)
{
    /* a plain loop: E is about 10, too short for a memcpy call to pay */
    for (long i = 0; i < (long)B * T; i++) {
        const float *src = C + (long)X[i] * E;
        float *dst = emb + i * E;
        for (int e = 0; e < E; e++) dst[e] = src[e];
    }
}

void mm_embed_backward(float *dC, const float *demb, const int32_t *X, int B, int T, int E)
{
    for (long i = 0; i < (long)B * T; i++) {
        float *d = dC + (long)X[i] * E;
        const float *g = demb + i * E;
        for (int e = 0; e < E; e++) d[e] += g[e];
    }
}

/* ---- C (M, N) = init + A (M, K) @ Bm (K, N), broadcasting A (gemm.h) --- */
#ifdef MM_AVX2
/* Register tiles of MR rows by NV vectors of 8 columns. MR and NV are
 * constants in every call (see tile_dispatch), so the accumulators live in
 * registers; the last vector of a row is masked when N is not a multiple
 * of 8 (partial). */
#define MAX_MR 4
#define MAX_NV 4
/* gcc keeps an array of accumulators in registers only once the loops over
 * it are unrolled early; left to itself it spills them every iteration. */
#define UNROLL _Pragma("GCC unroll 8")
/* Left to itself gcc folds each load of B into every FMA that uses it, which
 * turns 7 loads per 12 FMAs into 16 and makes the tile load-bound. */
#define KEEP_IN_REGISTER(x) __asm__("" : "+x"(x))

static inline __attribute__((always_inline)) void
bcast_tile(const gemm *g, int m, int n, const int MR, const int NV, const int partial, __m256i mask)
{
    __m256 acc[MAX_MR][MAX_NV];
    float *C = g->C + m * g->ldc + n;
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            const int last = partial && v == NV - 1;
            const float *src = g->init == INIT_ACCUM ? C + i * g->ldc + 8 * v : g->bias + n + 8 * v;
            if (g->init == INIT_ZERO) acc[i][v] = _mm256_setzero_ps();
            else acc[i][v] = last ? _mm256_maskload_ps(src, mask) : _mm256_loadu_ps(src);
        }
    const float *a = g->A + m * g->rsa;
    const float *b = g->Bm + (n - g->bn0);
    const long rsa = g->rsa, csa = g->csa, ldb = g->ldb;
    for (int k = 0, K = g->K; k < K; k++, a += csa, b += ldb) {
        __m256 bv[MAX_NV];
        UNROLL
        for (int v = 0; v < NV; v++) {
            bv[v] = partial && v == NV - 1 ? _mm256_maskload_ps(b + 8 * v, mask) : _mm256_loadu_ps(b + 8 * v);
            KEEP_IN_REGISTER(bv[v]);
        }
        UNROLL
        for (int i = 0; i < MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i * rsa);
            UNROLL
            for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            if (partial && v == NV - 1) _mm256_maskstore_ps(C + i * g->ldc + 8 * v, mask, acc[i][v]);
            else _mm256_storeu_ps(C + i * g->ldc + 8 * v, acc[i][v]);
        }
}

#define TILE(mr, nv)                                                          \
    case (mr) * 8 + (nv):                                                     \
        if (partial) bcast_tile(g, m, n, mr, nv, 1, mask);                    \
        else bcast_tile(g, m, n, mr, nv, 0, mask);                            \
        break;

static void tile_dispatch(const gemm *g, int m, int n, int mr, int nv, int partial, __m256i mask)
{
    switch (mr * 8 + nv) {
        TILE(1, 1) TILE(1, 2) TILE(1, 3) TILE(1, 4)
        TILE(2, 1) TILE(2, 2) TILE(2, 3) TILE(2, 4)
        TILE(3, 1) TILE(3, 2) TILE(3, 3) TILE(3, 4)
        TILE(4, 1) TILE(4, 2) TILE(4, 3)
    default: break;
    }
}

static void tile_rows(const gemm *g, int m0, int m1, int n, int MR, int nv, int partial, __m256i mask)
{
    int m = m0;
    for (; m + MR <= m1; m += MR) tile_dispatch(g, m, n, MR, nv, partial, mask);
    if (m < m1) tile_dispatch(g, m, n, m1 - m, nv, partial, mask);
}

static void gemm_block_packed(const gemm *g, int m0, int m1, int n, int MR, int nv, int partial,
                              __m256i mask)
{
    float panel[PACK_K * 8 * MAX_NV];
    const int w = 8 * nv, valid = MIN(w, g->N - n);
    for (int k0 = 0; k0 < g->K; k0 += PACK_K) {
        const int kc = MIN(PACK_K, g->K - k0);
        for (int k = 0; k < kc; k++) {
            const float *src = g->Bm + (long)(k0 + k) * g->ldb + n;
            memcpy(panel + k * w, src, (size_t)valid * sizeof *panel);
            memset(panel + k * w + valid, 0, (size_t)(w - valid) * sizeof *panel);
        }
        gemm sub = *g;
        sub.A = g->A + k0 * g->csa;
        sub.Bm = panel;
        sub.ldb = w;
        sub.K = kc;
        sub.bn0 = n;
        if (k0 > 0) sub.init = INIT_ACCUM;
        tile_rows(&sub, m0, m1, n, MR, nv, partial, mask);
    }
}

/* Rows m0..m1-1, columns n0..n1-1 (n0 a multiple of 8). */
static void gemm_block(const gemm *g, int m0, int m1, int n0, int n1)
{
#ifdef MM_AVX512_DISPATCH
    if (mm_simd_level() == MM_SIMD_AVX512) {
        mm_gemm_block512(g, m0, m1, n0, n1);
        return;
    }
#endif
    /* 12 accumulators fill the 16 registers with the loaded B vectors and
     * the broadcast; a row of exactly 4 vectors (N = 25..32, as V = 27)
     * goes 2 by 4 (3 by 4 would spill) rather than 4 by 3 plus a lone 4 by 1. */
    const int nvec = (n1 - n0 + 7) / 8;
    const int NV = nvec == 4 ? 4 : 3, MR = NV == 4 ? 2 : 4;
    const int tail = (n1 - n0) % 8;
    const __m256i mask = mm_mask8(tail ? tail : 8);
    const int pack = gemm_packs(g, m1 - m0, MR);
    for (int n = n0; n < n1; n += 8 * NV) {
        const int nv = MIN(NV, (n1 - n + 7) / 8);
        const int partial = tail && n + 8 * nv > n1;
        if (pack) gemm_block_packed(g, m0, m1, n, MR, nv, partial, mask);
        else tile_rows(g, m0, m1, n, MR, nv, partial, mask);
    }
}
#elif defined(MM_WASM_SIMD)
static void gemm_block(const gemm *g, int m0, int m1, int n0, int n1)
{
    mm_gemm_block128(g, m0, m1, n0, n1);
}
#else
/* Four rows at a time, so that each row of Bm is loaded once for four of
 * C; the loops over n are left to the compiler's vectoriser. */
static void gemm_block(const gemm *g, int m0, int m1, int n0, int n1)
{
    for (int m = m0; m < m1; m++) {
        float *c = g->C + m * g->ldc;
        if (g->init == INIT_ZERO) memset(c + n0, 0, (size_t)(n1 - n0) * sizeof *c);
        else if (g->init == INIT_BIAS) memcpy(c + n0, g->bias + n0, (size_t)(n1 - n0) * sizeof *c);
    }
    int m = m0;
    for (; m + 4 <= m1; m += 4) {
        float *restrict c0 = g->C + m * g->ldc, *restrict c1 = c0 + g->ldc;
        float *restrict c2 = c1 + g->ldc, *restrict c3 = c2 + g->ldc;
        const float *a = g->A + m * g->rsa;
        for (int k = 0; k < g->K; k++) {
            const float *ak = a + k * g->csa, *restrict b = g->Bm + k * g->ldb;
            const float x0 = ak[0], x1 = ak[g->rsa], x2 = ak[2 * g->rsa], x3 = ak[3 * g->rsa];
            for (int n = n0; n < n1; n++) {
                c0[n] += x0 * b[n];
                c1[n] += x1 * b[n];
                c2[n] += x2 * b[n];
                c3[n] += x3 * b[n];
            }
        }
    }
    for (; m < m1; m++) {
        float *restrict c = g->C + m * g->ldc;
        const float *a = g->A + m * g->rsa;
        for (int k = 0; k < g->K; k++) {
            const float ak = a[k * g->csa], *restrict b = g->Bm + k * g->ldb;
            for (int n = n0; n < n1; n++) c[n] += ak * b[n];
        }
    }
}
#endif

/* Splits the output between threads by rows or by 24-column blocks,
 * whichever gives each thread whole tiles. */
static void gemm_run(const gemm *g, int nthreads)
{
    int nt = mm_kernel_threads((long)g->M * g->N * g->K, nthreads);
    if (nt == 1) {
        gemm_block(g, 0, g->M, 0, g->N);
        return;
    }
    const int by_rows = g->M >= 8 * nt || g->M >= g->N;
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        const int id = omp_get_thread_num(), n = omp_get_num_threads();
#else
        const int id = 0, n = 1;
#endif
        if (by_rows) {
            int rows = (g->M + n - 1) / n;
            rows = (rows + 3) / 4 * 4;
            int m0 = MIN(g->M, id * rows), m1 = MIN(g->M, m0 + rows);
            if (m0 < m1) gemm_block(g, m0, m1, 0, g->N);
        } else {
            int cols = (g->N + n - 1) / n;
            cols = (cols + 23) / 24 * 24;
            int n0 = MIN(g->N, id * cols), n1 = MIN(g->N, n0 + cols);
            if (n0 < n1) gemm_block(g, 0, g->M, n0, n1);
        }
    }
}

/* ---- C (M, N) = A (M, K) @ Bm (N, K)^T as dot products (gemm.h) --------- */

#ifdef MM_AVX2
static inline __attribute__((always_inline)) void
dot_tile(const gemm_nt *g, int m, int n, const int MR, const int NR)
{
    __m256 acc[3][4];
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int j = 0; j < NR; j++) acc[i][j] = _mm256_setzero_ps();
    const float *a = g->A + m * g->lda, *b = g->Bm + n * g->ldb;
    int k = 0;
    for (; k + 8 <= g->K; k += 8) {
        __m256 av[3];
        UNROLL
        for (int i = 0; i < MR; i++) {
            av[i] = _mm256_loadu_ps(a + i * g->lda + k);
            KEEP_IN_REGISTER(av[i]);
        }
        UNROLL
        for (int j = 0; j < NR; j++) {
            __m256 bj = _mm256_loadu_ps(b + j * g->ldb + k);
            KEEP_IN_REGISTER(bj);
            UNROLL
            for (int i = 0; i < MR; i++) acc[i][j] = _mm256_fmadd_ps(av[i], bj, acc[i][j]);
        }
    }
    if (k < g->K) {
        const __m256i mask = mm_mask8(g->K - k);
        UNROLL
        for (int j = 0; j < NR; j++) {
            const __m256 bj = _mm256_maskload_ps(b + j * g->ldb + k, mask);
            UNROLL
            for (int i = 0; i < MR; i++)
                acc[i][j] = _mm256_fmadd_ps(_mm256_maskload_ps(a + i * g->lda + k, mask), bj, acc[i][j]);
        }
    }
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int j = 0; j < NR; j++) g->C[(m + i) * g->ldc + n + j] = mm_hsum8(acc[i][j]);
}

static void dot_dispatch(const gemm_nt *g, int m, int n, int mr, int nr)
{
    if (mr == 3 && nr == 4) dot_tile(g, m, n, 3, 4);
    else if (mr == 3) for (int j = 0; j < nr; j++) dot_tile(g, m, n + j, 3, 1);
    else if (nr == 4) for (int i = 0; i < mr; i++) dot_tile(g, m + i, n, 1, 4);
    else for (int i = 0; i < mr; i++) for (int j = 0; j < nr; j++) dot_tile(g, m + i, n + j, 1, 1);
}

static void gemm_nt_block(const gemm_nt *g, int m0, int m1, int n0, int n1)
{
    for (int m = m0; m < m1; m += 3)
        for (int n = n0; n < n1; n += 4) dot_dispatch(g, m, n, MIN(3, m1 - m), MIN(4, n1 - n));
}
#elif defined(MM_WASM_SIMD)
static void gemm_nt_block(const gemm_nt *g, int m0, int m1, int n0, int n1)
{
    mm_gemm_nt_block128(g, m0, m1, n0, n1);
}
#else
/* Eight partial sums (k mod 8) added in mm_hsum8's tree: the AVX2 path's
 * order, and eight independent chains instead of one. */
static void gemm_nt_block(const gemm_nt *g, int m0, int m1, int n0, int n1)
{
    for (int m = m0; m < m1; m++)
        for (int n = n0; n < n1; n++) {
            const float *a = g->A + m * g->lda, *b = g->Bm + n * g->ldb;
            float s[8] = {0};
            int k = 0;
            for (; k + 8 <= g->K; k += 8)
                for (int l = 0; l < 8; l++) s[l] += a[k + l] * b[k + l];
            for (int l = 0; k + l < g->K; l++) s[l] += a[k + l] * b[k + l];
            g->C[m * g->ldc + n] = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        }
}
#endif

static void gemm_nt_run(const gemm_nt *g, int nthreads)
{
    int nt = mm_kernel_threads((long)g->M * g->N * g->K, nthreads);
    if (nt == 1) {
        gemm_nt_block(g, 0, g->M, 0, g->N);
        return;
    }
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int m = 0; m < g->M; m += 3) gemm_nt_block(g, m, MIN(g->M, m + 3), 0, g->N);
}

/* dst (cols, rows) = src (rows, cols)^T, or += if add, with row strides ldd
 * and lds. */
static void transpose(float *dst, long ldd, const float *src, long lds, int rows, int cols, int add)
{
    int r0 = 0;
#ifdef MM_AVX2
    for (; r0 + 8 <= rows; r0 += 8) {
        int c0 = 0;
        for (; c0 + 8 <= cols; c0 += 8) {
            __m256 x[8], y[8];
            for (int i = 0; i < 8; i++) x[i] = _mm256_loadu_ps(src + (r0 + i) * lds + c0);
            for (int i = 0; i < 8; i += 2) {
                y[i] = _mm256_unpacklo_ps(x[i], x[i + 1]);
                y[i + 1] = _mm256_unpackhi_ps(x[i], x[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                x[i] = _mm256_shuffle_ps(y[i], y[i + 2], 0x44);
                x[i + 1] = _mm256_shuffle_ps(y[i], y[i + 2], 0xee);
                x[i + 2] = _mm256_shuffle_ps(y[i + 1], y[i + 3], 0x44);
                x[i + 3] = _mm256_shuffle_ps(y[i + 1], y[i + 3], 0xee);
            }
            for (int i = 0; i < 8; i++) {
                float *d = dst + (c0 + i) * ldd + r0;
                /* two calls: the selector must be an immediate even when the loop is not unrolled (-O0, ASan) */
                __m256 t = i < 4 ? _mm256_permute2f128_ps(x[i % 4], x[i % 4 + 4], 0x20)
                                 : _mm256_permute2f128_ps(x[i % 4], x[i % 4 + 4], 0x31);
                _mm256_storeu_ps(d, add ? _mm256_add_ps(_mm256_loadu_ps(d), t) : t);
            }
        }
        for (; c0 < cols; c0++)
            for (int i = 0; i < 8; i++)
                dst[c0 * ldd + r0 + i] = (add ? dst[c0 * ldd + r0 + i] : 0.0f) + src[(r0 + i) * lds + c0];
    }
#elif defined(MM_WASM_SIMD)
    r0 = mm_transpose128(dst, ldd, src, lds, rows, cols, add);
#endif
    for (int r = r0; r < rows; r++)
        for (int c = 0; c < cols; c++) dst[c * ldd + r] = (add ? dst[c * ldd + r] : 0.0f) + src[r * lds + c];
}

/* din (B, K) = dout (B, J) @ W^T for a narrow J: W (K, J) is copied
 * transposed a panel of kc columns at a time, and each panel is a
 * broadcasting product with 8-wide rows. Threads take rows b0..b1-1 and
 * each packs its own panels (K*J copies against B*K*J multiply-adds). */
static void din_panels(float *din, const float *dout, const float *W, int b0, int b1, int K, int J)
{
    float panel[PANEL_FLOATS];
    const int kc = PANEL_FLOATS / J / 8 * 8; /* J < DOT_MIN_J keeps this >= 128 */
    for (int k = 0; k < K; k += kc) {
        const int w = MIN(kc, K - k);
        transpose(panel, w, W + (long)k * J, J, w, J, 0);
        gemm g = {din + k, K, dout, J, 1, panel, w, NULL, b1, w, J, INIT_ZERO, 0, 0};
        gemm_block(&g, b0, b1, 0, w);
    }
}

static void linear_backward_input(float *din, const float *dout, const float *W,
                                  int B, int K, int J, int nthreads)
{
    if (J >= DOT_MIN_J) {
        gemm_nt g = {din, K, dout, J, W, J, B, K, J};
        gemm_nt_run(&g, nthreads);
        return;
    }
    int nt = MIN(mm_kernel_threads((long)B * K * J, nthreads), (B + 7) / 8);
    if (nt <= 1) {
        din_panels(din, dout, W, 0, B, K, J);
        return;
    }
    const int rows = ((B + nt - 1) / nt + 3) / 4 * 4;
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++)
        if (t * rows < B) din_panels(din, dout, W, t * rows, MIN(B, (t + 1) * rows), K, J);
}

void mm_gemm_small(float *C, long ldc, const float *A, long rsa, long csa, const float *Bm, long ldb,
                   int M, int N, int K, int accumulate)
{
    gemm g = {C, ldc, A, rsa, csa, Bm, ldb, NULL, M, N, K, accumulate ? INIT_ACCUM : INIT_ZERO, 0, 1};
    gemm_block(&g, 0, M, 0, N);
}

void mm_linear_forward(float *out, const float *in, const float *W, const float *bias,
                       int B, int K, int J, int nthreads)
{
    gemm g = {out, J, in, K, 1, W, J, bias, B, J, K, bias ? INIT_BIAS : INIT_ZERO, 0, 0};
    gemm_run(&g, nthreads);
}

void mm_linear_forward_accum(float *out, const float *in, const float *W, int B, int K, int J, int nthreads)
{
    gemm g = {out, J, in, K, 1, W, J, NULL, B, J, K, INIT_ACCUM, 0, 0};
    gemm_run(&g, nthreads);
}

#ifdef MM_AVX2
/* NV vectors of columns j.. by 2 interleaved sums: with NV = 4, 8 FMAs in
 * flight, as many as the 2 FMA units' 4-cycle latency needs. */
static inline __attribute__((always_inline)) void
gemv_cols(float *out, const float *x, const float *W, int ldw, const float *bias, int K, int J,
          int j, const int NV)
{
    __m256 e[4], o[4];
    UNROLL
    for (int v = 0; v < NV; v++) e[v] = o[v] = _mm256_setzero_ps();
    int k = 0;
    for (; k + 2 <= K; k += 2) {
        const float *w = W + (long)k * ldw + j;
        const __m256 xe = _mm256_broadcast_ss(x + k), xo = _mm256_broadcast_ss(x + k + 1);
        UNROLL
        for (int v = 0; v < NV; v++) {
            e[v] = _mm256_fmadd_ps(xe, _mm256_loadu_ps(w + 8 * v), e[v]);
            o[v] = _mm256_fmadd_ps(xo, _mm256_loadu_ps(w + ldw + 8 * v), o[v]);
        }
    }
    UNROLL
    for (int v = 0; v < NV; v++) {
        if (k < K)
            e[v] = _mm256_fmadd_ps(_mm256_broadcast_ss(x + k), _mm256_loadu_ps(W + (long)k * ldw + j + 8 * v), e[v]);
        const __m256i mask = mm_mask8(J - j - 8 * v);
        __m256 sum = _mm256_add_ps(e[v], o[v]);
        if (bias) sum = _mm256_add_ps(sum, _mm256_maskload_ps(bias + j + 8 * v, mask));
        _mm256_maskstore_ps(out + j + 8 * v, mask, sum);
    }
}
#endif

void mm_gemv_forward(float *out, const float *x, const float *W, int ldw, const float *bias, int K,
                     int J)
{
    int j = 0;
#ifdef MM_AVX2
    for (; j + 24 < J; j += 32) gemv_cols(out, x, W, ldw, bias, K, J, j, 4);
    if (j + 16 < J) gemv_cols(out, x, W, ldw, bias, K, J, j, 3);
    else if (j + 8 < J) gemv_cols(out, x, W, ldw, bias, K, J, j, 2);
    else if (j < J) gemv_cols(out, x, W, ldw, bias, K, J, j, 1);
    return;
#endif
    for (; j < J; j++) {
        float e = 0.0f, o = 0.0f;
        int k = 0;
        for (; k + 2 <= K; k += 2) {
            e += x[k] * W[(long)k * ldw + j];
            o += x[k + 1] * W[(long)(k + 1) * ldw + j];
        }
        if (k < K) e += x[k] * W[(long)k * ldw + j];
        out[j] = (e + o) + (bias ? bias[j] : 0.0f);
    }
}

void mm_linear_tanh_forward(float *out, const float *in, const float *W, const float *bias,
                            int B, int K, int J, int nthreads)
{
    mm_linear_forward(out, in, W, bias, B, K, J, nthreads);
    mm_tanh_forward(out, (long)B * J);
}

/* dW (K, J) += in^T @ dout for a narrow J (up to 4 vectors, where rows of
 * J lanes would waste some): dW^T is computed a panel of kc rows of dW at
 * a time with 8-wide rows of in, then added in transposed. Each element
 * still sums b = 0..B-1 in order; only then is it added to dW. */
static void dw_panels(float *dW, const float *dout, const float *in, int B, int K, int J, int k0, int k1)
{
    float panel[PANEL_FLOATS];
    const int kc = PANEL_FLOATS / J / 8 * 8;
    for (int k = k0; k < k1; k += kc) {
        const int w = MIN(kc, k1 - k);
        gemm g = {panel, w, dout, 1, J, in + k, K, NULL, J, w, B, INIT_ZERO, 0, 0};
        gemm_block(&g, 0, J, 0, w);
        transpose(dW + (long)k * J, J, panel, w, J, w, 1);
    }
}

static int dw_by_panels(int K, int J)
{
    return J <= 32 && K >= 16;
}

void mm_linear_backward_weights(float *dW, const float *dout, const float *in, int B, int K, int J,
                                int k0, int k1)
{
    if (dw_by_panels(K, J)) {
        dw_panels(dW, dout, in, B, K, J, k0, k1);
        return;
    }
    gemm g = {dW, J, in, 1, K, dout, J, NULL, K, J, B, INIT_ACCUM, 0, 0};
    gemm_block(&g, k0, k1, 0, J);
}

static void linear_backward_weights(float *dW, const float *dout, const float *in,
                                    int B, int K, int J, int nthreads)
{
    if (!dw_by_panels(K, J)) {
        gemm g = {dW, J, in, 1, K, dout, J, NULL, K, J, B, INIT_ACCUM, 0, 0};
        gemm_run(&g, nthreads);
        return;
    }
    int nt = MIN(mm_kernel_threads((long)B * K * J, nthreads), K / 8);
    if (nt <= 1) {
        dw_panels(dW, dout, in, B, K, J, 0, K);
        return;
    }
    const int cols = ((K + nt - 1) / nt + 7) / 8 * 8;
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int t = 0; t < nt; t++)
        if (t * cols < K) dw_panels(dW, dout, in, B, K, J, t * cols, MIN(K, (t + 1) * cols));
}

void mm_bias_backward(float *dbias, const float *dout, int B, int J)
{
    for (int b = 0; b < B; b++) {
        const float *d = dout + (long)b * J;
        for (int j = 0; j < J; j++) dbias[j] += d[j];
    }
}

void mm_linear_backward_input_packed(float *din, float *Wt, const float *dout, const float *W, int B,
                                     int K, int J, int nthreads)
{
    transpose(Wt, K, W, J, K, J, 0);
    gemm g = {din, K, dout, J, 1, Wt, K, NULL, B, K, J, INIT_ZERO, 0, 0};
    gemm_run(&g, nthreads);
}

void mm_transpose_weights(float *Wt, const float *W, int K, int J)
{
    transpose(Wt, K, W, J, K, J, 0);
}

void mm_linear_backward_input_t(float *din, const float *Wt, const float *dout, int B, int K, int J)
{
    gemm g = {din, K, dout, J, 1, Wt, K, NULL, B, K, J, INIT_ZERO, 0, 0};
    gemm_block(&g, 0, B, 0, K);
}

void mm_bias_backward_cols(float *dbias, const float *dout, int B, int J, int j0, int j1)
{
    for (int b = 0; b < B; b++) {
        const float *d = dout + (long)b * J;
        for (int j = j0; j < j1; j++) dbias[j] += d[j];
    }
}

void mm_linear_backward_input(float *din, const float *dout, const float *W, int B, int K, int J)
{
    linear_backward_input(din, dout, W, B, K, J, 1);
}

void mm_linear_backward(float *din, float *dW, float *dbias, const float *dout,
                        const float *in, const float *W, int B, int K, int J, int nthreads)
{
    linear_backward_weights(dW, dout, in, B, K, J, nthreads);
    if (dbias) mm_bias_backward(dbias, dout, B, J);
    if (din) linear_backward_input(din, dout, W, B, K, J, nthreads);
}

void mm_tanh_forward(float *x, long n)
{
    long i = 0;
#ifdef MM_AVX2
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, mm_tanh8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i mask = mm_mask8((int)(n - i));
        _mm256_maskstore_ps(x + i, mask, mm_tanh8(_mm256_maskload_ps(x + i, mask)));
        return;
    }
#endif
#ifdef MM_WASM_SIMD
    for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, mm_tanh4(wasm_v128_load(x + i)));
#endif
    for (; i < n; i++) x[i] = mm_tanh1(x[i]);
}

void mm_exp_forward(float *x, long n)
{
    long i = 0;
#ifdef MM_AVX2
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, mm_exp8(_mm256_loadu_ps(x + i)));
    if (i < n) {
        const __m256i mask = mm_mask8((int)(n - i));
        _mm256_maskstore_ps(x + i, mask, mm_exp8(_mm256_maskload_ps(x + i, mask)));
        return;
    }
#endif
#ifdef MM_WASM_SIMD
    for (; i + 4 <= n; i += 4) wasm_v128_store(x + i, mm_exp4(wasm_v128_load(x + i)));
#endif
    for (; i < n; i++) x[i] = mm_exp1(x[i]);
}

void mm_tanh_backward(float *dx, const float *dy, const float *y, long n)
{
    long i = 0;
#ifdef MM_WASM_SIMD
    /* dx is often dy, which the compiler's overlap check sends to the scalar loop */
    for (; i + 4 <= n; i += 4) {
        const v128_t yi = wasm_v128_load(y + i);
        const v128_t g = wasm_f32x4_sub(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(yi, yi));
        wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(dy + i), g));
    }
#endif
    for (; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

/* One row's softmax: *mx = max(l), *sum = sum of exp(l - mx); e (V), if
 * non-NULL, receives those exp values and may alias l. */
static void softmax_row(float *e, const float *l, int V, float *mx, float *sum)
{
#ifdef MM_AVX2
    const int full = V / 8 * 8;
    const __m256i mask = mm_mask8(V - full);
    __m256 mx8 = _mm256_set1_ps(-INFINITY);
    for (int v = 0; v < full; v += 8) mx8 = _mm256_max_ps(mx8, _mm256_loadu_ps(l + v));
    if (full < V)
        mx8 = _mm256_max_ps(mx8, _mm256_blendv_ps(mx8, _mm256_maskload_ps(l + full, mask),
                                                  _mm256_castsi256_ps(mask)));
    *mx = mm_hmax8(mx8);
    const __m256 m8 = _mm256_set1_ps(*mx);
    __m256 s8 = _mm256_setzero_ps();
    for (int v = 0; v < full; v += 8) {
        const __m256 ev = mm_exp8(_mm256_sub_ps(_mm256_loadu_ps(l + v), m8));
        if (e) _mm256_storeu_ps(e + v, ev);
        s8 = _mm256_add_ps(s8, ev);
    }
    if (full < V) {
        __m256 ev = mm_exp8(_mm256_sub_ps(_mm256_maskload_ps(l + full, mask), m8));
        ev = _mm256_and_ps(ev, _mm256_castsi256_ps(mask));
        if (e) _mm256_maskstore_ps(e + full, mask, ev);
        s8 = _mm256_add_ps(s8, ev);
    }
    *sum = mm_hsum8(s8);
#else
    float m = l[0];
    for (int v = 1; v < V; v++) m = l[v] > m ? l[v] : m;
    float s = 0.0f;
    int v = 0;
#ifdef MM_WASM_SIMD
    /* the exps four at a time, still summed one by one in order */
    for (; v + 4 <= V; v += 4) {
        float ev[4];
        wasm_v128_store(ev, mm_exp4(wasm_f32x4_sub(wasm_v128_load(l + v), wasm_f32x4_splat(m))));
        if (e) memcpy(e + v, ev, sizeof ev);
        s = (((s + ev[0]) + ev[1]) + ev[2]) + ev[3];
    }
#endif
    for (; v < V; v++) {
        const float ev = mm_exp1(l[v] - m);
        if (e) e[v] = ev;
        s += ev;
    }
    *mx = m;
    *sum = s;
#endif
}

void mm_logsumexp_rows(float *mx, float *logsum, const float *logits, int B, int V)
{
    for (int b = 0; b < B; b++) {
        float sum;
        softmax_row(NULL, logits + (long)b * V, V, mx + b, &sum);
        logsum[b] = logf(sum);
    }
}

void mm_softmax_xent_rows(float *dlogits, double *loss, const float *logits, const int32_t *Y,
                          int B, int V, float scale)
{
    for (int b = 0; b < B; b++) {
        float mx, sum, *d = dlogits ? dlogits + (long)b * V : NULL;
        const float ly = logits[(long)b * V + Y[b]]; /* before d overwrites it */
        softmax_row(d, logits + (long)b * V, V, &mx, &sum);
        loss[b] = MM_XENT(logf(sum), ly, mx);
        if (!d) continue;
        const float s = 1.0f / sum * scale;
        for (int v = 0; v < V; v++) d[v] *= s;
        d[Y[b]] -= scale;
    }
}

double mm_softmax_xent(float *dlogits, const float *logits, const int32_t *Y, int B, int V)
{
    double total = 0.0, loss;
    const float scale = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        mm_softmax_xent_rows(dlogits ? dlogits + (long)b * V : NULL, &loss, logits + (long)b * V,
                             Y + b, 1, V, scale);
        total += loss;
    }
    return total / B;
}
