/* Word tokens (text.h describes the ids): reading a file's lines as words,
 * the vocabulary of a training split (--min-count), the word list a
 * checkpoint stores, and a file's words turned into a vocabulary's ids.
 *
 * A file is read once into type numbers (the distinct words in order of
 * first use), 4 bytes a word rather than 4 a byte; the vocabulary is then
 * counted over the training items only, and mm_words_bind rewrites every
 * type number as its id (<unk> for a word the vocabulary lacks). */
#ifndef MM_WORDS_H
#define MM_WORDS_H

#include "text.h"

/* mm_words_parse for word tokens: lines split at ASCII white space, blank
 * lines skipped. Errors name the file and line: a NUL byte, invalid UTF-8,
 * no items. */
mm_status mm_words_parse_words(mm_words *w, const char *buf, size_t len, const char *name, mm_err *err);

/* The words of buf[0..len): runs of bytes other than white space and '\n'
 * (a leading byte-order mark counts as a word's bytes here: an upper bound). */
size_t mm_words_count(const char *buf, size_t len);

/* The vocabulary of the items items[0..n) of w (unbound): the words seen at
 * least min_count times (>= 1) there, likeliest first. An error naming the
 * file (name) when no word is left. */
mm_status mm_vocab_build_words(mm_vocab *v, const mm_words *w, const uint32_t *items, size_t n, int min_count,
                               const char *name, mm_err *err);
/* A vocabulary of the words list[0..n) for ids 2..n+1, as given: none
 * empty, none with white space or invalid UTF-8, none "<unk>", no two alike. */
mm_status mm_vocab_from_word_array(mm_vocab *v, const char *const *list, size_t n, mm_err *err);
/* The word list as stored in model.bin: ids 2..V-1, each ended by '\n'. */
mm_status mm_vocab_word_list(const mm_vocab *v, char **out, size_t *len, mm_err *err);
mm_status mm_vocab_from_word_list(mm_vocab *v, const char *buf, size_t len, mm_err *err);
mm_status mm_vocab_copy_words(mm_vocab *dst, const mm_vocab *src, mm_err *err);
/* The id of the word s[0..len) (1 for "<unk>"), or -1. */
int mm_vocab_word_id(const mm_vocab *v, const char *s, size_t len);

/* Rewrites w's type numbers as ids of v (word tokens; <unk> for a word v
 * lacks); nothing for character tokens or a w already bound. */
mm_status mm_words_bind(mm_words *w, const mm_vocab *v, mm_err *err);

/* 1 for the bytes that separate words. */
static inline int mm_word_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

#endif
