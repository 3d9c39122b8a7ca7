/* makemore-mpi bench (docs/SCALING.md): the time and traffic of training
 * steps at a given shape on random data, for either --parallel mode. */
#ifndef MM_MPI_BENCH_H
#define MM_MPI_BENCH_H

#include "dist.h"

/* What the collectives cost so far on this process (mpi_main.c counts). */
typedef struct {
    long calls;
    double bytes;   /* payload given to the all-reduces */
    double seconds; /* inside them, waiting for the others included */
} mpi_stats;

int mpi_bench(int argc, char **argv, const cli_dist *d, const mpi_stats *stats);

#endif
