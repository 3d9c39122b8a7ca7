/* The output layer of a model whose last layer maps hidden rows to the
 * vocabulary, computed over a contiguous range of the vocabulary's rows
 * [r0, r1): what one process owns when the output layer is split across
 * processes (Bengio et al. 2003, section 3; docs/SCALING.md).
 *
 *   logits (N, R) = h (N, H) @ W[:, r0:r1] + b[r0:r1]  (+ x (N, K) @ Wd[:, r0:r1])
 *
 * The softmax over the whole vocabulary needs two numbers per row from
 * every range: the largest logit and the sum of exponentials below it.
 * A caller combines them across ranges (a max, then a sum) between the
 * three softmax steps below; with one range covering [0, V) nothing needs
 * combining. The loss gradient is written over the logits, so no second
 * (N, R) buffer is ever made.
 *
 * Letters: N rows, H hidden width, K direct-connection inputs, V
 * vocabulary, R = r1 - r0 the columns of this range. */
#ifndef MM_OUTLAYER_H
#define MM_OUTLAYER_H

#include <stdint.h>

/* The weights of one output layer, full size: W (H, V), b (V) or NULL,
 * Wd (K, V) or NULL; stored (in, out) as every weight here. */
typedef struct {
    const float *W, *b, *Wd;
    int H, K, V;
} mm_outlayer;

/* dst (rows, r1 - r0) <- columns r0..r1-1 of src (rows, V): the kernels
 * take weights with contiguous rows. */
void mm_cols_get(float *dst, const float *src, int rows, int V, int r0, int r1);
/* columns r0..r1-1 of dst (rows, V) += src (rows, r1 - r0) */
void mm_cols_add(float *dst, const float *src, int rows, int V, int r0, int r1);
/* columns outside r0..r1-1 of x (rows, V) <- 0 */
void mm_cols_zero_outside(float *x, int rows, int V, int r0, int r1);

/* Softmax step 1: mx (N) <- each row's largest logit of lg (N, R). */
void mm_outlayer_rowmax(float *mx, const float *lg, int N, int R);
/* Step 2, given mx the largest over every range: lg <- exp(lg - mx) in
 * place; sum (N) <- their sums; ly (N) <- lg[y] - mx for a target y in
 * [r0, r0 + R), else 0 (exactly one range holds each target). */
void mm_outlayer_expsum(float *lg, double *sum, double *ly, const float *mx, const int32_t *y, int r0,
                        int N, int R);
/* Step 3, given sum over every range: lg (N, R) <- the loss gradient
 * (softmax - onehot) * scale; returns the sum of the rows' losses
 * log(sum) - ly, rows in order. */
double mm_outlayer_grad(float *lg, const double *sum, const double *ly, const int32_t *y, int r0, int N,
                        int R, float scale);

#endif
