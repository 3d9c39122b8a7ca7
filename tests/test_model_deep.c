/* The batch-normalised models (bnmlp, wavenet) and the MLP's direct
 * connections against a plain double-precision reference written here from
 * the lectures' definitions, and their hand-written backward passes against
 * central finite differences of that reference (double, h = 1e-5; the
 * tolerance, 1e-5 of the largest gradient, is set by the float32 analytic
 * gradient, not by the differences). Also: the running statistics move as
 * torch's BatchNorm1d moves them, evaluation uses them, and the parameter
 * counts are the lecture's (76,579 for the Part 5 WaveNet). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "check.h"

enum { V = 7, B = 4 };
#define EPS 1e-5
#define MOMENTUM 0.1f

static int layers(const mm_config *c)
{
    if (c->kind != MM_MODEL_WAVENET) return c->n_layers;
    int L = 0;
    while ((1 << L) < c->block_size) L++;
    return L;
}

/* layer l of the reference: R rows of width K (FlattenConsecutive(2) is a
 * view of the row-major activations) */
static void geometry(const mm_config *c, int l, int *R, int *K)
{
    if (c->kind == MM_MODEL_WAVENET) {
        *R = B * (c->block_size >> (l + 1));
        *K = 2 * (l ? c->n_hidden : c->n_embd);
    } else {
        *R = B;
        *K = l ? c->n_hidden : c->block_size * c->n_embd;
    }
}

static const double *T_(const mm_model *m, const double *p, const char *name)
{
    const mm_tensor *t = mm_model_tensor(m, name);
    if (!t) {
        printf("not ok - no tensor %s\n", name);
        exit(1);
    }
    return p + t->offset;
}

/* One batch-norm layer of the reference; running (mean, var) are read in
 * evaluation mode, written (torch's update) in training mode if non-NULL. */
static void ref_bn(double *z, int R, int H, const double *g, const double *b, int train,
                   const double *rmean, const double *rvar, double *new_mean, double *new_var)
{
    for (int j = 0; j < H; j++) {
        double mean = 0, var = 0;
        for (int r = 0; r < R; r++) mean += z[r * H + j] / R;
        for (int r = 0; r < R; r++) var += (z[r * H + j] - mean) * (z[r * H + j] - mean) / R;
        if (!train) mean = rmean[j], var = rvar[j];
        if (train && new_mean) {
            new_mean[j] = (1 - MOMENTUM) * rmean[j] + MOMENTUM * mean;
            new_var[j] = (1 - MOMENTUM) * rvar[j] + MOMENTUM * var * R / (R - 1);
        }
        for (int r = 0; r < R; r++) z[r * H + j] = tanh(g[j] * (z[r * H + j] - mean) / sqrt(var + EPS) + b[j]);
    }
}

static double ref_xent(const double *l, const int32_t *Y)
{
    double total = 0;
    for (int b = 0; b < B; b++) {
        double mx = -INFINITY, z = 0;
        for (int v = 0; v < V; v++) mx = fmax(mx, l[b * V + v]);
        for (int v = 0; v < V; v++) z += exp(l[b * V + v] - mx);
        total += log(z) + mx - l[b * V + Y[b]];
    }
    return total / B;
}

/* Mean loss of the model with parameters p; stats (2 L H) receives the
 * updated running statistics of a training forward if non-NULL. */
static double ref_loss(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y,
                       int train, double *stats)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden;
    double *x = malloc(sizeof(double) * B * T * (E > H ? E : H) * 2), *z = malloc(sizeof(double) * B * T * H);
    const double *C = T_(m, p, "C");
    for (int i = 0; i < B * T; i++)
        for (int e = 0; e < E; e++) x[i * E + e] = C[X[i] * E + e];
    char name[32];
    for (int l = 0; l < layers(c); l++) {
        int R, K;
        geometry(c, l, &R, &K);
        snprintf(name, sizeof name, "W%d", l + 1);
        const double *W = T_(m, p, name);
        for (int r = 0; r < R; r++)
            for (int j = 0; j < H; j++) {
                double s = 0;
                for (int k = 0; k < K; k++) s += x[r * K + k] * W[k * H + j];
                z[r * H + j] = s;
            }
        const double *bn[4];
        const char *part[4] = {"gain", "bias", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            snprintf(name, sizeof name, "bn%d_%s", l + 1, part[i]);
            bn[i] = T_(m, p, name);
        }
        ref_bn(z, R, H, bn[0], bn[1], train, bn[2], bn[3], stats ? stats + 2 * l * H : NULL,
               stats ? stats + (2 * l + 1) * H : NULL);
        memcpy(x, z, sizeof(double) * R * H);
    }
    double logits[B * V];
    const double *Wo = T_(m, p, "Wo"), *bo = T_(m, p, "bo");
    for (int b = 0; b < B; b++)
        for (int v = 0; v < V; v++) {
            double s = bo[v];
            for (int j = 0; j < H; j++) s += x[b * H + j] * Wo[j * V + v];
            logits[b * V + v] = s;
        }
    free(x);
    free(z);
    return ref_xent(logits, Y);
}

/* The lecture's MLP with direct connections: logits += emb @ Wd */
static double ref_direct(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y)
{
    const int T = m->cfg.block_size, E = m->cfg.n_embd, H = m->cfg.n_hidden, K = T * E;
    const double *C = T_(m, p, "C"), *W1 = T_(m, p, "W1"), *b1 = T_(m, p, "b1");
    const double *W2 = T_(m, p, "W2"), *b2 = T_(m, p, "b2"), *Wd = T_(m, p, "Wd");
    double logits[B * V];
    for (int b = 0; b < B; b++) {
        double x[64], h[64];
        for (int t = 0; t < T; t++)
            for (int e = 0; e < E; e++) x[t * E + e] = C[X[b * T + t] * E + e];
        for (int j = 0; j < H; j++) {
            double s = b1[j];
            for (int k = 0; k < K; k++) s += x[k] * W1[k * H + j];
            h[j] = tanh(s);
        }
        for (int v = 0; v < V; v++) {
            double s = b2[v];
            for (int j = 0; j < H; j++) s += h[j] * W2[j * V + v];
            for (int k = 0; k < K; k++) s += x[k] * Wd[k * V + v];
            logits[b * V + v] = s;
        }
    }
    return ref_xent(logits, Y);
}

typedef double (*ref_fn)(const mm_model *, const double *, const int32_t *, const int32_t *);
static double ref_train(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y)
{
    return ref_loss(m, p, X, Y, 1, NULL);
}

static void build(mm_model *m, mm_acts *a, const mm_config *c, int32_t *X, int32_t *Y, mm_rng *r)
{
    mm_err err;
    if (mm_model_build(m, c, &err) || mm_acts_build(a, c, B, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    mm_model_init(m, MM_INIT_TORCH, r);
    for (int t = 0; t < m->ntensors; t++) { /* gains, biases and Wd away from their plain starts */
        const mm_tensor *tn = &m->tensors[t];
        if (tn->ndim == 2 && strcmp(tn->name, "Wd")) continue;
        float *q = m->params + tn->offset;
        for (size_t i = 0; i < tn->size; i++) {
            float u = (float)(mm_rng_u32(r) % 1000) / 1000.0f;
            q[i] = strstr(tn->name, "_var") ? 0.5f + u : q[i] + 0.5f * (u - 0.5f);
        }
    }
    for (int i = 0; i < B * c->block_size; i++) X[i] = (int32_t)(mm_rng_u32(r) % V);
    for (int i = 0; i < B; i++) Y[i] = (int32_t)(mm_rng_u32(r) % V);
    X[0] = X[1]; /* a repeated id exercises the embedding scatter-add */
}

/* central differences of ref over every trainable parameter against grads */
static void gradient_check(const char *what, mm_model *m, const double *p0, ref_fn ref, const int32_t *X,
                           const int32_t *Y)
{
    double *p = malloc(m->nparams * sizeof *p);
    memcpy(p, p0, m->nparams * sizeof *p);
    double maxerr = 0, maxg = 0, buf_grad = 0;
    const double h = 1e-5;
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        for (size_t k = 0; k < tn->size; k++) {
            size_t i = tn->offset + k;
            if (tn->buffer) { buf_grad = fmax(buf_grad, fabs(m->grads[i])); continue; }
            double keep = p[i];
            p[i] = keep + h;
            double lp = ref(m, p, X, Y);
            p[i] = keep - h;
            double lm = ref(m, p, X, Y);
            p[i] = keep;
            double fd = (lp - lm) / (2 * h);
            maxerr = fmax(maxerr, fabs(fd - m->grads[i]));
            maxg = fmax(maxg, fabs(fd));
        }
    }
    CHECK(maxerr < 1e-5 * maxg, "%s: gradient vs central differences: max |diff| %.2e, %.2e of max |grad| %.3g (tolerance 1e-5)",
          what, maxerr, maxerr / maxg, maxg);
    if (m->cfg.kind != MM_MODEL_MLP) CHECK(buf_grad == 0, "%s: the running statistics get no gradient", what);
    free(p);
}

static void check_kind(const char *what, const mm_config *c, mm_rng *r)
{
    mm_model m;
    mm_acts a;
    int32_t X[B * 16], Y[B];
    build(&m, &a, c, X, Y, r);
    double *p = malloc(m.nparams * sizeof *p);
    for (size_t i = 0; i < m.nparams; i++) p[i] = m.params[i];
    const int L = layers(c), H = c->n_hidden;
    double *stats = malloc(sizeof(double) * 2 * L * H);
    double want = c->kind == MM_MODEL_MLP ? ref_direct(&m, p, X, Y) : ref_loss(&m, p, X, Y, 1, stats);
    mm_model_zero_grad(&m);
    double got = mm_model_forward(&m, &a, X, Y, B, 1);
    mm_model_backward(&m, &a, X, B, 1);
    CHECK(fabs(got - want) < 1e-5 * fabs(want), "%s: training forward loss %.8f matches the double reference %.8f",
          what, got, want);
    gradient_check(what, &m, p, c->kind == MM_MODEL_MLP ? ref_direct : ref_train, X, Y);
    if (c->kind == MM_MODEL_MLP) goto done;

    double maxd = 0;
    char name[32];
    for (int l = 0; l < L; l++)
        for (int s = 0; s < 2; s++) {
            snprintf(name, sizeof name, "bn%d_%s", l + 1, s ? "var" : "mean");
            const float *q = m.params + mm_model_tensor(&m, name)->offset;
            for (int j = 0; j < H; j++) maxd = fmax(maxd, fabs(q[j] - stats[(2 * l + s) * H + j]));
        }
    CHECK(maxd < 1e-5, "%s: running mean and (unbiased) variance move as torch's, momentum %.1f: max |diff| %.1e",
          what, (double)MOMENTUM, maxd);
    for (size_t i = 0; i < m.nparams; i++) p[i] = m.params[i];
    double want_eval = ref_loss(&m, p, X, Y, 0, NULL);
    mm_split s = {.n = B, .T = c->block_size, .X = X, .Y = Y, .ny = 1, .ntargets = B};
    double eval1, eval2;
    mm_err err;
    mm_model_split_loss(&m, &s, 1, &eval1, &err);
    mm_model_split_loss(&m, &s, 2, &eval2, &err);
    CHECK(fabs(eval1 - want_eval) < 1e-5 * want_eval, "%s: evaluation uses the running statistics: %.8f vs reference %.8f",
          what, eval1, want_eval);
    CHECK(eval1 == eval2, "%s: evaluation is the same on 1 and 2 threads", what);
done:
    free(stats);
    free(p);
    mm_acts_free(&a);
    mm_model_free(&m);
}

static size_t trainable(mm_config c)
{
    mm_model m;
    mm_err err;
    if (mm_model_build(&m, &c, &err)) return 0;
    size_t n = m.ntrainable;
    mm_model_free(&m);
    return n;
}

int main(void)
{
    PLAN(17);
    mm_rng r;
    mm_rng_seed_torch(&r, 42);
    mm_config bn = {.vocab_size = V, .block_size = 3, .n_embd = 4, .n_hidden = 5, .kind = MM_MODEL_BNMLP,
                    .n_layers = 2, .bn_momentum = MOMENTUM};
    check_kind("bnmlp, 2 layers", &bn, &r);
    mm_config wn = {.vocab_size = V, .block_size = 8, .n_embd = 3, .n_hidden = 5, .kind = MM_MODEL_WAVENET,
                    .bn_momentum = MOMENTUM};
    check_kind("wavenet, context 8", &wn, &r);
    mm_config direct = {.vocab_size = V, .block_size = 3, .n_embd = 4, .n_hidden = 6, .direct = 1};
    check_kind("mlp with direct connections", &direct, &r);

    mm_config lecture5 = {.vocab_size = 27, .block_size = 8, .n_embd = 24, .n_hidden = 128,
                          .kind = MM_MODEL_WAVENET, .bn_momentum = 0.001f};
    size_t n5 = trainable(lecture5);
    CHECK(n5 == 76579, "the lecture's WaveNet (E 24, H 128, context 8) has %zu parameters (lecture: 76,579)", n5);
    mm_config lecture3 = {.vocab_size = 27, .block_size = 3, .n_embd = 10, .n_hidden = 200,
                          .kind = MM_MODEL_BNMLP, .n_layers = 1, .bn_momentum = 0.001f};
    size_t n3 = trainable(lecture3);
    /* the lecture's 12,297 less b1, which batch norm's mean removes anyway */
    CHECK(n3 == 12097, "the Part 3 batch-norm MLP (no b1) has %zu parameters", n3);
    mm_config plain = {.vocab_size = 27, .block_size = 3, .n_embd = 10, .n_hidden = 200, .direct = 1};
    size_t nd = trainable(plain);
    CHECK(nd == 11897 + 30 * 27, "the lecture's MLP with direct connections has %zu parameters (11,897 + 810)", nd);
    return CHECK_DONE();
}
