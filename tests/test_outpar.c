/* The output layer split across processes (outpar.h), without MPI: P
 * threads stand for P processes, with collectives made of a barrier and
 * sums in rank order. For the lecture MLP with direct connections,
 * bnmlp, wavenet, makemore-mlp, bow, rnn, gru and the transformer, on a vocabulary of 37 (so
 * the shares are uneven) and P = 2, 3, 5:
 *   - every process gets the loss of one process (within 1e-6 relative);
 *   - the gradients of the replicated tensors are the same bits on every
 *     process, and within 1e-5 of one process's (relative to the largest);
 *   - each process's rows of the output layer's gradients are within 1e-5
 *     of one process's, and its other rows are zero;
 *   - mm_outpar_gather gives every process each row from its owner, in
 *     the parameters and an optimizer slot.
 * One process's path is the kinds' training path, checked against
 * central differences in double by test_seqkinds, test_model_deep and
 * test_transformer. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kind.h"
#include "outpar.h"

enum { V = 37, B = 6, MAXP = 5 };

typedef struct {
    int P;
    pthread_barrier_t bar;
    void *slot[MAXP];
} group;

typedef struct {
    group *g;
    int rank;
} member;

enum { SUM_F, MAX_F, SUM_D };

/* Every member's x combined in rank order; every member gets the same bits. */
static void combine(member *me, void *x, size_t n, int op)
{
    group *g = me->g;
    const size_t elt = op == SUM_D ? sizeof(double) : sizeof(float);
    void *out = malloc(n * elt + 1);
    g->slot[me->rank] = x;
    pthread_barrier_wait(&g->bar);
    for (size_t i = 0; i < n; i++) {
        if (op == SUM_D) {
            double s = ((double *)g->slot[0])[i];
            for (int r = 1; r < g->P; r++) s += ((double *)g->slot[r])[i];
            ((double *)out)[i] = s;
        } else {
            float s = ((float *)g->slot[0])[i];
            for (int r = 1; r < g->P; r++) {
                const float v = ((float *)g->slot[r])[i];
                s = op == MAX_F ? (v > s ? v : s) : s + v;
            }
            ((float *)out)[i] = s;
        }
    }
    pthread_barrier_wait(&g->bar);
    memcpy(x, out, n * elt);
    free(out);
}
static void sum_f(void *ctx, float *x, size_t n) { combine(ctx, x, n, SUM_F); }
static void max_f(void *ctx, float *x, int n) { combine(ctx, x, (size_t)n, MAX_F); }
static void sum_d(void *ctx, double *x, int n) { combine(ctx, x, (size_t)n, SUM_D); }

typedef struct {
    const mm_config *c;
    const float *params; /* the start, shared */
    const int32_t *X, *Y;
    member me;
    double loss;
    float *grads, *params_after; /* (nparams) this process's, after backward / after the gather */
    int failed;
} job;

static void *run_rank(void *arg)
{
    job *j = arg;
    mm_err err;
    mm_model m;
    mm_acts a;
    if (mm_model_build(&m, j->c, &err) || mm_acts_build(&a, j->c, B, &err)) {
        j->failed = 1;
        return NULL;
    }
    memcpy(m.params, j->params, m.nparams * sizeof *m.params);
    mm_outpar_comm comm = {j->me.rank, j->me.g->P, &j->me, max_f, sum_d, sum_f};
    if (mm_outpar_attach(&a, j->c, &comm, &err)) j->failed = 1;
    if (!j->failed) {
        mm_model_zero_grad(&m);
        j->loss = mm_model_forward(&m, &a, j->X, j->Y, B, 1);
        mm_model_backward(&m, &a, j->X, B, 1);
        j->grads = malloc(m.nparams * sizeof *j->grads);
        memcpy(j->grads, m.grads, m.nparams * sizeof *j->grads);
        /* every process scribbles over the rows it does not own (and its own
         * are marked with its rank in the slot): the gather must undo it */
        float *slot = malloc(m.nparams * sizeof *slot);
        for (size_t i = 0; i < m.nparams; i++) slot[i] = (float)j->me.rank, m.params[i] += 100.0f * j->me.rank;
        mm_outpar_gather(&comm, &m, slot, 1);
        j->params_after = malloc(2 * m.nparams * sizeof *j->params_after);
        memcpy(j->params_after, m.params, m.nparams * sizeof *m.params);
        memcpy(j->params_after + m.nparams, slot, m.nparams * sizeof *slot);
        free(slot);
    }
    mm_acts_free(&a);
    mm_model_free(&m);
    return NULL;
}

static void make_batch(const mm_config *c, mm_rng *r, int32_t *X, int32_t *Y)
{
    const int T = c->block_size;
    if (mm_kind_at(c->kind)->layout == MM_LAYOUT_CONTEXT) {
        for (int i = 0; i < B * T; i++) X[i] = (int32_t)(mm_rng_u32(r) % V);
        for (int b = 0; b < B; b++) Y[b] = (int32_t)(mm_rng_u32(r) % V);
        return;
    }
    for (int b = 0; b < B; b++) { /* items of 1..T-1 ids, then the stop token, then -1 */
        const int len = 1 + (int)(mm_rng_u32(r) % (uint32_t)(T - 1));
        X[b * T] = 0;
        for (int t = 0; t < T; t++) {
            Y[b * T + t] = t < len ? 1 + (int32_t)(mm_rng_u32(r) % (V - 1)) : t == len ? 0 : -1;
            if (t + 1 < T) X[b * T + t + 1] = t < len ? Y[b * T + t] : 0;
        }
    }
}

static int is_head(const mm_head_io *io, int t)
{
    return t == io->W || t == io->b || t == io->Wd;
}

/* The P processes' results against one process's (ref): see the top. */
static void compare(const char *name, int P, const mm_model *m, const job *jobs, double loss,
                    const float *ref)
{
    mm_head_io io = {.b = -1, .Wd = -1};
    m->kind->head_of(&m->cfg, &io);
    double worst_loss = 0, worst = 0, scale = 1e-30;
    int same = 1, zeros = 1, gathered = 1;
    for (size_t i = 0; i < m->nparams; i++) scale = fmax(scale, fabs(ref[i]));
    for (int r = 0; r < P; r++) {
        int r0, r1;
        mm_outpar_rows(V, r, P, &r0, &r1);
        worst_loss = fmax(worst_loss, fabs(jobs[r].loss - loss) / fabs(loss));
        for (int t = 0; t < m->ntensors; t++) {
            const mm_tensor *tn = &m->tensors[t];
            for (size_t i = 0; i < tn->size; i++) {
                const size_t k = tn->offset + i;
                const float g = jobs[r].grads[k];
                if (!is_head(&io, t)) {
                    same &= memcmp(&g, &jobs[0].grads[k], sizeof g) == 0;
                    worst = fmax(worst, fabs(g - ref[k]) / scale);
                    continue;
                }
                const int col = (int)(i % V), owner = col >= r0 && col < r1;
                if (owner) worst = fmax(worst, fabs(g - ref[k]) / scale);
                else zeros &= g == 0.0f;
                /* after the gather: the owner's value (its start + 100 rank; slot: its rank) */
                int o = 0;
                while (o + 1 < P && (long long)V * (o + 1) / P <= col) o++;
                gathered &= jobs[r].params_after[k] == m->params[k] + 100.0f * o &&
                            jobs[r].params_after[m->nparams + k] == (float)o;
            }
        }
    }
    CHECK(worst_loss <= 1e-6, "%s, P=%d: every process's loss within %.2g of one process's", name, P, worst_loss);
    CHECK(same, "%s, P=%d: the replicated tensors' gradients are the same bits on every process", name, P);
    CHECK(worst <= 1e-5, "%s, P=%d: gradients within %.2g of one process's (relative to the largest)", name, P,
          worst);
    CHECK(zeros, "%s, P=%d: the output rows a process does not own get no gradient", name, P);
    CHECK(gathered, "%s, P=%d: the gather gives every process each output row from its owner", name, P);
}

static void check_kind(const char *name, mm_config c, mm_rng *r)
{
    mm_err err;
    mm_model m;
    mm_acts a;
    c.vocab_size = V;
    if (mm_model_build(&m, &c, &err) || mm_acts_build(&a, &c, B, &err)) {
        CHECK(0, "%s: build: %s", name, err.msg);
        return;
    }
    mm_model_init(&m, MM_INIT_TORCH, r);
    for (int t = 0; t < m.ntensors; t++) /* off the start (zeros), so no gradient vanishes by symmetry */
        for (size_t i = 0; !m.tensors[t].buffer && i < m.tensors[t].size; i++)
            m.params[m.tensors[t].offset + i] += 0.3f * (mm_rng_uniform(r) - 0.5f);
    int32_t X[B * 64], Y[B * 64];
    make_batch(&c, r, X, Y);
    mm_model_zero_grad(&m);
    const double loss = mm_model_forward(&m, &a, X, Y, B, 1);
    mm_model_backward(&m, &a, X, B, 1);
    for (int P = 2; P <= MAXP; P += P == 3 ? 2 : 1) {
        group g = {.P = P};
        pthread_barrier_init(&g.bar, NULL, (unsigned)P);
        job jobs[MAXP];
        pthread_t th[MAXP];
        for (int k = 0; k < P; k++) {
            jobs[k] = (job){.c = &c, .params = m.params, .X = X, .Y = Y, .me = {&g, k}};
            pthread_create(&th[k], NULL, run_rank, &jobs[k]);
        }
        int failed = 0;
        for (int k = 0; k < P; k++) {
            pthread_join(th[k], NULL);
            failed |= jobs[k].failed;
        }
        pthread_barrier_destroy(&g.bar);
        if (failed) CHECK(0, "%s, P=%d: a process could not build", name, P);
        else compare(name, P, &m, jobs, loss, m.grads);
        for (int k = 0; k < P; k++) {
            free(jobs[k].grads);
            free(jobs[k].params_after);
        }
    }
    mm_acts_free(&a);
    mm_model_free(&m);
}

enum { NKINDS = 8, NP = 3, CHECKS = 5 }; /* kinds, values of P, checks of compare() */

int main(void)
{
    PLAN(NKINDS * NP * CHECKS);
    mm_rng r;
    mm_rng_seed_torch(&r, 1234);
    check_kind("mlp --direct", (mm_config){.block_size = 3, .n_embd = 4, .n_hidden = 8, .direct = 1}, &r);
    check_kind("bnmlp", (mm_config){.kind = MM_MODEL_BNMLP, .block_size = 3, .n_embd = 4, .n_hidden = 8,
                                    .n_layers = 2, .bn_momentum = 0.1f}, &r);
    check_kind("wavenet", (mm_config){.kind = MM_MODEL_WAVENET, .block_size = 4, .n_embd = 4, .n_hidden = 8,
                                      .bn_momentum = 0.1f}, &r);
    check_kind("makemore-mlp", (mm_config){.kind = MM_MODEL_MAKEMORE_MLP, .block_size = 6, .n_embd = 4,
                                           .n_hidden = 8}, &r);
    check_kind("bow", (mm_config){.kind = MM_MODEL_BOW, .block_size = 6, .n_embd = 4, .n_hidden = 8}, &r);
    check_kind("rnn", (mm_config){.kind = MM_MODEL_RNN, .block_size = 6, .n_embd = 4, .n_hidden = 8}, &r);
    check_kind("gru", (mm_config){.kind = MM_MODEL_GRU, .block_size = 6, .n_embd = 4, .n_hidden = 8}, &r);
    check_kind("transformer", (mm_config){.kind = MM_MODEL_TRANSFORMER, .block_size = 6, .n_embd = 8,
                                          .n_hidden = 8, .n_layers = 1, .n_heads = 2}, &r);
    return CHECK_DONE();
}
