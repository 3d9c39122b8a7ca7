/* This machine's single-precision FMA peak, for the fraction of it that
 * makemore reaches.
 *
 *   build/bench/peak [threads]      prints {"threads": n, "gflops": x}
 *
 * Twelve independent chains of FMAs per thread: enough to fill both FMA
 * pipes of a Zen or Intel core through their 4-cycle latency. The loop is
 * inline assembly so no compiler can merge or drop the chains. The chains
 * are 16 wide (AVX-512) where the CPU has it, as the GEMMs then are
 * (src/nn/cpu.h), else 8 wide (AVX2): chosen at run time, like the
 * kernels; MAKEMORE_SIMD=avx2 asks for the 8-wide chains anyway. With n
 * threads, all run at once and the GFLOP/s are summed. On a machine
 * without AVX2 and FMA it prints gflops 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#define ITERS 50000000L
#define CHAINS 12

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FMA_LOOP(R, W)                                                                                \
    "vxorps %%" R "0, %%" R "0, %%" R "0\n\t"                                                         \
    "vmovaps %%" R "0, %%" R "1\n\t vmovaps %%" R "0, %%" R "2\n\t vmovaps %%" R "0, %%" R "3\n\t"    \
    "vmovaps %%" R "0, %%" R "4\n\t vmovaps %%" R "0, %%" R "5\n\t vmovaps %%" R "0, %%" R "6\n\t"    \
    "vmovaps %%" R "0, %%" R "7\n\t vmovaps %%" R "0, %%" R "8\n\t vmovaps %%" R "0, %%" R "9\n\t"    \
    "vmovaps %%" R "0, %%" R "10\n\t vmovaps %%" R "0, %%" R "11\n\t"                                 \
    "vmovaps %%" R "0, %%" R "14\n\t vmovaps %%" R "0, %%" R "15\n\t"                                 \
    "1:\n\t"                                                                                          \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "0\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "1\n\t"   \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "2\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "3\n\t"   \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "4\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "5\n\t"   \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "6\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "7\n\t"   \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "8\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "9\n\t"   \
    "vfmadd231ps %%" R "14, %%" R "15, %%" R "10\n\t vfmadd231ps %%" R "14, %%" R "15, %%" R "11\n\t" \
    "dec %0\n\t jnz 1b\n\t vzeroupper"
#define CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
                 "xmm11", "xmm14", "xmm15", "cc"

/* seconds for ITERS iterations of 12 FMAs, 8 wide */
__attribute__((target("avx2,fma"))) static double fma8_seconds(void)
{
    long n = ITERS;
    const double t0 = now();
    __asm__ volatile(FMA_LOOP("ymm", 8) : "+r"(n) : : CLOBBERS);
    return now() - t0;
}

/* the same, 16 wide */
__attribute__((target("avx512f"))) static double fma16_seconds(void)
{
    long n = ITERS;
    const double t0 = now();
    __asm__ volatile(FMA_LOOP("zmm", 16) : "+r"(n) : : CLOBBERS);
    return now() - t0;
}

/* the vector width the kernels use on this CPU: 16, 8, or 0 (no FMA) */
static int width(void)
{
    const char *env = getenv("MAKEMORE_SIMD");
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && !(env && !strcmp(env, "avx2"))) return 16;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 8 : 0;
}

static double fma_seconds(int w)
{
    return w == 16 ? fma16_seconds() : w == 8 ? fma8_seconds() : 0.0;
}
#else
static int width(void) { return 0; }
static double fma_seconds(int w) { (void)w; return 0.0; }
#endif

int main(int argc, char **argv)
{
    int nt = argc > 1 ? atoi(argv[1]) : 1;
    if (nt < 1) nt = 1;
    const int w = width();
    double best = 0;
    for (int round = 0; round < 3; round++) { /* the best of 3: others only slow a round */
        double total = 0;
#pragma omp parallel num_threads(nt) reduction(+ : total)
        {
            double t = fma_seconds(w);
            total += t > 0 ? ITERS * (double)(CHAINS * w * 2) / t / 1e9 : 0;
        }
        best = total > best ? total : best;
    }
    printf("{\"threads\": %d, \"gflops\": %.1f, \"width\": %d}\n", nt, best, w);
    return 0;
}
