#include "losslog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

#define MAX_LOG_BYTES (1ull << 32)

typedef struct {
    double *v[3];
    size_t n, cap;
} columns;

static int push(columns *c, double a, double b, double d)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        for (int i = 0; i < 3; i++) {
            double *p = realloc(c->v[i], cap * sizeof *p);
            if (!p) return -1;
            c->v[i] = p;
        }
        c->cap = cap;
    }
    c->v[0][c->n] = a;
    c->v[1][c->n] = b;
    c->v[2][c->n] = d;
    c->n++;
    return 0;
}

/* Parses one field up to ',' or the end of the line: NAN when empty, and
 * -1 in *bad when it is not a number. */
static double field(const char **p, const char *end, int *bad)
{
    const char *s = *p;
    const char *e = s;
    while (e < end && *e != ',' && *e != '\n' && *e != '\r') e++;
    double v = NAN;
    if (e > s) {
        char tmp[64];
        size_t k = (size_t)(e - s);
        if (k >= sizeof tmp) { *bad = 1; k = sizeof tmp - 1; }
        memcpy(tmp, s, k);
        tmp[k] = 0;
        char *q;
        errno = 0;
        v = strtod(tmp, &q);
        if (*q || errno) *bad = 1;
    }
    *p = e < end && *e == ',' ? e + 1 : e;
    return v;
}

static mm_status parse_row(columns *steps, columns *evals, const char *s, const char *end)
{
    int bad = 0;
    double v[5];
    for (int i = 0; i < 5; i++) v[i] = field(&s, end, &bad);
    if (bad || s != end || !isfinite(v[0])) return MM_EFORMAT;
    if (!isnan(v[2])) return push(steps, v[0], v[1], v[2]) ? MM_ENOMEM : MM_OK;
    if (!isnan(v[3]) || !isnan(v[4])) return push(evals, v[0], v[3], v[4]) ? MM_ENOMEM : MM_OK;
    return MM_EFORMAT;
}

mm_status mm_losslog_parse(mm_losslog *l, const char *buf, size_t len, const char *name, mm_err *err)
{
    memset(l, 0, sizeof *l);
    columns st = {0}, ev = {0};
    const char *p = buf, *end = buf + len;
    size_t line = 0;
    mm_status rc = MM_OK;
    while (p < end && !rc) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *le = e ? e : end;
        const char *ce = le > p && le[-1] == '\r' ? le - 1 : le;
        line++;
        if (line == 1) {
            size_t hl = strlen(MM_LOSSLOG_HEADER);
            if ((size_t)(ce - p) != hl || memcmp(p, MM_LOSSLOG_HEADER, hl))
                rc = mm_fail(err, MM_EFORMAT, "%s: the first line is not '%s'", name, MM_LOSSLOG_HEADER);
        } else if (ce > p && (rc = parse_row(&st, &ev, p, ce))) {
            rc = mm_fail(err, rc, "%s:%zu: %s", name, line,
                         rc == MM_ENOMEM ? "out of memory" : "not a row of step,lr,loss,train_loss,dev_loss");
        }
        p = le + (e != NULL);
    }
    if (!rc && line == 0) rc = mm_fail(err, MM_EFORMAT, "%s: empty log", name);
    l->n = st.n;
    l->step = st.v[0]; l->lr = st.v[1]; l->loss = st.v[2];
    l->neval = ev.n;
    l->eval_step = ev.v[0]; l->train_loss = ev.v[1]; l->dev_loss = ev.v[2];
    if (rc) mm_losslog_free(l);
    return rc;
}

mm_status mm_losslog_read(mm_losslog *l, const char *path, mm_err *err)
{
    unsigned char *buf;
    size_t len;
    memset(l, 0, sizeof *l);
    mm_status rc = mm_read_file(path, MAX_LOG_BYTES, &buf, &len, err);
    if (rc) return rc;
    rc = mm_losslog_parse(l, (const char *)buf, len, path, err);
    free(buf);
    return rc;
}

mm_status mm_losslog_add_eval(mm_losslog *l, double step, double train_loss, double dev_loss, mm_err *err)
{
    double **cols[3] = {&l->eval_step, &l->train_loss, &l->dev_loss};
    double vals[3] = {step, train_loss, dev_loss};
    for (int i = 0; i < 3; i++) {
        double *p = realloc(*cols[i], (l->neval + 1) * sizeof *p);
        if (!p) return mm_fail(err, MM_ENOMEM, "out of memory");
        *cols[i] = p;
        p[l->neval] = vals[i];
    }
    l->neval++;
    return MM_OK;
}

void mm_losslog_free(mm_losslog *l)
{
    free(l->step); free(l->lr); free(l->loss);
    free(l->eval_step); free(l->train_loss); free(l->dev_loss);
    memset(l, 0, sizeof *l);
}
