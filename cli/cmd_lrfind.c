/* makemore lr-find: the lecture's learning-rate sweep on its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "events.h"
#include "train_model.h"
#include "trainfiles.h"

typedef struct {
    const char *input, *workdir;
    double lo, hi;
    int count;
    mm_settings set; /* the model's sizes, init, seeds, batch and threads: the run builder's */
} lrfind_flags;

static const char *USAGE =
    "usage: makemore lr-find [-i FILE] [-o DIR] [options]\n"
    "\n"
    "The lecture's learning-rate finder: from a fresh model, one SGD step at each\n"
    "of --count rates 10^linspace(--lr-min-exp, --lr-max-exp), the model updated\n"
    "all along. Writes DIR/lr_find.csv and DIR/lr_find.svg and prints a suggested\n"
    "learning rate: the rate where the loss, smoothed over count/20 steps, is\n"
    "lowest.";

static int make_dir(const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_error("-o %s: cannot create the folder: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return cli_error("-o %s: not a folder", dir);
    return 0;
}

static int sweep(const lrfind_flags *f, mm_run *run, const cli_data *d)
{
    mm_err err;
    mm_lrfind_config c = {.lo_exp = f->lo, .hi_exp = f->hi, .count = f->count, .batch_size = f->set.batch_size};
    mm_lrfind r;
    int rc = 0;
    if (mm_lrfind_run(&r, &run->model, &c, &d->data.split[MM_TRAIN], &run->state.rng, cli_threads(f->set.threads), &err)) {
        rc = cli_error("%s", err.msg);
    } else {
        rc = trainfiles_save_lrfind(f->workdir, &r);
        events ev;
        if (!rc) rc = events_open(&ev, 0, 0);
        if (!rc) events_lrfind(&ev, &r);
        if (!rc && events_close(&ev, &err)) rc = cli_error("%s", err.msg);
        char rule[256];
        mm_lrfind_rule(&r, rule, sizeof rule);
        if (!rc && r.n > 0) printf("suggested learning rate: %.3g\nrule: %s\n", r.suggested_lr, rule);
        char stop[256];
        mm_lrfind_stop(&r, stop, sizeof stop);
        if (!rc && *stop) printf("%s\n", stop);
        if (!rc && r.n == 0) rc = cli_error("lr-find: the first step already diverged; lower --lr-min-exp");
        if (!rc) fprintf(stderr, "wrote %s/lr_find.csv and %s/lr_find.svg\n", f->workdir, f->workdir);
        mm_lrfind_free(&r);
    }
    return rc;
}

int cmd_lrfind(int argc, char **argv)
{
    lrfind_flags f = {DEFAULT_INPUT, DEFAULT_WORKDIR, -3.0, 0.0, 1000, {0}};
    mm_settings *set = &f.set;
    mm_settings_defaults(set);
    arg_spec s[] = {
        {"--input", "-i", ARG_STRING, &f.input, 0, 0, "text file, one item per line (default " DEFAULT_INPUT ")", 0},
        {"--work-dir", "-o", ARG_STRING, &f.workdir, 0, 0, "folder for lr_find.csv/.svg (default " DEFAULT_WORKDIR ")", 0},
        {"--lr-min-exp", NULL, ARG_DOUBLE, &f.lo, -12, 3, "first rate is 10^this (default -3)", 0},
        {"--lr-max-exp", NULL, ARG_DOUBLE, &f.hi, -12, 3, "last rate is 10^this (default 0)", 0},
        {"--count", NULL, ARG_INT, &f.count, 2, 10000000, "steps, one rate each (default 1000)", 0},
        {"--batch-size", "-b", ARG_INT, &set->batch_size, 1, 1 << 20, "minibatch size (default 32)", 0},
        {"--block-size", NULL, ARG_INT, &set->block_size, 1, 1024, "context length (default 3)", 0},
        {"--n-embd", NULL, ARG_INT, &set->n_embd, 1, 65536, "embedding width (default 10)", 0},
        {"--n-hidden", NULL, ARG_INT, &set->n_hidden, 1, 65536, "hidden units (default 200)", 0},
        {"--init", NULL, ARG_STRING, &set->init, 0, 0, "torch (lecture) or scaled", 0},
        {"--seed", NULL, ARG_U64, &set->seed, 0, 0, "generator seed (default 2147483647)", 0},
        {"--split-seed", NULL, ARG_U64, &set->split_seed, 0, 0, "Python random.seed for the split (default 42)", 0},
        {"--threads", "-t", ARG_INT, &set->threads, 0, 1024, "threads (default 0: all cores)", 0},
    };
    int n = (int)(sizeof s / sizeof *s);
    char msg[512];
    int rc = args_parse(s, n, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("lr-find: %s", msg);
    if (rc > 0) { args_usage(USAGE, s, n); return 0; }
    run_flags_given(set, s, n);
    mm_err err;
    if (mm_settings_resolve(set, 0, &err)) return cli_error("%s", err.msg);
    mm_lrfind_config c = {.lo_exp = f.lo, .hi_exp = f.hi, .count = f.count, .batch_size = set->batch_size};
    if (mm_lrfind_config_check(&c, &err)) return cli_error("lr-find: %s", err.msg);
    if ((rc = cli_check_input(f.input, args_seen(s, n, "--input")))) return rc;
    if ((rc = make_dir(f.workdir))) return rc;
    /* the model of a fresh train run with these settings, on the same data */
    mm_run run;
    cli_data d;
    if (mm_run_build(&run, &d, set, f.input, cli_memory_available(), &err)) rc = cli_error("%s", err.msg);
    else rc = sweep(&f, &run, &d);
    cli_data_free(&d);
    mm_run_free(&run);
    return rc;
}
