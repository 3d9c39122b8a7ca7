/* The n-gram baselines of docs/PAPER.md in seconds: reads a file as
 * makemore train --tokens word --min-count K --split ordered --split-sizes
 * A/B does, counts n-grams of orders 1..6 on the training split with both
 * smoothings of ngram.h, and prints the perplexity of every split.
 *
 *   build/bench/ngram_ppl FILE [K [A/B [paper]]]     one JSON object a line
 *
 * "paper" reads the file with Bengio et al. 2003's conventions, as train
 * --vocab-from all --stream does: the words counted over the whole file,
 * each split one running text without end tokens.
 *
 * The same library code as --model kn and --mix-ngram, without their
 * dense distributions over the whole vocabulary (which a model's eval
 * needs and a perplexity does not). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"
#include "ngram.h"
#include "runbuild.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ngram_ppl FILE [MIN_COUNT [TRAIN/DEV [paper]]]\n");
        return 2;
    }
    mm_err err;
    mm_data_opts o = {.T = 1, .split_kind = MM_SPLIT_ORDERED, .tokens = MM_TOKENS_WORD,
                      .min_count = argc > 2 ? atoi(argv[2]) : 4};
    if (argc > 4 && strcmp(argv[4], "paper")) {
        fprintf(stderr, "ngram_ppl: '%s': the fourth argument is 'paper' or nothing\n", argv[4]);
        return 2;
    }
    o.stream = o.vocab_all = argc > 4;
    if (mm_split_sizes_parse(argc > 3 ? argv[3] : "800000/200000", o.sizes, &err)) {
        fprintf(stderr, "ngram_ppl: %s\n", err.msg);
        return 2;
    }
    mm_run_data d;
    if (mm_run_data_load(&d, argv[1], &o, NULL, 1ull << 36, &err)) {
        fprintf(stderr, "ngram_ppl: %s\n", err.msg);
        return 1;
    }
    for (int sm = 0; sm < 2; sm++)
        for (int order = 1; order <= MM_NGRAM_MAX_ORDER; order++) {
            mm_ngram g;
            if (mm_ngram_build(&g, order, sm, d.vocab.size, &d.data.split[MM_TRAIN], &err)) {
                fprintf(stderr, "ngram_ppl: %s\n", err.msg);
                return 1;
            }
            printf("{\"order\": %d, \"smoothing\": \"%s\", \"vocab_size\": %d, \"paper\": %d", order,
                   mm_ngram_smoothing_name(sm), d.vocab.size, o.stream);
            for (int s = 0; s < MM_NSPLITS; s++) {
                const mm_split *sp = &d.data.split[s];
                double *p = malloc((sp->ntargets ? sp->ntargets : 1) * sizeof *p);
                if (!p || mm_ngram_split_probs(&g, sp, p, &err)) return 1;
                double loss = mm_mix_loss(p, p, sp->ntargets, 1.0);
                printf(", \"%s_tokens\": %zu, \"%s_loss\": %.6f, \"%s_perplexity\": %.3f", mm_split_name(s),
                       sp->ntargets, mm_split_name(s), loss, mm_split_name(s), exp(loss));
                free(p);
            }
            printf("}\n");
            fflush(stdout);
            mm_ngram_free(&g);
        }
    mm_run_data_free(&d);
    return 0;
}
