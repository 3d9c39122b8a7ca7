#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

mm_status cli_data_load(cli_data *d, const char *path, int T, uint64_t split_seed,
                        const mm_vocab *vocab, mm_err *err)
{
    memset(d, 0, sizeof *d);
    mm_status st = mm_words_read(&d->words, path, err);
    if (!st) st = mm_vocab_build(&d->vocab, &d->words, path, err);
    if (!st) st = mm_dataset_build(&d->data, &d->words, vocab ? vocab : &d->vocab, T, split_seed, path, err);
    if (st) cli_data_free(d);
    return st;
}

void cli_data_free(cli_data *d)
{
    mm_dataset_free(&d->data);
    mm_vocab_free(&d->vocab);
    mm_words_free(&d->words);
}

int cli_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_num_procs();
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
    char buf[5];
    for (int i = 0; i < n; i++) {
        int k = mm_utf8_encode(v->cp[ids[i]], buf);
        fwrite(buf, 1, (size_t)k, f);
    }
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

int cli_vocab_equal(const mm_vocab *a, const mm_vocab *b)
{
    return a->size == b->size && !memcmp(a->cp, b->cp, (size_t)a->size * sizeof *a->cp);
}
