/* The registry of model kinds. A kind's id (model.h) is stored in model.bin,
 * so each one keeps its place here; adding a kind is one line below. */
#include "kind.h"

#include <stdio.h>
#include <string.h>

/* X(ID, name): the kind MM_MODEL_ID is the table mm_kind_name (in its own file). */
#define MM_KINDS(X)                \
    X(MLP, mlp)                    \
    X(BNMLP, bnmlp)                \
    X(WAVENET, wavenet)            \
    X(BIGRAM, bigram)              \
    X(MAKEMORE_MLP, makemore_mlp)  \
    X(RNN, rnn)                    \
    X(GRU, gru)                    \
    X(BOW, bow)                    \
    X(TRANSFORMER, transformer)    \
    X(KN, kn)

#define DECLARE(ID, name) extern const mm_kind mm_kind_##name;
#define ENTRY(ID, name) [MM_MODEL_##ID] = &mm_kind_##name,
MM_KINDS(DECLARE)
static const mm_kind *const KINDS[] = {MM_KINDS(ENTRY)};

#define NKINDS ((int)(sizeof KINDS / sizeof *KINDS))

int mm_kind_count(void) { return NKINDS; }

const mm_kind *mm_kind_at(int id)
{
    return id >= 0 && id < NKINDS ? KINDS[id] : NULL;
}

int mm_kind_find(const char *name)
{
    for (int i = 0; i < NKINDS; i++)
        if (KINDS[i] && !strcmp(KINDS[i]->name, name)) return i;
    return -1;
}

/* Built once, under a lock in case two threads ask first at once. */
const char *mm_kind_names(void)
{
    static char names[512];
    static int done;
#pragma omp critical(mm_kind_names)
    if (!done) {
        size_t len = 0;
        int k = 0;
        for (int i = 0; i < NKINDS; i++) {
            if (!KINDS[i] || len >= sizeof names) continue;
            len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", k++ ? ", " : "", KINDS[i]->name);
        }
        done = 1;
    }
    return names;
}
