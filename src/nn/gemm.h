/* The register-tiled product behind the kernels (internal header, for
 * kernels.c and gemm512.c).
 *
 * C (M, N) = init + A (M, K) @ Bm (K, N), broadcasting A: A's element
 * (m, k) is at A[m*rsa + k*csa], so the same code serves in @ W (rsa = K,
 * csa = 1) and in^T @ dout (rsa = 1, csa = K). Every output element is one
 * lane summing k = 0, 1, ... K-1 in order with one fused multiply-add a
 * term, whatever tile or vector width it falls in: results do not depend
 * on the tiling, the thread split, or on 8- or 16-wide vectors. */
#ifndef MM_GEMM_H
#define MM_GEMM_H

#include "simd.h"

enum { INIT_ZERO, INIT_BIAS, INIT_ACCUM };

typedef struct {
    float *C;
    long ldc;
    const float *A;
    long rsa, csa;
    const float *Bm;
    long ldb;
    const float *bias; /* (N), INIT_BIAS */
    int M, N, K, init;
    int bn0;           /* the column of C that Bm's column 0 feeds (a packed panel's) */
    int nopack;        /* 1: never pack B (products too small for it to pay) */
} gemm;

/* Rows of B a multiple of 256 bytes apart share a few of L1's 64 sets, and
 * a tile's pass down a column block then misses on every row (H = 512 or
 * 1024 ran at half speed). Such a block is first copied into a contiguous
 * panel of at most PACK_K rows: results are unchanged, since each element
 * still sums k = 0, 1, ... in order. */
#define PACK_K 256
/* A long K (an output layer's gradient into its input, K = |V|) packs too:
 * a column block of B then outgrows L2, and each tile down the rows would
 * fetch it again from L3 or memory; a panel of PACK_K rows is fetched once
 * for all of them. */
#define PACK_LONG_K (4 * PACK_K)

static inline int gemm_packs(const gemm *g, int rows, int MR)
{
    return !g->nopack && (g->ldb % 64 == 0 || g->K > PACK_LONG_K) && g->K >= 8 && rows > MR;
}

/* C (M, N) = A (M, K) @ Bm (N, K)^T as dot products (kernels.c): rows of
 * A and Bm are contiguous along K. Lane l of an accumulator sums k = l,
 * l+8, ... in order, then mm_hsum8's tree adds the lanes, so again no
 * result depends on the tiling. */
typedef struct {
    float *C;
    long ldc;
    const float *A;
    long lda;
    const float *Bm;
    long ldb;
    int M, N, K;
} gemm_nt;

#ifdef MM_WASM_SIMD
/* Rows m0..m1-1, columns n0..n1-1 of g with 4-wide vectors (gemm128.c). */
void mm_gemm_block128(const gemm *g, int m0, int m1, int n0, int n1);
void mm_gemm_nt_block128(const gemm_nt *g, int m0, int m1, int n0, int n1);
/* kernels.c's transpose for rows 0..r-1, r the multiple of 4 it returns. */
int mm_transpose128(float *dst, long ldd, const float *src, long lds, int rows, int cols, int add);
#endif

/* x86-64 builds with AVX2 also carry 16-wide AVX-512 tiles, compiled for
 * that ISA by target attributes and run only where the CPU has it (cpu.h);
 * gcc and clang both take the attributes. */
#if defined(MM_AVX2) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MM_AVX512_DISPATCH 1
/* Rows m0..m1-1, columns n0..n1-1 of g with 16-wide vectors (gemm512.c). */
void mm_gemm_block512(const gemm *g, int m0, int m1, int n0, int n1);
#endif

#endif
