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

/* requested, or all cores for 0 */
int api_threads(int requested);

/* Copies err into the public error (either may be NULL) and returns st. */
makemore_status api_status(mm_status st, const mm_err *e, makemore_error *err);

#endif
