/* Training progress on stderr: a line redrawn in place on a terminal, plain
 * periodic lines otherwise (logs, pipes, CI). */
#ifndef MM_PROGRESS_H
#define MM_PROGRESS_H

typedef struct {
    int tty;
    long total, first_step, every;
    double t_start, t_last;
    double smooth; /* exponential average of the minibatch loss */
    int drawn;
} progress;

void progress_start(progress *p, long first_step, long total, long every);
void progress_step(progress *p, long step, double loss, double lr);
void progress_end(progress *p);
double progress_now(void);

#endif
