#include "outlayer.h"

#include <math.h>
#include <string.h>

#include "kernels.h"

void mm_cols_get(float *dst, const float *src, int rows, int V, int r0, int r1)
{
    const int R = r1 - r0;
    for (long i = 0; i < rows; i++) memcpy(dst + i * R, src + i * V + r0, (size_t)R * sizeof *dst);
}

void mm_cols_add(float *dst, const float *src, int rows, int V, int r0, int r1)
{
    const int R = r1 - r0;
    for (long i = 0; i < rows; i++) {
        float *d = dst + i * V + r0;
        const float *s = src + i * R;
        for (int j = 0; j < R; j++) d[j] += s[j];
    }
}

void mm_cols_zero_outside(float *x, int rows, int V, int r0, int r1)
{
    for (long i = 0; i < rows; i++) {
        memset(x + i * V, 0, (size_t)r0 * sizeof *x);
        memset(x + i * V + r1, 0, (size_t)(V - r1) * sizeof *x);
    }
}

void mm_outlayer_rowmax(float *mx, const float *lg, int N, int R)
{
    for (long i = 0; i < N; i++) {
        const float *l = lg + i * R;
        float m = l[0];
        for (int j = 1; j < R; j++) m = l[j] > m ? l[j] : m;
        mx[i] = m;
    }
}

void mm_outlayer_expsum(float *lg, double *sum, double *ly, const float *mx, const int32_t *y, int r0,
                        int N, int R)
{
    for (long i = 0; i < N; i++) {
        float *l = lg + i * R;
        const int t = y[i] - r0;
        ly[i] = t >= 0 && t < R ? (double)(l[t] - mx[i]) : 0.0;
        for (int j = 0; j < R; j++) l[j] -= mx[i];
        mm_exp_forward(l, R);
        /* eight float partial sums, then double: as long as a row is,
         * the error stays that of a few float additions */
        float s8[8] = {0};
        int j = 0;
        for (; j + 8 <= R; j += 8)
            for (int k = 0; k < 8; k++) s8[k] += l[j + k];
        double s = 0.0;
        for (; j < R; j++) s += l[j];
        for (int k = 0; k < 8; k++) s += s8[k];
        sum[i] = s;
    }
}

double mm_outlayer_grad(float *lg, const double *sum, const double *ly, const int32_t *y, int r0, int N,
                        int R, float scale)
{
    double total = 0.0;
    for (long i = 0; i < N; i++) {
        float *l = lg + i * R;
        total += log(sum[i]) - ly[i];
        const float s = (float)(1.0 / sum[i]) * scale;
        for (int j = 0; j < R; j++) l[j] *= s;
        const int t = y[i] - r0;
        if (t >= 0 && t < R) l[t] -= scale;
    }
    return total;
}
