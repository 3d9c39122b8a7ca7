#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_SECONDS 0.1

double progress_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void progress_start(progress *p, long first_step, long total, long every)
{
    p->tty = isatty(2);
    p->total = total;
    p->first_step = first_step;
    p->every = every;
    p->t_start = p->t_last = progress_now();
    p->drawn = 0;
    p->smooth = -1.0;
}

static void draw(progress *p, long step, double loss, double lr, double t)
{
    double rate = (double)(step - p->first_step) / (t - p->t_start + 1e-9);
    double eta = rate > 0 ? (double)(p->total - step) / rate : 0.0;
    fprintf(stderr, "%s%8ld/%ld  loss %.4f (smoothed %.4f)  lr %.4g  %.0f steps/s  ETA %.0fs%s",
            p->tty ? "\r" : "", step, p->total, loss, p->smooth, lr, rate, eta,
            p->tty ? "\033[K" : "\n");
    fflush(stderr);
    p->drawn = 1;
}

void progress_step(progress *p, long step, double loss, double lr)
{
    /* one minibatch's loss jumps around; ~200 steps of memory show the trend */
    p->smooth = p->smooth < 0 ? loss : 0.995 * p->smooth + 0.005 * loss;
    if (p->tty) {
        /* the clock every 64 steps: a small model's step is short too; a redraw costs far more */
        if ((step & 63) && step != p->total) return;
        double t = progress_now();
        if (t - p->t_last < REDRAW_SECONDS && step != p->total) return;
        p->t_last = t;
        draw(p, step, loss, lr, t);
    } else if (p->every > 0 && (step % p->every == 0 || step == p->first_step + 1 || step == p->total)) {
        draw(p, step, loss, lr, progress_now());
    }
}

void progress_end(progress *p)
{
    if (p->tty && p->drawn) fputc('\n', stderr);
    p->drawn = 0;
}
