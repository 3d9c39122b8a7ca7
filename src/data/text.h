/* Reading a one-item-per-line UTF-8 file and building its vocabulary.
 *
 * Character tokens (the default): token id 0 is the start/stop token, shown
 * as '.'; ids 1..V-1 are the distinct code points of the file in ascending
 * order (Python's sorted(set(text)) order). A literal '.' in the data gets
 * its own id.
 *
 * Word tokens (words.c): a line is split into words at ASCII white space
 * (space, tab, CR, VT, FF). Id 0 is the end of an item (the same start/stop
 * token, shown as "</s>"), id 1 is "<unk>", every word the vocabulary lacks
 * (a literal "<unk>" in the data is that token too), and ids 2..V-1 are the
 * words kept, likeliest first (then by their bytes). */
#ifndef MM_TEXT_H
#define MM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MM_MAX_LINE_CHARS 256     /* longest item, in code points (character tokens) */
#define MM_MAX_VOCAB 4096         /* ids, including the stop token (character tokens) */
#define MM_MAX_WORD_VOCAB (1 << 22) /* ids, including the end and <unk> (word tokens) */
#define MM_MAX_INPUT_BYTES (1ull << 30)       /* character tokens */
#define MM_MAX_WORD_INPUT_BYTES (1ull << 38)  /* word tokens: memory decides first */

enum { MM_TOKENS_CHAR = 0, MM_TOKENS_WORD = 1 };
#define MM_UNK_ID 1  /* word tokens: the id of <unk> */
#define MM_UNK_TEXT "<unk>"
#define MM_END_TEXT "</s>"

typedef struct {
    int size;        /* V: distinct characters + 1, or words kept + 2 */
    uint32_t *cp;    /* (V) code point of each id; cp[0] is '.' for display.
                        Word tokens: cp[id] = id, so mm_vocab_id maps the
                        ids a bound mm_words holds (mm_words_bind) to themselves */
    int words;       /* 1: word tokens */
    char *text;      /* each id's UTF-8, NUL-terminated, back to back */
    size_t *at;      /* (V) where id's text starts in text */
    size_t longest;  /* bytes of the longest id's text */
    uint32_t *slot;  /* word tokens: (mask + 1) hash of the words, id + 1 or 0 */
    size_t mask;
} mm_vocab;

typedef struct {
    size_t nwords;   /* items (lines); "words" from the character model's names */
    size_t nchars;   /* total tokens over all items */
    uint32_t *chars; /* (nchars) tokens of all items, back to back: code points,
                        or for word tokens type numbers (below) until
                        mm_words_bind turns them into a vocabulary's ids */
    size_t *start;   /* (nwords + 1) item w is chars[start[w] .. start[w+1]) */
    size_t *line;    /* (nwords) 1-based line number of each item */
    unsigned char sha256[32]; /* of the file's bytes: which data a run saw */
    int tokens;      /* MM_TOKENS_CHAR or MM_TOKENS_WORD */
    /* Word tokens: the distinct words of the file in order of first use */
    size_t ntypes;
    char *types;     /* each type's bytes, NUL-terminated, back to back */
    size_t *type_at; /* (ntypes) */
    int bound;       /* chars holds vocabulary ids */
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
/* The same reading for either token mode (tokens MM_TOKENS_*): word tokens
 * have no limit on a line's length in characters. */
mm_status mm_words_read_tokens(mm_words *w, const char *path, uint64_t max_bytes, int tokens, mm_err *err);
mm_status mm_words_parse_tokens(mm_words *w, const char *buf, size_t len, const char *name, int tokens,
                                mm_err *err);
/* mm_words_mem for a token mode. */
uint64_t mm_words_mem_tokens(uint64_t len, uint64_t nlines, int tokens);
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
/* A copy of src (either token mode) into dst. */
mm_status mm_vocab_copy(mm_vocab *dst, const mm_vocab *src, mm_err *err);
/* 1 if a and b have the same token mode and the same tokens. */
int mm_vocab_equal(const mm_vocab *a, const mm_vocab *b);
/* The text of id (NUL-terminated; "." or "</s>" for 0), "" outside 0..V-1. */
const char *mm_vocab_token(const mm_vocab *v, int id);
/* The UTF-8 of n ids into out, words joined by one space; returns its
 * length. out holds mm_vocab_text_cap(v, n) bytes. */
size_t mm_vocab_text(const mm_vocab *v, const int *ids, int n, char *out);
size_t mm_vocab_text_cap(const mm_vocab *v, int n);

/* id of code point c (word tokens: of the id c), or -1 if the vocabulary lacks it */
int mm_vocab_id(const mm_vocab *v, uint32_t c);
/* Decodes one code point at s (n bytes left). Returns its length, or 0 if the
 * bytes are not well-formed UTF-8 (overlong forms and surrogates included). */
int mm_utf8_decode(const unsigned char *s, size_t n, uint32_t *out);
/* Appends the UTF-8 bytes of code point c to out (room for 4); returns count */
int mm_utf8_encode(uint32_t c, char *out);

#endif
