/* Text reading, vocabulary, examples in both layouts and the lecture's split. */
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
    CHECK(mm_dataset_build(&d, &w, &v, &(mm_data_opts){.T = 2, .split_seed = 42}, "mem", &e) == MM_OK, "dataset builds");
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
    if (!path || !*path) { SKIP(3, "names.txt split: NAMES_TXT is not set"); return; }
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    if (mm_words_read(&w, path, &e) || mm_vocab_build(&v, &w, path, &e) ||
        mm_dataset_build(&d, &w, &v, &(mm_data_opts){.T = 3, .split_seed = 42}, path, &e)) {
        CHECK(0, "names.txt loads: %s", e.msg);
        SKIP(2, "names.txt split: the file did not load");
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

/* makemore.py reads items with splitlines(), strip() and drops empty ones */
static void test_strip(void)
{
    mm_words w;
    mm_err e;
    CHECK(parse(&w, "  a b \n\t\n x\x0cy \nz\rw\n\xc2\xa0v\xe2\x80\x83\n", &e) == MM_OK &&
          mm_words_strip_python(&w, "mem.txt", &e) == MM_OK, "items stripped as makemore.py does");
    const char *want[] = {"a b", "x", "y", "z", "w", "v"};
    const size_t line[] = {1, 3, 3, 4, 4, 5};
    int ok = w.nwords == 6;
    for (size_t k = 0; ok && k < 6; k++) {
        ok &= w.start[k + 1] - w.start[k] == strlen(want[k]) && w.line[k] == line[k];
        for (size_t c = 0; ok && c < strlen(want[k]); c++) ok &= w.chars[w.start[k] + c] == (uint32_t)want[k][c];
    }
    CHECK(ok, "inner spaces kept; form feed and lone CR split lines; no-break and em spaces stripped (%zu items)",
          w.nwords);
    mm_words_free(&w);
    CHECK(parse(&w, " \x0b \n", &e) == MM_OK && mm_words_strip_python(&w, "mem.txt", &e) == MM_EFORMAT &&
          strstr(e.msg, "mem.txt"), "nothing left after stripping: %s", e.msg);
    mm_words_free(&w);
}

/* The sequence layout: one example per item, start token then the item,
 * targets the item then the stop token, -1 beyond */
static void test_sequence(void)
{
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    CHECK(parse(&w, "ab\nb\n", &e) == MM_OK && mm_vocab_build(&v, &w, "mem", &e) == MM_OK, "two items");
    mm_data_opts o = {.T = 4, .sequence = 1, .split_kind = MM_SPLIT_MAKEMORE, .split_seed = 3407};
    CHECK(mm_dataset_build(&d, &w, &v, &o, "mem", &e) == MM_OK, "sequence dataset builds");
    /* two items: int(0.2) = 0 test items, so makemore.py's rp[:-0] trains on none */
    const mm_split *s = &d.split[MM_TEST];
    CHECK(d.split[MM_TRAIN].n == 0 && d.split[MM_DEV].n == 0 && s->n == 2 && s->ny == 4 && s->ntargets == 5,
          "too few items for a test split of 10%%: all are test (%zu train, %zu test, %zu targets)",
          d.split[MM_TRAIN].n, s->n, s->ntargets);
    int first_ab = s->Y[0] == 1;
    const int32_t x_ab[] = {0, 1, 2, 0}, y_ab[] = {1, 2, 0, -1}, x_b[] = {0, 2, 0, 0}, y_b[] = {2, 0, -1, -1};
    const int32_t *x0 = s->X + (first_ab ? 0 : 4), *y0 = s->Y + (first_ab ? 0 : 4);
    const int32_t *x1 = s->X + (first_ab ? 4 : 0), *y1 = s->Y + (first_ab ? 4 : 0);
    CHECK(!memcmp(x0, x_ab, sizeof x_ab) && !memcmp(y0, y_ab, sizeof y_ab) && !memcmp(x1, x_b, sizeof x_b) &&
          !memcmp(y1, y_b, sizeof y_b), "X = 0, item, 0...; Y = item, 0, -1...");
    mm_dataset_free(&d);
    o.T = 2;
    CHECK(mm_dataset_build(&d, &w, &v, &o, "mem", &e) == MM_EINVAL && strstr(e.msg, "mem:1:") &&
          strstr(e.msg, "--block-size 2"), "a block shorter than the longest item + 1 is refused: %s", e.msg);
    CHECK(mm_words_longest(&w) == 2, "the longest item has 2 characters");
    mm_vocab_free(&v);
    mm_words_free(&w);
}

int main(void)
{
    PLAN(28);
    test_parsing();
    test_strip();
    test_sequence();
    test_vocab_and_examples();
    test_names_split();
    return CHECK_DONE();
}
