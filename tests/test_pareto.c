/* mm_fig_pareto, the dev-loss-against-time figure of docs/RESULTS.md: one
 * line per kind, a dot per point, bad input refused. With "--write FILE"
 * it writes a sample figure, which tests/test_writers.sh parses as XML and
 * counts its series. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pareto.h"
#include "check.h"

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
    return n;
}

/* Three kinds given out of time order, one with a single point, one
 * label with markup, and two points that cannot be drawn. */
static const mm_pareto_point SAMPLE[] = {
    {"transformer", "big", 200.0, 1.95},  {"wavenet", "76k", 95.0, 1.99},
    {"transformer", "small", 20.0, 2.10}, {"wavenet", "12k", 30.0, 2.04},
    {"bigram", "<729>", 2.0, 2.45},       {"transformer", "mid", 60.0, 2.00},
    {"wavenet", "zero", 0.0, 2.0},        {"wavenet", "nan", 10.0, NAN},
};
#define NSAMPLE (sizeof SAMPLE / sizeof *SAMPLE)

static void test_series(void)
{
    mm_sbuf out = {0};
    mm_err e;
    mm_status st = mm_fig_pareto(&out, SAMPLE, NSAMPLE, &e);
    const char *d = mm_sbuf_str(&out);
    CHECK(st == MM_OK && !strncmp(d, "<svg", 4) && count(d, "</svg>") == 1, "the figure is one SVG document");
    CHECK(count(d, "<path") == 3, "one line per kind: %d paths for 3 kinds", count(d, "<path"));
    /* dots: 6 drawable points; the legend draws lines, not dots */
    CHECK(count(d, "<circle") == 6, "a dot per drawable point (%d, expected 6)", count(d, "<circle"));
    CHECK(strstr(d, ">transformer<") && strstr(d, ">wavenet<") && strstr(d, ">bigram<"), "each kind in the legend");
    CHECK(strstr(d, "&lt;729&gt;") && !strstr(d, "<729>"), "point labels are escaped");
    CHECK(!strstr(d, ">zero<") && !strstr(d, ">nan<"), "points without positive seconds or a finite loss are left out");
    /* the transformer's line goes left to right: its path's x rise */
    const char *path = strstr(d, "<path");
    const char *m = path ? strstr(path, "d=\"M") : NULL;
    double x0 = 0, x1 = 0, x2 = 0, y;
    int ok = m && sscanf(m, "d=\"M%lf %lf L%lf %lf L%lf", &x0, &y, &x1, &y, &x2) == 5;
    CHECK(ok && x0 < x1 && x1 < x2, "a kind's points are joined in order of time (x %.1f %.1f %.1f)", x0, x1, x2);
    mm_sbuf_free(&out);
}

static void test_refused(void)
{
    mm_sbuf out = {0};
    mm_err e;
    mm_pareto_point many[17];
    char names[17][8];
    for (int i = 0; i < 17; i++) {
        snprintf(names[i], sizeof names[i], "k%d", i);
        many[i] = (mm_pareto_point){names[i], NULL, 1.0 + i, 2.0};
    }
    CHECK(mm_fig_pareto(&out, many, 16, &e) == MM_OK, "16 kinds are drawn");
    mm_sbuf_free(&out);
    CHECK(mm_fig_pareto(&out, many, 17, &e) == MM_EINVAL && strstr(e.msg, "16"), "17 kinds are refused: %s", e.msg);
    mm_pareto_point none = {"x", NULL, -1.0, 2.0};
    CHECK(mm_fig_pareto(&out, &none, 1, &e) == MM_EINVAL, "nothing drawable is refused: %s", e.msg);
    CHECK(mm_fig_pareto(&out, NULL, 0, &e) == MM_EINVAL, "no points are refused");
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        mm_sbuf out = {0};
        mm_err e;
        int bad = mm_fig_pareto(&out, SAMPLE, NSAMPLE, &e) || mm_sbuf_save(&out, argv[2], &e);
        mm_sbuf_free(&out);
        return bad;
    }
    PLAN(11);
    test_series();
    test_refused();
    return CHECK_DONE();
}
