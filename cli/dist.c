#include "dist.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_dist_leader(const cli_dist *d)
{
    return !d || d->train.rank == 0;
}

/* Points fd (stdout or stderr) at a temporary file; 0 on success. The
 * WebAssembly build has no dup and never runs more than one process. */
static int hold(FILE **held, int *saved, FILE *stream, int fd)
{
    fflush(stream);
#ifdef __wasi__
    (void)fd;
    *held = NULL, *saved = -1;
    return -1;
#else
    *held = tmpfile();
    *saved = dup(fd);
    if (*held && *saved >= 0 && dup2(fileno(*held), fd) >= 0) return 0;
    if (*held) fclose(*held); /* then this process speaks for itself */
    if (*saved >= 0) close(*saved);
    *held = NULL;
    return -1;
#endif
}

/* Points fd back where it was and, with print, copies the held text onto
 * it. 0, or -1 with what went wrong in why: the held text could not all be
 * kept (the temporary file's disk is full) or read back, or fd could not
 * be restored. A failed write of the copy shows in ferror(stream), which
 * the exit checks for stdout. */
static int unhold(FILE **held, int saved, FILE *stream, int fd, int print, const char *name, char *why, size_t n)
{
    if (!*held) return 0;
    errno = 0;
    int bad = 0;
    /* only the text to be printed matters: the other processes' is dropped */
    if ((fflush(stream) != 0 || ferror(stream)) && print) {
        snprintf(why, n, "the %s held back while the processes checked their input could not all be written to "
                 "a temporary file%s%s", name, errno ? ": " : "", errno ? strerror(errno) : "");
        bad = 1;
    }
    clearerr(stream); /* that was the temporary file, not the stream's own */
#ifndef __wasi__
    if (dup2(saved, fd) < 0) {
        snprintf(why, n, "%s could not be restored after holding it back: %s", name, strerror(errno));
        bad = 1;
        print = 0;
    }
    close(saved);
#endif
    if (print) {
        rewind(*held);
        char buf[4096];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, *held)) > 0 && fwrite(buf, 1, k, stream) == k) {}
        if (ferror(*held)) {
            snprintf(why, n, "the %s held back while the processes checked their input could not be read back", name);
            bad = 1;
        }
        fflush(stream);
    }
    fclose(*held);
    *held = NULL;
    return bad ? -1 : 0;
}

void cli_dist_quiet_begin(cli_dist_quiet *q, const cli_dist *d)
{
    q->held[0] = q->held[1] = NULL;
    if (!d) return;
    hold(&q->held[0], &q->saved_fd[0], stdout, STDOUT_FILENO);
    hold(&q->held[1], &q->saved_fd[1], stderr, STDERR_FILENO);
}

/* 0, or after one line saying what failed, EXIT_USAGE */
static int release(cli_dist_quiet *q, int print)
{
    char why[2][300];
    int out = unhold(&q->held[0], q->saved_fd[0], stdout, STDOUT_FILENO, print, "output", why[0], sizeof why[0]);
    int err = unhold(&q->held[1], q->saved_fd[1], stderr, STDERR_FILENO, print, "messages", why[1], sizeof why[1]);
    if (out || err) return cli_error("%s", out ? why[0] : why[1]);
    return 0;
}

int cli_dist_agree(const cli_dist *d, cli_dist_quiet *q, int rc)
{
    if (!d) return rc;
    int who = 0;
    int agreed = d->agree(d->train.reduce.ctx, rc, &who);
    if (agreed && q) release(q, d->train.rank == who);
    return agreed;
}

int cli_dist_quiet_end(cli_dist_quiet *q, const cli_dist *d, int rc)
{
    int released = release(q, cli_dist_leader(d));
    return d ? cli_dist_agree(d, NULL, rc ? rc : released) : rc;
}

/* Targets (not -1) of examples [lo, hi). */
static size_t count_targets(const mm_split *s, size_t lo, size_t hi)
{
    const size_t ny = s->ny > 0 ? (size_t)s->ny : 1;
    size_t n = 0;
    for (size_t i = lo * ny; i < hi * ny; i++) n += s->Y[i] != -1;
    return n;
}

mm_status cli_dist_split_loss(const cli_dist *d, const mm_model *m, const mm_split *s, int nthreads,
                              double *loss, mm_err *err)
{
    if (!d) return mm_model_split_loss(m, s, nthreads, loss, err);
    const int r = d->train.rank, n = d->train.nranks;
    size_t lo = s->n * (size_t)r / (size_t)n, hi = s->n * (size_t)(r + 1) / (size_t)n;
    mm_split part = *s;
    part.n = hi - lo;
    part.X = s->X + lo * (size_t)s->T;
    part.Y = s->Y + lo * (size_t)(s->ny > 0 ? s->ny : 1);
    part.ntargets = count_targets(s, lo, hi);
    double mean = 0.0, count = (double)part.ntargets;
    mm_status st = part.n ? mm_model_split_loss(m, &part, nthreads, &mean, err) : MM_OK;
    /* the failure is summed with the loss, so every process sees it */
    double v[3] = {part.n ? mean * count : 0.0, count, st != MM_OK};
    d->train.reduce.sum(d->train.reduce.ctx, v, 3);
    if (st) return st;
    if (v[2] > 0) return mm_fail(err, MM_ENOMEM, "evaluation failed on another process");
    *loss = v[1] > 0 ? v[0] / v[1] : NAN;
    return MM_OK;
}
