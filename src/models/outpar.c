#include "outpar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "outlayer.h"

void mm_outpar_rows(int V, int rank, int nranks, int *r0, int *r1)
{
    *r0 = (int)((long long)V * rank / nranks);
    *r1 = (int)((long long)V * (rank + 1) / nranks);
}

mm_status mm_outpar_check(const mm_model *m, int nranks, mm_err *err)
{
    const mm_kind *k = m->kind;
    if (!k->head_of || !k->body_forward || !k->body_backward)
        return mm_fail(err, MM_EINVAL, "--parallel output: the %s kind has no output layer to split; "
                       "use --parallel data", k->name);
    if (m->cfg.vocab_size < nranks)
        return mm_fail(err, MM_EINVAL, "--parallel output: the vocabulary has %d tokens, fewer than the %d "
                       "processes: each needs at least one; use fewer processes or --parallel data",
                       m->cfg.vocab_size, nranks);
    return MM_OK;
}

/* Whether [W; Wd]'s columns must be copied: unless this process owns every
 * row and there is no Wd (W is then used where it lies). */
static int packs(const mm_outpar *o, int V)
{
    return o->direct || o->r0 > 0 || o->r1 < V;
}

static size_t align16(size_t n) { return (n + 15) / 16 * 16; }

/* From this many rows of the output layer on, dL/d[h, x] goes through W^T
 * and the tiled GEMM rather than dot products along the rows: those stream
 * all of W from memory once per few examples, where the GEMM reuses each
 * panel across the batch. Above any character vocabulary (at most 4,095
 * symbols), so character models keep their bits. */
#define DIN_PACKED_MIN_ROWS 4096

mm_status mm_outpar_build(mm_outpar *o, const mm_config *c, int B, const mm_outpar_comm *comm, float *lg_room,
                          mm_err *err)
{
    const mm_kind *k = mm_kind_at(c->kind);
    memset(o, 0, sizeof *o);
    o->comm.nranks = 1;
    if (comm) o->comm = *comm;
    o->io.b = o->io.Wd = -1;
    k->head_of(c, &o->io);
    const int V = c->vocab_size, H = o->io.H, K = o->io.Wd >= 0 ? o->io.K : 0;
    mm_outpar_rows(V, o->comm.rank, o->comm.nranks, &o->r0, &o->r1);
    o->direct = o->io.Wd >= 0;
    o->Nmax = B * (k->layout == MM_LAYOUT_SEQUENCE ? c->block_size : 1);
    o->Kin = H + K;
    const size_t N = (size_t)o->Nmax, R = (size_t)(o->r1 - o->r0), Kin = (size_t)o->Kin;
    const size_t lgf = lg_room ? 0 : align16(N * R), wtf = o->io.din_packed || R >= DIN_PACKED_MIN_ROWS ? align16(Kin * R) : 0;
    const size_t wrf = packs(o, V) ? align16(Kin * R) : 0; /* else W is used where it lies */
    const size_t nf = align16(N * Kin) * 2 + wrf * 2 + lgf + wtf + align16(N * H) +
                      align16(N * K) + align16(N) + 4 * N;
    const size_t nbytes = nf * sizeof(float) + 2 * N * sizeof(double) + 2 * N * sizeof(int32_t) + 64;
    char *p = o->mem = calloc(1, nbytes);
    if (!p) return mm_fail(err, MM_ENOMEM, "out of memory for the output layer's %zu bytes", nbytes);
    o->sums = (double *)p;
    p += 2 * N * sizeof(double);
    float *f = (float *)p;
    o->hx = f, f += align16(N * Kin);
    o->dhx = f, f += align16(N * Kin);
    o->Wr = wrf ? f : NULL, f += wrf;
    o->dWr = wrf ? f : NULL, f += wrf;
    o->lg = lg_room ? lg_room : f, f += lgf;
    o->Wt = wtf ? f : NULL, f += wtf;
    o->dh = f, f += align16(N * H);
    o->dx = f, f += align16(N * K);
    o->mx = f, f += align16(N);
    o->rows = (int32_t *)f;
    o->yc = o->rows + N;
    return MM_OK;
}

void mm_outpar_free(mm_outpar *o)
{
    free(o->mem);
    memset(o, 0, sizeof *o);
}

mm_status mm_outpar_attach(mm_acts *a, const mm_config *c, const mm_outpar_comm *comm, mm_err *err)
{
    mm_outpar_detach(a);
    mm_outpar *o = malloc(sizeof *o);
    if (!o) return mm_fail(err, MM_ENOMEM, "out of memory for the output layer");
    mm_status st = mm_outpar_build(o, c, a->B, comm, a->logits, err);
    if (st) {
        mm_outpar_free(o);
        free(o);
        return st;
    }
    a->head = o;
    return MM_OK;
}

void mm_outpar_detach(mm_acts *a)
{
    if (a->head) mm_outpar_free(a->head);
    free(a->head);
    a->head = NULL;
}

/* The counted rows' [h, x] into hx and their targets into yc. */
static void compact_rows(mm_outpar *o)
{
    const mm_head_io *io = &o->io;
    const int H = io->H, K = o->Kin - H;
    o->n = 0;
    for (int i = 0; i < io->N; i++) {
        if (io->y[i] < 0) continue;
        float *dst = o->hx + (size_t)o->n * o->Kin;
        memcpy(dst, io->h + (size_t)i * H, (size_t)H * sizeof *dst);
        if (K) memcpy(dst + H, io->x + (size_t)i * K, (size_t)K * sizeof *dst);
        o->rows[o->n] = i;
        o->yc[o->n++] = io->y[i];
    }
}

/* One process: the kinds' own softmax (seqloss.h), to the bit. */
static double local_xent(mm_outpar *o, double norm)
{
    const int V = o->r1 - o->r0;
    if (norm <= 0) return 0.0;
    const float scale = 1.0f / (float)norm;
    double total = 0.0, loss;
    for (int i = 0; i < o->n; i++) {
        float *l = o->lg + (size_t)i * V;
        mm_softmax_xent_rows(l, &loss, l, o->yc + i, 1, V, scale);
        total += loss;
    }
    return total / norm;
}

double mm_outpar_forward(mm_outpar *o, mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B,
                         int nthreads)
{
    const int V = m->cfg.vocab_size, R = o->r1 - o->r0, H = o->io.H;
    m->kind->body_forward(m, a, X, Y, B, nthreads, &o->io);
    compact_rows(o);
    const int n = o->n;
    const double norm = a->loss_norm > 0 ? a->loss_norm : (double)n;
    const float *W = mm_model_param(m, o->io.W);
    if (packs(o, V)) {
        mm_cols_get(o->Wr, W, H, V, o->r0, o->r1);
        if (o->direct) mm_cols_get(o->Wr + (size_t)H * R, mm_model_param(m, o->io.Wd), o->Kin - H, V, o->r0, o->r1);
        W = o->Wr;
    }
    const float *b = o->io.b >= 0 ? mm_model_param(m, o->io.b) + o->r0 : NULL;
    if (n) mm_linear_forward(o->lg, o->hx, W, b, n, o->Kin, R, nthreads);
    if (o->comm.nranks == 1) return local_xent(o, norm);
    mm_outlayer_rowmax(o->mx, o->lg, n, R);
    if (o->comm.nranks > 1) o->comm.max_floats(o->comm.ctx, o->mx, n);
    mm_outlayer_expsum(o->lg, o->sums, o->sums + n, o->mx, o->yc, o->r0, n, R);
    if (o->comm.nranks > 1) o->comm.sum_doubles(o->comm.ctx, o->sums, 2 * n);
    if (norm <= 0) return 0.0;
    const double total = mm_outlayer_grad(o->lg, o->sums, o->sums + n, o->yc, o->r0, n, R, 1.0f / (float)norm);
    return total / norm;
}

/* dh and dx of every row of io from the counted rows' dhx: zeros elsewhere. */
static void spread_rows(mm_outpar *o)
{
    mm_head_io *io = &o->io;
    const int H = io->H, K = o->Kin - H;
    memset(o->dh, 0, (size_t)io->N * H * sizeof *o->dh);
    if (K) memset(o->dx, 0, (size_t)io->N * K * sizeof *o->dx);
    for (int i = 0; i < o->n; i++) {
        const float *src = o->dhx + (size_t)i * o->Kin;
        memcpy(o->dh + (size_t)o->rows[i] * H, src, (size_t)H * sizeof *src);
        if (K) memcpy(o->dx + (size_t)o->rows[i] * K, src + H, (size_t)K * sizeof *src);
    }
    io->dh = o->dh;
    io->dx = K ? o->dx : NULL;
}

void mm_outpar_backward(mm_outpar *o, mm_model *m, mm_acts *a, const int32_t *X, int B, int nthreads)
{
    const int V = m->cfg.vocab_size, R = o->r1 - o->r0, H = o->io.H, n = o->n;
    const int pack = packs(o, V);
    const float *W = pack ? o->Wr : mm_model_param(m, o->io.W);
    float *dW = pack ? o->dWr : mm_model_grad(m, o->io.W);
    float *db = o->io.b >= 0 ? mm_model_grad(m, o->io.b) + o->r0 : NULL;
    if (pack) memset(o->dWr, 0, (size_t)o->Kin * R * sizeof *o->dWr);
    if (n && o->Wt) { /* the order of the kind's own backward */
        mm_linear_backward(NULL, dW, db, o->lg, o->hx, W, n, o->Kin, R, nthreads);
        mm_linear_backward_input_packed(o->dhx, o->Wt, o->lg, W, n, o->Kin, R, nthreads);
    } else if (n) {
        mm_linear_backward(o->dhx, dW, db, o->lg, o->hx, W, n, o->Kin, R, nthreads);
    }
    if (pack) {
        mm_cols_add(mm_model_grad(m, o->io.W), o->dWr, H, V, o->r0, o->r1);
        if (o->direct)
            mm_cols_add(mm_model_grad(m, o->io.Wd), o->dWr + (size_t)H * R, o->Kin - H, V, o->r0, o->r1);
    }
    if (o->comm.nranks > 1 && n) o->comm.sum_floats(o->comm.ctx, o->dhx, (size_t)n * o->Kin);
    spread_rows(o);
    m->kind->body_backward(m, a, X, B, nthreads, &o->io);
}

static void gather_tensor(const mm_outpar_comm *c, float *x, int rows, int V)
{
    int r0, r1;
    mm_outpar_rows(V, c->rank, c->nranks, &r0, &r1);
    mm_cols_zero_outside(x, rows, V, r0, r1);
    c->sum_floats(c->ctx, x, (size_t)rows * V);
}

void mm_outpar_gather(const mm_outpar_comm *comm, mm_model *m, float *opt, int nslots)
{
    if (comm->nranks < 2) return;
    mm_head_io io = {.b = -1, .Wd = -1};
    m->kind->head_of(&m->cfg, &io);
    const int V = m->cfg.vocab_size, ids[3] = {io.W, io.b, io.Wd};
    for (int s = -1; s < (opt ? nslots : 0); s++) {
        float *base = s < 0 ? m->params : opt + (size_t)s * m->nparams;
        for (int i = 0; i < 3; i++)
            if (ids[i] >= 0) {
                const mm_tensor *t = &m->tensors[ids[i]];
                gather_tensor(comm, base + t->offset, (int)(t->size / (size_t)V), V);
            }
    }
}

/* Examples per chunk of a split's evaluation: rows enough for the kernels
 * to run at speed (a sequence example is T rows). */
#define EVAL_ROWS 512

mm_status mm_outpar_split_loss(const mm_model *m, const mm_split *s, const mm_outpar_comm *comm, int nthreads,
                               double *loss, mm_err *err)
{
    const int T = m->cfg.block_size, ny = s->ny > 0 ? s->ny : 1;
    const int chunk = ny > 1 ? (EVAL_ROWS / T > 0 ? EVAL_ROWS / T : 1) : EVAL_ROWS;
    const int B = (size_t)chunk < s->n ? chunk : (int)(s->n > 0 ? s->n : 1);
    mm_acts a;
    mm_status st = mm_acts_build(&a, &m->cfg, B, err);
    if (!st) st = mm_outpar_attach(&a, &m->cfg, comm, err);
    double failed = st != MM_OK; /* no process may enter the chunks' collectives alone */
    if (comm->nranks > 1) comm->sum_doubles(comm->ctx, &failed, 1);
    if (failed > 0) {
        mm_acts_free(&a);
        return st ? st : mm_fail(err, MM_ENOMEM, "evaluation failed on another process");
    }
    double total = 0.0;
    size_t count = 0;
    for (size_t r0 = 0; r0 < s->n; r0 += (size_t)B) {
        const int n = s->n - r0 < (size_t)B ? (int)(s->n - r0) : B;
        const int32_t *Y = s->Y + r0 * ny;
        size_t c = 0;
        for (size_t i = 0; i < (size_t)n * ny; i++) c += Y[i] >= 0;
        a.loss_norm = 0;
        /* the body's training forward without dropout (no key) is evaluation's for these kinds */
        const double l = mm_outpar_forward(a.head, (mm_model *)m, &a, s->X + r0 * T, Y, n, nthreads);
        total += l * (double)c;
        count += c;
    }
    mm_acts_free(&a);
    *loss = count ? total / (double)count : NAN;
    return MM_OK;
}
