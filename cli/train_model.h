/* The run builder's settings (src/train/settings.h) as flags of train:
 * the specs come from the builder's table, --preset is applied before the
 * user's flags, and what the user gave is recorded both ways. */
#ifndef MM_TRAIN_MODEL_H
#define MM_TRAIN_MODEL_H

#include "args.h"
#include "cli.h"
#include "settings.h"

/* Writes mm_settings_count() specs to s, each pointing into set. */
void run_flags_specs(arg_spec *s, mm_settings *set);
/* Before the user's flags are parsed: if argv holds --preset NAME, applies
 * that preset to set, so the user's own flags override it. Returns 0, or
 * the exit status after printing an error. */
int run_flags_preset(mm_settings *set, int argc, char **argv);
/* After parsing: a setting is given if its flag was seen or a preset set
 * it, and the specs' seen marks say so too (for args_seen). Specs whose
 * names are not settings are left alone. */
void run_flags_given(mm_settings *set, arg_spec *specs, int nspecs);
/* --model list, --optimizer list: prints every kind (optimizer) of the
 * registry with its description; returns 1 if it did (the command is then
 * done), else 0. */
int run_flags_list(const mm_settings *set);
/* On --resume: flags that fix the model or the optimizer's state may not
 * change. Returns 0, or the exit status after printing an error. */
int run_flags_check_resume(const mm_settings *set, const mm_run *r);

#endif
