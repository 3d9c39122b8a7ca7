/* The command line's side of a data-parallel run over several processes
 * (makemore-mpi; cli/mpi_main.c implements it on MPI, and nothing else in
 * cli/ or src/ knows MPI). A NULL cli_dist everywhere means one process.
 *
 * Every process runs the same command; rank 0 alone writes files and
 * prints. Each collective below must be reached by every process in the
 * same order, so a failure is never returned early: it is first agreed on
 * (cli_dist_agree), and then every process returns the same status. */
#ifndef MM_DIST_H
#define MM_DIST_H

#include <stdio.h>

#include "train.h"

typedef struct cli_dist {
    mm_dist train;   /* rank, nranks and the sums; their ctx is train.reduce.ctx */
    int local_ranks; /* processes on this machine, which share its cores */
    /* Collective: every process gives its status; all get that of the
     * lowest rank whose status is not 0 (or 0), and *who that rank. */
    int (*agree)(void *ctx, int rc, int *who);
    /* Collective: the largest of the processes' v. */
    int (*max_int)(void *ctx, int v);
    /* Collective: 1 if every process holds the same n bytes at p. */
    int (*same_bytes)(void *ctx, const void *p, size_t n);
} cli_dist;

/* 1 on rank 0 or alone: the process that writes and prints. */
int cli_dist_leader(const cli_dist *d);

/* While every process checks its flags and input, each one's output is
 * held back, so that a mistake all of them make is reported once. */
typedef struct {
    FILE *held[2]; /* stdout's and stderr's text meanwhile; NULL when not holding */
    int saved_fd[2];
} cli_dist_quiet;

void cli_dist_quiet_begin(cli_dist_quiet *q, const cli_dist *d);
/* Collective (alone: returns rc). Agrees on rc; when it is not 0, the
 * messages of the process it came from are printed and the holding ends.
 * Returns the agreed status. */
int cli_dist_agree(const cli_dist *d, cli_dist_quiet *q, int rc);
/* Collective (alone: returns rc). Ends the holding: rank 0's messages are
 * printed, the others' dropped. Returns rc, or when rc is 0 and a process
 * could not keep, read back or restore its output, the agreed status
 * (that process printed why). */
int cli_dist_quiet_end(cli_dist_quiet *q, const cli_dist *d, int rc);

/* Collective: mm_model_split_loss of the whole split, each process
 * evaluating a contiguous share of the examples. */
mm_status cli_dist_split_loss(const cli_dist *d, const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err);

#endif
