/* The MLP's activation memory (mm_mlp_acts, mlp.h) in one plan: the size of
 * every array a batch of B rows needs, the group tables (groups.h) among
 * them when grouping can pay. acts_bytes sums the plan and acts_build
 * carves one allocation by it, handing the groups their arrays, so what
 * memory.h estimates is what is allocated, and no other file sizes them. */
#include <stdlib.h>

#include "groups.h"
#include "mlp.h"

/* The arrays, in the order of the allocation. */
enum { A_EMB, A_H, A_LOGITS, A_DH, A_DEMB, A_ROWLOSS, D_MX, D_MH, D_HD,
       G_N, G_ID, G_OF, G_C, G_P, G_DC, G_SLOT, G_MARK, A_COUNT };

#define ALIGN 64 /* each array starts on its own cache line */

static size_t padded(size_t bytes) { return (bytes + ALIGN - 1) / ALIGN * ALIGN; }

/* bytes[i]: array i's size for batches of up to B rows of shape c; the
 * group tables' are 0 when grouping cannot pay (mm_groups_fit). */
static void plan(size_t bytes[A_COUNT], const mm_config *c, int B)
{
    const size_t K = (size_t)c->block_size * c->n_embd, H = (size_t)c->n_hidden, V = (size_t)c->vocab_size;
    const size_t E = (size_t)c->n_embd, T = (size_t)c->block_size, b = (size_t)B, f = sizeof(float);
    const size_t G = (size_t)(B < c->vocab_size ? B : c->vocab_size);
    const int grouped = mm_groups_fit(c, B), dropped = c->dropout > 0.0f;
    size_t want[A_COUNT] = {
        [A_EMB] = b * K * f, [A_H] = b * H * f, [A_LOGITS] = b * V * f, [A_DH] = b * H * f,
        [A_DEMB] = b * K * f, [A_ROWLOSS] = b * sizeof(double),
        [D_MX] = dropped ? b * K * f : 0, [D_MH] = dropped ? b * H * f : 0, [D_HD] = dropped ? b * H * f : 0,
        [G_N] = T * sizeof(int), [G_ID] = T * G * sizeof(int32_t), [G_OF] = b * T * sizeof(int32_t),
        [G_C] = T * G * E * f, [G_P] = T * G * H * f, [G_DC] = G * E * f, [G_SLOT] = V * sizeof(int32_t),
        [G_MARK] = V * sizeof(uint32_t),
    };
    for (int i = 0; i < A_COUNT; i++) bytes[i] = i < G_N || grouped ? want[i] : 0;
}

uint64_t mm_mlp_acts_bytes(const mm_config *c, int B)
{
    size_t bytes[A_COUNT];
    plan(bytes, c, B);
    uint64_t total = 0;
    for (int i = 0; i < A_COUNT; i++) total += padded(bytes[i]);
    return total;
}

/* The groups' tables at their places in the block. */
static mm_groups *give_groups(mm_groups *g, char *const at[A_COUNT], const mm_config *c, int B)
{
    mm_groups_shape(g, c, B);
    g->n = (int *)at[G_N];
    g->id = (int32_t *)at[G_ID];
    g->of = (int32_t *)at[G_OF];
    g->C = (float *)at[G_C];
    g->P = (float *)at[G_P];
    g->dC = (float *)at[G_DC];
    g->slot = (int32_t *)at[G_SLOT];
    g->mark = (uint32_t *)at[G_MARK]; /* zeroed: no id marked yet */
    return g;
}

mm_status mm_mlp_acts_build(mm_acts *a, const mm_config *c, int B, mm_err *err)
{
    mm_mlp_acts *ma = calloc(1, sizeof *ma);
    a->kind_acts = ma;
    size_t bytes[A_COUNT];
    plan(bytes, c, B);
    if (ma) ma->block = calloc(1, (size_t)mm_mlp_acts_bytes(c, B));
    if (!ma || !ma->block) return mm_fail(err, MM_ENOMEM, "out of memory for activations of batch %d", B);
    char *at[A_COUNT];
    size_t off = 0;
    for (int i = 0; i < A_COUNT; i++) {
        at[i] = ma->block + off;
        off += padded(bytes[i]);
    }
    ma->H = c->n_hidden;
    ma->emb = (float *)at[A_EMB];
    ma->h = (float *)at[A_H];
    a->logits = (float *)at[A_LOGITS];
    ma->dh = (float *)at[A_DH];
    ma->demb = (float *)at[A_DEMB];
    ma->rowloss = (double *)at[A_ROWLOSS];
    if (bytes[D_MX]) {
        ma->mx = (float *)at[D_MX];
        ma->mh = (float *)at[D_MH];
        ma->hd = (float *)at[D_HD];
    }
    /* without groups the rows are taken one by one */
    ma->groups = bytes[G_N] ? give_groups(&ma->group_tables, at, c, B) : NULL;
    return MM_OK;
}

void mm_mlp_acts_free(mm_acts *a)
{
    mm_mlp_acts *ma = mm_mlp_acts_of(a);
    a->logits = NULL; /* in the block */
    if (!ma) return;
    free(ma->block);
    free(ma);
}
