#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "words.h"

static size_t word_len(const mm_words *w, size_t k) { return w->start[k + 1] - w->start[k]; }

static size_t count_examples(const mm_words *w, const uint32_t *order, size_t a, size_t b, const mm_data_opts *o)
{
    if (o->sequence) return b - a;
    size_t n = 0;
    for (size_t i = a; i < b; i++) n += word_len(w, order[i]) + (o->stream ? 0 : 1);
    return n;
}

static mm_status missing_char(const mm_words *w, size_t k, uint32_t c, const char *name, mm_err *err)
{
    char u[5] = {0};
    mm_utf8_encode(c, u);
    return mm_fail(err, MM_EFORMAT, "%s:%zu: character '%s' (U+%04X) is not in the model's vocabulary",
                   name, w->line[k], u, (unsigned)c);
}

/* Word k's ids into ids (its length); 0 or the error. */
static mm_status encode(int32_t *ids, const mm_words *w, const mm_vocab *v, size_t k, const char *name,
                        mm_err *err)
{
    for (size_t c = 0; c < word_len(w, k); c++) {
        const uint32_t cp = w->chars[w->start[k] + c];
        const int id = mm_vocab_id(v, cp);
        if (id < 0) return missing_char(w, k, cp, name, err);
        ids[c] = id;
    }
    return MM_OK;
}

/* The context layout: word k's len + 1 examples from e on. */
static void fill_contexts(mm_split *s, size_t e, const int32_t *ids, size_t len)
{
    const int T = s->T;
    int32_t *ctx = s->X + e * (size_t)T;
    memset(ctx, 0, (size_t)T * sizeof *ctx);
    for (size_t c = 0; c <= len; c++, e++) {
        const int id = c < len ? ids[c] : 0;
        s->Y[e] = id;
        if (c < len) {
            /* the next context drops the oldest id and appends this one */
            int32_t *next = s->X + (e + 1) * (size_t)T;
            memcpy(next, ctx + 1, (size_t)(T - 1) * sizeof *ctx);
            next[T - 1] = id;
            ctx = next;
        }
    }
}

/* The running text (stream): word k's len examples from e on, its first
 * context going on from the previous item's (ctx, T ids, updated). */
static void fill_stream(mm_split *s, size_t e, int32_t *ctx, const int32_t *ids, size_t len)
{
    const int T = s->T;
    for (size_t c = 0; c < len; c++, e++) {
        memcpy(s->X + e * (size_t)T, ctx, (size_t)T * sizeof *ctx);
        s->Y[e] = ids[c];
        memmove(ctx, ctx + 1, (size_t)(T - 1) * sizeof *ctx);
        ctx[T - 1] = ids[c];
    }
}

/* The sequence layout: word k as example e. */
static void fill_sequence(mm_split *s, size_t e, const int32_t *ids, size_t len)
{
    const size_t T = (size_t)s->T;
    int32_t *x = s->X + e * T, *y = s->Y + e * T;
    x[0] = 0;
    for (size_t t = 1; t < T; t++) x[t] = t <= len ? ids[t - 1] : 0;
    for (size_t t = 0; t < T; t++) y[t] = t < len ? ids[t] : t == len ? 0 : -1;
}

static mm_status fill_split(mm_split *s, const mm_words *w, const mm_vocab *v, const uint32_t *order,
                            size_t a, size_t b, const mm_data_opts *o, const char *name, int32_t *ids, mm_err *err)
{
    s->T = o->T;
    s->ny = o->sequence ? o->T : 1;
    s->n = count_examples(w, order, a, b, o);
    s->X = malloc((s->n ? s->n : 1) * (size_t)s->T * sizeof *s->X);
    s->Y = malloc((s->n ? s->n : 1) * (size_t)s->ny * sizeof *s->Y);
    int32_t *ctx = o->stream ? calloc((size_t)s->T, sizeof *ctx) : NULL; /* the running context, stop tokens first */
    if (!s->X || !s->Y || (o->stream && !ctx)) {
        free(ctx);
        return mm_fail(err, MM_ENOMEM, "out of memory building %zu examples", s->n);
    }
    mm_status st = MM_OK;
    size_t e = 0;
    for (size_t i = a; i < b; i++) {
        const size_t k = order[i], len = word_len(w, k);
        if (len > MM_MAX_LINE_CHARS && !w->tokens) {
            st = mm_fail(err, MM_EINVAL, "%s:%zu: line longer than %d characters", name, w->line[k], MM_MAX_LINE_CHARS);
            break;
        }
        if ((st = encode(ids, w, v, k, name, err))) break;
        if (o->sequence && len + 1 > (size_t)o->T) {
            st = mm_fail(err, MM_EINVAL, "%s:%zu: an item of %zu %s does not fit --block-size %d: a "
                         "sequence model needs the longest item + 1 (%zu)", name, w->line[k], len,
                         w->tokens ? "words" : "characters", o->T, mm_words_longest(w) + 1);
            break;
        }
        if (o->sequence) {
            fill_sequence(s, e++, ids, len);
        } else if (o->stream) {
            fill_stream(s, e, ctx, ids, len);
            e += len;
        } else {
            fill_contexts(s, e, ids, len);
            e += len + 1;
        }
        s->ntargets += len + (o->stream ? 0 : 1);
    }
    free(ctx);
    return st;
}

mm_status mm_split_sizes_check(const double sizes[2], mm_err *err)
{
    for (int i = 0; i < 2; i++)
        if (!(sizes[i] >= 0 && sizes[i] <= 1e15) || (sizes[i] >= 1 && sizes[i] != (double)(uint64_t)sizes[i]))
            return mm_fail(err, MM_EINVAL, "--split-sizes: %g is neither a fraction in [0, 1) nor a count of "
                           "tokens", sizes[i]);
    if (sizes[0] < 1 && sizes[1] < 1 && sizes[0] + sizes[1] > 1)
        return mm_fail(err, MM_EINVAL, "--split-sizes: the fractions %g and %g add up to more than 1", sizes[0],
                       sizes[1]);
    return MM_OK;
}

/* Items in file order, cut where the tokens before an item reach each size. */
static void split_ordered(uint32_t *order, const mm_words *w, const double sizes[2], size_t cut[4])
{
    const size_t n = w->nwords;
    const double total = (double)w->nchars;
    double s[2] = {sizes[0], sizes[1]};
    if (s[0] == 0 && s[1] == 0) s[0] = 0.8, s[1] = 0.1;
    for (int i = 0; i < 2; i++)
        if (s[i] < 1) s[i] = s[i] * total;
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    cut[0] = 0;
    cut[3] = n;
    size_t k = 0, before = 0;
    for (int c = 0; c < 2; c++) {
        const size_t from = before;
        while (k < n && (double)(before - from) < s[c]) before += word_len(w, k++);
        cut[c + 1] = k;
    }
}

mm_status mm_split_sizes_parse(const char *text, double sizes[2], mm_err *err)
{
    const char *p = text;
    for (int i = 0; i < 2; i++) {
        char *end;
        sizes[i] = strtod(p, &end);
        if (end == p || (*end && *end != '/' && *end != ','))
            return mm_fail(err, MM_EINVAL, "--split-sizes '%s': expected TRAIN/DEV, each a count of tokens or a "
                           "fraction (e.g. 800000/200000 or 0.8/0.1); the test split is the rest", text);
        p = *end ? end + 1 : end;
        if (i == 0 && !*end) return mm_fail(err, MM_EINVAL, "--split-sizes '%s': give TRAIN/DEV", text);
    }
    if (*p && strcmp(p, "rest"))
        return mm_fail(err, MM_EINVAL, "--split-sizes '%s': the test split is the rest (TRAIN/DEV or TRAIN/DEV/rest)",
                       text);
    return mm_split_sizes_check(sizes, err);
}

int mm_tokens_parse(const char *name)
{
    if (!strcmp(name, "char")) return MM_TOKENS_CHAR;
    if (!strcmp(name, "word")) return MM_TOKENS_WORD;
    return -1;
}

const char *mm_tokens_name(int tokens)
{
    return tokens == MM_TOKENS_WORD ? "word" : "char";
}

void mm_split_items(uint32_t *order, const mm_words *w, const mm_data_opts *o, size_t cut[4])
{
    if (o->split_kind == MM_SPLIT_ORDERED) split_ordered(order, w, o->sizes, cut);
    else mm_split_order(order, w->nwords, o->split_kind, o->split_seed, cut);
}

void mm_split_order(uint32_t *order, size_t n, int split_kind, uint64_t split_seed, size_t cut[4])
{
    mm_rng rng;
    cut[0] = 0;
    cut[3] = n;
    if (split_kind == MM_SPLIT_MAKEMORE) {
        mm_rng_seed_torch(&rng, split_seed);
        mm_rng_randperm_torch(&rng, order, n);
        /* Python's int(len(words) * 0.1); rp[:-0] is empty, so with no test
         * items makemore.py trains on none and tests on all */
        size_t ntest = (size_t)((double)n * 0.1);
        ntest = ntest < 1000 ? ntest : 1000;
        cut[1] = cut[2] = ntest ? n - ntest : 0;
        return;
    }
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    mm_rng_seed_python(&rng, split_seed);
    mm_rng_shuffle_python(&rng, order, n);
    /* the same double arithmetic as Python's int(0.8*n) */
    cut[1] = (size_t)(0.8 * (double)n);
    cut[2] = (size_t)(0.9 * (double)n);
}

mm_status mm_init_rng(mm_rng *r, uint64_t seed, int split_kind, uint64_t split_seed, size_t nwords, mm_err *err)
{
    mm_rng_seed_torch(r, seed);
    if (split_kind != MM_SPLIT_MAKEMORE || seed != split_seed || nwords == 0) return MM_OK;
    uint32_t *order = malloc(nwords * sizeof *order); /* (nwords) */
    if (!order) return mm_fail(err, MM_ENOMEM, "out of memory for the split of %zu items", nwords);
    mm_rng_randperm_torch(r, order, nwords);
    free(order);
    return MM_OK;
}

mm_status mm_dataset_build(mm_dataset *d, const mm_words *w, const mm_vocab *v, const mm_data_opts *o,
                           const char *name, mm_err *err)
{
    memset(d, 0, sizeof *d);
    if (o->T < 1) return mm_fail(err, MM_EINVAL, "block size must be at least 1");
    if (o->split_kind < MM_SPLIT_LECTURE || o->split_kind > MM_SPLIT_ORDERED)
        return mm_fail(err, MM_EINVAL, "unknown split kind %d", o->split_kind);
    if (w->tokens == MM_TOKENS_WORD && (!w->bound || !v->words))
        return mm_fail(err, MM_EINVAL, "%s: words not yet given the vocabulary's ids", name);
    if (o->stream && o->sequence)
        return mm_fail(err, MM_EINVAL, "--stream: a model of whole items (the sequence layout) cannot read "
                       "running text");
    d->order = malloc((w->nwords ? w->nwords : 1) * sizeof *d->order);
    /* an item's ids: the longest item's worth */
    size_t longest = mm_words_longest(w);
    int32_t *ids = malloc((longest ? longest : 1) * sizeof *ids);
    if (!d->order || !ids) {
        free(ids);
        mm_dataset_free(d);
        return mm_fail(err, MM_ENOMEM, "out of memory");
    }
    size_t cut[4];
    mm_split_items(d->order, w, o, cut);
    mm_status st = MM_OK;
    for (int s = 0; s < MM_NSPLITS && !st; s++) {
        d->nwords[s] = cut[s + 1] - cut[s];
        st = fill_split(&d->split[s], w, v, d->order, cut[s], cut[s + 1], o, name, ids, err);
    }
    free(ids);
    if (st) mm_dataset_free(d);
    return st;
}

mm_status mm_data_vocab(mm_vocab *v, mm_words *w, const mm_data_opts *o, const mm_vocab *given, const char *name,
                        mm_err *err)
{
    memset(v, 0, sizeof *v);
    if (w->tokens != MM_TOKENS_WORD) {
        if (given && given->words)
            return mm_fail(err, MM_EINVAL, "%s: the model has word tokens: read the file as words", name);
        return mm_vocab_build(v, w, name, err);
    }
    if (given && !given->words)
        return mm_fail(err, MM_EINVAL, "%s: the model has character tokens: read the file as characters", name);
    mm_status st;
    if (given) {
        st = mm_vocab_copy(v, given, err);
    } else {
        uint32_t *order = malloc(w->nwords * sizeof *order);
        if (!order) return mm_fail(err, MM_ENOMEM, "%s: out of memory", name);
        size_t cut[4];
        mm_split_items(order, w, o, cut);
        if (o->vocab_all) cut[0] = 0, cut[1] = w->nwords; /* every split's items: order is a permutation */
        st = mm_vocab_build_words(v, w, order + cut[0], cut[1] - cut[0], o->min_count ? o->min_count : 1, name, err);
        free(order);
    }
    if (!st) st = mm_words_bind(w, v, err);
    if (st) mm_vocab_free(v);
    return st;
}

uint64_t mm_dataset_mem(const mm_words *w, const mm_data_opts *o)
{
    const uint64_t T = (uint64_t)(o->T > 0 ? o->T : 1), order = 4 * (uint64_t)w->nwords;
    if (o->sequence) return 4 * (uint64_t)w->nwords * 2 * T + order;
    uint64_t examples = (uint64_t)w->nchars + w->nwords;
    return 4 * examples * (T + 1) + order;
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

int mm_split_kind_parse(const char *name)
{
    if (!strcmp(name, "lecture")) return MM_SPLIT_LECTURE;
    if (!strcmp(name, "makemore")) return MM_SPLIT_MAKEMORE;
    if (!strcmp(name, "ordered")) return MM_SPLIT_ORDERED;
    return -1;
}

const char *mm_split_kind_name(int kind)
{
    return kind == MM_SPLIT_MAKEMORE  ? "makemore"
           : kind == MM_SPLIT_LECTURE ? "lecture"
           : kind == MM_SPLIT_ORDERED ? "ordered"
                                      : "?";
}
