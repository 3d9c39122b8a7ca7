/* The public API (include/makemore.h) over the library: loading a model,
 * sampling, next-character probabilities and evaluation. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "items.h"
#include "memory.h"
#include "runbuild.h"
#include "kind.h"
#include "drawer.h"

/* The public codes are the library's, so a status passes through as is. */
_Static_assert(MAKEMORE_EINTR == (int)MM_EINTR && MAKEMORE_EINVAL == (int)MM_EINVAL &&
               MAKEMORE_ENUMERIC == (int)MM_ENUMERIC, "makemore_status follows mm_status");

/* The sampling seed `makemore sample` starts from: the lecture's. */
#define DEFAULT_SAMPLE_SEED (2147483647ull + 10)

makemore_status api_status(mm_status st, const mm_err *e, makemore_error *err)
{
    if (st && err) snprintf(err->msg, sizeof err->msg, "%s", e ? e->msg : "");
    return (makemore_status)st;
}

static makemore_status fail(makemore_error *err, makemore_status st, const char *msg)
{
    if (err) snprintf(err->msg, sizeof err->msg, "%s", msg);
    return st;
}

int api_threads(int requested)
{
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_num_procs();
#else
    (void)requested;
    return 1;
#endif
}

#define MM_STR_(x) #x
#define MM_STR(x) MM_STR_(x)

/* from include/makemore.h, where the version is written once */
const char *makemore_version(void)
{
    return "makemore " MM_STR(MAKEMORE_VERSION_MAJOR) "." MM_STR(MAKEMORE_VERSION_MINOR);
}

const char *makemore_status_name(makemore_status s)
{
    static const char *const names[] = {"ok", "invalid argument", "input/output error", "malformed file",
                                        "out of memory", "numeric error", "interrupted"};
    return (int)s >= 0 && (int)s < (int)(sizeof names / sizeof *names) ? names[s] : "unknown status";
}

makemore_status makemore_load(const char *dir, makemore_model **out, makemore_error *err)
{
    *out = NULL;
    char path[MM_MAX_PATH];
    if (!dir) return fail(err, MAKEMORE_EINVAL, "makemore_load: no folder given");
    if (snprintf(path, sizeof path, "%s/model.bin", dir) >= (int)sizeof path)
        return fail(err, MAKEMORE_EINVAL, "makemore_load: folder path too long");
    makemore_model *m = calloc(1, sizeof *m);
    if (!m) return fail(err, MAKEMORE_ENOMEM, "out of memory");
    mm_err e;
    mm_status st = mm_checkpoint_load(&m->run, path, &e);
    if (st) {
        free(m);
        return api_status(st, &e, err);
    }
    *out = m;
    return MAKEMORE_OK;
}

void makemore_free(makemore_model *m)
{
    if (!m) return;
    mm_run_free(&m->run);
    free(m);
}

int makemore_vocab_size(const makemore_model *m)
{
    return m->run.vocab.size;
}

const char *makemore_char(const makemore_model *m, int id)
{
    return id >= 0 && id < m->run.vocab.size ? mm_vocab_token(&m->run.vocab, id) : NULL;
}

int makemore_is_words(const makemore_model *m)
{
    return m->run.vocab.words;
}

size_t makemore_max_token_bytes(const makemore_model *m)
{
    return m->run.vocab.longest;
}

const char *makemore_kind(const makemore_model *m)
{
    return m->run.model.kind ? m->run.model.kind->name : "?";
}

size_t makemore_num_params(const makemore_model *m)
{
    return m->run.model.ntrainable;
}

makemore_sample_opts makemore_sample_defaults(void)
{
    makemore_sample_opts o = {.temperature = 1.0, .seed = DEFAULT_SAMPLE_SEED};
    return o;
}

makemore_status makemore_sample(makemore_model *m, const makemore_sample_opts *o, int n, char *buf,
                                size_t cap, makemore_error *err)
{
    makemore_sample_opts def = makemore_sample_defaults();
    if (!o) o = &def;
    if (n < 0) return fail(err, MAKEMORE_EINVAL, "makemore_sample: n must be >= 0");
    if (!buf || cap < 1) return fail(err, MAKEMORE_EINVAL, "makemore_sample: no room for the items");
    buf[0] = 0;
    mm_sample_opts so = {o->temperature, o->top_k, o->max_len};
    if (so.max_len < 0 || so.max_len > MM_MAX_LINE_CHARS)
        return fail(err, MAKEMORE_EINVAL, "makemore_sample: max_len must be 0 or 1..256");
    mm_drawer d;
    mm_err e;
    mm_status st = mm_drawer_build(&d, &m->run.model, &m->run.vocab, &so, o->seed, o->prefix, "prefix", NULL, &e);
    size_t at = 0;
    for (int i = 0; i < n && !st; i++) {
        int split;
        const char *item = mm_drawer_next(&d, &split);
        if (!item) {
            st = mm_fail(&e, MM_ENUMERIC, "makemore_sample: %s", MM_LOGITS_NOT_FINITE);
            break;
        }
        size_t len = strlen(item);
        if (at + len + 2 > cap) {
            st = mm_fail(&e, MM_ENOMEM, "makemore_sample: %zu bytes are too few for %d items", cap, n);
            break;
        }
        memcpy(buf + at, item, len);
        at += len;
        buf[at++] = '\n';
        buf[at] = 0;
    }
    if (d.ids) mm_drawer_free(&d);
    return api_status(st, &e, err);
}

makemore_status makemore_next_probs(makemore_model *m, const char *prefix, double *probs, makemore_error *err)
{
    int *ids = malloc(MM_MAX_LINE_CHARS * sizeof *ids), n = 0;
    mm_sample_opts so = {1.0, 0, MM_MAX_LINE_CHARS};
    mm_sampler s;
    mm_err e;
    mm_status st = ids ? mm_vocab_encode(&m->run.vocab, prefix, ids, MM_MAX_LINE_CHARS - 1, &n, "prefix", &e)
                       : mm_fail(&e, MM_ENOMEM, "out of memory");
    if (!st) st = mm_sampler_build(&s, &m->run.model, &so, &e);
    if (!st) {
        if (mm_sampler_probs_after(&s, ids, n))
            st = mm_fail(&e, MM_ENUMERIC, "makemore_next_probs: %s", MM_LOGITS_NOT_FINITE);
        else
            for (int v = 0; v < m->run.vocab.size; v++) probs[v] = s.probs[v];
        mm_sampler_free(&s);
    }
    free(ids);
    return api_status(st, &e, err);
}

makemore_status makemore_eval(makemore_model *m, const char *split, const char *input, double *loss,
                              makemore_error *err)
{
    int which = split ? mm_split_parse(split) : -1;
    if (which < 0) return fail(err, MAKEMORE_EINVAL, "makemore_eval: split must be train, dev or test");
    const mm_run *r = &m->run;
    mm_run_data d;
    mm_err e;
    mm_data_opts o = mm_run_data_opts(r);
    mm_status st = mm_run_data_load(&d, input ? input : r->input, &o, &r->vocab, mm_memory_available(), &e);
    if (st) return api_status(st, &e, err); /* d freed already */
    st = mm_model_split_loss(&r->model, &d.data.split[which], api_threads(0), loss, &e);
    mm_run_data_free(&d);
    return api_status(st, &e, err);
}
