#include "bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int wbuf_reserve(mm_wbuf *w, size_t n)
{
    if (w->oom) return 0;
    if (w->len + n <= w->cap) return 1;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + n) cap *= 2;
    unsigned char *nb = realloc(w->buf, cap);
    if (!nb) { w->oom = 1; return 0; }
    w->buf = nb;
    w->cap = cap;
    return 1;
}

void mm_wbuf_put(mm_wbuf *w, const void *p, size_t n)
{
    if (!n || !wbuf_reserve(w, n)) return;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void mm_wbuf_u32(mm_wbuf *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
    mm_wbuf_put(w, b, 4);
}

void mm_wbuf_u64(mm_wbuf *w, uint64_t v)
{
    mm_wbuf_u32(w, (uint32_t)v);
    mm_wbuf_u32(w, (uint32_t)(v >> 32));
}

void mm_wbuf_f64(mm_wbuf *w, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    mm_wbuf_u64(w, u);
}

void mm_wbuf_f32s(mm_wbuf *w, const float *v, size_t n)
{
    if (!wbuf_reserve(w, 4 * n)) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        mm_wbuf_u32(w, u);
    }
}

void mm_wbuf_pad(mm_wbuf *w, size_t upto)
{
    static const unsigned char zero[64];
    while (w->len < upto && !w->oom) {
        size_t n = upto - w->len < sizeof zero ? upto - w->len : sizeof zero;
        mm_wbuf_put(w, zero, n);
    }
}

void mm_wbuf_free(mm_wbuf *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}

const unsigned char *mm_rbuf_bytes(mm_rbuf *r, size_t n)
{
    if (r->short_read || n > r->len - r->pos) {
        r->short_read = 1;
        return NULL;
    }
    const unsigned char *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

uint32_t mm_rbuf_u32(mm_rbuf *r)
{
    const unsigned char *b = mm_rbuf_bytes(r, 4);
    if (!b) return 0;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

uint64_t mm_rbuf_u64(mm_rbuf *r)
{
    uint64_t lo = mm_rbuf_u32(r);
    return lo | (uint64_t)mm_rbuf_u32(r) << 32;
}

double mm_rbuf_f64(mm_rbuf *r)
{
    uint64_t u = mm_rbuf_u64(r);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

void mm_rbuf_f32s(mm_rbuf *r, float *out, size_t n)
{
    if (n > (r->len - r->pos) / 4) { r->short_read = 1; return; }
    for (size_t i = 0; i < n; i++) {
        uint32_t u = mm_rbuf_u32(r);
        memcpy(&out[i], &u, 4);
    }
}

uint32_t mm_crc32(const void *p, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!ready) { /* benign race: every thread writes the same values */
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    const unsigned char *b = p;
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* The rename is durable only once the folder's entry is on disk too. By
 * then path is already the new file, so a failure here says so. A file
 * system that cannot sync a folder says EINVAL: nothing to flush there. */
static mm_status sync_parent_dir(const char *path, mm_err *err)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = 0;
    else if (slash) *slash = 0;
    else snprintf(dir, sizeof dir, ".");
    int fd = open(dir, O_RDONLY);
    if (fd < 0)
        return mm_fail(err, MM_EIO, "%s: written, but its folder %s could not be opened to flush it to disk: %s",
                       path, dir, strerror(errno));
    int bad = fsync(fd) != 0 && errno != EINVAL, e = errno;
    close(fd);
    if (bad) return mm_fail(err, MM_EIO, "%s: written, but its folder could not be flushed to disk: %s", path, strerror(e));
    return MM_OK;
}

mm_status mm_write_file_atomic(const char *path, const void *p, size_t n, mm_err *err)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return mm_fail(err, MM_EIO, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return mm_fail(err, MM_EIO, "%s: cannot write: %s", path, strerror(errno));
    const unsigned char *b = p;
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(fd, b + done, n - done);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            close(fd);
            unlink(tmp);
            return mm_fail(err, MM_EIO, "%s: write failed: %s", path, strerror(e));
        }
        done += (size_t)k;
    }
    /* close even when fsync fails, and keep the first error */
    int e = fsync(fd) != 0 ? errno : 0;
    if (close(fd) != 0 && !e) e = errno;
    if (e) {
        unlink(tmp);
        return mm_fail(err, MM_EIO, "%s: could not flush to disk: %s", path, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return mm_fail(err, MM_EIO, "%s: could not replace: %s", path, strerror(e));
    }
    return sync_parent_dir(path, err);
}

mm_status mm_read_file(const char *path, uint64_t max, unsigned char **out, size_t *len, mm_err *err)
{
    if (max > SIZE_MAX) max = SIZE_MAX;
    struct stat sb;
    if (stat(path, &sb) != 0) return mm_fail(err, MM_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode)) return mm_fail(err, MM_EIO, "%s: is a directory", path);
    if ((unsigned long long)sb.st_size > max)
        return mm_fail(err, MM_EFORMAT, "%s: %lld bytes is larger than expected", path, (long long)sb.st_size);
    FILE *f = fopen(path, "rb");
    if (!f) return mm_fail(err, MM_EIO, "%s: %s", path, strerror(errno));
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n ? n : 1);
    if (!b) { fclose(f); return mm_fail(err, MM_ENOMEM, "%s: out of memory", path); }
    size_t got = fread(b, 1, n, f);
    fclose(f);
    if (got != n) { free(b); return mm_fail(err, MM_EIO, "%s: read error", path); }
    *out = b;
    *len = n;
    return MM_OK;
}
