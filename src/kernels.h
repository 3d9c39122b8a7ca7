/* The numeric kernels of one training step, forward and backward.
 *
 * Letters: B batch rows, T context length, E embedding width, K = T*E input
 * width, H hidden width, V vocabulary size, J a layer's output width.
 * Arrays are row-major; weights are stored (in, out) as in the lecture
 * (W1 is (K, H), so h = x @ W1 + b1).
 *
 * Backward kernels accumulate into gradients (+=) except the input
 * gradients, which they overwrite. Threads split only output rows or
 * columns, never a sum, so every result is the same whatever the thread
 * count. */
#ifndef MM_KERNELS_H
#define MM_KERNELS_H

#include <stdint.h>

/* emb (B, T*E) <- rows of C (V, E) picked by X (B, T) */
void mm_embed_forward(float *emb, const float *C, const int32_t *X, int B, int T, int E);
/* dC (V, E) += demb (B, T*E) scattered by X (B, T) */
void mm_embed_backward(float *dC, const float *demb, const int32_t *X, int B, int T, int E);

/* out (B, J) = in (B, K) @ W (K, J) + bias (J); bias may be NULL */
void mm_linear_forward(float *out, const float *in, const float *W, const float *bias,
                       int B, int K, int J, int nthreads);
/* dW (K, J) += in^T @ dout; dbias (J) += column sums of dout (if non-NULL);
 * din (B, K) = dout @ W^T (if non-NULL) */
void mm_linear_backward(float *din, float *dW, float *dbias, const float *dout,
                        const float *in, const float *W, int B, int K, int J, int nthreads);

/* x (n) <- tanh(x) */
void mm_tanh_forward(float *x, long n);
/* dx (n) <- dy * (1 - y^2), where y = tanh(x) */
void mm_tanh_backward(float *dx, const float *dy, const float *y, long n);

/* Softmax cross-entropy of logits (B, V) against targets Y (B). Returns the
 * mean loss. If dlogits is non-NULL it receives (softmax - onehot) / B;
 * it may alias logits. Rows are shifted by their max, so any finite logits
 * are safe. */
double mm_softmax_xent(float *dlogits, const float *logits, const int32_t *Y, int B, int V);

#endif
