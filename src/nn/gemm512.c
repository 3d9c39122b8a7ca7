/* gemm.h's product with 16-wide vectors, for CPUs with AVX-512 (kernels.c
 * calls it where cpu.h finds the ISA): twice the lanes of each FMA, and 32
 * registers for bigger tiles. Every element is summed as the AVX2 tiles
 * sum it, so the results are the same to the bit. Each function here is
 * compiled for AVX-512 by its attribute, whatever the build's -march. */
#include "gemm.h"

#ifdef MM_AVX512_DISPATCH
#include <string.h>

#define T512 __attribute__((target("avx512f")))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX_MR 8
#define MAX_NV 4
#define UNROLL _Pragma("GCC unroll 8")
/* see kernels.c: keeps gcc from folding B's loads into every FMA */
#define KEEP_IN_REGISTER(x) __asm__("" : "+v"(x))

/* MR rows by NV vectors of 16 columns from (m, n); the last vector of a
 * row is masked when partial. */
static inline __attribute__((always_inline)) T512 void
tile(const gemm *g, int m, int n, const int MR, const int NV, const int partial, __mmask16 mask)
{
    __m512 acc[MAX_MR][MAX_NV];
    float *C = g->C + m * g->ldc + n;
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            const int last = partial && v == NV - 1;
            const float *src = g->init == INIT_ACCUM ? C + i * g->ldc + 16 * v : g->bias + n + 16 * v;
            if (g->init == INIT_ZERO) acc[i][v] = _mm512_setzero_ps();
            else acc[i][v] = last ? _mm512_maskz_loadu_ps(mask, src) : _mm512_loadu_ps(src);
        }
    const float *a = g->A + m * g->rsa;
    const float *b = g->Bm + (n - g->bn0);
    const long rsa = g->rsa, csa = g->csa, ldb = g->ldb;
    for (int k = 0, K = g->K; k < K; k++, a += csa, b += ldb) {
        __m512 bv[MAX_NV];
        UNROLL
        for (int v = 0; v < NV; v++) {
            bv[v] = partial && v == NV - 1 ? _mm512_maskz_loadu_ps(mask, b + 16 * v) : _mm512_loadu_ps(b + 16 * v);
            KEEP_IN_REGISTER(bv[v]);
        }
        UNROLL
        for (int i = 0; i < MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i * rsa]);
            UNROLL
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            if (partial && v == NV - 1) _mm512_mask_storeu_ps(C + i * g->ldc + 16 * v, mask, acc[i][v]);
            else _mm512_storeu_ps(C + i * g->ldc + 16 * v, acc[i][v]);
        }
}

#define TILE(mr, nv)                                                          \
    case (mr) * 8 + (nv):                                                     \
        if (partial) tile(g, m, n, mr, nv, 1, mask);                          \
        else tile(g, m, n, mr, nv, 0, mask);                                  \
        break;

/* 6 by 4 vectors: 24 accumulators, 4 of B and a broadcast in 32 registers;
 * narrower blocks take 8 rows. */
T512 static void tile_dispatch(const gemm *g, int m, int n, int mr, int nv, int partial, __mmask16 mask)
{
    switch (mr * 8 + nv) {
        TILE(1, 1) TILE(2, 1) TILE(3, 1) TILE(4, 1) TILE(5, 1) TILE(6, 1) TILE(7, 1) TILE(8, 1)
        TILE(1, 2) TILE(2, 2) TILE(3, 2) TILE(4, 2) TILE(5, 2) TILE(6, 2) TILE(7, 2) TILE(8, 2)
        TILE(1, 3) TILE(2, 3) TILE(3, 3) TILE(4, 3) TILE(5, 3) TILE(6, 3)
        TILE(1, 4) TILE(2, 4) TILE(3, 4) TILE(4, 4) TILE(5, 4) TILE(6, 4)
    default: break;
    }
}

T512 static void tile_rows(const gemm *g, int m0, int m1, int n, int MR, int nv, int partial, __mmask16 mask)
{
    int m = m0;
    for (; m + MR <= m1; m += MR) tile_dispatch(g, m, n, MR, nv, partial, mask);
    if (m < m1) tile_dispatch(g, m, n, m1 - m, nv, partial, mask);
}

T512 static void block_packed(const gemm *g, int m0, int m1, int n, int MR, int nv, int partial, __mmask16 mask)
{
    float panel[PACK_K * 16 * MAX_NV];
    const int w = 16 * nv, valid = MIN(w, g->N - n);
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

T512 void mm_gemm_block512(const gemm *g, int m0, int m1, int n0, int n1)
{
    const int nvec = (n1 - n0 + 15) / 16;
    const int NV = MIN(nvec, MAX_NV), MR = NV >= 3 ? 6 : 8;
    const int tail = (n1 - n0) % 16;
    const __mmask16 mask = (__mmask16)(tail ? (1u << tail) - 1 : 0xffffu);
    const int pack = gemm_packs(g, m1 - m0, MR);
    for (int n = n0; n < n1; n += 16 * NV) {
        const int nv = MIN(NV, (n1 - n + 15) / 16);
        const int partial = tail && n + 16 * nv > n1;
        if (pack) block_packed(g, m0, m1, n, MR, nv, partial, mask);
        else tile_rows(g, m0, m1, n, MR, nv, partial, mask);
    }
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int mm_gemm512_unused;
#endif
