#include "neighbors.h"

#include <math.h>

#include "kind.h"

static double dot_rows(const float *a, const float *b, int E)
{
    double s = 0;
    for (int e = 0; e < E; e++) s += (double)a[e] * b[e];
    return s;
}

/* 1 if a ranks before b */
static int before(const mm_neighbor *a, const mm_neighbor *b)
{
    return a->cos > b->cos || (a->cos == b->cos && a->id < b->id);
}

mm_status mm_neighbors(const mm_model *m, int id, int k, mm_neighbor *out, int *n, mm_err *err)
{
    *n = 0;
    if (m->embedding < 0 || m->tensors[m->embedding].ndim != 2)
        return mm_fail(err, MM_EINVAL, "a %s model has no embedding to compare tokens by", m->kind->name);
    const int V = m->cfg.vocab_size, E = m->tensors[m->embedding].shape[1];
    if (id < 0 || id >= V) return mm_fail(err, MM_EINVAL, "token id %d is outside 0..%d", id, V - 1);
    if (k < 1) return mm_fail(err, MM_EINVAL, "-k must be at least 1");
    const float *C = mm_model_param(m, m->embedding), *q = C + (size_t)id * E;
    const double qn = sqrt(dot_rows(q, q, E));
    for (int v = 0; v < V; v++) {
        if (v == id) continue;
        const float *r = C + (size_t)v * E;
        const double rn = sqrt(dot_rows(r, r, E));
        mm_neighbor c = {v, qn > 0 && rn > 0 ? dot_rows(q, r, E) / (qn * rn) : 0.0};
        if (*n == k && !before(&c, &out[k - 1])) continue;
        int i = *n < k ? (*n)++ : k - 1; /* insertion into the sorted top k */
        while (i > 0 && before(&c, &out[i - 1])) {
            out[i] = out[i - 1];
            i--;
        }
        out[i] = c;
    }
    return MM_OK;
}
