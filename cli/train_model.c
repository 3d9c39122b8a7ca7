#include "train_model.h"

#include <stdio.h>
#include <string.h>

#include "kind.h"

static const char *const OPTIM_NAMES[] = {"sgd", "momentum", "adamw"};

const char *model_kind_name(int kind)
{
    const mm_kind *k = mm_kind_at(kind);
    return k ? k->name : "?";
}

const char *optim_kind_name(int kind)
{
    return kind >= 0 && kind < 3 ? OPTIM_NAMES[kind] : "?";
}

static int lookup_name(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

int model_flags_kind(const model_flags *f) { return mm_kind_find(f->model); }

void model_flags_defaults(model_flags *f)
{
    memset(f, 0, sizeof *f);
    f->model = "mlp";
    f->optimizer = "sgd";
    f->n_layers = 1;
    f->n_heads = 1;
    f->bn_momentum = 0.001; /* the lecture's; torch's default 0.1 follows ~10 batches only */
    f->momentum = 0.9;
    f->beta1 = 0.9;
    f->beta2 = 0.999;
    f->eps = 1e-8;
}

void model_flags_specs(arg_spec *s, model_flags *f)
{
    static char model_help[640];
    snprintf(model_help, sizeof model_help, "%s (default mlp, the lecture's); --model list describes them",
             mm_kind_names());
    arg_spec specs[MODEL_NSPECS] = {
        {"--preset", NULL, ARG_STRING, &f->preset, 0, 0, "lecture (the defaults), best, small, or makemore-TYPE (makemore.py's settings for its model type TYPE): flags given too override it", 0},
        {"--model", NULL, ARG_STRING, &f->model, 0, 0, model_help, 0},
        {"--n-layers", NULL, ARG_INT, &f->n_layers, 1, 64, "layers, for the models that take it (default: the model's)", 0},
        {"--n-head", NULL, ARG_INT, &f->n_heads, 1, 1024, "attention heads, for the models that take it (default: the model's)", 0},
        {"--bn-momentum", NULL, ARG_DOUBLE, &f->bn_momentum, 1e-6, 1, "batch norm running-statistics momentum (default 0.001)", 0},
        {"--dropout", NULL, ARG_DOUBLE, &f->dropout, 0, 0.95, "in training, zero each unit of the character embeddings entering the cell with this probability (rnn, gru; default 0)", 0},
        {"--direct", NULL, ARG_FLAG, &f->direct, 0, 0, "mlp: direct connections embeddings -> logits (E03)", 0},
        {"--optimizer", NULL, ARG_STRING, &f->optimizer, 0, 0, "sgd (lecture), momentum or adamw", 0},
        {"--momentum", NULL, ARG_DOUBLE, &f->momentum, 0, 0.999999, "momentum: coefficient (default 0.9)", 0},
        {"--beta1", NULL, ARG_DOUBLE, &f->beta1, 0, 0.999999, "adamw: beta1 (default 0.9)", 0},
        {"--beta2", NULL, ARG_DOUBLE, &f->beta2, 0, 0.999999, "adamw: beta2 (default 0.999)", 0},
        {"--eps", NULL, ARG_DOUBLE, &f->eps, 1e-30, 1, "adamw: epsilon (default 1e-8)", 0},
        {"--warmup-steps", NULL, ARG_LONG, &f->warmup, 0, 1e12, "linear warmup steps (default 0)", 0},
        {"--min-lr", NULL, ARG_DOUBLE, &f->min_lr, 0, 1e6, "cosine schedule: final learning rate (default 0)", 0},
    };
    memcpy(s, specs, sizeof specs);
}

/* Each preset is a list of flags, as if typed before the user's own. The
 * numbers come from the experiments in docs/RESULTS.md. */
typedef struct {
    const char *name;
    const char *argv[32];
} preset;

/* --lr-find 0: the rate is chosen already, and a GRU's sweep is slow in
 * its last quarter, where the loss has exploded and a step costs many
 * ordinary ones: it would spend a large share of best's five minutes on a
 * plot. --threads 1: at these widths a second thread saves little, and when the
 * other core is busy an OpenMP barrier can wait a whole time slice per
 * kernel (docs/THREADS.md), so one thread keeps the five-minute
 * budget of --preset best predictable. Both are makemore.py's GRU, which
 * generalised best of the kinds for its time (docs/RESULTS.md): batches of
 * 64 whole names, AdamW with a short warmup and a cosine schedule; best
 * with wide embeddings and dropout on them, which let a wider model train
 * without fitting the training names more closely than the dev ones. */
static const preset PRESETS[] = {
    {"lecture", {NULL}},
    {"best", {"--model", "gru", "--n-embd", "256", "--n-hidden", "256", "--dropout", "0.5",
              "--batch-size", "64", "--optimizer", "adamw", "--learning-rate", "0.002", "--lr-schedule",
              "cosine", "--min-lr", "0.00002", "--warmup-steps", "200", "--weight-decay", "0.2",
              "--max-steps", "12000", "--threads", "1", "--lr-find", "0", NULL}},
    {"small", {"--model", "gru", "--n-embd", "16", "--n-hidden", "48", "--batch-size", "64",
               "--optimizer", "adamw", "--learning-rate", "0.003", "--lr-schedule", "cosine",
               "--min-lr", "0.00003", "--warmup-steps", "200", "--weight-decay", "0.01",
               "--max-steps", "25000", "--threads", "1", "--lr-find", "0", NULL}},
};

#define MAKEMORE_PRESET "makemore-"

/* --preset makemore-TYPE: makemore.py's settings for the kind whose
 * makemore_type is TYPE (kind.h): AdamW at a constant 5e-4, weight decay
 * 0.01, betas 0.9 and 0.99, eps 1e-8, batches of 32, its split and seed 3407,
 * and of its sizes (n_embd 64, n_embd2 64, 4 layers, 4 heads) those the kind
 * takes; the block is the kind's default (the longest item + 1). Fills argv
 * (room for 40) and returns 1, or 0 if no kind has that type. */
static int makemore_preset(const char *name, const char **argv)
{
    if (strncmp(name, MAKEMORE_PRESET, strlen(MAKEMORE_PRESET))) return 0;
    const char *type = name + strlen(MAKEMORE_PRESET);
    const mm_kind *k = NULL;
    for (int i = 0; i < mm_kind_count() && !k; i++)
        if (mm_kind_at(i) && mm_kind_at(i)->makemore_type && !strcmp(mm_kind_at(i)->makemore_type, type))
            k = mm_kind_at(i);
    if (!k) return 0;
    static const char *const common[] = {"--optimizer", "adamw", "--learning-rate", "0.0005", "--lr-decay", "1",
                                         "--weight-decay", "0.01", "--beta1", "0.9", "--beta2", "0.99", "--eps",
                                         "1e-8", "--batch-size", "32", "--split", "makemore", "--seed", "3407"};
    static const struct { unsigned use; const char *flag, *value; } sizes[] = {
        {MM_USES_EMBD, "--n-embd", "64"}, {MM_USES_HIDDEN, "--n-hidden", "64"},
        {MM_USES_LAYERS, "--n-layers", "4"}, {MM_USES_HEADS, "--n-head", "4"}};
    int n = 0;
    argv[n++] = "--model";
    argv[n++] = k->name;
    for (size_t i = 0; i < sizeof common / sizeof *common; i++) argv[n++] = common[i];
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (k->uses & sizes[i].use) argv[n++] = sizes[i].flag, argv[n++] = sizes[i].value;
    argv[n] = NULL;
    return 1;
}

static const char *find_preset_name(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--preset") && i + 1 < argc) name = argv[++i];
        else if (!strncmp(argv[i], "--preset=", 9)) name = argv[i] + 9;
    }
    return name;
}

int model_preset_apply(arg_spec *specs, int nspecs, int argc, char **argv)
{
    const char *name = find_preset_name(argc, argv);
    if (!name) return 0;
    const int npresets = (int)(sizeof PRESETS / sizeof *PRESETS);
    const char *argv_mm[40], *const *flags = NULL;
    for (int i = 0; i < npresets && !flags; i++)
        if (!strcmp(PRESETS[i].name, name)) flags = PRESETS[i].argv;
    if (!flags && makemore_preset(name, argv_mm)) flags = argv_mm;
    if (flags) {
        int n = 0;
        while (flags[n]) n++;
        char msg[512];
        if (args_parse(specs, nspecs, n, (char **)flags, msg, sizeof msg))
            return cli_error("--preset %s: %s", name, msg);
        return 0;
    }
    char names[512];
    size_t len = 0;
    for (int i = 0; i < npresets && len < sizeof names; i++)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", PRESETS[i].name);
    for (int i = 0; i < mm_kind_count() && len < sizeof names; i++)
        if (mm_kind_at(i) && mm_kind_at(i)->makemore_type)
            len += (size_t)snprintf(names + len, sizeof names - len, ", " MAKEMORE_PRESET "%s",
                                    mm_kind_at(i)->makemore_type);
    return cli_error("--preset '%s': expected one of %s", name, names);
}

int model_flags_list(const model_flags *f)
{
    if (strcmp(f->model, "list")) return 0;
    for (int i = 0; i < mm_kind_count(); i++) {
        const mm_kind *k = mm_kind_at(i);
        if (k) printf("%-12s %s\n", k->name, k->summary);
    }
    return 1;
}

void model_flags_sizes(model_flags *f, const arg_spec *specs, int nspecs, int *block_size,
                       int *n_embd, int *n_hidden)
{
    const mm_kind *k = mm_kind_at(mm_kind_find(f->model));
    if (!k) return;
    if (!args_seen(specs, nspecs, "--block-size")) *block_size = k->def_block;
    if (!args_seen(specs, nspecs, "--n-embd")) *n_embd = k->def_embd;
    if (!args_seen(specs, nspecs, "--n-hidden")) *n_hidden = k->def_hidden;
    if (!args_seen(specs, nspecs, "--n-layers")) f->n_layers = k->def_layers;
    if (!args_seen(specs, nspecs, "--n-head")) f->n_heads = k->def_heads;
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

static int refuse_flag(const char *flag, const mm_kind *k)
{
    char takes[256] = "";
    size_t len = 0;
    for (int i = 0; i < NKIND_FLAGS && len < sizeof takes; i++)
        if (k->uses & KIND_FLAGS[i].use)
            len += (size_t)snprintf(takes + len, sizeof takes - len, "%s%s", len ? ", " : "", KIND_FLAGS[i].flag);
    return cli_error("%s is not a setting of --model %s (it takes %s)", flag, k->name, len ? takes : "none of the model flags");
}

int model_flags_check(const model_flags *f, const arg_spec *specs, int nspecs, int batch_size, int resume)
{
    const mm_kind *k = mm_kind_at(mm_kind_find(f->model));
    if (!k) return cli_error("--model '%s': expected %s (--model list describes them)", f->model, mm_kind_names());
    if (lookup_name(OPTIM_NAMES, 3, f->optimizer) < 0)
        return cli_error("--optimizer '%s': expected sgd, momentum or adamw", f->optimizer);
    if (resume) return 0; /* the checkpoint's kind decides: model_flags_check_resume */
    for (int i = 0; i < NKIND_FLAGS; i++) {
        if (args_seen(specs, nspecs, KIND_FLAGS[i].flag) && !(k->uses & KIND_FLAGS[i].use))
            return refuse_flag(KIND_FLAGS[i].flag, k);
    }
    if ((k->uses & MM_USES_BN) && batch_size < 2)
        return cli_error("--batch-size %d: batch norm needs at least 2 rows", batch_size);
    return 0;
}

void model_flags_apply(const model_flags *f, mm_config *c, mm_train_config *tc)
{
    c->kind = mm_kind_find(f->model);
    const mm_kind *k = mm_kind_at(c->kind);
    c->n_layers = k->uses & MM_USES_LAYERS ? f->n_layers : 0;
    c->n_heads = k->uses & MM_USES_HEADS ? f->n_heads : 0;
    c->direct = f->direct;
    c->bn_momentum = (float)f->bn_momentum;
    c->dropout = (float)f->dropout;
    tc->optim.kind = (mm_optim_kind)lookup_name(OPTIM_NAMES, 3, f->optimizer);
    tc->optim.momentum = f->momentum;
    tc->optim.beta1 = f->beta1;
    tc->optim.beta2 = f->beta2;
    tc->optim.eps = f->eps;
    tc->sched.warmup = f->warmup;
    tc->sched.min_lr = f->min_lr;
}

static int resume_mismatch(const char *flag, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    return cli_error("%s disagrees with the checkpoint (model %s, %d layers, %d heads%s, bn momentum %g, "
                     "dropout %g, optimizer %s); drop it to resume, or train afresh in another -o folder", flag,
                     model_kind_name(c->kind), c->n_layers, c->n_heads, c->direct ? ", direct" : "",
                     (double)c->bn_momentum, (double)c->dropout, optim_kind_name(r->train.optim.kind));
}

int model_flags_check_resume(const model_flags *f, const arg_spec *specs, int nspecs, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    if (args_seen(specs, nspecs, "--model") && mm_kind_find(f->model) != c->kind)
        return resume_mismatch("--model", r);
    if (args_seen(specs, nspecs, "--n-layers") && f->n_layers != c->n_layers)
        return resume_mismatch("--n-layers", r);
    if (args_seen(specs, nspecs, "--n-head") && f->n_heads != c->n_heads)
        return resume_mismatch("--n-head", r);
    if (args_seen(specs, nspecs, "--direct") && !c->direct) return resume_mismatch("--direct", r);
    if (args_seen(specs, nspecs, "--bn-momentum") && (float)f->bn_momentum != c->bn_momentum)
        return resume_mismatch("--bn-momentum", r);
    if (args_seen(specs, nspecs, "--dropout") && (float)f->dropout != c->dropout)
        return resume_mismatch("--dropout", r);
    if (args_seen(specs, nspecs, "--optimizer") &&
        lookup_name(OPTIM_NAMES, 3, f->optimizer) != (int)r->train.optim.kind)
        return resume_mismatch("--optimizer", r);
    return 0;
}
