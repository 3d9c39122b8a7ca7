/* Reading a training log (DIR/log.csv, written by the CLI's trainlog) back
 * for plots: the columns are step,lr,loss,train_loss,dev_loss; a row has
 * either lr and loss (one training step) or train_loss and dev_loss (an
 * evaluation of the whole splits, step 0 being the initial model). */
#ifndef MM_LOSSLOG_H
#define MM_LOSSLOG_H

#include <stddef.h>

#include "status.h"

#define MM_LOSSLOG_HEADER "step,lr,loss,train_loss,dev_loss"

typedef struct {
    size_t n;          /* training-step rows */
    double *step, *lr, *loss;
    size_t neval;      /* evaluation rows */
    double *eval_step, *train_loss, *dev_loss;
} mm_losslog;

/* Parses the CSV text in buf; name is used in messages, which give the
 * line of a malformed row. */
mm_status mm_losslog_parse(mm_losslog *l, const char *buf, size_t len, const char *name, mm_err *err);
mm_status mm_losslog_read(mm_losslog *l, const char *path, mm_err *err);
/* Appends an evaluation row in memory (e.g. the final losses, which the
 * log holds only when --eval-every hit the last step). */
mm_status mm_losslog_add_eval(mm_losslog *l, double step, double train_loss, double dev_loss, mm_err *err);
void mm_losslog_free(mm_losslog *l);

#endif
