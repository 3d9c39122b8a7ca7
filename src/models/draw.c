#include "draw.h"

#include <math.h>

#include "kernels.h"

int mm_probs_softmax(float *p, int V, float inv_temp)
{
    /* a NaN would make the max and every comparison below meaningless, and
     * +inf - +inf is NaN: refuse both before any arithmetic */
    for (int v = 0; v < V; v++)
        if (!isfinite(p[v])) return -1;
    float mx = p[0];
    for (int v = 1; v < V; v++) mx = p[v] > mx ? p[v] : mx;
    /* p - mx can still overflow to -inf for logits of opposite sign near
     * FLT_MAX; exp takes that to (nearly) 0, and the max keeps exp(0) = 1,
     * so the sum below is at least 1 */
    for (int v = 0; v < V; v++) p[v] = (p[v] - mx) * inv_temp;
    mm_exp_forward(p, V);
    float sum = 0.0f;
    for (int v = 0; v < V; v++) sum += p[v];
    const float inv = 1.0f / sum;
    for (int v = 0; v < V; v++) p[v] *= inv;
    return 0;
}

void mm_probs_top_k(float *p, int *order, int V, int k)
{
    for (int i = 0; i < k; i++) {
        int best = -1;
        for (int v = 0; v < V; v++)
            if (p[v] >= 0 && (best < 0 || p[v] > p[best])) best = v;
        if (best < 0) break; /* fewer than k left: cannot happen for k <= V */
        order[i] = best;
        p[best] = -1.0f - p[best]; /* mark as taken, recoverable */
    }
    for (int v = 0; v < V; v++) p[v] = p[v] < 0 ? -1.0f - p[v] : 0.0f;
}

int mm_probs_draw(const float *p, int V, mm_rng *rng)
{
    float total = 0.0f;
    for (int v = 0; v < V; v++) total += p[v];
    float u = mm_rng_uniform(rng) * total, acc = 0.0f;
    int last = 0;
    for (int v = 0; v < V; v++) {
        if (!(p[v] > 0)) continue;
        acc += p[v];
        last = v;
        if (u < acc) return v;
    }
    return last; /* rounding left u at the very top */
}
