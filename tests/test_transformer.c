/* The transformer kind and its kernels (LayerNorm, tanh GELU, fused causal
 * attention) against plain double-precision references written here from
 * makemore.py's definitions; the whole model's hand-written backward pass
 * against central finite differences of that reference (double, h = 1e-5;
 * the tolerance, 1e-5 of the largest gradient, is set by the float32
 * analytic gradient); makemore.py's parameter count; and bit-identical
 * results on 1 and 2 threads. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "check.h"
#include "gelu.h"
#include "kind.h"
#include "layernorm.h"
#include "model.h"

#define GELU_C 0.7978845608028654

static double urand(mm_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * mm_rng_uniform(r);
}

static void rand_fill(float *x, long n, mm_rng *r, double lo, double hi)
{
    for (long i = 0; i < n; i++) x[i] = (float)urand(r, lo, hi);
}

static double max_rel(const float *got, const double *want, long n)
{
    double err = 0, big = 0;
    for (long i = 0; i < n; i++) {
        err = fmax(err, fabs(got[i] - want[i]));
        big = fmax(big, fabs(want[i]));
    }
    return big > 0 ? err / big : err;
}

/* ---- plain references, double precision ---------------------------------- */

static void ref_layernorm(double *out, const double *x, const double *w, const double *b, int N, int E)
{
    for (int n = 0; n < N; n++) {
        const double *r = x + (long)n * E;
        double mean = 0, var = 0;
        for (int e = 0; e < E; e++) mean += r[e] / E;
        for (int e = 0; e < E; e++) var += (r[e] - mean) * (r[e] - mean) / E;
        for (int e = 0; e < E; e++) out[n * E + e] = (r[e] - mean) / sqrt(var + 1e-5) * w[e] + b[e];
    }
}

static double ref_gelu(double x)
{
    return 0.5 * x * (1.0 + tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

/* y (B*T, E) from qkv (B*T, 3E): causal softmax attention, NH heads */
static void ref_attention(double *y, const double *qkv, int B, int T, int E, int NH)
{
    const int HS = E / NH;
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++)
            for (int i = 0; i < T; i++) {
                const double *q = qkv + (long)(b * T + i) * 3 * E + h * HS;
                double s[1024], mx = -INFINITY, z = 0;
                for (int j = 0; j <= i; j++) {
                    const double *k = qkv + (long)(b * T + j) * 3 * E + E + h * HS;
                    s[j] = 0;
                    for (int d = 0; d < HS; d++) s[j] += q[d] * k[d];
                    s[j] /= sqrt((double)HS);
                    mx = fmax(mx, s[j]);
                }
                for (int j = 0; j <= i; j++) z += exp(s[j] - mx);
                for (int d = 0; d < HS; d++) {
                    double acc = 0;
                    for (int j = 0; j <= i; j++)
                        acc += exp(s[j] - mx) / z * qkv[(long)(b * T + j) * 3 * E + 2 * E + h * HS + d];
                    y[(long)(b * T + i) * E + h * HS + d] = acc;
                }
            }
}

/* out (N, J) = in (N, K) @ W (K, J) + bias (J, or NULL) */
static void ref_linear(double *out, const double *in, const double *W, const double *bias, int N, int K, int J)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < J; j++) {
            double s = bias ? bias[j] : 0;
            for (int k = 0; k < K; k++) s += in[(long)n * K + k] * W[(long)k * J + j];
            out[(long)n * J + j] = s;
        }
}

/* ---- the kernels ---------------------------------------------------------- */

static void check_layernorm(int N, int E, mm_rng *r)
{
    float *x = malloc(sizeof(float) * N * E * 4), *out = x + N * E, *dout = out + N * E, *dx = dout + N * E;
    float w[256], b[256], dw[256] = {0}, db[256] = {0}, mean[64], rstd[64];
    double *xd = malloc(sizeof(double) * N * E * 2), *want = xd + N * E, wd[256], bd[256];
    rand_fill(x, (long)N * E, r, -2, 3);
    rand_fill(w, E, r, 0.5, 1.5);
    rand_fill(b, E, r, -0.5, 0.5);
    rand_fill(dout, (long)N * E, r, -1, 1);
    for (int i = 0; i < N * E; i++) xd[i] = x[i];
    for (int e = 0; e < E; e++) wd[e] = w[e], bd[e] = b[e];
    mm_layernorm_forward(out, mean, rstd, x, w, b, N, E, 1);
    ref_layernorm(want, xd, wd, bd, N, E);
    double e1 = max_rel(out, want, (long)N * E);
    CHECK(e1 < 1e-5, "layernorm forward (N %d, E %d) vs double: max rel diff %.1e (tolerance 1e-5)", N, E, e1);

    /* backward against central differences of sum(dout * layernorm(x)) */
    for (int i = 0; i < N * E; i++) dx[i] = 0.5f; /* it accumulates: start off zero */
    mm_layernorm_backward(dx, dw, db, dout, x, mean, rstd, w, N, E, 1);
    double *fd = malloc(sizeof(double) * (N * E + 2 * E)), h = 1e-5;
    double *ys = malloc(sizeof(double) * N * E);
    for (int i = 0; i < N * E + 2 * E; i++) {
        double *p = i < N * E ? xd + i : i < N * E + E ? wd + i - N * E : bd + i - N * E - E;
        double keep = *p, sp = 0, sm = 0;
        *p = keep + h;
        ref_layernorm(ys, xd, wd, bd, N, E);
        for (int k = 0; k < N * E; k++) sp += dout[k] * ys[k];
        *p = keep - h;
        ref_layernorm(ys, xd, wd, bd, N, E);
        for (int k = 0; k < N * E; k++) sm += dout[k] * ys[k];
        *p = keep;
        fd[i] = (sp - sm) / (2 * h);
    }
    for (int i = 0; i < N * E; i++) dx[i] -= 0.5f;
    double ex = max_rel(dx, fd, (long)N * E), ew = max_rel(dw, fd + N * E, E), eb = max_rel(db, fd + N * E + E, E);
    CHECK(ex < 1e-4 && ew < 1e-5 && eb < 1e-5,
          "layernorm backward (N %d, E %d) vs central differences: dx %.1e, dw %.1e, db %.1e (tolerance 1e-4, 1e-5)",
          N, E, ex, ew, eb);
    free(ys);
    free(fd);
    free(xd);
    free(x);
}

static void check_gelu(mm_rng *r)
{
    enum { n = 203 }; /* not a multiple of 8: the vector path's tail */
    float x[n], y[n], d[n], dx[n];
    double want[n], dwant[n];
    rand_fill(x, n, r, -6, 6);
    x[0] = 0.0f, x[1] = -12.0f, x[2] = 12.0f;
    rand_fill(d, n, r, -1, 1);
    for (int i = 0; i < n; i++) {
        want[i] = ref_gelu(x[i]);
        const double h = 1e-6;
        dwant[i] = d[i] * (ref_gelu(x[i] + h) - ref_gelu(x[i] - h)) / (2 * h);
    }
    mm_gelu_forward(y, x, n, 1);
    mm_gelu_backward(dx, d, x, n, 1);
    double ey = 0, ed = 0;
    for (int i = 0; i < n; i++) {
        /* (1 + tanh) cancels for x < 0: tanh's few ulp there weigh x/2 */
        ey = fmax(ey, fabs(y[i] - want[i]) / (1e-5 * fabs(want[i]) + 1e-6 * fabs(x[i]) + 1e-30));
        ed = fmax(ed, fabs(dx[i] - dwant[i]));
    }
    CHECK(ey < 1, "gelu forward vs double tanh formula: max |diff| is %.2f of the tolerance 1e-5 |gelu(x)| + 1e-6 |x|",
          ey);
    CHECK(ed < 1e-5, "gelu backward vs central differences: max |diff| %.1e (tolerance 1e-5)", ed);
}

static void check_attention(int B, int T, int E, int NH, mm_rng *r)
{
    const long n3 = (long)B * T * 3 * E, ny = (long)B * T * E;
    float *qkv = malloc(sizeof(float) * (n3 * 2 + ny * 2 + (long)B * NH * T * T + mm_attention_scratch(B, T, E, NH)));
    float *dqkv = qkv + n3, *y = dqkv + n3, *g = y + ny, *att = g + ny, *scratch = att + (long)B * NH * T * T;
    double *qd = malloc(sizeof(double) * (n3 * 2 + ny)), *fd = qd + n3, *yd = fd + n3;
    rand_fill(qkv, n3, r, -2, 2);
    rand_fill(g, ny, r, -1, 1);
    for (long i = 0; i < n3; i++) qd[i] = qkv[i];
    mm_attention_forward(y, att, scratch, qkv, B, T, E, NH, 1);
    ref_attention(yd, qd, B, T, E, NH);
    double ey = max_rel(y, yd, ny);
    CHECK(ey < 1e-5, "attention forward (B %d, T %d, E %d, %d heads) vs double: max rel diff %.1e (tolerance 1e-5)",
          B, T, E, NH, ey);
    double above = 0;
    for (int p = 0; p < B * NH; p++)
        for (int i = 0; i < T; i++)
            for (int j = i + 1; j < T; j++) above = fmax(above, fabs(att[((long)p * T + i) * T + j]));
    CHECK(above == 0, "attention: probabilities above the diagonal are 0 (max %g)", above);

    mm_attention_backward(dqkv, scratch, g, att, qkv, B, T, E, NH, 1);
    const double h = 1e-5;
    for (long i = 0; i < n3; i++) {
        double keep = qd[i], sp = 0, sm = 0;
        qd[i] = keep + h;
        ref_attention(yd, qd, B, T, E, NH);
        for (long k = 0; k < ny; k++) sp += g[k] * yd[k];
        qd[i] = keep - h;
        ref_attention(yd, qd, B, T, E, NH);
        for (long k = 0; k < ny; k++) sm += g[k] * yd[k];
        qd[i] = keep;
        fd[i] = (sp - sm) / (2 * h);
    }
    double ed = max_rel(dqkv, fd, n3);
    CHECK(ed < 1e-5, "attention backward (B %d, T %d, E %d, %d heads) vs central differences: max rel diff %.1e "
          "(tolerance 1e-5)", B, T, E, NH, ed);
    free(qd);
    free(qkv);
}

/* ---- the whole model ------------------------------------------------------ */

static const double *P(const mm_model *m, const double *p, const char *fmt, int l)
{
    char name[MM_TENSOR_NAME];
    snprintf(name, sizeof name, fmt, l);
    const mm_tensor *t = mm_model_tensor(m, name);
    if (!t) {
        printf("not ok - no tensor %s\n", name);
        exit(1);
    }
    return p + t->offset;
}

/* makemore.py's Transformer.forward with its cross-entropy (ignore_index
 * -1), in double; logits (B*T, V) if non-NULL receives the logits. */
static double ref_model(const mm_model *m, const double *p, const int32_t *X, const int32_t *Y, int B,
                        double *logits)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, V = c->vocab_size, N = B * T;
    double *x = calloc((size_t)N * 16 * E, sizeof(double)), *ln = x + N * E, *qkv = ln + N * E;
    double *y = qkv + 3 * N * E, *fc = y + N * E, *lg = fc + 4 * N * E;
    const double *wte = P(m, p, "transformer.wte.weight", 0), *wpe = P(m, p, "transformer.wpe.weight", 0);
    for (int i = 0; i < N; i++)
        for (int e = 0; e < E; e++) x[i * E + e] = wte[X[i] * E + e] + wpe[(i % T) * E + e];
    for (int l = 0; l < c->n_layers; l++) {
        ref_layernorm(ln, x, P(m, p, "transformer.h.%d.ln_1.weight", l), P(m, p, "transformer.h.%d.ln_1.bias", l), N, E);
        ref_linear(qkv, ln, P(m, p, "transformer.h.%d.attn.c_attn.weight", l),
                   P(m, p, "transformer.h.%d.attn.c_attn.bias", l), N, E, 3 * E);
        ref_attention(y, qkv, B, T, E, c->n_heads);
        ref_linear(ln, y, P(m, p, "transformer.h.%d.attn.c_proj.weight", l),
                   P(m, p, "transformer.h.%d.attn.c_proj.bias", l), N, E, E);
        for (int i = 0; i < N * E; i++) x[i] += ln[i];
        ref_layernorm(ln, x, P(m, p, "transformer.h.%d.ln_2.weight", l), P(m, p, "transformer.h.%d.ln_2.bias", l), N, E);
        ref_linear(fc, ln, P(m, p, "transformer.h.%d.mlp.c_fc.weight", l), P(m, p, "transformer.h.%d.mlp.c_fc.bias", l),
                   N, E, 4 * E);
        for (int i = 0; i < N * 4 * E; i++) fc[i] = ref_gelu(fc[i]);
        ref_linear(ln, fc, P(m, p, "transformer.h.%d.mlp.c_proj.weight", l),
                   P(m, p, "transformer.h.%d.mlp.c_proj.bias", l), N, 4 * E, E);
        for (int i = 0; i < N * E; i++) x[i] += ln[i];
    }
    ref_layernorm(ln, x, P(m, p, "transformer.ln_f.weight", 0), P(m, p, "transformer.ln_f.bias", 0), N, E);
    ref_linear(lg, ln, P(m, p, "lm_head.weight", 0), NULL, N, E, V);
    double total = 0;
    int count = 0;
    for (int i = 0; i < N; i++) {
        if (logits)
            for (int v = 0; v < V; v++) logits[i * V + v] = lg[i * V + v];
        if (Y[i] < 0) continue;
        double mx = -INFINITY, z = 0;
        for (int v = 0; v < V; v++) mx = fmax(mx, lg[i * V + v]);
        for (int v = 0; v < V; v++) z += exp(lg[i * V + v] - mx);
        total += log(z) + mx - lg[i * V + Y[i]];
        count++;
    }
    free(x);
    return total / count;
}

static void build(mm_model *m, mm_acts *a, const mm_config *c, int B, mm_rng *r)
{
    mm_err err;
    if (mm_model_build(m, c, &err) || mm_acts_build(a, c, B, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    mm_model_init(m, MM_INIT_TORCH, r);
}

/* Items of random lengths as the sequence layout makes them: X = start 0,
 * ids, 0 padding; Y = ids, stop 0, then -1. */
static void make_batch(int32_t *X, int32_t *Y, int B, int T, int V, mm_rng *r)
{
    for (int b = 0; b < B; b++) {
        const int len = b == 0 ? T - 2 : (int)(mm_rng_u32(r) % (unsigned)T); /* item 0 leaves 1 ignored target */
        for (int t = 0; t < T; t++) {
            const int32_t id = (int32_t)(1 + mm_rng_u32(r) % (unsigned)(V - 1));
            X[b * T + t] = t == 0 ? 0 : t <= len ? Y[b * T + t - 1] : 0;
            Y[b * T + t] = t < len ? id : t == len ? 0 : -1;
        }
    }
}

static void check_gradients(mm_rng *r)
{
    enum { B = 2 };
    const mm_config c = {.vocab_size = 7, .block_size = 4, .n_embd = 8, .n_hidden = 8, .kind = MM_MODEL_TRANSFORMER,
                         .n_layers = 2, .n_heads = 2};
    mm_model m;
    mm_acts a;
    build(&m, &a, &c, B, r);
    /* LayerNorm weights and biases away from 1 and 0 */
    for (int t = 0; t < m.ntensors; t++)
        if (strstr(m.tensors[t].name, "ln_"))
            for (size_t i = 0; i < m.tensors[t].size; i++) m.params[m.tensors[t].offset + i] += (float)urand(r, -0.4, 0.4);
    int32_t X[B * 4], Y[B * 4];
    make_batch(X, Y, B, 4, 7, r);
    int ignored = 0;
    for (int i = 0; i < B * 4; i++) ignored += Y[i] < 0;
    double *p = malloc(m.nparams * sizeof *p), lref[B * 4 * 7];
    for (size_t i = 0; i < m.nparams; i++) p[i] = m.params[i];
    const double want = ref_model(&m, p, X, Y, B, lref);
    mm_model_logits(&m, &a, X, B, 1);
    double el = max_rel(a.logits, lref, B * 4 * 7);
    CHECK(el < 1e-5, "logits vs the double reference: max rel diff %.1e (tolerance 1e-5)", el);
    mm_model_zero_grad(&m);
    const double got = mm_model_forward(&m, &a, X, Y, B, 1);
    mm_model_backward(&m, &a, X, B, 1);
    CHECK(fabs(got - want) < 1e-5 * want, "training loss %.8f matches the double reference %.8f (%d ignored targets)",
          got, want, ignored);
    double maxerr = 0, maxg = 0, buf = 0;
    const double h = 1e-5;
    for (int t = 0; t < m.ntensors; t++) {
        const mm_tensor *tn = &m.tensors[t];
        for (size_t k = 0; k < tn->size; k++) {
            const size_t i = tn->offset + k;
            if (tn->buffer) {
                buf = fmax(buf, fabs(m.grads[i]));
                continue;
            }
            const double keep = p[i];
            p[i] = keep + h;
            const double lp = ref_model(&m, p, X, Y, B, NULL);
            p[i] = keep - h;
            const double lm = ref_model(&m, p, X, Y, B, NULL);
            p[i] = keep;
            const double fd = (lp - lm) / (2 * h);
            maxerr = fmax(maxerr, fabs(fd - m.grads[i]));
            maxg = fmax(maxg, fabs(fd));
        }
    }
    CHECK(maxerr < 1e-5 * maxg, "gradient of every parameter vs central differences: max |diff| %.2e, %.2e of max "
          "|grad| %.3g (tolerance 1e-5)", maxerr, maxerr / maxg, maxg);
    CHECK(buf == 0, "the attention masks (buffers) get no gradient");
    mm_split split = {.n = B, .T = 4, .X = X, .Y = Y, .ny = 4, .ntargets = (size_t)(B * 4 - ignored)};
    double eval1 = NAN, eval2 = NAN;
    mm_err err;
    const int st = mm_model_split_loss(&m, &split, 1, &eval1, &err) | mm_model_split_loss(&m, &split, 2, &eval2, &err);
    CHECK(!st && fabs(eval1 - want) < 1e-5 * want && eval1 == eval2,
          "split loss %.8f (1 thread), %.8f (2): the reference's %.8f", eval1, eval2, want);
    free(p);
    mm_acts_free(&a);
    mm_model_free(&m);
}

static void check_layout(void)
{
    const mm_config c = {.vocab_size = 27, .block_size = 16, .n_embd = 64, .n_hidden = 64,
                         .kind = MM_MODEL_TRANSFORMER, .n_layers = 4, .n_heads = 4};
    mm_model m;
    mm_err err;
    if (mm_model_build(&m, &c, &err)) {
        CHECK(0, "build makemore.py's default transformer: %s", err.msg);
        return;
    }
    CHECK(m.ntrainable == 204544, "makemore.py's default transformer has %zu trainable parameters (torch: 204,544)",
          m.ntrainable);
    const mm_tensor *mask = mm_model_tensor(&m, "transformer.h.3.attn.bias");
    CHECK(mask && mask->buffer && mask->ndim == 4 && mask->shape[0] == 1 && mask->shape[1] == 1 &&
              mask->shape[2] == 16 && mask->shape[3] == 16,
          "transformer.h.3.attn.bias is a (1, 1, 16, 16) buffer");
    const mm_tensor *head = mm_model_tensor(&m, "lm_head.weight");
    CHECK(head && head->transposed && head->shape[0] == 64 && head->shape[1] == 27 &&
              !mm_model_tensor(&m, "lm_head.bias"),
          "lm_head.weight is stored (64, 27), transposed, and there is no lm_head.bias");
    int decay = 1;
    for (int t = 0; t < m.ntensors; t++) decay &= m.tensors[t].buffer || m.tensors[t].decay;
    CHECK(decay, "weight decay applies to every trainable tensor, as makemore.py's AdamW");
    mm_rng r;
    mm_rng_seed_torch(&r, 1);
    mm_model_init(&m, MM_INIT_TORCH, &r);
    const float *tril = m.params + mask->offset;
    int ok = 1;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 16; j++) ok &= tril[i * 16 + j] == (j <= i ? 1.0f : 0.0f);
    CHECK(ok, "init writes the lower-triangular mask");
    mm_model_free(&m);
    mm_config bad = c;
    bad.n_heads = 5;
    CHECK(mm_model_build(&m, &bad, &err) != MM_OK && strstr(err.msg, "--n-head"),
          "n_embd 64 with 5 heads is refused: %s", err.msg);
}

/* Training forward and backward on 1, 2 and 3 threads, at shapes where the
 * step splits its items between threads (transformer.c): the loss and
 * every gradient equal to the bit. The second shape splits 37 items
 * unevenly, with rows of 4E = 132 GELU inputs, so a thread's elements end
 * off a multiple of 8 (the vector tail). */
static void check_threads(mm_rng *r, int B, int T, int E, int L, int NH)
{
    const mm_config c = {.vocab_size = 27, .block_size = T, .n_embd = E, .n_hidden = E,
                         .kind = MM_MODEL_TRANSFORMER, .n_layers = L, .n_heads = NH};
    mm_model m;
    mm_acts a;
    build(&m, &a, &c, B, r);
    int32_t *X = malloc(sizeof(int32_t) * 2 * B * T), *Y = X + B * T;
    make_batch(X, Y, B, T, 27, r);
    float *g1 = malloc(m.nparams * sizeof *g1);
    double loss[3];
    int same = 1;
    for (int k = 0; k < 3; k++) {
        mm_model_zero_grad(&m);
        loss[k] = mm_model_forward(&m, &a, X, Y, B, k + 1);
        mm_model_backward(&m, &a, X, B, k + 1);
        if (k == 0) memcpy(g1, m.grads, m.nparams * sizeof *g1);
        else same &= loss[k] == loss[0] && !memcmp(g1, m.grads, m.nparams * sizeof *g1);
    }
    CHECK(same, "B %d T %d E %d L %d heads %d, 1, 2 and 3 threads: the same loss (%.9g, %.9g, %.9g) and "
          "gradients, to the bit", B, T, E, L, NH, loss[0], loss[1], loss[2]);
    free(g1);
    free(X);
    mm_acts_free(&a);
    mm_model_free(&m);
}

/* The kernels at sizes where they split between threads: 1 and 2 threads
 * give the same bits. */
static void check_kernel_threads(mm_rng *r)
{
    enum { N = 2048, E = 64, B = 64, T = 16, NH = 4 };
    const long big = (long)N * 4 * E + 5; /* gelu: a tail too */
    float *x = malloc(sizeof(float) * (big * 6 + 2L * B * NH * T * T + mm_attention_scratch(B, T, E, NH)));
    float *y[2] = {x + big, x + 2 * big}, *d = x + 3 * big, *g[2] = {x + 4 * big, x + 5 * big};
    float *att[2] = {x + 6 * big, x + 6 * big + (long)B * NH * T * T}, *scratch = att[1] + (long)B * NH * T * T;
    float w[E], b[E], st[2][2 * N], dw[2][2 * E];
    rand_fill(x, big, r, -3, 3);
    rand_fill(d, big, r, -1, 1);
    rand_fill(w, E, r, 0.5, 1.5);
    rand_fill(b, E, r, -0.5, 0.5);
    int same = 1;
    for (int k = 0; k < 2; k++) {
        memset(g[k], 0, sizeof(float) * N * E);
        memset(dw[k], 0, sizeof dw[k]);
        mm_layernorm_forward(y[k], st[k], st[k] + N, x, w, b, N, E, k + 1);
        mm_layernorm_backward(g[k], dw[k], dw[k] + E, d, x, st[k], st[k] + N, w, N, E, k + 1);
    }
    same &= !memcmp(y[0], y[1], sizeof(float) * N * E) && !memcmp(g[0], g[1], sizeof(float) * N * E) &&
            !memcmp(dw[0], dw[1], sizeof dw[0]);
    CHECK(same, "layernorm forward and backward (N %d, E %d): 1 and 2 threads to the bit", N, E);
    for (int k = 0; k < 2; k++) {
        mm_gelu_forward(y[k], x, big, k + 1);
        mm_gelu_backward(g[k], d, x, big, k + 1);
    }
    CHECK(!memcmp(y[0], y[1], sizeof(float) * big) && !memcmp(g[0], g[1], sizeof(float) * big),
          "gelu forward and backward (%ld elements): 1 and 2 threads to the bit", big);
    for (int k = 0; k < 2; k++) {
        mm_attention_forward(y[k], att[k], scratch, x, B, T, E, NH, k + 1);
        mm_attention_backward(g[k], scratch, d, att[k], x, B, T, E, NH, k + 1);
    }
    CHECK(!memcmp(y[0], y[1], sizeof(float) * B * T * E) && !memcmp(att[0], att[1], sizeof(float) * B * NH * T * T) &&
              !memcmp(g[0], g[1], sizeof(float) * B * T * 3 * E),
          "attention forward and backward (B %d, T %d, E %d, %d heads): 1 and 2 threads to the bit", B, T, E, NH);
    free(x);
}

int main(void)
{
    PLAN(28);
    mm_rng r;
    mm_rng_seed_torch(&r, 42);
    check_layernorm(5, 13, &r);
    check_layernorm(7, 64, &r);
    check_gelu(&r);
    check_attention(2, 5, 12, 3, &r);
    check_attention(1, 16, 16, 2, &r);
    check_gradients(&r);
    check_layout();
    check_threads(&r, 32, 16, 64, 2, 4);
    check_threads(&r, 37, 7, 33, 2, 3);
    check_kernel_threads(&r);
    return CHECK_DONE();
}
