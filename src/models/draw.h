/* From a model's logits to one drawn id: softmax with temperature, top-k,
 * the draw. Kept apart from the sampler so that every sampling path (the
 * MLP's table, a kind's own generator) goes through the same guarded steps:
 * a model with finite but huge weights can produce infinite or NaN logits,
 * and those must end in an error, never in a write outside an array. */
#ifndef MM_DRAW_H
#define MM_DRAW_H

#include "rng.h"

/* p (V): logits in, probabilities out, softmax(logits * inv_temp).
 * Returns 0, or -1 when a logit is NaN or infinite (p is then garbage). */
int mm_probs_softmax(float *p, int V, float inv_temp);
/* p (V) probabilities: zeroes all but the k largest (ties keep the lower
 * id); order (k) receives their ids, largest first. 1 <= k <= V. */
void mm_probs_top_k(float *p, int *order, int V, int k);
/* An id in 0..V-1 drawn with probability proportional to p (V), which
 * holds non-negative numbers with a positive sum. */
int mm_probs_draw(const float *p, int V, mm_rng *rng);

#endif
