/* Interpolating a model's next-character distribution with a character
 * n-gram model: p = w * p_model + (1 - w) * p_ngram, with the weight w fitted
 * on the dev split (Bengio et al. 2003 fitted it on validation data too).
 * Both predict from the last characters, so only models of the context
 * layout (kind.h) mix; mm_mix_run refuses the others.
 *
 * The n-gram is recounted from the training split every time: counting
 * names.txt takes milliseconds and is deterministic, so the checkpoint
 * format need not change and `eval` gets the same numbers as `train`. */
#ifndef MM_MIX_H
#define MM_MIX_H

#include "ngram.h"
#include "model.h"

typedef struct {
    int order;
    double weight;                /* on the model, in [0, 1] */
    double mlp_loss[MM_NSPLITS];  /* NAN where not computed */
    double ngram_loss[MM_NSPLITS];
    double mix_loss[MM_NSPLITS];
} mm_mix_result;

/* out[i] = the model's probability of example i's target (context layout). */
mm_status mm_model_target_probs(const mm_model *m, const mm_split *s, double *out, mm_err *err);
/* Mean -log(w a_i + (1 - w) b_i). */
double mm_mix_loss(const double *a, const double *b, size_t n, double w);
/* The w in [0, 1] minimising mm_mix_loss (a convex function of w), by
 * golden-section search to within 1e-9. */
double mm_mix_fit(const double *a, const double *b, size_t n);
/* Counts the n-gram on d's training split, fits the weight on dev and
 * fills in the losses on train and dev, and on test if with_test. */
mm_status mm_mix_run(const mm_model *m, const mm_words *w, const mm_vocab *v, const mm_dataset *d,
                     int order, int with_test, mm_mix_result *r, mm_err *err);

#endif
