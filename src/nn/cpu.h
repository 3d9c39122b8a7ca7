/* Which vector kernels this CPU runs, chosen once at run time.
 *
 * The default x86-64 build targets AVX2 and FMA (x86-64-v3) whatever the
 * machine it is built on; kernels that can use AVX-512 (gemm512.c) are
 * compiled for it with target attributes and called only where the CPU
 * has it, so one binary is fast on both. Both paths sum every element in
 * the same order, so results do not depend on the choice. The
 * environment variable MAKEMORE_SIMD=avx2 keeps a machine with AVX-512 on
 * the AVX2 kernels (to compare them); asking for avx512 on a CPU without
 * it is ignored. make PORTABLE=1 has no vector kernels at all. */
#ifndef MM_CPU_H
#define MM_CPU_H

typedef enum { MM_SIMD_PLAIN, MM_SIMD_AVX2, MM_SIMD_AVX512 } mm_simd;

/* The kernels in use: the best the build and the CPU share, capped by
 * MAKEMORE_SIMD or mm_simd_cap. */
mm_simd mm_simd_level(void);
/* "plain", "avx2" or "avx512" */
const char *mm_simd_name(mm_simd s);
/* Caps the level (tests compare the paths); returns the level now in use. */
mm_simd mm_simd_cap(mm_simd most);

#endif
