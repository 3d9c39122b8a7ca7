#include "rng.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define MT_M 397
#define MATRIX_A 0x9908b0dfu
#define UPPER 0x80000000u
#define LOWER 0x7fffffffu

static void mt_init_genrand(mm_rng *r, uint32_t s)
{
    r->state[0] = s;
    for (uint32_t i = 1; i < MM_MT_N; i++) {
        uint32_t prev = r->state[i - 1];
        r->state[i] = 1812433253u * (prev ^ (prev >> 30)) + i;
    }
    r->pos = MM_MT_N;
    r->has_cached_normal = 0;
    r->cached_normal = 0.0;
}

static void mt_regenerate(mm_rng *r)
{
    uint32_t *s = r->state;
    for (int i = 0; i < MM_MT_N; i++) {
        uint32_t y = (s[i] & UPPER) | (s[(i + 1) % MM_MT_N] & LOWER);
        s[i] = s[(i + MT_M) % MM_MT_N] ^ (y >> 1) ^ ((y & 1u) ? MATRIX_A : 0u);
    }
    r->pos = 0;
}

uint32_t mm_rng_u32(mm_rng *r)
{
    if (r->pos >= MM_MT_N)
        mt_regenerate(r);
    uint32_t y = r->state[r->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t mm_rng_u64(mm_rng *r)
{
    uint64_t hi = mm_rng_u32(r);
    uint64_t lo = mm_rng_u32(r);
    return (hi << 32) | lo;
}

void mm_rng_seed_torch(mm_rng *r, uint64_t seed)
{
    /* torch keeps the full 64-bit seed but the engine takes its low word */
    mt_init_genrand(r, (uint32_t)(seed & 0xffffffffu));
}

/* Python hashes an int seed into 32-bit key words, least significant first,
 * and mixes them in with the reference init_by_array. */
void mm_rng_seed_python(mm_rng *r, uint64_t seed)
{
    uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t klen = key[1] ? 2 : 1;
    mt_init_genrand(r, 19650218u);
    uint32_t *s = r->state;
    uint32_t i = 1, j = 0;
    for (uint32_t k = MM_MT_N > klen ? MM_MT_N : klen; k; k--) {
        s[i] = (s[i] ^ ((s[i - 1] ^ (s[i - 1] >> 30)) * 1664525u)) + key[j] + j;
        i++;
        j++;
        if (i >= MM_MT_N) { s[0] = s[MM_MT_N - 1]; i = 1; }
        if (j >= klen) j = 0;
    }
    for (uint32_t k = MM_MT_N - 1; k; k--) {
        s[i] = (s[i] ^ ((s[i - 1] ^ (s[i - 1] >> 30)) * 1566083941u)) - i;
        i++;
        if (i >= MM_MT_N) { s[0] = s[MM_MT_N - 1]; i = 1; }
    }
    s[0] = 0x80000000u; /* guarantees a non-zero state */
    r->pos = MM_MT_N;
}

float mm_rng_uniform(mm_rng *r)
{
    return (float)((mm_rng_u32(r) & 0xffffffu) * (1.0 / 16777216.0));
}

static double uniform_double(mm_rng *r)
{
    return (double)(mm_rng_u64(r) & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
}

/* torch's normal_distribution<double>, used for tensors under 16 elements */
static double normal_double(mm_rng *r)
{
    if (r->has_cached_normal) {
        r->has_cached_normal = 0;
        return r->cached_normal;
    }
    double u1 = uniform_double(r);
    double u2 = uniform_double(r);
    double radius = sqrt(-2.0 * log1p(-u2));
    double theta = 2.0 * M_PI * u1;
    r->cached_normal = radius * sin(theta);
    r->has_cached_normal = 1;
    return radius * cos(theta);
}

/* Box-Muller on 16 uniforms: pairs (j, j+8) give two normals. Computed in
 * float, step by step as torch's vectorised kernel does, so the results
 * differ from torch's only by its log/sin/cos approximations. */
static void normal_fill_16(float *d)
{
    for (int j = 0; j < 8; j++) {
        const float u1 = 1.0f - d[j]; /* (0, 1] so the log is finite */
        const float u2 = d[j + 8];
        const float radius = sqrtf(-2.0f * logf(u1));
        const float theta = (float)(2.0 * M_PI) * u2;
        d[j] = radius * cosf(theta);
        d[j + 8] = radius * sinf(theta);
    }
}

void mm_rng_randn_torch(mm_rng *r, float *out, size_t n)
{
    if (n < 16) {
        for (size_t i = 0; i < n; i++)
            out[i] = (float)normal_double(r);
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = mm_rng_uniform(r);
    for (size_t i = 0; i + 16 <= n; i += 16)
        normal_fill_16(out + i);
    if (n % 16) {
        /* torch redraws the last 16 uniforms and transforms them again */
        float *tail = out + n - 16;
        for (int i = 0; i < 16; i++)
            tail[i] = mm_rng_uniform(r);
        normal_fill_16(tail);
    }
}

void mm_rng_randint_torch(mm_rng *r, int32_t *out, size_t count, uint32_t n)
{
    for (size_t i = 0; i < count; i++)
        out[i] = (int32_t)(mm_rng_u32(r) % n);
}

static uint32_t getrandbits_python(mm_rng *r, int k)
{
    return mm_rng_u32(r) >> (32 - k);
}

static uint32_t randbelow_python(mm_rng *r, uint32_t n)
{
    int k = 0;
    while (k < 32 && (n >> k)) k++;
    uint32_t v = getrandbits_python(r, k);
    while (v >= n)
        v = getrandbits_python(r, k);
    return v;
}

void mm_rng_shuffle_python(mm_rng *r, uint32_t *idx, size_t count)
{
    for (size_t i = count; i-- > 1;) {
        uint32_t j = randbelow_python(r, (uint32_t)(i + 1));
        uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

double mm_rng_random_python(mm_rng *r)
{
    uint32_t a = mm_rng_u32(r) >> 5, b = mm_rng_u32(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* PyTorch's randperm_cpu (aten/src/ATen/native/TensorFactories.cpp): below
 * 2^32 / 20 items a Fisher-Yates shuffle from the front, each draw one
 * 32-bit word modulo the items left; above, since PyTorch 2.6, the
 * "inside-out" variant with 64-bit draws (older versions kept the 32-bit
 * draws there too). */
void mm_rng_randperm_torch(mm_rng *r, uint32_t *out, size_t n)
{
    if (n < 0xffffffffu / 20) {
        for (size_t i = 0; i < n; i++) out[i] = (uint32_t)i;
        for (size_t i = 0; i + 1 < n; i++) {
            const size_t z = mm_rng_u32(r) % (n - i);
            const uint32_t t = out[i];
            out[i] = out[i + z];
            out[i + z] = t;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const size_t z = (size_t)(mm_rng_u64(r) % (i + 1));
        out[i] = (uint32_t)i;
        out[i] = out[z];
        out[z] = (uint32_t)i;
    }
}
