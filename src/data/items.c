#include "items.h"

#include <stdlib.h>
#include <string.h>

#include "words.h"

/* Word tokens: the words of s, each one the vocabulary must hold
 * ("<unk>" asks for the unknown word's token). */
static mm_status encode_words(const mm_vocab *v, const char *s, int *ids, int cap, int *n, const char *what,
                              mm_err *err)
{
    size_t len = strlen(s), i = 0;
    *n = 0;
    while (i < len) {
        while (i < len && mm_word_space((unsigned char)s[i])) i++;
        size_t j = i;
        while (j < len && !mm_word_space((unsigned char)s[j])) j++;
        if (j == i) break;
        int id = mm_vocab_word_id(v, s + i, j - i);
        if (id < 1)
            return mm_fail(err, MM_EINVAL, "%s: the word '%.*s' is not in the model's vocabulary of %d words "
                           "(write %s for the unknown word)", what, (int)(j - i > 200 ? 200 : j - i), s + i,
                           v->size - 2, MM_UNK_TEXT);
        if (*n >= cap) return mm_fail(err, MM_EINVAL, "%s: longer than %d words", what, cap);
        ids[(*n)++] = id;
        i = j;
    }
    return MM_OK;
}

mm_status mm_vocab_encode(const mm_vocab *v, const char *s, int *ids, int cap, int *n, const char *what,
                          mm_err *err)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    if (v->words) return encode_words(v, (const char *)p, ids, cap, n, what, err);
    size_t len = strlen((const char *)p), i = 0;
    *n = 0;
    while (i < len) {
        uint32_t cp;
        int k = mm_utf8_decode(p + i, len - i, &cp);
        if (!k) return mm_fail(err, MM_EINVAL, "%s: not valid UTF-8 at byte %zu", what, i + 1);
        int id = mm_vocab_id(v, cp);
        if (id <= 0)
            return mm_fail(err, MM_EINVAL, "%s: the character '%.*s' is not in the model's vocabulary", what, k,
                           (const char *)p + i);
        if (*n >= cap) return mm_fail(err, MM_EINVAL, "%s: longer than %d characters", what, cap);
        ids[(*n)++] = id;
        i += (size_t)k;
    }
    return MM_OK;
}

/* FNV-1a over the code points. */
static uint64_t hash_cps(const uint32_t *c, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ull;
    return h;
}

static int word_equal(const mm_words *w, size_t k, const uint32_t *c, size_t n)
{
    size_t a = w->start[k], b = w->start[k + 1];
    return b - a == n && !memcmp(w->chars + a, c, n * sizeof *c);
}

/* The slot holding the item c, or the empty slot where it belongs. */
static size_t probe(const mm_itemset *s, const uint32_t *c, size_t n)
{
    size_t i = (size_t)hash_cps(c, n) & (s->cap - 1);
    while (s->slot[i] >= 0 && !word_equal(s->w, (size_t)s->slot[i], c, n)) i = (i + 1) & (s->cap - 1);
    return i;
}

mm_status mm_itemset_build(mm_itemset *s, const mm_words *w, const mm_dataset *d, mm_err *err)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    s->cap = 16;
    while (s->cap < 2 * w->nwords) s->cap *= 2; /* at most half full */
    s->slot = malloc(s->cap * sizeof *s->slot);
    s->split = malloc((w->nwords ? w->nwords : 1) * sizeof *s->split);
    if (!s->slot || !s->split) {
        mm_itemset_free(s);
        return mm_fail(err, MM_ENOMEM, "out of memory for the item set");
    }
    memset(s->slot, 0xff, s->cap * sizeof *s->slot); /* all -1 */
    size_t i = 0;
    for (int sp = 0; sp < MM_NSPLITS; sp++)
        for (size_t j = 0; j < d->nwords[sp]; j++, i++) {
            size_t k = d->order[i];
            s->split[k] = (int8_t)sp;
            size_t at = probe(s, w->chars + w->start[k], w->start[k + 1] - w->start[k]);
            if (s->slot[at] < 0) s->slot[at] = (int64_t)k; /* an earlier split keeps it */
        }
    return MM_OK;
}

void mm_itemset_free(mm_itemset *s)
{
    free(s->slot);
    free(s->split);
    memset(s, 0, sizeof *s);
}

int mm_itemset_find(const mm_itemset *s, const mm_vocab *v, const int *ids, int n)
{
    uint32_t small[MM_MAX_LINE_CHARS] = {0}, *c = small;
    if (n > MM_MAX_LINE_CHARS && !v->words) return -1; /* longer than any item read */
    if (n > MM_MAX_LINE_CHARS && !(c = malloc((size_t)n * sizeof *c))) return -1;
    for (int i = 0; i < n; i++) c[i] = v->cp[ids[i]];
    size_t at = probe(s, c, (size_t)n);
    if (c != small) free(c);
    return s->slot[at] < 0 ? -1 : s->split[s->slot[at]];
}

const char *mm_item_label(int split)
{
    return split >= 0 && split < MM_NSPLITS ? mm_split_name(split) : "new";
}
