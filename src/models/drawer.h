/* Items drawn one after another from a model, as UTF-8 text, each looked
 * up among the training file's items: a copy of a train, dev or test item,
 * or new (makemore.py's check). The command line, the report and the
 * public API all draw through this. */
#ifndef MM_DRAWER_H
#define MM_DRAWER_H

#include "items.h"
#include "sample.h"

#define MM_UNMARKED (-2) /* no item set to look the sample up in */

typedef struct {
    mm_sampler s;
    mm_rng rng;
    const mm_vocab *v;
    const mm_itemset *set;
    int *prefix;   /* (np) ids every item starts with */
    int np;
    int *ids;      /* (opts.max_len) */
    char *text;    /* (text_cap) the last item's UTF-8 */
    size_t text_cap; /* grows with the items: a word may be long */
    long count[MM_NSPLITS + 1]; /* items drawn per split, then new ones */
} mm_drawer;

/* Draws from m with options o, the generator seeded as torch's with seed;
 * prefix (UTF-8, NULL for none) is encoded with v, errors naming what;
 * set NULL leaves items unmarked. */
mm_status mm_drawer_build(mm_drawer *d, const mm_model *m, const mm_vocab *v, const mm_sample_opts *o,
                          uint64_t seed, const char *prefix, const char *what, const mm_itemset *set, mm_err *err);
/* The next item (owned by d, valid until the next call) and, in *split,
 * MM_TRAIN/MM_DEV/MM_TEST, -1 for new or MM_UNMARKED. NULL when the
 * model's logits are NaN or infinite (MM_LOGITS_NOT_FINITE): no item can
 * be drawn (or, rarely, no memory is left for an item of long words). */
const char *mm_drawer_next(mm_drawer *d, int *split);
void mm_drawer_free(mm_drawer *d);

#endif
