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

/* Inside the recurrence only the (item, position) pairs that reach a
 * counted target are computed, as "active rows" packed position by
 * position: the items sorted by length, longest first (order), so that
 * position t's active items are the first n[t] and its rows are
 * off[t] .. off[t] + n[t] - 1. A name fills about half of the block, so
 * this skips about half the work; the positions skipped feed only ignored
 * targets, so nothing else changes. lm_head's rows are batch-major
 * (b*T + t), as the logits, with zeros where a pair is not active. In
 * evaluation every pair is active and order is the identity. */
typedef struct {
    int G, H;
    int Tu;          /* positions with an active row */
    int Na;          /* active rows, sum of n */
    int *len;        // (B) positions each item needs (training)
    int *order;      // (B) items by length, longest first
    int *n, *off;    // (T) active rows of each position and where they start
    int32_t *Xt;     // (Na) ids of the active rows
    float *emb;      // (Na, E)
    float *P;        // (G, Na, H) input projections, biases included (gate g at g * Na * H)
    float *hp, *hn;  // (Na, H) each active row's state before and after its position
    float *z, *r;    // (Na, H) GRU gates
    float *rh, *hb;  // (Na, H) GRU: r * hprev, and the candidate hbar
    float *hid;      // (B*T, H) hn batch-major, zeros elsewhere
    float *dhid;     // (B*T, H)
    float *dA;       // (G, Na, H) gradients of the gates' pre-activations
    float *dh, *tmp; // (B, H)
    float *demb, *demb2; // (Na, E)
    float *mx;       // (Na, E) the dropout mask of emb; NULL without dropout
    int dropped;     /* the last forward applied them */
} rec_acts;

static void *plan(mm_carver *cv, const mm_config *c, int B)
{
    const int G = gates(c), T = c->block_size;
    const size_t N = (size_t)B * T, H = (size_t)c->n_hidden, E = (size_t)c->n_embd;
    const size_t f = sizeof(float);
    rec_acts *p = mm_carve(cv, sizeof *p), q = {.G = G, .H = c->n_hidden};
    q.len = mm_carve(cv, (size_t)B * sizeof(int));
    q.order = mm_carve(cv, (size_t)B * sizeof(int));
    q.n = mm_carve(cv, (size_t)T * sizeof(int));
    q.off = mm_carve(cv, (size_t)T * sizeof(int));
    q.Xt = mm_carve(cv, N * sizeof(int32_t));
    q.emb = mm_carve(cv, N * E * f);
    q.P = mm_carve(cv, G * N * H * f);
    q.hp = mm_carve(cv, N * H * f);
    q.hn = mm_carve(cv, N * H * f);
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
    if (c->dropout > 0.0f) q.mx = mm_carve(cv, N * E * f);
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

/* The active rows from each item's length len (B; NULL: all T), sorted
 * longest first, ties in item order. */
static void plan_rows(rec_acts *p, const int *len, int B, int T)
{
    int k = 0;
    for (int l = T; l >= 0; l--)
        for (int b = 0; b < B; b++)
            if ((len ? len[b] : T) == l) p->order[k++] = b;
    p->Tu = 0;
    p->Na = 0;
    for (int t = 0; t < T; t++) {
        int n = 0;
        while (n < B && (len ? len[p->order[n]] : T) > t) n++;
        p->n[t] = n;
        p->off[t] = p->Na;
        p->Na += n;
        if (n) p->Tu = t + 1;
    }
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

/* Dropout on the embeddings entering the cell: the one place it helped in
 * docs/RESULTS.md's search (on the states entering lm_head it raised the
 * dev loss). A mask row is numbered by global item and position. */
static void drop_masks(rec_acts *p, const mm_acts *a, const mm_config *c)
{
    const int T = c->block_size, E = c->n_embd;
    for (int t = 0; t < p->Tu; t++)
        for (int i = 0; i < p->n[t]; i++) {
            const uint64_t row = (uint64_t)(a->drop_row0 + p->order[i]) * (uint64_t)T + (uint64_t)t;
            mm_dropout_row_mask(p->mx + (size_t)(p->off[t] + i) * E, E, a->drop_key, 0, row, c->dropout);
        }
}

/* The active rows' states, position by position: hp (the start state, or
 * the state the item's previous position left) then hn. */
static void recur_all(const rec_w *w, rec_acts *p, int nthreads)
{
    const size_t H = (size_t)w->H, gs = (size_t)p->Na * H;
    for (int t = 0; t < p->Tu; t++) {
        const int n = p->n[t];
        const size_t o = (size_t)p->off[t] * H;
        float *hp = p->hp + o;
        for (int i = 0; i < n; i++)
            memcpy(hp + i * H, t ? p->hn + ((size_t)p->off[t - 1] + i) * H : w->start, H * sizeof(float));
        cell_step(w, p->hn + o, hp, p->P + o, gs, p->z ? p->z + o : NULL, p->r ? p->r + o : NULL,
                  p->rh ? p->rh + o : NULL, p->hb ? p->hb + o : NULL, n, nthreads);
    }
}

/* Items of length len (B; NULL: every position) up to lm_head's input
 * p->hid (B*T, H), zeros where a pair is not active. train: apply dropout
 * if the model has it and a carries a key. */
static void run_body(const mm_model *m, mm_acts *a, const int32_t *X, int B, const int *len, int train,
                     int nthreads)
{
    const rec_w w = weights(m, m->params);
    rec_acts *p = a->kind_acts;
    const int T = m->cfg.block_size, H = w.H;
    plan_rows(p, len, B, T);
    p->dropped = train && p->mx && a->drop_key;
    for (int t = 0; t < p->Tu; t++)
        for (int i = 0; i < p->n[t]; i++) p->Xt[p->off[t] + i] = X[p->order[i] * T + t];
    mm_embed_forward(p->emb, w.wte, p->Xt, p->Na, 1, w.E);
    if (p->dropped) {
        drop_masks(p, a, &m->cfg);
        mm_dropout_apply(p->emb, p->mx, (long)p->Na * w.E);
    }
    for (int g = 0; g < w.G; g++)
        mm_linear_forward(p->P + (size_t)g * p->Na * H, p->emb, w.Wx[g], w.b[g], p->Na, w.E, H, nthreads);
    recur_all(&w, p, nthreads);
    memset(p->hid, 0, (size_t)B * T * H * sizeof(float)); /* finite, for lm_head's dW */
    for (int t = 0; t < p->Tu; t++)
        for (int i = 0; i < p->n[t]; i++) {
            const size_t row = (size_t)p->order[i] * T + t;
            memcpy(p->hid + row * H, p->hn + (size_t)(p->off[t] + i) * H, H * sizeof(float));
        }
}

/* run_body, then lm_head into a->logits: rows of pairs that are not active
 * get its bias alone. */
static void run(const mm_model *m, mm_acts *a, const int32_t *X, int B, const int *len, int train,
                int nthreads)
{
    const rec_w w = weights(m, m->params);
    rec_acts *p = a->kind_acts;
    run_body(m, a, X, B, len, train, nthreads);
    mm_linear_forward(a->logits, p->hid, w.Wlm, w.blm, B * m->cfg.block_size, w.H, w.V, nthreads);
}

void mm_rec_logits(const mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    run(m, a, X, B, NULL, 0, nthreads);
}

/* Each item's positions up to its last counted target. */
static void item_lengths(rec_acts *p, const int32_t *Y, int B, int T)
{
    for (int b = 0; b < B; b++) {
        p->len[b] = 0;
        for (int t = 0; t < T; t++)
            if (Y[b * T + t] >= 0) p->len[b] = t + 1;
    }
}

double mm_rec_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                      int nthreads)
{
    rec_acts *p = a->kind_acts;
    item_lengths(p, Y, B, m->cfg.block_size);
    run(m, a, X, B, p->len, 1, nthreads);
    return mm_seq_loss(a, Y, B * m->cfg.block_size, m->cfg.vocab_size);
}

/* From dhid (B*T, H), dL/d(lm_head's input): the gradients of everything
 * before lm_head. */
static void body_back(mm_model *m, mm_acts *a, const float *dhid, int B, int nthreads)
{
    const rec_w w = weights(m, m->params), d = weights(m, m->grads);
    rec_acts *p = a->kind_acts;
    const int T = m->cfg.block_size, H = w.H, Na = p->Na;
    const size_t BH = (size_t)B * H, gs = (size_t)Na * H;
    memset(p->dh, 0, BH * sizeof(float));
    for (int t = p->Tu - 1; t >= 0; t--) {
        const int n = p->n[t];
        const size_t o = (size_t)p->off[t] * H;
        for (int i = 0; i < n; i++) {
            const float *g = dhid + ((size_t)p->order[i] * T + t) * H;
            float *dh = p->dh + (size_t)i * H;
            for (int j = 0; j < H; j++) dh[j] += g[j];
        }
        /* rows n.. of dh are zero here: those items ended before t */
        cell_back(&w, p->dh, p->dA + o, gs, p->hp + o, p->hn + o, p->z ? p->z + o : NULL,
                  p->r ? p->r + o : NULL, p->hb ? p->hb + o : NULL, p->tmp, n);
    }
    float *dstart = (float *)d.start; /* the start state is every item's first hprev */
    for (int i = 0; i < p->n[0]; i++)
        for (int j = 0; j < H; j++) dstart[j] += p->dh[(size_t)i * H + j];
    for (int g = 0; g < w.G; g++) {
        /* the state part sees hprev, the GRU's candidate r * hprev */
        const float *in = w.G == 3 && g == GB ? p->rh : p->hp;
        mm_linear_backward(NULL, (float *)d.Wh[g], NULL, p->dA + g * gs, in, w.Wh[g], Na, H, H, nthreads);
        mm_linear_backward(g ? p->demb2 : p->demb, (float *)d.Wx[g], (float *)d.b[g], p->dA + g * gs, p->emb,
                           w.Wx[g], Na, w.E, H, nthreads);
        if (g)
            for (size_t i = 0; i < (size_t)Na * w.E; i++) p->demb[i] += p->demb2[i];
    }
    if (p->dropped) mm_dropout_apply(p->demb, p->mx, (long)Na * w.E);
    mm_embed_backward((float *)d.wte, p->demb, p->Xt, Na, 1, w.E);
}

void mm_rec_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const rec_w w = weights(m, m->params), d = weights(m, m->grads);
    rec_acts *p = a->kind_acts;
    mm_linear_backward(p->dhid, (float *)d.Wlm, (float *)d.blm, a->logits, p->hid, w.Wlm,
                       B * m->cfg.block_size, w.H, w.V, nthreads);
    body_back(m, a, p->dhid, B, nthreads);
}

void mm_rec_head_of(const mm_config *c, mm_head_io *io)
{
    const int G = gates(c);
    io->H = c->n_hidden;
    io->K = 0;
    io->W = GATE0 + 2 * G;
    io->b = GATE0 + 2 * G + 1;
    io->Wd = -1;
}

void mm_rec_body_forward(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, int nthreads,
                         mm_head_io *io)
{
    rec_acts *p = a->kind_acts;
    item_lengths(p, Y, B, m->cfg.block_size);
    run_body(m, a, X, B, p->len, 1, nthreads);
    mm_rec_head_of(&m->cfg, io);
    io->N = B * m->cfg.block_size;
    io->y = Y;
    io->h = p->hid;
    io->x = NULL;
}

void mm_rec_body_backward(mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads,
                          const mm_head_io *io)
{
    body_back(m, a, io->dh, B, nthreads);
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
