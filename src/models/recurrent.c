#include "recurrent.h"

#include <stdlib.h>
#include <string.h>

#include "dropout.h"
#include "kernels.h"
#include "seqkinds.h"

/* Tensor indices in state_dict order: start, wte.weight, then each gate's
 * weight and bias, then lm_head's. GRU gates in makemore.py's order. */
enum { START = 0, WTE = 1, GATE0 = 2 };
enum { GZ = 0, GR = 1, GB = 2 }; /* GRU: update z, reset r, candidate hbar */
#define MAX_GATES 3

static int gates(const mm_config *c)
{
    return c->kind == MM_MODEL_GRU ? 3 : 1;
}

typedef struct {
    int G, E, H, V;
    const float *start;          // (H)
    const float *wte;            // (V, E)
    const float *Wx[MAX_GATES];  // (E, H) a gate's first E rows (the input's)
    const float *Wh[MAX_GATES];  // (H, H) its last H rows (the state's)
    const float *b[MAX_GATES];   // (H)
    const float *Wlm, *blm;      // (H, V), (V)
} rec_w;

static rec_w weights(const mm_model *m, const float *base)
{
    const mm_config *c = &m->cfg;
    rec_w w = {.G = gates(c), .E = c->n_embd, .H = c->n_hidden, .V = c->vocab_size};
    w.start = base + m->tensors[START].offset;
    w.wte = base + m->tensors[WTE].offset;
    for (int g = 0; g < w.G; g++) {
        w.Wx[g] = base + m->tensors[GATE0 + 2 * g].offset;
        w.Wh[g] = w.Wx[g] + (size_t)w.E * w.H;
        w.b[g] = base + m->tensors[GATE0 + 2 * g + 1].offset;
    }
    w.Wlm = base + m->tensors[GATE0 + 2 * w.G].offset;
    w.blm = base + m->tensors[GATE0 + 2 * w.G + 1].offset;
    return w;
}

void mm_rec_layout(mm_model *m)
{
    static const char *names[2][MAX_GATES] = {
        {"cell.xh_to_h"}, {"cell.xh_to_z", "cell.xh_to_r", "cell.xh_to_hbar"}};
    const mm_config *c = &m->cfg;
    const int G = gates(c);
    mm_seq_add(m, "start", 1, c->n_hidden);
    m->embedding = mm_seq_add(m, "wte.weight", c->vocab_size, c->n_embd);
    for (int g = 0; g < G; g++) mm_seq_add_linear(m, names[G == 3][g], c->n_embd + c->n_hidden, c->n_hidden, 1);
    mm_seq_add_linear(m, "lm_head", c->n_hidden, c->vocab_size, 1);
}

void mm_rec_init(mm_model *m, mm_init_kind kind, mm_rng *rng)
{
    const mm_config *c = &m->cfg;
    const int G = gates(c), in = c->n_embd + c->n_hidden;
    memset(mm_model_param(m, START), 0, m->tensors[START].size * sizeof(float));
    mm_rng_randn_torch(rng, mm_model_param(m, WTE), m->tensors[WTE].size);
    for (int g = 0; g < G; g++)
        mm_seq_init_linear(rng, mm_model_param(m, GATE0 + 2 * g), mm_model_param(m, GATE0 + 2 * g + 1),
                           in, c->n_hidden);
    mm_seq_init_linear(rng, mm_model_param(m, GATE0 + 2 * G), mm_model_param(m, GATE0 + 2 * G + 1),
                       c->n_hidden, c->vocab_size);
}

/* ---- activations ------------------------------------------------------ */

/* Rows are time-major (row t*B + b) inside the recurrence, so a position's
 * B rows are contiguous for the per-position GEMMs; lm_head's rows are
 * batch-major (b*T + t), as the logits. */
typedef struct {
    int G, H;
    int Tu;          /* positions the last forward ran: T, or in training up to
                        the batch's last counted target (the rest feed only
                        ignored ones) */
    int32_t *Xt;     // (T*B) ids, time-major
    float *emb;      // (T*B, E)
    float *P;        // (G, T*B, H) input projections, biases included
    float *hs;       // (T+1, B, H) hs[0] the start state, hs[t+1] the state after position t
    float *z, *r;    // (T*B, H) GRU gates
    float *rh, *hb;  // (T*B, H) GRU: r * hprev, and the candidate hbar
    float *hid;      // (B*T, H) hs[1..T] batch-major
    float *dhid;     // (B*T, H)
    float *dA;       // (G, T*B, H) gradients of the gates' pre-activations
    float *dh, *tmp; // (B, H)
    float *demb, *demb2; // (T*B, E)
    float *mx, *mh;  // dropout masks of emb (T*B, E) and hid (B*T, H); NULL without dropout
    int dropped;     /* the last forward applied them */
} rec_acts;

static void *plan(mm_carver *cv, const mm_config *c, int B)
{
    const int G = gates(c);
    const size_t N = (size_t)B * c->block_size, H = (size_t)c->n_hidden, E = (size_t)c->n_embd;
    const size_t f = sizeof(float);
    rec_acts *p = mm_carve(cv, sizeof *p), q = {.G = G, .H = c->n_hidden};
    q.Xt = mm_carve(cv, N * sizeof(int32_t));
    q.emb = mm_carve(cv, N * E * f);
    q.P = mm_carve(cv, G * N * H * f);
    q.hs = mm_carve(cv, (N + (size_t)B) * H * f);
    if (G == 3) {
        q.z = mm_carve(cv, N * H * f);
        q.r = mm_carve(cv, N * H * f);
        q.rh = mm_carve(cv, N * H * f);
        q.hb = mm_carve(cv, N * H * f);
    }
    q.hid = mm_carve(cv, N * H * f);
    q.dhid = mm_carve(cv, N * H * f);
    q.dA = mm_carve(cv, G * N * H * f);
    q.dh = mm_carve(cv, (size_t)B * H * f);
    q.tmp = mm_carve(cv, (size_t)B * H * f);
    q.demb = mm_carve(cv, N * E * f);
    q.demb2 = mm_carve(cv, N * E * f);
    if (c->dropout > 0.0f) {
        q.mx = mm_carve(cv, N * E * f);
        q.mh = mm_carve(cv, N * H * f);
    }
    if (p) *p = q;
    return p;
}

mm_status mm_rec_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    return mm_seq_acts_build(a, c, B, plan, err);
}

uint64_t mm_rec_acts_bytes(const mm_config *c, int B)
{
    return mm_seq_acts_bytes(c, B, plan);
}

/* ---- the cells ---------------------------------------------------------- */

/* x (n) <- sigmoid(x) = 1 / (1 + exp(-x)); -x clamped to the vector exp's
 * range, where the result is 0 or 1 in float anyway */
static void sigmoid(float *x, long n)
{
    for (long i = 0; i < n; i++) x[i] = x[i] > 87.0f ? -87.0f : x[i] < -88.0f ? 88.0f : -x[i];
    mm_exp_forward(x, n);
    for (long i = 0; i < n; i++) x[i] = 1.0f / (1.0f + x[i]);
}

/* out (B, H) = in (B, H) @ Wh (H, H) + P (B, H) */
static void recur(float *out, const float *in, const float *Wh, const float *P, int B, int H,
                  int nthreads)
{
    mm_linear_forward(out, in, Wh, NULL, B, H, H, nthreads);
    for (long i = 0; i < (long)B * H; i++) out[i] += P[i];
}

/* One position for B rows: h (B, H) from hprev (B, H) and the gates' input
 * projections, gate g's at P + g * ps (B, H). The GRU keeps its gates
 * z, r, rh, hb (B, H) for backward; the RNN passes them NULL. */
static void cell_step(const rec_w *w, float *h, const float *hprev, const float *P, size_t ps,
                      float *z, float *r, float *rh, float *hb, int B, int nthreads)
{
    const int H = w->H;
    const long n = (long)B * H;
    if (w->G == 1) {
        recur(h, hprev, w->Wh[0], P, B, H, nthreads);
        mm_tanh_forward(h, n);
        return;
    }
    recur(z, hprev, w->Wh[GZ], P + GZ * ps, B, H, nthreads);
    sigmoid(z, n);
    recur(r, hprev, w->Wh[GR], P + GR * ps, B, H, nthreads);
    sigmoid(r, n);
    for (long i = 0; i < n; i++) rh[i] = r[i] * hprev[i];
    recur(hb, rh, w->Wh[GB], P + GB * ps, B, H, nthreads);
    mm_tanh_forward(hb, n);
    for (long i = 0; i < n; i++) h[i] = (1.0f - z[i]) * hprev[i] + z[i] * hb[i];
}

/* Backward through one position: dh (B, H) holds dL/dh on entry and
 * dL/dhprev on return; dA + g * ps (B, H) receives gate g's pre-activation
 * gradient. */
static void cell_back(const rec_w *w, float *dh, float *dA, size_t ps, const float *hprev,
                      const float *h, const float *z, const float *r, const float *hb, float *tmp,
                      int B)
{
    const int H = w->H;
    const long n = (long)B * H;
    if (w->G == 1) {
        mm_tanh_backward(dA, dh, h, n);
        mm_linear_backward_input(dh, dA, w->Wh[0], B, H, H);
        return;
    }
    float *dZ = dA + GZ * ps, *dR = dA + GR * ps, *dB = dA + GB * ps;
    for (long i = 0; i < n; i++) {
        dZ[i] = dh[i] * (hb[i] - hprev[i]) * z[i] * (1.0f - z[i]);
        dB[i] = dh[i] * z[i] * (1.0f - hb[i] * hb[i]);
        dh[i] *= 1.0f - z[i];
    }
    mm_linear_backward_input(tmp, dB, w->Wh[GB], B, H, H); /* dL/d(r * hprev) */
    for (long i = 0; i < n; i++) {
        dR[i] = tmp[i] * hprev[i] * r[i] * (1.0f - r[i]);
        dh[i] += tmp[i] * r[i];
    }
    mm_linear_backward_input(tmp, dZ, w->Wh[GZ], B, H, H);
    for (long i = 0; i < n; i++) dh[i] += tmp[i];
    mm_linear_backward_input(tmp, dR, w->Wh[GR], B, H, H);
    for (long i = 0; i < n; i++) dh[i] += tmp[i];
}

/* ---- forward and backward ----------------------------------------------- */

/* Dropout on the non-recurrent connections (Zaremba et al. 2014): the
 * embeddings entering the cell (stream 0) and the states entering lm_head
 * (stream 1); a mask row is numbered by global item and position. */
static void drop_masks(rec_acts *p, const mm_acts *a, const mm_config *c, int B, int Tu)
{
    const int T = c->block_size, E = c->n_embd, H = c->n_hidden;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < Tu; t++) {
            const uint64_t row = (uint64_t)(a->drop_row0 + b) * (uint64_t)T + (uint64_t)t;
            mm_dropout_row_mask(p->mx + ((size_t)t * B + b) * E, E, a->drop_key, 0, row, c->dropout);
            mm_dropout_row_mask(p->mh + ((size_t)b * T + t) * H, H, a->drop_key, 1, row, c->dropout);
        }
}

/* Positions 0..Tu-1 of B items into a->logits; the rows of later positions
 * get lm_head's bias alone. train: apply dropout if the model has it and a
 * carries a key. */
static void run(const mm_model *m, mm_acts *a, const int32_t *X, int B, int Tu, int train, int nthreads)
{
    const rec_w w = weights(m, m->params);
    rec_acts *p = a->kind_acts;
    const int T = m->cfg.block_size, H = w.H, N = B * T, Nu = B * Tu;
    const size_t BH = (size_t)B * H, NH = (size_t)N * H;
    p->Tu = Tu;
    p->dropped = train && p->mx && a->drop_key;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < Tu; t++) p->Xt[t * B + b] = X[b * T + t];
    mm_embed_forward(p->emb, w.wte, p->Xt, Nu, 1, w.E);
    if (p->dropped) {
        drop_masks(p, a, &m->cfg, B, Tu);
        mm_dropout_apply(p->emb, p->mx, (long)Nu * w.E);
    }
    for (int g = 0; g < w.G; g++)
        mm_linear_forward(p->P + g * NH, p->emb, w.Wx[g], w.b[g], Nu, w.E, H, nthreads);
    for (int b = 0; b < B; b++) memcpy(p->hs + (size_t)b * H, w.start, H * sizeof(float));
    for (int t = 0; t < Tu; t++) {
        const size_t o = t * BH;
        cell_step(&w, p->hs + o + BH, p->hs + o, p->P + o, NH, p->z ? p->z + o : NULL,
                  p->r ? p->r + o : NULL, p->rh ? p->rh + o : NULL, p->hb ? p->hb + o : NULL, B,
                  nthreads);
    }
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            float *dst = p->hid + ((size_t)b * T + t) * H;
            if (t < Tu) memcpy(dst, p->hs + (t + 1) * BH + (size_t)b * H, H * sizeof(float));
            else memset(dst, 0, H * sizeof(float)); /* finite, for lm_head's dW */
            if (t < Tu && p->dropped) mm_dropout_apply(dst, p->mh + ((size_t)b * T + t) * H, H);
        }
    mm_linear_forward(a->logits, p->hid, w.Wlm, w.blm, N, H, w.V, nthreads);
}

void mm_rec_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    run(m, a, X, B, m->cfg.block_size, 0, nthreads);
}

double mm_rec_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    const int T = m->cfg.block_size;
    int Tu = 0;
    for (int i = 0; i < B * T; i++)
        if (Y[i] >= 0 && i % T >= Tu) Tu = i % T + 1;
    run(m, a, X, B, Tu, 1, nthreads);
    return mm_seq_loss(a, Y, B * T, m->cfg.vocab_size);
}

void mm_rec_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const rec_w w = weights(m, m->params), d = weights(m, m->grads);
    rec_acts *p = a->kind_acts;
    const int T = m->cfg.block_size, H = w.H, N = B * T, Nu = B * p->Tu;
    const size_t BH = (size_t)B * H, NH = (size_t)N * H;
    mm_linear_backward(p->dhid, (float *)d.Wlm, (float *)d.blm, a->logits, p->hid, w.Wlm, N, H, w.V,
                       nthreads);
    memset(p->dh, 0, BH * sizeof(float));
    for (int t = p->Tu - 1; t >= 0; t--) {
        const size_t o = t * BH;
        for (int b = 0; b < B; b++) {
            const size_t row = ((size_t)b * T + t) * H;
            const float *g = p->dhid + row;
            if (p->dropped)
                for (int j = 0; j < H; j++) p->dh[(size_t)b * H + j] += g[j] * p->mh[row + j];
            else
                for (int j = 0; j < H; j++) p->dh[(size_t)b * H + j] += g[j];
        }
        cell_back(&w, p->dh, p->dA + o, NH, p->hs + o, p->hs + o + BH, p->z ? p->z + o : NULL,
                  p->r ? p->r + o : NULL, p->hb ? p->hb + o : NULL, p->tmp, B);
    }
    float *dstart = (float *)d.start; /* the start state is every row's hs[0] */
    for (int b = 0; b < B; b++)
        for (int j = 0; j < H; j++) dstart[j] += p->dh[(size_t)b * H + j];
    for (int g = 0; g < w.G; g++) {
        /* the state part sees hprev (hs[0..T-1]), the GRU's candidate r * hprev */
        const float *in = w.G == 3 && g == GB ? p->rh : p->hs;
        mm_linear_backward(NULL, (float *)d.Wh[g], NULL, p->dA + g * NH, in, w.Wh[g], Nu, H, H,
                           nthreads);
        mm_linear_backward(g ? p->demb2 : p->demb, (float *)d.Wx[g], (float *)d.b[g], p->dA + g * NH,
                           p->emb, w.Wx[g], Nu, w.E, H, nthreads);
        if (g)
            for (size_t i = 0; i < (size_t)Nu * w.E; i++) p->demb[i] += p->demb2[i];
    }
    if (p->dropped) mm_dropout_apply(p->demb, p->mx, (long)Nu * w.E);
    mm_embed_backward((float *)d.wte, p->demb, p->Xt, Nu, 1, w.E);
}

/* ---- sampling, one id at a time ----------------------------------------- */

typedef struct {
    rec_w w;
    int len;          /* ids fed so far */
    float *P;         // (G, H)
    float *h, *hprev; // (H)
    float *z, *r, *rh, *hb; // (H)
} rec_gen;

mm_status mm_rec_gen_build(void **state, const mm_model *m, mm_err *err)
{
    const int H = m->cfg.n_hidden;
    rec_gen *s = calloc(1, sizeof *s);
    float *buf = calloc((size_t)(MAX_GATES + 6) * H, sizeof(float));
    if (!s || !buf) {
        free(s);
        free(buf);
        return mm_fail(err, MM_ENOMEM, "out of memory for the sampler's state");
    }
    s->w = weights(m, m->params);
    s->P = buf;
    s->h = buf + MAX_GATES * H;
    s->hprev = s->h + H;
    s->z = s->hprev + H;
    s->r = s->z + H;
    s->rh = s->r + H;
    s->hb = s->rh + H;
    *state = s;
    return MM_OK;
}

static void feed(rec_gen *s, int32_t id)
{
    const rec_w *w = &s->w;
    const float *x = w->wte + (size_t)id * w->E;
    for (int g = 0; g < w->G; g++) mm_linear_forward(s->P + g * w->H, x, w->Wx[g], w->b[g], 1, w->E, w->H, 1);
    float *t = s->hprev;
    s->hprev = s->h;
    s->h = t;
    cell_step(w, s->h, s->hprev, s->P, (size_t)w->H, s->z, s->r, s->rh, s->hb, 1, 1);
    s->len++;
}

void mm_rec_gen_step(void *state, const int32_t *seq, int len, float *logits)
{
    rec_gen *s = state;
    const rec_w *w = &s->w;
    if (len == 1 || len != s->len + 1) { /* a new item, or calls out of order: replay */
        memcpy(s->h, w->start, w->H * sizeof(float));
        s->len = 0;
        while (s->len < len - 1) feed(s, seq[s->len]);
    }
    feed(s, seq[len - 1]);
    mm_linear_forward(logits, s->h, w->Wlm, w->blm, 1, w->H, w->V, 1);
}

void mm_rec_gen_free(void *state)
{
    rec_gen *s = state;
    if (s) free(s->P);
    free(s);
}
