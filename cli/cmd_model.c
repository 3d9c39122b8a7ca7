/* Commands that use a saved model: sample, eval, export. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "samples.h"
#include "safetensors.h"
#include "trainfiles.h"

/* --checkpoint: model (DIR/model.bin, the default) or best (DIR/best.bin,
 * of train --keep-best); ckpt (MM_MAX_PATH) receives the path. */
static int checkpoint_path(char *ckpt, const char *workdir, const char *which)
{
    if (strcmp(which, "model") && strcmp(which, "best"))
        return cli_error("--checkpoint '%s': expected model (DIR/model.bin) or best (DIR/best.bin)", which);
    if (cli_path(ckpt, MM_MAX_PATH, workdir, !strcmp(which, "best") ? "best.bin" : "model.bin"))
        return cli_error("-o: path too long");
    return 0;
}

static int load_checkpoint(mm_run *r, const char *workdir, const char *which)
{
    char ckpt[MM_MAX_PATH];
    mm_err err;
    int rc = checkpoint_path(ckpt, workdir, which);
    if (rc) return rc;
    if (mm_checkpoint_load(r, ckpt, &err)) return cli_error("%s", err.msg);
    return 0;
}

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof *(a)))

static int parse_or_help(arg_spec *s, int n, int argc, char **argv, const char *cmd, const char *usage)
{
    char msg[512];
    int rc = args_parse(s, n, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("%s: %s", cmd, msg);
    if (rc > 0) { args_usage(usage, s, n); return -1; }
    return 0;
}

int cmd_sample(int argc, char **argv)
{
    const char *workdir = DEFAULT_WORKDIR, *prefix = NULL, *which = "model";
    int n = 20, top_k = 0, max_len = 0, json = 0;
    double temperature = 1.0;
    uint64_t seed = LECTURE_SEED + 10;
    arg_spec s[] = {
        {"--work-dir", "-o", ARG_STRING, &workdir, 0, 0, "folder holding model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--num-samples", "-n", ARG_INT, &n, 0, 100000000, "how many items (default 20)", 0},
        {"--samples", NULL, ARG_INT, &n, 0, 100000000, "the same as --num-samples (as in train)", 0},
        {"--seed", NULL, ARG_U64, &seed, 0, 0, "random seed (default 2147483657, the lecture's)", 0},
        {"--temperature", NULL, ARG_DOUBLE, &temperature, 0, 1e3, "divide logits by T, 0.001..1000 (default 1)", 0},
        {"--top-k", NULL, ARG_INT, &top_k, 0, 1 << 20, "draw only from the k likeliest characters (default 0: all)", 0},
        {"--max-len", NULL, ARG_INT, &max_len, 1, 1 << 20,
         "cut items at this many characters (default 256; block size - 1 for makemore.py's kinds)", 0},
        {"--prefix", NULL, ARG_STRING, &prefix, 0, 0, "only items that start with this text: the model completes it", 0},
        {"--json", NULL, ARG_FLAG, &json, 0, 0, "print {\"samples\": [{\"text\": ..., \"split\": ...}, ...]}", 0},
        {"--checkpoint", NULL, ARG_STRING, &which, 0, 0, "model (DIR/model.bin, default) or best (DIR/best.bin of train --keep-best)", 0},
    };
    int rc = parse_or_help(s, ARRAY_LEN(s), argc, argv, "sample",
                           "usage: makemore sample [-o DIR] [-n N] [--seed S] [--temperature T] [--top-k K] [--prefix P] [--json]\n\n"
                           "Prints new items from DIR/model.bin, one per line, each followed by a tab and\n"
                           "train, dev or test when it is a copy of an item of that split of the training\n"
                           "file, else new; the counts go to stderr.");
    if (rc) return rc < 0 ? 0 : rc;
    if (temperature < 1e-3)
        return cli_error("--temperature %g: must be at least 0.001; for the likeliest character every time "
                         "(greedy), use --top-k 1", temperature);
    char ckpt[MM_MAX_PATH]; /* named when the model cannot be sampled */
    if ((rc = checkpoint_path(ckpt, workdir, which))) return rc;
    mm_run r;
    if ((rc = load_checkpoint(&r, workdir, which))) return rc;
    cli_marks marks;
    cli_marks_load(&marks, &r);
    mm_sample_opts o = {temperature, top_k, max_len};
    mm_json j;
    mm_json_begin(&j);
    rc = cli_samples_print(stdout, json ? NULL : stderr, json ? &j : NULL, &r, marks.ok ? &marks.set : NULL, &o,
                           seed, prefix, n, ckpt);
    if (json && !rc) rc = cli_json_print(&j);
    else mm_json_free(&j);
    cli_marks_free(&marks);
    mm_run_free(&r);
    return rc;
}

static int eval_splits(const mm_run *r, const cli_data *d, int only, int json, int nthreads, const mm_mix_opts *mix)
{
    mm_err err;
    mm_json j;
    mm_json_begin(&j);
    mm_json_int(&j, "step", r->state.step);
    for (int s = 0; s < MM_NSPLITS; s++) {
        if (only >= 0 ? s != only : s == MM_TEST) continue;
        double loss;
        char key[32];
        if (mm_model_split_loss(&r->model, &d->data.split[s], nthreads, &loss, &err)) {
            mm_json_free(&j);
            return cli_error("%s", err.msg);
        }
        snprintf(key, sizeof key, "%s_loss", mm_split_name(s));
        mm_json_num(&j, key, loss, 6);
        snprintf(key, sizeof key, "n%s", mm_split_name(s));
        mm_json_int(&j, key, (long long)d->data.split[s].n);
        /* per token: every target, the end of each item and <unk> included */
        snprintf(key, sizeof key, "%s_ppl", mm_split_name(s));
        mm_json_num(&j, key, exp(loss), 6);
        snprintf(key, sizeof key, "n%s_tokens", mm_split_name(s));
        mm_json_int(&j, key, (long long)d->data.split[s].ntargets);
        if (!json) {
            printf("%-5s loss ", mm_split_name(s));
            cli_print_loss(stdout, loss, 0);
            printf("  (%zu examples%s)", d->data.split[s].n, d->data.split[s].n ? "" : ": this split is empty");
            if (d->data.split[s].n) printf("  perplexity %.4f over %zu tokens", exp(loss), d->data.split[s].ntargets);
            putchar('\n');
        }
    }
    if (mix->order > 0) {
        int rc = trainfiles_eval_mix(r, d, mix, only, nthreads, json ? &j : NULL);
        if (rc) {
            mm_json_free(&j);
            return rc;
        }
    }
    if (!json) {
        mm_json_free(&j);
        return 0;
    }
    return cli_json_print(&j);
}

int cmd_eval(int argc, char **argv)
{
    const char *workdir = DEFAULT_WORKDIR, *input = NULL, *split = NULL, *which = "model";
    const char *smoothing = "abs";
    int threads = 0, json = 0, mix = 0;
    double weight = -1;
    arg_spec s[] = {
        {"--work-dir", "-o", ARG_STRING, &workdir, 0, 0, "folder holding model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--input", "-i", ARG_STRING, &input, 0, 0, "text file (default: the one recorded in the checkpoint)", 0},
        {"--split", NULL, ARG_STRING, &split, 0, 0, "train, dev or test (default: train and dev)", 0},
        {"--threads", "-t", ARG_INT, &threads, 0, 1024, "threads (default 0: all cores)", 0},
        {"--json", NULL, ARG_FLAG, &json, 0, 0, "print one JSON object", 0},
        {"--mix-ngram", NULL, ARG_INT, &mix, 0, MM_NGRAM_MAX_ORDER, "also the mixture with an n-gram of this order (as train --mix-ngram)", 0},
        {"--mix-smoothing", NULL, ARG_STRING, &smoothing, 0, 0, "abs (default) or kn, as train's", 0},
        {"--mix-weight", NULL, ARG_DOUBLE, &weight, 0, 1, "fixed weight on the model (default: fitted on dev)", 0},
        {"--checkpoint", NULL, ARG_STRING, &which, 0, 0, "model (DIR/model.bin, default) or best (DIR/best.bin of train --keep-best)", 0},
    };
    int rc = parse_or_help(s, ARRAY_LEN(s), argc, argv, "eval",
                           "usage: makemore eval [-o DIR] [-i FILE] [--split train|dev|test]\n\n"
                           "Prints the loss of DIR/model.bin on the splits of its input file (made as the\n"
                           "checkpoint's run made them): the mean over every target of the split, and the\n"
                           "perplexity, exp of that mean: per token, the end of each item (and, for words,\n"
                           "<unk>) counted. The test split only when asked for; makemore.py's split has no\n"
                           "dev split.");
    if (rc) return rc < 0 ? 0 : rc;
    int only = -1;
    if (split && (only = mm_split_parse(split)) < 0)
        return cli_error("--split '%s': expected train, dev or test", split);
    mm_mix_opts mo;
    if ((rc = trainfiles_mix_opts(&mo, mix, smoothing, weight))) return rc;
    if (!mix && (args_seen(s, ARRAY_LEN(s), "--mix-smoothing") || args_seen(s, ARRAY_LEN(s), "--mix-weight")))
        return cli_error("--mix-smoothing and --mix-weight need --mix-ngram N");
    mm_run r;
    if ((rc = load_checkpoint(&r, workdir, which))) return rc;
    cli_data d;
    mm_err err;
    const char *path = input ? input : r.input;
    mm_data_opts o = cli_run_data_opts(&r);
    if (cli_data_load(&d, path, &o, &r.vocab, &err)) {
        mm_run_free(&r);
        return cli_error("%s", err.msg);
    }
    rc = eval_splits(&r, &d, only, json, cli_threads(threads), &mo);
    cli_data_free(&d);
    mm_run_free(&r);
    return rc;
}

int cmd_export(int argc, char **argv)
{
    const char *workdir = DEFAULT_WORKDIR, *out = NULL;
    arg_spec s[] = {
        {"--work-dir", "-o", ARG_STRING, &workdir, 0, 0, "folder holding model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--safetensors", NULL, ARG_STRING, &out, 0, 0, "write the weights to this safetensors file", 0},
    };
    int rc = parse_or_help(s, ARRAY_LEN(s), argc, argv, "export",
                           "usage: makemore export [-o DIR] --safetensors FILE\n\n"
                           "Writes the tensors of DIR/model.bin (named as in docs/FORMAT.md, float32) as\n"
                           "safetensors, loadable with safetensors.torch.load_file.");
    if (rc) return rc < 0 ? 0 : rc;
    if (!out) return cli_error("export: --safetensors FILE is required");
    mm_run r;
    if ((rc = load_checkpoint(&r, workdir, "model"))) return rc;
    mm_err err;
    if (mm_export_safetensors(&r.model, out, &err)) rc = cli_error("%s", err.msg);
    else fprintf(stderr, "wrote %s (%zu parameters)\n", out, r.model.nparams);
    mm_run_free(&r);
    return rc;
}
