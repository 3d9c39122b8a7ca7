/* DIR/log.csv: one row per training step (step, lr, minibatch loss), plus
 * rows with train/dev losses when evaluated. Rows are buffered by stdio, so
 * a step costs one short formatted write into memory. */
#ifndef MM_TRAINLOG_H
#define MM_TRAINLOG_H

#include <stdio.h>

#include "status.h"

typedef struct {
    FILE *f;
    const char *path;
    int errnum; /* why the first row could not be written, else 0 */
} trainlog;

/* Fresh runs truncate the log; resumed runs keep the rows up to
 * resume_step and drop any written after that checkpoint. Returns 0 or
 * prints an error and returns the exit status. path must outlive l. */
int trainlog_open(trainlog *l, const char *path, long resume_step);
void trainlog_step(trainlog *l, long step, double lr, double loss);
void trainlog_eval(trainlog *l, long step, double train_loss, double dev_loss);
/* MM_OK, or MM_EIO with "PATH: write failed: REASON" in err once a row
 * could not be written (stdio finds out when its buffer fills, so within
 * a few KiB of rows). err may be NULL. */
mm_status trainlog_check(const trainlog *l, mm_err *err);
/* Hands the rows so far to the system, before a checkpoint covers them;
 * then as trainlog_check. */
mm_status trainlog_flush(trainlog *l, mm_err *err);
/* Flushes and closes (if open); then as trainlog_check. */
mm_status trainlog_close(trainlog *l, mm_err *err);

#endif
