/* mm_model_split_loss (model.h): the mean loss over a whole split, in
 * chunks shared between threads, summed in a fixed order so the result
 * does not depend on the thread count. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contexts.h"
#include "kernels.h"
#include "kind.h"

/* Logits rows per chunk: large enough for the kernels to run at speed,
 * small enough that activations stay in cache. A chunk of the context
 * layout is EVAL_ROWS examples; of the sequence layout, EVAL_ROWS / T. */
#define EVAL_ROWS 512
/* Floats of logits kept for the distinct contexts of a split (4 MiB: the
 * lecture's training split needs 0.6); with more distinct contexts than
 * that (long contexts, large vocabularies) every example is evaluated. */
#define EVAL_CACHE_FLOATS (1L << 20)

/* For the n examples X (n, T), in chunks of `chunk` shared between
 * threads: with Y (n, ny), chunksum and chunkcount (one per chunk) receive
 * the sum of the chunk's losses in row order and the count of its targets
 * that are not -1; without, logits (n, V) receives the logits, with each
 * row's max and log-sum-exp in mx and lse (n) (context layout only). */
typedef struct {
    const int32_t *X, *Y;
    size_t n;
    int ny, chunk;
    double *chunksum;
    size_t *chunkcount;
    float *logits, *mx, *lse;
} eval_job;

static void eval_chunk(const mm_model *m, mm_acts *a, const eval_job *j, long ci)
{
    const int T = m->cfg.block_size, V = m->cfg.vocab_size;
    const size_t r0 = (size_t)ci * j->chunk;
    const int B = (int)(j->n - r0 < (size_t)j->chunk ? j->n - r0 : (size_t)j->chunk);
    mm_model_logits(m, a, j->X + r0 * (size_t)T, B, 1);
    if (j->Y) {
        const int32_t *Y = j->Y + r0 * (size_t)j->ny;
        double sum = 0.0, loss;
        size_t count = 0;
        for (long r = 0; r < (long)B * j->ny; r++) {
            if (Y[r] < 0) continue;
            mm_softmax_xent_rows(NULL, &loss, a->logits + r * V, Y + r, 1, V, 1.0f);
            sum += loss;
            count++;
        }
        j->chunksum[ci] = sum;
        j->chunkcount[ci] = count;
    } else {
        memcpy(j->logits + r0 * (size_t)V, a->logits, (size_t)B * V * sizeof *a->logits);
        mm_logsumexp_rows(j->mx + r0, j->lse + r0, a->logits, B, V);
    }
}

static mm_status eval_chunks(const mm_model *m, const eval_job *j, int nthreads, mm_err *err)
{
    const long nchunks = (long)((j->n + (size_t)j->chunk - 1) / (size_t)j->chunk);
    int failed = 0, nt = nthreads < 1 ? 1 : nthreads;
    if (nt > nchunks) nt = (int)nchunks;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        mm_acts a;
        mm_err e;
        int ok = mm_acts_build(&a, &m->cfg, j->chunk, &e) == MM_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (long ci = 0; ci < nchunks; ci++)
            if (ok) eval_chunk(m, &a, j, ci);
        if (ok) mm_acts_free(&a);
    }
    return failed ? mm_fail(err, MM_ENOMEM, "out of memory for evaluation") : MM_OK;
}

/* Every example, chunk by chunk: memory independent of the split's size. */
static mm_status split_loss_direct(const mm_model *m, const mm_split *s, int ny, int chunk, int nthreads,
                                   double *loss, mm_err *err)
{
    const long nchunks = (long)((s->n + (size_t)chunk - 1) / (size_t)chunk);
    eval_job j = {s->X, s->Y, s->n, ny, chunk, calloc((size_t)nchunks, sizeof(double)),
                  calloc((size_t)nchunks, sizeof(size_t)), NULL, NULL, NULL};
    mm_status st = j.chunksum && j.chunkcount ? eval_chunks(m, &j, nthreads, err)
                                              : mm_fail(err, MM_ENOMEM, "out of memory for evaluation");
    double total = 0.0;
    size_t count = 0;
    for (long ci = 0; !st && ci < nchunks; ci++) { /* fixed order */
        total += j.chunksum[ci];
        count += j.chunkcount[ci];
    }
    free(j.chunksum);
    free(j.chunkcount);
    *loss = count ? total / (double)count : NAN;
    return st;
}

/* The context layout: evaluates each distinct context of the split once
 * (see contexts.h) and looks every example's loss up. Each example's loss
 * is the same float expression as in mm_softmax_xent, and the sums run in
 * the same order as split_loss_direct's, so either way, and whatever
 * nthreads is, the result is the same. */
static mm_status split_loss_contexts(const mm_model *m, const mm_split *s, int nthreads, double *loss,
                                     mm_err *err)
{
    const size_t V = (size_t)m->cfg.vocab_size;
    mm_contexts u;
    int complete;
    mm_status st = mm_contexts_build(&u, s, EVAL_CACHE_FLOATS / V, &complete, err);
    if (st) return st;
    if (!complete) {
        mm_contexts_free(&u);
        return split_loss_direct(m, s, 1, EVAL_ROWS, nthreads, loss, err);
    }
    eval_job j = {u.X, NULL, u.nuniq, 1, EVAL_ROWS, NULL, NULL, malloc(u.nuniq * V * sizeof(float)),
                  malloc(u.nuniq * sizeof(float)), malloc(u.nuniq * sizeof(float))};
    st = j.logits && j.mx && j.lse ? eval_chunks(m, &j, nthreads, err)
                                   : mm_fail(err, MM_ENOMEM, "out of memory for evaluation");
    if (!st) {
        double total = 0.0;
        size_t count = 0;
        for (size_t r0 = 0; r0 < s->n; r0 += EVAL_ROWS) {
            double sum = 0.0;
            for (size_t i = r0; i < s->n && i < r0 + EVAL_ROWS; i++) {
                if (s->Y[i] < 0) continue;
                const size_t w = (size_t)mm_contexts_find(&u, s->X + i * (size_t)s->T);
                sum += MM_XENT(j.lse[w], j.logits[w * V + (size_t)s->Y[i]], j.mx[w]);
                count++;
            }
            total += sum;
        }
        *loss = count ? total / (double)count : NAN;
    }
    free(j.logits);
    free(j.mx);
    free(j.lse);
    mm_contexts_free(&u);
    return st;
}

mm_status mm_model_split_loss(const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err)
{
    const int T = m->cfg.block_size, ny = s->ny > 1 ? s->ny : 1;
    const int want = m->kind->layout == MM_LAYOUT_SEQUENCE ? T : 1;
    if (s->T != T || ny != want)
        return mm_fail(err, MM_EINVAL, "examples of block %d with %d targets each do not fit a %s model of block %d",
                       s->T, ny, m->kind->name, T);
    if (s->n == 0) { *loss = NAN; return MM_OK; }
    if (want == 1) return split_loss_contexts(m, s, nthreads, loss, err);
    return split_loss_direct(m, s, ny, EVAL_ROWS / T > 1 ? EVAL_ROWS / T : 1, nthreads, loss, err);
}
