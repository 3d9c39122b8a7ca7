/* MAKEMORE_EVENTS=FILE: `train` (and `lr-find`, its sweep line) appends one JSON object per line to FILE as
 * it runs, for a front end that draws the run live (the web page's worker
 * reads them; a script can tail them). Without the variable nothing is
 * written and nothing changes. The lines:
 *   {"event": "start", "step": S, "total": N}
 *   {"event": "lr_find", "lr_exp": [...], "loss": [...], "smooth": [...], "suggested_lr": X}
 *   {"event": "step", "step": S, "loss": L, "lr": R}            every step
 *   {"event": "embedding", "step": S, "chars": [...], "x": [...], "y": [...]}
 *        dimensions 0 and 1 of the character embedding, at the start and
 *        about every 1% of the run, for models that have one
 *   {"event": "eval", "step": S, "train_loss": L, "dev_loss": D}  --eval-every */
#ifndef MM_EVENTS_H
#define MM_EVENTS_H

#include <stdio.h>

#include "checkpoint.h"
#include "lrfind.h"

typedef struct {
    FILE *f;          /* NULL: events off */
    long embed_every; /* steps between embedding lines */
    const char *path; /* $MAKEMORE_EVENTS */
    int errnum;       /* why the first line could not be written, else 0 */
} events;

/* Opens $MAKEMORE_EVENTS if it is set; 0, or the exit status after an error. */
int events_open(events *e, long first_step, long total);
void events_lrfind(events *e, const mm_lrfind *lr);
void events_step(events *e, const mm_run *r, long step, double loss, double lr);
void events_embedding(events *e, const mm_run *r, long step);
void events_eval(events *e, long step, double train_loss, double dev_loss);
/* MM_OK, or MM_EIO with "MAKEMORE_EVENTS=FILE: write failed: REASON" in
 * err once a line could not be written (stdio finds out when its buffer
 * fills). err may be NULL. */
mm_status events_check(const events *e, mm_err *err);
/* Closes (if open); then as events_check. */
mm_status events_close(events *e, mm_err *err);

#endif
