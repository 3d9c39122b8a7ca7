#include "groups.h"

#include <string.h>

#include "kernels.h"
#include "mlp.h"

int mm_groups_fit(const mm_config *c, int B)
{
    const long G = B < c->vocab_size ? B : c->vocab_size;
    return (long)c->block_size * G <= 4L * B;
}

void mm_groups_shape(mm_groups *g, const mm_config *c, int B)
{
    const int V = c->vocab_size;
    *g = (mm_groups){.T = c->block_size, .B = B, .G = B < V ? B : V, .V = V, .E = c->n_embd, .H = c->n_hidden};
}

int mm_groups_build(mm_groups *g, const int32_t *X, int B)
{
    const int T = g->T;
    long total = 0;
    for (int t = 0; t < T; t++) {
        if (++g->stamp == 0) { /* wrapped after 4 billion positions: start the marks afresh */
            memset(g->mark, 0, (size_t)g->V * sizeof *g->mark);
            g->stamp = 1;
        }
        int n = 0;
        for (int b = 0; b < B; b++) { /* groups numbered in order of first row */
            const int32_t v = X[(long)b * T + t];
            if (g->mark[v] != g->stamp) {
                g->mark[v] = g->stamp;
                g->slot[v] = n;
                g->id[(long)t * g->G + n++] = v;
            }
            g->of[(long)b * T + t] = g->slot[v];
        }
        g->n[t] = n;
        total += n;
    }
    return 4 * total <= 3L * B * T;
}

void mm_groups_tables(mm_groups *g, const mm_model *m)
{
    const int E = g->E, H = g->H;
    const float *Cm = mm_model_param(m, MLP_C), *W1 = mm_model_param(m, MLP_W1);
    for (int t = 0; t < g->T; t++) {
        float *C = g->C + (long)t * g->G * E;
        for (int i = 0; i < g->n[t]; i++)
            memcpy(C + (long)i * E, Cm + (long)g->id[(long)t * g->G + i] * E, (size_t)E * sizeof *C);
        mm_linear_forward(g->P + (long)t * g->G * H, C, W1 + (long)t * E * H, NULL, g->n[t], E, H, 1);
    }
}

void mm_groups_hidden(const mm_groups *g, const mm_model *m, float *h, int r0, int r1)
{
    const int T = g->T, H = g->H;
    const float *b1 = mm_model_param(m, MLP_B1);
    for (int b = r0; b < r1; b++) {
        float *row = h + (long)b * H;
        memcpy(row, b1, (size_t)H * sizeof *row);
        for (int t = 0; t < T; t++) {
            const float *p = g->P + ((long)t * g->G + g->of[(long)b * T + t]) * H;
            for (int j = 0; j < H; j++) row[j] += p[j];
        }
    }
    mm_tanh_forward(h + (long)r0 * H, (long)(r1 - r0) * H);
}

/* The rows' dh summed per group, rows in order, into P. */
static void sum_groups(mm_groups *g, const float *dh, int B, int t)
{
    const int H = g->H;
    float *P = g->P + (long)t * g->G * H;
    memset(P, 0, (size_t)g->n[t] * H * sizeof *P);
    for (int b = 0; b < B; b++) {
        float *p = P + (long)g->of[(long)b * g->T + t] * H;
        const float *d = dh + (long)b * H;
        for (int j = 0; j < H; j++) p[j] += d[j];
    }
}

void mm_groups_backward(mm_groups *g, mm_model *m, const float *dh, int B)
{
    const int E = g->E, H = g->H;
    const float *W1 = mm_model_param(m, MLP_W1);
    float *dW1 = mm_model_grad(m, MLP_W1), *dC = mm_model_grad(m, MLP_C);
    for (int t = 0; t < g->T; t++) {
        const int n = g->n[t];
        const float *C = g->C + (long)t * g->G * E, *P = g->P + (long)t * g->G * H;
        sum_groups(g, dh, B, t);
        /* W1_t's gradient is C[id]^T @ (summed dh); C[id]'s is (summed dh) @ W1_t^T */
        mm_linear_backward_weights(dW1 + (long)t * E * H, P, C, n, E, H, 0, E);
        mm_linear_backward_input(g->dC, P, W1 + (long)t * E * H, n, E, H);
        for (int i = 0; i < n; i++) {
            float *d = dC + (long)g->id[(long)t * g->G + i] * E;
            for (int e = 0; e < E; e++) d[e] += g->dC[(long)i * E + e];
        }
    }
}
