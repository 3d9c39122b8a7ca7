#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

static mm_status parse_u64(const char *flag, const char *v, uint64_t *out, mm_err *err)
{
    char *end;
    if (!isdigit((unsigned char)*v)) return mm_fail(err, MM_EINVAL, "%s: '%s' must be a non-negative integer", flag, v);
    errno = 0;
    unsigned long long u = strtoull(v, &end, 10);
    if (*end || errno) return mm_fail(err, MM_EINVAL, "%s: '%s' is not an integer in 0..2^64-1", flag, v);
    *out = (uint64_t)u;
    return MM_OK;
}

mm_status mm_parse_value(mm_value_type t, const char *flag, const char *v, double min, double max, void *dest,
                         mm_err *err)
{
    char *end;
    if (t == MM_VAL_STRING) {
        if (!*v) return mm_fail(err, MM_EINVAL, "%s needs a non-empty value", flag);
        *(const char **)dest = v;
        return MM_OK;
    }
    if (!*v) return mm_fail(err, MM_EINVAL, "%s needs a number, got an empty value", flag);
    /* strtol and friends skip leading blanks, and strtoull negates after
     * them: " -1" would become 2^64-1 */
    if (isspace((unsigned char)*v)) return mm_fail(err, MM_EINVAL, "%s: '%s' starts with a blank", flag, v);
    if (t == MM_VAL_U64) return parse_u64(flag, v, dest, err);
    errno = 0;
    if (t == MM_VAL_DOUBLE) {
        double d = strtod(v, &end);
        if (*end || errno || !isfinite(d)) return mm_fail(err, MM_EINVAL, "%s: '%s' is not a finite number", flag, v);
        if (d < min || d > max) return mm_fail(err, MM_EINVAL, "%s: %s is outside %g..%g", flag, v, min, max);
        *(double *)dest = d;
        return MM_OK;
    }
    long long x = strtoll(v, &end, 10);
    if (*end || errno) return mm_fail(err, MM_EINVAL, "%s: '%s' is not an integer", flag, v);
    if (t == MM_VAL_FLAG) min = 0, max = 1;
    if ((double)x < min || (double)x > max) return mm_fail(err, MM_EINVAL, "%s: %s is outside %.0f..%.0f", flag, v, min, max);
    if (t == MM_VAL_LONG) *(long *)dest = (long)x;
    else *(int *)dest = (int)x;
    return MM_OK;
}

void mm_names_join(char *out, size_t n, int count, const char *(*name)(int))
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < count && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s", i == 0 ? "" : i + 1 < count ? ", " : " or ", name(i));
}
