/* libFuzzer harness: the safetensors importer (makemore import).
 *
 * The first byte picks a small model (kind, direct connections, layers, as
 * config_for says); the rest is the file. An import either fails with a
 * message naming the file or fills every tensor with finite numbers, and
 * then the model's own export imports back to the very same parameters.
 * A failed import frees all it allocated: glibc's count of bytes in use
 * (mallinfo2; the replay turns glibc's tcache off for it) is the same
 * before and after, so a leak shows in the normal build's replay too, not
 * only under LeakSanitizer (where this count stays 0). The
 * outcome (outcome.h) records the model and the error or the import. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "outcome.h"
#include "safetensors.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

/* A model small enough to import thousands of times a second: vocabulary
 * 5, context 4 (a power of two, for the wavenet), widths 4 and 6, every
 * optional feature the kind uses switched on by the byte's high bits. */
int fuzz_st_config(uint8_t b, mm_config *c)
{
    memset(c, 0, sizeof *c);
    c->kind = b % mm_kind_count();
    const mm_kind *k = mm_kind_at(c->kind);
    c->vocab_size = 5;
    c->block_size = 4;
    c->n_embd = 4;
    c->n_hidden = 6;
    c->bn_momentum = 0.1f;
    if (k->uses & MM_USES_LAYERS) c->n_layers = 1 + (b >> 4) % 2;
    if (k->uses & MM_USES_HEADS) c->n_heads = 2;
    if (k->uses & MM_USES_DIRECT) c->direct = (b >> 7) & 1;
    mm_err err;
    return mm_config_check(c, &err) == MM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome[0] = 0;
    if (size < 1) return 0;
    mm_config c;
    mm_model m, back;
    mm_err err;
    if (!fuzz_st_config(data[0], &c) || mm_model_build(&m, &c, &err)) return 0;
    fuzz_note("--model %s", mm_kind_at(c.kind)->name);
    size_t in_use = mallinfo2().uordblks;
    if (mm_import_safetensors(&m, data + 1, size - 1, "fuzz.st", &err) != MM_OK) {
        REQUIRE(strncmp(err.msg, "fuzz.st", 7) == 0); /* every message names the file */
        size_t after = mallinfo2().uordblks;
        REQUIRE(after == in_use);
        fuzz_note("%s", err.msg);
        mm_model_free(&m);
        return 0;
    }
    fuzz_note("imports %zu parameters", m.nparams);
    for (size_t i = 0; i < m.nparams; i++) REQUIRE(m.params[i] == m.params[i] && m.params[i] - m.params[i] == 0);
    unsigned char *out;
    size_t len;
    REQUIRE(mm_safetensors_encode(&m, &out, &len, &err) == MM_OK);
    REQUIRE(mm_model_build(&back, &c, &err) == MM_OK);
    REQUIRE(mm_import_safetensors(&back, out, len, "again.st", &err) == MM_OK);
    REQUIRE(memcmp(back.params, m.params, m.nparams * sizeof *m.params) == 0);
    free(out);
    mm_model_free(&back);
    mm_model_free(&m);
    return 0;
}
