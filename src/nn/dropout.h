/* Inverted dropout with masks from a counter-based hash, not a stream:
 * whether unit j of row `row` is kept is a pure function of (key, stream,
 * row, j), so a step's masks do not depend on the thread count, on how a
 * data-parallel run slices the batch (rows are numbered globally), or on
 * the order anything is computed in, and a resumed run draws the same
 * masks as an uninterrupted one (the trainer draws the key from the run's
 * generator, which the checkpoint keeps).
 *
 * The hash: x = key + stream * G + row * 2^32 + floor(j / 4) * G2, then
 * splitmix64's finaliser; unit j reads 16 bits of x, bits 16 * (j mod 4)
 * up, as u, and is kept when u >= round(p * 65536). Kept units are scaled
 * by 1 / (1 - p), so evaluation (no dropout) needs no rescaling.
 * tests/torch_ref computes the same masks in Python. */
#ifndef MM_DROPOUT_H
#define MM_DROPOUT_H

#include <stdint.h>

/* mask (width) for one row: 0 or 1 / (1 - p). */
void mm_dropout_row_mask(float *mask, int width, uint64_t key, uint32_t stream, uint64_t row, float p);

/* x (n) *= mask (n) */
void mm_dropout_apply(float *x, const float *mask, long n);

#endif
