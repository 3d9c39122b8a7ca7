/* makemore neighbors: the tokens whose learnt features are nearest a given
 * one's, by cosine (the paper's "similar words get similar features"). */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "items.h"
#include "neighbors.h"

/* The id of the token named by text: a word of a word model, one character
 * of a character model (items.h's rules either way). */
static int token_id(const mm_vocab *v, const char *text, int *id, mm_err *err)
{
    int ids[2], n;
    if (mm_vocab_encode(v, text, ids, 2, &n, "--word", err)) return -1;
    if (n != 1) {
        mm_fail(err, MM_EINVAL, "--word '%s': give one %s", text, v->words ? "word" : "character");
        return -1;
    }
    *id = ids[0];
    return 0;
}

static int print_neighbors(const mm_run *r, const char *word, const mm_neighbor *nb, int n, int json)
{
    mm_json j;
    mm_json_begin(&j);
    mm_json_str(&j, "word", word);
    mm_json_array(&j, "neighbors");
    for (int i = 0; i < n; i++) {
        const char *t = mm_vocab_token(&r->vocab, nb[i].id);
        if (json) {
            mm_json_item_object(&j);
            mm_json_str(&j, "word", t);
            mm_json_g(&j, "cosine", nb[i].cos, 6);
            mm_json_item_object_end(&j);
        } else {
            printf("%s\t%.4f\n", t, nb[i].cos);
        }
    }
    if (json) return cli_json_print(&j);
    mm_json_free(&j);
    return 0;
}

int cmd_neighbors(int argc, char **argv)
{
    const char *workdir = DEFAULT_WORKDIR, *word = NULL;
    int k = 10, json = 0;
    arg_spec s[] = {
        {"--work-dir", "-o", ARG_STRING, &workdir, 0, 0, "folder holding model.bin (default " DEFAULT_WORKDIR ")", 0},
        {"--word", NULL, ARG_STRING, &word, 0, 0, "the word (a character, for a character model)", 0},
        {"--k", "-k", ARG_INT, &k, 1, 1 << 22, "how many neighbours (default 10)", 0},
        {"--json", NULL, ARG_FLAG, &json, 0, 0, "print {\"word\": ..., \"neighbors\": [{\"word\": ..., \"cosine\": ...}, ...]}", 0},
    };
    char msg[512];
    int rc = args_parse(s, 4, argc, argv, msg, sizeof msg);
    if (rc < 0) return cli_error("neighbors: %s", msg);
    if (rc > 0) {
        args_usage("usage: makemore neighbors [-o DIR] --word W [-k 10] [--json]\n\n"
                   "Prints the k tokens whose rows of the learnt embedding (the paper's word\n"
                   "features) have the largest cosine with W's, one \"token cosine\" a line.", s, 4);
        return 0;
    }
    if (!word) return cli_error("neighbors: --word W is required");
    char ckpt[MM_MAX_PATH];
    mm_run r;
    mm_err err;
    if (cli_path(ckpt, sizeof ckpt, workdir, "model.bin")) return cli_error("-o: path too long");
    if (mm_checkpoint_load(&r, ckpt, &err)) return cli_error("%s", err.msg);
    int id = 0;
    mm_neighbor *nb = malloc((size_t)k * sizeof *nb);
    int n = 0;
    if (!nb) rc = cli_error("out of memory");
    else if (token_id(&r.vocab, word, &id, &err) || mm_neighbors(&r.model, id, k, nb, &n, &err))
        rc = cli_error("%s: %s", ckpt, err.msg);
    else rc = print_neighbors(&r, word, nb, n, json);
    free(nb);
    mm_run_free(&r);
    return rc;
}
