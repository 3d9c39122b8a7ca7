/* An LD_PRELOAD shim for tests/test_writes.sh: makes the writes of a
 * process fail as a full or failing disk would, for the files whose path
 * contains a pattern, without root and without changing makemore.
 *   FAIL_WRITE=PATTERN   write() to such a file fails with ENOSPC once
 *                        FAIL_WRITE_AFTER bytes (default 0) went to them
 *   FAIL_FSYNC=PATTERN   fsync() of such a file or folder fails with EIO
 *   FAIL_OPEN=PATH       open() of exactly PATH fails with EACCES
 * A file's path is what /proc/self/fd says; a PATTERN ending in '$' must
 * match at the end (a folder, not the files in it). Only the program's own calls
 * are seen: glibc's stdio writes through internal calls, so stdout,
 * log.csv and the events are tested with /dev/full and a full tmpfs
 * instead. Built by the test: cc -shared -fPIC fail_writes.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long long written; /* bytes that went to matching files */

static int fd_matches(int fd, const char *var)
{
    const char *pattern = getenv(var);
    if (!pattern || !*pattern) return 0;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n < 0) return 0;
    path[n] = 0;
    size_t k = strlen(pattern);
    if (pattern[k - 1] != '$') return strstr(path, pattern) != NULL;
    return (size_t)n >= k - 1 && !strncmp(path + n - (k - 1), pattern, k - 1);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (fd_matches(fd, "FAIL_WRITE")) {
        const char *after = getenv("FAIL_WRITE_AFTER");
        long long room = (after ? atoll(after) : 0) - written;
        if (room <= 0) {
            errno = ENOSPC;
            return -1;
        }
        if ((long long)n > room) n = (size_t)room; /* a short write, then ENOSPC */
        ssize_t k = real(fd, buf, n);
        if (k > 0) written += k;
        return k;
    }
    return real(fd, buf, n);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (fd_matches(fd, "FAIL_FSYNC")) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

int open(const char *path, int flags, ...)
{
    static int (*real)(const char *, int, ...);
    if (!real) real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    const char *fail = getenv("FAIL_OPEN");
    if (fail && *fail && !strcmp(path, fail)) {
        errno = EACCES;
        return -1;
    }
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return real(path, flags, mode);
}
