/* The public API's array calls (include/makemore.h): a model's tensors,
 * its character embedding, next-character distributions for many
 * prefixes, each item's loss, and the embedding figure. Everything is
 * copied into the caller's memory, so nothing returned points into a
 * model that may be freed later. */
#include "api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "items.h"
#include "kind.h"
#include "safetensors.h"
#include "sample.h"
#include "strbuf.h"

static makemore_status fail(makemore_error *err, makemore_status st, const char *msg)
{
    mm_err e;
    return api_status(mm_fail(&e, (mm_status)st, "%s", msg), &e, err);
}

/* Copies len bytes of src to buf (cap), or says how many it needs. */
static makemore_status copy_out(const char *what, const void *src, size_t len, void *buf, size_t cap, size_t *need,
                                makemore_error *err)
{
    if (need) *need = len;
    if (!buf) return MAKEMORE_OK;
    if (cap < len) {
        mm_err e;
        return api_status(mm_fail(&e, MM_ENOMEM, "%s: %zu bytes are too few (%zu needed)", what, cap, len), &e, err);
    }
    memcpy(buf, src, len);
    return MAKEMORE_OK;
}

makemore_status makemore_tensors(makemore_model *m, void *buf, size_t cap, size_t *len, makemore_error *err)
{
    if (!m) return fail(err, MAKEMORE_EINVAL, "makemore_tensors: no model");
    unsigned char *bytes = NULL;
    size_t n = 0;
    mm_err e;
    mm_status st = mm_safetensors_encode(&m->run.model, &bytes, &n, &e);
    if (st) return api_status(st, &e, err);
    makemore_status s = copy_out("makemore_tensors", bytes, n, buf, cap, len, err);
    free(bytes);
    return s;
}

makemore_status makemore_embeddings(const makemore_model *m, float *out, size_t cap, int *rows, int *cols,
                                    makemore_error *err)
{
    if (!m) return fail(err, MAKEMORE_EINVAL, "makemore_embeddings: no model");
    const mm_model *mod = &m->run.model;
    if (mod->embedding < 0 || mod->tensors[mod->embedding].ndim != 2) {
        mm_err e;
        return api_status(mm_fail(&e, MM_EINVAL, "a %s model has no character embedding", mod->kind->name), &e, err);
    }
    /* the first V rows: a kind may add a padding row after them */
    int V = mod->cfg.vocab_size, E = mod->tensors[mod->embedding].shape[1];
    if (rows) *rows = V;
    if (cols) *cols = E;
    return copy_out("makemore_embeddings", mm_model_param(mod, mod->embedding), (size_t)V * E * sizeof(float), out,
                    cap * sizeof(float), NULL, err);
}

/* A sampler of the plain distribution (temperature 1, every character) and
 * room for one item's ids. */
typedef struct {
    mm_sampler s;
    int *ids;
} scorer;

static mm_status scorer_build(scorer *sc, const makemore_model *m, mm_err *e)
{
    mm_sample_opts so = {1.0, 0, MM_MAX_LINE_CHARS};
    sc->ids = malloc(MM_MAX_LINE_CHARS * sizeof *sc->ids);
    if (!sc->ids) return mm_fail(e, MM_ENOMEM, "out of memory");
    mm_status st = mm_sampler_build(&sc->s, &m->run.model, &so, e);
    if (st) free(sc->ids);
    return st;
}

static void scorer_free(scorer *sc)
{
    mm_sampler_free(&sc->s);
    free(sc->ids);
}

static mm_status encode(const makemore_model *m, const char *s, const char *what, int i, int cap, int *ids, int *n,
                        mm_err *e)
{
    char label[48];
    snprintf(label, sizeof label, "%s[%d]", what, i);
    return mm_vocab_encode(&m->run.vocab, s, ids, cap, n, label, e);
}

makemore_status makemore_next_probs_batch(makemore_model *m, const char *const *prefixes, int n, double *probs,
                                          makemore_error *err)
{
    if (!m || n < 0 || (n && (!prefixes || !probs)))
        return fail(err, MAKEMORE_EINVAL, "makemore_next_probs_batch: no model, prefixes or room for the results");
    scorer sc;
    mm_err e;
    mm_status st = n ? scorer_build(&sc, m, &e) : MM_OK;
    const int V = m->run.vocab.size;
    for (int i = 0; i < n && !st; i++) {
        int len;
        st = encode(m, prefixes[i], "prefixes", i, MM_MAX_LINE_CHARS - 1, sc.ids, &len, &e);
        if (!st && mm_sampler_probs_after(&sc.s, sc.ids, len))
            st = mm_fail(&e, MM_ENUMERIC, "makemore_next_probs_batch: %s", MM_LOGITS_NOT_FINITE);
        for (int v = 0; v < V && !st; v++) probs[(size_t)i * V + v] = sc.s.probs[v];
    }
    if (n) scorer_free(&sc);
    return api_status(st, &e, err);
}

/* -log p of each next character of the item and of its end, summed. */
static mm_status item_nll(scorer *sc, int len, double *sum, mm_err *e)
{
    *sum = 0;
    for (int k = 0; k <= len; k++) {
        if (mm_sampler_probs_after(&sc->s, sc->ids, k))
            return mm_fail(e, MM_ENUMERIC, "makemore_item_losses: %s", MM_LOGITS_NOT_FINITE);
        double p = sc->s.probs[k < len ? sc->ids[k] : 0];
        *sum -= log(p > 0 ? p : 1e-45); /* float's smallest: a zero probability stays finite */
    }
    return MM_OK;
}

makemore_status makemore_item_losses(makemore_model *m, const char *const *items, int n, double *loss, int *count,
                                     makemore_error *err)
{
    if (!m || n < 0 || (n && (!items || !loss)))
        return fail(err, MAKEMORE_EINVAL, "makemore_item_losses: no model, items or room for the results");
    scorer sc;
    mm_err e;
    mm_status st = n ? scorer_build(&sc, m, &e) : MM_OK;
    for (int i = 0; i < n && !st; i++) {
        int len;
        double sum;
        st = encode(m, items[i], "items", i, MM_MAX_LINE_CHARS, sc.ids, &len, &e);
        if (!st) st = item_nll(&sc, len, &sum, &e);
        if (!st) loss[i] = sum / (len + 1);
        if (!st && count) count[i] = len + 1;
    }
    if (n) scorer_free(&sc);
    return api_status(st, &e, err);
}

makemore_status makemore_embedding_svg(makemore_model *m, char *buf, size_t cap, size_t *len, makemore_error *err)
{
    if (!m) return fail(err, MAKEMORE_EINVAL, "makemore_embedding_svg: no model");
    mm_sbuf svg = {0};
    mm_err e;
    mm_status st = mm_fig_embedding(&svg, &m->run.model, &m->run.vocab, &e);
    if (!st && svg.oom) st = mm_fail(&e, MM_ENOMEM, "out of memory for the embedding figure");
    makemore_status s = st ? api_status(st, &e, err)
                           : copy_out("makemore_embedding_svg", mm_sbuf_str(&svg), svg.len + 1, buf, cap, len, err);
    mm_sbuf_free(&svg);
    return s;
}
