/* The nearest tokens of a token by the cosine of their rows in a model's
 * embedding: Bengio et al.'s claim that similar words get similar
 * features, made visible (makemore neighbors). */
#ifndef MM_NEIGHBORS_H
#define MM_NEIGHBORS_H

#include "model.h"

typedef struct {
    int id;
    double cos;
} mm_neighbor;

/* The k ids (other than id, among 0..V-1) whose embedding rows have the
 * largest cosine with id's row, largest first (ties by id); *n gets
 * min(k, V - 1). A row of zeros has cosine 0 with every row. An error for a
 * kind without an embedding or id outside 0..V-1. */
mm_status mm_neighbors(const mm_model *m, int id, int k, mm_neighbor *out, int *n, mm_err *err);

#endif
