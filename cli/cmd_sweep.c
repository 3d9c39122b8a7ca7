/* makemore sweep: random search (exercise E01), trials in parallel. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>

#include "bytes.h"
#include "sweep.h"
#include "args.h"
#include "cli.h"
#include "explore.h"

typedef struct {
    const char *input, *workdir, *init, *schedules;
    int trials, jobs, threads;
    long steps;
    uint64_t seed, split_seed, train_seed;
    mm_sweep_space space;
} sweep_flags;

static const char *USAGE =
    "usage: makemore sweep [-i FILE] [-o DIR] --trials N --max-steps S [ranges]\n"
    "\n"
    "Random search over learning rate and schedule, batch size, block size,\n"
    "embedding and hidden width. Each trial trains for S steps from the same\n"
    "generator seed and is scored by its loss on the whole dev split. Writes\n"
    "DIR/sweep.csv (one row per trial) and DIR/sweep.md (a table sorted by dev\n"
    "loss, with the command that trains the best again). Run it again with the\n"
    "same flags and a larger --trials to add trials: finished ones are skipped.";

#define NSPECS 22
#define MAX_JOBS 1024
static void specs_for(arg_spec *out, sweep_flags *f)
{
    mm_sweep_space *s = &f->space;
    arg_spec specs[NSPECS] = {
        {"--input", "-i", ARG_STRING, &f->input, 0, 0, "text file, one item per line (default " DEFAULT_INPUT ")", 0},
        {"--work-dir", "-o", ARG_STRING, &f->workdir, 0, 0, "folder for sweep.csv and sweep.md (default " DEFAULT_WORKDIR ")", 0},
        {"--trials", NULL, ARG_INT, &f->trials, 1, 100000, "trials in all, counting finished ones (default 20)", 0},
        {"--max-steps", NULL, ARG_LONG, &f->steps, 1, 1e12, "training steps per trial (default 30000)", 0},
        {"--jobs", "-j", ARG_INT, &f->jobs, 0, 1024, "trials at once (default 0: one per core)", 0},
        {"--threads", "-t", ARG_INT, &f->threads, 0, 1024, "threads per trial (default 0: cores / jobs)", 0},
        {"--seed", NULL, ARG_U64, &f->seed, 0, 0, "seed of the configuration draws (default 1)", 0},
        {"--train-seed", NULL, ARG_U64, &f->train_seed, 0, 0, "generator seed of every trial's init and batches (default 2147483647)", 0},
        {"--split-seed", NULL, ARG_U64, &f->split_seed, 0, 0, "Python random.seed for the split (default 42)", 0},
        {"--init", NULL, ARG_STRING, &f->init, 0, 0, "torch or scaled (default scaled)", 0},
        {"--lr-min", NULL, ARG_DOUBLE, &s->lr_min, 1e-9, 1e3, "learning rate, log-uniform from (default 0.03)", 0},
        {"--lr-max", NULL, ARG_DOUBLE, &s->lr_max, 1e-9, 1e3, "... to (default 0.5)", 0},
        {"--schedules", NULL, ARG_STRING, &f->schedules, 0, 0, "step, inv or step,inv (default step,inv)", 0},
        {"--batch-min", NULL, ARG_INT, &s->batch_min, 1, 1 << 20, "batch size, powers of two from (default 16)", 0},
        {"--batch-max", NULL, ARG_INT, &s->batch_max, 1, 1 << 20, "... to (default 256)", 0},
        {"--block-min", NULL, ARG_INT, &s->block_min, 1, 1024, "block size, uniform from (default 2)", 0},
        {"--block-max", NULL, ARG_INT, &s->block_max, 1, 1024, "... to (default 8)", 0},
        {"--embd-min", NULL, ARG_INT, &s->embd_min, 1, 65536, "embedding width, log-uniform from (default 4)", 0},
        {"--embd-max", NULL, ARG_INT, &s->embd_max, 1, 65536, "... to (default 24)", 0},
        {"--hidden-min", NULL, ARG_INT, &s->hidden_min, 1, 65536, "hidden units, log-uniform from (default 50)", 0},
        {"--hidden-max", NULL, ARG_INT, &s->hidden_max, 1, 65536, "... to (default 400)", 0},
        {"--max-params", NULL, ARG_LONG, &s->max_params, 0, 1e12, "only models with at most this many parameters (default 0: any)", 0},
    };
    memcpy(out, specs, sizeof specs);
}

static void defaults(sweep_flags *f)
{
    memset(f, 0, sizeof *f);
    f->input = DEFAULT_INPUT;
    f->workdir = DEFAULT_WORKDIR;
    f->init = "scaled";
    f->schedules = "step,inv";
    f->trials = 20;
    f->steps = 30000;
    f->seed = 1;
    f->train_seed = LECTURE_SEED;
    f->split_seed = 42;
    f->space = (mm_sweep_space){0.03, 0.5, 1, 1, 16, 256, 2, 8, 4, 24, 50, 400, 0};
}

static int parse_schedules(sweep_flags *f)
{
    const char *s = f->schedules;
    f->space.use_step = f->space.use_inv = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        if (n == 4 && !strncmp(s, "step", 4)) f->space.use_step = 1;
        else if (n == 3 && !strncmp(s, "inv", 3)) f->space.use_inv = 1;
        else return cli_error("--schedules '%s': expected step, inv or step,inv", f->schedules);
        s += n + (s[n] == ',');
    }
    return 0;
}

/* The state shared by the trials running in parallel. */
typedef struct {
    const sweep_flags *f;
    mm_sweep_setup setup;
    mm_trial *done;  /* finished trials, old and new */
    int ndone;
    char csv[MM_MAX_PATH], md[MM_MAX_PATH];
} sweep_state;

static int save_tables(sweep_state *s)
{
    mm_sbuf csv = {0}, md = {0};
    mm_err err;
    mm_trial *sorted = malloc((size_t)(s->ndone ? s->ndone : 1) * sizeof *sorted);
    int rc = 0;
    if (!sorted) return cli_error("out of memory");
    memcpy(sorted, s->done, (size_t)s->ndone * sizeof *sorted);
    mm_sweep_csv(s->done, s->ndone, &csv);
    mm_sweep_markdown(sorted, s->ndone, &s->setup, &md);
    if (mm_sbuf_save(&csv, s->csv, &err) || mm_sbuf_save(&md, s->md, &err)) rc = cli_error("%s", err.msg);
    mm_sbuf_free(&csv);
    mm_sbuf_free(&md);
    free(sorted);
    return rc;
}

/* Trials already in DIR/sweep.csv; 0 or the exit status. */
static int load_done(sweep_state *s)
{
    unsigned char *buf;
    size_t len;
    mm_err err;
    struct stat sb;
    if (stat(s->csv, &sb) != 0) return 0; /* a new sweep */
    if (mm_read_file(s->csv, 1u << 30, &buf, &len, &err)) return cli_error("%s", err.msg);
    mm_trial *old;
    int n;
    mm_status st = mm_sweep_parse((const char *)buf, len, s->csv, &old, &n, &err);
    free(buf);
    if (st) return cli_error("%s", err.msg);
    mm_trial *all = realloc(old, (size_t)(n + s->f->trials) * sizeof *all);
    if (!all) {
        free(old);
        return cli_error("out of memory");
    }
    free(s->done);
    s->done = all;
    s->ndone = n;
    return 0;
}

static int is_done(const sweep_state *s, int id)
{
    for (int i = 0; i < s->ndone; i++)
        if (s->done[i].id == id) return 1;
    return 0;
}

static void report_trial(const sweep_state *s, const mm_trial *t)
{
    fprintf(stderr, "trial %d (%d/%d done): dev %.4f  train %.4f  params %zu  lr %.3g %s  batch %d  block %d  "
            "embd %d  hidden %d  (%.1f s)\n", t->id, s->ndone, s->f->trials, t->dev_loss, t->train_loss, t->params,
            t->lr, t->inv ? "inv" : "step", t->batch, t->block, t->embd, t->hidden, t->seconds);
}

/* One worker: takes the next pending trial until none is left or one failed. */
typedef struct {
    sweep_state *s;
    mm_trial *pend;
    int np, next, threads, rc;
    pthread_mutex_t lock;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int k = p->rc ? p->np : p->next++;
        pthread_mutex_unlock(&p->lock);
        if (k >= p->np) return NULL;
        mm_trial t = p->pend[k];
        mm_err e;
        mm_status st = mm_sweep_run(&t, &p->s->setup, p->threads, &e);
        pthread_mutex_lock(&p->lock);
        if (st && !p->rc) {
            p->rc = cli_error("trial %d: %s", t.id, e.msg);
        } else if (!st && !p->rc) {
            p->s->done[p->s->ndone++] = t;
            report_trial(p->s, &t);
            p->rc = save_tables(p->s);
        }
        pthread_mutex_unlock(&p->lock);
    }
}

/* Trials run on plain threads, not an OpenMP team: the kernels' own OpenMP
 * regions (and their barriers) must not find themselves nested in ours. */
static int run_trials(sweep_state *s, int jobs, int threads)
{
    const sweep_flags *f = s->f;
    pool p = {.s = s, .threads = threads};
    p.pend = malloc((size_t)f->trials * sizeof *p.pend);
    if (!p.pend) return cli_error("out of memory");
    mm_err err;
    for (int id = 0; id < f->trials && !p.rc; id++) {
        if (is_done(s, id)) continue;
        if (mm_sweep_draw(&f->space, s->setup.vocab->size, f->seed, f->steps, id, &p.pend[p.np++], &err))
            p.rc = cli_error("%s", err.msg);
    }
    if (!p.rc)
        fprintf(stderr, "sweep: %d trials to run, %d already in %s; %d at once, %d thread%s each\n", p.np, s->ndone,
                s->csv, jobs, threads, threads > 1 ? "s" : "");
    pthread_mutex_init(&p.lock, NULL);
    pthread_t tid[MAX_JOBS];
    int started = 0;
    for (int j = 0; j < jobs && j < p.np && !p.rc; j++)
        if (pthread_create(&tid[started], NULL, worker, &p) == 0) started++;
    if (started == 0) worker(&p); /* no thread could start: run them here */
    for (int j = 0; j < started; j++) pthread_join(tid[j], NULL);
    pthread_mutex_destroy(&p.lock);
    free(p.pend);
    return p.rc;
}

static int make_dir(const char *dir)
{
    struct stat sb;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_error("-o %s: cannot create the folder: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) return cli_error("-o %s: not a folder", dir);
    return 0;
}

static int sweep_on(sweep_flags *f, cli_data *d)
{
    sweep_state s;
    memset(&s, 0, sizeof s);
    s.f = f;
    s.setup = (mm_sweep_setup){&d->words, &d->vocab, f->input, f->split_seed, f->train_seed,
                               !strcmp(f->init, "scaled") ? MM_INIT_SCALED : MM_INIT_TORCH, f->steps};
    mm_err err;
    if (mm_sweep_space_check(&f->space, d->vocab.size, &err)) return cli_error("sweep: %s", err.msg);
    if (cli_path(s.csv, sizeof s.csv, f->workdir, "sweep.csv") || cli_path(s.md, sizeof s.md, f->workdir, "sweep.md"))
        return cli_error("-o: path too long");
    s.done = malloc((size_t)f->trials * sizeof *s.done);
    if (!s.done) return cli_error("out of memory");
    int rc = load_done(&s);
    int cores = cli_threads(0);
    int jobs = f->jobs > 0 ? f->jobs : cores;
    int threads = f->threads > 0 ? f->threads : (cores / jobs > 0 ? cores / jobs : 1);
    if (!rc) rc = run_trials(&s, jobs, threads);
    if (!rc) rc = save_tables(&s); /* also when nothing was left to run */
    if (!rc) fprintf(stderr, "wrote %s and %s\n", s.csv, s.md);
    free(s.done);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    sweep_flags f;
    arg_spec specs[NSPECS];
    defaults(&f);
    specs_for(specs, &f);
    char msg[512];
    int rc = args_parse(specs, NSPECS, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("sweep: %s", msg);
    if (rc > 0) { args_usage(USAGE, specs, NSPECS); return 0; }
    if (strcmp(f.init, "torch") && strcmp(f.init, "scaled"))
        return cli_error("--init '%s': expected torch or scaled", f.init);
    if ((rc = parse_schedules(&f))) return rc;
    mm_err err;
    if (mm_sweep_space_check(&f.space, 2, &err)) return cli_error("sweep: %s", err.msg);
    if ((rc = cli_check_input(f.input, args_seen(specs, NSPECS, "--input")))) return rc;
    if ((rc = make_dir(f.workdir))) return rc;
    cli_data d;
    /* the vocabulary and words are shared; each trial builds its own splits */
    mm_data_opts o = {.T = 1, .split_kind = MM_SPLIT_LECTURE, .split_seed = f.split_seed};
    if (cli_data_load(&d, f.input, &o, NULL, &err)) return cli_error("%s", err.msg);
    if (d.data.split[MM_TRAIN].n == 0) rc = cli_empty_train_split(f.input, d.words.nwords);
    else rc = sweep_on(&f, &d);
    cli_data_free(&d);
    return rc;
}
