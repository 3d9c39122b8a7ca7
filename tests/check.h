/* A minimal test harness: each CHECK prints one "ok"/"not ok" line and the
 * binary exits non-zero if any failed, so the runner can count both.
 * CHECK_DONE ends with TAP's plan line "1..N" for the N checks run: a test
 * that dies before it (a crash, an exit on the way) has no plan line, which
 * tests/run.sh counts as a failure. */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <stdio.h>

static int check_failed, check_passed, check_skipped;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) { check_passed++; printf("ok - "); }                     \
        else { check_failed++; printf("not ok - %s:%d: ", __FILE__, __LINE__); } \
        printf(__VA_ARGS__);                                               \
        printf("\n");                                                      \
    } while (0)

/* A check that cannot run here (a missing input): counted in the plan. */
#define SKIP(...)                                                          \
    do {                                                                   \
        check_skipped++;                                                   \
        printf("skip - ");                                                 \
        printf(__VA_ARGS__);                                               \
        printf("\n");                                                      \
    } while (0)

#define CHECK_DONE()                                                       \
    (printf("# %d passed, %d failed\n1..%d\n", check_passed, check_failed, \
            check_passed + check_failed + check_skipped),                  \
     check_failed ? 1 : 0)

#endif
