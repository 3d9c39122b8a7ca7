#include "runbuild.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kind.h"
#include "memory.h"

mm_status mm_run_data_load(mm_run_data *d, const char *path, const mm_data_opts *o, const mm_vocab *vocab,
                           uint64_t avail, mm_err *err)
{
    memset(d, 0, sizeof *d);
    d->opts = *o;
    mm_status st = mm_words_read_tokens(&d->words, path, avail, o->tokens, err);
    if (!st && o->split_kind == MM_SPLIT_MAKEMORE && !o->tokens) st = mm_words_strip_python(&d->words, path, err);
    if (!st && d->opts.T == 0) {
        size_t T = mm_words_longest(&d->words) + 1;
        d->opts.T = T <= MM_MAX_BLOCK ? (int)T : MM_MAX_BLOCK; /* a longer item is refused by name below */
    }
    /* words: the training split's vocabulary, or a copy of vocab's */
    if (!st) st = mm_data_vocab(&d->vocab, &d->words, &d->opts, vocab, path, err);
    if (!st) {
        uint64_t need = mm_run_data_mem(d, &d->opts);
        if (need > avail)
            st = mm_fail(err, MM_ENOMEM, "%s: %zu items at --block-size %d need about %llu MiB of memory, "
                         "over the %llu MiB available (see docs/LIMITS.md)", path, d->words.nwords, d->opts.T,
                         (unsigned long long)(need >> 20), (unsigned long long)(avail >> 20));
    }
    if (!st) st = mm_dataset_build(&d->data, &d->words, vocab ? vocab : &d->vocab, &d->opts, path, err);
    if (st) mm_run_data_free(d);
    return st;
}

void mm_run_data_free(mm_run_data *d)
{
    mm_dataset_free(&d->data);
    mm_vocab_free(&d->vocab);
    mm_words_free(&d->words);
}

uint64_t mm_run_data_mem(const mm_run_data *d, const mm_data_opts *o)
{
    /* the words stay loaded beside their examples: 4 bytes a character and
     * 16 a line (chars was sized by bytes, but only its used pages count);
     * evaluating a split adds scratch for a while */
    const mm_words *w = &d->words;
    uint64_t examples = (uint64_t)w->nchars + w->nwords;
    return 4 * (uint64_t)w->nchars + 16 * (uint64_t)w->nwords + mm_dataset_mem(w, o) +
           MM_MEM_EVAL_PER_EXAMPLE * examples;
}

mm_data_opts mm_run_data_opts(const mm_run *r)
{
    return (mm_data_opts){.T = r->model.cfg.block_size,
                          .sequence = r->model.kind->layout == MM_LAYOUT_SEQUENCE,
                          .split_kind = r->split_kind,
                          .split_seed = r->split_seed,
                          .tokens = r->vocab.words ? MM_TOKENS_WORD : MM_TOKENS_CHAR,
                          .min_count = r->min_count,
                          .sizes = {r->split_sizes[0], r->split_sizes[1]},
                          .stream = r->stream, .vocab_all = r->vocab_all};
}

/* Seeds, split and init of the run, as the settings say. */
static void describe(mm_run *r, const mm_settings *s, const char *input)
{
    r->seed = s->seed;
    r->split_kind = mm_split_kind_parse(s->split);
    /* makemore.py's split has its own default seed */
    r->split_seed = mm_settings_given(s, "--split-seed") || r->split_kind == MM_SPLIT_LECTURE ? s->split_seed
                                                                                             : MM_MAKEMORE_SEED;
    r->init_kind = strcmp(s->init, "scaled") ? MM_INIT_TORCH : MM_INIT_SCALED;
    r->min_count = mm_tokens_parse(s->tokens) == MM_TOKENS_WORD ? s->min_count : 0;
    r->stream = s->stream;
    r->vocab_all = !strcmp(s->vocab_from, "all");
    mm_err e;
    if (s->split_sizes) mm_split_sizes_parse(s->split_sizes, r->split_sizes, &e); /* checked by mm_settings_resolve */
    snprintf(r->input, sizeof r->input, "%s", input);
}

static mm_status load_data(mm_run *r, mm_run_data *d, const mm_settings *s, uint64_t avail, mm_err *err)
{
    const mm_kind *k = mm_kind_at(mm_kind_find(s->model));
    mm_data_opts o = {.T = s->block_size, .sequence = k->layout == MM_LAYOUT_SEQUENCE,
                      .split_kind = r->split_kind, .split_seed = r->split_seed,
                      .tokens = mm_tokens_parse(s->tokens), .min_count = r->min_count,
                      .sizes = {r->split_sizes[0], r->split_sizes[1]},
                      .stream = r->stream, .vocab_all = r->vocab_all};
    mm_status st = mm_run_data_load(d, r->input, &o, NULL, avail, err);
    if (st) return st;
    size_t n = d->words.nwords;
    if (d->data.split[MM_TRAIN].n == 0)
        return mm_fail(err, MM_EINVAL, "%s: %zu item%s leave%s the training split empty: the input needs more "
                       "items", r->input, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
    /* the data's identity, so --resume can refuse another file */
    r->data_items = n;
    memcpy(r->data_sha256, d->words.sha256, sizeof r->data_sha256);
    return MM_OK;
}

mm_status mm_run_build(mm_run *r, mm_run_data *d, const mm_settings *s, const char *input, uint64_t avail,
                       mm_err *err)
{
    memset(r, 0, sizeof *r);
    memset(d, 0, sizeof *d);
    if (strlen(input) >= MM_MAX_PATH) return mm_fail(err, MM_EINVAL, "%s: path too long", input);
    describe(r, s, input);
    mm_status st = load_data(r, d, s, avail, err);
    if (st) return st;
    mm_config cfg;
    mm_settings steps = *s; /* --epochs: the steps, and the schedule's defaults that follow them */
    if (s->epochs > 0)
        steps.max_steps = (long)ceil(s->epochs * (double)d->data.split[MM_TRAIN].n / s->batch_size);
    mm_settings_apply(&steps, d->vocab.size, d->opts.T, &cfg, &r->train);
    if ((st = mm_train_config_check(&r->train, d->data.split[MM_TRAIN].n, err)) || (st = mm_config_check(&cfg, err)) ||
        (st = mm_settings_check_memory(&cfg, s->batch_size, mm_run_data_mem(d, &d->opts), avail, err)) ||
        (st = mm_model_build(&r->model, &cfg, err)) ||
        (st = mm_vocab_copy(&r->vocab, &d->vocab, err)) ||
        (st = mm_init_rng(&r->state.rng, r->seed, r->split_kind, r->split_seed, d->words.nwords, err)))
        return st;
    mm_model_init(&r->model, (mm_init_kind)r->init_kind, &r->state.rng);
    return mm_model_fit(&r->model, &d->data.split[MM_TRAIN], err);
}

void mm_run_summary(mm_json *j, const mm_run *r, const mm_dataset *ds, double train_loss, double dev_loss,
                    int nthreads, const char *model_bin)
{
    const mm_config *c = &r->model.cfg;
    long step = r->state.step;
    mm_json_begin(j);
    mm_json_int(j, "vocab_size", r->vocab.size);
    mm_json_int(j, "ntrain", (long long)ds->split[MM_TRAIN].n);
    mm_json_int(j, "ndev", (long long)ds->split[MM_DEV].n);
    mm_json_int(j, "ntest", (long long)ds->split[MM_TEST].n);
    mm_json_int(j, "params", (long long)r->model.ntrainable);
    mm_json_int(j, "block_size", c->block_size);
    mm_json_int(j, "n_embd", c->n_embd);
    mm_json_int(j, "n_hidden", c->n_hidden);
    mm_json_int(j, "batch_size", r->train.batch_size);
    mm_json_num(j, "dropout", (double)c->dropout, 6);
    mm_json_num(j, "init_train_loss", r->state.init_train_loss, 6);
    mm_json_num(j, "init_dev_loss", r->state.init_dev_loss, 6);
    mm_json_num(j, "train_loss", train_loss, 6);
    mm_json_num(j, "dev_loss", dev_loss, 6);
    /* per token: every target, the ends of items and <unk> counted */
    mm_json_num(j, "train_ppl", exp(train_loss), 6);
    mm_json_num(j, "dev_ppl", exp(dev_loss), 6);
    mm_json_str(j, "tokens", r->vocab.words ? "word" : "char");
    if (r->vocab.words) mm_json_int(j, "min_count", r->min_count);
    if (r->vocab.words) {
        mm_json_str(j, "vocab_from", r->vocab_all ? "all" : "train");
        mm_json_int(j, "stream", r->stream); /* 1: each split one running text, no end tokens */
    }
    mm_json_int(j, "steps", step);
    mm_json_num(j, "train_seconds", r->state.train_seconds, 4);
    mm_json_num(j, "us_per_step", step ? 1e6 * r->state.train_seconds / (double)step : 0.0, 3);
    mm_json_int(j, "threads", nthreads);
    mm_json_str(j, "model", r->model.kind->name);
    mm_json_str(j, "optimizer", mm_optim_name(r->train.optim.kind));
    mm_json_str(j, "split", mm_split_kind_name(r->split_kind));
    mm_json_str(j, "input", r->input);
    mm_json_str(j, "model_bin", model_bin);
}

void mm_run_summary_best(mm_json *j, const mm_keepbest *k)
{
    if ((k->keep || k->patience) && k->best_step >= 0) {
        mm_json_int(j, "best_step", k->best_step);
        mm_json_num(j, "best_dev_loss", k->best_dev, 6);
        mm_json_num(j, "best_dev_ppl", exp(k->best_dev), 6);
    }
    if (k->keep) mm_json_str(j, "best_bin", k->best_step >= 0 ? "best.bin" : "");
    if (k->patience) mm_json_int(j, "stopped_early", k->stopped_early);
}

void mm_run_summary_mix(mm_json *j, const mm_mix_result *m, unsigned mask)
{
    mm_json_int(j, "mix_ngram", m->order);
    mm_json_str(j, "mix_smoothing", mm_ngram_smoothing_name(m->smoothing));
    mm_json_num(j, "mix_weight", m->weight, 6);
    mm_json_int(j, "mix_weight_fitted", m->fitted);
    for (int s = 0; s < MM_NSPLITS; s++) {
        if (!(mask & (1u << s))) continue;
        const char *name = mm_split_name(s);
        const double *loss[3] = {m->ngram_loss, m->mix_loss, m->mlp_loss};
        const char *what[3] = {"ngram", "mix", "model"};
        for (int k = 0; k < 3; k++) {
            char key[48];
            snprintf(key, sizeof key, "%s_%s_loss", what[k], name);
            if (k < 2) mm_json_num(j, key, loss[k][s], 6);
            snprintf(key, sizeof key, "%s_%s_perplexity", what[k], name);
            mm_json_num(j, key, exp(loss[k][s]), 6);
        }
    }
}
