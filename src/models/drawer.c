#include "drawer.h"

#include <stdlib.h>
#include <string.h>

mm_status mm_drawer_build(mm_drawer *d, const mm_model *m, const mm_vocab *v, const mm_sample_opts *opts,
                          uint64_t seed, const char *prefix, const char *what, const mm_itemset *set, mm_err *err)
{
    memset(d, 0, sizeof *d);
    const mm_sample_opts resolved = mm_sample_opts_resolve(m, opts), *o = &resolved;
    if (o->max_len < 1) return mm_fail(err, MM_EINVAL, "--max-len must be >= 1");
    d->v = v;
    d->set = set;
    d->prefix = malloc((size_t)o->max_len * sizeof *d->prefix);
    d->ids = malloc((size_t)o->max_len * sizeof *d->ids);
    d->text_cap = mm_vocab_text_cap(v, o->max_len);
    if (d->text_cap > 1 << 16) d->text_cap = 1 << 16;
    d->text = malloc(d->text_cap);
    mm_status st = d->prefix && d->ids && d->text ? MM_OK : mm_fail(err, MM_ENOMEM, "out of memory for sampling");
    if (!st) st = mm_vocab_encode(v, prefix, d->prefix, o->max_len, &d->np, what, err);
    if (!st) st = mm_sampler_build(&d->s, m, o, err);
    if (st) {
        free(d->prefix);
        free(d->ids);
        free(d->text);
        memset(d, 0, sizeof *d);
        return st;
    }
    mm_rng_seed_torch(&d->rng, seed);
    return MM_OK;
}

const char *mm_drawer_next(mm_drawer *d, int *split)
{
    int n = mm_sample_complete(&d->s, &d->rng, d->prefix, d->np, d->ids);
    if (n < 0) return NULL;
    size_t need = 1;
    for (int i = 0; i < n; i++) need += strlen(mm_vocab_token(d->v, d->ids[i])) + 1;
    if (need > d->text_cap) {
        char *t = realloc(d->text, need);
        if (!t) return NULL;
        d->text = t;
        d->text_cap = need;
    }
    mm_vocab_text(d->v, d->ids, n, d->text);
    *split = d->set ? mm_itemset_find(d->set, d->v, d->ids, n) : MM_UNMARKED;
    if (*split != MM_UNMARKED) d->count[*split >= 0 ? *split : MM_NSPLITS]++;
    return d->text;
}

void mm_drawer_free(mm_drawer *d)
{
    if (d->ids) mm_sampler_free(&d->s);
    free(d->prefix);
    free(d->ids);
    free(d->text);
    memset(d, 0, sizeof *d);
}
