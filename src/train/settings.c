#include "settings.h"

#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "kind.h"
#include "memory.h"
#include "ngram.h"

#define AT(field) offsetof(mm_settings, field)
#define LECTURE_SEED 2147483647ull

static const mm_setting TABLE[] = {
    {"--preset", NULL, MM_VAL_STRING, AT(preset), 0, 0, "lecture (the defaults), best, small, or makemore-TYPE (makemore.py's settings for its model type TYPE): flags given too override it"},
    {"--model", NULL, MM_VAL_STRING, AT(model), 0, 0, NULL /* the kinds' names: mm_setting_at */},
    {"--max-steps", NULL, MM_VAL_LONG, AT(max_steps), 0, 1e12, "training steps (default 200000; 0 only evaluates)"},
    {"--batch-size", "-b", MM_VAL_INT, AT(batch_size), 1, 1 << 20, "minibatch size (default 32)"},
    {"--learning-rate", "-l", MM_VAL_DOUBLE, AT(learning_rate), 0, 1e6, "initial learning rate (default 0.1)"},
    {"--lr-schedule", NULL, MM_VAL_STRING, AT(schedule), 0, 0, "step (lecture), inv: lr/(1+rate*t), or cosine down to --min-lr"},
    {"--lr-decay", NULL, MM_VAL_DOUBLE, AT(lr_decay), 0, 1e6, "step schedule: factor at the decay step (default 0.1)"},
    {"--lr-decay-step", NULL, MM_VAL_LONG, AT(lr_decay_step), 0, 1e12, "step: when to decay (default max-steps/2); cosine: where it ends (default max-steps)"},
    {"--lr-decay-rate", NULL, MM_VAL_DOUBLE, AT(lr_rate), 0, 1e6, "inv schedule: rate r (default 1e-4)"},
    {"--warmup-steps", NULL, MM_VAL_LONG, AT(warmup), 0, 1e12, "linear warmup steps (default 0)"},
    {"--min-lr", NULL, MM_VAL_DOUBLE, AT(min_lr), 0, 1e6, "cosine schedule: final learning rate (default 0)"},
    {"--weight-decay", NULL, MM_VAL_DOUBLE, AT(weight_decay), 0, 1e6, "on weights and embeddings: L2 for sgd/momentum, decoupled for adamw (default 0)"},
    {"--optimizer", NULL, MM_VAL_STRING, AT(optimizer), 0, 0, NULL /* the optimizers' names */},
    {"--momentum", NULL, MM_VAL_DOUBLE, AT(momentum), 0, 0.999999, "momentum: coefficient (default 0.9)"},
    {"--beta1", NULL, MM_VAL_DOUBLE, AT(beta1), 0, 0.999999, "adamw: beta1 (default 0.9)"},
    {"--beta2", NULL, MM_VAL_DOUBLE, AT(beta2), 0, 0.999999, "adamw: beta2 (default 0.999)"},
    {"--eps", NULL, MM_VAL_DOUBLE, AT(eps), 1e-30, 1, "adamw: epsilon (default 1e-8)"},
    {"--block-size", NULL, MM_VAL_INT, AT(block_size), 1, MM_MAX_BLOCK, "context length in tokens (default: the model's; mlp 3)"},
    {"--n-embd", NULL, MM_VAL_INT, AT(n_embd), 1, 65536, "embedding width (default: the model's; mlp 10)"},
    {"--n-hidden", NULL, MM_VAL_INT, AT(n_hidden), 1, 65536, "hidden units (default: the model's; mlp 200)"},
    {"--n-layers", NULL, MM_VAL_INT, AT(n_layers), 1, 64, "layers, for the models that take it (default: the model's)"},
    {"--n-head", NULL, MM_VAL_INT, AT(n_heads), 1, 1024, "attention heads, for the models that take it (default: the model's)"},
    {"--bn-momentum", NULL, MM_VAL_DOUBLE, AT(bn_momentum), 1e-6, 1, "batch norm running-statistics momentum (default 0.001)"},
    {"--dropout", NULL, MM_VAL_DOUBLE, AT(dropout), 0, 0.95, "in training, zero each unit of the embeddings entering the cell (rnn, gru), or of the embeddings and hidden units (mlp), with this probability (default 0)"},
    {"--direct", NULL, MM_VAL_FLAG, AT(direct), 0, 0, "mlp: direct connections embeddings -> logits (E03)"},
    {"--init", NULL, MM_VAL_STRING, AT(init), 0, 0, "torch (lecture) or scaled (first loss near uniform)"},
    {"--seed", NULL, MM_VAL_U64, AT(seed), 0, 0, "generator seed for init and batches (default 2147483647; equal to the makemore split's seed, the split's generator goes on, as makemore.py's)"},
    {"--split", NULL, MM_VAL_STRING, AT(split), 0, 0, "lecture (Python's shuffle, 80/10/10 train/dev/test) or makemore (makemore.py's: torch.randperm, the last min(1000, n/10) test, no dev)"},
    {"--tokens", NULL, MM_VAL_STRING, AT(tokens), 0, 0, "char (default: each character a token) or word (each line split at white space; </s> ends an item, <unk> stands for every word seen fewer than --min-count times in the training split)"},
    {"--min-count", NULL, MM_VAL_INT, AT(min_count), 1, 1 << 30, "--tokens word: keep the words seen at least K times in the training split (default 1)"},
    {"--vocab-from", NULL, MM_VAL_STRING, AT(vocab_from), 0, 0, "--tokens word: count the vocabulary over the training split (train, default) or the whole file (all, the paper's convention)"},
    {"--stream", NULL, MM_VAL_FLAG, AT(stream), 0, 0, "--tokens word: each split one running text, contexts crossing lines and no end-of-line token (the paper's convention; models of whole items refuse it)"},
    {"--split-sizes", NULL, MM_VAL_STRING, AT(split_sizes), 0, 0, "--split ordered: TRAIN/DEV in tokens (800000/200000) or fractions (default 0.8/0.1); test is the rest"},
    {"--epochs", NULL, MM_VAL_DOUBLE, AT(epochs), 0, 1e9, "train ceil(N x training examples / batch) steps of random minibatches instead of --max-steps"},
    {"--split-seed", NULL, MM_VAL_U64, AT(split_seed), 0, 0, "the split's seed (default 42 for lecture, 3407 for makemore)"},
    {"--threads", "-t", MM_VAL_INT, AT(threads), 0, 1024, "threads (default 0: all cores; more than the cores: clamped, with a warning)"},
    {"--lr-find", NULL, MM_VAL_INT, AT(lr_find), 0, 1000000, "steps of the learning-rate sweep for lr_find.svg (default 1000; 0: none; the command line's only)"},
    {"--mix-ngram", NULL, MM_VAL_INT, AT(mix_ngram), 0, MM_NGRAM_MAX_ORDER, "mix with an n-gram of this order (1..6), weight fitted on dev unless --mix-weight (default 0: no)"},
    {"--mix-smoothing", NULL, MM_VAL_STRING, AT(mix_smoothing), 0, 0, "the mixed n-gram's smoothing: abs (absolute discounting, default) or kn (interpolated modified Kneser-Ney)"},
    {"--mix-weight", NULL, MM_VAL_DOUBLE, AT(mix_weight), 0, 1, "the mixture's weight on the model, fixed (default: fitted on dev)"},
};
#define NTABLE ((int)(sizeof TABLE / sizeof *TABLE))
_Static_assert(NTABLE <= MM_SETTINGS_MAX, "raise MM_SETTINGS_MAX");

int mm_settings_count(void) { return NTABLE; }

const mm_setting *mm_setting_at(int i)
{
    static mm_setting named[2];
    static char model_help[640], optim_help[160];
    if (i < 0 || i >= NTABLE) return NULL;
    if (TABLE[i].help) return &TABLE[i];
    /* the two lists of names come from their registries */
    int model = TABLE[i].offset == AT(model);
    mm_setting *s = &named[model];
    *s = TABLE[i];
    if (model) {
        snprintf(model_help, sizeof model_help, "%s (default mlp, the lecture's); --model list describes them",
                 mm_kind_names());
        s->help = model_help;
    } else {
        snprintf(optim_help, sizeof optim_help, "%s (default sgd, the lecture's); --optimizer list describes them",
                 mm_optim_names());
        s->help = optim_help;
    }
    return s;
}

int mm_setting_find(const char *name)
{
    if (!name) return -1;
    if (!strncmp(name, "--", 2)) name += 2;
    for (int i = 0; i < NTABLE; i++) {
        const char *t = TABLE[i].name + 2, *n = name;
        while (*t && (*n == *t || (*n == '_' && *t == '-'))) t++, n++;
        if (!*t && !*n) return i;
    }
    return -1;
}

void *mm_setting_value(mm_settings *s, int i) { return (char *)s + TABLE[i].offset; }

int mm_settings_given(const mm_settings *s, const char *name)
{
    int i = mm_setting_find(name);
    return i >= 0 && s->given[i];
}

void mm_settings_defaults(mm_settings *s)
{
    memset(s, 0, sizeof *s);
    s->model = "mlp";
    s->optimizer = "sgd";
    s->schedule = "step";
    s->init = "torch";
    s->split = "lecture";
    s->tokens = "char";
    s->min_count = 1;
    s->vocab_from = "train";
    s->max_steps = 200000;
    s->batch_size = 32;
    s->learning_rate = 0.1;
    s->lr_decay = 0.1;
    s->lr_decay_step = -1;
    s->lr_rate = 1e-4;
    s->bn_momentum = 0.001; /* the lecture's; torch's default 0.1 follows ~10 batches only */
    s->momentum = 0.9;
    s->beta1 = 0.9;
    s->beta2 = 0.999;
    s->eps = 1e-8;
    s->seed = LECTURE_SEED;
    s->split_seed = 42;
    s->lr_find = 1000;
    s->mix_smoothing = "abs";
    s->mix_weight = -1;
}

mm_status mm_settings_set(mm_settings *s, const char *name, const char *text, mm_err *err)
{
    int i = mm_setting_find(name);
    if (i < 0) return mm_fail(err, MM_EINVAL, "unknown setting '%s' (the names of makemore train's flags)", name ? name : "");
    if (!text) return mm_fail(err, MM_EINVAL, "%s needs a value", TABLE[i].name);
    if (TABLE[i].offset == AT(preset)) return mm_settings_preset(s, text, err);
    const mm_setting *t = &TABLE[i];
    mm_status st = mm_parse_value(t->type, t->name, text, t->min, t->max, mm_setting_value(s, i), err);
    if (!st) s->given[i] = 1;
    return st;
}

/* The flags only some kinds take, by the kind.h bit that says so. */
static const struct {
    const char *flag;
    unsigned use;
} KIND_FLAGS[] = {
    {"--n-embd", MM_USES_EMBD}, {"--n-hidden", MM_USES_HIDDEN}, {"--n-layers", MM_USES_LAYERS},
    {"--n-head", MM_USES_HEADS}, {"--direct", MM_USES_DIRECT}, {"--init", MM_USES_INIT},
    {"--bn-momentum", MM_USES_BN}, {"--dropout", MM_USES_DROPOUT},
};
#define NKIND_FLAGS ((int)(sizeof KIND_FLAGS / sizeof *KIND_FLAGS))

static mm_status refuse_flag(const char *flag, const mm_kind *k, mm_err *err)
{
    char takes[256] = "";
    size_t len = 0;
    for (int i = 0; i < NKIND_FLAGS && len < sizeof takes; i++)
        if (k->uses & KIND_FLAGS[i].use)
            len += (size_t)snprintf(takes + len, sizeof takes - len, "%s%s", len ? ", " : "", KIND_FLAGS[i].flag);
    return mm_fail(err, MM_EINVAL, "%s is not a setting of --model %s (it takes %s)", flag, k->name,
                   len ? takes : "none of the model flags");
}

static mm_status refuse_stream(const mm_kind *k, mm_err *err)
{
    char takes[256] = "";
    size_t len = 0;
    for (int i = 0; mm_kind_at(i) && len < sizeof takes; i++)
        if (mm_kind_at(i)->layout == MM_LAYOUT_CONTEXT)
            len += (size_t)snprintf(takes + len, sizeof takes - len, "%s%s", len ? ", " : "", mm_kind_at(i)->name);
    return mm_fail(err, MM_EINVAL, "--stream: --model %s reads whole items, from a start token to an end token, "
                   "and cannot take running text; the models of a context can (%s)", k->name, takes);
}

static void kind_sizes(mm_settings *s, const mm_kind *k)
{
    if (!mm_settings_given(s, "--block-size")) s->block_size = k->def_block;
    if (!mm_settings_given(s, "--n-embd")) s->n_embd = k->def_embd;
    if (!mm_settings_given(s, "--n-hidden")) s->n_hidden = k->def_hidden;
    if (!mm_settings_given(s, "--n-layers")) s->n_layers = k->def_layers;
    if (!mm_settings_given(s, "--n-head")) s->n_heads = k->def_heads;
}

static mm_status check_names(const mm_settings *s, mm_err *err)
{
    if (strcmp(s->init, "torch") && strcmp(s->init, "scaled"))
        return mm_fail(err, MM_EINVAL, "--init '%s': expected torch or scaled", s->init);
    if (mm_split_kind_parse(s->split) < 0)
        return mm_fail(err, MM_EINVAL, "--split '%s': expected lecture, makemore or ordered", s->split);
    if (mm_tokens_parse(s->tokens) < 0) return mm_fail(err, MM_EINVAL, "--tokens '%s': expected char or word", s->tokens);
    if (strcmp(s->vocab_from, "train") && strcmp(s->vocab_from, "all"))
        return mm_fail(err, MM_EINVAL, "--vocab-from '%s': expected train or all", s->vocab_from);
    double sizes[2];
    if (s->split_sizes && mm_split_sizes_parse(s->split_sizes, sizes, err)) return MM_EINVAL;
    if (mm_kind_find(s->model) < 0)
        return mm_fail(err, MM_EINVAL, "--model '%s': expected %s (--model list describes them)", s->model,
                       mm_kind_names());
    if (mm_optim_find(s->optimizer) < 0)
        return mm_fail(err, MM_EINVAL, "--optimizer '%s': expected %s", s->optimizer, mm_optim_names());
    if (mm_sched_find(s->schedule) < 0)
        return mm_fail(err, MM_EINVAL, "--lr-schedule '%s': expected %s", s->schedule, mm_sched_names());
    if (strcmp(s->mix_smoothing, "abs") && strcmp(s->mix_smoothing, "kn"))
        return mm_fail(err, MM_EINVAL, "--mix-smoothing '%s': expected abs or kn", s->mix_smoothing);
    if (!s->mix_ngram && (mm_settings_given(s, "--mix-smoothing") || mm_settings_given(s, "--mix-weight")))
        return mm_fail(err, MM_EINVAL, "--mix-smoothing and --mix-weight need --mix-ngram N");
    return MM_OK;
}

/* A counted kind (kn) takes no steps and no learning-rate sweep: asking
 * for them is an error rather than a setting dropped. */
static mm_status counted_kind(mm_settings *s, const mm_kind *k, mm_err *err)
{
    if (!k->fit) return MM_OK;
    if (mm_settings_given(s, "--max-steps") && s->max_steps > 0)
        return mm_fail(err, MM_EINVAL, "--max-steps %ld: a %s model is counted from the training split, not "
                       "trained; leave --max-steps out", s->max_steps, k->name);
    if (mm_settings_given(s, "--lr-find") && s->lr_find > 0)
        return mm_fail(err, MM_EINVAL, "--lr-find: a %s model has no learning rate", k->name);
    if (s->epochs > 0)
        return mm_fail(err, MM_EINVAL, "--epochs: a %s model is counted from the training split, not trained",
                       k->name);
    s->max_steps = 0;
    s->lr_find = 0;
    return MM_OK;
}

mm_status mm_settings_resolve(mm_settings *s, int resume, mm_err *err)
{
    const mm_kind *k = mm_kind_at(mm_kind_find(s->model));
    if (k) kind_sizes(s, k);
    mm_status st = check_names(s, err);
    if (st || resume) return st;
    for (int i = 0; i < NKIND_FLAGS; i++)
        if (mm_settings_given(s, KIND_FLAGS[i].flag) && !(k->uses & KIND_FLAGS[i].use))
            return refuse_flag(KIND_FLAGS[i].flag, k, err);
    if ((k->uses & MM_USES_BN) && s->batch_size < 2)
        return mm_fail(err, MM_EINVAL, "--batch-size %d: batch norm needs at least 2 rows", s->batch_size);
    if (mm_tokens_parse(s->tokens) != MM_TOKENS_WORD)
        for (const char *const *f = (const char *const[]){"--min-count", "--vocab-from", "--stream", NULL}; *f; f++)
            if (mm_settings_given(s, *f)) return mm_fail(err, MM_EINVAL, "%s: only with --tokens word", *f);
    if (s->stream && k->layout == MM_LAYOUT_SEQUENCE) return refuse_stream(k, err);
    if (s->split_sizes && mm_split_kind_parse(s->split) != MM_SPLIT_ORDERED)
        return mm_fail(err, MM_EINVAL, "--split-sizes: only with --split ordered");
    if (s->epochs > 0 && mm_settings_given(s, "--max-steps"))
        return mm_fail(err, MM_EINVAL, "--epochs and --max-steps: give one (an epoch is the training examples over "
                       "the batch size)");
    return counted_kind(s, k, err);
}

void mm_settings_apply(const mm_settings *s, int V, int T, mm_config *c, mm_train_config *tc)
{
    memset(c, 0, sizeof *c);
    memset(tc, 0, sizeof *tc);
    c->kind = mm_kind_find(s->model);
    const mm_kind *k = mm_kind_at(c->kind);
    c->vocab_size = V;
    c->block_size = T;
    c->n_embd = s->n_embd;
    c->n_hidden = s->n_hidden;
    c->n_layers = k->uses & MM_USES_LAYERS ? s->n_layers : 0;
    c->n_heads = k->uses & MM_USES_HEADS ? s->n_heads : 0;
    c->direct = s->direct;
    c->bn_momentum = (float)s->bn_momentum;
    c->dropout = (float)s->dropout;
    tc->max_steps = s->max_steps;
    tc->batch_size = s->batch_size;
    tc->optim = (mm_optim){.weight_decay = s->weight_decay, .kind = (mm_optim_kind)mm_optim_find(s->optimizer),
                           .momentum = s->momentum, .beta1 = s->beta1, .beta2 = s->beta2, .eps = s->eps};
    mm_sched_kind sk = (mm_sched_kind)mm_sched_find(s->schedule);
    tc->sched = (mm_schedule){.kind = sk, .lr = s->learning_rate, .decay = s->lr_decay, .rate = s->lr_rate,
                              .warmup = s->warmup, .min_lr = s->min_lr};
    tc->sched.decay_step = s->lr_decay_step >= 0 ? s->lr_decay_step
                           : sk == MM_SCHED_COSINE ? s->max_steps : s->max_steps / 2;
}

mm_status mm_settings_check_memory(const mm_config *c, int B, uint64_t data_bytes, uint64_t avail, mm_err *err)
{
    /* 2 optimizer slots: the most any optimizer keeps (AdamW) */
    uint64_t need = mm_mem_training(c, mm_config_nparams(c), 2, B) + data_bytes;
    if (need <= avail) return MM_OK;
    return mm_fail(err, MM_ENOMEM, "train: --n-hidden %d, --n-embd %d, --block-size %d and --batch-size %d need "
                   "about %llu MiB of memory, over the %llu MiB available (see docs/LIMITS.md)", c->n_hidden,
                   c->n_embd, c->block_size, B, (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
}
