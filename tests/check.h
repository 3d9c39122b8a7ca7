/* A minimal test harness for the C tests, in TAP's form (tests/run.sh).
 *
 * The convention, for every tests/test_*.c:
 *   int main(void)
 *   {
 *       PLAN(12);              first: the number of checks this test runs
 *       CHECK(cond, "what %d", x);   one "ok - " or "not ok - " line each
 *       SKIP(3, "why");        checks that cannot run here: 3 "skip - " lines
 *       return CHECK_DONE();   non-zero if any check failed, or if the
 *   }                          count ran is not the plan
 * The plan is declared before the first check, so a test that crashes or
 * exits half-way has run fewer checks than it planned, which tests/run.sh
 * counts as a failure. Adding a check means raising the plan: a plan may
 * be an expression (PLAN(4 + 3 * NCASES)) when checks run in a loop over a
 * table. A skip counts toward the plan, and in CI it must be declared in
 * .ci/skips/ (see tests/run.sh), so skip only what a machine may lack. */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <stdio.h>

static int check_planned = -1, check_failed, check_passed, check_skipped;

#define PLAN(n) (check_planned = (n), printf("1..%d\n", check_planned), fflush(stdout))

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) { check_passed++; printf("ok - "); }                     \
        else { check_failed++; printf("not ok - %s:%d: ", __FILE__, __LINE__); } \
        printf(__VA_ARGS__);                                               \
        printf("\n");                                                      \
        fflush(stdout);                                                    \
    } while (0)

/* n checks that cannot run here (a missing input), each a "skip - " line. */
#define SKIP(n, ...)                                                       \
    do {                                                                   \
        for (int skip_i_ = 0; skip_i_ < (n); skip_i_++) {                  \
            check_skipped++;                                               \
            printf("skip - ");                                             \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
        fflush(stdout);                                                    \
    } while (0)

/* The summary as a TAP comment; non-zero on a failure or a count off the plan. */
#define CHECK_DONE()                                                                          \
    (printf("# %d passed, %d failed, %d skipped of %d planned%s\n", check_passed, check_failed, \
            check_skipped, check_planned,                                                     \
            check_planned < 0 ? " (no PLAN(n) at the start of main: tests/check.h)" : ""),    \
     (check_failed || check_planned != check_passed + check_failed + check_skipped) ? 1 : 0)

#endif
