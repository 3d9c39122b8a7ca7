/* model.bin: everything needed to sample from a model or resume its training.
 * The layout is in docs/FORMAT.md. All integers and floats are little-endian;
 * the file ends with a CRC-32 of all bytes before it. */
#ifndef MM_CHECKPOINT_H
#define MM_CHECKPOINT_H

#include "text.h"
#include "train.h"

#define MM_CKPT_MAGIC "MKMORE\x1a\n"
#define MM_CKPT_VERSION 6 /* 6 added the paper's data conventions (--stream, --vocab-from all),
                             5 word tokens and the ordered split, 4 dropout, 3 the attention
                             heads and the split kind, 2 the optimizer and the deeper models; 1 to
                             5 are still read. A run is written in the oldest version that holds
                             it (3 without dropout, 4 with), which older builds read. */
#define MM_CKPT_HEADER 256
#define MM_MAX_PATH 4096

/* One training run: the model and everything around it that a checkpoint
 * records. */
typedef struct {
    mm_model model;
    mm_vocab vocab;
    mm_train_config train;
    mm_train_state state;
    uint64_t seed;       /* torch generator seed for init and batches */
    uint64_t split_seed; /* Python random.seed for the lecture's split */
    int split_kind;      /* mm_split_kind */
    double split_sizes[2]; /* the ordered split's (mm_data_opts.sizes) */
    int min_count;       /* word tokens: --min-count (vocab.words says the token mode) */
    int stream;          /* --stream: each split one running text (mm_data_opts.stream) */
    int vocab_all;       /* --vocab-from all: the words counted over the whole file */
    int init_kind;       /* mm_init_kind */
    char input[MM_MAX_PATH]; /* the text file trained on */
    /* Which data the run trained on, so --resume can refuse another file:
     * the SHA-256 of its bytes and its item count. data_items 0: unknown
     * (files from before format version 3 recorded it). */
    uint64_t data_items;
    unsigned char data_sha256[32];
} mm_run;

/* Refuses (MM_ENUMERIC) to save parameters that hold a NaN or infinity, so a
 * diverged run never replaces a good checkpoint. */
mm_status mm_checkpoint_save(const mm_run *r, const char *path, mm_err *err);
/* The bytes mm_checkpoint_save writes, in a new buffer for the caller to
 * free; path is used in messages. */
mm_status mm_checkpoint_encode(const mm_run *r, unsigned char **out, size_t *len, const char *path,
                               mm_err *err);
/* Builds r->model and r->vocab from the file; on failure r holds nothing to
 * free. */
mm_status mm_checkpoint_load(mm_run *r, const char *path, mm_err *err);
/* The same from len bytes in memory; path is used in messages. */
mm_status mm_checkpoint_parse(mm_run *r, const unsigned char *buf, size_t len, const char *path,
                              mm_err *err);
void mm_run_free(mm_run *r);
/* The format version r is saved in: 6 with --stream or --vocab-from all,
 * else 5 for word tokens or the ordered split, else 4 with dropout, else 3. */
uint32_t mm_checkpoint_version(const mm_run *r);

#endif
