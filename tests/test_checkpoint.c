/* model.bin: a save/load round trip is bit-exact, and damaged files are
 * refused with a message instead of being half-read. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "safetensors.h"
#include "checkpoint.h"
#include "check.h"

static char path[256];

static void make_run(mm_run *r)
{
    memset(r, 0, sizeof *r);
    const uint32_t cps[] = {'a', 'b', 0xe9, 0x1f600};
    mm_err e;
    mm_vocab_from_codepoints(&r->vocab, cps, 4, &e);
    mm_config c = {.vocab_size = 5, .block_size = 3, .n_embd = 4, .n_hidden = 6};
    mm_model_build(&r->model, &c, &e);
    mm_rng_seed_torch(&r->state.rng, 99);
    mm_model_init(&r->model, MM_INIT_TORCH, &r->state.rng);
    mm_rng_u32(&r->state.rng); /* a state mid-block */
    r->train = (mm_train_config){.max_steps = 1000, .batch_size = 16,
                                 .sched = {.kind = MM_SCHED_STEP, .lr = 0.1, .decay = 0.1, .decay_step = 500},
                                 .optim = {.weight_decay = 0.001}};
    r->state.step = 123;
    r->state.train_seconds = 1.5;
    r->state.init_train_loss = 3.3;
    r->seed = 2147483647;
    r->split_seed = 42;
    snprintf(r->input, sizeof r->input, "data/ünï.txt");
}

static int same_run(const mm_run *a, const mm_run *b)
{
    return a->model.nparams == b->model.nparams &&
           !memcmp(a->model.params, b->model.params, a->model.nparams * sizeof(float)) &&
           !memcmp(&a->model.cfg, &b->model.cfg, sizeof a->model.cfg) &&
           !memcmp(&a->state.rng, &b->state.rng, sizeof a->state.rng) && a->state.step == b->state.step &&
           a->vocab.size == b->vocab.size && !memcmp(a->vocab.cp, b->vocab.cp, (size_t)a->vocab.size * 4) &&
           !strcmp(a->input, b->input) && a->seed == b->seed && a->split_seed == b->split_seed &&
           a->train.sched.decay_step == b->train.sched.decay_step &&
           a->train.optim.weight_decay == b->train.optim.weight_decay;
}

/* Loads path after fn(bytes) has damaged a copy; returns the load status. */
static mm_status load_damaged(const unsigned char *orig, size_t len, void (*fn)(unsigned char *, size_t *),
                              mm_err *e)
{
    unsigned char *b = malloc(len);
    memcpy(b, orig, len);
    size_t n = len;
    fn(b, &n);
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    free(b);
    mm_run r;
    return mm_checkpoint_load(&r, path, e);
}

static void flip_param(unsigned char *b, size_t *n) { b[*n - 10] ^= 1; }
static void truncate_half(unsigned char *b, size_t *n) { (void)b; *n /= 2; }
static void truncate_short(unsigned char *b, size_t *n) { (void)b; *n = 20; }
static void bad_magic(unsigned char *b, size_t *n) { (void)n; b[0] = 'X'; }
static void bad_version(unsigned char *b, size_t *n) { (void)n; b[8] = 99; }

/* Version 4 holds dropout: a run with it saves as version 4 and loads back
 * with it; a run without it stays version 3; a dropout outside (0, 1), or
 * on a kind without dropout, is refused at load with a message. */
static void check_dropout(void)
{
    mm_run a, b;
    mm_err e;
    make_run(&a);
    mm_model_free(&a.model);
    mm_config c = {.vocab_size = 5, .block_size = 3, .n_embd = 4, .n_hidden = 6, .kind = MM_MODEL_GRU,
                   .dropout = 0.25f};
    if (mm_model_build(&a.model, &c, &e)) {
        CHECK(0, "build a gru with dropout: %s", e.msg);
        return;
    }
    unsigned char *buf;
    size_t len;
    CHECK(mm_checkpoint_save(&a, path, &e) == MM_OK && mm_checkpoint_load(&b, path, &e) == MM_OK &&
              same_run(&a, &b) && b.model.cfg.dropout == 0.25f,
          "a gru with dropout 0.25 saves and loads back with it");
    mm_run_free(&b);
    mm_checkpoint_encode(&a, &buf, &len, path, &e);
    CHECK(len > 12 && (uint32_t)(buf[8] | buf[9] << 8 | buf[10] << 16 | (uint32_t)buf[11] << 24) == 4, "with dropout the file is version 4");
    free(buf);
    a.model.cfg.dropout = 0.0f;
    mm_checkpoint_encode(&a, &buf, &len, path, &e);
    CHECK(len > 12 && (uint32_t)(buf[8] | buf[9] << 8 | buf[10] << 16 | (uint32_t)buf[11] << 24) == 3, "without dropout it stays version 3, which older builds read");
    free(buf);
    const float bad[2] = {1.5f, 0.25f};
    const int kinds[2] = {MM_MODEL_GRU, MM_MODEL_BNMLP};
    const char *want[2] = {"dropout", "no dropout"};
    for (int i = 0; i < 2; i++) {
        a.model.cfg.dropout = bad[i];
        a.model.cfg.kind = kinds[i];
        mm_checkpoint_save(&a, path, &e);
        mm_status st = mm_checkpoint_load(&b, path, &e);
        CHECK(st == MM_EFORMAT && strstr(e.msg, want[i]), "%s with dropout %g is refused at load: %s",
              i ? "a bnmlp" : "a gru", (double)bad[i], st ? e.msg : "loaded");
        if (!st) mm_run_free(&b);
    }
    a.model.cfg.kind = MM_MODEL_GRU;
    remove(path);
    mm_run_free(&a);
}

int main(void)
{
    PLAN(17);
    snprintf(path, sizeof path, "/tmp/mm_test_ckpt_%ld.bin", (long)getpid());
    mm_run a, b;
    mm_err e;
    make_run(&a);
    CHECK(mm_checkpoint_save(&a, path, &e) == MM_OK, "save");
    CHECK(mm_checkpoint_load(&b, path, &e) == MM_OK, "load");
    CHECK(same_run(&a, &b), "round trip is bit-exact (parameters, RNG state, config, vocab, input path)");
    mm_run_free(&b);

    unsigned char *orig;
    size_t len;
    mm_read_file(path, 1 << 30, &orig, &len, &e);
    CHECK(load_damaged(orig, len, flip_param, &e) == MM_EFORMAT && strstr(e.msg, "checksum"), "one flipped bit: %s", e.msg);
    CHECK(load_damaged(orig, len, truncate_half, &e) == MM_EFORMAT, "truncated to half: %s", e.msg);
    CHECK(load_damaged(orig, len, truncate_short, &e) == MM_EFORMAT, "truncated to 20 bytes: %s", e.msg);
    CHECK(load_damaged(orig, len, bad_magic, &e) == MM_EFORMAT && strstr(e.msg, "magic"), "wrong magic: %s", e.msg);
    CHECK(load_damaged(orig, len, bad_version, &e) == MM_EFORMAT && strstr(e.msg, "version"), "wrong version: %s", e.msg);
    mm_run c;
    CHECK(mm_checkpoint_load(&c, "/nonexistent/model.bin", &e) == MM_EIO && strstr(e.msg, "/nonexistent/model.bin"),
          "missing file: %s", e.msg);
    free(orig);

    /* safetensors: 8-byte header length, JSON naming every tensor, then data */
    CHECK(mm_export_safetensors(&a.model, path, &e) == MM_OK, "safetensors export");
    unsigned char *st;
    mm_read_file(path, 1 << 30, &st, &len, &e);
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)st[i] << (8 * i);
    CHECK(hl % 8 == 0 && 8 + hl + 4 * a.model.nparams == len, "safetensors size adds up (header %llu)", (unsigned long long)hl);
    CHECK(!memcmp(st + 8 + hl, a.model.params, 4 * a.model.nparams), "safetensors data is the parameters, little-endian");
    free(st);
    remove(path);
    mm_run_free(&a);
    check_dropout();
    return CHECK_DONE();
}
