/* makemore probs: the next-character (or next-word) distribution after a
 * prefix, through the sampler every kind shares. */
#include <stdio.h>
#include <stdlib.h>

#include "args.h"
#include "cli.h"
#include "items.h"

typedef struct {
    int id;
    float p;
} ranked;

/* Likeliest first; ties in id order, so the output is the same everywhere. */
static int by_prob(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->p != y->p) return x->p < y->p ? 1 : -1;
    return x->id - y->id;
}

static int print_ranked(const mm_vocab *v, const ranked *r, int V, const char *prefix, int json)
{
    mm_json j;
    mm_json_begin(&j);
    mm_json_str(&j, "prefix", prefix);
    mm_json_array(&j, "probs");
    for (int i = 0; i < V; i++) {
        const char *c = mm_vocab_token(v, r[i].id);
        if (json) {
            mm_json_item_object(&j);
            mm_json_str(&j, v->words ? "word" : "char", c);
            mm_json_g(&j, "prob", (double)r[i].p, 9);
            mm_json_item_object_end(&j);
        } else {
            printf("%s %.6f\n", c, (double)r[i].p);
        }
    }
    if (json) return cli_json_print(&j);
    mm_json_free(&j);
    return 0;
}

static int probs_of(const mm_run *r, const char *ckpt, const char *prefix, int top, int json)
{
    const int V = r->vocab.size;
    mm_sample_opts o = {1.0, 0, MM_MAX_LINE_CHARS};
    int *ids = malloc(MM_MAX_LINE_CHARS * sizeof *ids), n;
    ranked *rk = malloc((size_t)V * sizeof *rk);
    mm_sampler s;
    mm_err err;
    int rc = 0;
    if (!ids || !rk) rc = cli_error("out of memory");
    else if (mm_vocab_encode(&r->vocab, prefix, ids, MM_MAX_LINE_CHARS - 1, &n, "--prefix", &err) ||
             mm_sampler_build(&s, &r->model, &o, &err))
        rc = cli_error("%s", err.msg);
    if (!rc) {
        int bad = mm_sampler_probs_after(&s, ids, n);
        for (int v = 0; v < V; v++) rk[v] = (ranked){v, s.probs[v]};
        mm_sampler_free(&s);
        if (bad) {
            rc = cli_error("%s: %s; it has no distribution to print", ckpt, MM_LOGITS_NOT_FINITE);
        } else {
            qsort(rk, (size_t)V, sizeof *rk, by_prob);
            rc = print_ranked(&r->vocab, rk, top > 0 && top < V ? top : V, prefix, json);
        }
    }
    free(ids);
    free(rk);
    return rc;
}

int cmd_probs(int argc, char **argv)
{
    const char *workdir = DEFAULT_WORKDIR, *prefix = "";
    int json = 0, top = 0;
    arg_spec s[] = {
        {"--work-dir", "-o", ARG_STRING, &workdir, 0, 0, "folder holding model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--prefix", NULL, ARG_STRING, &prefix, 0, 0, "the item so far (default empty: the first character); "
         "for a word model, words separated by spaces", 0},
        {"--top", NULL, ARG_INT, &top, 0, 1 << 22, "print only the N likeliest (default 0: every token)", 0},
        {"--json", NULL, ARG_FLAG, &json, 0, 0, "print {\"prefix\": ..., \"probs\": [{\"char\": ..., \"prob\": ...}, ...]}", 0},
    };
    char msg[512];
    int rc = args_parse(s, 4, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("probs: %s", msg);
    if (rc > 0) {
        args_usage("usage: makemore probs [-o DIR] [--prefix P] [--json]\n\n"
                   "Prints the distribution of the next character after P according to\n"
                   "DIR/model.bin, likeliest first, one \"character probability\" a line;\n"
                   "'.' is the end of the item. For a word model, the next word's distribution,\n"
                   "one \"word probability\" a line, </s> the end of the item, <unk> any word the\n"
                   "vocabulary lacks; --json then names each \"word\" rather than \"char\".", s, 4);
        return 0;
    }
    char ckpt[MM_MAX_PATH];
    mm_run r;
    mm_err err;
    if (cli_path(ckpt, sizeof ckpt, workdir, "model.bin")) return cli_error("-o: path too long");
    if (mm_checkpoint_load(&r, ckpt, &err)) return cli_error("%s", err.msg);
    rc = probs_of(&r, ckpt, prefix, top, json);
    mm_run_free(&r);
    return rc;
}
