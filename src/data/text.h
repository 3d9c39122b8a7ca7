/* Reading a one-item-per-line UTF-8 file and building its vocabulary.
 *
 * Token id 0 is the start/stop token, shown as '.'; ids 1..V-1 are the
 * distinct code points of the file in ascending order (Python's
 * sorted(set(text)) order). A literal '.' in the data gets its own id. */
#ifndef MM_TEXT_H
#define MM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MM_MAX_LINE_CHARS 256     /* longest item, in code points */
#define MM_MAX_VOCAB 4096         /* ids, including the stop token */
#define MM_MAX_INPUT_BYTES (1ull << 30)

typedef struct {
    int size;        /* V: distinct characters + 1 */
    uint32_t *cp;    /* (V) code point of each id; cp[0] is '.' for display */
} mm_vocab;

typedef struct {
    size_t nwords;
    size_t nchars;   /* total code points over all words */
    uint32_t *chars; /* (nchars) code points of all words, back to back */
    size_t *start;   /* (nwords + 1) word w is chars[start[w] .. start[w+1]) */
    size_t *line;    /* (nwords) 1-based line number of each word */
    unsigned char sha256[32]; /* of the file's bytes: which data a run saw */
} mm_words;

/* Reads path, skipping blank lines and stripping a trailing CR. Errors name
 * the file and line: missing file, directory, NUL byte, invalid UTF-8, a line
 * over MM_MAX_LINE_CHARS, no items at all. */
mm_status mm_words_read(mm_words *w, const char *path, mm_err *err);
/* mm_words_read, but a file whose reading would take more than max_bytes
 * of memory (mm_words_mem) is refused with MM_ENOMEM before the big
 * allocations. */
mm_status mm_words_read_within(mm_words *w, const char *path, uint64_t max_bytes, mm_err *err);
/* Bytes that reading a file of len bytes holding nlines newlines takes at
 * its peak: the file, 4 bytes of code point per byte (an upper bound) and
 * 16 per line for start offsets and line numbers. */
uint64_t mm_words_mem(uint64_t len, uint64_t nlines);
/* The same from a buffer in memory; name is used in messages. A leading
 * UTF-8 byte-order mark (EF BB BF) is skipped. */
mm_status mm_words_parse(mm_words *w, const char *buf, size_t len,
                         const char *name, mm_err *err);
void mm_words_free(mm_words *w);
/* As makemore.py reads its input (Python's splitlines, then strip(), then
 * dropping empty items): splits items at the other line boundaries Python
 * knows (\r, \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029), strips leading
 * and trailing whitespace (str.isspace) and drops the items left empty. An
 * error if none is left; name is used in messages. */
mm_status mm_words_strip_python(mm_words *w, const char *name, mm_err *err);
/* The longest item, in code points. */
size_t mm_words_longest(const mm_words *w);

mm_status mm_vocab_build(mm_vocab *v, const mm_words *w, const char *name,
                         mm_err *err);
/* Copies code points cp[1..size-1] (sorted, distinct) into a vocabulary. */
mm_status mm_vocab_from_codepoints(mm_vocab *v, const uint32_t *cps, int n,
                                   mm_err *err);
void mm_vocab_free(mm_vocab *v);

/* id of code point c, or -1 if the vocabulary lacks it */
int mm_vocab_id(const mm_vocab *v, uint32_t c);
/* Decodes one code point at s (n bytes left). Returns its length, or 0 if the
 * bytes are not well-formed UTF-8 (overlong forms and surrogates included). */
int mm_utf8_decode(const unsigned char *s, size_t n, uint32_t *out);
/* Appends the UTF-8 bytes of code point c to out (room for 4); returns count */
int mm_utf8_encode(uint32_t c, char *out);

#endif
