/* Little-endian serialisation into memory, with bounds-checked reading, and
 * CRC-32. Files are built in memory and written in one go, so a reader never
 * trusts a length it has not checked against the bytes it holds. */
#ifndef MM_BYTES_H
#define MM_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct {
    unsigned char *buf;
    size_t len, cap;
    int oom; /* set once an allocation fails; later puts do nothing */
} mm_wbuf;

void mm_wbuf_put(mm_wbuf *w, const void *p, size_t n);
void mm_wbuf_u32(mm_wbuf *w, uint32_t v);
void mm_wbuf_u64(mm_wbuf *w, uint64_t v);
void mm_wbuf_f64(mm_wbuf *w, double v);
void mm_wbuf_f32s(mm_wbuf *w, const float *v, size_t n);
void mm_wbuf_pad(mm_wbuf *w, size_t upto);
void mm_wbuf_free(mm_wbuf *w);

typedef struct {
    const unsigned char *buf;
    size_t len, pos;
    int short_read; /* set once a read runs past the end; later reads give 0 */
} mm_rbuf;

uint32_t mm_rbuf_u32(mm_rbuf *r);
uint64_t mm_rbuf_u64(mm_rbuf *r);
double mm_rbuf_f64(mm_rbuf *r);
/* copies n floats, or sets short_read if fewer remain */
void mm_rbuf_f32s(mm_rbuf *r, float *out, size_t n);
const unsigned char *mm_rbuf_bytes(mm_rbuf *r, size_t n);

uint32_t mm_crc32(const void *p, size_t n);

/* Writes n bytes to path atomically: a temporary file in the same folder,
 * flushed to disk, then renamed over path. A crash leaves either the old
 * file or the new one, never a torn one. */
mm_status mm_write_file_atomic(const char *path, const void *p, size_t n, mm_err *err);
/* Reads a whole file (at most max bytes, and what size_t can count: the
 * wasm32 build's is 32 bits) into a new buffer. */
mm_status mm_read_file(const char *path, uint64_t max, unsigned char **out, size_t *len,
                       mm_err *err);

#endif
