#include "safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "kind.h"
#include "strbuf.h"

/* A header bigger than this is not one of ours nor makemore.py's. */
#define MAX_HEADER (64u << 20)
#define MAX_FILE_DIMS 8
#define NAME_MAX_LEN 256

/* torch's shape of t: (out, in) for a transposed (in, out) weight */
static void torch_shape(const mm_tensor *t, int *shape)
{
    for (int d = 0; d < t->ndim; d++) shape[d] = t->transposed ? t->shape[t->ndim - 1 - d] : t->shape[d];
}

static void put_json_string(mm_sbuf *b, const char *s)
{
    mm_sbuf_put(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') mm_sbuf_printf(b, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) mm_sbuf_printf(b, "\\u%04x", (unsigned char)*s);
        else mm_sbuf_put(b, s, 1);
    }
    mm_sbuf_put(b, "\"", 1);
}

/* The tensor's floats in torch's layout into w. */
static void put_tensor(mm_wbuf *w, const mm_model *m, int i)
{
    const mm_tensor *t = &m->tensors[i];
    const float *p = mm_model_param(m, i);
    if (!(t->transposed && t->ndim == 2)) {
        mm_wbuf_f32s(w, p, t->size);
        return;
    }
    const int K = t->shape[0], J = t->shape[1]; /* stored (K, J), written (J, K) */
    for (int j = 0; j < J; j++)
        for (int k = 0; k < K; k++) mm_wbuf_f32s(w, p + (size_t)k * J + j, 1);
}

mm_status mm_safetensors_encode(const mm_model *m, unsigned char **out, size_t *len, mm_err *err)
{
    mm_sbuf h = {0};
    mm_sbuf_puts(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
    size_t offset = 0;
    for (int i = 0; i < m->ntensors; i++) {
        const mm_tensor *t = &m->tensors[i];
        int shape[MM_MAX_DIMS];
        torch_shape(t, shape);
        mm_sbuf_puts(&h, ",");
        put_json_string(&h, t->name);
        mm_sbuf_puts(&h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) mm_sbuf_printf(&h, "%s%d", d ? "," : "", shape[d]);
        mm_sbuf_printf(&h, "],\"data_offsets\":[%zu,%zu]}", offset, offset + 4 * t->size);
        offset += 4 * t->size;
    }
    mm_sbuf_puts(&h, "}");
    /* the spec lets the header be padded with spaces; 8-byte alignment keeps
     * the tensor data aligned for readers that map the file */
    while (!h.oom && h.len % 8) mm_sbuf_puts(&h, " ");
    mm_wbuf w = {0};
    if (!h.oom) {
        mm_wbuf_u64(&w, (uint64_t)h.len);
        mm_wbuf_put(&w, h.s, h.len);
        for (int i = 0; i < m->ntensors; i++) put_tensor(&w, m, i);
    }
    int oom = h.oom || w.oom;
    mm_sbuf_free(&h);
    if (oom) {
        mm_wbuf_free(&w);
        return mm_fail(err, MM_ENOMEM, "out of memory for the safetensors file");
    }
    *out = w.buf;
    *len = w.len;
    return MM_OK;
}

mm_status mm_export_safetensors(const mm_model *m, const char *path, mm_err *err)
{
    unsigned char *buf;
    size_t len;
    mm_status st = mm_safetensors_encode(m, &buf, &len, err);
    if (st) return mm_fail(err, st, "%s: %s", path, err->msg);
    st = mm_write_file_atomic(path, buf, len, err);
    free(buf);
    return st;
}

/* ---- reading: just enough JSON for a safetensors header ---- */

typedef struct {
    char name[NAME_MAX_LEN];
    char dtype[16];
    int ndim;
    long long shape[MAX_FILE_DIMS];
    unsigned long long begin, end;
    int used; /* matched by a tensor of the model */
} st_entry;

typedef struct {
    const char *p, *end;
    int bad;
} jcur;

/* strchr, but NUL is in no set */
static int in_set(char ch, const char *set) { return ch && strchr(set, ch); }

static void ws(jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) c->p++;
}

static int eat(jcur *c, char ch)
{
    ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A string into out (cap bytes). \uXXXX becomes '?': no tensor name or
 * dtype of ours needs it, so such a name then matches none. 0 or -1. */
static int jstring(jcur *c, char *out, size_t cap)
{
    if (!eat(c, '"')) return -1;
    size_t n = 0;
    while (c->p < c->end && *c->p != '"') {
        char ch = *c->p++;
        if (ch == '\\') {
            if (c->p >= c->end) return -1;
            ch = *c->p++;
            if (ch == 'u') {
                for (int i = 0; i < 4; i++)
                    if (c->p >= c->end || !in_set(*c->p++, "0123456789abcdefABCDEF")) return -1;
                ch = '?';
            } else if (!in_set(ch, "\"\\/bfnrt")) {
                return -1;
            }
        }
        if (n + 1 >= cap) return -1;
        out[n++] = ch;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    out[n] = 0;
    return 0;
}

static int jinteger(jcur *c, long long *v)
{
    ws(c);
    const char *s = c->p;
    long long x = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && x < (1ll << 53)) x = 10 * x + (*c->p++ - '0');
    if (c->p == s || (c->p < c->end && *c->p >= '0' && *c->p <= '9')) return -1;
    *v = x;
    return 0;
}

/* Skips any value whose strings carry no escapes beyond jstring's. */
static int jskip(jcur *c, int depth)
{
    char tmp[NAME_MAX_LEN];
    ws(c);
    if (depth > 16 || c->p >= c->end) return -1;
    if (*c->p == '"') return jstring(c, tmp, sizeof tmp);
    if (*c->p == '{' || *c->p == '[') {
        const char close = *c->p == '{' ? '}' : ']';
        c->p++;
        if (eat(c, close)) return 0;
        do {
            if (close == '}' && (jstring(c, tmp, sizeof tmp) || !eat(c, ':'))) return -1;
            if (jskip(c, depth + 1)) return -1;
        } while (eat(c, ','));
        return eat(c, close) ? 0 : -1;
    }
    while (c->p < c->end && (in_set(*c->p, "+-.eE") || (*c->p >= '0' && *c->p <= '9') || (*c->p >= 'a' && *c->p <= 'z')))
        c->p++;
    return 0;
}

static int jints(jcur *c, long long *v, int cap, int *n)
{
    *n = 0;
    if (!eat(c, '[')) return -1;
    if (eat(c, ']')) return 0;
    do {
        if (*n >= cap || jinteger(c, &v[(*n)++])) return -1;
    } while (eat(c, ','));
    return eat(c, ']') ? 0 : -1;
}

/* {"dtype": ..., "shape": [...], "data_offsets": [a, b]} */
static int jentry(jcur *c, st_entry *e)
{
    char key[32];
    int have = 0, n;
    if (!eat(c, '{')) return -1;
    do {
        if (jstring(c, key, sizeof key) || !eat(c, ':')) return -1;
        long long off[2];
        if (!strcmp(key, "dtype")) {
            if (jstring(c, e->dtype, sizeof e->dtype)) return -1;
            have |= 1;
        } else if (!strcmp(key, "shape")) {
            if (jints(c, e->shape, MAX_FILE_DIMS, &e->ndim)) return -1;
            have |= 2;
        } else if (!strcmp(key, "data_offsets")) {
            if (jints(c, off, 2, &n) || n != 2) return -1;
            e->begin = (unsigned long long)off[0];
            e->end = (unsigned long long)off[1];
            have |= 4;
        } else if (jskip(c, 1)) {
            return -1;
        }
    } while (eat(c, ','));
    return eat(c, '}') && have == 7 ? 0 : -1;
}

/* The header's entries into *out (count *n, caller frees). */
static mm_status parse_header(const char *h, size_t hlen, st_entry **out, int *n, const char *path, mm_err *err)
{
    jcur c = {h, h + hlen, 0};
    int cap = 0;
    *out = NULL;
    *n = 0;
    mm_status st = MM_OK;
    if (!eat(&c, '{')) return mm_fail(err, MM_EFORMAT, "%s: not a safetensors file (no JSON header)", path);
    if (eat(&c, '}')) return MM_OK;
    do {
        char name[NAME_MAX_LEN];
        if (jstring(&c, name, sizeof name) || !eat(&c, ':')) { st = MM_EFORMAT; break; }
        if (!strcmp(name, "__metadata__")) {
            if (jskip(&c, 1)) { st = MM_EFORMAT; break; }
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            st_entry *e = realloc(*out, (size_t)cap * sizeof *e);
            if (!e) {
                free(*out);
                *out = NULL;
                return mm_fail(err, MM_ENOMEM, "%s: out of memory", path);
            }
            *out = e;
        }
        st_entry *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        memcpy(e->name, name, sizeof name);
        if (jentry(&c, e)) { st = MM_EFORMAT; break; }
    } while (eat(&c, ','));
    if (!st && !eat(&c, '}')) st = MM_EFORMAT;
    ws(&c);
    if (!st && c.p != c.end) st = MM_EFORMAT;
    if (!st) return MM_OK;
    free(*out); /* the entries parsed before the error */
    *out = NULL;
    *n = 0;
    return mm_fail(err, MM_EFORMAT, "%s: the safetensors header is not the JSON the format describes "
                   "(at byte %td of it)", path, c.p - h);
}

static void shape_text(char *out, size_t cap, const long long *shape, int ndim)
{
    size_t k = (size_t)snprintf(out, cap, "[");
    for (int d = 0; d < ndim && k < cap; d++) k += (size_t)snprintf(out + k, cap - k, "%s%lld", d ? ", " : "", shape[d]);
    if (k < cap) snprintf(out + k, cap - k, "]");
}

/* Checks tensor t of the model against entry e; 0 or the error. */
static mm_status check_entry(const mm_model *m, const mm_tensor *t, const st_entry *e, size_t datalen,
                             const char *path, mm_err *err)
{
    if (strcmp(e->dtype, "F32"))
        return mm_fail(err, MM_EFORMAT, "%s: tensor '%s' is %s; makemore reads F32 only", path, t->name, e->dtype);
    int shape[MM_MAX_DIMS];
    torch_shape(t, shape);
    long long want[MM_MAX_DIMS];
    int same = e->ndim == t->ndim;
    for (int d = 0; d < t->ndim; d++) {
        want[d] = shape[d];
        same &= d < e->ndim && e->shape[d] == want[d];
    }
    if (!same) {
        char a[96], b[96];
        shape_text(a, sizeof a, e->shape, e->ndim);
        shape_text(b, sizeof b, want, t->ndim);
        return mm_fail(err, MM_EFORMAT, "%s: tensor '%s' has shape %s; --model %s of the sizes given needs %s",
                       path, t->name, a, m->kind->name, b);
    }
    if (e->begin > e->end || e->end > datalen || e->end - e->begin != 4 * (unsigned long long)t->size)
        return mm_fail(err, MM_EFORMAT, "%s: tensor '%s' has data_offsets [%llu, %llu], which do not hold its "
                       "%zu floats within the file's %zu data bytes", path, t->name, e->begin, e->end, t->size,
                       datalen);
    return MM_OK;
}

/* Every tensor of m against the entries, then entries m lacks. */
static mm_status match(const mm_model *m, st_entry *e, int n, size_t datalen, int *which, const char *path,
                       mm_err *err)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(e[i].name, e[j].name))
                return mm_fail(err, MM_EFORMAT, "%s: tensor '%s' appears twice in the header", path, e[i].name);
    for (int i = 0; i < m->ntensors; i++) {
        const mm_tensor *t = &m->tensors[i];
        which[i] = -1;
        for (int j = 0; j < n && which[i] < 0; j++)
            if (!strcmp(e[j].name, t->name)) which[i] = j;
        if (which[i] < 0)
            return mm_fail(err, MM_EFORMAT, "%s: no tensor '%s', which --model %s of the sizes given has", path,
                           t->name, m->kind->name);
        mm_status st = check_entry(m, t, &e[which[i]], datalen, path, err);
        if (st) return st;
        e[which[i]].used = 1;
    }
    for (int j = 0; j < n; j++)
        if (!e[j].used)
            return mm_fail(err, MM_EFORMAT, "%s: tensor '%s' is not part of --model %s of the sizes given", path,
                           e[j].name, m->kind->name);
    return MM_OK;
}

static float get_f32(const unsigned char *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Tensor i's floats from the file (torch's layout) into dst (ours). */
static int read_tensor(float *dst, const mm_tensor *t, const unsigned char *src)
{
    const size_t K = (size_t)t->shape[0], J = t->ndim == 2 ? (size_t)t->shape[1] : 1;
    const int tr = t->transposed && t->ndim == 2;
    for (size_t i = 0; i < t->size; i++) {
        const float v = get_f32(src + 4 * i);
        if (!isfinite(v)) return 0;
        dst[tr ? (i % K) * J + i / K : i] = v; /* torch (J, K) element (i / K, i % K) */
    }
    return 1;
}

mm_status mm_import_safetensors(mm_model *m, const unsigned char *buf, size_t len, const char *path,
                                mm_err *err)
{
    if (len < 8) return mm_fail(err, MM_EFORMAT, "%s: truncated (%zu bytes): not a safetensors file", path, len);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++) hlen |= (uint64_t)buf[i] << (8 * i);
    if (hlen > MAX_HEADER || hlen > len - 8)
        return mm_fail(err, MM_EFORMAT, "%s: header of %llu bytes in a file of %zu: not a safetensors file, or "
                       "truncated", path, (unsigned long long)hlen, len);
    st_entry *e;
    int n;
    mm_status st = parse_header((const char *)buf + 8, (size_t)hlen, &e, &n, path, err);
    if (st) return st;
    int *which = malloc(((size_t)m->ntensors + 1) * sizeof *which);
    float *staged = malloc((m->nparams ? m->nparams : 1) * sizeof *staged);
    const unsigned char *data = buf + 8 + hlen;
    if (!which || !staged) st = mm_fail(err, MM_ENOMEM, "%s: out of memory", path);
    if (!st) st = match(m, e, n, len - 8 - (size_t)hlen, which, path, err);
    for (int i = 0; !st && i < m->ntensors; i++)
        if (!read_tensor(staged + m->tensors[i].offset, &m->tensors[i], data + e[which[i]].begin))
            st = mm_fail(err, MM_EFORMAT, "%s: tensor '%s' holds NaN or infinity", path, m->tensors[i].name);
    if (!st) memcpy(m->params, staged, m->nparams * sizeof *staged);
    free(staged);
    free(which);
    free(e);
    return st;
}
