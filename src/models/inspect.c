#include "inspect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"

#define CHUNK 1024

mm_status mm_tanh_saturation(mm_model *m, const mm_split *s, long max_examples, double threshold,
                             int nthreads, mm_saturation *out, mm_err *err)
{
    memset(out, 0, sizeof *out);
    out->threshold = threshold;
    if (!m->kind->hidden)
        return mm_fail(err, MM_EINVAL, "a %s model has no tanh layer to inspect", m->kind->name);
    long n = max_examples > 0 && (size_t)max_examples < s->n ? max_examples : (long)s->n;
    const int T = s->T, ny = s->ny > 1 ? s->ny : 1;
    if (n == 0) return MM_OK;
    mm_acts a;
    mm_status st = mm_acts_build(&a, &m->cfg, CHUNK, err);
    if (st) return st;
    int rows, H;
    m->kind->hidden(&a, &rows, &H);
    long *unit_sat = calloc((size_t)H, sizeof *unit_sat);
    if (!unit_sat) {
        mm_acts_free(&a);
        return mm_fail(err, MM_ENOMEM, "out of memory");
    }
    double sat = 0, abs_sum = 0;
    long seen = 0; /* (example, row) pairs */
    for (long r0 = 0; r0 < n; r0 += CHUNK) {
        int B = (int)(n - r0 < CHUNK ? n - r0 : CHUNK);
        mm_model_forward(m, &a, s->X + (size_t)r0 * T, s->Y + (size_t)r0 * ny, B, nthreads);
        const float *h = m->kind->hidden(&a, &rows, &H);
        for (long i = 0; i < (long)B * rows * H; i++) {
            double v = fabs(h[i]);
            abs_sum += v;
            if (v > threshold) { sat++; unit_sat[i % H]++; }
        }
        seen += (long)B * rows;
    }
    long dead = 0;
    for (int j = 0; j < H; j++) dead += unit_sat[j] > 0.99 * (double)seen;
    out->examples = n;
    out->frac = sat / ((double)seen * H);
    out->mean_abs = abs_sum / ((double)seen * H);
    out->dead_units = (double)dead / H;
    free(unit_sat);
    mm_acts_free(&a);
    return MM_OK;
}
