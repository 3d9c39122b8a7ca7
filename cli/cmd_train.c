#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kind.h"
#include "memory.h"
#include "args.h"
#include "cli.h"
#include "dist.h"
#include "events.h"
#include "progress.h"
#include "resume.h"
#include "samples.h"
#include "trainfiles.h"
#include "trainlog.h"
#include "train_model.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    signal(sig, SIG_DFL); /* a second Ctrl-C ends at once */
}

/* Installed before the data is loaded: a stop asked for at any moment is
 * honoured after the first step with a checkpoint, never by dying between
 * the setup and the training loop. */
static void catch_stop_signals(void)
{
#ifdef __wasi__
    /* WASI has no sigaction (wasi-libc emulates signal() and raise());
     * the web page stops a run by ending its worker (web/app.js) */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
#else
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
#endif
}

typedef struct {
    const char *input, *workdir, *init, *schedule, *split, *mix_smoothing;
    int resume, force, json, samples, threads;
    long max_steps, lr_decay_step, save_every, print_every, eval_every;
    int lr_find, mix_ngram;
    int batch_size, block_size, n_embd, n_hidden;
    double lr, lr_decay, lr_rate, weight_decay, mix_weight;
    uint64_t seed, split_seed;
    model_flags mf; /* --model, --optimizer, --preset and theirs: train_model.c */
} train_flags;

#define NBASE_SPECS 30
#define NSPECS (NBASE_SPECS + MODEL_NSPECS)
static void train_specs(arg_spec *s, train_flags *f)
{
    arg_spec specs[NBASE_SPECS] = {
        {"--input", "-i", ARG_STRING, &f->input, 0, 0, "text file, one item per line (default " DEFAULT_INPUT ")", 0},
        {"--work-dir", "-o", ARG_STRING, &f->workdir, 0, 0, "folder for model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--resume", NULL, ARG_FLAG, &f->resume, 0, 0, "continue the run saved in the work dir", 0},
        {"--force", NULL, ARG_FLAG, &f->force, 0, 0, "replace the work dir's model.bin of an earlier run (default: refuse)", 0},
        {"--max-steps", NULL, ARG_LONG, &f->max_steps, 0, 1e12, "training steps (default 200000; 0 only evaluates)", 0},
        {"--batch-size", "-b", ARG_INT, &f->batch_size, 1, 1 << 20, "minibatch size (default 32)", 0},
        {"--learning-rate", "-l", ARG_DOUBLE, &f->lr, 0, 1e6, "initial learning rate (default 0.1)", 0},
        {"--lr-schedule", NULL, ARG_STRING, &f->schedule, 0, 0, "step (lecture), inv: lr/(1+rate*t), or cosine down to --min-lr", 0},
        {"--lr-decay", NULL, ARG_DOUBLE, &f->lr_decay, 0, 1e6, "step schedule: factor at the decay step (default 0.1)", 0},
        {"--lr-decay-step", NULL, ARG_LONG, &f->lr_decay_step, 0, 1e12, "step: when to decay (default max-steps/2); cosine: where it ends (default max-steps)", 0},
        {"--lr-decay-rate", NULL, ARG_DOUBLE, &f->lr_rate, 0, 1e6, "inv schedule: rate r (default 1e-4)", 0},
        {"--weight-decay", NULL, ARG_DOUBLE, &f->weight_decay, 0, 1e6, "on weights and embeddings: L2 for sgd/momentum, decoupled for adamw (default 0)", 0},
        {"--block-size", NULL, ARG_INT, &f->block_size, 1, 1024, "context length in characters (default: the model's; mlp 3)", 0},
        {"--n-embd", NULL, ARG_INT, &f->n_embd, 1, 65536, "embedding width (default: the model's; mlp 10)", 0},
        {"--n-hidden", NULL, ARG_INT, &f->n_hidden, 1, 65536, "hidden units (default: the model's; mlp 200)", 0},
        {"--init", NULL, ARG_STRING, &f->init, 0, 0, "torch (lecture) or scaled (first loss near uniform)", 0},
        {"--seed", NULL, ARG_U64, &f->seed, 0, 0, "generator seed for init and batches (default 2147483647; equal to the makemore split's seed, the split's generator goes on, as makemore.py's)", 0},
        {"--split", NULL, ARG_STRING, &f->split, 0, 0, "lecture (Python's shuffle, 80/10/10 train/dev/test) or makemore (makemore.py's: torch.randperm, the last min(1000, n/10) test, no dev)", 0},
        {"--split-seed", NULL, ARG_U64, &f->split_seed, 0, 0, "the split's seed (default 42 for lecture, 3407 for makemore)", 0},
        {"--threads", "-t", ARG_INT, &f->threads, 0, 1024, "threads (default 0: all cores; more than the cores: clamped, with a warning)", 0},
        {"--json", NULL, ARG_FLAG, &f->json, 0, 0, "print one JSON object with the results", 0},
        {"--num-samples", "-n", ARG_INT, &f->samples, 0, 100000, "items to sample at the end (default 20)", 0},
        {"--samples", NULL, ARG_INT, &f->samples, 0, 100000, "the same as --num-samples (as in sample)", 0},
        {"--save-every", NULL, ARG_LONG, &f->save_every, 0, 1e12, "checkpoint every N steps (default 10000; 0: at the end)", 0},
        {"--print-every", NULL, ARG_LONG, &f->print_every, 0, 1e12, "progress line every N steps off a terminal (default 10000)", 0},
        {"--eval-every", NULL, ARG_LONG, &f->eval_every, 0, 1e12, "train/dev loss on the whole splits every N steps, into log.csv (default 0: at step 0 only; the final losses are printed and in report.html)", 0},
        {"--lr-find", NULL, ARG_INT, &f->lr_find, 0, 1000000, "steps of the learning-rate sweep for lr_find.svg (default 1000; 0: none)", 0},
        {"--mix-ngram", NULL, ARG_INT, &f->mix_ngram, 0, MM_NGRAM_MAX_ORDER, "mix with an n-gram of this order (1..6), weight fitted on dev (default 0: no)", 0},
        {"--mix-smoothing", NULL, ARG_STRING, &f->mix_smoothing, 0, 0, "the mixed n-gram's smoothing: abs (absolute discounting, default) or kn (interpolated modified Kneser-Ney)", 0},
        {"--mix-weight", NULL, ARG_DOUBLE, &f->mix_weight, 0, 1, "the mixture's weight on the model, fixed (default: fitted on dev)", 0},
    };
    memcpy(s, specs, sizeof specs);
    model_flags_specs(s + NBASE_SPECS, &f->mf);
}

static const char *TRAIN_USAGE =
    "usage: makemore train [-i FILE] [-o DIR] [options]\n"
    "\n"
    "Trains a model and saves DIR/model.bin. The defaults are the lecture's run:\n"
    "the MLP, block 3, embedding 10, hidden 200, 200000 SGD steps of batch 32,\n"
    "lr 0.1 then 0.01, weights from torch's generator seeded 2147483647.\n"
    "--model picks another kind (--model list describes them), with its own default\n"
    "sizes; bnmlp and wavenet are the lecture series' batch-normalised models;\n"
    "--preset best and small are the best configurations found (docs/RESULTS.md).";

static void flag_defaults(train_flags *f)
{
    memset(f, 0, sizeof *f);
    f->input = DEFAULT_INPUT;
    f->workdir = DEFAULT_WORKDIR;
    f->init = "torch";
    f->schedule = "step";
    f->split = "lecture";
    f->max_steps = 200000;
    f->batch_size = 32;
    f->block_size = 3;
    f->n_embd = 10;
    f->n_hidden = 200;
    f->lr = 0.1;
    f->lr_decay = 0.1;
    f->lr_decay_step = -1;
    f->lr_rate = 1e-4;
    f->seed = LECTURE_SEED;
    f->split_seed = 42;
    f->samples = 20;
    f->save_every = 10000;
    f->print_every = 10000;
    f->lr_find = 1000;
    f->mix_smoothing = "abs";
    f->mix_weight = -1;
    model_flags_defaults(&f->mf);
}

static int parse_schedule(const train_flags *f, mm_schedule *s)
{
    if (!strcmp(f->schedule, "step")) s->kind = MM_SCHED_STEP;
    else if (!strcmp(f->schedule, "inv")) s->kind = MM_SCHED_INV;
    else if (!strcmp(f->schedule, "cosine")) s->kind = MM_SCHED_COSINE;
    else return cli_error("--lr-schedule '%s': expected step, inv or cosine", f->schedule);
    s->lr = f->lr;
    s->decay = f->lr_decay;
    s->decay_step = f->lr_decay_step >= 0 ? f->lr_decay_step
                    : s->kind == MM_SCHED_COSINE ? f->max_steps : f->max_steps / 2;
    s->rate = f->lr_rate;
    return 0;
}

static int parse_init(const char *name)
{
    if (!strcmp(name, "torch")) return MM_INIT_TORCH;
    if (!strcmp(name, "scaled")) return MM_INIT_SCALED;
    return -1;
}

/* Everything that can be checked before a file is touched, so a bad flag
 * costs no data loading. The vocabulary is not known yet: 2 stands in for
 * it, and the shapes are checked again once it is. */
/* Refuses a model and batch that would not fit beside data_bytes of data,
 * before their memory is touched (see docs/LIMITS.md). */
static int check_memory(const mm_config *c, uint64_t nparams, int B, uint64_t data_bytes)
{
    /* 2 optimizer slots: the most any optimizer keeps (AdamW) */
    uint64_t need = mm_mem_training(c, nparams, 2, B) + data_bytes, avail = cli_memory_available();
    if (need <= avail) return 0;
    return cli_error("train: --n-hidden %d, --n-embd %d, --block-size %d and --batch-size %d need about %llu MiB "
                     "of memory, over the %llu MiB available (see docs/LIMITS.md)", c->n_hidden, c->n_embd,
                     c->block_size, B, (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
}

static int check_flags(const train_flags *f, const arg_spec *specs)
{
    if (parse_init(f->init) < 0) return cli_error("--init '%s': expected torch or scaled", f->init);
    if (mm_split_kind_parse(f->split) < 0) return cli_error("--split '%s': expected lecture or makemore", f->split);
    int mrc = model_flags_check(&f->mf, specs, NSPECS, f->batch_size, f->resume);
    if (mrc) return mrc;
    mm_mix_opts mix;
    if ((mrc = trainfiles_mix_opts(&mix, f->mix_ngram, f->mix_smoothing, f->mix_weight))) return mrc;
    if (f->mix_ngram == 0 && (args_seen(specs, NSPECS, "--mix-smoothing") || args_seen(specs, NSPECS, "--mix-weight")))
        return cli_error("--mix-smoothing and --mix-weight need --mix-ngram N");
    mm_train_config tc = {.max_steps = f->max_steps, .batch_size = f->batch_size};
    tc.optim.weight_decay = f->weight_decay;
    int rc = parse_schedule(f, &tc.sched);
    if (rc) return rc;
    if (strlen(f->input) >= MM_MAX_PATH) return cli_error("-i: path too long");
    char ckpt[MM_MAX_PATH];
    if (cli_path(ckpt, sizeof ckpt, f->workdir, "model.bin")) return cli_error("-o: path too long");
    mm_err err;
    /* block 0, the longest item + 1, stands in as 1 until the data is read */
    mm_config cfg = {.vocab_size = 2, .block_size = f->block_size ? f->block_size : 1, .n_embd = f->n_embd,
                     .n_hidden = f->n_hidden};
    model_flags_apply(&f->mf, &cfg, &tc);
    if (f->resume) cfg.dropout = 0.0f; /* --model is the checkpoint's: model_flags_check_resume */
    if (mm_config_check(&cfg, &err) || mm_train_config_check(&tc, 1, &err))
        return cli_error("train: %s", err.msg);
    return check_memory(&cfg, mm_config_nparams(&cfg), f->batch_size, 0);
}

/* A counted kind (kn) takes no steps and no learning-rate sweep; asking
 * for them is an error rather than a flag dropped. */
static int counted_flags(train_flags *f, const arg_spec *specs)
{
    if (f->resume || !mm_kind_counted(model_flags_kind(&f->mf))) return 0;
    if (args_seen(specs, NSPECS, "--max-steps") && f->max_steps > 0)
        return cli_error("--max-steps %ld: a %s model is counted from the training split, not trained; "
                         "leave --max-steps out", f->max_steps, f->mf.model);
    if (args_seen(specs, NSPECS, "--lr-find") && f->lr_find > 0)
        return cli_error("--lr-find: a %s model has no learning rate", f->mf.model);
    f->max_steps = 0;
    f->lr_find = 0;
    return 0;
}

/* Returns 0 to go on, -1 after printing --help, else the exit status. */
static int parse_flags(train_flags *f, arg_spec *specs, int argc, char **argv)
{
    flag_defaults(f);
    train_specs(specs, f);
    char msg[512];
    int rc = model_preset_apply(specs, NSPECS, argc, argv);
    if (rc) return rc;
    rc = args_parse(specs, NSPECS, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("train: %s", msg);
    if (rc > 0) { args_usage(TRAIN_USAGE, specs, NSPECS); return -1; }
    if (model_flags_list(&f->mf)) return -1;
    model_flags_sizes(&f->mf, specs, NSPECS, &f->block_size, &f->n_embd, &f->n_hidden);
    if ((rc = counted_flags(f, specs))) return rc;
    return check_flags(f, specs);
}

int cmd_train_check_args(int argc, char **argv)
{
    train_flags f;
    arg_spec specs[NSPECS];
    int rc = parse_flags(&f, specs, argc, argv);
    return rc < 0 ? 0 : rc;
}

typedef struct {
    mm_run *run;
    progress prog;
    trainlog log;
    events ev;
    const char *ckpt, *log_path;
    long save_every;
    long saved_step;       /* of the newest model.bin of this run, or -1 */
    mm_status save_status; /* of a periodic save that failed, else MM_OK */
    mm_err err;
    const cli_data *data;
    trainfiles *files;
    long eval_every;
    const cli_dist *dist; /* NULL alone */
    int leader;           /* writes and prints: rank 0, or alone */
} step_ctx;

/* --eval-every: the whole train and dev splits, timed apart from training.
 * A failure (out of memory) ends the evaluations, not the training. */
static void eval_now(step_ctx *c, long step)
{
    double t0 = progress_now(), tr, dv;
    const mm_split *s = c->data->data.split;
    mm_err err;
    if (cli_dist_split_loss(c->dist, &c->run->model, &s[MM_TRAIN], c->files->nthreads, &tr, &err) ||
        cli_dist_split_loss(c->dist, &c->run->model, &s[MM_DEV], c->files->nthreads, &dv, &err)) {
        if (c->leader) fprintf(stderr, "makemore: warning: --eval-every stops: %s\n", err.msg);
        c->eval_every = 0;
        return;
    }
    if (c->leader) {
        trainlog_eval(&c->log, step, tr, dv);
        events_eval(&c->ev, step, tr, dv);
    }
    c->files->eval_seconds += progress_now() - t0;
}

static int on_step(void *vctx, long step, double loss, double lr)
{
    step_ctx *c = vctx;
    if (c->leader) {
        progress_step(&c->prog, step, loss, lr);
        trainlog_step(&c->log, step, lr, loss);
        events_step(&c->ev, c->run, step, loss, lr);
    }
    if (c->eval_every > 0 && step % c->eval_every == 0) eval_now(c, step); /* every process */
    if (!c->leader) return stop_signal != 0;
    if (c->save_every > 0 && step % c->save_every == 0 && step < c->run->train.max_steps) {
        /* the log reaches disk before the checkpoint that covers it */
        if (fflush(c->log.f) != 0) {
            c->save_status = mm_fail(&c->err, MM_EIO, "%s: write failed", c->log_path);
            return 1;
        }
        if ((c->save_status = mm_checkpoint_save(c->run, c->ckpt, &c->err))) return 1;
        c->saved_step = step;
    }
    return stop_signal != 0;
}

/* Flags that fix the model or the data may not change on --resume. */
static int check_resume_flags(const arg_spec *s, const train_flags *f, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    struct { const char *name; long want, have; } fixed[] = {
        {"--block-size", f->block_size, c->block_size},
        {"--n-embd", f->n_embd, c->n_embd},
        {"--n-hidden", f->n_hidden, c->n_hidden},
        {"--batch-size", f->batch_size, r->train.batch_size},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (args_seen(s, NSPECS, fixed[i].name) && fixed[i].want != fixed[i].have)
            return cli_error("%s %ld disagrees with the checkpoint's %ld; drop the flag to resume, "
                             "or train afresh in another -o folder", fixed[i].name, fixed[i].want, fixed[i].have);
    if ((args_seen(s, NSPECS, "--seed") && f->seed != r->seed) ||
        (args_seen(s, NSPECS, "--split-seed") && f->split_seed != r->split_seed) ||
        (args_seen(s, NSPECS, "--split") && mm_split_kind_parse(f->split) != r->split_kind))
        return cli_error("--seed/--split/--split-seed disagree with the checkpoint; drop them to resume");
    if (args_seen(s, NSPECS, "--max-steps") && f->max_steps < r->state.step)
        return cli_error("--max-steps %ld is before the checkpoint's step %ld", f->max_steps, r->state.step);
    return model_flags_check_resume(&f->mf, s, NSPECS, r);
}

/* changes (n bytes) receives the training settings the flags changed. */
static int setup_resume(mm_run *r, cli_data *d, const arg_spec *s, const train_flags *f, const char *ckpt,
                        char *changes, size_t n)
{
    mm_err err;
    if (mm_checkpoint_load(r, ckpt, &err)) return cli_error("--resume: %s", err.msg);
    int rc = check_resume_flags(s, f, r);
    if (rc) return rc;
    if (args_seen(s, NSPECS, "--max-steps")) r->train.max_steps = f->max_steps;
    if ((rc = resume_check_unfinished(r, ckpt)) || (rc = resume_apply_settings(r, s, NSPECS, changes, n)))
        return rc;
    if (args_seen(s, NSPECS, "--input")) snprintf(r->input, sizeof r->input, "%s", f->input);
    mm_data_opts o = cli_run_data_opts(r);
    if (cli_data_load(d, r->input, &o, NULL, &err)) return cli_error("%s", err.msg);
    if ((rc = resume_check_data(r, d, ckpt))) return rc;
    if (!cli_vocab_equal(&d->vocab, &r->vocab))
        return cli_error("%s: its characters differ from the checkpoint's vocabulary; "
                         "resume on the file the run started with", r->input);
    return 0;
}

static int setup_fresh(mm_run *r, cli_data *d, const arg_spec *specs, const train_flags *f)
{
    mm_err err;
    memset(r, 0, sizeof *r);
    int init = parse_init(f->init);
    int rc = parse_schedule(f, &r->train.sched);
    if (rc) return rc;
    r->train.max_steps = f->max_steps;
    r->train.batch_size = f->batch_size;
    r->train.optim.weight_decay = f->weight_decay;
    r->seed = f->seed;
    r->split_kind = mm_split_kind_parse(f->split);
    r->split_seed = args_seen(specs, NSPECS, "--split-seed") || r->split_kind == MM_SPLIT_LECTURE ? f->split_seed
                                                                                                : MM_MAKEMORE_SEED;
    r->init_kind = init;
    snprintf(r->input, sizeof r->input, "%s", f->input);
    const mm_kind *k = mm_kind_at(model_flags_kind(&f->mf));
    mm_data_opts o = {.T = f->block_size, .sequence = k->layout == MM_LAYOUT_SEQUENCE,
                      .split_kind = r->split_kind, .split_seed = r->split_seed};
    if (cli_data_load(d, f->input, &o, NULL, &err)) return cli_error("%s", err.msg);
    if (d->data.split[MM_TRAIN].n == 0) return cli_empty_train_split(f->input, d->words.nwords);
    resume_record_data(r, d);
    mm_config cfg = {.vocab_size = d->vocab.size, .block_size = d->opts.T, .n_embd = f->n_embd,
                     .n_hidden = f->n_hidden};
    model_flags_apply(&f->mf, &cfg, &r->train);
    if (mm_train_config_check(&r->train, d->data.split[MM_TRAIN].n, &err) || mm_config_check(&cfg, &err))
        return cli_error("%s", err.msg);
    if ((rc = check_memory(&cfg, mm_config_nparams(&cfg), f->batch_size, cli_data_mem(d, &d->opts))))
        return rc;
    if (mm_model_build(&r->model, &cfg, &err)) return cli_error("%s", err.msg);
    if (mm_vocab_from_codepoints(&r->vocab, d->vocab.cp + 1, d->vocab.size - 1, &err))
        return cli_error("%s", err.msg);
    if (mm_init_rng(&r->state.rng, r->seed, r->split_kind, r->split_seed, d->words.nwords, &err))
        return cli_error("%s", err.msg);
    mm_model_init(&r->model, (mm_init_kind)init, &r->state.rng);
    if (mm_model_fit(&r->model, &d->data.split[MM_TRAIN], &err)) return cli_error("%s", err.msg);
    return 0;
}

/* The whole splits' losses (every process evaluates its share); alone or
 * on rank 0, a failure is printed. */
static int split_losses(const mm_run *r, const cli_data *d, const cli_dist *dist, int nthreads,
                        double *train, double *dev)
{
    mm_err err;
    if (cli_dist_split_loss(dist, &r->model, &d->data.split[MM_TRAIN], nthreads, train, &err) ||
        cli_dist_split_loss(dist, &r->model, &d->data.split[MM_DEV], nthreads, dev, &err))
        return cli_dist_leader(dist) ? cli_error("%s", err.msg) : EXIT_USAGE;
    return 0;
}

typedef struct {
    double train_loss, dev_loss;
} final_losses;

static void print_text_summary(const mm_run *r, const cli_data *d, const final_losses *fl)
{
    const mm_dataset *ds = &d->data;
    printf("vocab %d  examples train %zu dev %zu test %zu  params %zu\n", r->vocab.size,
           ds->split[MM_TRAIN].n, ds->split[MM_DEV].n, ds->split[MM_TEST].n, r->model.ntrainable);
    printf("init  train loss %.4f  dev loss ", r->state.init_train_loss);
    cli_print_loss(stdout, r->state.init_dev_loss, 0);
    printf("  (uniform: %.4f)\n", log((double)r->vocab.size));
    printf("step %ld  train loss %.4f  dev loss ", r->state.step, fl->train_loss);
    cli_print_loss(stdout, fl->dev_loss, 0);
    printf("  (%.2f s, %.1f us/step)\n", r->state.train_seconds,
           r->state.step ? 1e6 * r->state.train_seconds / (double)r->state.step : 0.0);
}

/* n items from the lecture's sampling seed (seed + 10), each marked
 * train, dev, test or new: as lines on out or into j's "samples". Logits
 * that are not finite stop the samples with a warning: the run itself is
 * saved. */
static void print_samples(const mm_run *r, const cli_data *d, int n, mm_json *j, FILE *out)
{
    if (n <= 0) return;
    mm_sample_opts o = {1.0, 0, 0};
    mm_itemset set;
    mm_err err;
    int marked = mm_itemset_build(&set, &d->words, &d->data, &err) == MM_OK;
    if (!j) fputs("samples:\n", out);
    cli_samples_print(out, j ? NULL : out, j, r, marked ? &set : NULL, &o, r->seed + 10, NULL, n, NULL);
    if (marked) mm_itemset_free(&set);
}

static int print_json(const mm_run *r, const cli_data *d, const final_losses *fl, int nthreads, int samples,
                      const trainfiles *t, const char *ckpt, const char *report)
{
    const mm_dataset *ds = &d->data;
    long step = r->state.step;
    mm_json j;
    mm_json_begin(&j);
    mm_json_int(&j, "vocab_size", r->vocab.size);
    mm_json_int(&j, "ntrain", (long long)ds->split[MM_TRAIN].n);
    mm_json_int(&j, "ndev", (long long)ds->split[MM_DEV].n);
    mm_json_int(&j, "ntest", (long long)ds->split[MM_TEST].n);
    mm_json_int(&j, "params", (long long)r->model.ntrainable);
    mm_json_int(&j, "block_size", r->model.cfg.block_size);
    mm_json_int(&j, "n_embd", r->model.cfg.n_embd);
    mm_json_int(&j, "n_hidden", r->model.cfg.n_hidden);
    mm_json_int(&j, "batch_size", r->train.batch_size);
    mm_json_num(&j, "dropout", (double)r->model.cfg.dropout, 6);
    mm_json_num(&j, "init_train_loss", r->state.init_train_loss, 6);
    mm_json_num(&j, "init_dev_loss", r->state.init_dev_loss, 6);
    mm_json_num(&j, "train_loss", fl->train_loss, 6);
    mm_json_num(&j, "dev_loss", fl->dev_loss, 6);
    mm_json_int(&j, "steps", step);
    mm_json_num(&j, "train_seconds", r->state.train_seconds, 4);
    mm_json_num(&j, "us_per_step", step ? 1e6 * r->state.train_seconds / (double)step : 0.0, 3);
    mm_json_int(&j, "threads", nthreads);
    mm_json_str(&j, "model", model_kind_name(r->model.cfg.kind));
    mm_json_str(&j, "optimizer", optim_kind_name(r->train.optim.kind));
    mm_json_str(&j, "split", mm_split_kind_name(r->split_kind));
    mm_json_str(&j, "input", r->input);
    mm_json_str(&j, "model_bin", ckpt);
    mm_json_str(&j, "report_html", report);
    trainfiles_json(t, &j);
    print_samples(r, d, samples, &j, stdout);
    return cli_json_print(&j);
}

/* A NaN loss (stopped in train.c before its update) or NaN weights (refused
 * by the save): either way model.bin still holds the last good parameters. */
static int diverged(const mm_err *err, const char *ckpt, long saved_step)
{
    if (saved_step >= 0)
        fprintf(stderr, "makemore: %s. The last good checkpoint, of step %ld, is kept in %s.\n", err->msg,
                saved_step, ckpt);
    else
        fprintf(stderr, "makemore: %s. No checkpoint was saved: this came before the first --save-every.\n",
                err->msg);
    return 1;
}

/* Every process must end with the same bits; a difference is a bug, not bad input. */
static int check_ranks_agree(const cli_dist *dist, const mm_run *r)
{
    if (!dist) return 0;
    void *ctx = dist->train.reduce.ctx;
    const mm_optim_state *o = &r->state.opt;
    int same = dist->same_bytes(ctx, r->model.params, r->model.nparams * sizeof(float));
    same = dist->same_bytes(ctx, o->buf, o->buf ? (size_t)o->nslots * o->n * sizeof(float) : 0) && same;
    if (same) return 0;
    if (cli_dist_leader(dist))
        fprintf(stderr, "makemore: the %d processes ended with different parameters: "
                        "a bug in makemore-mpi; please report it\n", dist->train.nranks);
    return 1;
}

static int finish(mm_run *r, cli_data *d, const char *ckpt, const train_flags *f, int nthreads,
                  long saved_step, trainfiles *t, const cli_dist *dist)
{
    mm_err err;
    int leader = cli_dist_leader(dist), rc = 0;
    if (leader) {
        mm_status st = mm_checkpoint_save(r, ckpt, &err);
        rc = st == MM_ENUMERIC ? diverged(&err, ckpt, saved_step) : st ? cli_error("%s", err.msg) : 0;
    }
    if ((rc = cli_dist_agree(dist, NULL, rc))) return rc;
    final_losses fl;
    if ((rc = split_losses(r, d, dist, nthreads, &fl.train_loss, &fl.dev_loss))) return rc;
    if ((rc = check_ranks_agree(dist, r)) || !leader) return rc;
    t->final_train = fl.train_loss;
    t->final_dev = fl.dev_loss;
    rc = trainfiles_after(t, r, d);
    if (rc) return rc;
    char report[MM_MAX_PATH];
    if (cli_path(report, sizeof report, f->workdir, "report.html")) return cli_error("-o: path too long");
    if (f->json) return print_json(r, d, &fl, nthreads, f->samples, t, ckpt, report);
    print_text_summary(r, d, &fl);
    trainfiles_print(t, stdout);
    print_samples(r, d, f->samples, NULL, stdout);
    printf("wrote %s and %s\n", ckpt, report);
    return 0;
}

/* Rank 0 (or the one process) opens log.csv, writes the figures that come
 * before training and says where training starts. */
static int open_outputs(step_ctx *c, mm_run *r, cli_data *d, const train_flags *f, trainfiles *files)
{
    int rc = trainfiles_before(files, r, d, !f->resume);
    if (rc) return rc;
    rc = trainlog_open(&c->log, c->log_path, r->state.step);
    if (!rc) rc = events_open(&c->ev, r->state.step, r->train.max_steps);
    if (rc) {
        trainlog_close(&c->log);
        return rc;
    }
    if (files->have_lr) events_lrfind(&c->ev, &files->lr);
    events_embedding(&c->ev, r, r->state.step);
    if (r->state.step == 0) trainlog_eval(&c->log, 0, r->state.init_train_loss, r->state.init_dev_loss);
    if (!f->json || r->state.step == 0) {
        fprintf(stderr, "init train loss %.4f (uniform over %d: %.4f)\n", r->state.init_train_loss,
                r->vocab.size, log((double)r->vocab.size));
    }
    progress_start(&c->prog, r->state.step, r->train.max_steps, f->print_every);
    return 0;
}

/* Training stopped at a step every process agreed on: by a signal (on any
 * process) or by a failed periodic save (rank 0). Rank 0 saves. */
static int stopped(mm_run *r, step_ctx *c, const char *ckpt, const train_flags *f)
{
    int sig = c->dist ? c->dist->max_int(c->dist->train.reduce.ctx, (int)stop_signal) : (int)stop_signal;
    if (!c->leader) return sig ? 128 + sig : 0; /* rank 0's status wins the agreement */
    mm_err err = c->err;
    mm_status st = c->save_status ? c->save_status : mm_checkpoint_save(r, ckpt, &err);
    if (st == MM_ENUMERIC) return diverged(&err, ckpt, c->saved_step);
    if (st) return cli_error("%s", err.msg);
    fprintf(stderr, "makemore: stopped by %s at step %ld; saved %s. Resume with: makemore train -o %s --resume\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", r->state.step, ckpt, f->workdir);
    return 128 + sig;
}

static int run_training(mm_run *r, cli_data *d, const char *ckpt, const train_flags *f, int nthreads,
                        trainfiles *files, const cli_dist *dist)
{
    char logpath[MM_MAX_PATH];
    if (cli_path(logpath, sizeof logpath, f->workdir, "log.csv")) return cli_error("-o: path too long");
    step_ctx ctx = {.run = r, .ckpt = ckpt, .log_path = logpath, .save_every = f->save_every,
                    .saved_step = f->resume ? r->state.step : -1};
    ctx.data = d;
    ctx.files = files;
    ctx.eval_every = f->eval_every;
    ctx.dist = dist;
    ctx.leader = cli_dist_leader(dist);
    int rc = ctx.leader ? open_outputs(&ctx, r, d, f, files) : 0;
    if ((rc = cli_dist_agree(dist, NULL, rc))) return rc;
    mm_err err;
    mm_status st = mm_train_run_dist(&r->model, &r->train, &r->state, &d->data.split[MM_TRAIN], nthreads,
                                     dist ? &dist->train : NULL, on_step, &ctx, &err);
    r->state.train_seconds -= files->eval_seconds; /* training time, not evaluation */
    if (ctx.leader) {
        progress_end(&ctx.prog);
        events_close(&ctx.ev);
        if (trainlog_close(&ctx.log)) fprintf(stderr, "makemore: warning: %s was not fully written\n", logpath);
    }
    if (st == MM_EINTR) rc = stopped(r, &ctx, ckpt, f);
    else if (st == MM_ENUMERIC) rc = ctx.leader ? diverged(&err, ckpt, ctx.saved_step) : 1;
    else if (st) rc = cli_error("%s", err.msg); /* whichever process failed says why */
    if ((rc = cli_dist_agree(dist, NULL, rc)) || st) return rc;
    return finish(r, d, ckpt, f, nthreads, ctx.saved_step, files, dist);
}

/* Refused before any file is read: a batch must give every process a row. */
static int check_dist_flags(const train_flags *f, const cli_dist *dist)
{
    if (dist && f->batch_size < dist->train.nranks)
        return cli_error("--batch-size %d is smaller than the %d processes: each needs at least one row",
                         f->batch_size, dist->train.nranks);
    return 0;
}

/* A fresh run into a folder that holds a model refuses to replace it
 * unless told to: a finished model is hours of work. */
static int check_overwrite(const train_flags *f, const char *ckpt)
{
    struct stat sb;
    if (f->resume && f->force) return cli_error("--resume and --force: choose one (continue the run, or replace it)");
    if (f->resume || f->force || stat(ckpt, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    return cli_error("%s exists, from an earlier run: pass --resume to continue that run, or --force to "
                     "replace it (or choose another -o)", ckpt);
}

int cmd_train(int argc, char **argv)
{
    return cmd_train_dist(argc, argv, NULL);
}

int cmd_train_dist(int argc, char **argv, const cli_dist *dist)
{
    train_flags f;
    arg_spec specs[NSPECS];
    cli_dist_quiet quiet;
    cli_dist_quiet_begin(&quiet, dist); /* a mistake every process makes is told once */
    int rc = parse_flags(&f, specs, argc, argv);
    char ckpt[MM_MAX_PATH] = "";
    if (!rc) rc = check_dist_flags(&f, dist);
    if (!rc) cli_path(ckpt, sizeof ckpt, f.workdir, "model.bin"); /* fits: check_flags */
    if (!rc) rc = check_overwrite(&f, ckpt);
    if (!rc && !f.resume) rc = cli_check_input(f.input, args_seen(specs, NSPECS, "--input"));
    if ((rc = cli_dist_agree(dist, &quiet, rc))) return rc < 0 ? 0 : rc;
    int nthreads = cli_threads(f.threads);
    if (dist && f.threads == 0 && (nthreads /= dist->local_ranks) < 1) nthreads = 1; /* they share the cores */
    catch_stop_signals();
    mm_run run;
    cli_data data;
    memset(&run, 0, sizeof run);
    memset(&data, 0, sizeof data);
    char changes[512] = "";
    rc = f.resume ? setup_resume(&run, &data, specs, &f, ckpt, changes, sizeof changes)
                  : setup_fresh(&run, &data, specs, &f);
    if (!rc && cli_dist_leader(dist)) rc = cli_make_workdir(f.workdir, ckpt);
    rc = cli_dist_agree(dist, &quiet, rc);
    if (!rc && !f.resume)
        rc = split_losses(&run, &data, dist, nthreads, &run.state.init_train_loss, &run.state.init_dev_loss);
    cli_dist_quiet_end(&quiet, dist);
    trainfiles files = {.workdir = f.workdir, .lrfind_count = f.lr_find,
                        .nthreads = nthreads, .t_start = progress_now(), .resume_changes = changes,
                        .resume_step = run.state.step};
    if (!rc) rc = trainfiles_mix_opts(&files.mix_opts, f.mix_ngram, f.mix_smoothing, f.mix_weight);
    if (!rc) rc = run_training(&run, &data, ckpt, &f, nthreads, &files, dist);
    trainfiles_free(&files);
    cli_data_free(&data);
    mm_run_free(&run);
    return rc;
}
