#include "seqloss.h"

#include <string.h>

#include "kernels.h"

size_t mm_count_targets(const int32_t *Y, size_t N)
{
    size_t n = 0;
    for (size_t i = 0; i < N; i++) n += Y[i] >= 0;
    return n;
}

double mm_softmax_xent_masked(float *dlogits, const float *logits, const int32_t *Y, int N, int V,
                              double norm)
{
    const double div = norm > 0 ? norm : (double)mm_count_targets(Y, (size_t)N);
    if (div == 0) {
        if (dlogits) memset(dlogits, 0, (size_t)N * (size_t)V * sizeof *dlogits);
        return 0.0;
    }
    /* 1 / B in float, as mm_softmax_xent scales: the context kinds moved
     * onto this function without changing a bit */
    const float scale = 1.0f / (float)div;
    double total = 0.0, loss;
    for (int r = 0; r < N; r++) {
        float *d = dlogits ? dlogits + (long)r * V : NULL;
        if (Y[r] < 0) {
            if (d) memset(d, 0, (size_t)V * sizeof *d);
            continue;
        }
        mm_softmax_xent_rows(d, &loss, logits + (long)r * V, Y + r, 1, V, scale);
        total += loss;
    }
    return total / div;
}
