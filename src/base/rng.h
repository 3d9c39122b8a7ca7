/* Random numbers that replay Python's and PyTorch's streams exactly.
 *
 * Both use the 32-bit Mersenne Twister (MT19937). They differ in seeding and
 * in how raw words become numbers:
 *   - Python's random.seed(int) seeds through init_by_array, and shuffle()
 *     draws with getrandbits-and-reject;
 *   - torch.Generator().manual_seed(s) seeds through init_genrand, randn
 *     fills tensors of >= 16 elements with a 16-wide Box-Muller, and
 *     randint(0, n) takes one word modulo n.
 * Replaying them lets the C program follow the lecture's run step by step. */
#ifndef MM_RNG_H
#define MM_RNG_H

#include <stddef.h>
#include <stdint.h>

#define MM_MT_N 624

typedef struct {
    uint32_t state[MM_MT_N];
    uint32_t pos;          /* next word to hand out; MM_MT_N means regenerate */
    /* torch's normal_distribution<double> keeps its second Box-Muller value
     * for the next call; small randn tensors (< 16 elements) use it. */
    uint32_t has_cached_normal;
    double cached_normal;
} mm_rng;

/* torch.Generator().manual_seed(seed) */
void mm_rng_seed_torch(mm_rng *r, uint64_t seed);
/* Python random.seed(seed) for a non-negative integer seed */
void mm_rng_seed_python(mm_rng *r, uint64_t seed);

uint32_t mm_rng_u32(mm_rng *r);
/* torch's random64(): two words, the first in the high half */
uint64_t mm_rng_u64(mm_rng *r);
/* a float in [0, 1) with 24 random bits, as torch's uniform_real<float> */
float mm_rng_uniform(mm_rng *r);

/* torch.randn(n, generator=g) into out */
void mm_rng_randn_torch(mm_rng *r, float *out, size_t n);
/* torch.randint(0, n, (count,), generator=g) into out */
void mm_rng_randint_torch(mm_rng *r, int32_t *out, size_t count, uint32_t n);

/* torch.randperm(n, generator=g) on the CPU into out (n) */
void mm_rng_randperm_torch(mm_rng *r, uint32_t *out, size_t n);

/* Python's random.shuffle on an array of count indices */
void mm_rng_shuffle_python(mm_rng *r, uint32_t *idx, size_t count);

/* Python's random.random(): 53-bit float in [0, 1) */
double mm_rng_random_python(mm_rng *r);

#endif
