/* libFuzzer harness: text reader -> vocabulary -> examples and split.
 *
 * The first input byte picks the block size and split seed, the rest is the
 * file. Beyond "no crash", it checks what the rest of the program relies on:
 * every id is inside the vocabulary, each word gives len+1 examples ending
 * in the stop token, and a vocabulary missing a character is an error, not
 * an out-of-range id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "outcome.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static void check_dataset(const mm_dataset *d, const mm_words *w, int V)
{
    size_t examples = 0, stops = 0, words = 0;
    for (int s = 0; s < MM_NSPLITS; s++) {
        const mm_split *sp = &d->split[s];
        examples += sp->n;
        words += d->nwords[s];
        for (size_t i = 0; i < sp->n; i++) {
            REQUIRE(sp->Y[i] >= 0 && sp->Y[i] < V);
            stops += sp->Y[i] == 0;
            for (int t = 0; t < sp->T; t++) REQUIRE(sp->X[i * (size_t)sp->T + t] >= 0 && sp->X[i * (size_t)sp->T + t] < V);
        }
    }
    REQUIRE(words == w->nwords);
    REQUIRE(stops == w->nwords);
    REQUIRE(examples == w->nchars + w->nwords);
}

/* The dataset again with the last character missing from the vocabulary:
 * every word that uses it must make the build fail cleanly. */
static void check_missing_char(const mm_words *w, const mm_vocab *v, int T)
{
    if (v->size < 3) return;
    mm_vocab small;
    mm_err err;
    REQUIRE(mm_vocab_from_codepoints(&small, v->cp + 1, v->size - 2, &err) == MM_OK);
    mm_dataset d;
    const mm_data_opts o = {.T = T, .split_seed = 1};
    mm_status st = mm_dataset_build(&d, w, &small, &o, "fuzz.txt", &err);
    REQUIRE(st == MM_EFORMAT);
    REQUIRE(strstr(err.msg, "fuzz.txt:") == err.msg);
    mm_vocab_free(&small);
}

/* makemore.py's reading (stripped items) and split, in the sequence
 * layout: one example per item, every target in the vocabulary or -1, and
 * len + 1 of them per item. */
static void check_sequence(mm_words *w, uint64_t seed)
{
    mm_err err;
    if (mm_words_strip_python(w, "fuzz.txt", &err)) {
        REQUIRE(strncmp(err.msg, "fuzz.txt", 8) == 0);
        return;
    }
    mm_vocab v;
    REQUIRE(mm_vocab_build(&v, w, "fuzz.txt", &err) == MM_OK);
    const mm_data_opts o = {.T = (int)mm_words_longest(w) + 1, .sequence = 1, .split_kind = MM_SPLIT_MAKEMORE,
                            .split_seed = seed};
    mm_dataset d;
    REQUIRE(mm_dataset_build(&d, w, &v, &o, "fuzz.txt", &err) == MM_OK);
    size_t items = 0, targets = 0;
    for (int s = 0; s < MM_NSPLITS; s++) {
        const mm_split *sp = &d.split[s];
        REQUIRE(sp->n == d.nwords[s] && sp->ny == o.T);
        items += sp->n;
        for (size_t i = 0; i < sp->n * (size_t)o.T; i++) {
            REQUIRE(sp->Y[i] >= -1 && sp->Y[i] < v.size && sp->X[i] >= 0 && sp->X[i] < v.size);
            targets += sp->Y[i] >= 0;
        }
    }
    REQUIRE(items == w->nwords && targets == w->nchars + w->nwords);
    mm_dataset_free(&d);
    mm_vocab_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_outcome[0] = 0;
    if (size < 1) return 0;
    int T = 1 + data[0] % 8;
    uint64_t seed = data[0] >> 3;
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err err;
    if (mm_words_parse(&w, (const char *)data + 1, size - 1, "fuzz.txt", &err)) {
        REQUIRE(strncmp(err.msg, "fuzz.txt", 8) == 0); /* every message names the file */
        fuzz_note("%s", err.msg);
        return 0;
    }
    fuzz_note("%zu items of %zu characters", w.nwords, w.nchars);
    REQUIRE(w.nwords > 0 && w.start[w.nwords] == w.nchars);
    for (size_t k = 0; k < w.nwords; k++) {
        REQUIRE(w.start[k + 1] > w.start[k] && w.start[k + 1] - w.start[k] <= MM_MAX_LINE_CHARS);
        REQUIRE(w.line[k] >= 1 && (k == 0 || w.line[k] > w.line[k - 1]));
    }
    if (mm_vocab_build(&v, &w, "fuzz.txt", &err) != MM_OK) fuzz_note("%s", err.msg);
    else {
        fuzz_note("vocabulary of %d", v.size);
        for (size_t i = 0; i < w.nchars; i++) REQUIRE(mm_vocab_id(&v, w.chars[i]) >= 1);
        /* the file's own vocabulary always covers it */
        const mm_data_opts o = {.T = T, .split_seed = seed};
        REQUIRE(mm_dataset_build(&d, &w, &v, &o, "fuzz.txt", &err) == MM_OK);
        check_dataset(&d, &w, v.size);
        mm_dataset_free(&d);
        check_missing_char(&w, &v, T);
        mm_vocab_free(&v);
        check_sequence(&w, seed);
    }
    mm_words_free(&w);
    return 0;
}
