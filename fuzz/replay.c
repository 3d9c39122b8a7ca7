/* Replays a fuzz harness on its committed inputs without libFuzzer, so the
 * normal test suite (and `make sanitize`) runs every seed and every input
 * that ever crashed: fuzz/corpus/NAME and fuzz/regressions/NAME. A crash or
 * sanitizer report ends the process, which the runner counts as a failure. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=\"text\" (the harness's folder name)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int failed, checks;

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the harness on every file in dir, in name order; returns the count. */
static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    char *names[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096)
        if (e->d_name[0] != '.') names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_names);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unsigned char *buf;
        size_t len;
        mm_err err;
        /* named before it runs, so a crash report follows its input's name */
        printf("# %s\n", path);
        fflush(stdout);
        if (mm_read_file(path, 1u << 24, &buf, &len, &err)) {
            printf("not ok - %s\n", err.msg);
            failed = 1;
            checks++;
        } else {
            LLVMFuzzerTestOneInput(buf, len);
            free(buf);
        }
        free(names[i]);
    }
    if (n) {
        printf("ok - fuzz_%s replays the %d inputs in %s without a crash\n", FUZZ_NAME, n, dir);
        checks++;
    }
    return n;
}

int main(int argc, char **argv)
{
    /* the suite runs from the repository root; a folder may be given */
    const char *root = argc > 1 ? argv[1] : "fuzz";
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/corpus/%s", root, FUZZ_NAME);
    int n = replay_dir(dir);
    snprintf(dir, sizeof dir, "%s/regressions/%s", root, FUZZ_NAME);
    n += replay_dir(dir);
    if (n == 0) {
        printf("not ok - fuzz_%s: no inputs under %s/corpus or %s/regressions\n", FUZZ_NAME, root, root);
        checks++;
        failed = 1;
    }
    printf("1..%d\n", checks); /* reached only if no input crashed the harness */
    return failed;
}
