#include "dropout.h"

#define GOLDEN 0x9E3779B97F4A7C15ull  /* 2^64 / phi, splitmix64's increment */
#define GOLDEN2 0xD1B54A32D192ED03ull /* an odd constant to spread the word index */

static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void mm_dropout_row_mask(float *mask, int width, uint64_t key, uint32_t stream, uint64_t row, float p)
{
    const uint32_t drop = (uint32_t)(p * 65536.0f + 0.5f);
    const float keep = 1.0f / (1.0f - p);
    const uint64_t base = key + (uint64_t)stream * GOLDEN + (row << 32);
    for (int w = 0; w * 4 < width; w++) {
        const uint64_t x = mix64(base + (uint64_t)w * GOLDEN2);
        for (int k = 0; k < 4 && w * 4 + k < width; k++)
            mask[w * 4 + k] = (uint32_t)((x >> (16 * k)) & 0xFFFF) >= drop ? keep : 0.0f;
    }
}

void mm_dropout_apply(float *x, const float *mask, long n)
{
    for (long i = 0; i < n; i++) x[i] *= mask[i];
}
