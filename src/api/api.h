/* Inside the public API (include/makemore.h): what a makemore_model holds
 * and the pieces api.c and api_train.c share. */
#ifndef MM_API_H
#define MM_API_H

#include "checkpoint.h"
#include "dataset.h"
#include "makemore.h"

struct makemore_model {
    mm_run run;
};

/* A text file's items, its vocabulary and the splits of block size T. */
typedef struct {
    mm_words words;
    mm_vocab vocab;
    mm_dataset data;
} api_data;

/* Reads the items and builds the file's own vocabulary. */
mm_status api_data_read(api_data *d, const char *path, mm_err *err);
/* The same for either token mode; for words the vocabulary is left to
 * api_data_split, which counts the training split. */
mm_status api_data_read_tokens(api_data *d, const char *path, int tokens, mm_err *err);
/* The splits of block size T, the items encoded with vocab (a model's) or,
 * if NULL, with the file's own. */
mm_status api_data_split(api_data *d, const char *path, const mm_data_opts *o, const mm_vocab *vocab,
                         mm_err *err);
void api_data_free(api_data *d);
/* requested, or all cores for 0 */
int api_threads(int requested);

/* Copies err into the public error (either may be NULL) and returns st. */
makemore_status api_status(mm_status st, const mm_err *e, makemore_error *err);

#endif
