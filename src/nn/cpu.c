#include "cpu.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"

/* What the build and this CPU can run, before any cap. */
static mm_simd cpu_best(void)
{
#if defined(MM_AVX512_DISPATCH)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return MM_SIMD_AVX512;
#endif
#if defined(MM_AVX2)
    return MM_SIMD_AVX2;
#else
    return MM_SIMD_PLAIN;
#endif
}

/* -1 until first asked; then fixed, except through mm_simd_cap */
static int level = -1;

static mm_simd env_cap(mm_simd best)
{
    const char *e = getenv("MAKEMORE_SIMD");
    if (e && !strcmp(e, "avx2") && best > MM_SIMD_AVX2) return MM_SIMD_AVX2;
    if (e && !strcmp(e, "plain")) return best > MM_SIMD_AVX2 ? MM_SIMD_AVX2 : best; /* the AVX2 build has no other */
    return best;
}

mm_simd mm_simd_level(void)
{
    int l = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (l < 0) {
        l = (int)env_cap(cpu_best());
        __atomic_store_n(&level, l, __ATOMIC_RELAXED);
    }
    return (mm_simd)l;
}

mm_simd mm_simd_cap(mm_simd most)
{
    const mm_simd best = env_cap(cpu_best());
    __atomic_store_n(&level, (int)(most < best ? most : best), __ATOMIC_RELAXED);
    return mm_simd_level();
}

const char *mm_simd_name(mm_simd s)
{
    return s == MM_SIMD_AVX512 ? "avx512" : s == MM_SIMD_AVX2 ? "avx2" : "plain";
}
