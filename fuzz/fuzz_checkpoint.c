/* libFuzzer harness: the model.bin loader.
 *
 * Each input is parsed twice: as it is (so truncation, magic, version and
 * checksum failures are exercised) and with its last four bytes replaced by
 * the right CRC-32, since random bytes almost never carry a valid checksum
 * and the parser behind it would otherwise go untested. A file that loads
 * must save back to the very same bytes, and its model must sample, with
 * a temperature (1e-3..1e3) and a top-k (0..V+1) taken from the input's
 * checksum: finite weights can still overflow the logits, which must end in
 * the sampler's error (-1), never in a write outside an array. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checkpoint.h"
#include "sample.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static void sample_some(mm_run *r, double temperature, int top_k, uint64_t seed)
{
    mm_sampler s;
    mm_sample_opts o = {temperature, top_k, 16};
    mm_err err;
    if (mm_sampler_build(&s, &r->model, &o, &err) != MM_OK) return;
    mm_rng g;
    mm_rng_seed_torch(&g, seed);
    int ids[16];
    for (int item = 0; item < 3; item++) {
        int n = mm_sample_item(&s, &g, ids);
        REQUIRE(n >= -1 && n <= 16); /* -1: logits not finite */
        for (int i = 0; i < n; i++) REQUIRE(ids[i] >= 1 && ids[i] < r->vocab.size);
    }
    mm_sampler_free(&s);
}

static void check_loaded(mm_run *r, const uint8_t *data, size_t size)
{
    unsigned char *out;
    size_t len;
    mm_err err;
    REQUIRE(mm_checkpoint_encode(r, &out, &len, "fuzz.bin", &err) == MM_OK);
    if (data[8] == MM_CKPT_VERSION) {
        REQUIRE(len == size && memcmp(out, data, size) == 0);
    } else { /* an older version saves as the current one, which must load back the same */
        mm_run r2;
        unsigned char *out2;
        size_t len2;
        REQUIRE(mm_checkpoint_parse(&r2, out, len, "fuzz.bin", &err) == MM_OK);
        REQUIRE(mm_checkpoint_encode(&r2, &out2, &len2, "fuzz.bin", &err) == MM_OK);
        REQUIRE(len2 == len && memcmp(out2, out, len) == 0);
        free(out2);
        mm_run_free(&r2);
    }
    free(out);
    uint32_t h = mm_crc32(data, size);
    sample_some(r, pow(10.0, -3.0 + 6.0 * (h & 0xffff) / 65535.0), (int)((h >> 16) % (uint32_t)(r->vocab.size + 2)), h);
    sample_some(r, 1.0, 2, 1); /* top-k below V: the path that once wrote p[-1] */
}

static void parse_one(const uint8_t *data, size_t size)
{
    mm_run r;
    mm_err err;
    if (mm_checkpoint_parse(&r, data, size, "fuzz.bin", &err) != MM_OK) {
        REQUIRE(strncmp(err.msg, "fuzz.bin", 8) == 0); /* every message names the file */
        return;
    }
    check_loaded(&r, data, size);
    mm_run_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_one(data, size);
    if (size < 4) return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    uint32_t crc = mm_crc32(fixed, size - 4);
    for (int i = 0; i < 4; i++) fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    if (memcmp(fixed, data, size)) parse_one(fixed, size);
    free(fixed);
    return 0;
}
