/* What `train --resume` may change, and how it checks that the data is the
 * run's own. Training settings given again are honoured (the checkpoint's
 * value replaced, and the change reported) or refused, never dropped. */
#ifndef MM_RESUME_H
#define MM_RESUME_H

#include <stddef.h>

#include "args.h"
#include "cli.h"

/* Applies every training-setting flag the user gave that differs from the
 * checkpoint's (--learning-rate, --lr-schedule, --lr-decay, --lr-decay-step,
 * --lr-decay-rate, --weight-decay, --momentum, --beta1, --beta2, --eps,
 * --warmup-steps, --min-lr), one stderr line each, and appends them to
 * changes ("--learning-rate 0.1 -> 0.05; ..."). Refuses --init and
 * --lr-find (they act only when a run starts) and a resulting
 * configuration that does not check. 0 or the exit status. */
int resume_apply_settings(mm_run *r, const arg_spec *specs, int nspecs, char *changes, size_t n);
/* The data loaded for a resumed run must be the run's own: the same SHA-256
 * and item count as the checkpoint records (when it records them). 0 or the
 * exit status. */
int resume_check_data(const mm_run *r, const cli_data *d, const char *ckpt);
/* A run already at its --max-steps has nothing left to do: says so and how
 * to go on. 0 or the exit status. */
int resume_check_unfinished(const mm_run *r, const char *ckpt);
/* A fresh run records its data's identity in the checkpoint. */
void resume_record_data(mm_run *r, const cli_data *d);

#endif
