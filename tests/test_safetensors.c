/* safetensors export and import (safetensors.h): a round trip gives the
 * same parameters bit for bit; a transposed weight is written in torch's
 * (out, in) shape and layout and read back; and a file that does not match
 * the model (a missing, extra or repeated tensor, another shape or dtype,
 * data out of range, a damaged header, NaN) is refused in one line naming
 * the file and the tensor, with the model left unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"
#include "check.h"

static void build(mm_model *m, int direct, int seed)
{
    mm_config c = {.vocab_size = 6, .block_size = 3, .n_embd = 4, .n_hidden = 5, .direct = direct};
    mm_err e;
    if (mm_model_build(m, &c, &e)) {
        printf("not ok - build: %s\n", e.msg);
        exit(1);
    }
    mm_rng r;
    mm_rng_seed_torch(&r, (uint64_t)seed);
    mm_model_init(m, MM_INIT_TORCH, &r);
    if (direct) mm_rng_randn_torch(&r, mm_model_param(m, 5), m->tensors[5].size);
}

static int same_params(const mm_model *a, const mm_model *b)
{
    return a->nparams == b->nparams && !memcmp(a->params, b->params, a->nparams * sizeof(float));
}

static unsigned char *encode(const mm_model *m, size_t *len)
{
    unsigned char *buf;
    mm_err e;
    if (mm_safetensors_encode(m, &buf, len, &e)) {
        printf("not ok - encode: %s\n", e.msg);
        exit(1);
    }
    return buf;
}

/* Imports buf into a copy of m's shape; returns the status, e the message. */
static mm_status import_into(mm_model *dst, const unsigned char *buf, size_t len, mm_err *e)
{
    return mm_import_safetensors(dst, buf, len, "w.st", e);
}

static void test_round_trip(void)
{
    mm_model a, b;
    build(&a, 1, 1);
    build(&b, 1, 2);
    size_t len;
    unsigned char *buf = encode(&a, &len);
    mm_err e;
    CHECK(import_into(&b, buf, len, &e) == MM_OK && same_params(&a, &b), "export then import: the same parameters bit for bit");
    free(buf);
    mm_model_free(&a);
    mm_model_free(&b);
}

static void test_transposed(void)
{
    mm_model a, b;
    build(&a, 0, 1);
    build(&b, 0, 2);
    a.tensors[1].transposed = b.tensors[1].transposed = 1; /* W1 stored (K, H), torch's (H, K) */
    size_t len;
    unsigned char *buf = encode(&a, &len);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)buf[i] << (8 * i);
    const char *h = (const char *)buf + 8;
    const char *w1 = strstr(h, "\"W1\"");
    CHECK(w1 && !strncmp(strstr(w1, "shape"), "shape\":[5,12]", 13), "a transposed weight is written in torch's shape (H, K)");
    const mm_tensor *t = &a.tensors[1];
    const float *src = mm_model_param(&a, 1);
    const unsigned char *data = buf + 8 + hl + 4 * t->offset;
    int ok = 1;
    for (int j = 0; j < 5; j++)
        for (int k = 0; k < 12; k++) {
            float v;
            memcpy(&v, data + 4 * ((size_t)j * 12 + k), 4);
            ok &= v == src[k * 5 + j];
        }
    CHECK(ok, "and in torch's layout: element (j, k) is the stored (k, j)");
    mm_err e;
    CHECK(import_into(&b, buf, len, &e) == MM_OK && same_params(&a, &b), "a transposed weight reads back as stored");
    free(buf);
    mm_model_free(&a);
    mm_model_free(&b);
}

/* Applies edit to a fresh export of an MLP (with direct connections if
 * from), imports it into one with them if to, and expects MM_EFORMAT with
 * want in the message. */
static void refuse(const char *what, int from, int to, void (*edit)(unsigned char *, size_t *), const char *want)
{
    mm_model a, b;
    build(&a, from, 1);
    build(&b, to, 2);
    size_t len;
    unsigned char *buf = encode(&a, &len);
    if (edit) edit(buf, &len);
    float *before = malloc(b.nparams * sizeof *before);
    memcpy(before, b.params, b.nparams * sizeof *before);
    mm_err e = {""};
    mm_status st = import_into(&b, buf, len, &e);
    CHECK(st == MM_EFORMAT && strstr(e.msg, "w.st: ") == e.msg && strstr(e.msg, want) && !strchr(e.msg, '\n') &&
          !memcmp(before, b.params, b.nparams * sizeof *before), "%s: %s", what, e.msg);
    free(before);
    free(buf);
    mm_model_free(&a);
    mm_model_free(&b);
}

static void replace(unsigned char *buf, const char *from, const char *to)
{
    char *p = strstr((char *)buf + 8, from);
    if (p) memcpy(p, to, strlen(to)); /* same length: the offsets stay */
}
static void f16(unsigned char *b, size_t *n) { (void)n; replace(b, "\"dtype\":\"F32\"", "\"dtype\":\"F16\""); }
static void shape(unsigned char *b, size_t *n) { (void)n; replace(b, "\"shape\":[5,6]", "\"shape\":[6,5]"); }
static void rename_wd(unsigned char *b, size_t *n) { (void)n; replace(b, "\"Wd\"", "\"W1\""); }
static void offsets(unsigned char *b, size_t *n) { (void)n; replace(b, "\"data_offsets\":[0,", "\"data_offsets\":[4,"); }
static void truncate_data(unsigned char *b, size_t *n) { (void)b; *n -= 4; }
static void header_len(unsigned char *b, size_t *n) { (void)n; b[5] = 1; }
static void bad_json(unsigned char *b, size_t *n) { (void)n; replace(b, "\"dtype\"", "'dtype'"); }
static void nan_value(unsigned char *b, size_t *n)
{
    const float v = NAN;
    memcpy(b + *n - 4, &v, 4);
}

int main(void)
{
    PLAN(14);
    test_round_trip();
    test_transposed();
    refuse("a tensor the model lacks", 1, 0, NULL, "tensor 'Wd' is not part of --model mlp");
    refuse("a tensor the file lacks", 0, 1, NULL, "no tensor 'Wd', which --model mlp of the sizes given has");
    refuse("a tensor named twice", 1, 1, rename_wd, "tensor 'W1' appears twice");
    refuse("another dtype", 1, 1, f16, "tensor 'C' is F16; makemore reads F32 only");
    refuse("another shape", 1, 1, shape, "tensor 'W2' has shape [6, 5]; --model mlp of the sizes given needs [5, 6]");
    refuse("data offsets that do not hold the tensor", 1, 1, offsets, "tensor 'C' has data_offsets [4, 96]");
    refuse("a truncated file", 1, 1, truncate_data, "'Wd' has data_offsets");
    refuse("a header longer than the file", 1, 1, header_len, "not a safetensors file, or truncated");
    refuse("a header that is not JSON", 1, 1, bad_json, "not the JSON the format describes");
    refuse("a NaN", 1, 1, nan_value, "tensor 'Wd' holds NaN or infinity");
    return CHECK_DONE();
}
