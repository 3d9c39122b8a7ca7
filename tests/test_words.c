/* Word tokens: reading, the vocabulary of the training split (--min-count,
 * <unk>), the ordered split, examples, the word list in model.bin,
 * perplexity on a hand-computed toy case, neighbours, long items and lines,
 * large vocabularies, and every kind trained a little on words with its
 * gradient checked against central differences of its own forward pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "dataset.h"
#include "items.h"
#include "kind.h"
#include "neighbors.h"
#include "words.h"
#include "check.h"

static mm_status parse(mm_words *w, const char *s, mm_err *e)
{
    return mm_words_parse_tokens(w, s, strlen(s), "mem.txt", MM_TOKENS_WORD, e);
}

static const char *type_of(const mm_words *w, size_t i) { return w->types + w->type_at[w->chars[i]]; }

static void test_reading(void)
{
    mm_words w;
    mm_err e;
    CHECK(parse(&w, "the cat  sat\r\n\n \t \nthe\tdog\n", &e) == MM_OK && w.nwords == 2 && w.nchars == 5,
          "two items of 3 and 2 words; runs of spaces, tabs, CR and blank lines skipped");
    CHECK(w.ntypes == 4 && !strcmp(type_of(&w, 3), "the") && !strcmp(type_of(&w, 4), "dog") && w.line[1] == 4,
          "4 distinct words, 'the' shared; the second item is on line 4");
    mm_words_free(&w);
    CHECK(parse(&w, "ok\nbad \xff word\n", &e) == MM_EFORMAT && strstr(e.msg, "mem.txt:2:") && strstr(e.msg, "UTF-8"),
          "invalid UTF-8 names the file and line: %s", e.msg);
    CHECK(mm_words_parse_tokens(&w, "a\0b\n", 4, "mem.txt", MM_TOKENS_WORD, &e) == MM_EFORMAT && strstr(e.msg, "NUL"),
          "a NUL byte is refused: %s", e.msg);
    CHECK(parse(&w, " \n\t\n", &e) == MM_EFORMAT && strstr(e.msg, "no items"), "only white space: %s", e.msg);
}

static mm_status vocab_of(mm_vocab *v, mm_words *w, const mm_data_opts *o, mm_err *e)
{
    return mm_data_vocab(v, w, o, NULL, "mem.txt", e);
}

static void test_vocab(void)
{
    mm_words w;
    mm_vocab v;
    mm_err e;
    /* ordered split, train = the first 9 words (3 items), dev 3, test the rest */
    const char *text = "a b a\nc a b\nx <unk> a\nb a y\nz z z\n";
    mm_data_opts o = {.T = 2, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD, .min_count = 2,
                      .sizes = {9, 3}};
    CHECK(parse(&w, text, &e) == MM_OK && vocab_of(&v, &w, &o, &e) == MM_OK, "vocabulary of the training split");
    CHECK(v.words && v.size == 4 && !strcmp(mm_vocab_token(&v, 0), "</s>") && !strcmp(mm_vocab_token(&v, 1), "<unk>") &&
              !strcmp(mm_vocab_token(&v, 2), "a") && !strcmp(mm_vocab_token(&v, 3), "b"),
          "--min-count 2 keeps a (4 times) then b (2) after </s> and <unk>; c, x and the later z do not count");
    CHECK(w.bound && w.chars[6] == 1 && w.chars[7] == 1 && w.chars[8] == 2 && w.chars[11] == 1,
          "bound: x, a literal <unk> and y (only in dev) become id 1");
    CHECK(mm_vocab_word_id(&v, "b", 1) == 3 && mm_vocab_word_id(&v, "<unk>", 5) == 1 &&
              mm_vocab_word_id(&v, "c", 1) == -1, "word ids by name");
    mm_dataset d;
    CHECK(mm_dataset_build(&d, &w, &v, &o, "mem.txt", &e) == MM_OK, "examples build: %s", e.msg);
    CHECK(d.nwords[MM_TRAIN] == 3 && d.nwords[MM_DEV] == 1 && d.nwords[MM_TEST] == 1 &&
              d.split[MM_TRAIN].ntargets == 12, "ordered 9/3: items 1-3 train, 4 dev, 5 test; 9 words + 3 ends");
    const mm_split *s = &d.split[MM_TRAIN];
    CHECK(s->X[0] == 0 && s->X[1] == 0 && s->Y[0] == 2 && s->X[2] == 0 && s->X[3] == 2 && s->Y[1] == 3 &&
              s->Y[3] == 0, "contexts slide over word ids, ending with the end token 0");
    mm_dataset_free(&d);
    int ids[8], n;
    CHECK(mm_vocab_encode(&v, " a  b ", ids, 8, &n, "--prefix", &e) == MM_OK && n == 2 && ids[0] == 2 && ids[1] == 3,
          "a prefix is split into words");
    CHECK(mm_vocab_encode(&v, "a zebra", ids, 8, &n, "--prefix", &e) == MM_EINVAL && strstr(e.msg, "'zebra'") &&
              strstr(e.msg, "<unk>"), "an unknown prefix word is an error naming it: %s", e.msg);
    CHECK(mm_vocab_encode(&v, "<unk> a", ids, 8, &n, "--prefix", &e) == MM_OK && ids[0] == 1,
          "<unk> in a prefix asks for the unknown word");
    int item[3] = {2, 1, 3};
    char text_out[64];
    CHECK(mm_vocab_text_cap(&v, 3) <= sizeof text_out && mm_vocab_text(&v, item, 3, text_out) == 9 &&
              !strcmp(text_out, "a <unk> b"), "an item prints as words joined by one space: '%s'", text_out);

    /* the word list a checkpoint stores, and what a reader refuses */
    char *list;
    size_t len;
    mm_vocab back;
    CHECK(mm_vocab_word_list(&v, &list, &len, &e) == MM_OK && len == 4 && !memcmp(list, "a\nb\n", 4) &&
              mm_vocab_from_word_list(&back, list, len, &e) == MM_OK && mm_vocab_equal(&v, &back),
          "the word list round-trips");
    free(list);
    mm_vocab_free(&back);
    const char *bad[] = {"a\na\n", "a b\n", "a\n\n", "<unk>\n", "a", "\xff\n"};
    int refused = 0;
    for (int i = 0; i < 6; i++) refused += mm_vocab_from_word_list(&back, bad[i], strlen(bad[i]), &e) == MM_EFORMAT;
    CHECK(refused == 6, "word lists refused: a repeat, white space, an empty word, <unk>, no line end, bad UTF-8");
    mm_vocab_free(&v);
    mm_words_free(&w);

    o.min_count = 5;
    CHECK(parse(&w, text, &e) == MM_OK && vocab_of(&v, &w, &o, &e) == MM_EINVAL && strstr(e.msg, "--min-count") &&
              strstr(e.msg, "mem.txt"), "an empty vocabulary after --min-count is an error: %s", e.msg);
    mm_words_free(&w);
}

static void test_ordered_split(void)
{
    mm_words w;
    mm_err e;
    /* 10 items of 1..10 words: 55 words */
    char text[400] = "";
    for (int i = 1; i <= 10; i++) {
        for (int k = 0; k < i; k++) strcat(text, "w ");
        strcat(text, "\n");
    }
    CHECK(parse(&w, text, &e) == MM_OK && w.nchars == 55, "55 words in 10 items");
    uint32_t order[10];
    size_t cut[4];
    mm_data_opts o = {.split_kind = MM_SPLIT_ORDERED, .sizes = {20, 10}};
    mm_split_items(order, &w, &o, cut);
    /* train takes items while fewer than 20 words came before: 1+2+3+4+5 = 15 < 20, +6 = 21 */
    CHECK(cut[1] == 6 && cut[2] == 8 && cut[3] == 10 && order[0] == 0 && order[9] == 9,
          "20/10 tokens: items 1-6 (21 words) train, 7-8 (15) dev, the rest test; file order");
    o.sizes[0] = 0.5, o.sizes[1] = 0.2;
    mm_split_items(order, &w, &o, cut);
    /* 0.5 of 55 = 27.5: 1..7 is 28 words; 0.2 = 11: item 8 (8 words) then 9 */
    CHECK(cut[1] == 7 && cut[2] == 9, "fractions 0.5/0.2 of 55 words: cuts at items 7 and 9 (got %zu %zu)", cut[1],
          cut[2]);
    double bad[2] = {0.7, 0.6}, frac_count[2] = {2.5, 1};
    CHECK(mm_split_sizes_check(bad, &e) == MM_EINVAL && mm_split_sizes_check(frac_count, &e) == MM_EINVAL,
          "fractions over 1 and a non-integral count are refused: %s", e.msg);
    CHECK(mm_split_kind_parse("ordered") == MM_SPLIT_ORDERED, "--split ordered parses");
    mm_words_free(&w);
}

/* A run of the lecture's MLP with every weight 0 but b2: every context's
 * distribution is softmax(b2), so the loss is a sum by hand. */
static void test_perplexity(void)
{
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    const char *text = "a b\nb <unk>\na\n";
    mm_data_opts o = {.T = 2, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD, .sizes = {1, 0}};
    o.sizes[0] = 0.99; /* all but... */
    o.sizes[0] = 5;    /* all 5 words in train */
    CHECK(parse(&w, text, &e) == MM_OK && vocab_of(&v, &w, &o, &e) == MM_OK &&
              mm_dataset_build(&d, &w, &v, &o, "mem", &e) == MM_OK && v.size == 4,
          "toy corpus: </s> <unk> a b");
    mm_model m;
    mm_config c = {.vocab_size = 4, .block_size = 2, .n_embd = 2, .n_hidden = 3};
    CHECK(mm_model_build(&m, &c, &e) == MM_OK, "MLP builds");
    memset(m.params, 0, m.nparams * sizeof *m.params);
    const double p[4] = {0.4, 0.1, 0.3, 0.2}; /* </s> <unk> a b */
    float *b2 = mm_model_param(&m, 4);
    for (int i = 0; i < 4; i++) b2[i] = (float)log(p[i]);
    /* targets: a b </s> | b <unk> </s> | a </s>: 3 ends, 2 a, 2 b, 1 <unk> */
    double nll = -(3 * log(0.4) + 2 * log(0.3) + 2 * log(0.2) + log(0.1)) / 8, loss;
    CHECK(d.split[MM_TRAIN].ntargets == 8 && mm_model_split_loss(&m, &d.split[MM_TRAIN], 1, &loss, &e) == MM_OK &&
              fabs(loss - nll) < 1e-6 && fabs(exp(loss) - exp(nll)) < 1e-5,
          "perplexity %.6f = exp(mean NLL over 8 tokens, ends and <unk> counted) = %.6f by hand", exp(loss), exp(nll));
    mm_model_free(&m);
    mm_dataset_free(&d);
    mm_vocab_free(&v);
    mm_words_free(&w);
}

static void test_neighbors(void)
{
    mm_model m;
    mm_err e;
    mm_config c = {.vocab_size = 5, .block_size = 1, .n_embd = 2, .n_hidden = 2};
    CHECK(mm_model_build(&m, &c, &e) == MM_OK, "MLP of 5 tokens");
    float *C = mm_model_param(&m, m.embedding);
    const float rows[5][2] = {{0, 0}, {1, 0}, {2, 0.1f}, {0, 1}, {-1, 0}};
    memcpy(C, rows, sizeof rows);
    mm_neighbor nb[4];
    int n;
    CHECK(mm_neighbors(&m, 1, 3, nb, &n, &e) == MM_OK && n == 3 && nb[0].id == 2 && fabs(nb[0].cos - 2 / sqrt(4.01)) < 1e-6 &&
              nb[1].id == 0 && nb[1].cos == 0 && nb[2].id == 3,
          "nearest of id 1 by cosine: 2 (%.4f), then 0 and 3 (cosine 0, by id)", nb[0].cos);
    CHECK(mm_neighbors(&m, 1, 10, nb, &n, &e) == MM_OK && n == 4 && nb[3].id == 4 && fabs(nb[3].cos + 1) < 1e-9,
          "k over V - 1 gives V - 1, the opposite row last");
    CHECK(mm_neighbors(&m, 5, 3, nb, &n, &e) == MM_EINVAL, "an id outside the vocabulary is refused");
    mm_model_free(&m);
}

static mm_run *word_run(mm_vocab *v)
{
    mm_run *r = calloc(1, sizeof *r);
    mm_err e;
    mm_config c = {.vocab_size = v->size, .block_size = 3, .n_embd = 4, .n_hidden = 5};
    if (mm_model_build(&r->model, &c, &e) || mm_vocab_copy(&r->vocab, v, &e)) exit(1);
    r->train = (mm_train_config){.max_steps = 10, .batch_size = 4, .sched = {.kind = MM_SCHED_STEP, .lr = 0.1,
                                                                            .decay = 0.1, .decay_step = 5}};
    for (size_t i = 0; i < r->model.nparams; i++) r->model.params[i] = (float)i / 100;
    mm_rng_seed_torch(&r->state.rng, 1);
    snprintf(r->input, sizeof r->input, "words.txt");
    return r;
}

static void test_checkpoint(void)
{
    const char *list[] = {"the", "old", "man", "caf\xc3\xa9"};
    mm_vocab v;
    mm_err e;
    CHECK(mm_vocab_from_word_array(&v, list, 4, &e) == MM_OK && v.size == 6, "a vocabulary of 4 words");
    mm_run *r = word_run(&v), back;
    r->split_kind = MM_SPLIT_ORDERED;
    r->split_sizes[0] = 800000, r->split_sizes[1] = 0.25;
    r->min_count = 4;
    unsigned char *buf;
    size_t len;
    CHECK(mm_checkpoint_encode(r, &buf, &len, "m.bin", &e) == MM_OK && buf[8] == 5, "a word model is format 5");
    CHECK(mm_checkpoint_parse(&back, buf, len, "m.bin", &e) == MM_OK && back.vocab.words &&
              mm_vocab_equal(&back.vocab, &v) && back.min_count == 4 && back.split_kind == MM_SPLIT_ORDERED &&
              back.split_sizes[0] == 800000 && back.split_sizes[1] == 0.25 &&
              !memcmp(back.model.params, r->model.params, r->model.nparams * sizeof(float)),
          "it loads back: words, --min-count, the ordered split's sizes, the weights: %s", e.msg);
    mm_run_free(&back);
    int damaged = 0;
    for (size_t at = 256; at < 300; at += 3) { /* the token block and the word list */
        buf[at] ^= 0x20;
        damaged += mm_checkpoint_parse(&back, buf, len, "m.bin", &e) == MM_EFORMAT;
        buf[at] ^= 0x20;
    }
    CHECK(damaged == 15, "a damaged byte in the token block or word list is refused (%d of 15)", damaged);
    CHECK(mm_checkpoint_parse(&back, buf, len - 9, "m.bin", &e) == MM_EFORMAT, "a truncated file is refused");
    free(buf);
    mm_run_free(r);
    free(r);
    mm_vocab_free(&v);

    /* a character run without dropout is still version 3, byte for byte the old layout */
    uint32_t cps[3] = {'a', 'b', 'c'};
    CHECK(mm_vocab_from_codepoints(&v, cps, 3, &e) == MM_OK, "a vocabulary of 3 characters");
    r = word_run(&v);
    CHECK(mm_checkpoint_encode(r, &buf, &len, "m.bin", &e) == MM_OK && buf[8] == 3 &&
              len == 256 + 4 * 3 + strlen("words.txt") + 4 * 624 + 16 + 4 * r->model.nparams + 4,
          "a character model is format 3 with the old length");
    CHECK(mm_checkpoint_parse(&back, buf, len, "m.bin", &e) == MM_OK && !back.vocab.words &&
              mm_vocab_equal(&back.vocab, &v), "and loads back as characters");
    mm_run_free(&back);
    free(buf);
    r->split_kind = MM_SPLIT_ORDERED;
    CHECK(mm_checkpoint_encode(r, &buf, &len, "m.bin", &e) == MM_OK && buf[8] == 5 &&
              mm_checkpoint_parse(&back, buf, len, "m.bin", &e) == MM_OK && !back.vocab.words &&
              back.split_kind == MM_SPLIT_ORDERED, "characters with the ordered split: format 5");
    mm_run_free(&back);
    free(buf);
    mm_run_free(r);
    free(r);
    mm_vocab_free(&v);
}

/* A 5 MB line of words is one item; a sequence kind's item of 5,000 words fits. */
static void test_long(void)
{
    const size_t n = 5u << 20;
    char *buf = malloc(n + 1);
    for (size_t i = 0; i < n; i += 5) memcpy(buf + i, i % 3 ? "abcd " : "efgh ", 5);
    buf[n - 1] = '\n';
    buf[n] = 0;
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    mm_data_opts o = {.T = 3, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD, .sizes = {1e7, 0}};
    CHECK(mm_words_parse_tokens(&w, buf, n, "big.txt", MM_TOKENS_WORD, &e) == MM_OK && w.nwords == 1 &&
              w.nchars == n / 5 && vocab_of(&v, &w, &o, &e) == MM_OK && v.size == 4 &&
              mm_dataset_build(&d, &w, &v, &o, "big.txt", &e) == MM_OK && d.split[MM_TRAIN].n == n / 5 + 1,
          "a 5 MB line is one item of %zu words, %zu examples", w.nchars, d.split[MM_TRAIN].n);
    mm_dataset_free(&d);
    mm_vocab_free(&v);
    mm_words_free(&w);
    free(buf);

    buf = malloc(5000 * 2 + 2);
    for (int i = 0; i < 5000; i++) memcpy(buf + 2 * i, "x ", 2);
    strcpy(buf + 10000, "\n");
    mm_data_opts so = {.T = 5001, .sequence = 1, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD,
                       .sizes = {1e7, 0}};
    CHECK(parse(&w, buf, &e) == MM_OK && vocab_of(&v, &w, &so, &e) == MM_OK &&
              mm_dataset_build(&d, &w, &v, &so, "long.txt", &e) == MM_OK && d.split[MM_TRAIN].ntargets == 5001,
          "an item of 5,000 words in a sequence block of 5,001");
    mm_dataset_free(&d);
    so.T = 4096;
    CHECK(mm_dataset_build(&d, &w, &v, &so, "long.txt", &e) == MM_EINVAL && strstr(e.msg, "5000 words"),
          "a block too short for it names the item: %s", e.msg);
    mm_vocab_free(&v);
    mm_words_free(&w);
    free(buf);
}

/* 2^20 distinct words: the vocabulary, the hash and the model's limits. */
static void test_big_vocab(void)
{
    const int n = 1 << 20;
    char *buf = malloc((size_t)n * 8 + 1), *p = buf;
    for (int i = 0; i < n; i++) p += sprintf(p, "%x\n", i);
    mm_words w;
    mm_vocab v;
    mm_err e;
    mm_data_opts o = {.T = 1, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD, .sizes = {1e9, 0}};
    CHECK(parse(&w, buf, &e) == MM_OK && vocab_of(&v, &w, &o, &e) == MM_OK && v.size == n + 2 &&
              mm_vocab_word_id(&v, "fffff", 5) >= 2 && w.chars[n - 1] == (uint32_t)mm_vocab_word_id(&v, "fffff", 5),
          "a vocabulary of 2^20 words + 2 (%d)", v.size);
    mm_config c = {.vocab_size = v.size, .block_size = 3, .n_embd = 8, .n_hidden = 16};
    CHECK(mm_config_check(&c, &e) == MM_OK, "the MLP takes V = 2^20 + 2");
    mm_vocab_free(&v);
    mm_words_free(&w);
    free(buf);
}

/* Central differences of the kind's own float forward along a random
 * direction: cruder than the double references of test_model and
 * test_seqkinds, but the same check for every kind at a word vocabulary. */
static void gradient_along(mm_model *m, mm_acts *a, const int32_t *X, const int32_t *Y, int B, mm_rng *r,
                           double *fd, double *an)
{
    float *dir = malloc(m->nparams * sizeof *dir), *keep = malloc(m->nparams * sizeof *keep);
    memcpy(keep, m->params, m->nparams * sizeof *keep);
    *an = 0;
    for (int t = 0; t < m->ntensors; t++)
        for (size_t i = 0; i < m->tensors[t].size; i++) {
            const size_t k = m->tensors[t].offset + i;
            dir[k] = m->tensors[t].buffer ? 0.0f : mm_rng_uniform(r) - 0.5f;
            *an += (double)dir[k] * m->grads[k];
        }
    const double h = 3e-3;
    double l[2];
    for (int s = 0; s < 2; s++) {
        for (size_t k = 0; k < m->nparams; k++) m->params[k] = keep[k] + (float)((s ? -h : h) * dir[k]);
        l[s] = mm_model_forward(m, a, X, Y, B, 1);
    }
    memcpy(m->params, keep, m->nparams * sizeof *keep);
    *fd = (l[0] - l[1]) / (2 * h);
    free(dir);
    free(keep);
}

/* The kinds trained by gradients (a counted kind, as an n-gram, has none). */
static int gradient_kind(const mm_kind *k) { return k && k->forward && k->backward && !k->fit; } /* kn is counted: test_kn.sh */

static int gradient_kinds(void)
{
    int n = 0;
    for (int id = 0; id < mm_kind_count(); id++) n += gradient_kind(mm_kind_at(id));
    return n;
}

static void test_kinds(void)
{
    /* 40 short sentences over 12 words */
    static const char *words[] = {"the", "a", "old", "man", "sea", "boat", "sat", "saw", "and", "big", "fish", "was"};
    char text[4000] = "";
    mm_rng r;
    mm_rng_seed_torch(&r, 7);
    for (int i = 0; i < 40; i++) {
        int len = 2 + (int)(mm_rng_u32(&r) % 6);
        for (int k = 0; k < len; k++) {
            strcat(text, words[mm_rng_u32(&r) % 12]);
            strcat(text, " ");
        }
        strcat(text, "\n");
    }
    for (int round = 0; round <= mm_kind_count(); round++) {
        /* the last round: the paper's MLP, with direct connections */
        const int id = round < mm_kind_count() ? round : MM_MODEL_MLP, direct = round == mm_kind_count();
        const mm_kind *k = mm_kind_at(id);
        if (!gradient_kind(k)) continue;
        mm_words w;
        mm_vocab v;
        mm_dataset d;
        mm_err e;
        const int seq = k->layout == MM_LAYOUT_SEQUENCE;
        mm_data_opts o = {.T = seq ? 8 : 4, .sequence = seq, .split_kind = MM_SPLIT_ORDERED,
                          .tokens = MM_TOKENS_WORD, .sizes = {0.75, 0.1}};
        mm_config c = {.vocab_size = 0, .block_size = o.T, .n_embd = 6, .n_hidden = 8, .kind = id,
                       .n_layers = k->uses & MM_USES_LAYERS ? 2 : 0, .n_heads = k->uses & MM_USES_HEADS ? 2 : 0,
                       .bn_momentum = 0.1f, .direct = direct};
        mm_model m;
        mm_acts a;
        const int B = 8;
        if (parse(&w, text, &e) || vocab_of(&v, &w, &o, &e) || mm_dataset_build(&d, &w, &v, &o, "mem", &e) ||
            (c.vocab_size = v.size, mm_model_build(&m, &c, &e)) || mm_acts_build(&a, &c, B, &e)) {
            CHECK(0, "%s on words: %s", k->name, e.msg);
            continue;
        }
        mm_rng_seed_torch(&r, 11);
        mm_model_init(&m, MM_INIT_TORCH, &r);
        const mm_split *s = &d.split[MM_TRAIN];
        const int32_t *X = s->X, *Y = s->Y;
        mm_model_zero_grad(&m);
        double l0 = mm_model_forward(&m, &a, X, Y, B, 1);
        mm_model_backward(&m, &a, X, B, 1);
        double fd, an;
        gradient_along(&m, &a, X, Y, B, &r, &fd, &an);
        CHECK(isfinite(l0) && fabs(fd - an) <= 1e-2 * fabs(an) + 3e-4,
              "%s%s on %d words: directional derivative %.6f, central differences %.6f", k->name,
              direct ? " --direct" : "", v.size, an, fd);
        /* a few SGD steps on one batch lower its loss */
        double l = l0;
        for (int step = 0; step < 20; step++) {
            mm_model_zero_grad(&m);
            l = mm_model_forward(&m, &a, X, Y, B, 1);
            mm_model_backward(&m, &a, X, B, 1);
            for (size_t i = 0; i < m.nparams; i++) m.params[i] -= 0.1f * m.grads[i];
        }
        double dev;
        CHECK(l < l0 && mm_model_split_loss(&m, &d.split[MM_DEV], 1, &dev, &e) == MM_OK && isfinite(dev),
              "%s on words: 20 steps take the batch loss from %.4f to %.4f; dev loss %.4f", k->name, l0, l, dev);
        mm_acts_free(&a);
        mm_model_free(&m);
        mm_dataset_free(&d);
        mm_vocab_free(&v);
        mm_words_free(&w);
    }
}

/* A vocabulary wider than outpar.c's DIN_PACKED_MIN_ROWS (4,096): the
 * paper's MLP then takes dL/d[h, x] through W^T and a GEMM packed along V
 * rather than dot products, which the small vocabularies above never reach. */
static void test_wide_vocab(void)
{
    enum { TYPES = 6000, LINES = 1500, PER = 8 };
    char *text = malloc((size_t)LINES * PER * 6 + 1), *p = text;
    mm_rng r;
    mm_rng_seed_torch(&r, 13);
    for (int i = 0; i < LINES; i++)
        for (int k = 0; k < PER; k++) p += sprintf(p, "%x%c", mm_rng_u32(&r) % TYPES, k + 1 < PER ? ' ' : '\n');
    mm_words w;
    mm_vocab v;
    mm_dataset d;
    mm_err e;
    mm_data_opts o = {.T = 4, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD, .sizes = {0.75, 0.1}};
    mm_config c = {.block_size = 4, .n_embd = 6, .n_hidden = 8, .kind = MM_MODEL_MLP, .bn_momentum = 0.1f,
                   .direct = 1};
    mm_model m;
    mm_acts a;
    const int B = 16;
    if (parse(&w, text, &e) || vocab_of(&v, &w, &o, &e) || mm_dataset_build(&d, &w, &v, &o, "mem", &e) ||
        (c.vocab_size = v.size, mm_model_build(&m, &c, &e)) || mm_acts_build(&a, &c, B, &e)) {
        CHECK(0, "mlp --direct on a wide vocabulary: %s", e.msg);
        free(text);
        return;
    }
    mm_rng_seed_torch(&r, 11);
    mm_model_init(&m, MM_INIT_TORCH, &r);
    const mm_split *s = &d.split[MM_TRAIN];
    mm_model_zero_grad(&m);
    mm_model_forward(&m, &a, s->X, s->Y, B, 1);
    mm_model_backward(&m, &a, s->X, B, 1);
    double fd, an;
    gradient_along(&m, &a, s->X, s->Y, B, &r, &fd, &an);
    CHECK(v.size > 4096 && fabs(fd - an) <= 1e-2 * fabs(an) + 3e-4,
          "mlp --direct on %d words: directional derivative %.6f, central differences %.6f", v.size, an, fd);
    mm_acts_free(&a);
    mm_model_free(&m);
    mm_dataset_free(&d);
    mm_vocab_free(&v);
    mm_words_free(&w);
    free(text);
}

int main(void)
{
    /* 46 checks, then 2 for each kind trained by gradients and 2 for mlp --direct */
    PLAN(46 + 2 * (gradient_kinds() + 1));
    test_reading();
    test_vocab();
    test_ordered_split();
    test_perplexity();
    test_neighbors();
    test_checkpoint();
    test_long();
    test_big_vocab();
    test_kinds();
    test_wide_vocab();
    return CHECK_DONE();
}
