/* This machine's single-precision FMA peak, for the fraction of it that
 * makemore reaches.
 *
 *   build/bench/peak [threads]      prints {"threads": n, "gflops": x}
 *
 * Twelve independent chains of 8-wide FMAs (AVX2) per thread: enough to
 * fill both FMA pipes of a Zen or Intel core through their 4-cycle
 * latency. The loop is inline assembly so no compiler can merge or drop
 * the chains. Built for AVX-512 (-march=native on such a CPU, where the
 * GEMMs use 16-wide vectors: src/nn/gemm512.c), the chains are 16 wide.
 * With n threads, all run at once and the GFLOP/s are summed. On a machine
 * without AVX2 and FMA it prints gflops 0. */
#include <stdio.h>
#include <stdlib.h>
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
#if defined(__x86_64__) && defined(__AVX512F__)
#define WIDTH 16
#define VREG(i) "%%zmm" #i
#else
#define WIDTH 8
#define VREG(i) "%%ymm" #i
#endif
#define FLOPS_PER_ITER (12 * WIDTH * 2)
#define FMA(i) "vfmadd231ps " VREG(14) ", " VREG(15) ", " VREG(i) "\n\t"
#define MOV(i) "vmovaps " VREG(0) ", " VREG(i) "\n\t"

/* seconds for ITERS iterations of 12 FMAs of WIDTH floats */
static double fma_seconds(void)
{
#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
    long n = ITERS;
    double t0 = now();
    __asm__ volatile(
        "vxorps " VREG(0) ", " VREG(0) ", " VREG(0) "\n\t"
        MOV(1) MOV(2) MOV(3) MOV(4) MOV(5) MOV(6) MOV(7) MOV(8) MOV(9) MOV(10) MOV(11) MOV(14) MOV(15)
        "1:\n\t"
        FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8) FMA(9) FMA(10) FMA(11)
        "dec %0\n\t jnz 1b\n\t vzeroupper"
        : "+r"(n)
        :
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
          "xmm11", "xmm14", "xmm15", "cc");
    return now() - t0;
#else
    return 0.0;
#endif
}

int main(int argc, char **argv)
{
    int nt = argc > 1 ? atoi(argv[1]) : 1;
    if (nt < 1) nt = 1;
    double best = 0;
    for (int round = 0; round < 3; round++) { /* the best of 3: others only slow a round */
        double total = 0;
#pragma omp parallel num_threads(nt) reduction(+ : total)
        {
            double t = fma_seconds();
            total += t > 0 ? ITERS * (double)FLOPS_PER_ITER / t / 1e9 : 0;
        }
        best = total > best ? total : best;
    }
    printf("{\"threads\": %d, \"gflops\": %.1f, \"width\": %d}\n", nt, best, WIDTH);
    return 0;
}
