/* Training examples: (context of T ids, next id) pairs, split as the lecture.
 *
 * Each word w contributes len(w)+1 examples: the context starts as T stop
 * tokens and slides over w + '.'. Words are shuffled with Python's
 * random.seed(S); random.shuffle(words) and cut at int(0.8n), int(0.9n). */
#ifndef MM_DATASET_H
#define MM_DATASET_H

#include <stdint.h>

#include "text.h"

typedef struct {
    size_t n;     /* number of examples */
    int T;        /* context length (block size) */
    int32_t *X;   /* (n, T) context ids */
    int32_t *Y;   /* (n, ny) targets; -1: ignored */
    int ny;       /* targets per example: 1 (context layout) or T (sequence); 0 reads as 1 */
    size_t ntargets; /* targets that are not -1 */
} mm_split;

enum { MM_TRAIN, MM_DEV, MM_TEST, MM_NSPLITS };

/* How the items are divided into the splits (stored in model.bin). */
typedef enum {
    MM_SPLIT_LECTURE = 0,  /* Python's random.seed(split_seed); random.shuffle; 80/10/10 */
    MM_SPLIT_MAKEMORE = 1  /* makemore.py's: torch.manual_seed(3407); torch.randperm(n);
                              the last min(1000, int(0.1 n)) are test, the rest train, no dev */
} mm_split_kind;

typedef struct {
    mm_split split[MM_NSPLITS];
    size_t nwords[MM_NSPLITS];
    uint32_t *order;  /* (nwords) word indices after the shuffle */
} mm_dataset;

/* Encodes every word with vocab, shuffles them with split_seed and builds
 * the three splits for block size T. A character missing from vocab is an
 * error naming the file (name) and line. */
mm_status mm_dataset_build(mm_dataset *d, const mm_words *w, const mm_vocab *v,
                           int T, uint64_t split_seed, const char *name, mm_err *err);
void mm_dataset_free(mm_dataset *d);
/* Bytes mm_dataset_build allocates: each item of n characters gives n+1
 * examples of T context ids and a target, 4 bytes each, plus the shuffled
 * order of the items. */
uint64_t mm_dataset_mem(const mm_words *w, int T);

const char *mm_split_name(int which);
/* MM_TRAIN/MM_DEV/MM_TEST for "train"/"dev"/"test" ("val" too), else -1 */
int mm_split_parse(const char *name);

#endif
