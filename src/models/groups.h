/* A batch's rows grouped by the id they hold at each context position, for
 * the MLP's first layer (internal to the mlp kind: mlp_passes.c).
 *
 * The embedding is a lookup, that is a product with a one-hot matrix, so
 * all rows holding id v at position t share C[v]: the first layer's product
 * C[v] @ W1_t and its two gradients can be taken once per (t, v) group
 * instead of once per row. In the lecture's batches of 32 the 96 (row,
 * position) pairs hold about 40 distinct ones, so the first layer costs
 * 40% of its multiply-adds. The arithmetic differs from the per-row form
 * only in rounding (sums of products become products of sums), and does not
 * depend on the thread count. */
#ifndef MM_GROUPS_H
#define MM_GROUPS_H

#include "model.h"

/* The arrays are the MLP's activation plan's (mlp_acts.c), not the groups'
 * own: this file fills and reads them. */
typedef struct mm_groups {
    int T, B, G;     /* positions, rows and groups per position room was made for */
    int V, E, H;
    int *n;          /* (T) groups at each position */
    int32_t *id;     /* (T, G) each group's id */
    int32_t *of;     /* (B, T) the group of row b at position t */
    float *C;        /* (T, G, E) each group's embedding row */
    float *P;        /* (T, G, H) forward: C[id] @ W1_t; backward: the group's dh summed */
    float *dC;       /* (G, E) */
    int32_t *slot;   /* (V) the group of each id at the position being grouped, */
    uint32_t *mark;  /* (V) valid where mark equals stamp */
    uint32_t stamp;
    int active;      /* the last forward pass went through the groups */
} mm_groups;

/* Whether grouping can pay for batches of up to B rows of model shape c:
 * the tables would not outweigh the batch (T * min(B, V) <= 4 B). */
int mm_groups_fit(const mm_config *c, int B);
/* Sets g's sizes for batches of up to B rows of shape c (G = min(B, V));
 * its arrays are left to the plan. */
void mm_groups_shape(mm_groups *g, const mm_config *c, int B);

/* Groups the B rows of X (B, T); returns 1 if grouping pays (at most three
 * quarters as many groups as (row, position) pairs), else 0. */
int mm_groups_build(mm_groups *g, const int32_t *X, int B);

/* Forward: g->P_t = C[id] @ W1_t for every group of every position. */
void mm_groups_tables(mm_groups *g, const mm_model *m);
/* h (rows r0..r1-1 of (B, H)) = tanh(b1 + sum over t of P_t[of[b, t]]) */
void mm_groups_hidden(const mm_groups *g, const mm_model *m, float *h, int r0, int r1);
/* Backward, from dh (B, H): dW1 += and dC += through the groups (P is
 * overwritten with the groups' summed dh). */
void mm_groups_backward(mm_groups *g, mm_model *m, const float *dh, int B);

#endif
