/* The numeric kernels of one training step, forward and backward.
 *
 * Letters: B batch rows, T context length, E embedding width, K = T*E input
 * width, H hidden width, V vocabulary size, J a layer's output width.
 * Arrays are row-major; weights are stored (in, out) as in the lecture
 * (W1 is (K, H), so h = x @ W1 + b1).
 *
 * Backward kernels accumulate into gradients (+=) except the input
 * gradients, which they overwrite. Threads split only output rows or
 * columns, never a sum, and every output element is summed in the same
 * order whatever tile or thread computes it, so results are bit-identical
 * whatever the thread count. A kernel runs on one thread below a few
 * hundred thousand multiply-adds per thread (mm_kernel_threads).
 *
 * tanh and the softmax's exp are vector approximations (src/nn/simd.h), within
 * a few ulp of libm. */
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
/* out (B, J) += in (B, K) @ W (K, J): each element goes on from its value
 * with one fused multiply-add a term, k in order, as a plain loop would */
void mm_linear_forward_accum(float *out, const float *in, const float *W, int B, int K, int J, int nthreads);
/* out (B, J) = tanh(in (B, K) @ W (K, J) + bias (J)) */
void mm_linear_tanh_forward(float *out, const float *in, const float *W, const float *bias,
                            int B, int K, int J, int nthreads);
/* out (J) = x (K) @ W (K, J) + bias (J): one row, for a caller that waits
 * on each result (the sampler). W's rows are ldw floats apart, ldw a
 * multiple of 8 that is >= J, and must be readable to ldw (pad them): the
 * loads then need no masks. Even and odd k are summed apart, to hide the
 * FMA latency a single row waits on, so the result can differ from
 * mm_linear_forward's in the last bits. */
void mm_gemv_forward(float *out, const float *x, const float *W, int ldw, const float *bias, int K,
                     int J);
/* dW (K, J) += in^T @ dout; dbias (J) += column sums of dout (if non-NULL);
 * din (B, K) = dout @ W^T (if non-NULL) */
void mm_linear_backward(float *din, float *dW, float *dbias, const float *dout,
                        const float *in, const float *W, int B, int K, int J, int nthreads);

/* The pieces of mm_linear_backward, on one thread, for a caller that splits
 * a whole pass between threads itself: batch rows are independent in the
 * forward pass and in din, and rows k0..k1-1 of dW are independent of the
 * others. Results are those of the whole kernels, bit for bit. */
/* din (B, K) = dout (B, J) @ W (K, J)^T */
void mm_linear_backward_input(float *din, const float *dout, const float *W, int B, int K, int J);
/* din (B, K) = dout (B, J) @ W (K, J)^T for a tall batch (hundreds of
 * rows): W^T is first copied into Wt (J, K), then din is a broadcasting
 * product like the forward pass, faster there than dot products or
 * panels. Its sums run in a different order from mm_linear_backward's. */
void mm_linear_backward_input_packed(float *din, float *Wt, const float *dout, const float *W, int B,
                                     int K, int J, int nthreads);
/* rows k0..k1-1 of dW (K, J) += in (B, K)^T @ dout (B, J) */
void mm_linear_backward_weights(float *dW, const float *dout, const float *in, int B, int K, int J,
                                int k0, int k1);
/* dbias (J) += column sums of dout (B, J) */
void mm_bias_backward(float *dbias, const float *dout, int B, int J);
/* The same for columns j0..j1-1 only. */
void mm_bias_backward_cols(float *dbias, const float *dout, int B, int J, int j0, int j1);
/* Wt (J, K) = W (K, J)^T, for mm_linear_backward_input_t. */
void mm_transpose_weights(float *Wt, const float *W, int K, int J);
/* din (B, K) = dout (B, J) @ Wt (J, K) on one thread: the product of
 * mm_linear_backward_input_packed with W^T already in Wt, bit for bit. */
void mm_linear_backward_input_t(float *din, const float *Wt, const float *dout, int B, int K, int J);

/* C (M, N) = A @ Bm, or += if accumulate, on one thread, for the small
 * products inside a fused kernel (attention per head): A's element (m, k)
 * is at A[m*rsa + k*csa] (so A may be read transposed), Bm (K, N) and C
 * have rows ldb and ldc floats apart. Each element sums k = 0..K-1 in
 * order, as every product here. */
void mm_gemm_small(float *C, long ldc, const float *A, long rsa, long csa, const float *Bm, long ldb,
                   int M, int N, int K, int accumulate);

/* How many of nthreads a kernel of `work` multiply-adds uses. */
int mm_kernel_threads(long work, int nthreads);

/* x (n) <- tanh(x), within 6 ulp (simd.h) */
void mm_tanh_forward(float *x, long n);
/* x (n) <- exp(x), within 1.2 ulp for x in [-87.3, 88] (simd.h) */
void mm_exp_forward(float *x, long n);
/* dx (n) <- dy * (1 - y^2), where y = tanh(x) */
void mm_tanh_backward(float *dx, const float *dy, const float *y, long n);

/* Softmax cross-entropy of logits (B, V) against targets Y (B). Returns the
 * mean loss. If dlogits is non-NULL it receives (softmax - onehot) / B;
 * it may alias logits. Rows are shifted by their max, so any finite logits
 * are safe. */
double mm_softmax_xent(float *dlogits, const float *logits, const int32_t *Y, int B, int V);
/* The same per row: loss (B) receives -log softmax(logits)[Y], dlogits (if
 * non-NULL) (softmax - onehot) * scale. */
void mm_softmax_xent_rows(float *dlogits, double *loss, const float *logits, const int32_t *Y,
                          int B, int V, float scale);
/* Per row of logits (B, V): mx (B) the max, logsum (B) log(sum(exp(l - mx))),
 * so that MM_XENT(logsum, l[y], mx) is the loss mm_softmax_xent_rows gives
 * for target y, to the bit. */
void mm_logsumexp_rows(float *mx, float *logsum, const float *logits, int B, int V);
#define MM_XENT(logsum, ly, mx) ((double)(logsum) - (double)((ly) - (mx)))

#endif
