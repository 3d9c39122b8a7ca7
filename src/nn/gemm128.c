/* gemm.h's products with WebAssembly's 128-bit vectors (the page's build,
 * clang -msimd128). They add the same terms in the same order as the plain
 * C paths in kernels.c, one multiply and one add a term (SIMD128 has no
 * FMA, and the portable x86-64 build does not fuse either), so the page's
 * results are the portable build's to the bit: an element of a broadcasting
 * product is its init plus a*b for k = 0, 1, ... K-1; a dot product sums
 * k = l, l+8, ... in lane l of two 4-wide accumulators, then adds the lanes
 * in mm_hsum8's tree. What the vectors change is where the sums live:
 * registers across the whole k loop, instead of C's row in memory. */
#include "gemm.h"

#ifdef MM_WASM_SIMD
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/* A tile's accumulators, B vectors and broadcast must fit the host's 16
 * vector registers (x86-64's xmm; the engine spills beyond). */
#define MAX_MR 4
#define MAX_NV 3
#define UNROLL _Pragma("clang loop unroll(full)")

/* Lanes 0..n-1 (n = 1..3) from p, zeros beyond: a row's last columns,
 * without reading past them. */
static inline v128_t load_part(const float *p, int n)
{
    v128_t v = wasm_v128_load32_lane(p, wasm_f32x4_splat(0.0f), 0);
    if (n > 1) v = wasm_v128_load32_lane(p + 1, v, 1);
    if (n > 2) v = wasm_v128_load32_lane(p + 2, v, 2);
    return v;
}

static inline void store_part(float *p, v128_t v, int n)
{
    wasm_v128_store32_lane(p, v, 0);
    if (n > 1) wasm_v128_store32_lane(p + 1, v, 1);
    if (n > 2) wasm_v128_store32_lane(p + 2, v, 2);
}

/* MR rows by NV vectors of 4 columns from (m, n); the last vector holds
 * only `tail` columns when tail > 0. */
static inline __attribute__((always_inline)) void
tile(const gemm *g, int m, int n, const int MR, const int NV, const int tail)
{
    v128_t acc[MAX_MR][MAX_NV];
    float *C = g->C + m * g->ldc + n;
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            const float *src = g->init == INIT_ACCUM ? C + i * g->ldc + 4 * v : g->bias + n + 4 * v;
            if (g->init == INIT_ZERO) acc[i][v] = wasm_f32x4_splat(0.0f);
            else acc[i][v] = tail && v == NV - 1 ? load_part(src, tail) : wasm_v128_load(src);
        }
    const float *a = g->A + m * g->rsa;
    const float *b = g->Bm + (n - g->bn0);
    const long rsa = g->rsa, csa = g->csa, ldb = g->ldb;
    for (int k = 0, K = g->K; k < K; k++, a += csa, b += ldb) {
        v128_t bv[MAX_NV];
        UNROLL
        for (int v = 0; v < NV; v++)
            bv[v] = tail && v == NV - 1 ? load_part(b + 4 * v, tail) : wasm_v128_load(b + 4 * v);
        UNROLL
        for (int i = 0; i < MR; i++) {
            const v128_t ai = wasm_v128_load32_splat(a + i * rsa);
            UNROLL
            for (int v = 0; v < NV; v++) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(ai, bv[v]));
        }
    }
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int v = 0; v < NV; v++) {
            if (tail && v == NV - 1) store_part(C + i * g->ldc + 4 * v, acc[i][v], tail);
            else wasm_v128_store(C + i * g->ldc + 4 * v, acc[i][v]);
        }
}

#define TILE(mr, nv)                                                          \
    case (mr) * 8 + (nv):                                                     \
        if (tail) tile(g, m, n, mr, nv, tail);                                \
        else tile(g, m, n, mr, nv, 0);                                        \
        break;

static void tile_dispatch(const gemm *g, int m, int n, int mr, int nv, int tail)
{
    switch (mr * 8 + nv) {
        TILE(1, 1) TILE(1, 2) TILE(1, 3)
        TILE(2, 1) TILE(2, 2) TILE(2, 3)
        TILE(3, 1) TILE(3, 2) TILE(3, 3)
        TILE(4, 1) TILE(4, 2) TILE(4, 3)
    default: break;
    }
}

void mm_gemm_block128(const gemm *g, int m0, int m1, int n0, int n1)
{
    const int tail = (n1 - n0) % 4;
    for (int n = n0; n < n1; n += 4 * MAX_NV) {
        const int nv = MIN(MAX_NV, (n1 - n + 3) / 4);
        const int t = n + 4 * nv > n1 ? tail : 0;
        int m = m0;
        for (; m + MAX_MR <= m1; m += MAX_MR) tile_dispatch(g, m, n, MAX_MR, nv, t);
        if (m < m1) tile_dispatch(g, m, n, m1 - m, nv, t);
    }
}

/* MR rows of A by NR rows of Bm: lanes k mod 8 = 0..3 in lo, 4..7 in hi.
 * The last K mod 8 terms come in zero-padded, and adding 0 * 0 leaves a
 * sum unchanged (it starts at +0, so is never -0). */
static inline __attribute__((always_inline)) void
dot_tile(const gemm_nt *g, int m, int n, const int MR, const int NR)
{
    v128_t lo[2][2], hi[2][2];
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int j = 0; j < NR; j++) lo[i][j] = hi[i][j] = wasm_f32x4_splat(0.0f);
    const float *a = g->A + m * g->lda, *b = g->Bm + n * g->ldb;
    int k = 0;
    for (; k + 8 <= g->K; k += 8) {
        v128_t al[2], ah[2];
        UNROLL
        for (int i = 0; i < MR; i++) {
            al[i] = wasm_v128_load(a + i * g->lda + k);
            ah[i] = wasm_v128_load(a + i * g->lda + k + 4);
        }
        UNROLL
        for (int j = 0; j < NR; j++) {
            const v128_t bl = wasm_v128_load(b + j * g->ldb + k), bh = wasm_v128_load(b + j * g->ldb + k + 4);
            UNROLL
            for (int i = 0; i < MR; i++) {
                lo[i][j] = wasm_f32x4_add(lo[i][j], wasm_f32x4_mul(al[i], bl));
                hi[i][j] = wasm_f32x4_add(hi[i][j], wasm_f32x4_mul(ah[i], bh));
            }
        }
    }
    const int rest = g->K - k, nl = MIN(rest, 4), nh = rest - nl;
    if (rest)
        UNROLL
        for (int i = 0; i < MR; i++)
            UNROLL
            for (int j = 0; j < NR; j++) {
                const float *ai = a + i * g->lda + k, *bj = b + j * g->ldb + k;
                const v128_t al = nl == 4 ? wasm_v128_load(ai) : load_part(ai, nl);
                const v128_t bl = nl == 4 ? wasm_v128_load(bj) : load_part(bj, nl);
                lo[i][j] = wasm_f32x4_add(lo[i][j], wasm_f32x4_mul(al, bl));
                if (nh)
                    hi[i][j] = wasm_f32x4_add(hi[i][j], wasm_f32x4_mul(load_part(ai + 4, nh), load_part(bj + 4, nh)));
            }
    UNROLL
    for (int i = 0; i < MR; i++)
        UNROLL
        for (int j = 0; j < NR; j++) g->C[(m + i) * g->ldc + n + j] = mm_hsum4x2(lo[i][j], hi[i][j]);
}

void mm_gemm_nt_block128(const gemm_nt *g, int m0, int m1, int n0, int n1)
{
    for (int m = m0; m < m1; m += 2)
        for (int n = n0; n < n1; n += 2) {
            const int mr = MIN(2, m1 - m), nr = MIN(2, n1 - n);
            if (mr == 2 && nr == 2) dot_tile(g, m, n, 2, 2);
            else if (mr == 2) dot_tile(g, m, n, 2, 1);
            else if (nr == 2) dot_tile(g, m, n, 1, 2);
            else dot_tile(g, m, n, 1, 1);
        }
}

/* Columns c0..c0+3 of rows r0..r0+3 of src, transposed into dst: each
 * element is (add ? dst : 0) + src, as kernels.c's transpose makes it. */
static inline void transpose4(float *dst, long ldd, const float *src, long lds, int add)
{
    const v128_t r0 = wasm_v128_load(src), r1 = wasm_v128_load(src + lds);
    const v128_t r2 = wasm_v128_load(src + 2 * lds), r3 = wasm_v128_load(src + 3 * lds);
    const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
    const v128_t t2 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
    const v128_t c[4] = {wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5), wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7),
                         wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5), wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7)};
    for (int i = 0; i < 4; i++) {
        float *d = dst + i * ldd;
        wasm_v128_store(d, wasm_f32x4_add(add ? wasm_v128_load(d) : wasm_f32x4_splat(0.0f), c[i]));
    }
}

int mm_transpose128(float *dst, long ldd, const float *src, long lds, int rows, int cols, int add)
{
    int r0 = 0;
    for (; r0 + 4 <= rows; r0 += 4) {
        int c0 = 0;
        for (; c0 + 4 <= cols; c0 += 4)
            transpose4(dst + c0 * ldd + r0, ldd, src + r0 * lds + c0, lds, add);
        for (; c0 < cols; c0++)
            for (int i = 0; i < 4; i++)
                dst[c0 * ldd + r0 + i] = (add ? dst[c0 * ldd + r0 + i] : 0.0f) + src[(r0 + i) * lds + c0];
    }
    return r0;
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int mm_gemm128_unused;
#endif
