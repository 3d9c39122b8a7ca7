#include "layers.h"

#include <math.h>
#include <string.h>

#include "kernels.h"

#define SUM_CHUNK 256

/* v (n) summed over the processes of a data-parallel run, through doubles
 * in chunks of a small buffer; alone (sum NULL), v stays as it is. */
static void sum_across(float *v, int n, mm_sum_fn sum, void *ctx)
{
    if (!sum) return;
    double buf[SUM_CHUNK];
    for (int i = 0; i < n; i += SUM_CHUNK) {
        const int k = n - i < SUM_CHUNK ? n - i : SUM_CHUNK;
        for (int j = 0; j < k; j++) buf[j] = v[i + j];
        sum(ctx, buf, k);
        for (int j = 0; j < k; j++) v[i + j] = (float)buf[j];
    }
}

/* The rows of the whole batch: N, or their sum over the processes. */
static int global_rows(int N, mm_sum_fn sum, void *ctx)
{
    if (!sum) return N;
    double n = N;
    sum(ctx, &n, 1);
    return (int)n;
}

/* Channel sums go row by row so the inner loop runs along contiguous
 * channels and vectorises; each channel is still summed in row order. */
static void column_means(float *mean, const float *x, int N, int C, int Nall, mm_sum_fn sum, void *ctx)
{
    memset(mean, 0, (size_t)C * sizeof *mean);
    for (int n = 0; n < N; n++) {
        const float *r = x + (long)n * C;
        for (int c = 0; c < C; c++) mean[c] += r[c];
    }
    sum_across(mean, C, sum, ctx);
    const float inv_n = 1.0f / (float)Nall;
    for (int c = 0; c < C; c++) mean[c] *= inv_n;
}

void mm_batchnorm_forward(float *y, float *xhat, float *mean, float *invstd, float *running_mean,
                          float *running_var, const float *x, const float *gain, const float *bias,
                          int N, int C, float momentum, mm_sum_fn sum, void *ctx)
{
    const int Nall = global_rows(N, sum, ctx);
    column_means(mean, x, N, C, Nall, sum, ctx);
    /* two passes: the centred sum of squares, never E[x^2] - E[x]^2, which
     * cancels badly when the mean is large against the spread */
    float *ss = invstd;
    memset(ss, 0, (size_t)C * sizeof *ss);
    for (int n = 0; n < N; n++) {
        const float *r = x + (long)n * C;
        for (int c = 0; c < C; c++) {
            const float d = r[c] - mean[c];
            ss[c] += d * d;
        }
    }
    sum_across(ss, C, sum, ctx);
    for (int c = 0; c < C; c++) {
        const float var = ss[c] / (float)Nall;
        running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
        running_var[c] = (1.0f - momentum) * running_var[c] + momentum * (ss[c] / (float)(Nall - 1));
        invstd[c] = 1.0f / sqrtf(var + MM_BN_EPS);
    }
    for (int n = 0; n < N; n++) {
        const float *r = x + (long)n * C;
        float *xh = xhat + (long)n * C, *o = y + (long)n * C;
        for (int c = 0; c < C; c++) {
            xh[c] = (r[c] - mean[c]) * invstd[c];
            o[c] = gain[c] * xh[c] + bias[c];
        }
    }
}

void mm_batchnorm_eval(float *y, const float *x, const float *gain, const float *bias,
                       const float *running_mean, const float *running_var, int N, int C,
                       float *work)
{
    float *scale = work;
    for (int c = 0; c < C; c++) scale[c] = gain[c] / sqrtf(running_var[c] + MM_BN_EPS);
    for (int n = 0; n < N; n++) {
        const float *r = x + (long)n * C;
        float *o = y + (long)n * C;
        for (int c = 0; c < C; c++) o[c] = (r[c] - running_mean[c]) * scale[c] + bias[c];
    }
}

/* With xhat = (x - mean) * invstd and y = gain * xhat + bias, the batch
 * statistics make every row depend on every other:
 *   dx = gain * invstd / N * (N dy - sum(dy) - xhat * sum(dy * xhat)). */
void mm_batchnorm_backward(float *dx, float *dgain, float *dbias, const float *dy,
                           const float *xhat, const float *invstd, const float *gain, int N, int C,
                           float *work, mm_sum_fn sum, void *ctx)
{
    float *sum_dy = work, *sum_dyx = work + C;
    memset(work, 0, 2 * (size_t)C * sizeof *work);
    for (int n = 0; n < N; n++) {
        const float *g = dy + (long)n * C, *xh = xhat + (long)n * C;
        for (int c = 0; c < C; c++) {
            sum_dy[c] += g[c];
            sum_dyx[c] += g[c] * xh[c];
        }
    }
    for (int c = 0; c < C; c++) { /* this process's share: the gradients are summed later */
        dgain[c] += sum_dyx[c];
        dbias[c] += sum_dy[c];
    }
    sum_across(work, 2 * C, sum, ctx);
    const float inv_n = 1.0f / (float)global_rows(N, sum, ctx);
    for (int n = 0; n < N; n++) {
        const float *g = dy + (long)n * C, *xh = xhat + (long)n * C;
        float *d = dx + (long)n * C;
        for (int c = 0; c < C; c++)
            d[c] = gain[c] * invstd[c] * (g[c] - inv_n * sum_dy[c] - inv_n * xh[c] * sum_dyx[c]);
    }
}

void mm_linear_forward_add(float *out, const float *in, const float *W, int B, int K, int J, int nthreads)
{
    mm_linear_forward_accum(out, in, W, B, K, J, nthreads);
}

void mm_linear_backward_input_add(float *din, const float *dout, const float *W, int B, int K, int J)
{
    for (int b = 0; b < B; b++) {
        const float *g = dout + (long)b * J;
        for (int k = 0; k < K; k++) {
            const float *w = W + (long)k * J;
            float s = 0.0f;
            for (int j = 0; j < J; j++) s += g[j] * w[j];
            din[(long)b * K + k] += s;
        }
    }
}
