/* A minimal test harness: each CHECK prints one "ok"/"not ok" line and the
 * binary exits non-zero if any failed, so the runner can count both. */
#ifndef MM_CHECK_H
#define MM_CHECK_H

#include <stdio.h>

static int check_failed, check_passed;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) { check_passed++; printf("ok - "); }                     \
        else { check_failed++; printf("not ok - %s:%d: ", __FILE__, __LINE__); } \
        printf(__VA_ARGS__);                                               \
        printf("\n");                                                      \
    } while (0)

#define CHECK_DONE() (printf("# %d passed, %d failed\n", check_passed, check_failed), check_failed ? 1 : 0)

#endif
