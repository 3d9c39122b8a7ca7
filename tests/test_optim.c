/* Optimizers and schedules against torch.optim's formulas written out in
 * double, over several steps of made-up gradients; buffers stay untouched
 * and only weights decay. The checkpoint keeps the optimizer's state, and
 * version 1 and 2 files still load. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "checkpoint.h"
#include "check.h"
#include "kind.h"

enum { NSTEPS = 4 };

static void build(mm_model *m, int kind)
{
    mm_config c = {.vocab_size = 5, .block_size = 2, .n_embd = 3, .n_hidden = 4, .kind = kind,
                   .n_layers = 1, .bn_momentum = 0.1f};
    mm_err e;
    if (mm_model_build(m, &c, &e)) {
        printf("not ok - build: %s\n", e.msg);
        exit(1);
    }
    mm_rng r;
    mm_rng_seed_torch(&r, 5);
    mm_model_init(m, MM_INIT_TORCH, &r);
}

/* the gradient of step s, element i: any deterministic values will do */
static float grad(int s, size_t i) { return (float)sin(0.37 * (double)i + 1.3 * s) * 0.5f; }

/* torch's updates in double for element i of a tensor that decays or not */
static double reference(const mm_optim *o, double p, size_t i, int decay, const double *lrs)
{
    double buf = 0, m = 0, v = 0, wd = decay ? o->weight_decay : 0;
    for (int s = 0; s < NSTEPS; s++) {
        double g = grad(s, i), lr = lrs[s];
        if (o->kind == MM_OPT_SGD) {
            p -= lr * (g + wd * p);
        } else if (o->kind == MM_OPT_MOMENTUM) {
            buf = o->momentum * buf + g + wd * p;
            p -= lr * buf;
        } else {
            p *= 1 - lr * wd;
            m = o->beta1 * m + (1 - o->beta1) * g;
            v = o->beta2 * v + (1 - o->beta2) * g * g;
            double mh = m / (1 - pow(o->beta1, s + 1)), vh = v / (1 - pow(o->beta2, s + 1));
            p -= lr * mh / (sqrt(vh) + o->eps);
        }
    }
    return p;
}

static void check_optimizer(const mm_optim *o, const char *name)
{
    mm_model m;
    build(&m, MM_MODEL_BNMLP);
    float *p0 = malloc(m.nparams * sizeof *p0);
    memcpy(p0, m.params, m.nparams * sizeof *p0);
    mm_optim_state st;
    mm_err e;
    mm_optim_state_build(&st, o->kind, m.nparams, &e);
    const double lrs[NSTEPS] = {0.1, 0.05, 0.02, 0.01};
    for (int s = 0; s < NSTEPS; s++) {
        for (size_t i = 0; i < m.nparams; i++) m.grads[i] = grad(s, i);
        mm_optim_step(o, &st, &m, lrs[s], s + 1);
    }
    double maxerr = 0;
    int buffers_kept = 1;
    for (int t = 0; t < m.ntensors; t++) {
        const mm_tensor *tn = &m.tensors[t];
        for (size_t k = 0; k < tn->size; k++) {
            size_t i = tn->offset + k;
            if (tn->buffer) { buffers_kept &= m.params[i] == p0[i]; continue; }
            double want = reference(o, p0[i], i, tn->decay, lrs);
            maxerr = fmax(maxerr, fabs(m.params[i] - want) / (1 + fabs(want)));
        }
    }
    CHECK(maxerr < 1e-6, "%s: %d steps match torch's formulas in double: max |diff| / (1 + |p|) %.2e (tolerance 1e-6)",
          name, NSTEPS, maxerr);
    CHECK(buffers_kept, "%s: batch-norm running statistics are not trained", name);
    mm_optim_state_free(&st);
    free(p0);
    mm_model_free(&m);
}

/* An output-parallel process's update (mm_optim_step_owned): the same bits
 * as the whole update on the tensors it replicates and on its columns of
 * the output layer, the other processes' columns untouched; and its zeroing
 * leaves those columns alone too. */
static void check_owned(const mm_optim *o)
{
    mm_model full, part;
    build(&full, MM_MODEL_MLP);
    build(&part, MM_MODEL_MLP);
    mm_head_io io = {.b = -1, .Wd = -1};
    full.kind->head_of(&full.cfg, &io);
    const mm_optim_owned own = {{io.W, io.b, io.Wd}, 1, 4};
    const size_t V = (size_t)full.cfg.vocab_size;
    mm_optim_state sf, sp;
    mm_err e;
    mm_optim_state_build(&sf, o->kind, full.nparams, &e);
    mm_optim_state_build(&sp, o->kind, part.nparams, &e);
    for (int s = 0; s < NSTEPS; s++) {
        for (size_t i = 0; i < full.nparams; i++) full.grads[i] = part.grads[i] = grad(s, i);
        mm_optim_step(o, &sf, &full, 0.05, s + 1);
        mm_optim_step_owned(o, &sp, &part, 0.05, s + 1, &own);
    }
    mm_model p0;
    build(&p0, MM_MODEL_MLP);
    int same = 1, kept = 1, zeroed = 1, spared = 1, heads = 0;
    for (size_t i = 0; i < part.nparams; i++) part.grads[i] = 7.0f;
    mm_optim_zero_owned(&part, &own);
    for (int t = 0; t < part.ntensors; t++) {
        const mm_tensor *tn = &part.tensors[t];
        const int head = t == io.W || t == io.b || (io.Wd >= 0 && t == io.Wd);
        heads += head;
        for (size_t k = 0; k < tn->size; k++) {
            const size_t i = tn->offset + k, col = k % V;
            if (head && (col < (size_t)own.r0 || col >= (size_t)own.r1)) {
                kept &= part.params[i] == p0.params[i];
                spared &= part.grads[i] == 7.0f;
            } else {
                same &= part.params[i] == full.params[i];
                zeroed &= part.grads[i] == 0.0f;
            }
        }
    }
    CHECK(heads == 2 && same && kept && zeroed && spared,
          "an output-parallel process's update: %d head tensors; its columns and the replicated tensors as the whole "
          "update's (%d), the other columns untouched (%d); zeroing its gradients only (%d, %d)",
          heads, same, kept, zeroed, spared);
    mm_optim_state_free(&sf);
    mm_optim_state_free(&sp);
    mm_model_free(&full);
    mm_model_free(&part);
    mm_model_free(&p0);
}

static void check_schedules(void)
{
    mm_schedule c = {.kind = MM_SCHED_COSINE, .lr = 0.1, .decay_step = 1000, .warmup = 100, .min_lr = 0.001};
    CHECK(fabs(mm_schedule_lr(&c, 0) - 0.001) < 1e-12 && fabs(mm_schedule_lr(&c, 99) - 0.1) < 1e-12,
          "warmup ramps lr/100 .. lr over 100 steps");
    CHECK(fabs(mm_schedule_lr(&c, 100) - 0.1) < 1e-12, "cosine starts at lr after warmup");
    CHECK(fabs(mm_schedule_lr(&c, 550) - 0.0505) < 1e-12, "cosine is halfway at the middle (%.6f)", mm_schedule_lr(&c, 550));
    CHECK(fabs(mm_schedule_lr(&c, 1000) - 0.001) < 1e-12 && fabs(mm_schedule_lr(&c, 5000) - 0.001) < 1e-12,
          "cosine ends at --min-lr and stays there");
    mm_schedule s = {.kind = MM_SCHED_STEP, .lr = 0.1, .decay = 0.1, .decay_step = 10};
    CHECK(mm_schedule_lr(&s, 9) == 0.1 && fabs(mm_schedule_lr(&s, 10) - 0.01) < 1e-15, "step schedule (lecture)");
    mm_err e;
    c.min_lr = 0.2;
    CHECK(mm_schedule_check(&c, &e) == MM_EINVAL && strstr(e.msg, "--min-lr"), "min-lr above lr refused: %s", e.msg);
}

static void make_run(mm_run *r, mm_optim_kind kind)
{
    memset(r, 0, sizeof *r);
    const uint32_t cps[] = {'a', 'b', 'c', 'd'};
    mm_err e;
    mm_vocab_from_codepoints(&r->vocab, cps, 4, &e);
    build(&r->model, MM_MODEL_MLP);
    r->train = (mm_train_config){.max_steps = 100, .batch_size = 4,
                                 .sched = {.kind = MM_SCHED_STEP, .lr = 0.1, .decay = 0.1, .decay_step = 50},
                                 .optim = {.kind = kind, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8, .momentum = 0.9}};
    mm_optim_state_build(&r->state.opt, kind, r->model.nparams, &e);
    for (size_t i = 0; i < (size_t)r->state.opt.nslots * r->state.opt.n; i++) r->state.opt.buf[i] = grad(9, i);
    r->state.step = 7;
    snprintf(r->input, sizeof r->input, "x.txt");
}

/* writes buf with a fresh CRC-32 in its last four bytes */
static int write_with_crc(const char *path, unsigned char *buf, size_t len)
{
    uint32_t crc = mm_crc32(buf, len - 4);
    for (int i = 0; i < 4; i++) buf[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = fwrite(buf, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static void check_checkpoint(const char *path)
{
    mm_run a, b;
    mm_err e;
    make_run(&a, MM_OPT_ADAMW);
    int ok = mm_checkpoint_save(&a, path, &e) == MM_OK && mm_checkpoint_load(&b, path, &e) == MM_OK;
    CHECK(ok && b.state.opt.nslots == 2 && !memcmp(a.state.opt.buf, b.state.opt.buf, 2 * a.model.nparams * 4) &&
          b.train.optim.kind == MM_OPT_ADAMW && b.train.optim.beta2 == 0.99,
          "AdamW's m and v and settings survive a save and load bit for bit");
    if (ok) mm_run_free(&b);
    mm_run_free(&a);

    /* a version 1 file: an SGD run, zeros where version 2 keeps its fields */
    make_run(&a, MM_OPT_SGD);
    unsigned char *buf;
    size_t len;
    mm_checkpoint_save(&a, path, &e);
    mm_read_file(path, 1 << 30, &buf, &len, &e);
    buf[8] = 1;
    memset(buf + 156, 0, 100);
    mm_status st = write_with_crc(path, buf, len) ? MM_EIO : mm_checkpoint_load(&b, path, &e);
    CHECK(st == MM_OK && b.train.optim.kind == MM_OPT_SGD && b.model.cfg.kind == MM_MODEL_MLP &&
          !memcmp(a.model.params, b.model.params, a.model.nparams * 4),
          "a version 1 checkpoint loads as an SGD run of the MLP%s%s", st ? ": " : "", st ? e.msg : "");
    if (!st) mm_run_free(&b);
    buf[8] = MM_CKPT_VERSION + 1; /* a version from the future */
    st = write_with_crc(path, buf, len) ? MM_EIO : mm_checkpoint_load(&b, path, &e);
    char want[32];
    snprintf(want, sizeof want, "version %d", MM_CKPT_VERSION + 1);
    CHECK(st == MM_EFORMAT && strstr(e.msg, want), "%s refused: %s", want, e.msg);
    free(buf);
    mm_run_free(&a);

    /* a version 2 file: what version 3 added (heads, split kind) is zero */
    make_run(&a, MM_OPT_MOMENTUM);
    mm_checkpoint_save(&a, path, &e);
    mm_read_file(path, 1 << 30, &buf, &len, &e);
    buf[8] = 2;
    memset(buf + 224, 0, 32);
    st = write_with_crc(path, buf, len) ? MM_EIO : mm_checkpoint_load(&b, path, &e);
    CHECK(st == MM_OK && b.train.optim.kind == MM_OPT_MOMENTUM && b.split_kind == MM_SPLIT_LECTURE &&
          b.model.cfg.n_heads == 0 && !memcmp(a.model.params, b.model.params, a.model.nparams * 4),
          "a version 2 checkpoint loads, with the lecture's split%s%s", st ? ": " : "", st ? e.msg : "");
    if (!st) mm_run_free(&b);
    buf[228] = 1; /* a split kind where version 2 has reserved zeros */
    st = write_with_crc(path, buf, len) ? MM_EIO : mm_checkpoint_load(&b, path, &e);
    CHECK(st == MM_EFORMAT && strstr(e.msg, "reserved"), "version 2 with version 3's fields refused: %s", e.msg);
    free(buf);
    mm_run_free(&a);
}

/* The registry: every id has a name that finds it again, a state of its
 * slots, and a check; an unknown id or name is refused, not stepped. */
static void check_registry(void)
{
    int ok = mm_optim_count() == 3;
    mm_err err;
    for (int k = 0; k < mm_optim_count(); k++) {
        const mm_optimizer *o = mm_optimizer_at(k);
        mm_optim_state st;
        ok = ok && o && o->step && mm_optim_find(o->name) == k && !strcmp(mm_optim_name(k), o->name) &&
             o->nslots <= MM_OPTIM_MAX_SLOTS && mm_optim_slots((mm_optim_kind)k) == o->nslots &&
             strstr(mm_optim_names(), o->name);
        if (ok && mm_optim_state_build(&st, (mm_optim_kind)k, 10, &err) == MM_OK) {
            ok = st.nslots == o->nslots && (o->nslots == 0) == (st.buf == NULL);
            mm_optim_state_free(&st);
        }
    }
    mm_optim bad = {.kind = (mm_optim_kind)mm_optim_count()};
    CHECK(ok && !mm_optimizer_at(-1) && !mm_optimizer_at(mm_optim_count()) && mm_optim_find("adam") == -1 &&
          mm_optim_check(&bad, &err) == MM_EINVAL,
          "the optimizer registry: %s, each found by name with its slots; unknown ones refused", mm_optim_names());
}

int main(void)
{
    PLAN(19);
    check_registry();
    mm_optim sgd = {.kind = MM_OPT_SGD, .weight_decay = 0.01};
    mm_optim mom = {.kind = MM_OPT_MOMENTUM, .weight_decay = 0.01, .momentum = 0.9};
    mm_optim adamw = {.kind = MM_OPT_ADAMW, .weight_decay = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8};
    check_optimizer(&sgd, "sgd with L2");
    check_optimizer(&mom, "momentum with L2");
    check_optimizer(&adamw, "adamw with decoupled decay");
    check_owned(&adamw);
    check_schedules();
    char path[256];
    snprintf(path, sizeof path, "/tmp/mm_test_optim_%ld.bin", (long)getpid());
    check_checkpoint(path);
    remove(path);
    return CHECK_DONE();
}
