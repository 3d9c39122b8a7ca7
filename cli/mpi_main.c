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
#include "mpi_bench.h"

/* MPI counts are ints: large gradients go in slices of this many floats */
#define MAX_COUNT (1 << 30)

/* the all-reduces' cost, for makemore-mpi bench */
static mpi_stats stats;

static void count(double t0, double bytes)
{
    stats.calls++;
    stats.bytes += bytes;
    stats.seconds += MPI_Wtime() - t0;
}

static void sum_doubles(void *ctx, double *x, int n)
{
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_DOUBLE, MPI_SUM, *(MPI_Comm *)ctx);
    count(t0, 8.0 * n);
}

/* Open MPI's all-reduce picks its algorithm from N and the message size
 * alone and combines the parts in a fixed order, so a run is repeatable
 * for a given N; that every rank ends with the same bits is checked at the
 * end of training (same_bytes). */
static void sum_floats(void *ctx, float *x, size_t n)
{
    const double t0 = MPI_Wtime();
    for (size_t i = 0; i < n; i += MAX_COUNT) {
        int c = n - i < MAX_COUNT ? (int)(n - i) : MAX_COUNT;
        MPI_Allreduce(MPI_IN_PLACE, x + i, c, MPI_FLOAT, MPI_SUM, *(MPI_Comm *)ctx);
    }
    count(t0, 4.0 * (double)n);
}

static void max_floats(void *ctx, float *x, int n)
{
    const double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_FLOAT, MPI_MAX, *(MPI_Comm *)ctx);
    count(t0, 4.0 * n);
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
    d->train.max_floats = max_floats;
    d->agree = agree;
    d->max_int = max_int;
    d->same_bytes = same_bytes;
    MPI_Comm local;
    MPI_Comm_split_type(*comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &d->local_ranks);
    MPI_Comm_free(&local);
}

static const char *USAGE =
    "usage: mpirun -np N makemore-mpi train [--parallel data|output] [options]\n"
    "\n"
    "Trains one model on N processes, following `makemore train` with the same\n"
    "flags. --parallel data (the default): each process computes a share of every\n"
    "batch and the gradients are summed. --parallel output: each process owns a\n"
    "share of the output layer's rows (the vocabulary), computes the whole batch,\n"
    "and the processes exchange only the softmax's sums and the gradient of the\n"
    "layer's input (for large vocabularies). Rank 0 writes the files and prints.\n"
    "See 'makemore train --help' for the options and docs/SCALING.md for what to\n"
    "expect.\n";

/* Takes --parallel MODE (or --parallel=MODE) out of argv; 0, or 2 with
 * *bad the value that is neither mode. */
static int take_parallel(int *argc, char **argv, int *output, const char **bad)
{
    int k = 0;
    for (int i = 0; i < *argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--parallel")) {
            v = i + 1 < *argc ? argv[++i] : "";
        } else if (!strncmp(argv[i], "--parallel=", 11)) {
            v = argv[i] + 11;
        } else {
            argv[k++] = argv[i];
            continue;
        }
        if (strcmp(v, "data") && strcmp(v, "output")) {
            *bad = v;
            return EXIT_USAGE;
        }
        *output = !strcmp(v, "output");
    }
    *argc = k;
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm comm = MPI_COMM_WORLD;
    cli_dist d;
    dist_init(&d, &comm);
    int rc;
    const char *bad = NULL;
    int targc = argc - 2;
    const int train = argc >= 2 && !strcmp(argv[1], "train"), bench = argc >= 2 && !strcmp(argv[1], "bench");
    if ((train || bench) && take_parallel(&targc, argv + 2, &d.train.output, &bad)) {
        rc = EXIT_USAGE;
        if (d.train.rank == 0) cli_error("--parallel '%s': give data or output", bad);
    } else if (train) {
        rc = cmd_train_dist(targc, argv + 2, &d);
    } else if (bench) {
        rc = mpi_bench(targc, argv + 2, &d, &stats);
    } else if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        if (d.train.rank == 0) fputs(USAGE, stdout);
        rc = 0;
    } else {
        rc = EXIT_USAGE;
        if (d.train.rank == 0) {
            if (argc < 2) fputs(USAGE, stderr);
            else cli_error("makemore-mpi runs 'train' and 'bench' only; use makemore for '%s'", argv[1]);
        }
    }
    rc = cli_flush_stdout(rc);
    MPI_Finalize();
    return rc;
}
