#include "kernels.h"

#include <math.h>
#include <string.h>

/* Below this many multiply-adds a kernel runs on one thread: waking a second
 * one costs more than it saves. */
#define PAR_MIN_WORK 200000L

void mm_embed_forward(float *emb, const float *C, const int32_t *X, int B, int T, int E)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            memcpy(emb + ((long)b * T + t) * E, C + (long)X[(long)b * T + t] * E,
                   (size_t)E * sizeof *emb);
}

void mm_embed_backward(float *dC, const float *demb, const int32_t *X, int B, int T, int E)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *d = dC + (long)X[(long)b * T + t] * E;
            const float *g = demb + ((long)b * T + t) * E;
            for (int e = 0; e < E; e++) d[e] += g[e];
        }
}

void mm_linear_forward(float *out, const float *in, const float *W, const float *bias,
                       int B, int K, int J, int nthreads)
{
    int par = nthreads > 1 && (long)B * K * J >= PAR_MIN_WORK;
#pragma omp parallel for schedule(static) num_threads(nthreads) if (par)
    for (int b = 0; b < B; b++) {
        float *o = out + (long)b * J;
        const float *x = in + (long)b * K;
        if (bias) memcpy(o, bias, (size_t)J * sizeof *o);
        else memset(o, 0, (size_t)J * sizeof *o);
        for (int k = 0; k < K; k++) {
            const float a = x[k];
            const float *w = W + (long)k * J;
            for (int j = 0; j < J; j++) o[j] += a * w[j];
        }
    }
}

static void linear_backward_weights(float *dW, float *dbias, const float *dout, const float *in,
                                    int B, int K, int J, int nthreads)
{
    int par = nthreads > 1 && (long)B * K * J >= PAR_MIN_WORK;
#pragma omp parallel for schedule(static) num_threads(nthreads) if (par)
    for (int k = 0; k < K; k++) {
        float *dw = dW + (long)k * J;
        for (int b = 0; b < B; b++) {
            const float a = in[(long)b * K + k];
            const float *g = dout + (long)b * J;
            for (int j = 0; j < J; j++) dw[j] += a * g[j];
        }
    }
    if (dbias)
        for (int b = 0; b < B; b++) {
            const float *g = dout + (long)b * J;
            for (int j = 0; j < J; j++) dbias[j] += g[j];
        }
}

static void linear_backward_input(float *din, const float *dout, const float *W,
                                  int B, int K, int J, int nthreads)
{
    int par = nthreads > 1 && (long)B * K * J >= PAR_MIN_WORK;
#pragma omp parallel for schedule(static) num_threads(nthreads) if (par)
    for (int b = 0; b < B; b++) {
        const float *g = dout + (long)b * J;
        for (int k = 0; k < K; k++) {
            const float *w = W + (long)k * J;
            float s = 0.0f;
            for (int j = 0; j < J; j++) s += g[j] * w[j];
            din[(long)b * K + k] = s;
        }
    }
}

void mm_linear_backward(float *din, float *dW, float *dbias, const float *dout,
                        const float *in, const float *W, int B, int K, int J, int nthreads)
{
    linear_backward_weights(dW, dbias, dout, in, B, K, J, nthreads);
    if (din) linear_backward_input(din, dout, W, B, K, J, nthreads);
}

void mm_tanh_forward(float *x, long n)
{
    for (long i = 0; i < n; i++) x[i] = tanhf(x[i]);
}

void mm_tanh_backward(float *dx, const float *dy, const float *y, long n)
{
    for (long i = 0; i < n; i++) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
}

double mm_softmax_xent(float *dlogits, const float *logits, const int32_t *Y, int B, int V)
{
    double total = 0.0;
    const float inv_b = 1.0f / (float)B;
    for (int b = 0; b < B; b++) {
        const float *l = logits + (long)b * V;
        float mx = l[0];
        for (int v = 1; v < V; v++) mx = l[v] > mx ? l[v] : mx;
        float sum = 0.0f;
        for (int v = 0; v < V; v++) sum += expf(l[v] - mx);
        total += (double)logf(sum) - (double)(l[Y[b]] - mx);
        if (dlogits) {
            float *d = dlogits + (long)b * V;
            const float inv_sum = 1.0f / sum;
            for (int v = 0; v < V; v++) d[v] = expf(l[v] - mx) * inv_sum * inv_b;
            d[Y[b]] -= inv_b;
        }
    }
    return total / B;
}
