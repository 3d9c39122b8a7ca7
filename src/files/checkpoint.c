#include "checkpoint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "kind.h"
#include "words.h"

#define MAX_CKPT_BYTES (16ull << 30)
#define RNG_BYTES (4 * MM_MT_N + 4 + 4 + 8) /* see put_rng */
#define DATA_ID_BYTES 32u /* SHA-256 */

#define EXT_FIXED 32u /* version 5's extension block before the word list */
#define DATA_STREAM 1u    /* version 6's data conventions (docs/FORMAT.md) */
#define DATA_VOCAB_ALL 2u

uint32_t mm_checkpoint_version(const mm_run *r)
{
    if (r->stream || r->vocab_all) return 6;
    if (r->vocab.words || r->split_kind == MM_SPLIT_ORDERED) return 5;
    return r->model.cfg.dropout > 0.0f ? 4 : 3;
}

static void put_header(mm_wbuf *w, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    const mm_train_config *t = &r->train;
    const uint32_t version = mm_checkpoint_version(r);
    mm_wbuf_put(w, MM_CKPT_MAGIC, 8);
    mm_wbuf_u32(w, version);
    mm_wbuf_u32(w, MM_CKPT_HEADER);
    mm_wbuf_u32(w, (uint32_t)c->kind);
    mm_wbuf_u32(w, (uint32_t)c->vocab_size);
    mm_wbuf_u32(w, (uint32_t)c->block_size);
    mm_wbuf_u32(w, (uint32_t)c->n_embd);
    mm_wbuf_u32(w, (uint32_t)c->n_hidden);
    mm_wbuf_u32(w, (uint32_t)r->init_kind);
    mm_wbuf_u64(w, r->model.nparams);
    mm_wbuf_u64(w, (uint64_t)r->state.step);
    mm_wbuf_u64(w, (uint64_t)t->max_steps);
    mm_wbuf_u32(w, (uint32_t)t->batch_size);
    mm_wbuf_u32(w, (uint32_t)t->sched.kind);
    mm_wbuf_f64(w, t->sched.lr);
    mm_wbuf_f64(w, t->sched.decay);
    mm_wbuf_u64(w, (uint64_t)t->sched.decay_step);
    mm_wbuf_f64(w, t->sched.rate);
    mm_wbuf_f64(w, t->optim.weight_decay);
    mm_wbuf_u64(w, r->seed);
    mm_wbuf_u64(w, r->split_seed);
    mm_wbuf_f64(w, r->state.train_seconds);
    mm_wbuf_f64(w, r->state.init_train_loss);
    mm_wbuf_f64(w, r->state.init_dev_loss);
    mm_wbuf_u32(w, (uint32_t)strlen(r->input));
    /* version 2 */
    mm_wbuf_u32(w, (uint32_t)t->optim.kind);
    mm_wbuf_u32(w, (uint32_t)c->n_layers);
    mm_wbuf_u32(w, c->direct ? 1u : 0u);
    mm_wbuf_f64(w, t->optim.momentum);
    mm_wbuf_f64(w, t->optim.beta1);
    mm_wbuf_f64(w, t->optim.beta2);
    mm_wbuf_f64(w, t->optim.eps);
    mm_wbuf_u64(w, (uint64_t)t->sched.warmup);
    mm_wbuf_f64(w, t->sched.min_lr);
    mm_wbuf_f64(w, (double)c->bn_momentum);
    /* version 3 */
    mm_wbuf_u32(w, (uint32_t)c->n_heads);
    mm_wbuf_u32(w, (uint32_t)r->split_kind);
    mm_wbuf_u32(w, r->data_items ? DATA_ID_BYTES : 0u); /* the digest's bytes in the body */
    mm_wbuf_u64(w, r->data_items);
    if (version >= 4) mm_wbuf_f64(w, (double)c->dropout); /* version 4; 5 may hold 0 */
    if (version >= 6) mm_wbuf_u32(w, (r->stream ? DATA_STREAM : 0u) | (r->vocab_all ? DATA_VOCAB_ALL : 0u));
    mm_wbuf_pad(w, MM_CKPT_HEADER);
}

/* Version 5's block after the header: the token mode, the ordered split's
 * sizes and the word list (docs/FORMAT.md). */
static mm_status put_extension(mm_wbuf *w, const mm_run *r, mm_err *err)
{
    char *list = NULL;
    size_t len = 0;
    if (r->vocab.words) {
        mm_status st = mm_vocab_word_list(&r->vocab, &list, &len, err);
        if (st) return st;
    }
    mm_wbuf_u32(w, (uint32_t)(EXT_FIXED + len));
    mm_wbuf_u32(w, r->vocab.words ? MM_TOKENS_WORD : MM_TOKENS_CHAR);
    mm_wbuf_u32(w, (uint32_t)r->min_count);
    mm_wbuf_f64(w, r->split_sizes[0]);
    mm_wbuf_f64(w, r->split_sizes[1]);
    mm_wbuf_u64(w, (uint64_t)len);
    mm_wbuf_put(w, list, len);
    free(list);
    return MM_OK;
}

static void put_rng(mm_wbuf *w, const mm_rng *g)
{
    for (int i = 0; i < MM_MT_N; i++) mm_wbuf_u32(w, g->state[i]);
    mm_wbuf_u32(w, g->pos);
    mm_wbuf_u32(w, g->has_cached_normal);
    mm_wbuf_f64(w, g->cached_normal);
}

static int params_finite(const mm_model *m)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (!isfinite(m->params[i])) return 0;
    return 1;
}

mm_status mm_checkpoint_encode(const mm_run *r, unsigned char **out, size_t *len, const char *path,
                               mm_err *err)
{
    /* a diverged update can leave NaN weights while the last loss was still
     * finite; refusing here keeps the previous, good model.bin in place */
    if (!params_finite(&r->model))
        return mm_fail(err, MM_ENUMERIC, "%s: not saved: the parameters became NaN or infinite by step %ld; "
                       "training diverged: try a smaller --learning-rate", path, r->state.step);
    mm_wbuf w = {0};
    put_header(&w, r);
    if (mm_checkpoint_version(r) >= 5) {
        mm_status st = put_extension(&w, r, err);
        if (st) {
            mm_wbuf_free(&w);
            return st;
        }
    }
    if (!r->vocab.words)
        for (int i = 1; i < r->vocab.size; i++) mm_wbuf_u32(&w, r->vocab.cp[i]);
    mm_wbuf_put(&w, r->input, strlen(r->input));
    if (r->data_items) mm_wbuf_put(&w, r->data_sha256, DATA_ID_BYTES);
    put_rng(&w, &r->state.rng);
    mm_wbuf_f32s(&w, r->model.params, r->model.nparams);
    const mm_optim_state *o = &r->state.opt;
    if (o->nslots != mm_optim_slots(r->train.optim.kind) || (o->nslots && o->n != r->model.nparams)) {
        mm_wbuf_free(&w);
        return mm_fail(err, MM_EINVAL, "%s: not saved: the optimizer's state does not fit the run", path);
    }
    mm_wbuf_f32s(&w, o->buf, (size_t)o->nslots * o->n);
    mm_wbuf_u32(&w, mm_crc32(w.buf, w.len));
    if (w.oom) {
        mm_wbuf_free(&w);
        return mm_fail(err, MM_ENOMEM, "%s: out of memory while saving", path);
    }
    *out = w.buf;
    *len = w.len;
    return MM_OK;
}

mm_status mm_checkpoint_save(const mm_run *r, const char *path, mm_err *err)
{
    unsigned char *buf;
    size_t len;
    mm_status st = mm_checkpoint_encode(r, &buf, &len, path, err);
    if (st) return st;
    st = mm_write_file_atomic(path, buf, len, err);
    free(buf);
    return st;
}

/* What version 2 added: the optimizer, the schedule's warmup and floor, and
 * the deeper models' settings. */
static mm_status get_header_v2(mm_rbuf *rb, mm_run *r, const char *path, mm_err *err)
{
    mm_config *c = &r->model.cfg;
    mm_train_config *t = &r->train;
    t->optim.kind = (mm_optim_kind)mm_rbuf_u32(rb);
    c->n_layers = (int)mm_rbuf_u32(rb);
    c->direct = (int)mm_rbuf_u32(rb);
    t->optim.momentum = mm_rbuf_f64(rb);
    t->optim.beta1 = mm_rbuf_f64(rb);
    t->optim.beta2 = mm_rbuf_f64(rb);
    t->optim.eps = mm_rbuf_f64(rb);
    t->sched.warmup = (long)mm_rbuf_u64(rb);
    t->sched.min_lr = mm_rbuf_f64(rb);
    /* written from a float: anything else would not save back the same */
    double bn_momentum = mm_rbuf_f64(rb);
    c->bn_momentum = (float)bn_momentum;
    if ((double)c->bn_momentum != bn_momentum)
        return mm_fail(err, MM_EFORMAT, "%s: batch-norm momentum %g is not a float32 value", path, bn_momentum);
    return MM_OK;
}

/* What version 3 added: the attention heads, the split kind and the data's
 * identity (its digest's length in the body, 0 or 32, and its item count;
 * zeros in files written before the identity was recorded). */
static mm_status get_header_v3(mm_rbuf *rb, mm_run *r, const char *path, mm_err *err)
{
    r->model.cfg.n_heads = (int)mm_rbuf_u32(rb);
    uint32_t split_kind = mm_rbuf_u32(rb);
    if (split_kind > MM_SPLIT_ORDERED) return mm_fail(err, MM_EFORMAT, "%s: unknown split kind %u", path, split_kind);
    r->split_kind = (int)split_kind;
    uint32_t id_bytes = mm_rbuf_u32(rb);
    r->data_items = mm_rbuf_u64(rb);
    if (id_bytes != (r->data_items ? DATA_ID_BYTES : 0u))
        return mm_fail(err, MM_EFORMAT, "%s: bad data identity (%u digest bytes for %llu items)", path, id_bytes,
                       (unsigned long long)r->data_items);
    return MM_OK;
}

/* What version 4 added: dropout, above 0 (a run without it is version 3;
 * version 5 may hold 0). */
static mm_status get_header_v4(mm_rbuf *rb, mm_run *r, uint32_t version, const char *path, mm_err *err)
{
    double p = mm_rbuf_f64(rb);
    r->model.cfg.dropout = (float)p;
    if (version >= 5 && p == 0.0) return MM_OK;
    if (!(p > 0.0 && p < 1.0) || (double)r->model.cfg.dropout != p)
        return mm_fail(err, MM_EFORMAT, "%s: dropout %g is not a float32 value in (0, 1)", path, p);
    return MM_OK;
}

/* What version 6 added: the data conventions, at least one of them. */
static mm_status get_header_v6(mm_rbuf *rb, mm_run *r, const char *path, mm_err *err)
{
    uint32_t flags = mm_rbuf_u32(rb);
    if (flags == 0 || flags > (DATA_STREAM | DATA_VOCAB_ALL))
        return mm_fail(err, MM_EFORMAT, "%s: bad data conventions %u in a version 6 header", path, flags);
    r->stream = (flags & DATA_STREAM) != 0;
    r->vocab_all = (flags & DATA_VOCAB_ALL) != 0;
    return MM_OK;
}

/* Reads the fixed header; returns the length of the input path after it. */
static mm_status get_header(mm_rbuf *rb, mm_run *r, uint64_t *nparams, uint32_t *pathlen, uint32_t *versionp,
                            const char *path, mm_err *err)
{
    const unsigned char *magic = mm_rbuf_bytes(rb, 8);
    if (!magic || memcmp(magic, MM_CKPT_MAGIC, 8))
        return mm_fail(err, MM_EFORMAT, "%s: not a makemore checkpoint (wrong magic)", path);
    uint32_t version = mm_rbuf_u32(rb);
    *versionp = version;
    if (version < 1 || version > MM_CKPT_VERSION)
        return mm_fail(err, MM_EFORMAT, "%s: checkpoint version %u, this makemore reads versions 1 to %d",
                       path, version, MM_CKPT_VERSION);
    uint32_t hsize = mm_rbuf_u32(rb);
    uint32_t kind = mm_rbuf_u32(rb);
    if (hsize != MM_CKPT_HEADER || !mm_kind_at((int)kind))
        return mm_fail(err, MM_EFORMAT, "%s: unsupported header size %u or model kind %u", path, hsize, kind);
    mm_config *c = &r->model.cfg;
    c->kind = (int)kind;
    c->vocab_size = (int)mm_rbuf_u32(rb);
    c->block_size = (int)mm_rbuf_u32(rb);
    c->n_embd = (int)mm_rbuf_u32(rb);
    c->n_hidden = (int)mm_rbuf_u32(rb);
    r->init_kind = (int)mm_rbuf_u32(rb);
    *nparams = mm_rbuf_u64(rb);
    r->state.step = (long)mm_rbuf_u64(rb);
    r->train.max_steps = (long)mm_rbuf_u64(rb);
    r->train.batch_size = (int)mm_rbuf_u32(rb);
    r->train.sched.kind = (mm_sched_kind)mm_rbuf_u32(rb);
    r->train.sched.lr = mm_rbuf_f64(rb);
    r->train.sched.decay = mm_rbuf_f64(rb);
    r->train.sched.decay_step = (long)mm_rbuf_u64(rb);
    r->train.sched.rate = mm_rbuf_f64(rb);
    r->train.optim.weight_decay = mm_rbuf_f64(rb);
    r->seed = mm_rbuf_u64(rb);
    r->split_seed = mm_rbuf_u64(rb);
    r->state.train_seconds = mm_rbuf_f64(rb);
    r->state.init_train_loss = mm_rbuf_f64(rb);
    r->state.init_dev_loss = mm_rbuf_f64(rb);
    *pathlen = mm_rbuf_u32(rb);
    /* older versions hold zeros here: SGD, no heads, the lecture's split */
    mm_status st = version >= 2 ? get_header_v2(rb, r, path, err) : MM_OK;
    if (!st && version >= 3) st = get_header_v3(rb, r, path, err);
    if (!st && version >= 4) st = get_header_v4(rb, r, version, path, err);
    if (!st && version >= 6) st = get_header_v6(rb, r, path, err);
    if (st) return st;
    /* the rest of the header is reserved: a later version may use it only
     * with a new version number, so anything but zeros is damage */
    size_t used = rb->pos;
    const unsigned char *pad = mm_rbuf_bytes(rb, MM_CKPT_HEADER - used);
    for (size_t i = 0; pad && i < MM_CKPT_HEADER - used; i++)
        if (pad[i]) return mm_fail(err, MM_EFORMAT, "%s: reserved header bytes are not zero", path);
    return MM_OK;
}

/* Version 5's block: its length, the token mode and the word list's bytes
 * (read in place; parse_body makes the vocabulary of them). */
typedef struct {
    uint32_t bytes;   /* after its own length field; 0 before version 5 */
    int tokens;
    const char *list; /* word tokens: the word list */
    uint64_t list_len;
} ckpt_ext;

static mm_status get_extension(mm_rbuf *rb, mm_run *r, uint32_t version, ckpt_ext *x, const char *path,
                               mm_err *err)
{
    memset(x, 0, sizeof *x);
    if (version < 5) {
        if (r->split_kind == MM_SPLIT_ORDERED)
            return mm_fail(err, MM_EFORMAT, "%s: the ordered split needs format version 5", path);
        return MM_OK;
    }
    x->bytes = mm_rbuf_u32(rb);
    uint32_t tokens = mm_rbuf_u32(rb), min_count = mm_rbuf_u32(rb);
    r->split_sizes[0] = mm_rbuf_f64(rb);
    r->split_sizes[1] = mm_rbuf_f64(rb);
    x->list_len = mm_rbuf_u64(rb);
    if (rb->short_read || x->bytes < EXT_FIXED || tokens > MM_TOKENS_WORD || x->list_len != x->bytes - EXT_FIXED ||
        (tokens == MM_TOKENS_CHAR) != (x->list_len == 0))
        return mm_fail(err, MM_EFORMAT, "%s: bad token block (%u bytes, token mode %u, word list of %llu bytes)",
                       path, x->bytes, tokens, (unsigned long long)x->list_len);
    mm_err e;
    if (mm_split_sizes_check(r->split_sizes, &e))
        return mm_fail(err, MM_EFORMAT, "%s: bad split sizes: %s", path, e.msg);
    if (min_count > (1u << 30)) return mm_fail(err, MM_EFORMAT, "%s: bad --min-count %u", path, min_count);
    r->min_count = (int)min_count;
    x->tokens = (int)tokens;
    x->list = (const char *)mm_rbuf_bytes(rb, (size_t)x->list_len);
    if (x->list_len && !x->list) return mm_fail(err, MM_EFORMAT, "%s: truncated", path);
    return MM_OK;
}

static mm_status check_run(const mm_run *r, uint32_t pathlen, const char *path, mm_err *err)
{
    mm_err e;
    if (mm_config_check(&r->model.cfg, &e))
        return mm_fail(err, MM_EFORMAT, "%s: bad model shape: %s", path, e.msg);
    if (mm_train_config_check(&r->train, 1, &e) || r->state.step < 0 ||
        r->state.step > r->train.max_steps || r->init_kind < 0 || r->init_kind > MM_INIT_SCALED)
        return mm_fail(err, MM_EFORMAT, "%s: bad training settings in checkpoint", path);
    if (pathlen >= MM_MAX_PATH)
        return mm_fail(err, MM_EFORMAT, "%s: input path of %u bytes is too long", path, pathlen);
    return MM_OK;
}

/* Checks the file's length against what its header promises before the
 * model is allocated, so a few damaged header bytes cannot ask for
 * gigabytes. */
static mm_status check_size(const mm_run *r, const ckpt_ext *x, uint64_t nparams, uint32_t pathlen, size_t len,
                            const char *path, mm_err *err)
{
    uint64_t V = (uint64_t)r->model.cfg.vocab_size;
    if (nparams != mm_config_nparams(&r->model.cfg))
        return mm_fail(err, MM_EFORMAT, "%s: parameter count does not match its shapes", path);
    uint64_t slots = (uint64_t)mm_optim_slots(r->train.optim.kind); /* the optimizer's state */
    uint64_t id = r->data_items ? DATA_ID_BYTES : 0;
    uint64_t ext = x->bytes ? 4 + (uint64_t)x->bytes : 0, cps = x->tokens == MM_TOKENS_WORD ? 0 : 4 * (V - 1);
    uint64_t bytes = MM_CKPT_HEADER + ext + cps + pathlen + id + RNG_BYTES + 4 * nparams * (1 + slots) + 4;
    if (bytes != len)
        return mm_fail(err, MM_EFORMAT, "%s: %zu bytes, but its header describes %llu: truncated or damaged",
                       path, len, (unsigned long long)bytes);
    return MM_OK;
}

static mm_status parse_words(mm_run *r, const ckpt_ext *x, const char *path, mm_err *err)
{
    mm_err e;
    if (mm_vocab_from_word_list(&r->vocab, x->list, (size_t)x->list_len, &e))
        return mm_fail(err, MM_EFORMAT, "%s: bad vocabulary: %s", path, e.msg);
    if (r->vocab.size != r->model.cfg.vocab_size)
        return mm_fail(err, MM_EFORMAT, "%s: a word list of %d ids for a model of %d", path, r->vocab.size,
                       r->model.cfg.vocab_size);
    return MM_OK;
}

static mm_status parse_codepoints(mm_rbuf *rb, mm_run *r, const char *path, mm_err *err)
{
    int nv = r->model.cfg.vocab_size - 1;
    uint32_t *cps = malloc((size_t)nv * sizeof *cps);
    if (!cps) return mm_fail(err, MM_ENOMEM, "out of memory");
    for (int i = 0; i < nv; i++) cps[i] = mm_rbuf_u32(rb);
    mm_err e = {"truncated"};
    mm_status st = rb->short_read ? MM_EFORMAT : mm_vocab_from_codepoints(&r->vocab, cps, nv, &e);
    free(cps);
    if (st) return mm_fail(err, MM_EFORMAT, "%s: bad vocabulary: %s", path, e.msg);
    return MM_OK;
}

static mm_status parse_body(mm_rbuf *rb, mm_run *r, const ckpt_ext *x, uint32_t pathlen, const char *path,
                            mm_err *err)
{
    mm_status st = x->tokens == MM_TOKENS_WORD ? parse_words(r, x, path, err) : parse_codepoints(rb, r, path, err);
    if (st) return st;
    const unsigned char *p = mm_rbuf_bytes(rb, pathlen);
    if (!p) return mm_fail(err, MM_EFORMAT, "%s: truncated", path);
    if (memchr(p, 0, pathlen)) return mm_fail(err, MM_EFORMAT, "%s: input path holds a NUL byte", path);
    memcpy(r->input, p, pathlen);
    r->input[pathlen] = 0;
    if (r->data_items) {
        const unsigned char *d = mm_rbuf_bytes(rb, DATA_ID_BYTES);
        if (!d) return mm_fail(err, MM_EFORMAT, "%s: truncated", path);
        memcpy(r->data_sha256, d, DATA_ID_BYTES);
    }
    mm_rng *g = &r->state.rng;
    for (int i = 0; i < MM_MT_N; i++) g->state[i] = mm_rbuf_u32(rb);
    g->pos = mm_rbuf_u32(rb);
    g->has_cached_normal = mm_rbuf_u32(rb);
    g->cached_normal = mm_rbuf_f64(rb);
    if (g->pos > MM_MT_N || g->has_cached_normal > 1)
        return mm_fail(err, MM_EFORMAT, "%s: bad random-number state", path);
    mm_rbuf_f32s(rb, r->model.params, r->model.nparams);
    mm_optim_state *o = &r->state.opt;
    if (mm_optim_state_build(o, r->train.optim.kind, r->model.nparams, err)) return MM_ENOMEM;
    mm_rbuf_f32s(rb, o->buf, (size_t)o->nslots * o->n);
    if (rb->short_read || rb->pos != rb->len)
        return mm_fail(err, MM_EFORMAT, "%s: size does not match its header", path);
    return MM_OK;
}

mm_status mm_checkpoint_parse(mm_run *r, const unsigned char *buf, size_t len, const char *path,
                              mm_err *err)
{
    memset(r, 0, sizeof *r);
    if (len < MM_CKPT_HEADER + 4)
        return mm_fail(err, MM_EFORMAT, "%s: truncated (%zu bytes)", path, len);
    mm_rbuf rb = {buf, len - 4, 0, 0};
    mm_rbuf tail = {buf + len - 4, 4, 0, 0};
    uint64_t nparams = 0;
    uint32_t pathlen = 0, version = 0;
    ckpt_ext x = {0};
    mm_status st = get_header(&rb, r, &nparams, &pathlen, &version, path, err);
    if (!st && mm_rbuf_u32(&tail) != mm_crc32(buf, len - 4)) {
        /* a sane header with the wrong length is the usual damage, a
         * truncated copy: say so rather than just "checksum" */
        mm_err e;
        if (!check_run(r, pathlen, path, &e) && !get_extension(&rb, r, version, &x, path, &e) &&
            check_size(r, &x, nparams, pathlen, len, path, &e))
            st = mm_fail(err, MM_EFORMAT, "%s", e.msg);
        else
            st = mm_fail(err, MM_EFORMAT, "%s: checksum mismatch: the file is damaged", path);
    }
    if (!st) st = check_run(r, pathlen, path, err);
    if (!st) st = get_extension(&rb, r, version, &x, path, err);
    if (!st) st = check_size(r, &x, nparams, pathlen, len, path, err);
    if (!st) {
        mm_config cfg = r->model.cfg;
        st = mm_model_build(&r->model, &cfg, err);
    }
    if (!st && r->model.nparams != nparams) /* the model's layout and check_size's disagree */
        st = mm_fail(err, MM_EFORMAT, "%s: parameter count does not match its shapes", path);
    if (!st) st = parse_body(&rb, r, &x, pathlen, path, err);
    if (!st && !params_finite(&r->model))
        st = mm_fail(err, MM_EFORMAT, "%s: parameters contain NaN or infinity", path);
    if (st) mm_run_free(r);
    return st;
}

mm_status mm_checkpoint_load(mm_run *r, const char *path, mm_err *err)
{
    memset(r, 0, sizeof *r);
    unsigned char *buf;
    size_t len;
    mm_status st = mm_read_file(path, MAX_CKPT_BYTES, &buf, &len, err);
    if (st) return st;
    st = mm_checkpoint_parse(r, buf, len, path, err);
    free(buf);
    return st;
}

void mm_run_free(mm_run *r)
{
    mm_model_free(&r->model);
    mm_vocab_free(&r->vocab);
    mm_optim_state_free(&r->state.opt);
}
