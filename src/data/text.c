#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sha256.h"
#include "words.h"

int mm_utf8_decode(const unsigned char *s, size_t n, uint32_t *out)
{
    unsigned char c = s[0];
    if (c < 0x80) { *out = c; return 1; }
    int len;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    *out = cp;
    return len;
}

int mm_utf8_encode(uint32_t c, char *o)
{
    if (c < 0x80) { o[0] = (char)c; return 1; }
    if (c < 0x800) {
        o[0] = (char)(0xc0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xe0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    o[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static int is_blank(const uint32_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i] != ' ' && c[i] != '\t') return 0;
    return 1;
}

/* Decodes one line [p, p+len) onto the end of w->chars. */
static mm_status parse_line(mm_words *w, const unsigned char *p, size_t len,
                            const char *name, size_t lineno, mm_err *err)
{
    size_t first = w->nchars;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        if (p[i] == 0)
            return mm_fail(err, MM_EFORMAT, "%s:%zu: NUL byte in text (is this a binary file?)", name, lineno);
        int k = mm_utf8_decode(p + i, len - i, &cp);
        if (!k)
            return mm_fail(err, MM_EFORMAT, "%s:%zu: invalid UTF-8 at byte %zu of the line", name, lineno, i + 1);
        if (w->nchars - first >= MM_MAX_LINE_CHARS)
            return mm_fail(err, MM_EFORMAT, "%s:%zu: line longer than %d characters", name, lineno, MM_MAX_LINE_CHARS);
        w->chars[w->nchars++] = cp;
        i += (size_t)k;
    }
    if (is_blank(w->chars + first, w->nchars - first)) {
        w->nchars = first;
        return MM_OK;
    }
    w->line[w->nwords] = lineno;
    w->start[++w->nwords] = w->nchars;
    return MM_OK;
}

mm_status mm_words_parse_tokens(mm_words *w, const char *buf, size_t len, const char *name, int tokens,
                                mm_err *err)
{
    if (tokens == MM_TOKENS_WORD) return mm_words_parse_words(w, buf, len, name, err);
    return mm_words_parse(w, buf, len, name, err);
}

mm_status mm_words_parse(mm_words *w, const char *buf, size_t len,
                         const char *name, mm_err *err)
{
    memset(w, 0, sizeof *w);
    size_t nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += buf[i] == '\n';
    /* a line has at most as many code points as bytes */
    w->chars = malloc((len ? len : 1) * sizeof *w->chars);
    w->start = malloc((nlines + 1) * sizeof *w->start);
    w->line = malloc(nlines * sizeof *w->line);
    if (!w->chars || !w->start || !w->line) {
        mm_words_free(w);
        return mm_fail(err, MM_ENOMEM, "%s: out of memory reading %zu bytes", name, len);
    }
    w->start[0] = 0;
    const unsigned char *p = (const unsigned char *)buf;
    size_t lineno = 0, pos = 0;
    /* a byte-order mark (Windows editors write one) is not part of the
     * first item: kept, it would become a character of the vocabulary */
    if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) pos = 3;
    while (pos < len) {
        const unsigned char *nl = memchr(p + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - p) : len;
        size_t l = end - pos;
        if (l && p[pos + l - 1] == '\r') l--;
        lineno++;
        mm_status st = parse_line(w, p + pos, l, name, lineno, err);
        if (st) { mm_words_free(w); return st; }
        pos = end + 1;
    }
    if (w->nwords == 0) {
        mm_words_free(w);
        return mm_fail(err, MM_EFORMAT, "%s: no items (the file is empty or has only blank lines)", name);
    }
    mm_sha256_of(buf, len, w->sha256);
    return MM_OK;
}

uint64_t mm_words_mem(uint64_t len, uint64_t nlines)
{
    /* mm_words_parse: chars (len), start (nlines + 2), line (nlines + 1) */
    return len + 4 * len + 8 * (nlines + 2) + 8 * (nlines + 1);
}

uint64_t mm_words_mem_tokens(uint64_t len, uint64_t nlines, int tokens)
{
    /* words: a word and its separator take 2 bytes at least, so 4 bytes a
     * word is 2 a byte at most; the distinct words' table comes on top,
     * usually a small part of the file */
    if (tokens == MM_TOKENS_WORD) return len + 2 * (len + 2) + 8 * (nlines + 2) + 8 * (nlines + 1);
    return mm_words_mem(len, nlines);
}

static mm_status too_big(const char *path, uint64_t len, uint64_t need, uint64_t max_bytes, mm_err *err)
{
    return mm_fail(err, MM_ENOMEM, "%s: reading its %llu bytes needs about %llu MiB of memory, over the "
                   "%llu MiB available (see docs/LIMITS.md)", path, (unsigned long long)len,
                   (unsigned long long)(need >> 20), (unsigned long long)(max_bytes >> 20));
}

static mm_status read_file(const char *path, uint64_t max_bytes, int tokens, char **out, size_t *outlen,
                           mm_err *err)
{
    const uint64_t limit = tokens == MM_TOKENS_WORD ? MM_MAX_WORD_INPUT_BYTES : MM_MAX_INPUT_BYTES;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return mm_fail(err, MM_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
        return mm_fail(err, MM_EIO, "%s: is a directory, expected a text file with one item per line", path);
    if ((unsigned long long)sb.st_size > limit)
        return mm_fail(err, MM_ENOMEM, "%s: %lld bytes is over the %llu-byte input limit", path,
                       (long long)sb.st_size, (unsigned long long)limit);
    /* no line is empty of bytes but for its newline: a lower bound to
     * refuse the hopeless case before reading anything */
    const uint64_t least = mm_words_mem_tokens((uint64_t)sb.st_size, 0, tokens);
    if (least > max_bytes) return too_big(path, (uint64_t)sb.st_size, least, max_bytes, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return mm_fail(err, MM_EIO, "%s: %s", path, strerror(errno));
    size_t cap = (size_t)sb.st_size + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) { fclose(f); return mm_fail(err, MM_ENOMEM, "%s: out of memory", path); }
    for (;;) {
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap) break;
        if (cap >= limit) break;
        char *nb = realloc(buf, cap * 2); /* the file grew, or is a pipe */
        if (!nb) { free(buf); fclose(f); return mm_fail(err, MM_ENOMEM, "%s: out of memory", path); }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return mm_fail(err, MM_EIO, "%s: read error", path); }
    *out = buf;
    *outlen = len;
    return MM_OK;
}

mm_status mm_words_read_tokens(mm_words *w, const char *path, uint64_t max_bytes, int tokens, mm_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    memset(w, 0, sizeof *w);
    mm_status st = read_file(path, max_bytes, tokens, &buf, &len, err);
    if (st) return st;
    size_t nl = 0;
    for (size_t i = 0; i < len; i++) nl += buf[i] == '\n';
    uint64_t need = mm_words_mem_tokens(len, nl, tokens);
    if (tokens == MM_TOKENS_WORD) /* the words counted, rather than their bound */
        need = len + 4 * (uint64_t)mm_words_count(buf, len) + 8 * (nl + 2) + 8 * (nl + 1);
    if (need > max_bytes)
        st = too_big(path, len, need, max_bytes, err);
    else
        st = mm_words_parse_tokens(w, buf, len, path, tokens, err);
    free(buf);
    return st;
}

mm_status mm_words_read_within(mm_words *w, const char *path, uint64_t max_bytes, mm_err *err)
{
    return mm_words_read_tokens(w, path, max_bytes, MM_TOKENS_CHAR, err);
}

mm_status mm_words_read(mm_words *w, const char *path, mm_err *err)
{
    return mm_words_read_within(w, path, UINT64_MAX, err);
}

void mm_words_free(mm_words *w)
{
    free(w->chars);
    free(w->start);
    free(w->line);
    free(w->types);
    free(w->type_at);
    memset(w, 0, sizeof *w);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

mm_status mm_vocab_from_codepoints(mm_vocab *v, const uint32_t *cps, int n, mm_err *err)
{
    memset(v, 0, sizeof *v);
    if (n < 1 || n + 1 > MM_MAX_VOCAB)
        return mm_fail(err, MM_EFORMAT, "vocabulary of %d characters is outside 1..%d", n, MM_MAX_VOCAB - 1);
    for (int i = 1; i < n; i++)
        if (cps[i] <= cps[i - 1])
            return mm_fail(err, MM_EFORMAT, "vocabulary is not sorted and distinct");
    for (int i = 0; i < n; i++)
        /* what the reader can never produce: NUL, a line break, a surrogate
         * or a number beyond Unicode */
        if (cps[i] == 0 || cps[i] == '\n' || cps[i] > 0x10ffff || (cps[i] >= 0xd800 && cps[i] <= 0xdfff))
            return mm_fail(err, MM_EFORMAT, "vocabulary holds U+%04X, which is not a text character",
                           (unsigned)cps[i]);
    v->cp = malloc((size_t)(n + 1) * sizeof *v->cp);
    v->text = malloc((size_t)(n + 1) * 5);
    v->at = malloc((size_t)(n + 1) * sizeof *v->at);
    if (!v->cp || !v->text || !v->at) {
        mm_vocab_free(v);
        return mm_fail(err, MM_ENOMEM, "out of memory");
    }
    v->cp[0] = '.';
    memcpy(v->cp + 1, cps, (size_t)n * sizeof *cps);
    v->size = n + 1;
    size_t k = 0;
    for (int i = 0; i <= n; i++) {
        v->at[i] = k;
        const size_t len = (size_t)mm_utf8_encode(v->cp[i], v->text + k);
        v->longest = len > v->longest ? len : v->longest;
        k += len;
        v->text[k++] = 0;
    }
    return MM_OK;
}

mm_status mm_vocab_build(mm_vocab *v, const mm_words *w, const char *name, mm_err *err)
{
    memset(v, 0, sizeof *v);
    uint32_t *tmp = malloc((w->nchars ? w->nchars : 1) * sizeof *tmp);
    if (!tmp) return mm_fail(err, MM_ENOMEM, "%s: out of memory", name);
    memcpy(tmp, w->chars, w->nchars * sizeof *tmp);
    qsort(tmp, w->nchars, sizeof *tmp, cmp_u32);
    size_t n = 0;
    for (size_t i = 0; i < w->nchars; i++)
        if (n == 0 || tmp[i] != tmp[n - 1]) tmp[n++] = tmp[i];
    mm_status st;
    if (n + 1 > MM_MAX_VOCAB)
        st = mm_fail(err, MM_EFORMAT, "%s: %zu distinct characters, over the limit of %d",
                     name, n, MM_MAX_VOCAB - 1);
    else
        st = mm_vocab_from_codepoints(v, tmp, (int)n, err);
    free(tmp);
    return st;
}

void mm_vocab_free(mm_vocab *v)
{
    free(v->cp);
    free(v->text);
    free(v->at);
    free(v->slot);
    memset(v, 0, sizeof *v);
}

const char *mm_vocab_token(const mm_vocab *v, int id)
{
    return id >= 0 && id < v->size && v->text ? v->text + v->at[id] : "";
}

size_t mm_vocab_text_cap(const mm_vocab *v, int n)
{
    return (size_t)(n > 0 ? n : 0) * (v->longest + (v->words ? 1 : 0)) + 1;
}

size_t mm_vocab_text(const mm_vocab *v, const int *ids, int n, char *out)
{
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        const char *t = mm_vocab_token(v, ids[i]);
        const size_t len = strlen(t);
        if (v->words && i) out[k++] = ' ';
        memcpy(out + k, t, len);
        k += len;
    }
    out[k] = 0;
    return k;
}

mm_status mm_vocab_copy(mm_vocab *dst, const mm_vocab *src, mm_err *err)
{
    if (src->words) return mm_vocab_copy_words(dst, src, err);
    return mm_vocab_from_codepoints(dst, src->cp + 1, src->size - 1, err);
}

int mm_vocab_equal(const mm_vocab *a, const mm_vocab *b)
{
    if (a->size != b->size || a->words != b->words) return 0;
    if (!a->words) return !memcmp(a->cp, b->cp, (size_t)a->size * sizeof *a->cp);
    for (int i = 2; i < a->size; i++)
        if (strcmp(mm_vocab_token(a, i), mm_vocab_token(b, i))) return 0;
    return 1;
}

int mm_vocab_id(const mm_vocab *v, uint32_t c)
{
    if (v->words) return c >= 1 && c < (uint32_t)v->size ? (int)c : -1;
    int lo = 1, hi = v->size - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (v->cp[mid] == c) return mid;
        if (v->cp[mid] < c) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
}

/* Python's str.isspace() */
static int py_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
           c == 0x3000;
}

/* Where Python's str.splitlines() breaks, besides \n (which ends our lines) */
static int py_break(uint32_t c)
{
    return c == 0x0b || c == 0x0c || c == 0x0d || (c >= 0x1c && c <= 0x1e) || c == 0x85 || c == 0x2028 ||
           c == 0x2029;
}

size_t mm_words_longest(const mm_words *w)
{
    size_t most = 0;
    for (size_t k = 0; k < w->nwords; k++) {
        const size_t len = w->start[k + 1] - w->start[k];
        most = len > most ? len : most;
    }
    return most;
}

mm_status mm_words_strip_python(mm_words *w, const char *name, mm_err *err)
{
    size_t nseg = w->nwords;
    for (size_t i = 0; i < w->nchars; i++) nseg += (size_t)py_break(w->chars[i]);
    size_t *start = malloc((nseg + 1) * sizeof *start), *line = malloc((nseg ? nseg : 1) * sizeof *line);
    if (!start || !line) {
        free(start);
        free(line);
        return mm_fail(err, MM_ENOMEM, "%s: out of memory", name);
    }
    size_t out = 0, n = 0; /* the kept characters only move left: out <= each segment's start */
    start[0] = 0;
    for (size_t k = 0; k < w->nwords; k++) {
        const size_t end = w->start[k + 1];
        for (size_t a = w->start[k]; a <= end;) {
            size_t b = a;
            while (b < end && !py_break(w->chars[b])) b++;
            size_t s0 = a, s1 = b;
            while (s0 < s1 && py_space(w->chars[s0])) s0++;
            while (s1 > s0 && py_space(w->chars[s1 - 1])) s1--;
            if (s1 > s0) {
                memmove(w->chars + out, w->chars + s0, (s1 - s0) * sizeof *w->chars);
                out += s1 - s0;
                line[n] = w->line[k];
                start[++n] = out;
            }
            a = b + 1;
        }
    }
    free(w->start);
    free(w->line);
    w->start = start;
    w->line = line;
    w->nwords = n;
    w->nchars = out;
    if (n == 0) return mm_fail(err, MM_EFORMAT, "%s: no items once white space is stripped", name);
    return MM_OK;
}
