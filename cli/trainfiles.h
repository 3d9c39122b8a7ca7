/* What `makemore train` writes beside model.bin and log.csv: the
 * learning-rate sweep (lr_find.csv/.svg), loss.svg, embedding.svg and
 * report.html (with the interactive panel of make web, when it is
 * there), and the n-gram mixture of --mix-ngram. */
#ifndef MM_TRAINFILES_H
#define MM_TRAINFILES_H

#include "inspect.h"
#include "lrfind.h"
#include "mix.h"
#include "cli.h"

typedef struct {
    const char *workdir;
    int lrfind_count;      /* --lr-find: steps of the sweep, 0 to skip */
    mm_mix_opts mix_opts;  /* --mix-ngram N (order 0: none), --mix-smoothing, --mix-weight */
    int dev_only;          /* --eval-dev-only: the mixture too skips the training split */
    int nthreads;
    double t_start;        /* when the command started */
    const char *resume_changes; /* settings --resume changed ("" or NULL: none) */
    long resume_step;      /* the step they apply from */
    double eval_seconds;   /* spent in --eval-every evaluations */
    double lrfind_seconds;
    int have_lr;
    mm_lrfind lr;
    int have_sat;
    mm_saturation sat;     /* tanh units of the initial model */
    mm_keepbest best;      /* --keep-best / --patience, as the run ended */
    /* filled by trainfiles_after */
    double final_train, final_dev;
    int have_mix;
    mm_mix_result mix;
} trainfiles;

/* Before the first step. A fresh run measures its initial model's tanh
 * saturation and runs the lecture's learning-rate sweep on a copy of it
 * (own generator: the run's batches are unchanged); a resumed run picks up
 * DIR/lr_find.csv if there is one. Returns 0 or the exit status. */
int trainfiles_before(trainfiles *t, const mm_run *r, const cli_data *d, int fresh);
/* After the last step and the final evaluation (final_train/final_dev set):
 * the final losses join log.csv, then the figures, the n-gram mixture and
 * report.html are written. Returns 0 or the exit status. */
int trainfiles_after(trainfiles *t, const mm_run *r, const cli_data *d);
void trainfiles_free(trainfiles *t);
/* The n-gram mixture's lines for the text summary, and its JSON fields
 * (", \"mix_weight\": ..."), when --mix-ngram was given. */
void trainfiles_print(const trainfiles *t, FILE *out);
void trainfiles_json(const trainfiles *t, mm_json *j);
/* eval --mix-ngram: the same mixture for a loaded checkpoint (recounted
 * and refitted: deterministic, so it matches what train printed), for the
 * split only (or train and dev when only < 0), as lines on stdout or, with
 * j, as fields of j. 0 or the exit status. */
int trainfiles_eval_mix(const mm_run *r, const cli_data *d, const mm_mix_opts *o, int only, int nthreads,
                        mm_json *j);
/* --mix-smoothing NAME and --mix-weight W (< 0: fit on dev) into o;
 * 0 or the exit status. */
int trainfiles_mix_opts(mm_mix_opts *o, int order, const char *smoothing, double weight);
/* Training stopped because err's write (log.csv, events, model.bin) failed:
 * one line with where ckpt stands (saved_step, or -1 for none of this run).
 * Returns the exit status. */
int trainfiles_write_failed(const mm_err *err, const char *ckpt, long saved_step);
/* DIR/lr_find.csv and DIR/lr_find.svg of a sweep; 0 or the exit status. */
int trainfiles_save_lrfind(const char *dir, const mm_lrfind *f);

#endif
