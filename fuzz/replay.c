/* Replays a fuzz harness on its committed inputs without libFuzzer, so the
 * normal test suite (and `make sanitize`) runs every seed and every input
 * that ever broke something: fuzz/corpus/NAME and fuzz/regressions/NAME.
 *
 * Each regression input must give the outcome (outcome.h) its line in
 * fuzz/regressions/NAME.expect states: the exact error, the vocabulary, the
 * parsed value, with '*' standing for any text (a machine's memory size).
 * An input without a line, or a line without an input, is a failure. The
 * replay runs under a memory limit (1 GiB of address space, or AddressSanitizer's
 * allocation limits under the sanitizers), so an input that makes a loader
 * allocate by a size it has not checked fails here too. A crash ends the
 * process, which the runner counts as a failure (the plan is printed first). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bytes.h"
#include "outcome.h"

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=\"text\" (the harness's folder name)"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define MEMORY_LIMIT_MB 1024
#define MAX_FILES 4096

#ifdef UNDER_ASAN
/* AddressSanitizer reserves terabytes of address space, so no RLIMIT_AS:
 * an allocation over the limit returns NULL (the loader's own error path)
 * and a resident size over it ends the process. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "max_allocation_size_mb=1024:allocator_may_return_null=1:hard_rss_limit_mb=1024";
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    char *names[MAX_FILES];
    int n;
} listing;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of dir (not dot files), in name order; none if it is missing. */
static void list_dir(const char *dir, listing *l)
{
    l->n = 0;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && l->n < MAX_FILES)
        if (e->d_name[0] != '.') l->names[l->n++] = strdup(e->d_name);
    closedir(d);
    qsort(l->names, (size_t)l->n, sizeof *l->names, cmp_names);
}

/* Runs the harness on dir/name; 0 if the file could not be read (err says why). */
static int run_file(const char *dir, const char *name, mm_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /* named before it runs, so a crash report follows its input's name */
    printf("# %s\n", path);
    fflush(stdout);
    unsigned char *buf;
    size_t len;
    if (mm_read_file(path, 1u << 24, &buf, &len, err)) return 0;
    fuzz_outcome[0] = 0;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 1;
}

/* '*' matches any run of characters; everything else itself. */
static int matches(const char *pat, const char *s)
{
    if (!*pat) return !*s;
    if (*pat == '*') return matches(pat + 1, s) || (*s && matches(pat, s + 1));
    return *pat == *s && matches(pat + 1, s + 1);
}

/* The expectations: "FILE<TAB>OUTCOME" lines; '#' lines are comments. */
typedef struct {
    char *file[MAX_FILES], *want[MAX_FILES];
    int used[MAX_FILES];
    int n;
} expectations;

static int read_expectations(const char *path, expectations *x)
{
    x->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[8192];
    while (fgets(line, sizeof line, f) && x->n < MAX_FILES) {
        line[strcspn(line, "\n")] = 0;
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || line[0] == 0 || !tab) continue;
        *tab = 0;
        x->file[x->n] = strdup(line);
        x->want[x->n] = strdup(tab + 1);
        x->used[x->n++] = 0;
    }
    fclose(f);
    return 1;
}

static int find(expectations *x, const char *file)
{
    for (int i = 0; i < x->n; i++)
        if (!strcmp(x->file[i], file)) return i;
    return -1;
}

static void limit_memory(void)
{
#ifndef UNDER_ASAN
    struct rlimit r = {(rlim_t)MEMORY_LIMIT_MB << 20, (rlim_t)MEMORY_LIMIT_MB << 20};
    if (setrlimit(RLIMIT_AS, &r)) perror("setrlimit");
#endif
}

/* glibc counts the chunks its per-thread cache holds as in use, so a
 * harness comparing mallinfo2() before and after a failed call (a leak
 * check outside LeakSanitizer) needs the cache off: the replay starts
 * itself again with it off, once. */
static void without_tcache(char **argv)
{
#ifndef UNDER_ASAN
    const char *want = "glibc.malloc.tcache_count=0";
    const char *have = getenv("GLIBC_TUNABLES");
    if (have && strstr(have, want)) return;
    if (setenv("GLIBC_TUNABLES", want, 1) == 0) execv("/proc/self/exe", argv);
    perror("replay: could not start again with glibc's tcache off");
#endif
}

int main(int argc, char **argv)
{
    /* the suite runs from the repository root; a folder may be given */
    without_tcache(argv);
    const char *root = argc > 1 ? argv[1] : "fuzz";
    static listing corpus, regs;
    static expectations x;
    char cdir[2048], rdir[2048], xpath[2100];
    snprintf(cdir, sizeof cdir, "%s/corpus/%s", root, FUZZ_NAME);
    snprintf(rdir, sizeof rdir, "%s/regressions/%s", root, FUZZ_NAME);
    snprintf(xpath, sizeof xpath, "%s/regressions/%s.expect", root, FUZZ_NAME);
    list_dir(cdir, &corpus);
    list_dir(rdir, &regs);
    int have_x = read_expectations(xpath, &x);
    limit_memory();
    /* the corpus, each regression, and the expectations' own check */
    printf("1..%d\n", 2 + regs.n);
    fflush(stdout);
    int failed = 0;
    mm_err err;

    int ran = 0, unread = 0;
    for (int i = 0; i < corpus.n; i++) {
        if (run_file(cdir, corpus.names[i], &err)) ran++;
        else { unread++; printf("# %s\n", err.msg); }
    }
    if (ran > 0 && !unread) printf("ok - fuzz_%s replays the %d inputs of %s without a crash (memory limit %d MiB)\n",
                                   FUZZ_NAME, ran, cdir, MEMORY_LIMIT_MB);
    else { failed = 1; printf("not ok - fuzz_%s: %d inputs in %s replayed, %d unreadable\n", FUZZ_NAME, ran, cdir, unread); }

    for (int i = 0; i < regs.n; i++) {
        const char *name = regs.names[i];
        int k = find(&x, name);
        if (!run_file(rdir, name, &err)) {
            failed = 1;
            printf("not ok - %s/%s: %s\n", rdir, name, err.msg);
        } else if (k < 0) {
            failed = 1;
            printf("not ok - %s/%s has no expected outcome in %s; it gives: %s\n", rdir, name, xpath, fuzz_outcome);
        } else if (!matches(x.want[k], fuzz_outcome)) {
            failed = 1;
            printf("not ok - %s/%s: the outcome is not the fix's\n#   got:  %s\n#   want: %s\n", rdir, name,
                   fuzz_outcome, x.want[k]);
        } else {
            printf("ok - %s/%s gives %s\n", rdir, name, fuzz_outcome);
        }
        if (k >= 0) x.used[k] = 1;
    }
    int stale = 0;
    for (int i = 0; i < x.n; i++)
        if (!x.used[i]) { stale++; printf("# %s names %s, which is not in %s\n", xpath, x.file[i], rdir); }
    if (stale || (regs.n && !have_x)) {
        failed = 1;
        printf("not ok - %s: %d lines name no input%s\n", xpath, stale, have_x ? "" : " (the file is missing)");
    } else {
        printf("ok - %s: every line names an input of %s (%d)\n", xpath, rdir, x.n);
    }
    return failed;
}
