/* The settings of a training run, by name: one table (settings.c) from which
 * the command line makes its flags (train --help), makemore_train_with and
 * Python's train(**kwargs) read their "name=value" strings, and the presets
 * (presets.c) are written. Adding a setting is one field in mm_settings
 * and one line in the table; the builder (runbuild.c, mm_settings_apply)
 * then acts on it, its check goes in mm_settings_resolve, and both front
 * ends have it. A setting only the command line acts on (lr-find) is
 * refused by makemore_train_with unless left at its "none" value.
 *
 * A setting is "given" when the user or a preset set it: a size not given
 * takes the kind's default, and a flag a kind does not take is refused
 * only when given. */
#ifndef MM_SETTINGS_H
#define MM_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "parse.h"
#include "train.h"


typedef struct {
    const char *name;  /* "--max-steps"; makemore_train also takes "max-steps" and "max_steps" */
    const char *alias; /* the command line's short form ("-b"), or NULL */
    mm_value_type type;
    size_t offset;     /* of the value in mm_settings */
    double min, max;   /* numbers: the inclusive range */
    const char *help;  /* one line for --help */
} mm_setting;

#define MM_SETTINGS_MAX 64

typedef struct {
    const char *preset, *model, *optimizer, *schedule, *init, *split, *mix_smoothing;
    const char *tokens, *split_sizes; /* "char"/"word"; the ordered split's "TRAIN/DEV" (NULL: 0.8/0.1) */
    int min_count;                    /* word tokens: --min-count */
    const char *vocab_from;           /* word tokens: "train" or "all" (--vocab-from) */
    int stream;                       /* word tokens: --stream */
    double epochs;                    /* > 0: the steps are epochs x train examples / batch */
    int block_size, n_embd, n_hidden, n_layers, n_heads; /* 0 until given: the kind's */
    int direct, batch_size, threads, lr_find, mix_ngram;
    long max_steps, lr_decay_step, warmup;
    double learning_rate, lr_decay, lr_rate, weight_decay, bn_momentum, dropout;
    double momentum, beta1, beta2, eps, min_lr, mix_weight; /* mix_weight < 0: fitted on dev */
    uint64_t seed, split_seed;
    unsigned char given[MM_SETTINGS_MAX]; /* by table index */
} mm_settings;

int mm_settings_count(void);
const mm_setting *mm_setting_at(int i);
/* The index of "--max-steps", "max-steps" or "max_steps", or -1. */
int mm_setting_find(const char *name);
/* Where setting i's value lives in s. */
void *mm_setting_value(mm_settings *s, int i);
int mm_settings_given(const mm_settings *s, const char *name);

/* The lecture's run: the MLP, 200000 SGD steps of 32 at 0.1 then 0.01. */
void mm_settings_defaults(mm_settings *s);

/* Sets one setting from its text and marks it given ("--direct" takes
 * "1"/"0"); an unknown name is refused. A "preset" is applied at once. */
mm_status mm_settings_set(mm_settings *s, const char *name, const char *text, mm_err *err);
/* Applies preset name's settings as if given (the user's own, set after,
 * override them). */
mm_status mm_settings_preset(mm_settings *s, const char *name, mm_err *err);

/* The kind's default sizes for those not given, then every check that
 * needs no data (names, the flags the kind takes, ranges). On resume only
 * the names are checked: the checkpoint decides the rest. */
mm_status mm_settings_resolve(mm_settings *s, int resume, mm_err *err);
/* The model's shape (vocabulary V, block T) and the training settings;
 * s must have passed mm_settings_resolve. */
void mm_settings_apply(const mm_settings *s, int V, int T, mm_config *c, mm_train_config *tc);
/* Refuses a model and batch that would not fit beside data_bytes of data
 * in avail bytes, before their memory is touched (docs/LIMITS.md). */
mm_status mm_settings_check_memory(const mm_config *c, int batch_size, uint64_t data_bytes, uint64_t avail,
                                   mm_err *err);

#endif
