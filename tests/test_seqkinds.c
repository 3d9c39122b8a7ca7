/* makemore.py's sequence kinds (bigram, makemore-mlp, rnn, gru, bow)
 * against double-precision references written here from makemore.py's
 * definitions, and their hand-written backward passes against central
 * finite differences of those references (double, h = 1e-5; tolerance
 * 1e-5 of the largest gradient, set by the float32 analytic gradient).
 * Also: ignored targets (-1) change nothing, results do not depend on the
 * thread count, the recurrent kinds' stateful sampler step gives the full
 * forward's logits, and the tensors are makemore.py's state_dict keys with
 * its parameter counts on names.txt (V = 27, T = 16, E = H = 64).
 *
 * `test_seqkinds --steps KIND PREFIX [DROPOUT]` instead takes 20 AdamW
 * steps at makemore.py's sizes and writes PREFIX.json and PREFIX.bin for
 * tests/parity_seqkinds.py (see write_steps). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dropout.h"
#include "kind.h"
#include "optim.h"

enum { V = 7, T = 5, E = 4, H = 6, B = 3 };
#define FD_H 1e-5
#define GRAD_TOL 1e-5

typedef void (*ref_fn)(const mm_model *m, const double *p, const int32_t *X, int nb, double *logits);

static const double *P_(const mm_model *m, const double *p, const char *name)
{
    const mm_tensor *t = mm_model_tensor(m, name);
    if (!t) {
        printf("not ok - no tensor %s\n", name);
        exit(1);
    }
    return p + t->offset;
}

/* y (out) = x (in) @ W (in, out) + b (out), b may be NULL */
static void lin(double *y, const double *x, const double *W, const double *b, int in, int out)
{
    for (int j = 0; j < out; j++) {
        double s = b ? b[j] : 0;
        for (int k = 0; k < in; k++) s += x[k] * W[k * out + j];
        y[j] = s;
    }
}

static double sig(double x)
{
    return 1 / (1 + exp(-x));
}

/* ---- the references, from makemore.py's classes -------------------------- */

static void ref_bigram(const mm_model *m, const double *p, const int32_t *X, int nb, double *lg)
{
    const int n = m->cfg.vocab_size;
    const double *L = P_(m, p, "logits");
    for (int i = 0; i < nb * m->cfg.block_size; i++)
        for (int v = 0; v < n; v++) lg[i * n + v] = L[X[i] * n + v];
}

static void ref_mlp(const mm_model *m, const double *p, const int32_t *X, int nb, double *lg)
{
    const int Tm = m->cfg.block_size, Em = m->cfg.n_embd, Hm = m->cfg.n_hidden, n = m->cfg.vocab_size;
    const double *wte = P_(m, p, "wte.weight");
    double *x = malloc(sizeof(double) * Tm * Em), h[64];
    for (int i = 0; i < nb * Tm; i++) {
        const int b = i / Tm, t = i % Tm;
        for (int k = 0; k < Tm; k++) /* k steps back; the blank (id n) before the start */
            memcpy(x + k * Em, wte + (t >= k ? X[b * Tm + t - k] : n) * Em, sizeof(double) * Em);
        lin(h, x, P_(m, p, "mlp.0.weight"), P_(m, p, "mlp.0.bias"), Tm * Em, Hm);
        for (int j = 0; j < Hm; j++) h[j] = tanh(h[j]);
        lin(lg + i * n, h, P_(m, p, "mlp.2.weight"), P_(m, p, "mlp.2.bias"), Hm, n);
    }
    free(x);
}

/* The dropout the references apply (rnn and gru, in training only:
 * ref_loss sets train): masks from dropout.h for the key and first row a
 * training forward was given. */
static struct {
    uint64_t key;
    long row0;
    int train;
} drop;

/* the mask of global row (item b, position t), stream 0: the embeddings */
static void drop_mask(const mm_model *m, double *out, int width, int stream, int b, int t)
{
    float f[256];
    const uint64_t row = (uint64_t)(drop.row0 + b) * (uint64_t)m->cfg.block_size + (uint64_t)t;
    const int on = drop.train && drop.key && m->cfg.dropout > 0;
    if (on) mm_dropout_row_mask(f, width, drop.key, (uint32_t)stream, row, m->cfg.dropout);
    for (int j = 0; j < width; j++) out[j] = on ? f[j] : 1.0;
}

static void ref_rec(const mm_model *m, const double *p, const int32_t *X, int nb, double *lg)
{
    const int Tm = m->cfg.block_size, Em = m->cfg.n_embd, Hm = m->cfg.n_hidden, n = m->cfg.vocab_size;
    const int gru = m->cfg.kind == MM_MODEL_GRU;
    const double *wte = P_(m, p, "wte.weight");
    double h[64], xh[128], xhr[128], z[64], r[64], hb[64], mx[64];
    for (int b = 0; b < nb; b++) {
        memcpy(h, P_(m, p, "start"), sizeof(double) * Hm);
        for (int t = 0; t < Tm; t++) {
            drop_mask(m, mx, Em, 0, b, t);
            for (int e = 0; e < Em; e++) xh[e] = wte[X[b * Tm + t] * Em + e] * mx[e];
            memcpy(xh + Em, h, sizeof(double) * Hm);
            if (!gru) {
                lin(h, xh, P_(m, p, "cell.xh_to_h.weight"), P_(m, p, "cell.xh_to_h.bias"), Em + Hm, Hm);
                for (int j = 0; j < Hm; j++) h[j] = tanh(h[j]);
            } else {
                lin(r, xh, P_(m, p, "cell.xh_to_r.weight"), P_(m, p, "cell.xh_to_r.bias"), Em + Hm, Hm);
                lin(z, xh, P_(m, p, "cell.xh_to_z.weight"), P_(m, p, "cell.xh_to_z.bias"), Em + Hm, Hm);
                memcpy(xhr, xh, sizeof(double) * Em);
                for (int j = 0; j < Hm; j++) xhr[Em + j] = sig(r[j]) * h[j];
                lin(hb, xhr, P_(m, p, "cell.xh_to_hbar.weight"), P_(m, p, "cell.xh_to_hbar.bias"),
                    Em + Hm, Hm);
                for (int j = 0; j < Hm; j++) h[j] = (1 - sig(z[j])) * h[j] + sig(z[j]) * tanh(hb[j]);
            }
            lin(lg + (b * Tm + t) * n, h, P_(m, p, "lm_head.weight"), P_(m, p, "lm_head.bias"), Hm, n);
        }
    }
}

static void ref_bow(const mm_model *m, const double *p, const int32_t *X, int nb, double *lg)
{
    const int Tm = m->cfg.block_size, Em = m->cfg.n_embd, Hm = m->cfg.n_hidden, n = m->cfg.vocab_size;
    const double *wte = P_(m, p, "wte.weight"), *wpe = P_(m, p, "wpe.weight");
    double *x0 = malloc(sizeof(double) * Tm * Em), x1[64], u[64], x2[64];
    for (int b = 0; b < nb; b++)
        for (int t = 0; t < Tm; t++) {
            for (int e = 0; e < Em; e++) x0[t * Em + e] = wte[X[b * Tm + t] * Em + e] + wpe[t * Em + e];
            for (int e = 0; e < Em; e++) {
                double s = 0;
                for (int q = 0; q <= t; q++) s += x0[q * Em + e];
                x1[e] = x0[t * Em + e] + s / (t + 1);
            }
            lin(u, x1, P_(m, p, "context_block.mlp.c_fc.weight"), P_(m, p, "context_block.mlp.c_fc.bias"),
                Em, Hm);
            for (int j = 0; j < Hm; j++) u[j] = tanh(u[j]);
            lin(x2, u, P_(m, p, "context_block.mlp.c_proj.weight"),
                P_(m, p, "context_block.mlp.c_proj.bias"), Hm, Em);
            for (int e = 0; e < Em; e++) x2[e] += x1[e];
            lin(lg + (b * Tm + t) * n, x2, P_(m, p, "lm_head.weight"), P_(m, p, "lm_head.bias"), Em, n);
        }
    free(x0);
}

/* mean of -log softmax over the rows whose target is not -1 */
static double ref_xent(const double *lg, const int32_t *Y, int N, int n)
{
    double total = 0;
    int count = 0;
    for (int i = 0; i < N; i++) {
        if (Y[i] < 0) continue;
        double mx = -INFINITY, z = 0;
        for (int v = 0; v < n; v++) mx = fmax(mx, lg[i * n + v]);
        for (int v = 0; v < n; v++) z += exp(lg[i * n + v] - mx);
        total += log(z) + mx - lg[i * n + Y[i]];
        count++;
    }
    return total / count;
}

static double ref_loss(const mm_model *m, ref_fn ref, const double *p, const int32_t *X,
                       const int32_t *Y, int nb)
{
    const int N = nb * m->cfg.block_size;
    double *lg = malloc(sizeof(double) * N * m->cfg.vocab_size);
    drop.train = 1;
    ref(m, p, X, nb, lg);
    drop.train = 0;
    double loss = ref_xent(lg, Y, N, m->cfg.vocab_size);
    free(lg);
    return loss;
}

/* ---- set-up --------------------------------------------------------------- */

typedef struct {
    const char *name;
    int kind;
    ref_fn ref;
    size_t params; /* makemore.py's count on names.txt */
    const char *keys; /* its state_dict keys, in order */
} kcase;

static const kcase cases[] = {
    {"bigram", MM_MODEL_BIGRAM, ref_bigram, 729, "logits"},
    {"makemore-mlp", MM_MODEL_MAKEMORE_MLP, ref_mlp, 69147,
     "wte.weight mlp.0.weight mlp.0.bias mlp.2.weight mlp.2.bias"},
    {"rnn", MM_MODEL_RNN, ref_rec, 11803,
     "start wte.weight cell.xh_to_h.weight cell.xh_to_h.bias lm_head.weight lm_head.bias"},
    {"gru", MM_MODEL_GRU, ref_rec, 28315,
     "start wte.weight cell.xh_to_z.weight cell.xh_to_z.bias cell.xh_to_r.weight cell.xh_to_r.bias "
     "cell.xh_to_hbar.weight cell.xh_to_hbar.bias lm_head.weight lm_head.bias"},
    {"bow", MM_MODEL_BOW, ref_bow, 12827,
     "wte.weight wpe.weight context_block.cbow.bias context_block.mlp.c_fc.weight "
     "context_block.mlp.c_fc.bias context_block.mlp.c_proj.weight context_block.mlp.c_proj.bias "
     "lm_head.weight lm_head.bias"},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

/* Items as makemore.py encodes them: X = 0, ids, 0...; Y = ids, 0, -1...
 * Lengths 1..maxlen (< Tb): the first item the longest, the second the
 * shortest. */
static void make_batch(mm_rng *r, int32_t *X, int32_t *Y, int nb, int Tb, int n, int maxlen)
{
    for (int b = 0; b < nb; b++) {
        const int len = b == 0 ? maxlen : b == 1 ? 1 : 1 + (int)(mm_rng_u32(r) % (uint32_t)maxlen);
        int32_t *x = X + b * Tb, *y = Y + b * Tb;
        x[0] = 0;
        for (int t = 0; t < Tb; t++) {
            y[t] = t < len ? 1 + (int32_t)(mm_rng_u32(r) % (uint32_t)(n - 1)) : t == len ? 0 : -1;
            if (t + 1 < Tb) x[t + 1] = t < len ? y[t] : 0;
        }
    }
}

static void build(mm_model *m, mm_acts *a, const mm_config *c, int nb, mm_rng *r)
{
    mm_err err;
    if (mm_model_build(m, c, &err) || mm_acts_build(a, c, nb, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    mm_model_init(m, MM_INIT_TORCH, r);
}

/* every trainable parameter moved off its start (zeros for the bigram and
 * the start state), so no gradient vanishes by symmetry */
static void jitter(mm_model *m, mm_rng *r)
{
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        if (tn->buffer) continue;
        for (size_t i = 0; i < tn->size; i++)
            m->params[tn->offset + i] += 0.6f * (mm_rng_uniform(r) - 0.5f);
    }
}

/* ---- the checks ------------------------------------------------------------ */

static double *to_double(const mm_model *m)
{
    double *p = malloc(m->nparams * sizeof *p);
    for (size_t i = 0; i < m->nparams; i++) p[i] = m->params[i];
    return p;
}

/* forward loss and eval logits against the reference, then central
 * differences of the reference over every trainable parameter */
static void check_gradients(const kcase *k, mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y)
{
    double *p = to_double(m), *lg = malloc(sizeof(double) * B * T * V);
    mm_model_zero_grad(m);
    const double loss = mm_model_forward(m, a, X, Y, B, 1), want = ref_loss(m, k->ref, p, X, Y, B);
    mm_model_backward(m, a, X, B, 1);
    CHECK(fabs(loss - want) <= 1e-5 * fabs(want), "%s: loss %.7f, reference %.7f", k->name, loss, want);

    mm_acts ev;
    mm_err err;
    double maxd = 0, maxl = 0;
    if (mm_acts_build(&ev, &m->cfg, B, &err)) exit(1);
    mm_model_logits(m, &ev, X, B, 1);
    k->ref(m, p, X, B, lg);
    for (int i = 0; i < B * T * V; i++) {
        maxd = fmax(maxd, fabs(ev.logits[i] - lg[i]));
        maxl = fmax(maxl, fabs(lg[i]));
    }
    mm_acts_free(&ev);
    CHECK(maxd <= 1e-5 * fmax(1, maxl), "%s: logits within %.2g of the reference (largest %.3g)", k->name,
          maxd, maxl);

    double maxerr = 0, maxg = 0, bufg = 0;
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        for (size_t j = 0; j < tn->size; j++) {
            const size_t i = tn->offset + j;
            if (tn->buffer) {
                bufg = fmax(bufg, fabs(m->grads[i]));
                continue;
            }
            const double keep = p[i];
            p[i] = keep + FD_H;
            const double lp = ref_loss(m, k->ref, p, X, Y, B);
            p[i] = keep - FD_H;
            const double lm = ref_loss(m, k->ref, p, X, Y, B);
            p[i] = keep;
            maxerr = fmax(maxerr, fabs((lp - lm) / (2 * FD_H) - m->grads[i]));
            maxg = fmax(maxg, fabs(m->grads[i]));
        }
    }
    CHECK(maxg > 0 && maxerr <= GRAD_TOL * maxg, "%s: gradient within %.2g of central differences (largest %.3g)",
          k->name, maxerr, maxg);
    CHECK(bufg == 0, "%s: buffers get no gradient", k->name);
    free(p);
    free(lg);
}

/* inputs after each item's stop feed only ignored targets: changing them
 * changes neither the loss nor any gradient */
static void check_ignored(const kcase *k, mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y,
                          mm_rng *r)
{
    int32_t X2[B * T];
    memcpy(X2, X, sizeof X2);
    int changed = 0;
    for (int i = 0; i < B * T; i++)
        if (i % T > 0 && Y[i - 1] < 0) {
            X2[i] = 1 + (int32_t)(mm_rng_u32(r) % (V - 1));
            changed++;
        }
    float *g1 = malloc(m->nparams * sizeof *g1);
    mm_model_zero_grad(m);
    const double l1 = mm_model_forward(m, a, X, Y, B, 1);
    mm_model_backward(m, a, X, B, 1);
    memcpy(g1, m->grads, m->nparams * sizeof *g1);
    mm_model_zero_grad(m);
    const double l2 = mm_model_forward(m, a, X2, Y, B, 1);
    mm_model_backward(m, a, X2, B, 1);
    int same = l1 == l2;
    for (size_t i = 0; i < m->nparams; i++) same &= g1[i] == m->grads[i];
    CHECK(changed > 0 && same, "%s: %d inputs under ignored targets change no loss or gradient", k->name,
          changed);
    free(g1);
}

/* a->loss_norm > 0 divides the loss sum by it instead of the count */
static void check_norm(const kcase *k, mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y)
{
    int count = 0;
    for (int i = 0; i < B * T; i++) count += Y[i] >= 0;
    a->loss_norm = 0;
    const double mean = mm_model_forward(m, a, X, Y, B, 1);
    a->loss_norm = 10;
    const double sum10 = mm_model_forward(m, a, X, Y, B, 1);
    a->loss_norm = 0;
    CHECK(fabs(sum10 - mean * count / 10) <= 1e-6 * fabs(mean), "%s: loss_norm 10 gives the sum / 10 (%.6f)",
          k->name, sum10);
}

/* 1 if a training forward and backward give the same loss and gradient
 * bits with 1 and 2 threads */
static int same_on_threads(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int nb)
{
    float *g1 = malloc(m->nparams * sizeof *g1);
    mm_model_zero_grad(m);
    const double l1 = mm_model_forward(m, a, X, Y, nb, 1);
    mm_model_backward(m, a, X, nb, 1);
    memcpy(g1, m->grads, m->nparams * sizeof *g1);
    mm_model_zero_grad(m);
    const double l2 = mm_model_forward(m, a, X, Y, nb, 2);
    mm_model_backward(m, a, X, nb, 2);
    const int same = l1 == l2 && !memcmp(g1, m->grads, m->nparams * sizeof *g1);
    free(g1);
    return same;
}

/* makemore.py's sizes on names.txt: counts, keys, flags; and nthreads 1
 * and 2 give the same bits */
static void check_full_size(const kcase *k, mm_rng *r)
{
    enum { FB = 32, FT = 16 };
    const mm_config c = {.vocab_size = 27, .block_size = FT, .n_embd = 64, .n_hidden = 64, .kind = k->kind};
    mm_model m;
    mm_acts a;
    build(&m, &a, &c, FB, r);
    CHECK(m.ntrainable == k->params, "%s: %zu trainable parameters (makemore.py: %zu)", k->name, m.ntrainable,
          k->params);
    char keys[1024] = "";
    int flags = 1;
    for (int t = 0; t < m.ntensors; t++) {
        const mm_tensor *tn = &m.tensors[t];
        snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", t ? " " : "", tn->name);
        const int linear = tn->ndim == 2 && strstr(tn->name, ".weight") && strncmp(tn->name, "wte", 3) &&
                           strncmp(tn->name, "wpe", 3);
        flags &= tn->buffer ? !tn->decay : tn->decay;
        flags &= tn->transposed == linear;
    }
    CHECK(!strcmp(keys, k->keys), "%s: tensors named as makemore.py's state_dict: %s", k->name, keys);
    CHECK(flags, "%s: every parameter decays, buffers do not; Linear weights flagged transposed", k->name);

    int32_t X[FB * FT], Y[FB * FT];
    make_batch(r, X, Y, FB, FT, 27, FT - 1);
    jitter(&m, r);
    CHECK(same_on_threads(&m, &a, X, Y, FB), "%s: loss and gradients bit-identical with 1 and 2 threads",
          k->name);
    mm_acts_free(&a);
    mm_model_free(&m);
}

/* the sampler's step, fed one id at a time, against the full forward */
static void check_gen(const kcase *k, mm_model *m, const int32_t *X)
{
    if (!m->kind->gen_step) return;
    mm_acts ev;
    mm_err err;
    void *state;
    if (mm_acts_build(&ev, &m->cfg, B, &err) || m->kind->gen_build(&state, m, &err)) exit(1);
    mm_model_logits(m, &ev, X, B, 1);
    float out[V];
    double maxd = 0, maxl = 0;
    for (int b = 0; b < B; b++)
        for (int len = 1; len <= T; len++) {
            m->kind->gen_step(state, X + b * T, len, out);
            for (int v = 0; v < V; v++) {
                const float want = ev.logits[(b * T + len - 1) * V + v];
                maxd = fmax(maxd, fabs(out[v] - want));
                maxl = fmax(maxl, fabs(want));
            }
        }
    m->kind->gen_free(state);
    mm_acts_free(&ev);
    CHECK(maxd <= 1e-6 * fmax(1, maxl), "%s: stateful sampler step equals the full forward's logits (%.2g)",
          k->name, maxd);
}

/* dropout.h's masks: the share dropped is p, kept units are scaled by
 * 1 / (1 - p), and the key, the stream and the row each change the mask */
static void check_masks(void)
{
    enum { ROWS = 4096, W = 61 };
    const float p = 0.3f;
    static float m0[ROWS * W];
    float other[W];
    long dropped = 0, bad = 0;
    for (int r = 0; r < ROWS; r++) mm_dropout_row_mask(m0 + r * W, W, 12345, 0, (uint64_t)r, p);
    for (int i = 0; i < ROWS * W; i++) {
        dropped += m0[i] == 0.0f;
        bad += m0[i] != 0.0f && m0[i] != 1.0f / (1.0f - p);
    }
    const double share = (double)dropped / (ROWS * W);
    CHECK(fabs(share - p) < 0.01 && bad == 0, "dropout masks: %.4f of %d units dropped at p %.1f, the rest 1/(1-p)",
          share, ROWS * W, (double)p);
    int differ[3] = {0, 0, 0};
    mm_dropout_row_mask(other, W, 12346, 0, 0, p);
    differ[0] = memcmp(other, m0, sizeof other) != 0;
    mm_dropout_row_mask(other, W, 12345, 1, 0, p);
    differ[1] = memcmp(other, m0, sizeof other) != 0;
    mm_dropout_row_mask(other, W, 12345, 0, (uint64_t)ROWS << 8, p);
    differ[2] = memcmp(other, m0 + W, sizeof other) != 0;
    CHECK(differ[0] && differ[1] && differ[2], "dropout masks differ by key, stream and row");
}

/* rnn and gru with dropout: the training forward and its gradient against
 * the reference with the same masks; evaluation and a forward without a
 * key drop nothing; a process's slice of a batch (rows numbered from
 * drop_row0) gets the rows the whole batch gets; 1 and 2 threads agree */
static void check_dropout(const kcase *k)
{
    mm_rng r;
    mm_rng_seed_torch(&r, 99 + (uint64_t)k->kind);
    const mm_config c = {.vocab_size = V, .block_size = T, .n_embd = E, .n_hidden = H, .kind = k->kind,
                         .dropout = 0.3f};
    mm_model m;
    mm_acts a;
    build(&m, &a, &c, B, &r);
    jitter(&m, &r);
    int32_t X[B * T], Y[B * T];
    make_batch(&r, X, Y, B, T, V, T - 1);
    drop.key = a.drop_key = 0x5EED5EED12345ull;
    drop.row0 = a.drop_row0 = 7;
    char name[64];
    snprintf(name, sizeof name, "%s with dropout 0.3", k->name);
    const kcase kd = {name, k->kind, k->ref, 0, NULL};
    check_gradients(&kd, &m, &a, X, Y); /* the logits compared there are evaluation's: no dropout */

    double *p = to_double(&m);
    const double with = mm_model_forward(&m, &a, X, Y, B, 1);
    drop.key = a.drop_key = 0;
    const double without = mm_model_forward(&m, &a, X, Y, B, 1), want = ref_loss(&m, k->ref, p, X, Y, B);
    CHECK(fabs(without - want) <= 1e-5 * want && fabs(with - without) > 1e-3,
          "%s: no key, no dropout (loss %.5f, reference %.5f; with the key %.5f)", name, without, want, with);
    free(p);

    /* items 1..B-1 alone, numbered from row 8, against the whole batch from row 7 */
    int count = 0;
    for (int i = 0; i < B * T; i++) count += Y[i] >= 0;
    a.drop_key = 0x5EED5EED12345ull;
    a.drop_row0 = 7;
    a.loss_norm = count;
    mm_model_forward(&m, &a, X, Y, B, 1);
    float *whole = malloc(sizeof(float) * B * T * V);
    memcpy(whole, a.logits, sizeof(float) * B * T * V);
    a.drop_row0 = 8;
    mm_model_forward(&m, &a, X + T, Y + T, B - 1, 1);
    double d = 0;
    for (int i = 0; i < (B - 1) * T * V; i++) d = fmax(d, fabs(a.logits[i] - whole[T * V + i]));
    CHECK(d <= 1e-7, "%s: a slice of the batch numbered from its global row gets the batch's rows (%.2g)", name, d);
    a.loss_norm = 0;
    free(whole);
    mm_acts_free(&a);
    mm_model_free(&m);

    enum { FB = 32, FT = 16 };
    const mm_config cf = {.vocab_size = 27, .block_size = FT, .n_embd = 64, .n_hidden = 64, .kind = k->kind,
                          .dropout = 0.2f};
    build(&m, &a, &cf, FB, &r);
    int32_t FX[FB * FT], FY[FB * FT];
    make_batch(&r, FX, FY, FB, FT, 27, FT - 1);
    a.drop_key = 77;
    CHECK(same_on_threads(&m, &a, FX, FY, FB),
          "%s: with dropout 0.2, loss and gradients bit-identical with 1 and 2 threads", k->name);
    mm_acts_free(&a);
    mm_model_free(&m);
    drop.key = 0;
    drop.row0 = 0;
}

static void check_kind(const kcase *k)
{
    mm_rng r;
    mm_rng_seed_torch(&r, 1234 + (uint64_t)k->kind);
    const mm_config c = {.vocab_size = V, .block_size = T, .n_embd = E, .n_hidden = H, .kind = k->kind};
    mm_model m;
    mm_acts a;
    build(&m, &a, &c, B, &r);
    jitter(&m, &r);
    int32_t X[B * T], Y[B * T];
    /* a batch whose items all end early: the last positions feed no target */
    make_batch(&r, X, Y, B, T, V, T - 3);
    check_gradients(k, &m, &a, X, Y);
    make_batch(&r, X, Y, B, T, V, T - 1);
    check_gradients(k, &m, &a, X, Y);
    check_ignored(k, &m, &a, X, Y, &r);
    check_norm(k, &m, &a, X, Y);
    check_gen(k, &m, X);
    mm_acts_free(&a);
    mm_model_free(&m);
    check_full_size(k, &r);
}

/* ---- for tests/parity_seqkinds.py ----------------------------------------- */

enum { PV = 27, PT = 16, PB = 32, PSTEPS = 20 };

/* the masks' key of step s in a run with dropout (any non-zero numbers do) */
static uint64_t step_key(int s)
{
    return 0x9E3779B97F4A7C15ull * (uint64_t)(s + 1) ^ 0x5EEDull;
}

static void write_manifest(FILE *f, const mm_model *m, const char *kind, const double *losses)
{
    fprintf(f, "{\"kind\": \"%s\", \"vocab_size\": %d, \"block_size\": %d, \"n_embd\": %d, ", kind, PV,
            PT, m->cfg.n_embd);
    fprintf(f, "\"dropout\": %.9g, \"drop_keys\": [", (double)m->cfg.dropout);
    for (int s = 0; s < PSTEPS && m->cfg.dropout > 0; s++)
        fprintf(f, "%s%llu", s ? ", " : "", (unsigned long long)step_key(s));
    fprintf(f, "], ");
    fprintf(f, "\"n_hidden\": %d, \"batch\": %d, \"steps\": %d, \"init_seed\": 3407, ", m->cfg.n_hidden,
            PB, PSTEPS);
    fprintf(f, "\"nparams\": %zu, \"losses\": [", m->nparams);
    for (int s = 0; s < PSTEPS; s++) fprintf(f, "%s%.9g", s ? ", " : "", losses[s]);
    fprintf(f, "], \"tensors\": [");
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        fprintf(f, "%s{\"name\": \"%s\", \"shape\": [", t ? ", " : "", tn->name);
        for (int d = 0; d < tn->ndim; d++) fprintf(f, "%s%d", d ? ", " : "", tn->shape[d]);
        fprintf(f, "], \"transposed\": %d, \"buffer\": %d, \"offset\": %zu, \"size\": %zu}", tn->transposed,
                tn->buffer, tn->offset, tn->size);
    }
    fprintf(f, "]}\n");
}

/* PREFIX.bin: the initial parameters (nparams float32), the parameters
 * after the steps, then every step's X and Y (PB * PT int32 each, X first),
 * all in the host's byte order (little-endian where torch runs); PREFIX.json
 * names the tensors and holds the steps' losses. Initial weights from
 * torch's generator seeded 3407 in torch's order, batches from seed 42;
 * AdamW as makemore.py's (lr 5e-4, weight decay 0.01, betas 0.9/0.99,
 * eps 1e-8). With dropout p > 0, step s's masks have key step_key(s),
 * listed in the manifest, and rows numbered from 0. */
static int write_steps(const char *kind, const char *prefix, float p)
{
    const int id = mm_kind_find(kind);
    if (id < 0) return fprintf(stderr, "--steps: no kind %s\n", kind), 2;
    const mm_config c = {.vocab_size = PV, .block_size = PT, .n_embd = 64, .n_hidden = 64, .kind = id,
                         .dropout = p};
    mm_model m;
    mm_acts a;
    mm_rng r, data;
    mm_err err;
    mm_rng_seed_torch(&r, 3407);
    mm_rng_seed_torch(&data, 42);
    build(&m, &a, &c, PB, &r);
    const mm_optim o = {.kind = MM_OPT_ADAMW, .weight_decay = 0.01, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8};
    mm_optim_state st;
    if (mm_optim_state_build(&st, o.kind, m.nparams, &err)) return fprintf(stderr, "%s\n", err.msg), 1;
    char path[1024];
    snprintf(path, sizeof path, "%s.bin", prefix);
    FILE *bin = fopen(path, "wb");
    if (!bin) return fprintf(stderr, "cannot write %s\n", path), 1;
    fwrite(m.params, sizeof(float), m.nparams, bin);
    static int32_t X[PSTEPS][PB * PT], Y[PSTEPS][PB * PT];
    double losses[PSTEPS];
    for (int s = 0; s < PSTEPS; s++) {
        make_batch(&data, X[s], Y[s], PB, PT, PV, 2 + s % (PT - 2));
        mm_model_zero_grad(&m);
        a.drop_key = p > 0 ? step_key(s) : 0;
        losses[s] = mm_model_forward(&m, &a, X[s], Y[s], PB, 2);
        mm_model_backward(&m, &a, X[s], PB, 2);
        mm_optim_step(&o, &st, &m, 5e-4, s + 1);
    }
    fwrite(m.params, sizeof(float), m.nparams, bin);
    for (int s = 0; s < PSTEPS; s++) {
        fwrite(X[s], sizeof(int32_t), PB * PT, bin);
        fwrite(Y[s], sizeof(int32_t), PB * PT, bin);
    }
    int bad = fclose(bin) != 0;
    snprintf(path, sizeof path, "%s.json", prefix);
    FILE *js = fopen(path, "w");
    if (!js) return fprintf(stderr, "cannot write %s\n", path), 1;
    write_manifest(js, &m, kind, losses);
    bad |= fclose(js) != 0;
    mm_optim_state_free(&st);
    mm_acts_free(&a);
    mm_model_free(&m);
    return bad;
}

int main(int argc, char **argv)
{
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--steps"))
        return write_steps(argv[2], argv[3], argc == 5 ? (float)atof(argv[4]) : 0.0f);
    PLAN(88);
    for (int i = 0; i < NCASES; i++) check_kind(&cases[i]);
    check_masks();
    for (int i = 0; i < NCASES; i++)
        if (mm_kind_at(cases[i].kind)->uses & MM_USES_DROPOUT) check_dropout(&cases[i]);
    return CHECK_DONE();
}
