/* Items as the user meets them: a typed prefix turned into ids, and the
 * question "is this sample a copy of a training, dev or test item, or
 * new?" (makemore.py's check on its samples). */
#ifndef MM_ITEMS_H
#define MM_ITEMS_H

#include "dataset.h"

/* UTF-8 text s into ids (1..V-1) of v, at most cap of them. Errors name
 * what (e.g. "--prefix"): invalid UTF-8, a character the vocabulary lacks
 * (the start/stop token's '.' included unless the data has it), over cap.
 * Word tokens: s is split at white space, and a word the vocabulary lacks
 * is an error too (the word "<unk>" is the unknown word's id), not silently
 * <unk>: a typo would otherwise condition the model on the wrong word. */
mm_status mm_vocab_encode(const mm_vocab *v, const char *s, int *ids, int cap, int *n, const char *what,
                          mm_err *err);

/* Every item of a dataset, findable by its characters. An item found in
 * several splits (a file with duplicates) counts in the first of train,
 * dev, test. */
typedef struct {
    const mm_words *w;  /* borrowed: must outlive the set */
    size_t cap;         /* slots, a power of two */
    int64_t *slot;      /* (cap) word index, or -1 */
    int8_t *split;      /* (nwords) MM_TRAIN/MM_DEV/MM_TEST of each word */
} mm_itemset;

mm_status mm_itemset_build(mm_itemset *s, const mm_words *w, const mm_dataset *d, mm_err *err);
void mm_itemset_free(mm_itemset *s);
/* The split holding the item of n ids (of vocabulary v), or -1: new. */
int mm_itemset_find(const mm_itemset *s, const mm_vocab *v, const int *ids, int n);
/* "train", "dev", "test", or "new" for -1. */
const char *mm_item_label(int split);

#endif
