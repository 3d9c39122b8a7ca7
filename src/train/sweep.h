/* Random search over the lecture's knobs (exercise E01): learning rate and
 * schedule, batch size, block size, embedding and hidden width.
 *
 * Trial i's configuration depends only on (seed, i) and the space, so a
 * sweep can stop and resume: trials already in sweep.csv are skipped and the
 * rest draw the same configurations they would have drawn. Every trial
 * trains from the same generator seed, so trials differ by configuration
 * only, and each can be re-run exactly by `makemore train` with the flags
 * mm_sweep_command prints. */
#ifndef MM_SWEEP_H
#define MM_SWEEP_H

#include "dataset.h"
#include "model.h"
#include "strbuf.h"

typedef struct {
    double lr_min, lr_max;         /* log-uniform */
    int use_step, use_inv;         /* schedules to draw from */
    int batch_min, batch_max;      /* powers of two in between, log-uniform */
    int block_min, block_max;      /* uniform */
    int embd_min, embd_max;        /* log-uniform */
    int hidden_min, hidden_max;    /* log-uniform */
    long max_params;               /* 0: any size; else redraw until within */
} mm_sweep_space;

typedef struct {
    int id;
    double lr;
    int inv;             /* 0: step schedule (x0.1 at decay_step), 1: lr/(1+rate t) */
    long decay_step;
    double rate;
    int batch, block, embd, hidden;
    /* results */
    size_t params;
    long steps;
    double train_loss, dev_loss, seconds;
} mm_trial;

/* What every trial shares. */
typedef struct {
    const mm_words *words;
    const mm_vocab *vocab;
    const char *input;   /* for messages and commands */
    uint64_t split_seed;
    uint64_t seed;       /* training generator seed */
    int init_kind;       /* mm_init_kind */
    long steps;
} mm_sweep_setup;

mm_status mm_sweep_space_check(const mm_sweep_space *s, int vocab_size, mm_err *err);
size_t mm_sweep_params(int V, int block, int embd, int hidden);
/* Trial id's configuration. Fails only if max_params is unreachable. */
mm_status mm_sweep_draw(const mm_sweep_space *s, int vocab_size, uint64_t seed, long steps, int id,
                        mm_trial *t, mm_err *err);
/* Trains and evaluates one trial with nthreads threads. A diverged trial
 * is not an error: its losses are NaN. */
mm_status mm_sweep_run(mm_trial *t, const mm_sweep_setup *su, int nthreads, mm_err *err);
/* The `makemore train` command that repeats trial t. */
void mm_sweep_command(const mm_trial *t, const mm_sweep_setup *su, mm_sbuf *out);

void mm_sweep_csv(const mm_trial *t, int n, mm_sbuf *out);
/* Reads trials back from sweep.csv text (*out malloc'd, *n rows). */
mm_status mm_sweep_parse(const char *buf, size_t len, const char *name, mm_trial **out, int *n, mm_err *err);
/* A Markdown table of the trials sorted by dev loss (best first), then the
 * command of the best. t is sorted in place. */
void mm_sweep_markdown(mm_trial *t, int n, const mm_sweep_setup *su, mm_sbuf *out);

#endif
