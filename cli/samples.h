/* Samples as the command line shows them: each marked as a copy of a
 * train, dev or test item of the training file, or new. */
#ifndef MM_SAMPLES_H
#define MM_SAMPLES_H

#include "cli.h"
#include "drawer.h"

typedef struct {
    cli_data data;
    mm_itemset set;
    int ok;          /* 0: the file could not be read; samples go unmarked */
} cli_marks;

/* The items of r's training file, split as in training. If the file
 * cannot be read, prints a warning and leaves m->ok 0. */
void cli_marks_load(cli_marks *m, const mm_run *r);
void cli_marks_free(cli_marks *m);

/* Draws n items: into j's array "samples" as {"text": ..., "split": ...}
 * objects when j is not NULL, else one "ITEM<tab>MARK" line each to out
 * and the summary line to summary (NULL: none). When the model's logits
 * are not finite, with ckpt (the file sampled) that is an error; without,
 * one warning line and the items stop there (training's samples: the run
 * itself is saved). A failed write to out stops the items (the exit status
 * reports it). Returns 0 or the exit status after printing an error. */
int cli_samples_print(FILE *out, FILE *summary, mm_json *j, const mm_run *r, const mm_itemset *set,
                      const mm_sample_opts *o, uint64_t seed, const char *prefix, long n, const char *ckpt);
/* "7 in train / 0 in dev / 1 in test / 12 new" */
void cli_samples_summary(FILE *out, const long count[MM_NSPLITS + 1]);

#endif
