/* SHA-256 (FIPS 180-4), to record which data file a run trained on: a
 * checkpoint keeps the digest of its input's bytes, and --resume refuses a
 * file whose digest differs. */
#ifndef MM_SHA256_H
#define MM_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[8];        /* the running hash value */
    uint64_t len;         /* bytes hashed so far */
    unsigned char blk[64];/* a partial block */
    size_t nblk;          /* bytes in blk */
} mm_sha256;

void mm_sha256_init(mm_sha256 *s);
void mm_sha256_update(mm_sha256 *s, const void *data, size_t n);
void mm_sha256_final(mm_sha256 *s, unsigned char out[32]);
/* The digest of n bytes in one call. */
void mm_sha256_of(const void *data, size_t n, unsigned char out[32]);
/* out (65 bytes) gets the digest as lowercase hex. */
void mm_sha256_hex(const unsigned char d[32], char out[65]);

#endif
