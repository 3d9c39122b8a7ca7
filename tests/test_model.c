/* The MLP's forward pass against a plain double-precision reference, and its
 * hand-written backward pass against central finite differences of that
 * reference (double, h = 1e-5: truncation and rounding error ~1e-10, far
 * below the float32 analytic gradient's own error of ~1e-7 relative). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "check.h"

enum { V = 7, T = 3, E = 4, H = 9, B = 5 };

/* loss of the MLP with parameters p (double, laid out as the model's) */
static double ref_loss(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y)
{
    const double *C = p + m->tensors[0].offset, *W1 = p + m->tensors[1].offset;
    const double *b1 = p + m->tensors[2].offset, *W2 = p + m->tensors[3].offset;
    const double *b2 = p + m->tensors[4].offset;
    double total = 0;
    for (int b = 0; b < B; b++) {
        double x[T * E], h[H], l[V];
        for (int t = 0; t < T; t++)
            for (int e = 0; e < E; e++) x[t * E + e] = C[X[b * T + t] * E + e];
        for (int j = 0; j < H; j++) {
            double s = b1[j];
            for (int k = 0; k < T * E; k++) s += x[k] * W1[k * H + j];
            h[j] = tanh(s);
        }
        double mx = -INFINITY, z = 0;
        for (int v = 0; v < V; v++) {
            double s = b2[v];
            for (int j = 0; j < H; j++) s += h[j] * W2[j * V + v];
            l[v] = s;
            mx = s > mx ? s : mx;
        }
        for (int v = 0; v < V; v++) z += exp(l[v] - mx);
        total += log(z) + mx - l[Y[b]];
    }
    return total / B;
}

static void build(mm_model *m, mm_acts *a, int32_t *X, int32_t *Y)
{
    mm_config c = {.vocab_size = V, .block_size = T, .n_embd = E, .n_hidden = H};
    mm_err err;
    if (mm_model_build(m, &c, &err) || mm_acts_build(a, &c, B, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    mm_rng r;
    mm_rng_seed_torch(&r, 1234);
    mm_model_init(m, MM_INIT_TORCH, &r);
    for (size_t i = 0; i < m->nparams; i++) m->params[i] *= 0.5f; /* keep tanh off saturation */
    for (int i = 0; i < B * T; i++) X[i] = (int32_t)(mm_rng_u32(&r) % V);
    for (int i = 0; i < B; i++) Y[i] = (int32_t)(mm_rng_u32(&r) % V);
    X[0] = X[1]; /* a repeated id exercises the embedding scatter-add */
}

int main(void)
{
    PLAN(6);
    mm_model m;
    mm_acts a;
    int32_t X[B * T], Y[B];
    build(&m, &a, X, Y);
    CHECK(m.nparams == (size_t)(V * E + T * E * H + H + H * V + V), "parameter count %zu", m.nparams);

    double *p = malloc(m.nparams * sizeof *p);
    for (size_t i = 0; i < m.nparams; i++) p[i] = m.params[i];
    double want = ref_loss(&m, p, X, Y);
    mm_model_zero_grad(&m);
    double got = mm_model_forward(&m, &a, X, Y, B, 1);
    mm_model_backward(&m, &a, X, B, 1);
    CHECK(fabs(got - want) < 1e-5 * fabs(want), "forward loss %.8f matches the double reference %.8f", got, want);

    double maxerr = 0, maxg = 0;
    const double h = 1e-5;
    for (size_t i = 0; i < m.nparams; i++) {
        double keep = p[i];
        p[i] = keep + h;
        double lp = ref_loss(&m, p, X, Y);
        p[i] = keep - h;
        double lm = ref_loss(&m, p, X, Y);
        p[i] = keep;
        double fd = (lp - lm) / (2 * h);
        maxerr = fmax(maxerr, fabs(fd - m.grads[i]));
        maxg = fmax(maxg, fabs(fd));
    }
    CHECK(maxerr < 1e-5 * maxg, "gradient vs central differences: max |diff| %.2e, %.2e of max |grad| %.3g (tolerance 1e-5)",
          maxerr, maxerr / maxg, maxg);

    /* a second backward without zeroing doubles every gradient: the kernels accumulate */
    float *g1 = malloc(m.nparams * sizeof *g1);
    memcpy(g1, m.grads, m.nparams * sizeof *g1);
    mm_model_forward(&m, &a, X, Y, B, 1);
    mm_model_backward(&m, &a, X, B, 1);
    int doubled = 1;
    for (size_t i = 0; i < m.nparams; i++) doubled &= fabsf(m.grads[i] - 2 * g1[i]) <= 1e-6f * (1 + fabsf(g1[i]));
    CHECK(doubled, "backward accumulates into the gradients");

    /* a whole-split loss equals the mean of batch losses */
    mm_split s = {.n = B, .T = T, .X = X, .Y = Y, .ny = 1, .ntargets = B};
    double split_loss;
    mm_err err;
    CHECK(mm_model_split_loss(&m, &s, 2, &split_loss, &err) == MM_OK && fabs(split_loss - got) < 1e-6,
          "split loss %.8f equals the batch loss %.8f", split_loss, got);

    /* huge logits stay finite: the softmax is shifted by its max */
    float *b2 = mm_model_param(&m, 4);
    for (size_t i = 0; i < m.tensors[4].size; i++) b2[i] = 1e30f * (float)(i % 2);
    double big = mm_model_forward(&m, &a, X, Y, B, 1);
    CHECK(isfinite(big), "loss with logits of 1e30 is finite (%g)", big);
    free(g1);
    free(p);
    mm_acts_free(&a);
    mm_model_free(&m);
    return CHECK_DONE();
}
