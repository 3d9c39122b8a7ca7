/* makemore: character-level language models, as a C library.
 *
 * Link with `pkg-config --cflags --libs makemore`. A model is a folder that
 * `makemore train -o DIR` (or makemore_train) wrote: DIR/model.bin.
 *
 * Every function that can fail returns a makemore_status and, when it is
 * not MAKEMORE_OK, leaves one line in err->msg saying what went wrong (err
 * may be NULL). Nothing here prints or exits. Strings are UTF-8. A model is
 * not safe to use from two threads at once; two models are independent.
 *
 *     makemore_error err;
 *     makemore_model *m;
 *     if (makemore_load("out", &m, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
 *     ...
 *     makemore_free(m);
 */
#ifndef MAKEMORE_H
#define MAKEMORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the shared library exports: this header's functions and no more. */
#if defined(__GNUC__) && !defined(MAKEMORE_API)
#define MAKEMORE_API __attribute__((visibility("default")))
#elif !defined(MAKEMORE_API)
#define MAKEMORE_API
#endif

#define MAKEMORE_VERSION_MAJOR 1 /* the shared library's soname: libmakemore.so.1 */
#define MAKEMORE_VERSION_MINOR 0

typedef enum {
    MAKEMORE_OK = 0,
    MAKEMORE_EINVAL,   /* a bad argument or configuration value */
    MAKEMORE_EIO,      /* a file could not be opened, read or written */
    MAKEMORE_EFORMAT,  /* a file's contents are malformed */
    MAKEMORE_ENOMEM,   /* out of memory, or a size limit exceeded */
    MAKEMORE_ENUMERIC, /* training produced a NaN or infinite loss, or a model has
                          NaN or infinite logits (finite weights too large) */
    MAKEMORE_EINTR     /* stopped before the end */
} makemore_status;

typedef struct {
    char msg[512];
} makemore_error;

/* "makemore 1.0": the library's version. */
MAKEMORE_API const char *makemore_version(void);
/* A short constant name for a status: "ok", "invalid argument", ... */
MAKEMORE_API const char *makemore_status_name(makemore_status s);

typedef struct makemore_model makemore_model;

/* Loads DIR/model.bin into a new model for *out (NULL on failure). */
MAKEMORE_API makemore_status makemore_load(const char *dir, makemore_model **out, makemore_error *err);
/* Frees a model; NULL is accepted. */
MAKEMORE_API void makemore_free(makemore_model *m);

/* The vocabulary: id 0 is the start/stop token, shown as "."; ids
 * 1..size-1 are the characters of the training file in code-point order.
 * A word model (train --tokens word): id 0 is the end of an item, shown as
 * "</s>", id 1 is "<unk>", ids 2.. the words, likeliest first. */
MAKEMORE_API int makemore_vocab_size(const makemore_model *m);
/* The UTF-8 of token id, a character or a word (a string owned by the
 * model), or NULL outside 0..size-1. */
MAKEMORE_API const char *makemore_char(const makemore_model *m, int id);
/* 1 for a word model (its prefixes are words split at white space, its
 * items words joined by one space), 0 for a character model. */
MAKEMORE_API int makemore_is_words(const makemore_model *m);
/* The bytes of the longest token's UTF-8 (4 at most for characters). */
MAKEMORE_API size_t makemore_max_token_bytes(const makemore_model *m);
/* The model's kind ("mlp", "wavenet", ...) and its trainable parameters. */
MAKEMORE_API const char *makemore_kind(const makemore_model *m);
MAKEMORE_API size_t makemore_num_params(const makemore_model *m);

typedef struct {
    double temperature; /* > 0; logits are divided by it (1: the model as it is) */
    int top_k;          /* 0: every character; else only the k likeliest */
    uint64_t seed;      /* where the draws start (see makemore_sample) */
    int max_len;        /* characters per item, prefix included; 0: 256, or
                           for makemore.py's kinds block size - 1 (as
                           makemore.py draws) */
    const char *prefix; /* NULL or "": whole items; else items that start with it */
} makemore_sample_opts;

/* temperature 1, top_k 0, the seed `makemore sample` uses by default,
 * max_len 0, no prefix. */
MAKEMORE_API makemore_sample_opts makemore_sample_defaults(void);

/* Draws n items and writes them to buf (cap bytes), each ended by '\n',
 * then a NUL. The draws start from o->seed on each call, so the same
 * options give the same items, and are those of `makemore sample --seed`.
 * n * (4 * max_len + 1) + 1 bytes always suffice for a character model,
 * n * ((makemore_max_token_bytes(m) + 1) * max_len + 1) + 1 for a word
 * model; a smaller buf that turns out too small gives MAKEMORE_ENOMEM. A model whose logits are NaN or
 * infinite gives MAKEMORE_ENUMERIC and a message. */
MAKEMORE_API makemore_status makemore_sample(makemore_model *m, const makemore_sample_opts *o, int n, char *buf,
                                             size_t cap, makemore_error *err);

/* The next-character distribution after prefix (NULL or "": the first
 * character): probs[id] for id 0..vocab_size-1, summing to 1; probs[0] is
 * the probability that the item ends there. For a word model, the next
 * word's after the words of prefix; a word the vocabulary lacks is an
 * error (MAKEMORE_EINVAL; write "<unk>" for the unknown word). MAKEMORE_ENUMERIC when the
 * model's logits are not finite. */
MAKEMORE_API makemore_status makemore_next_probs(makemore_model *m, const char *prefix, double *probs,
                                                 makemore_error *err);

/* The mean loss (nats per token: character or word, the ends of items
 * counted; its exp is the perplexity) on split "train", "dev" or "test" of
 * input, split as when the model was trained (its split seed); input NULL
 * is the file the model was trained on. */
MAKEMORE_API makemore_status makemore_eval(makemore_model *m, const char *split, const char *input, double *loss,
                                           makemore_error *err);

/* Training: the settings of `makemore train`, all optional. Start from
 * makemore_train_defaults(); zero sizes take the kind's defaults. The
 * struct's layout is fixed (a program built against it keeps working);
 * the settings it lacks are reached by name with makemore_train_with. */
typedef struct {
    const char *model;      /* kind: "mlp" (the lecture), "bnmlp", "wavenet", ... */
    int block_size, n_embd, n_hidden, n_layers, n_heads; /* 0: the kind's default */
    long max_steps;         /* 200000; 0 only evaluates the initial model */
    int batch_size;         /* 32 */
    double learning_rate;   /* 0.1 */
    const char *optimizer;  /* "sgd" (the lecture), "momentum" or "adamw" */
    const char *schedule;   /* "step" (lr x lr_decay at lr_decay_step), "inv" or "cosine" */
    double lr_decay;        /* 0.1 */
    long lr_decay_step;     /* -1: half the steps (step), all of them (cosine) */
    double weight_decay;    /* 0 */
    const char *init;       /* "torch" (the lecture) or "scaled" */
    uint64_t seed;          /* 2147483647: init and minibatches, torch's generator */
    uint64_t split_seed;    /* 42: Python's random.seed for the 80/10/10 split */
    int threads;            /* 0: all cores */
} makemore_train_config;

MAKEMORE_API makemore_train_config makemore_train_defaults(void);

/* Trains a model on input (one item per line) and writes DIR/model.bin
 * (the folder is made if missing; an existing model.bin is replaced). On
 * success, when json is not NULL, writes there (cap bytes, NUL included)
 * the summary `makemore train --json` prints: sizes, losses, timing.
 * c NULL: the defaults. */
MAKEMORE_API makemore_status makemore_train(const char *input, const char *dir, const makemore_train_config *c,
                                            char *json, size_t cap, makemore_error *err);

/* makemore_train with any setting of `makemore train` by name, those c
 * lacks included (preset, dropout, warmup-steps, min-lr, momentum, beta1,
 * beta2, eps, bn-momentum, direct, split, lr-decay-rate, ...): settings is
 * NULL or a NULL-terminated list of "name=value" strings, each name a long
 * flag of train without its dashes ('_' may stand for '-'), a flag that
 * takes no value given as direct=1: {"preset=best", "max-steps=500", NULL}.
 * A preset comes first, then c's fields that differ from
 * makemore_train_defaults(), then the other settings in order, so what is
 * given overrides the preset, as on the command line. c NULL: the
 * defaults. Train's flags about the run rather than the model:
 *   save-every=N   DIR/model.bin is saved every N steps too (default 0:
 *                  at the end only; the command line's default is 10000)
 *   mix-ngram=N    the summary gains the n-gram mixture's fields (mix_*,
 *                  ngram_*), as train --json's (context-layout kinds)
 *   num-samples=N  the summary gains "samples", N items as train --json's
 *                  (default 0 here: the command line's is 20)
 *   resume=1       DIR/model.bin goes on to max-steps on input, which must
 *                  be its data; any setting but max-steps, threads and
 *                  these run flags is refused (train --resume can change
 *                  the learning-rate settings)
 *   eval-every=N   the whole train and dev losses every N steps: for
 *                  makemore_train_watch's callback, or for keep-best and
 *                  patience; refused without either
 *   keep-best=1    with eval-every: DIR/best.bin holds the model of the
 *                  best dev loss so far (saved atomically at that
 *                  evaluation; a failed save fails the run)
 *   patience=P     with eval-every: after P evaluations without a better
 *                  dev loss the run ends there, finished (MAKEMORE_OK; a
 *                  resume=1 has nothing left to do), as train --patience
 *                  The summary then gains train --json's best_step,
 *                  best_dev_loss, best_dev_ppl, best_bin, stopped_early;
 *                  with resume=1 an existing best.bin's dev loss is the
 *                  one to beat
 * Refused when not 0, naming the flag: print-every (the library prints
 * nothing; the callback gets every step's loss), lr-find (the sweep is
 * `makemore lr-find`). The figures (loss.svg, embedding.svg, lr_find.svg)
 * and report.html are the command line's: `makemore train` writes them
 * beside log.csv; the library gives their data instead (the callback's
 * losses, makemore_embeddings). */
MAKEMORE_API makemore_status makemore_train_with(const char *input, const char *dir, const makemore_train_config *c,
                                                 const char *const *settings, char *json, size_t cap,
                                                 makemore_error *err);
/* The name of setting i (0, 1, ...) of makemore_train_with, as
 * "max-steps"; NULL after the last. */
MAKEMORE_API const char *makemore_train_setting(int i);

/* Training you can watch: makemore_train_watch calls fn(p, user) between
 * steps, from the thread that called it, with the steps done since the
 * last call: every 256 steps or 0.2 seconds, whichever comes first, at the
 * last step, and every eval_every steps (0: never), where it also gives
 * the loss on the whole train and dev splits. A non-zero return stops the
 * run: DIR/model.bin is saved as it is (as the CLI saves on Ctrl-C), json
 * gets the summary of the steps done, and the status is MAKEMORE_EINTR.
 * Settings as makemore_train_with's; eval_every 0 takes the setting
 * eval-every=N if given. keep-best and patience judge the evaluations of
 * the multiples of eval_every (not the extra one at the last step), and
 * a patience stop is MAKEMORE_OK, not MAKEMORE_EINTR. fn NULL:
 * makemore_train_with. */
typedef struct {
    long step, max_steps;   /* steps done (1-based count of the last step here) */
    double lr, loss;        /* the last step's learning rate and minibatch loss */
    int evaluated;          /* 1: train_loss and dev_loss are set */
    double train_loss, dev_loss;
    int n;                  /* steps step-n+1 .. step: */
    const double *losses;   /* (n) their minibatch losses, */
    const double *lrs;      /* (n) their learning rates (valid during the call) */
} makemore_progress;
typedef int (*makemore_progress_fn)(const makemore_progress *p, void *user);

MAKEMORE_API makemore_status makemore_train_watch(const char *input, const char *dir, const makemore_train_config *c,
                                                  const char *const *settings, makemore_progress_fn fn, void *user,
                                                  long eval_every, char *json, size_t cap, makemore_error *err);

/* Arrays. Each call copies into the caller's memory, so nothing it returns
 * points into the model (which may then be freed). A call given buf NULL
 * only reports the size it needs in *len; a smaller cap than that gives
 * MAKEMORE_ENOMEM. */

/* The model's tensors as the bytes of a safetensors file: the names,
 * shapes and float32 values that `makemore export` writes. */
MAKEMORE_API makemore_status makemore_tensors(makemore_model *m, void *buf, size_t cap, size_t *len,
                                              makemore_error *err);
/* The character embedding, row id for id 0..vocab_size-1: *rows x *cols
 * floats into out (cap floats; out NULL: only the sizes). MAKEMORE_EINVAL
 * for a kind without one (bigram, ...). */
MAKEMORE_API makemore_status makemore_embeddings(const makemore_model *m, float *out, size_t cap, int *rows,
                                                 int *cols, makemore_error *err);
/* makemore_next_probs for each of n prefixes: probs is (n, vocab_size). */
MAKEMORE_API makemore_status makemore_next_probs_batch(makemore_model *m, const char *const *prefixes, int n,
                                                       double *probs, makemore_error *err);
/* The loss of each of n items (nats per character, the item's end
 * included, as makemore_eval counts it): loss[i]; count[i] (may be NULL)
 * the characters scored, length + 1. */
MAKEMORE_API makemore_status makemore_item_losses(makemore_model *m, const char *const *items, int n, double *loss,
                                                  int *count, makemore_error *err);
/* The embedding figure of report.html, an SVG document, NUL-terminated
 * (*len counts the NUL). */
MAKEMORE_API makemore_status makemore_embedding_svg(makemore_model *m, char *buf, size_t cap, size_t *len,
                                                    makemore_error *err);

#ifdef __cplusplus
}
#endif

#endif
