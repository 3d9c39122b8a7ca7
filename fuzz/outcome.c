/* The outcome buffer of outcome.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "outcome.h"

char fuzz_outcome[FUZZ_OUTCOME_MAX];

void fuzz_note(const char *fmt, ...)
{
    size_t len = strlen(fuzz_outcome);
    if (len && len + 3 < sizeof fuzz_outcome) {
        memcpy(fuzz_outcome + len, " | ", 4);
        len += 3;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fuzz_outcome + len, sizeof fuzz_outcome - len, fmt, ap);
    va_end(ap);
}
