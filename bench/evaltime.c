/* Times makemore's whole-split evaluation and its sampler in-process, on a
 * trained checkpoint, so that neither includes starting the program and
 * reading names.txt (the peer's timings, bench/peer.py, do not either).
 *
 *   build/bench/evaltime DIR NAMES_TXT [threads]
 *
 * Prints one JSON object:
 *   eval_s          mm_model_split_loss on the training split (best of 7),
 *                   which evaluates each distinct context once
 *   eval_rows_s     the same loss from forward passes over every example in
 *                   chunks of 512: the kernels' own speed, for comparison
 *   sample_chars_s  characters per second from mm_sample_item on one
 *                   thread, the stop token counted as a character (it is a
 *                   newline in the output), over about one second
 *   sample_fresh_chars_s  the same computing every distribution anew
 *                   instead of keeping one per context (sample.h)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "checkpoint.h"
#include "sample.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(const char *what, const mm_err *err)
{
    fprintf(stderr, "evaltime: %s: %s\n", what, err->msg);
    return 1;
}

/* the split's loss from plain forward passes, chunk by chunk */
static double rows_loss(mm_model *m, mm_acts *a, const mm_split *s, int nthreads)
{
    double total = 0;
    for (size_t r0 = 0; r0 < s->n; r0 += 512) {
        int n = (int)(s->n - r0 < 512 ? s->n - r0 : 512);
        total += n * mm_model_forward(m, a, s->X + r0 * (size_t)s->T, s->Y + r0, n, nthreads);
    }
    return total / (double)s->n;
}

static double sample_rate(const mm_model *m, uint64_t seed, int fresh)
{
    mm_sampler sm;
    mm_sample_opts o = {1.0, 0, 256};
    mm_err err;
    int ids[256];
    if (mm_sampler_build(&sm, m, &o, &err)) return 0;
    sm.fresh = fresh;
    mm_rng g;
    mm_rng_seed_torch(&g, seed);
    long chars = 0;
    double t0 = now(), t = 0;
    while ((t = now() - t0) < 1.0)
        for (int i = 0; i < 1000; i++) chars += mm_sample_item(&sm, &g, ids) + 1;
    mm_sampler_free(&sm);
    return (double)chars / t;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: evaltime DIR NAMES_TXT [threads]\n");
        return 2;
    }
    int nthreads = argc > 3 ? atoi(argv[3]) : 1;
    char path[MM_MAX_PATH];
    snprintf(path, sizeof path, "%s/model.bin", argv[1]);
    mm_run r;
    mm_words w;
    mm_dataset d;
    mm_acts a;
    mm_err err;
    if (mm_checkpoint_load(&r, path, &err)) return fail(path, &err);
    if (mm_words_read(&w, argv[2], &err) ||
        mm_dataset_build(&d, &w, &r.vocab, &(mm_data_opts){.T = r.model.cfg.block_size, .split_kind = r.split_kind, .split_seed = r.split_seed}, argv[2], &err))
        return fail(argv[2], &err);
    if (mm_acts_build(&a, &r.model.cfg, 512, &err)) return fail("activations", &err);
    const mm_split *s = &d.split[MM_TRAIN];
    double loss = 0, best = 1e30, best_rows = 1e30, rows = 0;
    for (int i = 0; i < 7; i++) {
        double t0 = now();
        if (mm_model_split_loss(&r.model, s, nthreads, &loss, &err)) return fail("eval", &err);
        double t1 = now();
        rows = rows_loss(&r.model, &a, s, nthreads);
        double t2 = now();
        best = t1 - t0 < best ? t1 - t0 : best;
        best_rows = t2 - t1 < best_rows ? t2 - t1 : best_rows;
    }
    printf("{\"ntrain\": %zu, \"train_loss\": %.6f, \"train_loss_rows\": %.6f, \"eval_s\": %.6f, "
           "\"eval_rows_s\": %.6f, \"sample_chars_s\": %.0f, \"sample_fresh_chars_s\": %.0f, "
           "\"threads\": %d}\n",
           s->n, loss, rows, best, best_rows, sample_rate(&r.model, r.seed + 10, 0),
           sample_rate(&r.model, r.seed + 10, 1), nthreads);
    mm_acts_free(&a);
    mm_dataset_free(&d);
    mm_words_free(&w);
    mm_run_free(&r);
    return 0;
}
