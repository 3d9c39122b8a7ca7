#include "inspect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 1024

mm_status mm_tanh_saturation(mm_model *m, const mm_split *s, long max_examples, double threshold,
                             int nthreads, mm_saturation *out, mm_err *err)
{
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    long n = max_examples > 0 && (size_t)max_examples < s->n ? max_examples : (long)s->n;
    const int H = m->cfg.n_hidden, T = s->T;
    if (n == 0) return MM_OK;
    mm_acts a;
    mm_status st = mm_acts_build(&a, &m->cfg, CHUNK, err);
    if (st) return st;
    long *unit_sat = calloc((size_t)H, sizeof *unit_sat);
    if (!unit_sat) {
        mm_acts_free(&a);
        return mm_fail(err, MM_ENOMEM, "out of memory");
    }
    double sat = 0, abs_sum = 0;
    for (long r0 = 0; r0 < n; r0 += CHUNK) {
        int B = (int)(n - r0 < CHUNK ? n - r0 : CHUNK);
        mm_model_forward(m, &a, s->X + (size_t)r0 * T, s->Y + r0, B, nthreads);
        for (long i = 0; i < (long)B * H; i++) {
            double h = fabs(a.h[i]);
            abs_sum += h;
            if (h > threshold) { sat++; unit_sat[i % H]++; }
        }
    }
    long dead = 0;
    for (int j = 0; j < H; j++) dead += unit_sat[j] > 0.99 * (double)n;
    out->examples = n;
    out->frac = sat / ((double)n * H);
    out->mean_abs = abs_sum / ((double)n * H);
    out->dead_units = (double)dead / H;
    free(unit_sat);
    mm_acts_free(&a);
    return MM_OK;
}
