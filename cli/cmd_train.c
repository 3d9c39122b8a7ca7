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
#include "keepbest.h"
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
    const char *input, *workdir;
    int resume, force, json, samples;
    long save_every, print_every, eval_every;
    int keep_best, eval_dev_only;
    long patience;
    mm_settings set; /* what shapes the run, from the builder's table (settings.h) and --preset */
} train_flags;

#define NBASE_SPECS 13
#define MAX_SPECS (NBASE_SPECS + MM_SETTINGS_MAX)
#define NSPECS (NBASE_SPECS + mm_settings_count())
static void train_specs(arg_spec *s, train_flags *f)
{
    arg_spec specs[NBASE_SPECS] = {
        {"--input", "-i", ARG_STRING, &f->input, 0, 0, "text file, one item per line (default " DEFAULT_INPUT ")", 0},
        {"--work-dir", "-o", ARG_STRING, &f->workdir, 0, 0, "folder for model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--resume", NULL, ARG_FLAG, &f->resume, 0, 0, "continue the run saved in the work dir", 0},
        {"--force", NULL, ARG_FLAG, &f->force, 0, 0, "replace the work dir's model.bin of an earlier run (default: refuse)", 0},
        {"--json", NULL, ARG_FLAG, &f->json, 0, 0, "print one JSON object with the results", 0},
        {"--num-samples", "-n", ARG_INT, &f->samples, 0, 100000, "items to sample at the end (default 20)", 0},
        {"--samples", NULL, ARG_INT, &f->samples, 0, 100000, "the same as --num-samples (as in sample)", 0},
        {"--save-every", NULL, ARG_LONG, &f->save_every, 0, 1e12, "checkpoint every N steps (default 10000; 0: at the end)", 0},
        {"--print-every", NULL, ARG_LONG, &f->print_every, 0, 1e12, "progress line every N steps off a terminal (default 10000)", 0},
        {"--eval-every", NULL, ARG_LONG, &f->eval_every, 0, 1e12, "train/dev loss on the whole splits every N steps, into log.csv (default 0: at step 0 only; the final losses are printed and in report.html)", 0},
        {"--keep-best", NULL, ARG_FLAG, &f->keep_best, 0, 0, "with --eval-every: keep the model of the best dev loss so far as DIR/best.bin", 0},
        {"--patience", NULL, ARG_LONG, &f->patience, 0, 1e12, "with --eval-every: stop after P evaluations without a better dev loss (default 0: never)", 0},
        {"--eval-dev-only", NULL, ARG_FLAG, &f->eval_dev_only, 0, 0, "with --eval-every: every whole-split evaluation (before, during and after training) skips the training split: early stopping needs the dev split only (train losses then read null/-)", 0},
    };
    memcpy(s, specs, sizeof specs);
    run_flags_specs(s + NBASE_SPECS, &f->set);
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
    f->samples = 20;
    f->save_every = 10000;
    f->print_every = 10000;
    mm_settings_defaults(&f->set);
}

/* Everything that can be checked before a file is touched, so a bad flag
 * costs no data loading. The vocabulary is not known yet: 2 stands in for
 * it, and the shapes are checked again once it is. */
static int check_flags(const train_flags *f)
{
    const mm_settings *s = &f->set;
    if ((f->keep_best || f->patience || f->eval_dev_only) && f->eval_every <= 0)
        return cli_error("--keep-best, --patience and --eval-dev-only act on the evaluations: give --eval-every N");
    if (f->resume && s->epochs > 0)
        return cli_error("--epochs: a resumed run goes on to its --max-steps; give --max-steps to change it");
    if (strlen(f->input) >= MM_MAX_PATH) return cli_error("-i: path too long");
    char ckpt[MM_MAX_PATH];
    if (cli_path(ckpt, sizeof ckpt, f->workdir, "model.bin")) return cli_error("-o: path too long");
    mm_err err;
    mm_config cfg;
    mm_train_config tc;
    /* block 0, the longest item + 1, stands in as 1 until the data is read */
    mm_settings_apply(s, 2, s->block_size ? s->block_size : 1, &cfg, &tc);
    if (f->resume) cfg.dropout = 0.0f; /* --model is the checkpoint's: run_flags_check_resume */
    if (mm_config_check(&cfg, &err) || mm_train_config_check(&tc, 1, &err))
        return cli_error("train: %s", err.msg);
    if (mm_settings_check_memory(&cfg, s->batch_size, 0, cli_memory_available(), &err))
        return cli_error("%s", err.msg);
    return 0;
}

/* Returns 0 to go on, -1 after printing --help, else the exit status. */
static int parse_flags(train_flags *f, arg_spec *specs, int argc, char **argv)
{
    flag_defaults(f);
    train_specs(specs, f);
    char msg[512];
    int rc = run_flags_preset(&f->set, argc, argv);
    if (rc) return rc;
    rc = args_parse(specs, NSPECS, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("train: %s", msg);
    if (rc > 0) { args_usage(TRAIN_USAGE, specs, NSPECS); return -1; }
    run_flags_given(&f->set, specs, NSPECS);
    if (run_flags_list(&f->set)) return -1;
    mm_err err;
    if (mm_settings_resolve(&f->set, f->resume, &err)) return cli_error("%s", err.msg);
    return check_flags(f);
}

int cmd_train_check_args(int argc, char **argv)
{
    train_flags f;
    arg_spec specs[MAX_SPECS];
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
    int eval_dev_only;    /* the evaluations skip the train split */
    mm_keepbest kb;       /* --keep-best, --patience */
    const cli_dist *dist; /* NULL alone */
    int leader;           /* writes and prints: rank 0, or alone */
} step_ctx;

/* --eval-every: the whole train and dev splits, timed apart from training.
 * A failure (out of memory) ends the evaluations, not the training. */
static void eval_now(step_ctx *c, long step)
{
    double t0 = progress_now(), tr = NAN, dv;
    const mm_split *s = c->data->data.split;
    mm_err err;
    if ((!c->eval_dev_only && cli_dist_split_loss(c->dist, &c->run->model, &s[MM_TRAIN], c->files->nthreads, &tr, &err)) ||
        cli_dist_split_loss(c->dist, &c->run->model, &s[MM_DEV], c->files->nthreads, &dv, &err)) {
        if (c->leader) fprintf(stderr, "makemore: warning: --eval-every stops: %s\n", err.msg);
        c->eval_every = 0;
        return;
    }
    if (c->leader) {
        trainlog_eval(&c->log, step, tr, dv);
        events_eval(&c->ev, step, tr, dv);
    }
    mm_status saved = c->kb.save_status;
    mm_keepbest_eval(&c->kb, c->run, dv, c->leader);
    if (c->leader && c->kb.save_status && !saved)
        fprintf(stderr, "makemore: warning: --keep-best: %s\n", c->kb.err.msg);
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
    const int save = c->save_every > 0 && step % c->save_every == 0 && step < c->run->train.max_steps;
    const int eval = c->eval_every > 0 && step % c->eval_every == 0;
    if (c->dist && (save || (eval && c->kb.keep))) mm_train_gather(&c->dist->train, &c->run->model, &c->run->state);
    if (eval) eval_now(c, step); /* every process */
    if (c->kb.stop) return 1; /* every process: they evaluated the same dev loss */
    if (!c->leader) return stop_signal != 0;
    /* a row or event that could not be written stops the run at once */
    if ((c->save_status = trainlog_check(&c->log, &c->err)) || (c->save_status = events_check(&c->ev, &c->err)))
        return 1;
    if (save) {
        /* the log reaches disk before the checkpoint that covers it */
        if ((c->save_status = trainlog_flush(&c->log, &c->err))) return 1;
        if ((c->save_status = mm_checkpoint_save(c->run, c->ckpt, &c->err))) return 1;
        c->saved_step = step;
    }
    return stop_signal != 0;
}

/* Flags that fix the model or the data may not change on --resume. */
static int check_resume_flags(const arg_spec *s, const train_flags *tf, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    const mm_settings *f = &tf->set;
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
    double sizes[2] = {0, 0};
    mm_err e;
    if ((args_seen(s, NSPECS, "--tokens") && mm_tokens_parse(f->tokens) != (r->vocab.words ? MM_TOKENS_WORD : MM_TOKENS_CHAR)) ||
        (args_seen(s, NSPECS, "--min-count") && f->min_count != r->min_count) ||
        (args_seen(s, NSPECS, "--split-sizes") && (mm_split_sizes_parse(f->split_sizes, sizes, &e) ||
                                                    sizes[0] != r->split_sizes[0] || sizes[1] != r->split_sizes[1])))
        return cli_error("--tokens/--min-count/--split-sizes disagree with the checkpoint; drop them to resume");
    if ((args_seen(s, NSPECS, "--stream") && (f->stream != 0) != (r->stream != 0)) ||
        (args_seen(s, NSPECS, "--vocab-from") && !strcmp(f->vocab_from, "all") != (r->vocab_all != 0)))
        return cli_error("--stream/--vocab-from disagree with the checkpoint; drop them to resume");
    if (args_seen(s, NSPECS, "--max-steps") && f->max_steps < r->state.step)
        return cli_error("--max-steps %ld is before the checkpoint's step %ld", f->max_steps, r->state.step);
    return run_flags_check_resume(f, r);
}

/* changes (n bytes) receives the training settings the flags changed. */
static int setup_resume(mm_run *r, cli_data *d, const arg_spec *s, const train_flags *f, const char *ckpt,
                        char *changes, size_t n)
{
    mm_err err;
    if (mm_checkpoint_load(r, ckpt, &err)) return cli_error("--resume: %s", err.msg);
    int rc = check_resume_flags(s, f, r);
    if (rc) return rc;
    if (args_seen(s, NSPECS, "--max-steps")) r->train.max_steps = f->set.max_steps;
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

static int setup_fresh(mm_run *r, cli_data *d, const train_flags *f)
{
    mm_err err;
    if (mm_run_build(r, d, &f->set, f->input, cli_memory_available(), &err)) return cli_error("%s", err.msg);
    return 0;
}

/* The whole splits' losses (every process evaluates its share), the
 * training split's left NaN with --eval-dev-only; alone or on rank 0, a
 * failure is printed. */
static int split_losses(const mm_run *r, const cli_data *d, const cli_dist *dist, int nthreads, int dev_only,
                        double *train, double *dev)
{
    mm_err err;
    *train = NAN;
    if ((!dev_only && cli_dist_split_loss(dist, &r->model, &d->data.split[MM_TRAIN], nthreads, train, &err)) ||
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
    mm_json j;
    mm_run_summary(&j, r, &d->data, fl->train_loss, fl->dev_loss, nthreads, ckpt);
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
    final_losses fl = {r->state.init_train_loss, r->state.init_dev_loss};
    /* a run that took no step (a counted kn model, --max-steps 0) has the
     * initial model still: its losses are the initial ones, and on a large
     * corpus a second pass over the splits costs minutes */
    if (r->state.step > 0 && (rc = split_losses(r, d, dist, nthreads, f->eval_dev_only, &fl.train_loss, &fl.dev_loss)))
        return rc;
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
        trainlog_close(&c->log, NULL);
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
    if (st) return trainfiles_write_failed(&err, ckpt, c->saved_step);
    fprintf(stderr, "makemore: stopped by %s at step %ld; saved %s. Resume with: makemore train -o %s --resume\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", r->state.step, ckpt, f->workdir);
    return 128 + sig;
}

/* A resumed run's best so far: the dev loss of DIR/best.bin, when there is one. */
static int resume_best(mm_keepbest *kb, const mm_run *r, const cli_data *d, const cli_dist *dist, int nthreads)
{
    mm_run best;
    mm_err err;
    double dev;
    int found;
    if (mm_keepbest_open(kb, r, &best, &found, &err)) return cli_error("--resume: %s", err.msg);
    if (!found) return 0;
    int rc = 0;
    if (cli_dist_split_loss(dist, &best.model, &d->data.split[MM_DEV], nthreads, &dev, &err))
        rc = cli_error("%s: %s", kb->path, err.msg);
    else
        mm_keepbest_resume(kb, dev, best.state.step);
    mm_run_free(&best);
    return rc;
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
    ctx.eval_dev_only = f->eval_dev_only;
    ctx.dist = dist;
    ctx.leader = cli_dist_leader(dist);
    if (mm_keepbest_init(&ctx.kb, f->workdir, f->keep_best, f->patience)) return cli_error("-o: path too long");
    int rc = f->resume && (f->keep_best || f->patience) ? resume_best(&ctx.kb, r, d, dist, nthreads) : 0;
    if (!rc && ctx.leader) rc = open_outputs(&ctx, r, d, f, files);
    if ((rc = cli_dist_agree(dist, NULL, rc))) return rc;
    mm_err err;
    mm_status st = mm_train_run_dist(&r->model, &r->train, &r->state, &d->data.split[MM_TRAIN], nthreads,
                                     dist ? &dist->train : NULL, on_step, &ctx, &err);
    r->state.train_seconds -= files->eval_seconds; /* training time, not evaluation */
    if (st == MM_EINTR && ctx.kb.stop) {
        /* patience ran out: the run is finished here (a resume has nothing left to do) */
        r->train.max_steps = r->state.step;
        ctx.kb.stopped_early = 1;
        st = MM_OK;
        if (ctx.leader)
            fprintf(stderr, "makemore: --patience %ld: no better dev loss in %ld evaluations; stopped at step %ld "
                            "(the best, %.4f, at step %ld)\n", f->patience, ctx.kb.since, r->state.step,
                    ctx.kb.best_dev, ctx.kb.best_step);
    }
    files->best = ctx.kb;
    if (ctx.leader) {
        progress_end(&ctx.prog);
        mm_err werr; /* the last rows too: model.bin is not saved past what the log holds */
        mm_status wst = events_close(&ctx.ev, &werr);
        if (trainlog_close(&ctx.log, &werr)) wst = MM_EIO;
        if (wst && !ctx.save_status) ctx.save_status = wst, ctx.err = werr;
    }
    if (st == MM_EINTR) rc = stopped(r, &ctx, ckpt, f);
    else if (st == MM_ENUMERIC) rc = ctx.leader ? diverged(&err, ckpt, ctx.saved_step) : 1;
    else if (st) rc = cli_error("%s", err.msg); /* whichever process failed says why */
    else if (ctx.leader && ctx.save_status) rc = trainfiles_write_failed(&ctx.err, ckpt, ctx.saved_step);
    if ((rc = cli_dist_agree(dist, NULL, rc)) || st) return rc;
    return finish(r, d, ckpt, f, nthreads, ctx.saved_step, files, dist);
}

/* Refused before any file is read: a batch must give every process a row. */
static int check_dist_flags(const train_flags *f, const cli_dist *dist)
{
    if (dist && !dist->train.output && f->set.batch_size < dist->train.nranks)
        return cli_error("--batch-size %d is smaller than the %d processes: each needs at least one row",
                         f->set.batch_size, dist->train.nranks);
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
    arg_spec specs[MAX_SPECS];
    cli_dist_quiet quiet;
    cli_dist_quiet_begin(&quiet, dist); /* a mistake every process makes is told once */
    int rc = parse_flags(&f, specs, argc, argv);
    char ckpt[MM_MAX_PATH] = "";
    if (!rc) rc = check_dist_flags(&f, dist);
    if (!rc) cli_path(ckpt, sizeof ckpt, f.workdir, "model.bin"); /* fits: check_flags */
    if (!rc) rc = check_overwrite(&f, ckpt);
    if (!rc && !f.resume) rc = cli_check_input(f.input, args_seen(specs, NSPECS, "--input"));
    if ((rc = cli_dist_agree(dist, &quiet, rc))) return rc < 0 ? 0 : rc;
    int nthreads = cli_threads(f.set.threads);
    if (dist && f.set.threads == 0 && (nthreads /= dist->local_ranks) < 1) nthreads = 1; /* they share the cores */
    catch_stop_signals();
    mm_run run;
    cli_data data;
    memset(&run, 0, sizeof run);
    memset(&data, 0, sizeof data);
    char changes[512] = "";
    rc = f.resume ? setup_resume(&run, &data, specs, &f, ckpt, changes, sizeof changes)
                  : setup_fresh(&run, &data, &f);
    if (!rc) rc = cli_dist_check_model(dist, &run.model);
    if (!rc && cli_dist_leader(dist)) rc = cli_make_workdir(f.workdir, ckpt);
    rc = cli_dist_agree(dist, &quiet, rc);
    if (!rc && !f.resume)
        rc = split_losses(&run, &data, dist, nthreads, f.eval_dev_only, &run.state.init_train_loss,
                          &run.state.init_dev_loss);
    rc = cli_dist_quiet_end(&quiet, dist, rc);
    trainfiles files = {.workdir = f.workdir, .lrfind_count = f.set.lr_find,
                        .nthreads = nthreads, .t_start = progress_now(), .resume_changes = changes,
                        .resume_step = run.state.step, .dev_only = f.eval_dev_only};
    if (!rc) rc = trainfiles_mix_opts(&files.mix_opts, f.set.mix_ngram, f.set.mix_smoothing, f.set.mix_weight);
    if (!rc) rc = run_training(&run, &data, ckpt, &f, nthreads, &files, dist);
    trainfiles_free(&files);
    cli_data_free(&data);
    mm_run_free(&run);
    return rc;
}
