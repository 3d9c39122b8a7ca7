#include "transformer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    float *dres;      /* (N, E) gradient of the residual stream */
    float *dqkv;      /* (N, 3E) */
    float *dfc;       /* (N, 4E) */
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
        L * B * NH * T * T, L * N * E, L * N * 4 * E, L * N * 4 * E, N * E, 2 * N, N * E, N * E,
        N * 3 * E, N * 4 * E, (size_t)mm_attention_scratch(B, c->block_size, c->n_embd, c->n_heads),
        4 * E * (E > V ? E : V), N * V};
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
                     &t->atty, &t->fc, &t->act, &t->lnf, &t->stf, &t->tmp, &t->dres, &t->dqkv,
                     &t->dfc, &t->scratch, &t->wt, &t->logits};
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

/* Everything up to lm_head's input t->lnf, keeping what backward needs. */
static void run_body(const mm_model *m, tfm_acts *t, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, L = c->n_layers, NH = c->n_heads;
    const int N = B * T;
    const long NE = (long)t->B * T * E, NS = 2L * t->B * T; /* per-layer strides */
    embed(t->res, tensor_at(m, m->params, T_WTE), tensor_at(m, m->params, T_WPE), X, B, T, E);
    for (int l = 0; l < L; l++) {
        const block_w w = block_at(m, m->params, l);
        float *x = t->res + l * NE, *mid = t->mid + l * NE, *ln1 = t->ln1 + l * NE, *ln2 = t->ln2 + l * NE;
        float *st1 = t->st1 + l * NS, *st2 = t->st2 + l * NS, *qkv = t->qkv + 3 * l * NE;
        float *atty = t->atty + l * NE, *fc = t->fc + 4 * l * NE, *act = t->act + 4 * l * NE;
        float *att = t->att + (long)l * t->B * NH * T * T;
        mm_layernorm_forward(ln1, st1, st1 + N, x, w.ln1_w, w.ln1_b, N, E, nthreads);
        mm_linear_forward(qkv, ln1, w.qkv_w, w.qkv_b, N, E, 3 * E, nthreads);
        mm_attention_forward(atty, att, t->scratch, qkv, B, T, E, NH, nthreads);
        mm_linear_forward(t->tmp, atty, w.proj_w, w.proj_b, N, E, E, nthreads);
        add(mid, x, t->tmp, (long)N * E);
        mm_layernorm_forward(ln2, st2, st2 + N, mid, w.ln2_w, w.ln2_b, N, E, nthreads);
        mm_linear_forward(fc, ln2, w.fc_w, w.fc_b, N, E, 4 * E, nthreads);
        mm_gelu_forward(act, fc, (long)N * 4 * E, nthreads);
        mm_linear_forward(t->tmp, act, w.fc2_w, w.fc2_b, N, 4 * E, E, nthreads);
        add(x + NE, mid, t->tmp, (long)N * E);
    }
    const int f = t_lnf(L);
    mm_layernorm_forward(t->lnf, t->stf, t->stf + N, t->res + L * NE, tensor_at(m, m->params, f),
                         tensor_at(m, m->params, f + 1), N, E, nthreads);
}

/* Everything up to the logits. */
static void run_forward(const mm_model *m, tfm_acts *t, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    run_body(m, t, X, B, nthreads);
    mm_linear_forward(t->logits, t->lnf, tensor_at(m, m->params, t_lnf(c->n_layers) + 2), NULL,
                      B * c->block_size, c->n_embd, c->vocab_size, nthreads);
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

/* One block backward: dres (N, E) holds the gradient of the block's
 * output on entry and of its input on return. */
static void block_backward(const mm_model *m, tfm_acts *t, int l, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, NH = c->n_heads, N = B * T;
    const long NE = (long)t->B * T * E, NS = 2L * t->B * T;
    const block_w w = block_at(m, m->params, l), g = block_at(m, m->grads, l);
    const float *x = t->res + l * NE, *mid = t->mid + l * NE, *ln1 = t->ln1 + l * NE;
    const float *ln2 = t->ln2 + l * NE, *st1 = t->st1 + l * NS, *st2 = t->st2 + l * NS;
    const float *qkv = t->qkv + 3 * l * NE, *atty = t->atty + l * NE;
    const float *fc = t->fc + 4 * l * NE, *act = t->act + 4 * l * NE;
    const float *att = t->att + (long)l * t->B * NH * T * T;
    linear_backward(t, t->dfc, g.fc2_w, g.fc2_b, t->dres, act, w.fc2_w, N, 4 * E, E, nthreads);
    mm_gelu_backward(t->dfc, t->dfc, fc, (long)N * 4 * E, nthreads);
    linear_backward(t, t->tmp, g.fc_w, g.fc_b, t->dfc, ln2, w.fc_w, N, E, 4 * E, nthreads);
    mm_layernorm_backward(t->dres, g.ln2_w, g.ln2_b, t->tmp, mid, st2, st2 + N, w.ln2_w, N, E, nthreads);
    linear_backward(t, t->tmp, g.proj_w, g.proj_b, t->dres, atty, w.proj_w, N, E, E, nthreads);
    mm_attention_backward(t->dqkv, t->scratch, t->tmp, att, qkv, B, T, E, NH, nthreads);
    linear_backward(t, t->tmp, g.qkv_w, g.qkv_b, t->dqkv, ln1, w.qkv_w, N, E, 3 * E, nthreads);
    mm_layernorm_backward(t->dres, g.ln1_w, g.ln1_b, t->tmp, x, st1, st1 + N, w.ln1_w, N, E, nthreads);
}

/* From dlnf (N, E), dL/d(lm_head's input): the gradients of everything
 * before lm_head. */
static void body_back(mm_model *m, tfm_acts *t, const float *dlnf, const int32_t *X, int B, int nthreads)
{
    const mm_config *c = &m->cfg;
    const int T = c->block_size, E = c->n_embd, L = c->n_layers, N = B * T;
    const long NE = (long)t->B * T * E;
    const int f = t_lnf(L);
    memset(t->dres, 0, (size_t)N * E * sizeof *t->dres);
    mm_layernorm_backward(t->dres, tensor_at(m, m->grads, f), tensor_at(m, m->grads, f + 1), dlnf,
                          t->res + L * NE, t->stf, t->stf + N, tensor_at(m, m->params, f), N, E, nthreads);
    for (int l = L - 1; l >= 0; l--) block_backward(m, t, l, B, nthreads);
    /* the embeddings' gradients, rows in order */
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

static void backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    tfm_acts *t = a->kind_acts;
    const mm_config *c = &m->cfg;
    const int f = t_lnf(c->n_layers);
    linear_backward(t, t->tmp, tensor_at(m, m->grads, f + 2), NULL, a->logits, t->lnf,
                    tensor_at(m, m->params, f + 2), B * c->block_size, c->n_embd, c->vocab_size, nthreads);
    body_back(m, t, t->tmp, X, B, nthreads);
}

static void head_of(const mm_config *c, mm_head_io *io)
{
    io->H = c->n_embd;
    io->K = 0;
    io->din_packed = 1;
    io->W = t_lnf(c->n_layers) + 2;
    io->b = -1;
    io->Wd = -1;
}

/* Output-parallel training (outpar.h) */
static void body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                         mm_head_io *io)
{
    tfm_acts *t = a->kind_acts;
    run_body(m, t, X, B, nthreads);
    head_of(&m->cfg, io);
    io->N = B * m->cfg.block_size;
    io->y = Y;
    io->h = t->lnf;
    io->x = NULL;
}

static void body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io)
{
    body_back(m, a->kind_acts, io->dh, X, B, nthreads);
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
    .head_of = head_of,
    .body_forward = body_forward,
    .body_backward = body_backward,
};
