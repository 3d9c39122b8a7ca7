#include "samples.h"

#include <string.h>

void cli_marks_load(cli_marks *m, const mm_run *r)
{
    memset(m, 0, sizeof *m);
    mm_err err;
    mm_data_opts o = cli_run_data_opts(r);
    if (cli_data_load(&m->data, r->input, &o, &r->vocab, &err)) {
        fprintf(stderr, "makemore: warning: samples are not marked train/dev/test/new: %s\n", err.msg);
        return;
    }
    if (mm_itemset_build(&m->set, &m->data.words, &m->data.data, &err)) {
        fprintf(stderr, "makemore: warning: samples are not marked: %s\n", err.msg);
        cli_data_free(&m->data);
        return;
    }
    m->ok = 1;
}

void cli_marks_free(cli_marks *m)
{
    if (m->ok) {
        mm_itemset_free(&m->set);
        cli_data_free(&m->data);
    }
    m->ok = 0;
}

void cli_samples_summary(FILE *out, const long count[MM_NSPLITS + 1])
{
    fprintf(out, "%ld in train / %ld in dev / %ld in test / %ld new", count[MM_TRAIN], count[MM_DEV],
            count[MM_TEST], count[MM_NSPLITS]);
}

static void print_one(FILE *out, mm_json *j, const char *text, int split)
{
    if (!j) {
        fputs(text, out);
        if (split != MM_UNMARKED) fprintf(out, "\t%s", mm_item_label(split));
        fputc('\n', out);
        return;
    }
    mm_json_item_object(j);
    mm_json_str(j, "text", text);
    mm_json_str_or_null(j, "split", split == MM_UNMARKED ? NULL : mm_item_label(split));
    mm_json_item_object_end(j);
}

int cli_samples_print(FILE *out, FILE *summary, mm_json *j, const mm_run *r, const mm_itemset *set,
                      const mm_sample_opts *o, uint64_t seed, const char *prefix, long n, const char *ckpt)
{
    mm_drawer d;
    mm_err err;
    if (mm_drawer_build(&d, &r->model, &r->vocab, o, seed, prefix, "--prefix", set, &err))
        return cli_error("%s", err.msg);
    if (j) mm_json_array(j, "samples");
    int rc = 0;
    long i;
    for (i = 0; i < n; i++) {
        int split;
        const char *text = mm_drawer_next(&d, &split);
        if (!text) break;
        print_one(out, j, text, split);
        if (!j && ferror(out)) break; /* no one reads the rest */
    }
    if (j) mm_json_array_end(j);
    if (!j && ferror(out)) {
        mm_drawer_free(&d);
        return 0; /* cli_flush_stdout says so at exit */
    }
    if (i < n && ckpt) rc = cli_error("%s: %s; it cannot be sampled", ckpt, MM_LOGITS_NOT_FINITE);
    else if (i < n) fprintf(stderr, "makemore: warning: no samples: %s\n", MM_LOGITS_NOT_FINITE);
    else if (summary && set) {
        fprintf(summary, "%ld samples: ", n);
        cli_samples_summary(summary, d.count);
        fputc('\n', summary);
    }
    mm_drawer_free(&d);
    return rc;
}
