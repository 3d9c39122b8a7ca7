/* Status codes and error messages shared by every library module.
 * Library functions never print or exit: they return an mm_status and, on
 * failure, leave a one-line message in an mm_err that the CLI prints. */
#ifndef MM_STATUS_H
#define MM_STATUS_H

#include <stddef.h>

typedef enum {
    MM_OK = 0,
    MM_EINVAL,   /* a bad argument or configuration value */
    MM_EIO,      /* a file could not be opened, read or written */
    MM_EFORMAT,  /* a file's contents are malformed */
    MM_ENOMEM,   /* an allocation failed or a size limit was exceeded */
    MM_ENUMERIC, /* training produced a NaN or infinite loss */
    MM_EINTR     /* stopped by a signal */
} mm_status;

typedef struct {
    char msg[512];
} mm_err;

/* Formats a message into err (if non-NULL) and returns code, so callers can
 * write `return mm_fail(err, MM_EIO, "%s: ...", path);`. */
mm_status mm_fail(mm_err *err, mm_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
