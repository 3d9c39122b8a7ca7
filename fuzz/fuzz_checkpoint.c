/* libFuzzer harness: the model.bin loader.
 *
 * Each input is parsed twice: as it is (so truncation, magic, version and
 * checksum failures are exercised) and with its last four bytes replaced by
 * the right CRC-32, since random bytes almost never carry a valid checksum
 * and the parser behind it would otherwise go untested. A file that loads
 * must save back to the very same bytes, and its model must sample, with
 * a temperature (1e-3..1e3) and a top-k (0..V+1) taken from the input's
 * checksum: finite weights can still overflow the logits, which must end in
 * the sampler's error (-1), never in a write outside an array. Every
 * vocabulary that loads must be one the text reader could produce: code
 * points that are characters (UTF-8 round trip), no line break, strictly
 * ascending. The outcome (outcome.h) records each parse's error or the
 * loaded model's kind, vocabulary and top-k 2 samples. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "checkpoint.h"
#include "kind.h"
#include "outcome.h"
#include "sample.h"
#include "text.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

/* Draws 3 items, stopping at the sampler's error; notes which when note is set. */
static void sample_some(mm_run *r, double temperature, int top_k, uint64_t seed, int note)
{
    mm_sampler s;
    mm_sample_opts o = {temperature, top_k, 16};
    mm_err err;
    if (mm_sampler_build(&s, &r->model, &o, &err) != MM_OK) {
        if (note) fuzz_note("sampler: %s", err.msg);
        return;
    }
    mm_rng g;
    mm_rng_seed_torch(&g, seed);
    int ids[16], n = 0;
    for (int item = 0; item < 3 && n >= 0; item++) { /* as the CLI, no item after an error */
        n = mm_sample_item(&s, &g, ids);
        REQUIRE(n >= -1 && n <= 16); /* -1: logits not finite */
        for (int i = 0; i < n; i++) REQUIRE(ids[i] >= 1 && ids[i] < r->vocab.size);
    }
    if (note) fuzz_note(n < 0 ? "top-k %d: the logits are not finite" : "top-k %d: 3 items drawn", top_k);
    mm_sampler_free(&s);
}

/* A vocabulary the text reader could have built; noted as its code points. */
static void check_vocab(const mm_vocab *v)
{
    char text[1024];
    size_t len = 0;
    for (int i = 1; i < v->size; i++) {
        uint32_t c = v->cp[i], back = 0;
        char utf8[4];
        int n = mm_utf8_encode(c, utf8);
        REQUIRE(n >= 1 && n <= 4 && mm_utf8_decode((const unsigned char *)utf8, (size_t)n, &back) == n && back == c);
        REQUIRE(c != '\n' && c != '\r');
        REQUIRE(i == 1 || c > v->cp[i - 1]);
        if (len + 12 < sizeof text) len += (size_t)snprintf(text + len, sizeof text - len, " %X", (unsigned)c);
    }
    text[len] = 0;
    fuzz_note("vocabulary of %d:%s", v->size, text);
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
    fuzz_note("loads: --model %s, version %d", mm_kind_at(r->model.cfg.kind)->name, data[8]);
    check_vocab(&r->vocab);
    uint32_t h = mm_crc32(data, size);
    sample_some(r, pow(10.0, -3.0 + 6.0 * (h & 0xffff) / 65535.0), (int)((h >> 16) % (uint32_t)(r->vocab.size + 2)), h, 0);
    sample_some(r, 1.0, 2, 1, 1); /* top-k below V: the path that once wrote p[-1] */
}

static void parse_one(const uint8_t *data, size_t size)
{
    mm_run r;
    mm_err err;
    if (mm_checkpoint_parse(&r, data, size, "fuzz.bin", &err) != MM_OK) {
        REQUIRE(strncmp(err.msg, "fuzz.bin", 8) == 0); /* every message names the file */
        fuzz_note("%s", err.msg);
        return;
    }
    check_loaded(&r, data, size);
    mm_run_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome[0] = 0;
    parse_one(data, size);
    if (size < 4) return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    uint32_t crc = mm_crc32(fixed, size - 4);
    for (int i = 0; i < 4; i++) fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    if (memcmp(fixed, data, size)) {
        fuzz_note("with its CRC-32 fixed:");
        parse_one(fixed, size);
    }
    free(fixed);
    return 0;
}
