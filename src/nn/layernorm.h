/* Layer normalisation over each row's E features, as torch.nn.LayerNorm
 * (biased variance, eps inside the square root), forward and backward.
 *
 * Letters: N rows (batch x positions), E features. Rows are independent,
 * and each row's sums run in a fixed order (8 partial sums, then
 * mm_hsum8's tree), so no result depends on the thread count. */
#ifndef MM_LAYERNORM_H
#define MM_LAYERNORM_H

/* torch.nn.LayerNorm's eps */
#define MM_LN_EPS 1e-5f

/* out (N, E) = (x - mean) * rstd * w + b per row; mean, rstd (N) are kept
 * for backward. out must not alias x. */
void mm_layernorm_forward(float *out, float *mean, float *rstd, const float *x, const float *w,
                          const float *b, int N, int E, int nthreads);
/* dx (N, E) += the input gradient of dout (N, E); dw, db (E) += the
 * parameter gradients, summed over rows in order (threads take whole
 * columns of them). x, mean and rstd are the forward's; dx must not alias
 * the others. */
void mm_layernorm_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
                           const float *mean, const float *rstd, const float *w, int N, int E,
                           int nthreads);
/* Its two halves on one thread, for a caller that splits a whole pass
 * itself (the transformer's): dx (N, E) += the input gradient of rows
 * 0..N-1, and columns e0..e1-1 of dw, db (E) += sums over all N rows in
 * order. Results are mm_layernorm_backward's, bit for bit. */
void mm_layernorm_backward_rows(float *dx, const float *dout, const float *x, const float *mean,
                                const float *rstd, const float *w, int N, int E);
void mm_layernorm_backward_params(float *dw, float *db, const float *dout, const float *x,
                                  const float *mean, const float *rstd, int N, int E, int e0, int e1);

#endif
