/* The command line and the library build a run through the same builder:
 * for the same settings, `makemore train --json` and makemore_train_with's
 * summary must agree field by field (but for the timing, and report.html,
 * which only the command line writes; the samples and the n-gram mix are
 * compared when asked for), and every setting the library takes must be a
 * flag of train; so must a run resumed by each. The flags the library
 * refuses name themselves, and --save-every saves while the run goes on.
 *   MAKEMORE  the binary (default ./makemore) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "makemore.h"

#define MAXF 64

typedef struct {
    int n;
    char key[MAXF][48];
    char val[MAXF][640]; /* as written: "text" with its quotes, 1.250000, null, [...] */
} fields;

/* The end of the value that starts at p: a string, an array or a scalar. */
static const char *value_end(const char *p)
{
    int depth = 0, in_str = 0;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_str = 0;
            if (!in_str && depth == 0) return p + 1;
            continue;
        }
        if (*p == '"') in_str = 1;
        else if (*p == '[' || *p == '{') depth++;
        else if ((*p == ']' || *p == '}') && depth > 0) { if (--depth == 0) return p + 1; }
        else if ((*p == ',' || *p == '}') && depth == 0) return p;
    }
    return p;
}

/* A flat object as our writer prints it: {"key": value, ...}; 0 or -1. */
static int parse_fields(const char *s, fields *f)
{
    memset(f, 0, sizeof *f);
    const char *p = strchr(s, '{');
    if (!p) return -1;
    for (p++; *p && f->n < MAXF;) {
        while (*p == ' ' || *p == ',' || *p == '\n') p++;
        if (*p == '}') return 0;
        const char *k = p + 1, *ke = *p == '"' ? strchr(k, '"') : NULL;
        if (!ke || ke[1] != ':' || ke - k >= 48) return -1;
        const char *v = ke + 2;
        while (*v == ' ') v++;
        const char *ve = value_end(v);
        if (ve - v >= 640) return -1;
        memcpy(f->key[f->n], k, (size_t)(ke - k));
        memcpy(f->val[f->n], v, (size_t)(ve - v));
        f->n++;
        p = ve;
    }
    return -1;
}

static const char *get(const fields *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->key[i], key)) return f->val[i];
    return NULL;
}

static int cli_only(const char *key)
{
    return !strcmp(key, "report_html") || !strcmp(key, "samples") || !strncmp(key, "mix_", 4);
}

static int timing(const char *key) { return !strcmp(key, "train_seconds") || !strcmp(key, "us_per_step"); }

/* Runs cmd and reads its stdout into out (n bytes); its exit status. */
static int run(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t len = fread(out, 1, n - 1, p);
    out[len] = 0;
    return pclose(p);
}

/* The settings as train's flags: "name=value" -> --name value (a flag
 * without a value for "direct=1" and "keep-best=1"). */
static void flags_of(const char *const *set, char *out, size_t n)
{
    size_t len = 0;
    for (int i = 0; set[i] && len < n; i++) {
        const char *eq = strchr(set[i], '=');
        if (!strcmp(eq + 1, "1") && (!strncmp(set[i], "direct", 6) || !strncmp(set[i], "keep-best", 9)))
            len += (size_t)snprintf(out + len, n - len, " --%.*s", (int)(eq - set[i]), set[i]);
        else
            len += (size_t)snprintf(out + len, n - len, " --%.*s '%s'", (int)(eq - set[i]), set[i], eq + 1);
    }
}

/* The two summaries agree field by field (3 checks). */
static void agree(const char *what, const char *api, int rc, const char *cli)
{
    static char differ[1024];
    fields a, c;
    CHECK(rc == 0 && parse_fields(api, &a) == 0 && parse_fields(cli, &c) == 0 && a.n > 10,
          "%s: both summaries parse (exit %d, %d fields)", what, rc, a.n);
    if (rc != 0) return;
    size_t len = 0;
    differ[0] = 0;
    for (int i = 0; i < c.n; i++) {
        const char *k = c.key[i], *v = get(&a, k);
        if (timing(k) || (cli_only(k) && !v)) continue;
        if (!v || strcmp(v, c.val[i]))
            len += (size_t)snprintf(differ + len, sizeof differ - len, " %s (cli %s, api %s)", k, c.val[i], v ? v : "missing");
    }
    for (int i = 0; i < a.n && len < sizeof differ; i++)
        if (!get(&c, a.key[i])) len += (size_t)snprintf(differ + len, sizeof differ - len, " %s (only the api's)", a.key[i]);
    CHECK(len == 0, "%s: the %d fields of train --json agree with the library's summary%s%s", what, c.n,
          len ? ", but for:" : "", differ);
}

/* Trains with the library, then with the command line into the same
 * folder, and compares the two summaries. */
static void compare(const char *what, const char *mm, const char *data, const char *dir, const char *const *set)
{
    static char api[8192], cli[8192], cmd[4096], flags[2048];
    makemore_error err = {{0}};
    makemore_status st = makemore_train_with(data, dir, NULL, set, api, sizeof api, &err);
    CHECK(st == MAKEMORE_OK, "%s: makemore_train_with: %s", what, st ? err.msg : "ok");
    if (st) return;
    flags_of(set, flags, sizeof flags);
    snprintf(cmd, sizeof cmd, "%s train -i '%s' -o '%s' --json --samples 0 --force%s 2>/dev/null", mm, data, dir, flags);
    int rc = run(cmd, cli, sizeof cli);
    agree(what, api, rc, cli);
}

/* A run of 40 steps by the command line, resumed to 80 by the library and
 * (from the same model.bin) by the command line: the summaries agree. */
static void compare_resume(const char *mm, const char *data, const char *dir)
{
    static char api[8192], cli[8192], cmd[4096];
    const char *what = "resume=1 max-steps=80";
    snprintf(cmd, sizeof cmd, "%s train -i '%s' -o '%s' --json --samples 0 --force --max-steps 40 --n-hidden 16 "
             "--optimizer adamw --learning-rate 0.01 --threads 1 >/dev/null 2>&1 && cp '%s/model.bin' '%s.saved'",
             mm, data, dir, dir, dir);
    int rc = system(cmd);
    const char *set[] = {"resume=1", "max-steps=80", "threads=1", NULL};
    makemore_error err = {{0}};
    makemore_status st = rc ? MAKEMORE_EIO : makemore_train_with(data, dir, NULL, set, api, sizeof api, &err);
    CHECK(st == MAKEMORE_OK, "%s: makemore_train_with: %s", what, !st ? "ok" : rc ? "the first 40 steps failed" : err.msg);
    if (st) return;
    snprintf(cmd, sizeof cmd, "cp '%s.saved' '%s/model.bin' && %s train -i '%s' -o '%s' --json --samples 0 "
             "--resume --max-steps 80 --threads 1 2>/dev/null", dir, dir, mm, data, dir);
    rc = run(cmd, cli, sizeof cli);
    agree(what, api, rc, cli);
}

/* eval-every with keep-best and patience: the two summaries agree on the
 * best evaluation and the early stop, and the library's best.bin loads as
 * a model of that step (2 checks besides compare's 3). */
static void compare_keep_best(const char *mm, const char *data, const char *dir)
{
    static char api[8192], cli[8192], cmd[4096], flags[2048];
    /* a learning rate this high makes the dev loss climb early: patience ends the run */
    const char *set[] = {"max-steps=400", "n-hidden=16", "learning-rate=2", "eval-every=10", "keep-best=1",
                         "patience=2", "threads=1", NULL};
    const char *what = "eval-every, keep-best and patience";
    char best[160];
    snprintf(best, sizeof best, "%s/best.bin", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
    makemore_error err = {{0}};
    makemore_status st = makemore_train_with(data, dir, NULL, set, api, sizeof api, &err);
    CHECK(st == MAKEMORE_OK && strstr(api, "\"best_bin\": \"best.bin\""), "%s: makemore_train_with: %s", what,
          st ? err.msg : strstr(api, "\"best_bin\": \"best.bin\"") ? "ok" : "no best_bin in its summary");
    if (st) return;
    fields a;
    long best_step = -1, stopped = -1;
    if (!parse_fields(api, &a) && get(&a, "best_step")) best_step = atol(get(&a, "best_step"));
    if (get(&a, "stopped_early")) stopped = atol(get(&a, "stopped_early"));
    /* makemore_load reads a folder's model.bin: best.bin as one */
    char bdir[160];
    snprintf(bdir, sizeof bdir, "%s.best", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s' && cp '%s' '%s/model.bin'", bdir, bdir, best, bdir);
    makemore_model *m = NULL;
    makemore_error lerr = {{0}};
    st = system(cmd) ? MAKEMORE_EIO : makemore_load(bdir, &m, &lerr);
    CHECK(st == MAKEMORE_OK && best_step > 0 && stopped == 1 && m, "%s: best.bin loads (%s), of best_step %ld; "
          "stopped_early %ld", what, st ? lerr.msg : "ok", best_step, stopped);
    if (m) makemore_free(m);
    flags_of(set, flags, sizeof flags);
    snprintf(cmd, sizeof cmd, "%s train -i '%s' -o '%s' --json --samples 0 --force%s 2>/dev/null", mm, data, dir, flags);
    int rc = run(cmd, cli, sizeof cli);
    agree(what, api, rc, cli);
}

static void write_data(const char *path)
{
    FILE *f = fopen(path, "w");
    const char *names[] = {"anna", "bob", "carla", "dmitri", "elena", "farouk", "gita", "hiro", "ines", "jomo",
                           "kaia", "lars", "mira", "noor", "zo\xc3\xab", "ren\xc3\xa9"};
    for (int i = 0; f && i < 600; i++) fprintf(f, "%s\n", names[i % 16]);
    if (f) fclose(f);
}

/* Every name makemore_train_with takes is a flag in train --help. */
static void names_are_flags(const char *mm)
{
    static char help[32768], cmd[1024], missing[1024];
    snprintf(cmd, sizeof cmd, "%s train --help", mm);
    int rc = run(cmd, help, sizeof help), n = 0;
    size_t len = 0;
    missing[0] = 0;
    for (const char *name; (name = makemore_train_setting(n)); n++) {
        char flag[80];
        snprintf(flag, sizeof flag, " --%s ", name);
        if (!strstr(help, flag)) len += (size_t)snprintf(missing + len, sizeof missing - len, " %s", name);
    }
    CHECK(rc == 0 && n > 20 && len == 0, "the library's %d settings are train's flags%s%s", n,
          len ? "; not in --help:" : "", missing);
}

/* The flags of train the library cannot act on are refused by name. */
static void refusals(const char *data, const char *dir)
{
    static const char *const cases[][2] = {
        {"print-every=100", "--print-every"}, {"lr-find=100", "--lr-find"},
        {"resume=1", "--learning-rate"}, /* with learning-rate=0.1 below: the checkpoint's */
        {"eval-every=5", "--eval-every"}, /* no callback to receive them */
        {"keep-best=1", "--keep-best"}, {"patience=3", "--patience"}, /* without eval-every */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *set[] = {"max-steps=1", cases[i][0], i == 2 ? "learning-rate=0.1" : NULL, NULL};
        makemore_error err = {{0}};
        char json[4096];
        makemore_status st = makemore_train_with(data, dir, NULL, set, json, sizeof json, &err);
        CHECK(st == MAKEMORE_EINVAL && strstr(err.msg, cases[i][1]), "%s is refused, naming %s (%s)", cases[i][0],
              cases[i][1], err.msg);
    }
}

typedef struct {
    const char *ckpt;
    int before, after; /* model.bin was there at step 9, at step 11 */
} saw;

static int look(const makemore_progress *p, void *user)
{
    saw *s = user;
    if (p->step == 9) s->before = access(s->ckpt, F_OK) == 0;
    if (p->step == 11) s->after = access(s->ckpt, F_OK) == 0;
    return 0;
}

/* save-every=10 writes model.bin at step 10, before the run ends. */
static void saves_every(const char *data, const char *dir)
{
    char ckpt[128], cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
    snprintf(ckpt, sizeof ckpt, "%s/model.bin", dir);
    saw s = {ckpt, -1, -1};
    const char *set[] = {"max-steps=20", "n-hidden=8", "save-every=10", "eval-every=1", "threads=1", NULL};
    makemore_error err = {{0}};
    makemore_status st = makemore_train_watch(data, dir, NULL, set, look, &s, 0, NULL, 0, &err);
    CHECK(st == MAKEMORE_OK && s.before == 0 && s.after == 1,
          "save-every=10 saved model.bin between steps 9 and 11 (%s; there at 9: %d, at 11: %d)",
          st ? err.msg : "ok", s.before, s.after);
}

int main(void)
{
    PLAN(1 + 9 * 3 + 4 + 6 + 1); /* the names, 3 checks for each of the 9 comparisons, keep-best, the refusals,
                                  * save-every */
    const char *mm = getenv("MAKEMORE") ? getenv("MAKEMORE") : "./makemore";
    char dir[] = "/tmp/mm_test_summary_XXXXXX", data[64], out[96];
    if (!mkdtemp(dir)) return 1;
    snprintf(data, sizeof data, "%s/d.txt", dir);
    snprintf(out, sizeof out, "%s/model", dir);
    write_data(data);
    names_are_flags(mm);
    const char *mlp[] = {"max-steps=200", "batch-size=16", "n-hidden=16", "seed=7", "threads=1", NULL};
    compare("the lecture's mlp", mm, data, out, mlp);
    const char *small[] = {"preset=small", "max-steps=40", "n-embd=8", "n-hidden=12", "dropout=0.2",
                           "warmup-steps=5", "min-lr=0.0001", NULL};
    compare("--preset small with dropout, warmup and min-lr", mm, data, out, small);
    const char *bigram[] = {"preset=makemore-bigram", "max-steps=30", "threads=1", NULL};
    compare("--preset makemore-bigram (its split)", mm, data, out, bigram);
    const char *many[] = {"model=mlp", "direct=1", "init=scaled", "optimizer=momentum", "momentum=0.8",
                          "lr-schedule=inv", "lr-decay-rate=0.001", "weight-decay=0.001", "max-steps=50",
                          "split=makemore", "split-seed=5", "n-hidden=16", "block-size=4", "threads=1", NULL};
    compare("mlp --direct, momentum, inv schedule, makemore split", mm, data, out, many);
    const char *tfm[] = {"model=transformer", "n-layers=1", "n-head=2", "n-embd=8", "max-steps=10",
                         "optimizer=adamw", "beta1=0.8", "beta2=0.95", "eps=1e-6", "threads=1", NULL};
    compare("a transformer with adamw", mm, data, out, tfm);
    const char *words[] = {"tokens=word", "min-count=2", "split=ordered", "split-sizes=0.5/0.25", "epochs=1.5",
                           "batch-size=64", "n-hidden=16", "threads=1", NULL};
    compare("word tokens, the ordered split, epochs", mm, data, out, words);
    const char *run[] = {"max-steps=60", "n-hidden=16", "save-every=20", "mix-ngram=3", "num-samples=5",
                         "threads=1", NULL};
    compare("--save-every, --mix-ngram and --num-samples", mm, data, out, run);
    const char *kn[] = {"max-steps=60", "n-hidden=16", "mix-ngram=3", "mix-smoothing=kn", "mix-weight=0.4",
                        "threads=1", NULL};
    compare("--mix-ngram with --mix-smoothing kn and --mix-weight", mm, data, out, kn);
    compare_resume(mm, data, out);
    compare_keep_best(mm, data, out);
    refusals(data, out);
    saves_every(data, out);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "# could not remove %s\n", dir);
    return CHECK_DONE();
}
