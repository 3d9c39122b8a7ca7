/* Interpolating a model's next-token distribution with an n-gram model
 * (ngram.h): p = w * p_model + (1 - w) * p_ngram, the weight w fixed or
 * fitted on the dev split (Bengio et al. 2003, section 4, fitted it on
 * validation data). Every kind mixes: a context model's targets are its
 * examples, a sequence model's the positions of its items that have a
 * target; the n-gram walks the same items in the same order (either token
 * mode: it sees only ids).
 *
 * The n-gram is recounted from the training split every time: counting is
 * fast and deterministic, so the checkpoint format need not change and
 * `eval` gets the same numbers as `train`. */
#ifndef MM_MIX_H
#define MM_MIX_H

#include "ngram.h"
#include "model.h"

typedef struct {
    int order;                    /* 1..MM_NGRAM_MAX_ORDER */
    int smoothing;                /* mm_ngram_smoothing */
    double weight;                /* on the model in [0, 1]; NAN: fitted on dev. A fixed 0 is
                                     the n-gram alone: the model does not run */
} mm_mix_opts;

typedef struct {
    int order, smoothing, fitted;
    double weight;                /* on the model, in [0, 1] */
    double mlp_loss[MM_NSPLITS];  /* NAN where not computed */
    double ngram_loss[MM_NSPLITS];
    double mix_loss[MM_NSPLITS];
} mm_mix_result;

/* out[i] = the model's probability of the split's i-th target (ignored
 * targets skipped: s->ntargets of them), in evaluation mode. */
mm_status mm_model_target_probs(const mm_model *m, const mm_split *s, int nthreads, double *out, mm_err *err);
/* Mean -log(w a_i + (1 - w) b_i). */
double mm_mix_loss(const double *a, const double *b, size_t n, double w);
/* The w in [0, 1] minimising mm_mix_loss (a convex function of w), by
 * golden-section search to within 1e-9. */
double mm_mix_fit(const double *a, const double *b, size_t n);
/* Counts the n-gram on d's training split, fits the weight on dev (unless
 * fixed) and fills in the losses of the splits in the mask splits (bit
 * 1 << MM_TRAIN, ...; dev too when the weight is fitted). The splits must
 * be built for m's layout and block size. */
mm_status mm_mix_run(const mm_model *m, const mm_dataset *d, const mm_mix_opts *o, unsigned splits, int nthreads,
                     mm_mix_result *r, mm_err *err);
/* "abs" or "kn", and back (-1: neither). */
const char *mm_ngram_smoothing_name(int smoothing);
int mm_ngram_smoothing_parse(const char *name);

#endif
