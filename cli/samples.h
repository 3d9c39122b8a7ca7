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

/* Draws n items and prints them: as text (json_open NULL), one
 * "ITEM<tab>MARK" line each and the summary line to summary (NULL: none);
 * else json_open (e.g. "{\"samples\": [") once the options are known good,
 * then {"text": ..., "split": ...} for each item and "]". Returns 0 or the
 * exit status after printing an error (before anything is printed). */
int cli_samples_print(FILE *out, FILE *summary, const char *json_open, const mm_run *r, const mm_itemset *set,
                      const mm_sample_opts *o, uint64_t seed, const char *prefix, long n);
/* "7 in train / 0 in dev / 1 in test / 12 new" */
void cli_samples_summary(FILE *out, const long count[MM_NSPLITS + 1]);

#endif
