#include "status.h"

#include <stdarg.h>
#include <stdio.h>

mm_status mm_fail(mm_err *err, mm_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
