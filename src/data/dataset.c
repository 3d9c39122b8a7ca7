#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"

static size_t count_examples(const mm_words *w, const uint32_t *order, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        size_t k = order[i];
        n += w->start[k + 1] - w->start[k] + 1;
    }
    return n;
}

static mm_status missing_char(const mm_words *w, size_t k, uint32_t c, const char *name, mm_err *err)
{
    char u[5] = {0};
    mm_utf8_encode(c, u);
    return mm_fail(err, MM_EFORMAT, "%s:%zu: character '%s' (U+%04X) is not in the model's vocabulary",
                   name, w->line[k], u, (unsigned)c);
}

static mm_status fill_split(mm_split *s, const mm_words *w, const mm_vocab *v,
                            const uint32_t *order, size_t a, size_t b, int T,
                            const char *name, mm_err *err)
{
    s->T = T;
    s->n = count_examples(w, order, a, b);
    s->X = malloc((s->n ? s->n : 1) * (size_t)T * sizeof *s->X);
    s->Y = malloc((s->n ? s->n : 1) * sizeof *s->Y);
    if (!s->X || !s->Y) return mm_fail(err, MM_ENOMEM, "out of memory building %zu examples", s->n);
    size_t e = 0;
    for (size_t i = a; i < b; i++) {
        size_t k = order[i];
        int32_t *ctx = s->X + e * (size_t)T;
        memset(ctx, 0, (size_t)T * sizeof *ctx);
        size_t len = w->start[k + 1] - w->start[k];
        for (size_t c = 0; c <= len; c++) {
            int id = c < len ? mm_vocab_id(v, w->chars[w->start[k] + c]) : 0;
            if (id < 0) return missing_char(w, k, w->chars[w->start[k] + c], name, err);
            s->Y[e] = id;
            if (c < len) {
                /* the next context drops the oldest id and appends this one */
                int32_t *next = s->X + (e + 1) * (size_t)T;
                memcpy(next, ctx + 1, (size_t)(T - 1) * sizeof *ctx);
                next[T - 1] = id;
                ctx = next;
            }
            e++;
        }
    }
    return MM_OK;
}

mm_status mm_dataset_build(mm_dataset *d, const mm_words *w, const mm_vocab *v,
                           int T, uint64_t split_seed, const char *name, mm_err *err)
{
    memset(d, 0, sizeof *d);
    if (T < 1) return mm_fail(err, MM_EINVAL, "block size must be at least 1");
    d->order = malloc(w->nwords * sizeof *d->order);
    if (!d->order) return mm_fail(err, MM_ENOMEM, "out of memory");
    for (size_t i = 0; i < w->nwords; i++) d->order[i] = (uint32_t)i;
    mm_rng rng;
    mm_rng_seed_python(&rng, split_seed);
    mm_rng_shuffle_python(&rng, d->order, w->nwords);
    /* the same double arithmetic as Python's int(0.8*n) */
    size_t n = w->nwords;
    size_t cut[4] = {0, (size_t)(0.8 * (double)n), (size_t)(0.9 * (double)n), n};
    for (int s = 0; s < MM_NSPLITS; s++) {
        d->nwords[s] = cut[s + 1] - cut[s];
        mm_status st = fill_split(&d->split[s], w, v, d->order, cut[s], cut[s + 1], T, name, err);
        if (st) { mm_dataset_free(d); return st; }
    }
    return MM_OK;
}

uint64_t mm_dataset_mem(const mm_words *w, int T)
{
    uint64_t examples = (uint64_t)w->nchars + w->nwords;
    return 4 * examples * ((uint64_t)T + 1) + 4 * (uint64_t)w->nwords;
}

void mm_dataset_free(mm_dataset *d)
{
    for (int s = 0; s < MM_NSPLITS; s++) {
        free(d->split[s].X);
        free(d->split[s].Y);
    }
    free(d->order);
    memset(d, 0, sizeof *d);
}

const char *mm_split_name(int which)
{
    static const char *names[] = {"train", "dev", "test"};
    return which >= 0 && which < MM_NSPLITS ? names[which] : "?";
}

int mm_split_parse(const char *name)
{
    if (!strcmp(name, "train")) return MM_TRAIN;
    if (!strcmp(name, "dev") || !strcmp(name, "val")) return MM_DEV;
    if (!strcmp(name, "test")) return MM_TEST;
    return -1;
}
