#include "words.h"

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The distinct words met while reading, each numbered in order of first use. */
typedef struct {
    mm_words *w;
    size_t bytes, cap_bytes, cap_types;
    uint32_t *slot; /* (mask + 1) type + 1, or 0 */
    size_t mask;
} interner;

static int grow_slots(interner *in)
{
    const size_t cap = (in->mask + 1) * 2;
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot) return -1;
    for (size_t i = 0; i <= in->mask; i++) {
        if (!in->slot[i]) continue;
        const char *s = in->w->types + in->w->type_at[in->slot[i] - 1];
        size_t j = (size_t)hash_bytes(s, strlen(s)) & (cap - 1);
        while (slot[j]) j = (j + 1) & (cap - 1);
        slot[j] = in->slot[i];
    }
    free(in->slot);
    in->slot = slot;
    in->mask = cap - 1;
    return 0;
}

/* Room for one more type of n bytes (and its NUL). */
static int reserve_type(interner *in, size_t n)
{
    mm_words *w = in->w;
    if (w->ntypes + 1 >= UINT32_MAX) return -1;
    if (2 * (w->ntypes + 1) > in->mask + 1 && grow_slots(in)) return -1;
    if (w->ntypes == in->cap_types) {
        size_t cap = in->cap_types ? 2 * in->cap_types : 1024;
        size_t *at = realloc(w->type_at, cap * sizeof *at);
        if (!at) return -1;
        w->type_at = at;
        in->cap_types = cap;
    }
    if (in->bytes + n + 1 > in->cap_bytes) {
        size_t cap = in->cap_bytes ? 2 * in->cap_bytes : 1 << 16;
        while (cap < in->bytes + n + 1) cap *= 2;
        char *t = realloc(w->types, cap);
        if (!t) return -1;
        w->types = t;
        in->cap_bytes = cap;
    }
    return 0;
}

/* The type number of the word s[0..n), added if new; -1 out of memory. */
static long intern(interner *in, const char *s, size_t n)
{
    size_t j = (size_t)hash_bytes(s, n) & in->mask;
    for (; in->slot[j]; j = (j + 1) & in->mask) {
        const char *t = in->w->types + in->w->type_at[in->slot[j] - 1];
        if (!strncmp(t, s, n) && t[n] == 0) return (long)in->slot[j] - 1;
    }
    if (reserve_type(in, n)) return -1;
    /* the table may have grown: find the empty slot again */
    for (j = (size_t)hash_bytes(s, n) & in->mask; in->slot[j]; j = (j + 1) & in->mask) {}
    mm_words *w = in->w;
    w->type_at[w->ntypes] = in->bytes;
    memcpy(w->types + in->bytes, s, n);
    w->types[in->bytes + n] = 0;
    in->bytes += n + 1;
    in->slot[j] = (uint32_t)++w->ntypes;
    return (long)w->ntypes - 1;
}

static mm_status check_line(const unsigned char *p, size_t len, const char *name, size_t lineno, mm_err *err)
{
    for (size_t i = 0; i < len;) {
        if (p[i] == 0)
            return mm_fail(err, MM_EFORMAT, "%s:%zu: NUL byte in text (is this a binary file?)", name, lineno);
        if (p[i] < 0x80) { i++; continue; }
        uint32_t cp;
        int k = mm_utf8_decode(p + i, len - i, &cp);
        if (!k) return mm_fail(err, MM_EFORMAT, "%s:%zu: invalid UTF-8 at byte %zu of the line", name, lineno, i + 1);
        i += (size_t)k;
    }
    return MM_OK;
}

static mm_status parse_line(interner *in, const unsigned char *p, size_t len, const char *name, size_t lineno,
                            mm_err *err)
{
    mm_words *w = in->w;
    mm_status st = check_line(p, len, name, lineno, err);
    if (st) return st;
    const size_t first = w->nchars;
    for (size_t i = 0; i < len;) {
        while (i < len && mm_word_space(p[i])) i++;
        size_t j = i;
        while (j < len && !mm_word_space(p[j])) j++;
        if (j == i) break;
        long t = intern(in, (const char *)p + i, j - i);
        if (t < 0) return mm_fail(err, MM_ENOMEM, "%s:%zu: out of memory for the words", name, lineno);
        w->chars[w->nchars++] = (uint32_t)t;
        i = j;
    }
    if (w->nchars == first) return MM_OK; /* blank */
    w->line[w->nwords] = lineno;
    w->start[++w->nwords] = w->nchars;
    return MM_OK;
}

size_t mm_words_count(const char *buf, size_t len)
{
    size_t n = 0;
    int in_word = 0;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = (unsigned char)buf[i];
        const int word = c != '\n' && !mm_word_space(c);
        n += word && !in_word;
        in_word = word;
    }
    return n;
}

mm_status mm_words_parse_words(mm_words *w, const char *buf, size_t len, const char *name, mm_err *err)
{
    memset(w, 0, sizeof *w);
    w->tokens = MM_TOKENS_WORD;
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += buf[i] == '\n';
    interner in = {.w = w, .mask = 1023};
    in.slot = calloc(in.mask + 1, sizeof *in.slot);
    /* 4 bytes a word, counted first: not 4 a byte */
    const size_t nwords = mm_words_count(buf, len);
    w->chars = malloc((nwords ? nwords : 1) * sizeof *w->chars);
    w->start = malloc((nlines + 1) * sizeof *w->start);
    w->line = malloc(nlines * sizeof *w->line);
    mm_status st = MM_OK;
    if (!in.slot || !w->chars || !w->start || !w->line)
        st = mm_fail(err, MM_ENOMEM, "%s: out of memory reading %zu bytes", name, len);
    const unsigned char *p = (const unsigned char *)buf;
    size_t lineno = 0, pos = len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3) ? 3 : 0;
    if (!st) w->start[0] = 0;
    while (!st && pos < len) {
        const unsigned char *nl = memchr(p + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - p) : len;
        st = parse_line(&in, p + pos, end - pos, name, ++lineno, err);
        pos = end + 1;
    }
    free(in.slot);
    if (!st && w->nwords == 0)
        st = mm_fail(err, MM_EFORMAT, "%s: no items (the file is empty or has only blank lines)", name);
    if (st) {
        mm_words_free(w);
        return st;
    }
    w->tokens = MM_TOKENS_WORD;
    mm_sha256_of(buf, len, w->sha256);
    return MM_OK;
}

typedef struct {
    uint64_t count;
    const char *word;
} counted;

static int by_count(const void *a, const void *b)
{
    const counted *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

mm_status mm_vocab_build_words(mm_vocab *v, const mm_words *w, const uint32_t *items, size_t n, int min_count,
                               const char *name, mm_err *err)
{
    memset(v, 0, sizeof *v);
    if (w->tokens != MM_TOKENS_WORD || w->bound) return mm_fail(err, MM_EINVAL, "%s: not a file read as words", name);
    if (min_count < 1) return mm_fail(err, MM_EINVAL, "--min-count must be at least 1");
    uint64_t *count = calloc(w->ntypes ? w->ntypes : 1, sizeof *count);
    counted *keep = malloc((w->ntypes ? w->ntypes : 1) * sizeof *keep);
    const char **list = malloc((w->ntypes ? w->ntypes : 1) * sizeof *list);
    mm_status st = count && keep && list ? MM_OK : mm_fail(err, MM_ENOMEM, "%s: out of memory", name);
    for (size_t i = 0; !st && i < n; i++)
        for (size_t c = w->start[items[i]]; c < w->start[items[i] + 1]; c++) count[w->chars[c]]++;
    size_t nkeep = 0;
    for (size_t t = 0; !st && t < w->ntypes; t++) {
        const char *word = w->types + w->type_at[t];
        if (count[t] >= (uint64_t)min_count && strcmp(word, MM_UNK_TEXT)) keep[nkeep++] = (counted){count[t], word};
    }
    if (!st && nkeep == 0)
        st = mm_fail(err, MM_EINVAL, "%s: no word occurs %d time%s in the training split: the vocabulary would "
                     "be empty (lower --min-count)", name, min_count, min_count == 1 ? "" : "s");
    if (!st && nkeep + 2 > MM_MAX_WORD_VOCAB)
        st = mm_fail(err, MM_ENOMEM, "%s: %zu distinct words, over the limit of %d: raise --min-count", name,
                     nkeep, MM_MAX_WORD_VOCAB - 2);
    if (!st) {
        qsort(keep, nkeep, sizeof *keep, by_count);
        for (size_t i = 0; i < nkeep; i++) list[i] = keep[i].word;
        st = mm_vocab_from_word_array(v, list, nkeep, err);
    }
    free(count);
    free(keep);
    free(list);
    return st;
}

static mm_status check_word(const char *s, size_t i, mm_err *err)
{
    const size_t n = strlen(s);
    if (n == 0) return mm_fail(err, MM_EFORMAT, "word %zu of the vocabulary is empty", i + 2);
    for (size_t k = 0; k < n; k++)
        if (mm_word_space((unsigned char)s[k]) || s[k] == '\n')
            return mm_fail(err, MM_EFORMAT, "word %zu of the vocabulary holds white space", i + 2);
    mm_err e;
    if (check_line((const unsigned char *)s, n, "vocabulary", i + 2, &e))
        return mm_fail(err, MM_EFORMAT, "word %zu of the vocabulary is not valid UTF-8", i + 2);
    if (!strcmp(s, MM_UNK_TEXT)) return mm_fail(err, MM_EFORMAT, "the vocabulary lists %s as a word", MM_UNK_TEXT);
    return MM_OK;
}

/* Adds id to v's hash; -1 if its word is there already. */
static int hash_add(mm_vocab *v, int id)
{
    const char *s = mm_vocab_token(v, id);
    size_t j = (size_t)hash_bytes(s, strlen(s)) & v->mask;
    for (; v->slot[j]; j = (j + 1) & v->mask)
        if (!strcmp(mm_vocab_token(v, (int)v->slot[j] - 1), s)) return -1;
    v->slot[j] = (uint32_t)id + 1;
    return 0;
}

static mm_status fill_words(mm_vocab *v, const char *const *list, size_t n, mm_err *err)
{
    size_t bytes = sizeof MM_END_TEXT + sizeof MM_UNK_TEXT;
    for (size_t i = 0; i < n; i++) {
        mm_status st = check_word(list[i], i, err);
        if (st) return st;
        bytes += strlen(list[i]) + 1;
    }
    const size_t V = n + 2;
    v->size = (int)V;
    v->words = 1;
    v->cp = malloc(V * sizeof *v->cp);
    v->text = malloc(bytes);
    v->at = malloc(V * sizeof *v->at);
    size_t cap = 16;
    while (cap < 2 * V) cap *= 2;
    v->slot = calloc(cap, sizeof *v->slot);
    v->mask = cap - 1;
    if (!v->cp || !v->text || !v->at || !v->slot) return mm_fail(err, MM_ENOMEM, "out of memory for %zu words", n);
    size_t k = 0;
    for (size_t id = 0; id < V; id++) {
        const char *s = id == 0 ? MM_END_TEXT : id == 1 ? MM_UNK_TEXT : list[id - 2];
        const size_t len = strlen(s);
        v->cp[id] = (uint32_t)id;
        v->at[id] = k;
        memcpy(v->text + k, s, len + 1);
        k += len + 1;
        v->longest = len > v->longest ? len : v->longest;
        if (id >= 1 && hash_add(v, (int)id))
            return mm_fail(err, MM_EFORMAT, "the vocabulary lists the word '%.200s' twice", s);
    }
    return MM_OK;
}

mm_status mm_vocab_from_word_array(mm_vocab *v, const char *const *list, size_t n, mm_err *err)
{
    memset(v, 0, sizeof *v);
    if (n < 1 || n + 2 > MM_MAX_WORD_VOCAB)
        return mm_fail(err, MM_EFORMAT, "vocabulary of %zu words is outside 1..%d", n, MM_MAX_WORD_VOCAB - 2);
    mm_status st = fill_words(v, list, n, err);
    if (st) mm_vocab_free(v);
    return st;
}

mm_status mm_vocab_word_list(const mm_vocab *v, char **out, size_t *len, mm_err *err)
{
    size_t n = 0;
    for (int id = 2; id < v->size; id++) n += strlen(mm_vocab_token(v, id)) + 1;
    char *b = malloc(n ? n : 1);
    if (!b) return mm_fail(err, MM_ENOMEM, "out of memory");
    size_t k = 0;
    for (int id = 2; id < v->size; id++) {
        const char *s = mm_vocab_token(v, id);
        const size_t l = strlen(s);
        memcpy(b + k, s, l);
        k += l;
        b[k++] = '\n';
    }
    *out = b;
    *len = n;
    return MM_OK;
}

mm_status mm_vocab_from_word_list(mm_vocab *v, const char *buf, size_t len, mm_err *err)
{
    memset(v, 0, sizeof *v);
    if (len == 0 || buf[len - 1] != '\n') return mm_fail(err, MM_EFORMAT, "the word list does not end with a line end");
    if (memchr(buf, 0, len)) return mm_fail(err, MM_EFORMAT, "the word list holds a NUL byte");
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += buf[i] == '\n';
    char *copy = malloc(len);
    const char **list = malloc(n * sizeof *list);
    mm_status st = copy && list ? MM_OK : mm_fail(err, MM_ENOMEM, "out of memory for %zu words", n);
    if (!st) {
        memcpy(copy, buf, len);
        size_t k = 0, from = 0;
        for (size_t i = 0; i < len; i++)
            if (copy[i] == '\n') {
                copy[i] = 0;
                list[k++] = copy + from;
                from = i + 1;
            }
        st = mm_vocab_from_word_array(v, list, n, err);
    }
    free(copy);
    free(list);
    return st;
}

mm_status mm_vocab_copy_words(mm_vocab *dst, const mm_vocab *src, mm_err *err)
{
    const size_t n = (size_t)src->size - 2;
    const char **list = malloc((n ? n : 1) * sizeof *list);
    if (!list) return mm_fail(err, MM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) list[i] = mm_vocab_token(src, (int)i + 2);
    mm_status st = mm_vocab_from_word_array(dst, list, n, err);
    free(list);
    return st;
}

int mm_vocab_word_id(const mm_vocab *v, const char *s, size_t len)
{
    if (!v->words || !v->slot) return -1;
    for (size_t j = (size_t)hash_bytes(s, len) & v->mask; v->slot[j]; j = (j + 1) & v->mask) {
        const char *t = mm_vocab_token(v, (int)v->slot[j] - 1);
        if (!strncmp(t, s, len) && t[len] == 0) return (int)v->slot[j] - 1;
    }
    return -1;
}

mm_status mm_words_bind(mm_words *w, const mm_vocab *v, mm_err *err)
{
    if (w->tokens != MM_TOKENS_WORD || w->bound) return MM_OK;
    if (!v->words) return mm_fail(err, MM_EINVAL, "a file read as words needs a vocabulary of words");
    uint32_t *id = malloc((w->ntypes ? w->ntypes : 1) * sizeof *id);
    if (!id) return mm_fail(err, MM_ENOMEM, "out of memory");
    for (size_t t = 0; t < w->ntypes; t++) {
        const char *s = w->types + w->type_at[t];
        int k = mm_vocab_word_id(v, s, strlen(s));
        id[t] = k >= 1 ? (uint32_t)k : MM_UNK_ID;
    }
    for (size_t c = 0; c < w->nchars; c++) w->chars[c] = id[w->chars[c]];
    free(id);
    w->bound = 1;
    return MM_OK;
}
