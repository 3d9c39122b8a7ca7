/* train's flags for the model family, the optimizers and the presets, kept
 * apart from cmd_train.c's core flags: cmd_train appends these specs to its
 * table and calls the functions below at the points named. What a kind
 * takes and its default sizes come from its table (kind.h). */
#ifndef MM_TRAIN_MODEL_H
#define MM_TRAIN_MODEL_H

#include "args.h"
#include "cli.h"

typedef struct {
    const char *model, *optimizer, *preset;
    int n_layers, n_heads, direct;
    double bn_momentum, dropout, momentum, beta1, beta2, eps, min_lr;
    long warmup;
} model_flags;

#define MODEL_NSPECS 14

void model_flags_defaults(model_flags *f);
/* Writes MODEL_NSPECS specs to s. */
void model_flags_specs(arg_spec *s, model_flags *f);

/* Before the user's flags are parsed: if argv holds --preset NAME, parses
 * that preset's flags into specs, so the user's own flags override them.
 * Returns 0, or the exit status after printing an error. */
int model_preset_apply(arg_spec *specs, int nspecs, int argc, char **argv);
/* --model list: prints every kind with its description; returns 1 if it
 * did (the command is then done), else 0. */
int model_flags_list(const model_flags *f);
/* The kind's default sizes (kind.h: def_block, ...) for the sizes the
 * user did not give; block 0 means "the longest item + 1", known once the
 * data is read. Does nothing for an unknown --model (checked later). */
void model_flags_sizes(model_flags *f, const arg_spec *specs, int nspecs, int *block_size,
                       int *n_embd, int *n_hidden);
/* The checks that need to know which flags were given (on --resume only
 * the names: the rest is checked against the checkpoint). Returns 0, or
 * the exit status after printing an error. */
int model_flags_check(const model_flags *f, const arg_spec *specs, int nspecs, int batch_size, int resume);
/* Fills the kind fields of c and the optimizer, warmup and floor of tc;
 * f must have passed model_flags_check. */
void model_flags_apply(const model_flags *f, mm_config *c, mm_train_config *tc);
/* The registry id of f's --model (it must have passed model_flags_check). */
int model_flags_kind(const model_flags *f);
/* On --resume: flags that fix the model or the optimizer's state may not
 * change. Returns 0, or the exit status after printing an error. */
int model_flags_check_resume(const model_flags *f, const arg_spec *specs, int nspecs, const mm_run *r);

const char *model_kind_name(int kind);
const char *optim_kind_name(int kind);

#endif
