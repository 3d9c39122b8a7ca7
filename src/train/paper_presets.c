/* The presets of Bengio et al. 2003's Brown experiments (docs/PAPER.md):
 * paper-mlp1 .. paper-mlp10, the MLP rows of the paper's Table 1;
 * paper-kn5, the Kneser-Ney 5-gram; words-best, our best word model for
 * half an hour on a 2-core machine. All take word tokens with the paper's
 * rare-word merge (seen 3 times or fewer: <unk>) and its split by tokens:
 * the first 800,000 train, the next 200,000 dev, the rest test. */
#include "paper_presets.h"

#include <stdlib.h>
#include <string.h>

#define DATA "tokens", "word", "min-count", "4", "split", "ordered", "split-sizes", "800000/200000"

/* An epoch of Brown's training split is about 840,000 examples: 3,300
 * steps of 256. AdamW with batch 256, as the calibration run, at twice its
 * learning rate and with the step schedule's drop half way, for one epoch:
 * on this machine the network is far from fitting the training split when
 * time runs out, so what pays is learning fast (dropout, tried on the
 * embeddings and hidden units, slowed learning more than it curbed
 * overfitting over the epochs a run here can afford). The scaled init
 * starts the softmax near uniform over the vocabulary instead of a
 * confident mistake. Early stopping on dev (--eval-every N --keep-best
 * --patience P) is the command line's: those are not settings. */
#define TRAIN "optimizer", "adamw", "learning-rate", "0.002", "batch-size", "256", "init", "scaled", \
              "epochs", "1", "lr-find", "0"

/* n, h, m, direct, mixed: the paper's columns. The paper's MLP3 and MLP4
 * have no hidden layer (h = 0, direct connections alone); makemore's mlp
 * needs one unit at least, so they take h = 1, the nearest it has. The
 * mixed rows average the network with the Kneser-Ney trigram at weight
 * 0.5, as the paper averaged its networks with its trigram. */
static const struct {
    const char *block, *hidden, *embd;
    int direct, mixed;
} ROWS[10] = {
    {"4", "50", "60", 1, 0}, {"4", "50", "60", 1, 1}, {"4", "1", "60", 1, 0}, {"4", "1", "60", 1, 1},
    {"4", "50", "30", 1, 0}, {"4", "50", "30", 1, 1}, {"2", "50", "30", 1, 0}, {"2", "50", "30", 1, 1},
    {"4", "100", "30", 0, 0}, {"4", "100", "30", 0, 1},
};

static int append(const char **set, int n, const char *const *list)
{
    for (int i = 0; list[i]; i++) set[n++] = list[i];
    return n;
}

/* N of "paper-mlpN" (1..10, no leading zero), else 0. */
static int mlp_row(const char *name)
{
    const char *p = name + strlen("paper-mlp");
    if (strncmp(name, "paper-mlp", strlen("paper-mlp")) || *p < '1' || *p > '9') return 0;
    char *end;
    long r = strtol(p, &end, 10);
    return *end == 0 && r >= 1 && r <= 10 ? (int)r : 0;
}

int mm_paper_preset(const char *name, const char **set)
{
    static const char *const data[] = {DATA, NULL}, *const train[] = {TRAIN, NULL};
    static const char *const mix[] = {"mix-ngram", "3", "mix-smoothing", "kn", "mix-weight", "0.5", NULL};
    int n, row;
    if (!strcmp(name, "paper-kn5")) {
        static const char *const kn[] = {"model", "kn", "block-size", "4", NULL};
        n = append(set, append(set, 0, kn), data);
    } else if (!strcmp(name, "words-best")) {
        /* MLP1's network and training with the 5-gram mixed in at a weight
         * fitted on dev (the two models' errors differ): half an hour on
         * one core of this machine trains MLP1 to its best dev loss, and
         * the output layer is the cost of a step, so a wider network gets
         * fewer epochs in that time (wider networks were not tried). */
        static const char *const best[] = {"model", "mlp", "block-size", "4", "n-embd", "60", "n-hidden", "50",
                                           "direct", "1", "mix-ngram", "5", "mix-smoothing", "kn", NULL};
        n = append(set, append(set, append(set, 0, best), data), train);
    } else if ((row = mlp_row(name)) > 0) {
        const char *const shape[] = {"model", "mlp", "block-size", ROWS[row - 1].block, "n-embd",
                                     ROWS[row - 1].embd, "n-hidden", ROWS[row - 1].hidden, "direct",
                                     ROWS[row - 1].direct ? "1" : "0", NULL};
        n = append(set, append(set, append(set, 0, shape), data), train);
        if (ROWS[row - 1].mixed) n = append(set, n, mix);
    } else {
        return 0;
    }
    set[n] = NULL;
    return 1;
}
