/* Training examples in one of two layouts (kind.h), split in one of two ways.
 *
 * Context layout (the lecture's models): each item w contributes len(w)+1
 * examples, a context of T ids and the next id; the context starts as T
 * stop tokens and slides over w + '.'.
 * Sequence layout (makemore.py's): each item is one example, X = the start
 * token 0, the item's ids, 0 padding; Y = the item's ids, the stop token 0,
 * then -1 (ignored) to the end of the block. T must be at least the longest
 * item + 1.
 *
 * The lecture's split: Python's random.seed(S); random.shuffle(words), cut
 * at int(0.8n), int(0.9n). makemore.py's: torch.manual_seed(S);
 * torch.randperm(n), the last min(1000, int(0.1 n)) test, the rest train,
 * no dev. */
#ifndef MM_DATASET_H
#define MM_DATASET_H

#include <stdint.h>

#include "rng.h"
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
    MM_SPLIT_MAKEMORE = 1, /* makemore.py's: torch.manual_seed(split_seed); torch.randperm(n);
                              the last min(1000, int(0.1 n)) are test, the rest train, no dev */
    MM_SPLIT_ORDERED = 2   /* file order: train, then dev, then test, sized in tokens
                              (mm_data_opts.sizes) */
} mm_split_kind;

/* makemore.py's seed (its --seed default), for its split */
#define MM_MAKEMORE_SEED 3407

typedef struct {
    int T;               /* block size */
    int sequence;        /* 1: the sequence layout, else the context layout */
    int split_kind;      /* mm_split_kind */
    uint64_t split_seed;
    int tokens;          /* MM_TOKENS_CHAR (0) or MM_TOKENS_WORD */
    int min_count;       /* word tokens: a word is kept if seen this often in train (0 reads as 1) */
    /* The ordered split's train and dev sizes: a count of tokens (>= 1; an
     * item's ends not counted), or a fraction (< 1) of all tokens; 0 0 is
     * 0.8 0.1. Train takes items in file order while fewer than sizes[0]
     * tokens came before, dev likewise, test the rest. */
    double sizes[2];
    /* The paper's conventions (Bengio et al. 2003 ran Brown as one text):
     * stream, the context layout with each split one running text, the
     * contexts crossing lines and no end-of-item targets (the first context
     * of a split is stop tokens); vocab_all, word tokens counted over the
     * whole file instead of the training split. */
    int stream, vocab_all;
} mm_data_opts;

typedef struct {
    mm_split split[MM_NSPLITS];
    size_t nwords[MM_NSPLITS];
    uint32_t *order;  /* (nwords) word indices in split order: train, dev, test */
} mm_dataset;

/* Encodes every word with vocab, splits them and builds the examples. A
 * character missing from vocab, or an item too long for a sequence block,
 * is an error naming the file (name) and line; so is stream with the
 * sequence layout. */
mm_status mm_dataset_build(mm_dataset *d, const mm_words *w, const mm_vocab *v, const mm_data_opts *o,
                           const char *name, mm_err *err);
void mm_dataset_free(mm_dataset *d);
/* The vocabulary of w as o asks, then w's tokens made ids of it: character
 * tokens, the file's own characters (mm_vocab_build); word tokens, the
 * words of the training split seen o->min_count times (mm_vocab_build_words).
 * With given non-NULL (a checkpoint's), v is a copy of it instead, and w is
 * bound to it. */
mm_status mm_data_vocab(mm_vocab *v, mm_words *w, const mm_data_opts *o, const mm_vocab *given, const char *name,
                        mm_err *err);
/* Bytes mm_dataset_build allocates: the examples' ids and targets, 4 bytes
 * each, and the split order of the items. */
uint64_t mm_dataset_mem(const mm_words *w, const mm_data_opts *o);

/* The item order of each split kind: order (n) receives indices 0..n-1
 * permuted, cut[0..3] the split boundaries in it (train [cut0, cut1), dev
 * [cut1, cut2), test [cut2, cut3)). */
void mm_split_order(uint32_t *order, size_t n, int split_kind, uint64_t split_seed, size_t cut[4]);
/* The same for any split kind (the ordered split needs the items' lengths). */
void mm_split_items(uint32_t *order, const mm_words *w, const mm_data_opts *o, size_t cut[4]);
/* "TRAIN/DEV" (or "TRAIN/DEV/rest"), each a count of tokens or a fraction,
 * into sizes, checked; errors name --split-sizes. */
mm_status mm_split_sizes_parse(const char *text, double sizes[2], mm_err *err);
/* "char" or "word": MM_TOKENS_*, else -1. */
int mm_tokens_parse(const char *name);
const char *mm_tokens_name(int tokens);
/* Checks an ordered split's sizes, naming --split-sizes. */
mm_status mm_split_sizes_check(const double sizes[2], mm_err *err);

/* The generator the initial weights are drawn from: torch's seeded with
 * seed; but when the split is makemore.py's with the same seed, the split's
 * generator after its randperm over nwords items, as makemore.py's one
 * global generator goes on from the split to the model's construction (the
 * kinds draw in torch's order, so --preset makemore-TYPE starts from
 * makemore.py's initial weights). */
mm_status mm_init_rng(mm_rng *r, uint64_t seed, int split_kind, uint64_t split_seed, size_t nwords, mm_err *err);

const char *mm_split_name(int which);
/* MM_TRAIN/MM_DEV/MM_TEST for "train"/"dev"/"test" ("val" too), else -1 */
int mm_split_parse(const char *name);
/* MM_SPLIT_LECTURE/MAKEMORE/ORDERED for "lecture"/"makemore"/"ordered", else -1 */
int mm_split_kind_parse(const char *name);
const char *mm_split_kind_name(int kind);

#endif
