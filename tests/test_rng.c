/* The generators against values printed by CPython 3.11 and required of
 * std::mt19937 by the C++ standard; torch's streams are checked against
 * torch itself in parity_torch.py. */
#include <math.h>
#include <string.h>

#include "rng.h"
#include "check.h"

int main(void)
{
    PLAN(7);
    mm_rng r;
    mm_rng_seed_torch(&r, 5489);
    uint32_t x = 0;
    for (int i = 0; i < 10000; i++) x = mm_rng_u32(&r);
    CHECK(x == 4123659995u, "mt19937(5489): 10000th word is 4123659995 (got %u)", x);

    mm_rng_seed_python(&r, 42);
    double d = mm_rng_random_python(&r);
    CHECK(d == 0.6394267984578837, "random.seed(42); random.random() == 0.6394267984578837 (got %.17g)", d);

    mm_rng_seed_python(&r, 42);
    uint32_t idx[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const uint32_t want[10] = {7, 3, 2, 8, 5, 6, 9, 4, 0, 1};
    mm_rng_shuffle_python(&r, idx, 10);
    CHECK(!memcmp(idx, want, sizeof want), "random.seed(42); shuffle(range(10)) == [7,3,2,8,5,6,9,4,0,1]");

    mm_rng_seed_python(&r, (1ull << 40) + 5);
    x = mm_rng_u32(&r);
    CHECK(x == 2166296868u, "random.seed(2**40+5); getrandbits(32) == 2166296868 (got %u)", x);

    mm_rng_seed_torch(&r, 1);
    float u[1000];
    int in_range = 1;
    for (int i = 0; i < 1000; i++) {
        u[i] = mm_rng_uniform(&r);
        in_range &= u[i] >= 0.0f && u[i] < 1.0f;
    }
    CHECK(in_range, "uniform floats lie in [0, 1)");

    float n[4099];
    mm_rng_seed_torch(&r, 7);
    mm_rng_randn_torch(&r, n, 4099);
    double mean = 0, var = 0;
    for (int i = 0; i < 4099; i++) mean += n[i];
    mean /= 4099;
    for (int i = 0; i < 4099; i++) var += (n[i] - mean) * (n[i] - mean);
    var /= 4098;
    CHECK(fabs(mean) < 0.06 && fabs(var - 1) < 0.08, "randn(4099): mean %.3f, variance %.3f near 0, 1", mean, var);

    int32_t ix[1000];
    mm_rng_randint_torch(&r, ix, 1000, 7);
    int ok = 1;
    for (int i = 0; i < 1000; i++) ok &= ix[i] >= 0 && ix[i] < 7;
    CHECK(ok, "randint(0, 7) stays in range");
    return CHECK_DONE();
}
