/* The Pareto picture of docs/RESULTS.md from a CSV that bench/pareto.py
 * writes:
 *
 *   build/bench/pareto RESULTS.csv OUT.svg
 *
 * The CSV has a header line, then kind,size,seconds,dev_loss per line
 * (size is the point's label: any text without a comma). The SVG (drawn
 * by the library's mm_fig_pareto) is written atomically. Bad input: one
 * line naming the file and line on stderr, exit 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "pareto.h"

#define MAX_POINTS 4096

/* Splits line (modified in place) at commas into exactly 4 fields. */
static int split4(char *line, char **f)
{
    int n = 0;
    for (char *p = line;; p++) {
        if (n == 4) return 0;
        f[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p = '\0';
    }
    return n == 4;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0';
}

/* Fills p from the CSV text (modified in place); returns the count, or -1
 * after printing the bad line. */
static long parse_csv(const char *path, char *text, mm_pareto_point *p)
{
    long n = 0, lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[len - 1] = '\0';
        if (++lineno == 1 || !*line) continue; /* the header, blank lines */
        char *f[4];
        double sec, loss;
        if (!split4(line, f) || !*f[0] || !parse_number(f[2], &sec) || !parse_number(f[3], &loss)) {
            fprintf(stderr, "pareto: %s:%ld: expected kind,size,seconds,dev_loss\n", path, lineno);
            return -1;
        }
        if (n == MAX_POINTS) {
            fprintf(stderr, "pareto: %s:%ld: more than %d points\n", path, lineno, MAX_POINTS);
            return -1;
        }
        p[n++] = (mm_pareto_point){f[0], f[1], sec, loss};
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: pareto RESULTS.csv OUT.svg\n");
        return 2;
    }
    mm_err err;
    unsigned char *text;
    size_t len;
    if (mm_read_file(argv[1], 1 << 24, &text, &len, &err)) {
        fprintf(stderr, "pareto: %s\n", err.msg);
        return 2;
    }
    static mm_pareto_point points[MAX_POINTS];
    char *s = realloc(text, len + 1); /* NUL-terminated for the parser */
    if (!s) {
        free(text);
        fprintf(stderr, "pareto: out of memory\n");
        return 1;
    }
    s[len] = '\0';
    long n = parse_csv(argv[1], s, points);
    mm_sbuf svg = {0};
    int rc = 2;
    if (n >= 0 && mm_fig_pareto(&svg, points, (size_t)n, &err)) fprintf(stderr, "pareto: %s: %s\n", argv[1], err.msg);
    else if (n >= 0 && mm_sbuf_save(&svg, argv[2], &err)) fprintf(stderr, "pareto: %s\n", err.msg), rc = 1;
    else if (n >= 0) rc = 0;
    mm_sbuf_free(&svg);
    free(s);
    return rc;
}
