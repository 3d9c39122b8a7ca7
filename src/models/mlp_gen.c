/* The MLP's sampling step from a table of its first layer (mlp.h). */
#include "mlp.h"

#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "text.h"

typedef struct {
    const mm_model *m;
    int T, V, H;
    float *table; /* (T, V, H) C[v] @ W1_t for each position t and id v */
    float *W2;    /* (H, ldw) the model's W2 with rows padded to ldw, a
                     multiple of 8, for mm_gemv_forward */
    int ldw;
    float *h;     /* (H) */
} mlp_gen;

void mm_mlp_gen_free(void *state)
{
    mlp_gen *g = state;
    if (!g) return;
    free(g->table);
    free(g->W2);
    free(g->h);
    free(g);
}

static void fill_table(mlp_gen *g)
{
    const int T = g->T, V = g->V, H = g->H, E = g->m->cfg.n_embd;
    const float *C = mm_model_param(g->m, MLP_C), *W1 = mm_model_param(g->m, MLP_W1);
    for (int t = 0; t < T; t++)
        for (int v = 0; v < V; v++) {
            float *row = g->table + ((size_t)t * V + v) * H;
            memset(row, 0, (size_t)H * sizeof *row);
            for (int e = 0; e < E; e++) {
                const float a = C[(size_t)v * E + e];
                const float *w = W1 + ((size_t)t * E + e) * H;
                for (int j = 0; j < H; j++) row[j] += a * w[j];
            }
        }
}

mm_status mm_mlp_gen_build(void **state, const mm_model *m, mm_err *err)
{
    *state = NULL;
    if (m->cfg.direct) return MM_OK; /* the table leaves Wd out: the sampler takes the logits */
    const mm_config *c = &m->cfg;
    /* a vocabulary of words makes the table T V H floats of mostly unused
     * rows: the sampler's logits are cheaper than building it */
    if (c->vocab_size > MM_MAX_VOCAB) return MM_OK;
    mlp_gen *g = calloc(1, sizeof *g);
    if (!g) return mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    *g = (mlp_gen){.m = m, .T = c->block_size, .V = c->vocab_size, .H = c->n_hidden};
    g->ldw = (g->V + 7) / 8 * 8;
    g->table = malloc((size_t)g->T * g->V * g->H * sizeof *g->table);
    g->W2 = calloc((size_t)g->H * g->ldw, sizeof *g->W2);
    g->h = malloc((size_t)g->H * sizeof *g->h);
    if (!g->table || !g->W2 || !g->h) {
        mm_mlp_gen_free(g);
        return mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    }
    fill_table(g);
    const float *W2 = mm_model_param(m, MLP_W2);
    for (int j = 0; j < g->H; j++)
        memcpy(g->W2 + (size_t)j * g->ldw, W2 + (size_t)j * g->V, (size_t)g->V * sizeof *g->W2);
    *state = g;
    return MM_OK;
}

/* The context is the last T ids of the item so far, stop tokens before its
 * start. */
void mm_mlp_gen_step(void *state, const int32_t *seq, int len, float *logits)
{
    mlp_gen *g = state;
    const int T = g->T, V = g->V, H = g->H;
    float *h = g->h;
    memcpy(h, mm_model_param(g->m, MLP_B1), (size_t)H * sizeof *h);
    for (int t = 0; t < T; t++) {
        const int i = len - T + t;
        const float *row = g->table + ((size_t)t * V + (i >= 0 ? seq[i] : 0)) * H;
        for (int j = 0; j < H; j++) h[j] += row[j];
    }
    mm_tanh_forward(h, H);
    mm_gemv_forward(logits, h, g->W2, g->ldw, mm_model_param(g->m, MLP_B2), H, V);
}
