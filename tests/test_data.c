/* Text reading, vocabulary, examples and the lecture's split. */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "check.h"

static mm_status parse(mm_words *w, const char *s, mm_err *e)
{
    return mm_words_parse(w, s, strlen(s), "mem.txt", e);
}

static void test_parsing(void)
{
    mm_words w;
    mm_err e;
    CHECK(parse(&w, "ab\r\n\n  \ncd\n", &e) == MM_OK && w.nwords == 2, "CRLF accepted, blank lines skipped");
    CHECK(w.line[1] == 4, "the second item is on line 4 (got %zu)", w.line[1]);
    mm_words_free(&w);
    CHECK(parse(&w, "ab\nc\xff\n", &e) == MM_EFORMAT && strstr(e.msg, "mem.txt:2:") && strstr(e.msg, "UTF-8"),
          "invalid UTF-8 names file and line: %s", e.msg);
    CHECK(parse(&w, "\xc0\xaf\n", &e) == MM_EFORMAT, "overlong UTF-8 rejected");
    CHECK(parse(&w, "\xed\xa0\x80\n", &e) == MM_EFORMAT, "UTF-16 surrogate rejected");
    CHECK(mm_words_parse(&w, "a\0b\n", 4, "mem.txt", &e) == MM_EFORMAT && strstr(e.msg, "NUL"),
          "NUL byte rejected: %s", e.msg);
    CHECK(parse(&w, "\n\r\n \n", &e) == MM_EFORMAT && strstr(e.msg, "no items"), "only blank lines: %s", e.msg);
    char long_line[400];
    memset(long_line, 'x', 300);
    long_line[300] = 0;
    CHECK(parse(&w, long_line, &e) == MM_EFORMAT && strstr(e.msg, "longer"), "over-long line: %s", e.msg);
    /* a byte-order mark starts the file, not the first item */
    CHECK(parse(&w, "\xef\xbb\xbf" "ab\ncd\n", &e) == MM_OK && w.nwords == 2 && w.start[1] == 2 &&
              w.chars[0] == 'a', "a leading UTF-8 BOM is skipped");
    mm_words_free(&w);
    CHECK(parse(&w, "\xef\xbb\xbf\n\xef\xbb\xbf" "a\n", &e) == MM_OK && w.nwords == 1 && w.chars[0] == 0xfeff,
          "only the file's first BOM is skipped: a later U+FEFF is a character");
    mm_words_free(&w);
}

static void test_vocab_and_examples(void)
{
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    /* é is two bytes; '.' is an ordinary character with its own id */
    const char *text = "b.\n\xc3\xa9" "a\n";
    CHECK(parse(&w, text, &e) == MM_OK && mm_vocab_build(&v, &w, "mem", &e) == MM_OK, "vocabulary builds");
    CHECK(v.size == 5 && v.cp[1] == '.' && v.cp[2] == 'a' && v.cp[3] == 'b' && v.cp[4] == 0xe9,
          "ids: 0 stop, then '.', 'a', 'b', U+00E9 in code point order");
    CHECK(mm_dataset_build(&d, &w, &v, 2, 42, "mem", &e) == MM_OK, "dataset builds");
    size_t total = d.split[MM_TRAIN].n + d.split[MM_DEV].n + d.split[MM_TEST].n;
    CHECK(total == 6, "two items of 2 characters give 6 examples (got %zu)", total);
    /* with 2 words: int(1.6)=1 train word, int(1.8)=1 so dev is empty, test 1 */
    CHECK(d.nwords[MM_TRAIN] == 1 && d.nwords[MM_DEV] == 0 && d.nwords[MM_TEST] == 1, "80/10/10 with int() cuts");
    const mm_split *s = &d.split[MM_TRAIN];
    int is_b = s->Y[0] == 3;
    const int32_t want_b[] = {0, 0, 0, 3, 3, 1}, want_y_b[] = {3, 1, 0};
    const int32_t want_e[] = {0, 0, 0, 4, 4, 2}, want_y_e[] = {4, 2, 0};
    CHECK(!memcmp(s->X, is_b ? want_b : want_e, sizeof want_b) && !memcmp(s->Y, is_b ? want_y_b : want_y_e, sizeof want_y_b),
          "contexts slide over word + stop");
    mm_dataset_free(&d);
    mm_vocab_free(&v);
    mm_words_free(&w);
}

static void test_names_split(void)
{
    const char *path = getenv("NAMES_TXT");
    if (!path) { SKIP("names.txt split: NAMES_TXT is not set"); return; }
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    if (mm_words_read(&w, path, &e) || mm_vocab_build(&v, &w, path, &e) ||
        mm_dataset_build(&d, &w, &v, 3, 42, path, &e)) {
        CHECK(0, "names.txt loads: %s", e.msg);
        return;
    }
    CHECK(w.nwords == 32033 && v.size == 27, "names.txt: 32033 words, vocabulary 27");
    CHECK(d.split[MM_TRAIN].n == 182625 && d.split[MM_DEV].n == 22655 && d.split[MM_TEST].n == 22866,
          "block 3 split: 182625 / 22655 / 22866 (got %zu / %zu / %zu)", d.split[MM_TRAIN].n,
          d.split[MM_DEV].n, d.split[MM_TEST].n);
    const char *first[] = {"yuheng", "diondre", "xavien"};
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        size_t k = d.order[i], len = w.start[k + 1] - w.start[k];
        ok &= len == strlen(first[i]);
        for (size_t c = 0; ok && c < len; c++) ok &= w.chars[w.start[k] + c] == (uint32_t)first[i][c];
    }
    CHECK(ok, "the first shuffled words are yuheng, diondre, xavien");
    mm_dataset_free(&d);
    mm_vocab_free(&v);
    mm_words_free(&w);
}

int main(void)
{
    test_parsing();
    test_vocab_and_examples();
    test_names_split();
    return CHECK_DONE();
}
