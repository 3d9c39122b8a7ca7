/* The run builder: the one place that turns settings (settings.h), a
 * preset and a text file into a ready run (a model initialised, its data
 * split), and the one writer of a run's summary. The command line's train
 * and the library's makemore_train both build through it, so a setting or
 * a summary field cannot exist in one and be missing in the other. */
#ifndef MM_RUNBUILD_H
#define MM_RUNBUILD_H

#include "checkpoint.h"
#include "dataset.h"
#include "json.h"
#include "keepbest.h"
#include "mix.h"
#include "settings.h"

/* Text, vocabulary and splits for one input file. */
typedef struct {
    mm_words words;
    mm_vocab vocab;
    mm_dataset data;
    mm_data_opts opts; /* as built: the block size resolved */
} mm_run_data;

/* Reads path and builds the splits, refusing data that would need more
 * than avail bytes. With vocab non-NULL the file is encoded with that
 * vocabulary (a checkpoint's); else its own is built. o->T 0 means the
 * longest item + 1. makemore.py's split reads the items as makemore.py
 * does (mm_words_strip_python). */
mm_status mm_run_data_load(mm_run_data *d, const char *path, const mm_data_opts *o, const mm_vocab *vocab,
                           uint64_t avail, mm_err *err);
void mm_run_data_free(mm_run_data *d);
/* Bytes the loaded data holds once its examples are built as o says */
uint64_t mm_run_data_mem(const mm_run_data *d, const mm_data_opts *o);
/* The examples a run's checkpoint was trained on: its block, its kind's
 * layout, its split */
mm_data_opts mm_run_data_opts(const mm_run *r);

/* A fresh run of s (which passed mm_settings_resolve) on input: reads the
 * data into d, builds and initialises r's model, within avail bytes.
 * The initial losses are left to the caller (a data-parallel run shares
 * them out). On failure r and d may be partly built: free both. */
mm_status mm_run_build(mm_run *r, mm_run_data *d, const mm_settings *s, const char *input, uint64_t avail,
                       mm_err *err);

/* Begins j and writes the summary of a trained run: sizes, settings,
 * losses (an empty split's NaN loss is null), timing, names, and the path
 * of its model.bin; the caller may add fields, then ends j. */
void mm_run_summary(mm_json *j, const mm_run *r, const mm_dataset *ds, double train_loss, double dev_loss,
                    int nthreads, const char *model_bin);
/* The n-gram mixture's fields of the summary (--mix-ngram): its order,
 * weight, and the n-gram's and the mixture's losses on the splits in mask
 * (1 << MM_TRAIN | ...). */
void mm_run_summary_mix(mm_json *j, const mm_mix_result *m, unsigned mask);
/* keep-best and patience's fields: the best evaluation's step, dev loss
 * and perplexity (when there was one), best_bin, stopped_early; none when
 * neither was asked for. */
void mm_run_summary_best(mm_json *j, const mm_keepbest *k);

#endif
