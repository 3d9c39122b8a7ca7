/* DIR/log.csv: one row per training step (step, lr, minibatch loss), plus
 * rows with train/dev losses when evaluated. Rows are buffered by stdio, so
 * a step costs one short formatted write into memory. */
#ifndef MM_TRAINLOG_H
#define MM_TRAINLOG_H

#include <stdio.h>

typedef struct {
    FILE *f;
} trainlog;

/* Fresh runs truncate the log; resumed runs keep the rows up to
 * resume_step and drop any written after that checkpoint. Returns 0 or
 * prints an error and returns the exit status. */
int trainlog_open(trainlog *l, const char *path, long resume_step);
void trainlog_step(trainlog *l, long step, double lr, double loss);
void trainlog_eval(trainlog *l, long step, double train_loss, double dev_loss);
int trainlog_close(trainlog *l);

#endif
