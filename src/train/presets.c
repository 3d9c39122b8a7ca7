/* --preset: named lists of settings, applied as if given before the user's
 * own. The numbers come from the experiments in docs/RESULTS.md. */
#include <stdio.h>
#include <string.h>

#include "kind.h"
#include "paper_presets.h"
#include "settings.h"

typedef struct {
    const char *name;
    const char *set[32]; /* name, value, ..., NULL */
} preset;

/* --lr-find 0: the rate is chosen already, and a GRU's sweep is slow in
 * its last quarter, where the loss has exploded and a step costs many
 * ordinary ones: it would spend a large share of best's time budget on a
 * plot. --threads 1: at these widths a second thread saves little, and when
 * the other core is busy an OpenMP barrier can wait a whole time slice per
 * kernel (docs/RESULTS.md), so one thread keeps the time of --preset best
 * predictable. Both are makemore.py's GRU, which generalised best of the
 * kinds for its time (docs/RESULTS.md): batches of 64 whole names, AdamW
 * with a short warmup and a cosine schedule; best with wide embeddings and
 * dropout on them, which let a wider model train without fitting the
 * training names more closely than the dev ones. */
static const preset PRESETS[] = {
    {"lecture", {NULL}},
    {"best", {"model", "gru", "n-embd", "256", "n-hidden", "256", "dropout", "0.5", "batch-size", "64",
              "optimizer", "adamw", "learning-rate", "0.002", "lr-schedule", "cosine", "min-lr", "0.00002",
              "warmup-steps", "200", "weight-decay", "0.2", "max-steps", "12000", "threads", "1", "lr-find",
              "0", NULL}},
    {"small", {"model", "gru", "n-embd", "16", "n-hidden", "48", "batch-size", "64", "optimizer", "adamw",
               "learning-rate", "0.003", "lr-schedule", "cosine", "min-lr", "0.00003", "warmup-steps", "200",
               "weight-decay", "0.01", "max-steps", "25000", "threads", "1", "lr-find", "0", NULL}},
};
#define NPRESETS ((int)(sizeof PRESETS / sizeof *PRESETS))
#define MAKEMORE_PRESET "makemore-"

static mm_status apply_list(mm_settings *s, const char *const *set, const char *name, mm_err *err)
{
    for (int i = 0; set[i]; i += 2) {
        mm_status st = mm_settings_set(s, set[i], set[i + 1], err);
        if (st) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return mm_fail(err, st, "--preset %s: %s", name, why);
        }
    }
    return MM_OK;
}

/* --preset makemore-TYPE: makemore.py's settings for the kind whose
 * makemore_type is TYPE (kind.h): AdamW at a constant 5e-4, weight decay
 * 0.01, betas 0.9 and 0.99, eps 1e-8, batches of 32, its split and seed
 * 3407, and of its sizes (n_embd 64, n_embd2 64, 4 layers, 4 heads) those
 * the kind takes; the block is the kind's default (the longest item + 1). */
static mm_status makemore_preset(mm_settings *s, const mm_kind *k, const char *name, mm_err *err)
{
    static const char *const common[] = {"optimizer", "adamw", "learning-rate", "0.0005", "lr-decay", "1",
                                         "weight-decay", "0.01", "beta1", "0.9", "beta2", "0.99", "eps",
                                         "1e-8", "batch-size", "32", "split", "makemore", "seed", "3407", NULL};
    static const struct { unsigned use; const char *set[3]; } sizes[] = {
        {MM_USES_EMBD, {"n-embd", "64", NULL}}, {MM_USES_HIDDEN, {"n-hidden", "64", NULL}},
        {MM_USES_LAYERS, {"n-layers", "4", NULL}}, {MM_USES_HEADS, {"n-head", "4", NULL}}};
    const char *model[] = {"model", k->name, NULL};
    mm_status st = apply_list(s, model, name, err);
    if (!st) st = apply_list(s, common, name, err);
    for (size_t i = 0; !st && i < sizeof sizes / sizeof *sizes; i++)
        if (k->uses & sizes[i].use) st = apply_list(s, sizes[i].set, name, err);
    return st;
}

static const mm_kind *makemore_kind(const char *name)
{
    if (strncmp(name, MAKEMORE_PRESET, strlen(MAKEMORE_PRESET))) return NULL;
    const char *type = name + strlen(MAKEMORE_PRESET);
    for (int i = 0; i < mm_kind_count(); i++)
        if (mm_kind_at(i) && mm_kind_at(i)->makemore_type && !strcmp(mm_kind_at(i)->makemore_type, type))
            return mm_kind_at(i);
    return NULL;
}

mm_status mm_settings_preset(mm_settings *s, const char *name, mm_err *err)
{
    int at = mm_setting_find("preset");
    for (int i = 0; i < NPRESETS; i++)
        if (!strcmp(PRESETS[i].name, name)) {
            s->preset = PRESETS[i].name;
            s->given[at] = 1;
            return apply_list(s, PRESETS[i].set, name, err);
        }
    const char *paper[MM_PAPER_PRESET_MAX];
    if (mm_paper_preset(name, paper)) {
        s->preset = name;
        s->given[at] = 1;
        return apply_list(s, paper, name, err);
    }
    const mm_kind *k = makemore_kind(name);
    if (k) {
        s->preset = name;
        s->given[at] = 1;
        return makemore_preset(s, k, name, err);
    }
    char names[512];
    size_t len = 0;
    for (int i = 0; i < NPRESETS && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", PRESETS[i].name);
    for (int i = 0; i < mm_kind_count() && len < sizeof names; i++)
        if (mm_kind_at(i) && mm_kind_at(i)->makemore_type)
            len += (size_t)snprintf(names + len, sizeof names - len, ", " MAKEMORE_PRESET "%s",
                                    mm_kind_at(i)->makemore_type);
    if (len < sizeof names) snprintf(names + len, sizeof names - len, ", " MM_PAPER_PRESET_NAMES);
    return mm_fail(err, MM_EINVAL, "--preset '%s': expected one of %s", name, names);
}
