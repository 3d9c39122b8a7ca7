/* The sampler keeps each context's distribution once computed (sample.h):
 * the items it draws must be exactly those drawn computing every step
 * anew, for the table-driven MLP and for the other model kinds, with and
 * without temperature and top-k. */
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "check.h"

static int same_items(const mm_model *m, double temperature, int top_k, int n, long *chars)
{
    mm_sample_opts o = {temperature, top_k, 64};
    mm_sampler a, b;
    mm_err err;
    if (mm_sampler_build(&a, m, &o, &err) || mm_sampler_build(&b, m, &o, &err)) {
        printf("not ok - sampler: %s\n", err.msg);
        exit(1);
    }
    b.fresh = 1;
    mm_rng ra, rb;
    mm_rng_seed_torch(&ra, 7);
    mm_rng_seed_torch(&rb, 7);
    int same = 1, ia[64], ib[64];
    *chars = 0;
    for (int i = 0; i < n && same; i++) {
        int la = mm_sample_item(&a, &ra, ia), lb = mm_sample_item(&b, &rb, ib);
        same = la == lb && !memcmp(ia, ib, (size_t)la * sizeof *ia);
        *chars += la + 1;
    }
    same &= a.seen.nuniq > 0 && b.seen.nuniq == 0;
    mm_sampler_free(&a);
    mm_sampler_free(&b);
    return same;
}

static void check_model(const mm_config *c, const char *what)
{
    mm_model m;
    mm_err err;
    if (mm_model_build(&m, c, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    mm_rng r;
    mm_rng_seed_torch(&r, 3);
    mm_model_init(&m, MM_INIT_SCALED, &r);
    /* weights that make the distributions far from uniform */
    for (size_t i = 0; i < m.nparams; i++) m.params[i] *= 3.0f;
    long chars;
    CHECK(same_items(&m, 1.0, 0, 2000, &chars), "%s: 2000 items (%ld characters) the same with kept distributions", what, chars);
    CHECK(same_items(&m, 0.6, 4, 500, &chars), "%s: temperature 0.6, top-k 4: 500 items the same", what);
    mm_model_free(&m);
}

/* Finite weights whose logits overflow: every draw fails cleanly (-1),
 * with or without top-k (which once wrote p[-1] there). */
static void check_overflow(const mm_config *c, const char *what)
{
    mm_model m;
    mm_err err;
    if (mm_model_build(&m, c, &err)) {
        printf("not ok - build: %s\n", err.msg);
        exit(1);
    }
    for (size_t i = 0; i < m.nparams; i++) m.params[i] = 3e38f;
    int fails = 0, tries = 0;
    for (int k = 0; k <= c->vocab_size + 1; k++) {
        mm_sample_opts o = {0.7, k, 16};
        mm_sampler s;
        if (mm_sampler_build(&s, &m, &o, &err)) continue;
        mm_rng g;
        mm_rng_seed_torch(&g, (uint64_t)k);
        int ids[16];
        tries++;
        fails += mm_sample_item(&s, &g, ids) == -1;
        mm_sampler_free(&s);
    }
    CHECK(tries == c->vocab_size + 2 && fails == tries, "%s: overflowing logits fail cleanly for top-k 0..V+1 (%d of %d)",
          what, fails, tries);
    mm_model_free(&m);
}

int main(void)
{
    PLAN(6);
    mm_config mlp = {.vocab_size = 12, .block_size = 3, .n_embd = 5, .n_hidden = 30};
    check_model(&mlp, "MLP");
    mm_config bn = mlp;
    bn.kind = MM_MODEL_BNMLP;
    bn.n_layers = 2;
    bn.bn_momentum = 0.1f;
    check_model(&bn, "BN-MLP");
    check_overflow(&mlp, "MLP");
    check_overflow(&bn, "BN-MLP");
    return CHECK_DONE();
}
