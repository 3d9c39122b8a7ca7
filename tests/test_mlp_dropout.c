/* The mlp's --dropout (embeddings and hidden units, dropout.h's masks),
 * with and without direct connections, against a double-precision
 * reference written here: emb = C[X] * mx; h = tanh(emb @ W1 + b1);
 * logits = (h * mh) @ W2 + b2 [+ emb @ Wd]. The training forward's loss
 * matches it, the backward pass matches its central differences (h = 1e-5,
 * tolerance 1e-5 of the largest gradient, as test_model_deep), a forward
 * without a key drops nothing, and the whole-split evaluation is the
 * reference without masks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dropout.h"
#include "model.h"

enum { V = 9, B = 5 };
#define KEY 0x1234567ull
#define P 0.3f

static const double *T_(const mm_model *m, const double *p, const char *name)
{
    return p + mm_model_tensor(m, name)->offset;
}

/* The reference loss; masks NULL: no dropout. */
static double ref_loss(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y, const float *mx,
                       const float *mh)
{
    const int T = m->cfg.block_size, E = m->cfg.n_embd, H = m->cfg.n_hidden, K = T * E;
    const double *C = T_(m, p, "C"), *W1 = T_(m, p, "W1"), *b1 = T_(m, p, "b1");
    const double *W2 = T_(m, p, "W2"), *b2 = T_(m, p, "b2");
    const double *Wd = m->cfg.direct ? T_(m, p, "Wd") : NULL;
    double total = 0;
    for (int b = 0; b < B; b++) {
        double x[64], h[64], l[V], mx_ = -INFINITY, s = 0;
        for (int t = 0; t < T; t++)
            for (int e = 0; e < E; e++) x[t * E + e] = C[X[b * T + t] * E + e] * (mx ? mx[b * K + t * E + e] : 1);
        for (int j = 0; j < H; j++) {
            double z = b1[j];
            for (int k = 0; k < K; k++) z += x[k] * W1[k * H + j];
            h[j] = tanh(z) * (mh ? mh[b * H + j] : 1);
        }
        for (int v = 0; v < V; v++) {
            double z = b2[v];
            for (int j = 0; j < H; j++) z += h[j] * W2[j * V + v];
            for (int k = 0; Wd && k < K; k++) z += x[k] * Wd[k * V + v];
            l[v] = z;
            mx_ = fmax(mx_, z);
        }
        for (int v = 0; v < V; v++) s += exp(l[v] - mx_);
        total += log(s) + mx_ - l[Y[b]];
    }
    return total / B;
}

static void check_mlp(const char *what, int direct)
{
    mm_config c = {.vocab_size = V, .block_size = 3, .n_embd = 4, .n_hidden = 6, .direct = direct,
                   .dropout = P};
    const int K = 12, H = 6;
    mm_model m;
    mm_acts a;
    mm_err err;
    if (mm_config_check(&c, &err) || mm_model_build(&m, &c, &err) || mm_acts_build(&a, &c, B, &err)) {
        printf("not ok - %s: build: %s\n", what, err.msg);
        exit(1);
    }
    mm_rng r;
    mm_rng_seed_torch(&r, 7);
    mm_model_init(&m, MM_INIT_TORCH, &r);
    for (size_t i = 0; i < m.nparams; i++) m.params[i] += 0.3f * (float)((int)(mm_rng_u32(&r) % 1000) - 500) / 500;
    int32_t X[B * 3], Y[B];
    for (int i = 0; i < B * 3; i++) X[i] = (int32_t)(mm_rng_u32(&r) % V);
    for (int i = 0; i < B; i++) Y[i] = (int32_t)(mm_rng_u32(&r) % V);
    X[0] = X[4]; /* a repeated id: the embedding's scatter-add */
    float mx[B * 12], mh[B * 6];
    int zeros = 0;
    for (int b = 0; b < B; b++) {
        mm_dropout_row_mask(mx + b * K, K, KEY, 0, (uint64_t)(3 + b), P);
        mm_dropout_row_mask(mh + b * H, H, KEY, 1, (uint64_t)(3 + b), P);
    }
    for (int i = 0; i < B * K; i++) zeros += mx[i] == 0;
    for (int i = 0; i < B * H; i++) zeros += mh[i] == 0;
    double *p = malloc(m.nparams * sizeof *p);
    for (size_t i = 0; i < m.nparams; i++) p[i] = m.params[i];

    a.drop_key = KEY;
    a.drop_row0 = 3;
    mm_model_zero_grad(&m);
    double got = mm_model_forward(&m, &a, X, Y, B, 1), want = ref_loss(&m, p, X, Y, mx, mh);
    mm_model_backward(&m, &a, X, B, 1);
    double plain = ref_loss(&m, p, X, Y, NULL, NULL);
    CHECK(zeros > 0 && fabs(got - want) < 1e-5 * want && fabs(want - plain) > 1e-3,
          "%s: training forward %.8f = reference with the masks %.8f (%d units dropped; without: %.8f)", what, got,
          want, zeros, plain);
    double maxerr = 0, maxg = 0;
    for (size_t i = 0; i < m.nparams; i++) {
        const double keep = p[i], h = 1e-5;
        p[i] = keep + h;
        double lp = ref_loss(&m, p, X, Y, mx, mh);
        p[i] = keep - h;
        double lm = ref_loss(&m, p, X, Y, mx, mh);
        p[i] = keep;
        maxerr = fmax(maxerr, fabs((lp - lm) / (2 * h) - m.grads[i]));
        maxg = fmax(maxg, fabs((lp - lm) / (2 * h)));
    }
    CHECK(maxerr < 1e-5 * maxg, "%s: gradient vs central differences: max |diff| %.2e of max |grad| %.3g", what,
          maxerr, maxg);
    a.drop_key = 0;
    double nokey = mm_model_forward(&m, &a, X, Y, B, 1);
    CHECK(fabs(nokey - plain) < 1e-5 * plain, "%s: a forward without a key drops nothing: %.8f vs %.8f", what, nokey,
          plain);
    mm_split s = {.n = B, .T = 3, .X = X, .Y = Y, .ny = 1, .ntargets = B};
    double eval;
    mm_status st = mm_model_split_loss(&m, &s, 1, &eval, &err);
    CHECK(!st && fabs(eval - plain) < 1e-5 * plain, "%s: evaluation drops nothing: %.8f vs %.8f", what, eval, plain);
    free(p);
    mm_acts_free(&a);
    mm_model_free(&m);
}

int main(void)
{
    PLAN(8);
    check_mlp("mlp with dropout", 0);
    check_mlp("mlp with dropout and direct connections", 1);
    return CHECK_DONE();
}
