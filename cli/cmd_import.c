/* makemore import: a model.bin from safetensors weights, such as the
 * state_dict of a model trained by makemore.py, so that sample, eval and
 * export work on it (and train --resume can go on training it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "bytes.h"
#include "cli.h"
#include "kind.h"
#include "resume.h"
#include "safetensors.h"
#include "train_model.h"

#define MAX_ST_BYTES (16ull << 30)

typedef struct {
    const char *st, *input, *workdir;
    int force;
    mm_settings set; /* the model's kind and sizes, the split and the threads */
} import_flags;

static const char *USAGE =
    "usage: makemore import --safetensors FILE --model TYPE [sizes] [-i DATA] [-o DIR]\n"
    "\n"
    "Writes DIR/model.bin holding the weights of FILE, a safetensors file such as\n"
    "makemore.py's state_dict or makemore's own export. The model is built with\n"
    "TYPE and the sizes given (each kind's defaults otherwise; the block of a\n"
    "sequence model defaults to the longest item + 1), its vocabulary from DATA,\n"
    "and every tensor of FILE must match it in name, shape and dtype (F32).\n"
    "DATA is split as --split says (default makemore, as makemore.py splits it).";

#define NSPECS 18

static void import_specs(arg_spec *s, import_flags *f)
{
    arg_spec specs[NSPECS] = {
        {"--safetensors", NULL, ARG_STRING, &f->st, 0, 0, "the weights to import", 0},
        {"--model", NULL, ARG_STRING, &f->set.model, 0, 0, "the model kind (train --model list describes them)", 0},
        {"--input", "-i", ARG_STRING, &f->input, 0, 0, "text file for the vocabulary and splits (default " DEFAULT_INPUT ")", 0},
        {"--work-dir", "-o", ARG_STRING, &f->workdir, 0, 0, "folder for model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--force", NULL, ARG_FLAG, &f->force, 0, 0, "replace an existing DIR/model.bin", 0},
        {"--block-size", NULL, ARG_INT, &f->set.block_size, 1, MM_MAX_BLOCK, "context length (default: the model's)", 0},
        {"--n-embd", NULL, ARG_INT, &f->set.n_embd, 1, 65536, "embedding width (default: the model's)", 0},
        {"--n-hidden", NULL, ARG_INT, &f->set.n_hidden, 1, 65536, "hidden width (default: the model's)", 0},
        {"--n-layers", NULL, ARG_INT, &f->set.n_layers, 1, 64, "layers (default: the model's)", 0},
        {"--n-head", NULL, ARG_INT, &f->set.n_heads, 1, 1024, "attention heads (default: the model's)", 0},
        {"--direct", NULL, ARG_FLAG, &f->set.direct, 0, 0, "mlp: with direct connections", 0},
        {"--bn-momentum", NULL, ARG_DOUBLE, &f->set.bn_momentum, 1e-6, 1, "batch norm momentum for further training (default 0.001)", 0},
        {"--split", NULL, ARG_STRING, &f->set.split, 0, 0, "makemore (default) or lecture", 0},
        {"--split-seed", NULL, ARG_U64, &f->set.split_seed, 0, 0, "the split's seed (default 3407 for makemore, 42 for lecture)", 0},
        {"--threads", "-t", ARG_INT, &f->set.threads, 0, 1024, "threads for the losses printed (default 0: all cores)", 0},
        {"--tokens", NULL, ARG_STRING, &f->set.tokens, 0, 0, "char (default) or word: DATA read as train --tokens reads it", 0},
        {"--min-count", NULL, ARG_INT, &f->set.min_count, 1, 1 << 30, "--tokens word: as train --min-count (default 1)", 0},
        {"--split-sizes", NULL, ARG_STRING, &f->set.split_sizes, 0, 0, "--split ordered: as train --split-sizes", 0},
    };
    memcpy(s, specs, sizeof specs);
}

/* Returns 0 to go on, -1 after --help, else the exit status. */
static int parse(import_flags *f, arg_spec *s, int argc, char **argv)
{
    memset(f, 0, sizeof *f);
    mm_settings_defaults(&f->set);
    f->set.model = NULL;
    f->set.split = "makemore";
    f->input = DEFAULT_INPUT;
    f->workdir = DEFAULT_WORKDIR;
    import_specs(s, f);
    char msg[512];
    int rc = args_parse(s, NSPECS, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("import: %s", msg);
    if (rc > 0) { args_usage(USAGE, s, NSPECS); return -1; }
    if (!f->st) return cli_error("import: --safetensors FILE is required");
    if (!f->set.model) return cli_error("import: --model TYPE is required (%s)", mm_kind_names());
    if (mm_split_kind_parse(f->set.split) < 0)
        return cli_error("--split '%s': expected makemore, lecture or ordered", f->set.split);
    run_flags_given(&f->set, s, NSPECS);
    mm_err err;
    if (mm_settings_resolve(&f->set, 0, &err)) return cli_error("%s", err.msg);
    return 0;
}

/* The run around the imported weights: no steps taken, SGD settings that
 * train --resume --max-steps N would go on with. */
static void describe_run(mm_run *r, const import_flags *f)
{
    r->split_kind = mm_split_kind_parse(f->set.split);
    r->split_seed = mm_settings_given(&f->set, "--split-seed") ? f->set.split_seed
                    : r->split_kind == MM_SPLIT_MAKEMORE ? MM_MAKEMORE_SEED : 42;
    r->seed = r->split_kind == MM_SPLIT_MAKEMORE ? MM_MAKEMORE_SEED : LECTURE_SEED;
    r->init_kind = MM_INIT_TORCH;
    r->min_count = mm_tokens_parse(f->set.tokens) == MM_TOKENS_WORD ? f->set.min_count : 0;
    mm_err e;
    if (f->set.split_sizes) mm_split_sizes_parse(f->set.split_sizes, r->split_sizes, &e); /* checked: parse */
    r->train.max_steps = 0;
    r->train.batch_size = 32;
    r->train.sched = (mm_schedule){.kind = MM_SCHED_STEP, .lr = 0.1, .decay = 0.1, .rate = 1e-4};
    mm_rng_seed_torch(&r->state.rng, r->seed);
    snprintf(r->input, sizeof r->input, "%s", f->input);
}

/* Builds the model the file should fill, from the data's vocabulary. */
static int build_model(mm_run *r, cli_data *d, const import_flags *f)
{
    mm_err err;
    const mm_kind *k = mm_kind_at(mm_kind_find(f->set.model));
    mm_config cfg;
    mm_settings_apply(&f->set, 0, 0, &cfg, &r->train);
    describe_run(r, f); /* after: it sets the run's training settings */
    mm_data_opts o = {.T = f->set.block_size, .sequence = k->layout == MM_LAYOUT_SEQUENCE,
                      .split_kind = r->split_kind, .split_seed = r->split_seed,
                      .tokens = mm_tokens_parse(f->set.tokens), .min_count = r->min_count,
                      .sizes = {r->split_sizes[0], r->split_sizes[1]}};
    if (cli_data_load(d, f->input, &o, NULL, &err)) return cli_error("%s", err.msg);
    resume_record_data(r, d); /* train --resume then goes on only with this data */
    cfg.vocab_size = d->vocab.size;
    cfg.block_size = d->opts.T;
    if (mm_model_build(&r->model, &cfg, &err)) return cli_error("import: %s", err.msg);
    if (mm_vocab_copy(&r->vocab, &d->vocab, &err)) return cli_error("%s", err.msg);
    return 0;
}

static int fill_and_save(mm_run *r, const cli_data *d, const import_flags *f)
{
    mm_err err;
    unsigned char *buf;
    size_t len;
    if (mm_read_file(f->st, MAX_ST_BYTES, &buf, &len, &err)) return cli_error("%s", err.msg);
    mm_status st = mm_import_safetensors(&r->model, buf, len, f->st, &err);
    free(buf);
    if (st) return cli_error("%s", err.msg);
    const int nt = cli_threads(f->set.threads);
    if (mm_model_split_loss(&r->model, &d->data.split[MM_TRAIN], nt, &r->state.init_train_loss, &err) ||
        mm_model_split_loss(&r->model, &d->data.split[MM_DEV], nt, &r->state.init_dev_loss, &err))
        return cli_error("%s", err.msg);
    char ckpt[MM_MAX_PATH];
    if (cli_path(ckpt, sizeof ckpt, f->workdir, "model.bin")) return cli_error("-o: path too long");
    struct stat sb;
    if (!f->force && stat(ckpt, &sb) == 0)
        return cli_error("%s exists; import into another -o folder, or give --force to replace it", ckpt);
    int rc = cli_make_workdir(f->workdir, ckpt);
    if (rc) return rc;
    if (mm_checkpoint_save(r, ckpt, &err)) return cli_error("%s", err.msg);
    fprintf(stderr, "imported %s: %d tensors, %zu parameters of a %s model; train loss %.4f", f->st,
            r->model.ntensors, r->model.ntrainable, r->model.kind->name, r->state.init_train_loss);
    fputs(", dev loss ", stderr);
    cli_print_loss(stderr, r->state.init_dev_loss, 0);
    fprintf(stderr, "; wrote %s\n", ckpt);
    return 0;
}

int cmd_import(int argc, char **argv)
{
    import_flags f;
    arg_spec s[NSPECS];
    int rc = parse(&f, s, argc, argv);
    if (rc) return rc < 0 ? 0 : rc;
    mm_run r;
    cli_data d;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    rc = build_model(&r, &d, &f);
    if (!rc) rc = fill_and_save(&r, &d, &f);
    cli_data_free(&d);
    mm_run_free(&r);
    return rc;
}
