#include "pca.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITERS 2000

/* y (d) = Xc^T (Xc v), where Xc is X minus its column means mu */
static void cov_times(double *y, const float *X, const double *mu, const double *v, int n, int d)
{
    memset(y, 0, (size_t)d * sizeof *y);
    for (int i = 0; i < n; i++) {
        double a = 0;
        for (int j = 0; j < d; j++) a += ((double)X[(size_t)i * d + j] - mu[j]) * v[j];
        for (int j = 0; j < d; j++) y[j] += a * ((double)X[(size_t)i * d + j] - mu[j]);
    }
}

static double normalize(double *v, int d)
{
    double s = 0;
    for (int j = 0; j < d; j++) s += v[j] * v[j];
    s = sqrt(s);
    if (s > 0)
        for (int j = 0; j < d; j++) v[j] /= s;
    return s;
}

/* Leading eigenvector of the covariance orthogonal to prev (if non-NULL). */
static void power_iterate(double *v, double *y, const float *X, const double *mu, const double *prev,
                          int n, int d)
{
    for (int j = 0; j < d; j++) v[j] = 1.0 + 0.37 * j; /* fixed start: deterministic */
    for (int it = 0; it < MAX_ITERS; it++) {
        if (prev) {
            double dot = 0;
            for (int j = 0; j < d; j++) dot += v[j] * prev[j];
            for (int j = 0; j < d; j++) v[j] -= dot * prev[j];
        }
        if (normalize(v, d) == 0) return;
        cov_times(y, X, mu, v, n, d);
        if (prev) {
            double dot = 0;
            for (int j = 0; j < d; j++) dot += y[j] * prev[j];
            for (int j = 0; j < d; j++) y[j] -= dot * prev[j];
        }
        if (normalize(y, d) == 0) return;
        double diff = 0;
        for (int j = 0; j < d; j++) diff += fabs(y[j] - v[j]);
        memcpy(v, y, (size_t)d * sizeof *v);
        if (diff < 1e-13) return;
    }
}

static void fix_sign(double *v, int d)
{
    int big = 0;
    for (int j = 1; j < d; j++)
        if (fabs(v[j]) > fabs(v[big]) + 1e-12) big = j;
    if (v[big] < 0)
        for (int j = 0; j < d; j++) v[j] = -v[j];
}

mm_status mm_pca2(const float *X, int n, int d, double *coords, double frac[2], mm_err *err)
{
    if (n < 1 || d < 2) return mm_fail(err, MM_EINVAL, "PCA needs points of at least 2 dimensions");
    double *mu = calloc((size_t)d, sizeof *mu), *v = malloc(2 * (size_t)d * sizeof *v);
    double *y = malloc((size_t)d * sizeof *y);
    if (!mu || !v || !y) {
        free(mu); free(v); free(y);
        return mm_fail(err, MM_ENOMEM, "out of memory for PCA");
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++) mu[j] += X[(size_t)i * d + j] / (double)n;
    power_iterate(v, y, X, mu, NULL, n, d);
    power_iterate(v + d, y, X, mu, v, n, d);
    fix_sign(v, d);
    fix_sign(v + d, d);
    double total = 0, var[2] = {0, 0};
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++) {
            double a = 0;
            for (int j = 0; j < d; j++) a += ((double)X[(size_t)i * d + j] - mu[j]) * v[k * d + j];
            coords[2 * i + k] = a;
            var[k] += a * a;
        }
        for (int j = 0; j < d; j++) {
            double c = (double)X[(size_t)i * d + j] - mu[j];
            total += c * c;
        }
    }
    frac[0] = total > 0 ? var[0] / total : 0;
    frac[1] = total > 0 ? var[1] / total : 0;
    free(mu); free(v); free(y);
    return MM_OK;
}
