#include "cli.h"
#include "kind.h"
#include "memory.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

int cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("makemore: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

mm_status cli_data_load(cli_data *d, const char *path, const mm_data_opts *o, const mm_vocab *vocab,
                        mm_err *err)
{
    return mm_run_data_load(d, path, o, vocab, cli_memory_available(), err);
}

int cli_check_input(const char *input, int given)
{
    struct stat sb;
    if (given || stat(input, &sb) == 0) return 0;
    return cli_error("no -i FILE given, and the default %s does not exist: pass -i FILE, a text file with one "
                     "item per line (or run make data for names.txt)", input);
}

int cli_empty_train_split(const char *path, size_t nitems)
{
    return cli_error("%s: %zu item%s leave%s the training split empty: the input needs more items", path,
                     nitems, nitems == 1 ? "" : "s", nitems == 1 ? "s" : "");
}

mm_data_opts cli_run_data_opts(const mm_run *r) { return mm_run_data_opts(r); }

void cli_print_loss(FILE *f, double loss, int json)
{
    if (isnan(loss)) fputs(json ? "null" : "-", f);
    else fprintf(f, json ? "%.6f" : "%.4f", loss);
}

uint64_t cli_data_mem(const cli_data *d, const mm_data_opts *o) { return mm_run_data_mem(d, o); }

uint64_t cli_memory_available(void) { return mm_memory_available(); }

void cli_data_free(cli_data *d) { mm_run_data_free(d); }

int cli_threads(int requested)
{
#ifdef _OPENMP
    int cores = omp_get_num_procs();
    if (requested > cores) {
        /* more threads than cores only makes them wait for each other */
        fprintf(stderr, "makemore: warning: --threads %d is more than the %d cores here; using %d\n", requested,
                cores, cores);
        return cores;
    }
    return requested > 0 ? requested : cores;
#else
    (void)requested;
    return 1;
#endif
}

int cli_path(char *out, size_t n, const char *dir, const char *name)
{
    return snprintf(out, n, "%s/%s", dir, name) < (int)n ? 0 : -1;
}

void cli_print_item(FILE *f, const mm_vocab *v, const int *ids, int n)
{
    for (int i = 0; i < n; i++) {
        if (v->words && i) fputc(' ', f);
        fputs(mm_vocab_token(v, ids[i]), f);
    }
}

void cli_item_string(char *out, const mm_vocab *v, const int *ids, int n)
{
    mm_vocab_text(v, ids, n, out);
}

int cli_json_print(mm_json *j)
{
    mm_json_end(j);
    int oom = j->b.oom;
    if (!oom) fwrite(mm_sbuf_str(&j->b), 1, j->b.len, stdout);
    mm_json_free(j);
    if (oom) return cli_error("out of memory while writing the JSON output");
    return 0; /* a failed write: cli_flush_stdout, at exit */
}

int cli_flush_stdout(int rc)
{
    /* stdio keeps the first failure in ferror; errno is only sure to hold
     * its reason when this last flush fails */
    errno = 0;
    int flushed = fflush(stdout) == 0, e = errno;
    if (flushed && !ferror(stdout)) return rc;
    if (e && !flushed) cli_error("stdout: write failed: %s", strerror(e));
    else cli_error("stdout: write failed");
    return rc ? rc : EXIT_USAGE;
}

int cli_vocab_equal(const mm_vocab *a, const mm_vocab *b)
{
    return mm_vocab_equal(a, b);
}

void cli_remove_stale_temps(const char *dir)
{
    static const char *prefixes[] = {"model.bin.tmp.", "log.csv.tmp."};
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
            size_t n = strlen(prefixes[i]);
            if (strncmp(e->d_name, prefixes[i], n)) continue;
            char *end;
            long pid = strtol(e->d_name + n, &end, 10);
            /* a live writer (another makemore in the same folder) keeps its file */
#ifdef __wasi__
            /* one process at a time in the web page: any temp is stale */
            if (*end || pid <= 0) continue;
#else
            if (*end || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
#endif
            char path[MM_MAX_PATH];
            if (!cli_path(path, sizeof path, dir, e->d_name)) unlink(path);
        }
    }
    closedir(d);
}

/* Called once the data and flags are known good, so a typo in -i leaves no
 * empty folder behind; fails before any training if model.bin could not be
 * replaced at the end. */
int cli_make_workdir(const char *dir, const char *ckpt)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_error("-o %s: cannot create the folder: %s", dir, strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cli_error("-o %s: not a folder", dir);
    if (stat(ckpt, &sb) == 0 && !S_ISREG(sb.st_mode))
        return cli_error("%s: exists and is not a regular file; move it away or choose another -o", ckpt);
    cli_remove_stale_temps(dir);
    return 0;
}
