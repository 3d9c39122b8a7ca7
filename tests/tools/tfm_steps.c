/* Driver for tests/parity_transformer.py: builds makemore.py's default
 * Transformer (V 27, T 16, E 64, 4 layers, 4 heads), draws its initial
 * weights and STEPS batches of random items in the sequence layout, takes
 * STEPS AdamW steps with makemore.py's settings and writes, into DIR:
 *   tensors.txt   one line per tensor: name, buffer, transposed, offset,
 *                 size, ndim, shape as stored here
 *   init.bin      the initial params (float32, little-endian host order)
 *   batches.bin   X then Y of each step, int32 (STEPS, 2, B, T)
 *   losses.txt    each step's loss, %.9g
 *   final.bin     the params after the steps
 * Usage: tfm_steps DIR [nthreads] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "model.h"
#include "optim.h"

enum { V = 27, T = 16, E = 64, L = 4, NH = 4, B = 32, STEPS = 20 };

static int write_file(const char *dir, const char *name, const void *p, size_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, bytes, f) != bytes || fclose(f)) {
        fprintf(stderr, "tfm_steps: cannot write %s\n", path);
        return 1;
    }
    return 0;
}

/* Items of random lengths: X = start 0, ids, 0 padding; Y = ids, stop 0, -1 */
static void make_batch(int32_t *X, int32_t *Y, mm_rng *r)
{
    for (int b = 0; b < B; b++) {
        const int len = 1 + (int)(mm_rng_u32(r) % (T - 1));
        for (int t = 0; t < T; t++) {
            const int32_t id = (int32_t)(1 + mm_rng_u32(r) % (V - 1));
            X[b * T + t] = t == 0 ? 0 : t <= len ? Y[b * T + t - 1] : 0;
            Y[b * T + t] = t < len ? id : t == len ? 0 : -1;
        }
    }
}

static int write_tensors(const char *dir, const mm_model *m)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tensors.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    for (int i = 0; i < m->ntensors; i++) {
        const mm_tensor *t = &m->tensors[i];
        fprintf(f, "%s %d %d %zu %zu %d", t->name, t->buffer, t->transposed, t->offset, t->size, t->ndim);
        for (int d = 0; d < t->ndim; d++) fprintf(f, " %d", t->shape[d]);
        fprintf(f, "\n");
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tfm_steps DIR [nthreads]\n");
        return 2;
    }
    char *end = NULL;
    const long nthreads = argc > 2 ? strtol(argv[2], &end, 10) : 1;
    if (argc > 2 && (*end || nthreads < 1 || nthreads > 256)) {
        fprintf(stderr, "tfm_steps: nthreads '%s' is not in 1..256\n", argv[2]);
        return 2;
    }
    const mm_config c = {.vocab_size = V, .block_size = T, .n_embd = E, .n_hidden = E,
                         .kind = MM_MODEL_TRANSFORMER, .n_layers = L, .n_heads = NH};
    const mm_optim o = {.weight_decay = 0.01, .kind = MM_OPT_ADAMW, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8};
    mm_model m;
    mm_acts a;
    mm_optim_state s;
    mm_err err;
    mm_rng r;
    if (mm_model_build(&m, &c, &err) || mm_acts_build(&a, &c, B, &err) ||
        mm_optim_state_build(&s, o.kind, m.nparams, &err)) {
        fprintf(stderr, "tfm_steps: %s\n", err.msg);
        return 1;
    }
    mm_rng_seed_torch(&r, 3407);
    mm_model_init(&m, MM_INIT_TORCH, &r);
    int32_t *batches = malloc(sizeof(int32_t) * STEPS * 2 * B * T);
    char losses[STEPS * 32] = "";
    if (!batches || write_tensors(argv[1], &m) || write_file(argv[1], "init.bin", m.params, m.nparams * sizeof(float)))
        return 1;
    for (int step = 0; step < STEPS; step++) {
        int32_t *X = batches + (long)step * 2 * B * T, *Y = X + B * T;
        make_batch(X, Y, &r);
        mm_model_zero_grad(&m);
        const double loss = mm_model_forward(&m, &a, X, Y, B, (int)nthreads);
        mm_model_backward(&m, &a, X, B, (int)nthreads);
        mm_optim_step(&o, &s, &m, 5e-4, step + 1);
        snprintf(losses + strlen(losses), 32, "%.9g\n", loss);
    }
    int rc = write_file(argv[1], "batches.bin", batches, sizeof(int32_t) * STEPS * 2 * B * T) ||
             write_file(argv[1], "losses.txt", losses, strlen(losses)) ||
             write_file(argv[1], "final.bin", m.params, m.nparams * sizeof(float));
    free(batches);
    mm_optim_state_free(&s);
    mm_acts_free(&a);
    mm_model_free(&m);
    return rc;
}
