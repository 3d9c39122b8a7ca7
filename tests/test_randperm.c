/* torch.randperm as reimplemented in rng.c, and makemore.py's split built on
 * it. Run alone, it checks what needs no torch: every result is a
 * permutation, a seed gives one permutation, and the split's cuts are
 * makemore.py's. tests/parity_randperm.py runs it as a tool to compare with
 * torch itself:
 *   test_randperm perm N SEED    the permutation, one index a line
 *   test_randperm split FILE SEED  makemore.py's split of FILE, one item a
 *                                  line as "train ITEM" or "test ITEM" */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "rng.h"
#include "check.h"

static int print_perm(size_t n, uint64_t seed)
{
    uint32_t *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) return 1;
    mm_rng r;
    mm_rng_seed_torch(&r, seed);
    mm_rng_randperm_torch(&r, p, n);
    for (size_t i = 0; i < n; i++) printf("%u\n", p[i]);
    free(p);
    return 0;
}

static void print_word(const mm_words *w, size_t k)
{
    char buf[5];
    for (size_t c = w->start[k]; c < w->start[k + 1]; c++) fwrite(buf, 1, (size_t)mm_utf8_encode(w->chars[c], buf), stdout);
}

static int print_split(const char *path, uint64_t seed)
{
    mm_words w;
    mm_err e;
    if (mm_words_read(&w, path, &e) || mm_words_strip_python(&w, path, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    uint32_t *order = malloc(w.nwords * sizeof *order);
    size_t cut[4];
    if (!order) return 1;
    mm_split_order(order, w.nwords, MM_SPLIT_MAKEMORE, seed, cut);
    for (int s = 0; s < MM_NSPLITS; s++)
        for (size_t i = cut[s]; i < cut[s + 1]; i++) {
            printf("%s ", mm_split_name(s));
            print_word(&w, order[i]);
            putchar('\n');
        }
    free(order);
    mm_words_free(&w);
    return 0;
}

static int is_perm(const uint32_t *p, size_t n)
{
    char *seen = calloc(n ? n : 1, 1);
    int ok = seen != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok = p[i] < n && !seen[p[i]];
        if (ok) seen[p[i]] = 1;
    }
    free(seen);
    return ok;
}

static void check_perms(void)
{
    const size_t sizes[] = {0, 1, 2, 10, 1000, 32033};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        const size_t n = sizes[k];
        uint32_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
        mm_rng r;
        mm_rng_seed_torch(&r, 3407);
        mm_rng_randperm_torch(&r, a, n);
        mm_rng_seed_torch(&r, 3407);
        mm_rng_randperm_torch(&r, b, n);
        size_t moved = 0;
        for (size_t i = 0; i < n; i++) moved += a[i] != i;
        CHECK(is_perm(a, n) && !memcmp(a, b, n * sizeof *a) && (n < 10 || moved > n / 2),
              "randperm(%zu): a permutation, the same for the same seed, %zu of its places moved", n, moved);
        free(a);
        free(b);
    }
}

/* the test split is the last min(1000, int(0.1 n)) items; with none (n < 10)
 * Python's rp[:-0] leaves the training split empty */
static void check_cuts(void)
{
    const size_t sizes[] = {5, 10, 99, 10000, 32033};
    const size_t ntest[] = {0, 1, 9, 1000, 1000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint32_t order[32033];
        size_t cut[4];
        mm_split_order(order, sizes[k], MM_SPLIT_MAKEMORE, 3407, cut);
        const size_t want_train = ntest[k] ? sizes[k] - ntest[k] : 0;
        CHECK(cut[0] == 0 && cut[1] == want_train && cut[2] == want_train && cut[3] == sizes[k],
              "makemore split of %zu items: train %zu, no dev, test %zu", sizes[k], cut[1], cut[3] - cut[2]);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "perm")) return print_perm(strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
    if (argc == 4 && !strcmp(argv[1], "split")) return print_split(argv[2], strtoull(argv[3], NULL, 10));
    PLAN(11);
    check_perms();
    check_cuts();
    return CHECK_DONE();
}
