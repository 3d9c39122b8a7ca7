/* makemore-mpi: `mpirun -np N ./makemore-mpi train ...` trains one model
 * data-parallel on N processes (docs/SCALING.md). The only file that
 * includes mpi.h: it fills cli_dist (dist.h) with MPI's collectives and
 * hands over to the train command. Built by `make MPI=1` only. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dist.h"

/* MPI counts are ints: large gradients go in slices of this many floats */
#define MAX_COUNT (1 << 30)

static void sum_doubles(void *ctx, double *x, int n)
{
    MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_DOUBLE, MPI_SUM, *(MPI_Comm *)ctx);
}

/* Open MPI's all-reduce picks its algorithm from N and the message size
 * alone and combines the parts in a fixed order, so a run is repeatable
 * for a given N; that every rank ends with the same bits is checked at the
 * end of training (same_bytes). */
static void sum_floats(void *ctx, float *x, size_t n)
{
    for (size_t i = 0; i < n; i += MAX_COUNT) {
        int c = n - i < MAX_COUNT ? (int)(n - i) : MAX_COUNT;
        MPI_Allreduce(MPI_IN_PLACE, x + i, c, MPI_FLOAT, MPI_SUM, *(MPI_Comm *)ctx);
    }
}

static int agree(void *ctx, int rc, int *who)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    int rank, size, key, first;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    key = rc ? rank : size;
    MPI_Allreduce(&key, &first, 1, MPI_INT, MPI_MIN, comm);
    *who = first < size ? first : 0;
    if (first == size) return 0;
    MPI_Bcast(&rc, 1, MPI_INT, first, comm);
    return rc;
}

static int max_int(void *ctx, int v)
{
    int out;
    MPI_Allreduce(&v, &out, 1, MPI_INT, MPI_MAX, *(MPI_Comm *)ctx);
    return out;
}

static int same_bytes(void *ctx, const void *p, size_t n)
{
    const unsigned char *b = p;
    unsigned long long h = 14695981039346656037ull, lo, hi; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    MPI_Allreduce(&h, &lo, 1, MPI_UNSIGNED_LONG_LONG, MPI_MIN, *(MPI_Comm *)ctx);
    MPI_Allreduce(&h, &hi, 1, MPI_UNSIGNED_LONG_LONG, MPI_MAX, *(MPI_Comm *)ctx);
    return lo == hi;
}

static void dist_init(cli_dist *d, MPI_Comm *comm)
{
    memset(d, 0, sizeof *d);
    MPI_Comm_rank(*comm, &d->train.rank);
    MPI_Comm_size(*comm, &d->train.nranks);
    d->train.reduce.sum = sum_doubles;
    d->train.reduce.ctx = comm;
    d->train.sum_floats = sum_floats;
    d->agree = agree;
    d->max_int = max_int;
    d->same_bytes = same_bytes;
    MPI_Comm local;
    MPI_Comm_split_type(*comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &d->local_ranks);
    MPI_Comm_free(&local);
}

static const char *USAGE =
    "usage: mpirun -np N makemore-mpi train [options]\n"
    "\n"
    "Trains one model on N processes: each computes a share of every batch and\n"
    "the gradients are summed, so the run follows `makemore train` with the same\n"
    "flags. Rank 0 writes the files and prints. See 'makemore train --help' for\n"
    "the options and docs/SCALING.md for what to expect.\n";

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm comm = MPI_COMM_WORLD;
    cli_dist d;
    dist_init(&d, &comm);
    int rc;
    if (argc >= 2 && !strcmp(argv[1], "train")) {
        rc = cmd_train_dist(argc - 2, argv + 2, &d);
    } else if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        if (d.train.rank == 0) fputs(USAGE, stdout);
        rc = 0;
    } else {
        rc = EXIT_USAGE;
        if (d.train.rank == 0) {
            if (argc < 2) fputs(USAGE, stderr);
            else cli_error("makemore-mpi runs 'train' only; use makemore for '%s'", argv[1]);
        }
    }
    rc = cli_flush_stdout(rc);
    MPI_Finalize();
    return rc;
}
