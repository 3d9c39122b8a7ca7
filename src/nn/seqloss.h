/* Softmax cross-entropy over rows whose targets may be ignored (-1, as
 * makemore.py's ignore_index): the sequence kinds predict every position
 * of a padded item, and only the positions up to its stop token count.
 * Every kind's loss (kind.h); with no target ignored and norm 0 it is
 * mm_softmax_xent (kernels.h) to the bit.
 *
 * Letters: N rows (batch x positions), V vocabulary. */
#ifndef MM_SEQLOSS_H
#define MM_SEQLOSS_H

#include <stddef.h>
#include <stdint.h>

/* Targets of Y (N) that are not -1. */
size_t mm_count_targets(const int32_t *Y, size_t N);

/* Returns the sum of -log softmax(logits)[Y] over the rows with Y >= 0,
 * divided by norm (norm > 0), or by the count of such rows (norm <= 0;
 * 0 when there are none). If dlogits (N, V) is non-NULL it receives the
 * gradient of that value: (softmax - onehot) / divisor on counted rows,
 * zeros on ignored rows; it may alias logits. Rows are summed in order, so
 * the result does not depend on how a caller splits the work. */
double mm_softmax_xent_masked(float *dlogits, const float *logits, const int32_t *Y, int N, int V,
                              double norm);

#endif
