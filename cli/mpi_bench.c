#include "mpi_bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cli.h"
#include "kind.h"
#include "train.h"

/* Random examples: the step's cost does not depend on the ids. */
#define NEXAMPLES 4096

typedef struct {
    int V, T, E, H, B, direct, threads;
    long steps, warmup;
    const char *model;
} bench_flags;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int parse(bench_flags *f, int argc, char **argv)
{
    *f = (bench_flags){.V = 17964, .T = 4, .E = 60, .H = 50, .B = 256, .threads = 1, .steps = 20,
                       .warmup = 3, .model = "mlp"};
    arg_spec specs[] = {
        {"--vocab", NULL, ARG_INT, &f->V, 2, 1 << 22, "vocabulary size (default 17964)", 0},
        {"--block-size", NULL, ARG_INT, &f->T, 1, 1024, "context (default 4)", 0},
        {"--n-embd", NULL, ARG_INT, &f->E, 1, 65536, "features per token (default 60)", 0},
        {"--n-hidden", NULL, ARG_INT, &f->H, 1, 65536, "hidden units (default 50)", 0},
        {"--direct", NULL, ARG_FLAG, &f->direct, 0, 0, "direct connections", 0},
        {"--batch-size", "-b", ARG_INT, &f->B, 1, 1 << 20, "batch (default 256)", 0},
        {"--steps", NULL, ARG_LONG, &f->steps, 1, 1e9, "timed steps (default 20)", 0},
        {"--warmup", NULL, ARG_LONG, &f->warmup, 0, 1e9, "untimed steps first (default 3)", 0},
        {"--threads", "-t", ARG_INT, &f->threads, 1, 1024, "threads per process (default 1)", 0},
        {"--model", NULL, ARG_STRING, &f->model, 0, 0, "kind (default mlp)", 0},
    };
    const int n = sizeof specs / sizeof *specs;
    char msg[512];
    int rc = args_parse(specs, n, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("bench: %s", msg);
    if (rc > 0) {
        args_usage("usage: mpirun -np N makemore-mpi bench [--parallel data|output] [options]\n\n"
                   "Times training steps at the given shape on random examples and prints\n"
                   "one JSON line: time per step, time and bytes in the all-reduces.", specs, n);
        return -1;
    }
    return 0;
}

static mm_status setup(mm_model *m, mm_split *s, const bench_flags *f, mm_err *err)
{
    mm_config c = {.vocab_size = f->V, .block_size = f->T, .n_embd = f->E, .n_hidden = f->H,
                   .kind = mm_kind_find(f->model), .direct = f->direct};
    if (c.kind < 0) return mm_fail(err, MM_EINVAL, "--model %s: no such kind", f->model);
    const int seq = mm_kind_at(c.kind)->layout == MM_LAYOUT_SEQUENCE, ny = seq ? f->T : 1;
    mm_status st = mm_model_build(m, &c, err);
    if (st) return st;
    mm_rng r;
    mm_rng_seed_torch(&r, 1);
    mm_model_init(m, MM_INIT_SCALED, &r);
    *s = (mm_split){.n = NEXAMPLES, .T = f->T, .ny = ny, .ntargets = (size_t)NEXAMPLES * ny};
    s->X = malloc(sizeof(int32_t) * NEXAMPLES * f->T);
    s->Y = malloc(sizeof(int32_t) * NEXAMPLES * ny);
    if (!s->X || !s->Y) return mm_fail(err, MM_ENOMEM, "out of memory for the examples");
    for (long i = 0; i < (long)NEXAMPLES * f->T; i++) s->X[i] = (int32_t)(mm_rng_u32(&r) % (uint32_t)f->V);
    for (long i = 0; i < (long)NEXAMPLES * ny; i++) s->Y[i] = (int32_t)(mm_rng_u32(&r) % (uint32_t)f->V);
    return MM_OK;
}

/* Trains to step `to`; adds the time and the collectives' cost. */
static mm_status run_to(mm_model *m, mm_train_config *tc, mm_train_state *ts, const mm_split *s,
                        const bench_flags *f, const cli_dist *d, long to, mm_err *err)
{
    tc->max_steps = to;
    return mm_train_run_dist(m, tc, ts, s, f->threads, &d->train, NULL, NULL, err);
}

int mpi_bench(int argc, char **argv, const cli_dist *d, const mpi_stats *stats)
{
    bench_flags f;
    int rc = parse(&f, argc, argv);
    if (rc) return rc < 0 ? 0 : rc;
    mm_model m = {0};
    mm_split s = {0};
    mm_err err;
    mm_train_config tc = {.batch_size = f.B, .sched = {.kind = MM_SCHED_STEP, .lr = 0.01, .decay = 1.0},
                          .optim = {.kind = MM_OPT_SGD}};
    mm_train_state ts = {0};
    mm_status st = setup(&m, &s, &f, &err);
    if (!st) st = run_to(&m, &tc, &ts, &s, &f, d, f.warmup, &err);
    const mpi_stats before = *stats;
    const double t0 = now_seconds();
    if (!st) st = run_to(&m, &tc, &ts, &s, &f, d, f.warmup + f.steps, &err);
    const double t1 = now_seconds();
    mpi_stats after = *stats;
    /* the run ended with a gather of the output layer (train.h), which a
     * step does not do: timed once more alone and taken off */
    const double t2 = now_seconds();
    if (!st) mm_train_gather(&d->train, &m, &ts);
    const double gather = now_seconds() - t2;
    const double secs = t1 - t0 - gather;
    after.calls -= stats->calls - after.calls;
    after.bytes -= stats->bytes - after.bytes;
    after.seconds -= stats->seconds - after.seconds;
    if (st) rc = cli_error("%s", err.msg);
    else if (cli_dist_leader(d))
        printf("{\"parallel\": \"%s\", \"nranks\": %d, \"model\": \"%s\", \"vocab\": %d, \"params\": %zu, "
               "\"batch\": %d, \"steps\": %ld, \"us_per_step\": %.1f, \"comm_us_per_step\": %.1f, "
               "\"allreduce_bytes_per_step\": %.0f, \"allreduces_per_step\": %.1f}\n",
               d->train.output ? "output" : "data", d->train.nranks, f.model, f.V, m.nparams, f.B, f.steps,
               1e6 * secs / f.steps, 1e6 * (after.seconds - before.seconds) / f.steps,
               (after.bytes - before.bytes) / f.steps, (double)(after.calls - before.calls) / f.steps);
    mm_optim_state_free(&ts.opt);
    free(s.X);
    free(s.Y);
    mm_model_free(&m);
    return rc;
}
