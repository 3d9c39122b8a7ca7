#include "transformer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "attention.h"
#include "gelu.h"
#include "kernels.h"
#include "layernorm.h"
#include "seqkinds.h"
#include "seqloss.h"

#define MAX_LAYERS 16

/* Tensor indices: wte, wpe, PER_BLOCK for each block, then ln_f and lm_head. */
enum {
    T_WTE = 0, T_WPE = 1, T_BLOCK0 = 2,
    LN1_W = 0, LN1_B, MASK, QKV_W, QKV_B, PROJ_W, PROJ_B, LN2_W, LN2_B, FC_W, FC_B, FC2_W, FC2_B,
    PER_BLOCK
};
static int t_block(int l, int which) { return T_BLOCK0 + PER_BLOCK * l + which; }
static int t_lnf(int L) { return T_BLOCK0 + PER_BLOCK * L; } /* weight, bias, then lm_head */

/* One block's parameters (or their gradients): pointers into one array. */
typedef struct {
    float *ln1_w, *ln1_b; /* (E) */
    float *qkv_w;         /* (E, 3E) */
    float *qkv_b;         /* (3E) */
    float *proj_w;        /* (E, E) */
    float *proj_b;        /* (E) */
    float *ln2_w, *ln2_b; /* (E) */
    float *fc_w;          /* (E, 4E) */
    float *fc_b;          /* (4E) */
    float *fc2_w;         /* (4E, E) */
    float *fc2_b;         /* (E) */
} block_w;

static block_w block_at(const mm_model *m, float *base, int l)
{
    float *p[PER_BLOCK];
    for (int i = 0; i < PER_BLOCK; i++) p[i] = base + m->tensors[t_block(l, i)].offset;
    block_w w = {p[LN1_W], p[LN1_B], p[QKV_W], p[QKV_B], p[PROJ_W], p[PROJ_B],
                 p[LN2_W], p[LN2_B], p[FC_W], p[FC_B], p[FC2_W], p[FC2_B]};
    return w;
}

static float *tensor_at(const mm_model *m, float *base, int t)
{
    return base + m->tensors[t].offset;
}

/* Activations; N = B*T rows at most, layer l's slice of a per-layer array
 * starts at l times its per-layer size. */
typedef struct {
    int B;            /* examples there is room for */
    float *res;       /* (L+1, N, E) block l's input; res[L] is ln_f's */
    float *mid;       /* (L, N, E) after attention's residual add */
    float *ln1, *ln2; /* (L, N, E) */
    float *st1, *st2; /* (L, 2, N) LayerNorm mean, then rstd */
    float *qkv;       /* (L, N, 3E) */
    float *att;       /* (L, B, NH, T, T) softmax probabilities */
    float *atty;      /* (L, N, E) heads side by side */
    float *fc, *act;  /* (L, N, 4E) before and after GELU */
    float *lnf;       /* (N, E) */
    float *stf;       /* (2, N) */
    float *tmp;       /* (N, E) projection outputs; in backward, input gradients */
    float *dres;      /* (L+1, N, E) gradient of block l's input; dres[L] of ln_f's */
    /* Gradients a block's weight gradients read, two layers' worth: layer
     * l's in slot l % 2, so that layer l-1's rows can be computed while
     * layer l's weight gradients are summed (blocks_backward). */
    float *dmid;      /* (2, N, E) after attention's residual add */
    float *dln1, *dln2; /* (2, N, E) LayerNorm outputs' */
    float *dqkv;      /* (2, N, 3E) */
    float *dfc;       /* (2, N, 4E) c_fc's output, after GELU's backward */
    float *wts;       /* (L, 12 E^2) each block's weights transposed (block_wt) */
    float *scratch;   /* mm_attention_scratch(B, T, E, NH) */
    float *wt;        /* (4E * max(E, V)) a weight transposed, for input gradients */
    float *logits;    /* (N, V) */
    float *mem;       /* the one allocation the pointers above share */
} tfm_acts;

static mm_status check(const mm_config *c, mm_err *err)
{
    if (c->n_layers < 1 || c->n_layers > MAX_LAYERS)
        return mm_fail(err, MM_EINVAL, "--n-layers %d is outside 1..%d", c->n_layers, MAX_LAYERS);
    if (c->n_heads < 1 || c->n_heads > c->n_embd)
        return mm_fail(err, MM_EINVAL, "--n-head %d is outside 1..%d (--n-embd)", c->n_heads, c->n_embd);
    if (c->n_embd % c->n_heads)
        return mm_fail(err, MM_EINVAL, "--n-embd %d does not divide into %d heads (--n-head)", c->n_embd,
                       c->n_heads);
    return MM_OK;
}

static void add_linear(mm_model *m, const char *prefix, int in, int out, int bias)
{
    char name[MM_TENSOR_NAME];
    snprintf(name, sizeof name, "%s.weight", prefix);
    mm_tensor *t = mm_model_add_tensor(m, name, 2, (int[]){in, out}, 1, 0);
    if (t) t->transposed = 1;
    if (!bias) return;
    snprintf(name, sizeof name, "%s.bias", prefix);
    mm_model_add_tensor(m, name, 1, (int[]){out}, 1, 0);
}

static void add_layernorm(mm_model *m, const char *prefix, int E)
{
    char name[MM_TENSOR_NAME];
    snprintf(name, sizeof name, "%s.weight", prefix);
    mm_model_add_tensor(m, name, 1, &E, 1, 0);
    snprintf(name, sizeof name, "%s.bias", prefix);
    mm_model_add_tensor(m, name, 1, &E, 1, 0);
}

static void layout_tensors(mm_model *m)
{
    const mm_config *c = &m->cfg;
    const int V = c->vocab_size, T = c->block_size, E = c->n_embd;
    char p[48]; /* the longest, transformer.h.15.mlp.c_proj, has 27 */
    m->embedding = m->ntensors;
    mm_model_add_tensor(m, "transformer.wte.weight", 2, (int[]){V, E}, 1, 0);
    mm_model_add_tensor(m, "transformer.wpe.weight", 2, (int[]){T, E}, 1, 0);
    for (int l = 0; l < c->n_layers; l++) {
        snprintf(p, sizeof p, "transformer.h.%d.ln_1", l);
        add_layernorm(m, p, E);
        snprintf(p, sizeof p, "transformer.h.%d.attn.bias", l);
        mm_model_add_tensor(m, p, 4, (int[]){1, 1, T, T}, 0, 1);
        snprintf(p, sizeof p, "transformer.h.%d.attn.c_attn", l);
        add_linear(m, p, E, 3 * E, 1);
        snprintf(p, sizeof p, "transformer.h.%d.attn.c_proj", l);
        add_linear(m, p, E, E, 1);
        snprintf(p, sizeof p, "transformer.h.%d.ln_2", l);
        add_layernorm(m, p, E);
        snprintf(p, sizeof p, "transformer.h.%d.mlp.c_fc", l);
        add_linear(m, p, E, 4 * E, 1);
        snprintf(p, sizeof p, "transformer.h.%d.mlp.c_proj", l);
        add_linear(m, p, 4 * E, E, 1);
    }
    add_layernorm(m, "transformer.ln_f", E);
    add_linear(m, "lm_head", E, V, 0);
}

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++) x[i] = v;
}

/* The distributions torch gives makemore.py's modules (it adds no init of
 * its own): embeddings N(0, 1), Linear layers uniform by fan-in (weight,
 * then its bias, as mm_seq_init_linear draws them), LayerNorm weight 1 and
 * bias 0; drawn in params order, which is torch's construction order. */
static void init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    const int T = m->cfg.block_size;
    for (int t = 0; t < m->ntensors; t++) {
        const mm_tensor *tn = &m->tensors[t];
        float *x = m->params + tn->offset;
        const char *leaf = strrchr(tn->name, '.') + 1;
        if (t <= T_WPE) {
            mm_rng_randn_torch(rng, x, tn->size);
        } else if (tn->buffer) {
            for (int i = 0; i < T; i++)
                for (int j = 0; j < T; j++) x[i * T + j] = j <= i ? 1.0f : 0.0f;
        } else if (strstr(tn->name, ".ln_")) {
            fill(x, tn->size, strcmp(leaf, "weight") ? 0.0f : 1.0f);
        } else if (tn->transposed) { /* a Linear: its bias, if it has one, comes next */
            const mm_tensor *next = t + 1 < m->ntensors ? &m->tensors[t + 1] : NULL;
            const size_t stem = strlen(tn->name) - strlen("weight");
            const int bias = next && !strncmp(next->name, tn->name, stem) && !strcmp(next->name + stem, "bias");
            mm_seq_init_linear(rng, x, bias ? m->params + next->offset : NULL, tn->shape[0], tn->shape[1]);
            t += bias;
        }
    }
}

static size_t acts_floats(const mm_config *c, int B, size_t *parts)
{
    const size_t N = (size_t)B * c->block_size, E = (size_t)c->n_embd, L = (size_t)c->n_layers;
    const size_t T = (size_t)c->block_size, NH = (size_t)c->n_heads, V = (size_t)c->vocab_size;
    const size_t sizes[] = {
        (L + 1) * N * E, L * N * E, L * N * E, L * N * E, L * 2 * N, L * 2 * N, L * N * 3 * E,
        L * B * NH * T * T, L * N * E, L * N * 4 * E, L * N * 4 * E, N * E, 2 * N, N * E, (L + 1) * N * E,
        2 * N * E, 2 * N * E, 2 * N * E, 2 * N * 3 * E, 2 * N * 4 * E, L * 12 * E * E,
        (size_t)mm_attention_scratch(B, c->block_size, c->n_embd, c->n_heads), 4 * E * (E > V ? E : V), N * V};
    size_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        if (parts) parts[i] = sizes[i];
        total += sizes[i];
    }
    return total;
}

static uint64_t acts_bytes(const mm_config *c, int B)
{
    return (uint64_t)acts_floats(c, B, NULL) * sizeof(float) + sizeof(tfm_acts);
}

static mm_status acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    size_t parts[32];
    const size_t total = acts_floats(c, B, parts);
    tfm_acts *t = calloc(1, sizeof *t);
    float *mem = t ? malloc(total * sizeof *mem) : NULL;
    if (!mem) {
        free(t);
        return mm_fail(err, MM_ENOMEM, "out of memory for activations of batch %d", B);
    }
    float **ptr[] = {&t->res, &t->mid, &t->ln1, &t->ln2, &t->st1, &t->st2, &t->qkv, &t->att,
                     &t->atty, &t->fc, &t->act, &t->lnf, &t->stf, &t->tmp, &t->dres, &t->dmid,
                     &t->dln1, &t->dln2, &t->dqkv, &t->dfc, &t->wts, &t->scratch, &t->wt, &t->logits};
    float *p = mem;
    for (size_t i = 0; i < sizeof ptr / sizeof *ptr; i++) {
        *ptr[i] = p;
        p += parts[i];
    }
    t->B = B;
    t->mem = mem;
    a->B = B;
    a->rows = c->block_size;
    a->logits = t->logits;
    a->kind_acts = t;
    return MM_OK;
}

static void acts_free(mm_acts *a)
{
    tfm_acts *t = a->kind_acts;
    if (t) free(t->mem);
    free(t);
    a->kind_acts = NULL;
    a->logits = NULL;
}

/* x (B*T, E) = wte[X] + wpe[position] */
static void embed(float *x, const float *wte, const float *wpe, const int32_t *X, int B, int T, int E)
{
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const long r = (long)b * T + t;
            const float *tok = wte + (long)X[r] * E, *pos = wpe + (long)t * E;
            for (int e = 0; e < E; e++) x[r * E + e] = tok[e] + pos[e];
        }
}

static void add(float *out, const float *x, const float *y, long n)
{
    for (long i = 0; i < n; i++) out[i] = x[i] + y[i];
}

/* Threads and the items each takes: the whole step's work is split by
 * items (B of them), not kernel by kernel, so a thread runs its items
 * through every block with no barrier; below a few hundred thousand
 * multiply-adds a thread, one does it all. */
static int step_threads(const mm_config *c, int B, int nthreads)
{
    const long E = c->n_embd, T = c->block_size;
    const int nt = mm_kernel_threads((long)B * T * 12 * E * E * c->n_layers, nthreads);
    return nt < B ? nt : B;
}

/* This thread's number and the team's size (1 outside a team). */
static void team(int *id, int *n)
{
#ifdef _OPENMP
    *id = omp_get_thread_num();
    *n = omp_get_num_threads();
#else
    *id = 0;
    *n = 1;
#endif
}

/* Layer l's slices of the activations, at row r0. */
typedef struct {
    float *x, *mid, *ln1, *ln2, *qkv, *atty, *fc, *act, *att, *st1, *st2;
} layer_acts;

static layer_acts layer_at(const tfm_acts *t, const mm_config *c, int l, int N, long r0, int b0)
{
    const int T = c->block_size, E = c->n_embd, NH = c->n_heads;
    const long NE = (long)t->B * T * E, NS = 2L * t->B * T, row = r0 * E;
    (void)N;
    layer_acts a = {t->res + l * NE + row, t->mid + l * NE + row, t->ln1 + l * NE + row, t->ln2 + l * NE + row,
                    t->qkv + 3 * (l * NE + row), t->atty + l * NE + row, t->fc + 4 * (l * NE + row),
                    t->act + 4 * (l * NE + row), t->att + ((long)l * t->B + b0) * NH * T * T,
                    t->st1 + l * NS + r0, t->st2 + l * NS + r0};
    return a;
}

/* Items b0..b1-1 of a batch of B through the embeddings, every block and
 * ln_f, on one thread: rows of different items never meet before the
 * output layer. Each row comes out as the whole batch's would. */
static void forward_items(const mm_model *m, tfm_acts *t, const int32_t *X, int B, int b0, int b1)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, L = c->n_layers, NH = c->n_heads;
    const int N = B * T, n = (b1 - b0) * T;
    const long r0 = (long)b0 * T;
    float *scratch = t->scratch + mm_attention_scratch(b0, T, E, NH);
    embed(t->res + r0 * E, tensor_at(m, m->params, T_WTE), tensor_at(m, m->params, T_WPE), X + r0, b1 - b0, T, E);
    for (int l = 0; l < L; l++) {
        const block_w w = block_at(m, m->params, l);
        const layer_acts a = layer_at(t, c, l, N, r0, b0);
        mm_layernorm_forward(a.ln1, a.st1, a.st1 + N, a.x, w.ln1_w, w.ln1_b, n, E, 1);
        mm_linear_forward(a.qkv, a.ln1, w.qkv_w, w.qkv_b, n, E, 3 * E, 1);
        mm_attention_forward(a.atty, a.att, scratch, a.qkv, b1 - b0, T, E, NH, 1);
        float *tmp = t->tmp + r0 * E;
        mm_linear_forward(tmp, a.atty, w.proj_w, w.proj_b, n, E, E, 1);
        add(a.mid, a.x, tmp, (long)n * E);
        mm_layernorm_forward(a.ln2, a.st2, a.st2 + N, a.mid, w.ln2_w, w.ln2_b, n, E, 1);
        mm_linear_forward(a.fc, a.ln2, w.fc_w, w.fc_b, n, E, 4 * E, 1);
        mm_gelu_forward(a.act, a.fc, (long)n * 4 * E, 1);
        mm_linear_forward(tmp, a.act, w.fc2_w, w.fc2_b, n, 4 * E, E, 1);
        add(a.x + (long)t->B * T * E, a.mid, tmp, (long)n * E);
    }
    const int f = t_lnf(L);
    const long NE = (long)t->B * T * E;
    mm_layernorm_forward(t->lnf + r0 * E, t->stf + r0, t->stf + N + r0, t->res + L * NE + r0 * E,
                         tensor_at(m, m->params, f), tensor_at(m, m->params, f + 1), n, E, 1);
}

/* Everything up to the logits, keeping what backward needs. */
static void run_forward(const mm_model *m, tfm_acts *t, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, V = c->vocab_size, L = c->n_layers;
    const int N = B * T, nt = step_threads(c, B, nthreads);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int id, n;
        team(&id, &n);
        forward_items(m, t, X, B, B * id / n, B * (id + 1) / n);
    }
    const int f = t_lnf(L);
    mm_linear_forward(t->logits, t->lnf, tensor_at(m, m->params, f + 2), NULL, N, E, V, nthreads);
}

static double forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads)
{
    run_forward(m, a->kind_acts, X, B, nthreads);
    const int N = B * m->cfg.block_size;
    return mm_softmax_xent_masked(a->logits, a->logits, Y, N, m->cfg.vocab_size, a->loss_norm);
}

static void logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    run_forward(m, a->kind_acts, X, B, nthreads);
}

/* dW (K, J) += in^T @ dout, db (J) += column sums of dout (if non-NULL),
 * din (N, K) = dout @ W^T: the batch's N = B*T rows are many, so din
 * goes through W^T packed once. */
static void linear_backward(tfm_acts *t, float *din, float *dW, float *db, const float *dout,
                            const float *in, const float *W, int N, int K, int J, int nthreads)
{
    mm_linear_backward(NULL, dW, db, dout, in, W, N, K, J, nthreads);
    mm_linear_backward_input_packed(din, t->wt, dout, W, N, K, J, nthreads);
}

/* Block l's weights transposed, for the input gradients: c_attn's (3E, E),
 * attn.c_proj's (E, E), c_fc's (4E, E) and mlp.c_proj's (E, 4E). */
typedef struct {
    float *qkv, *proj, *fc, *fc2;
} block_wt;

static block_wt block_wt_at(const tfm_acts *t, int l, int E)
{
    float *p = t->wts + (long)l * 12 * E * E;
    block_wt w = {p, p + 3 * E * E, p + 4 * E * E, p + 8 * E * E};
    return w;
}

/* Transposes of all blocks' weights, split between the team by matrix. */
static void transpose_weights(const mm_model *m, tfm_acts *t, int id, int n)
{
    const int E = m->cfg.n_embd;
    for (int i = id; i < 4 * m->cfg.n_layers; i += n) {
        const block_w w = block_at(m, m->params, i / 4);
        const block_wt wt = block_wt_at(t, i / 4, E);
        switch (i % 4) {
        case 0: mm_transpose_weights(wt.qkv, w.qkv_w, E, 3 * E); break;
        case 1: mm_transpose_weights(wt.proj, w.proj_w, E, E); break;
        case 2: mm_transpose_weights(wt.fc, w.fc_w, E, 4 * E); break;
        default: mm_transpose_weights(wt.fc2, w.fc2_w, 4 * E, E); break;
        }
    }
}

/* Layer l's slot of the gradients its weight gradients read (tfm_acts). */
typedef struct {
    float *dout, *dmid, *dln1, *dln2, *dqkv, *dfc;
} layer_grads;

static layer_grads grads_at(const tfm_acts *t, int l, int T, int E, long r0)
{
    const long NE = (long)t->B * T * E, s = (l % 2) * NE, row = r0 * E;
    layer_grads d = {t->dres + (l + 1) * NE + row, t->dmid + s + row, t->dln1 + s + row, t->dln2 + s + row,
                     t->dqkv + 3 * (s + row), t->dfc + 4 * (s + row)};
    return d;
}

/* Part id of n of [0, len): whole pieces, in order. */
static void share(int len, int id, int n, int *lo, int *hi)
{
    *lo = (int)((long)len * id / n);
    *hi = (int)((long)len * (id + 1) / n);
}

/* dW (K, J) += in^T @ dout and db (J) += column sums, thread id of n
 * taking rows of dW and columns of db: every element sums the N rows in
 * order, whoever computes it. */
static void weight_grad_part(float *dW, float *db, const float *dout, const float *in, int N, int K, int J,
                             int id, int n)
{
    int k0, k1, j0, j1;
    share(K, id, n, &k0, &k1);
    share(J, id, n, &j0, &j1);
    if (k0 < k1) mm_linear_backward_weights(dW, dout, in, N, K, J, k0, k1);
    mm_bias_backward_cols(db, dout, N, J, j0, j1);
}

/* Which of a block's parameter gradients block_weight_grads sums. */
enum { WG_FC2 = 1, WG_FC = 2, WG_LN2 = 4, WG_PROJ = 8, WG_QKV = 16, WG_LN1 = 32, WG_ALL = 63 };

/* Block l's parameter gradients in `parts`, thread id's part of them. */
static void block_weight_grads(const mm_model *m, tfm_acts *t, int l, int B, int id, int n, int parts)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, N = B * T;
    const block_w g = block_at(m, m->grads, l);
    const layer_acts a = layer_at(t, c, l, N, 0, 0);
    const layer_grads d = grads_at(t, l, T, E, 0);
    int e0, e1;
    share(E, id, n, &e0, &e1);
    if (parts & WG_FC2) weight_grad_part(g.fc2_w, g.fc2_b, d.dout, a.act, N, 4 * E, E, id, n);
    if (parts & WG_FC) weight_grad_part(g.fc_w, g.fc_b, d.dfc, a.ln2, N, E, 4 * E, id, n);
    if (parts & WG_LN2)
        mm_layernorm_backward_params(g.ln2_w, g.ln2_b, d.dln2, a.mid, a.st2, a.st2 + N, N, E, e0, e1);
    if (parts & WG_PROJ) weight_grad_part(g.proj_w, g.proj_b, d.dmid, a.atty, N, E, E, id, n);
    if (parts & WG_QKV) weight_grad_part(g.qkv_w, g.qkv_b, d.dqkv, a.ln1, N, E, 3 * E, id, n);
    if (parts & WG_LN1)
        mm_layernorm_backward_params(g.ln1_w, g.ln1_b, d.dln1, a.x, a.st1, a.st1 + N, N, E, e0, e1);
}

/* Block l's input gradients for items b0..b1-1 on one thread: dres[l]
 * from dres[l+1], every row as the whole batch's would be. A thread alone
 * in its team (it has every item) sums each parameter gradient as soon as
 * its inputs are made, while they are still in cache: the same sums, the
 * same bits, as block_weight_grads after a barrier. */
static void block_backward_items(const mm_model *m, tfm_acts *t, int l, int B, int b0, int b1, int alone)
{
#define GRADS(parts) \
    if (alone) block_weight_grads(m, t, l, B, 0, 1, parts)
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, NH = c->n_heads, N = B * T, n = (b1 - b0) * T;
    const long r0 = (long)b0 * T, NE = (long)t->B * T * E;
    const block_w w = block_at(m, m->params, l);
    const block_wt wt = block_wt_at(t, l, E);
    const layer_acts a = layer_at(t, c, l, N, r0, b0);
    const layer_grads d = grads_at(t, l, T, E, r0);
    float *tmp = t->tmp + r0 * E, *dx = t->dres + l * NE + r0 * E;
    float *scratch = t->scratch + mm_attention_scratch(b0, T, E, NH);
    GRADS(WG_FC2);
    mm_linear_backward_input_t(d.dfc, wt.fc2, d.dout, n, 4 * E, E);
    mm_gelu_backward(d.dfc, d.dfc, a.fc, (long)n * 4 * E, 1);
    GRADS(WG_FC);
    mm_linear_backward_input_t(d.dln2, wt.fc, d.dfc, n, E, 4 * E);
    GRADS(WG_LN2);
    memcpy(d.dmid, d.dout, (size_t)n * E * sizeof *d.dmid);
    mm_layernorm_backward_rows(d.dmid, d.dln2, a.mid, a.st2, a.st2 + N, w.ln2_w, n, E);
    GRADS(WG_PROJ);
    mm_linear_backward_input_t(tmp, wt.proj, d.dmid, n, E, E);
    mm_attention_backward(d.dqkv, scratch, tmp, a.att, a.qkv, b1 - b0, T, E, NH, 1);
    GRADS(WG_QKV);
    mm_linear_backward_input_t(d.dln1, wt.qkv, d.dqkv, n, E, 3 * E);
    GRADS(WG_LN1);
    memcpy(dx, d.dmid, (size_t)n * E * sizeof *dx);
    mm_layernorm_backward_rows(dx, d.dln1, a.x, a.st1, a.st1 + N, w.ln1_w, n, E);
#undef GRADS
}

/* The embeddings' gradients from dres[0], rows in order. */
static void embed_backward(const mm_model *m, tfm_acts *t, const int32_t *X, int N)
{
    const int T = m->cfg.block_size, E = m->cfg.n_embd;
    float *dwte = tensor_at(m, m->grads, T_WTE), *dwpe = tensor_at(m, m->grads, T_WPE);
    for (int r = 0; r < N; r++) {
        const float *d = t->dres + (long)r * E;
        float *tok = dwte + (long)X[r] * E, *pos = dwpe + (long)(r % T) * E;
        for (int e = 0; e < E; e++) {
            tok[e] += d[e];
            pos[e] += d[e];
        }
    }
}

/* The blocks backward in one team: per layer, each thread's items' input
 * gradients, one barrier, then each thread's share of the layer's
 * parameter gradients, which overlaps the next layer's rows (they write
 * the other slot of tfm_acts' per-layer gradients). */
static void blocks_backward(mm_model *m, tfm_acts *t, const int32_t *X, int B, int nthreads)
{
    const int L = m->cfg.n_layers, nt = step_threads(&m->cfg, B, nthreads);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        int id, n;
        team(&id, &n);
        transpose_weights(m, t, id, n);
#pragma omp barrier
        for (int l = L - 1; l >= 0; l--) {
            block_backward_items(m, t, l, B, B * id / n, B * (id + 1) / n, n == 1);
            if (n == 1) continue; /* it summed them as it went */
#pragma omp barrier
            block_weight_grads(m, t, l, B, id, n, WG_ALL);
        }
        if (id == n - 1) embed_backward(m, t, X, B * m->cfg.block_size);
    }
}

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    tfm_acts *t = a->kind_acts;
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, V = c->vocab_size, L = c->n_layers, N = B * T;
    const long NE = (long)t->B * T * E;
    const int f = t_lnf(L);
    float *dlnf = t->dres + L * NE;
    linear_backward(t, t->tmp, tensor_at(m, m->grads, f + 2), NULL, a->logits, t->lnf,
                    tensor_at(m, m->params, f + 2), N, E, V, nthreads);
    memset(dlnf, 0, (size_t)N * E * sizeof *dlnf);
    mm_layernorm_backward(dlnf, tensor_at(m, m->grads, f), tensor_at(m, m->grads, f + 1), t->tmp,
                          t->res + L * NE, t->stf, t->stf + N, tensor_at(m, m->params, f), N, E, nthreads);
    blocks_backward(m, t, X, B, nthreads);
}

const mm_kind mm_kind_transformer = {
    .makemore_type = "transformer",
    .name = "transformer",
    .summary = "makemore.py's Transformer: GPT-2 blocks (pre-LayerNorm, causal self-attention, "
               "tanh GELU MLP)",
    .layout = MM_LAYOUT_SEQUENCE,
    .uses = MM_USES_LAYERS | MM_USES_HEADS | MM_USES_EMBD,
    .def_block = 0, .def_embd = 64, .def_hidden = 64, .def_layers = 4, .def_heads = 4,
    .check = check,
    .layout_tensors = layout_tensors,
    .init = init,
    .acts_build = acts_build,
    .acts_free = acts_free,
    .acts_bytes = acts_bytes,
    .forward = forward,
    .backward = backward,
    .logits = logits,
};
