/* Kernels the deeper models and the MLP's direct connections add to
 * kernels.h: batch normalisation, and linear layers that add to their
 * output instead of overwriting it.
 *
 * Letters: N rows, C channels, B batch rows, K input width, J output width.
 * Batch norm treats every row as one sample of each channel, so the
 * WaveNet's 3-D activations (B, T', H) normalise over B*T' rows, as torch
 * does for dims (0, 1) once the lecture's BatchNorm1d was fixed for 3-D
 * input. Arrays are row-major; backward kernels accumulate into parameter
 * gradients (+=). */
#ifndef MM_LAYERS_H
#define MM_LAYERS_H

/* torch.nn.BatchNorm1d's eps */
#define MM_BN_EPS 1e-5f

/* Sums n doubles across the processes of a data-parallel run, in place
 * (model.h's mm_reducer). Batch norm takes one, with its ctx, so that its
 * statistics are those of the whole batch when the rows are spread over
 * processes; NULL alone. */
typedef void (*mm_sum_fn)(void *ctx, double *x, int n);

/* Training mode. xhat (N, C) = (x - mean) / sqrt(var + eps) with the batch
 * mean and the biased batch variance (what torch normalises with);
 * y (N, C) = gain * xhat + bias. mean and invstd (C) are kept for backward.
 * The running statistics move toward the batch mean and the unbiased
 * variance, as torch's do: r = (1 - momentum) r + momentum batch. xhat may
 * alias x; N >= 2 (with sum: N >= 0 here, and >= 2 over all processes). */
void mm_batchnorm_forward(float *y, float *xhat, float *mean, float *invstd, float *running_mean,
                          float *running_var, const float *x, const float *gain, const float *bias,
                          int N, int C, float momentum, mm_sum_fn sum, void *ctx);
/* Evaluation mode: y (N, C) from the running statistics; y may alias x;
 * work holds C floats. */
void mm_batchnorm_eval(float *y, const float *x, const float *gain, const float *bias,
                       const float *running_mean, const float *running_var, int N, int C,
                       float *work);
/* dx (N, C) from dy (N, C) through training-mode batch norm, which couples
 * the rows through the batch statistics; dgain, dbias (C) +=. dx may alias
 * dy; work holds 2 C floats. With sum, dgain and dbias get this process's
 * rows' share only (the gradients are summed afterwards). */
void mm_batchnorm_backward(float *dx, float *dgain, float *dbias, const float *dy,
                           const float *xhat, const float *invstd, const float *gain, int N, int C,
                           float *work, mm_sum_fn sum, void *ctx);

/* out (B, J) += in (B, K) @ W (K, J) */
void mm_linear_forward_add(float *out, const float *in, const float *W, int B, int K, int J, int nthreads);
/* din (B, K) += dout (B, J) @ W^T */
void mm_linear_backward_input_add(float *din, const float *dout, const float *W, int B, int K, int J);

#endif
