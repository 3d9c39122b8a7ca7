#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

/* One event, as a line of JSON (its writer keeps it strict: a NaN loss
 * is null). */
static void emit(events *e, mm_json *j)
{
    mm_json_end(j);
    if (!j->b.oom) fputs(mm_sbuf_str(&j->b), e->f);
    mm_json_free(j);
    /* errno holds the reason right after the write that failed */
    if (!e->errnum && ferror(e->f)) e->errnum = errno ? errno : EIO;
}

static void event_begin(mm_json *j, const char *name)
{
    mm_json_begin(j);
    mm_json_str(j, "event", name);
}

int events_open(events *e, long first_step, long total)
{
    memset(e, 0, sizeof *e);
    const char *path = getenv("MAKEMORE_EVENTS");
    if (!path || !*path) return 0;
    e->path = path;
    e->f = fopen(path, "a");
    if (!e->f) return cli_error("MAKEMORE_EVENTS=%s: cannot write: %s", path, strerror(errno));
    /* about 100 snapshots over a run: enough to watch it move, few enough to draw */
    e->embed_every = total / 100 > 0 ? total / 100 : 1;
    mm_json j;
    event_begin(&j, "start");
    mm_json_int(&j, "step", first_step);
    mm_json_int(&j, "total", total);
    emit(e, &j);
    return 0;
}

static void doubles(mm_json *j, const char *name, const double *x, int n)
{
    mm_json_array(j, name);
    for (int i = 0; i < n; i++) mm_json_item_g(j, x[i], 6);
    mm_json_array_end(j);
}

void events_lrfind(events *e, const mm_lrfind *lr)
{
    if (!e->f || lr->n <= 0) return;
    mm_json j;
    event_begin(&j, "lr_find");
    doubles(&j, "lr_exp", lr->lr_exp, lr->n);
    doubles(&j, "loss", lr->loss, lr->n);
    doubles(&j, "smooth", lr->smooth, lr->n);
    mm_json_g(&j, "suggested_lr", lr->suggested_lr, 6);
    emit(e, &j);
}

void events_step(events *e, const mm_run *r, long step, double loss, double lr)
{
    if (!e->f) return;
    mm_json j;
    event_begin(&j, "step");
    mm_json_int(&j, "step", step);
    mm_json_g(&j, "loss", loss, 7);
    mm_json_g(&j, "lr", lr, 6);
    emit(e, &j);
    if (step % e->embed_every == 0) events_embedding(e, r, step);
}

void events_embedding(events *e, const mm_run *r, long step)
{
    const mm_model *m = &r->model;
    if (!e->f || m->embedding < 0 || m->cfg.n_embd < 2) return;
    const float *C = mm_model_param(m, m->embedding); /* (V, E) */
    /* a word model's likeliest few hundred (its first ids), as report.html draws */
    const int V = r->vocab.words && r->vocab.size > 300 ? 300 : r->vocab.size, E = m->cfg.n_embd;
    mm_json j;
    event_begin(&j, "embedding");
    mm_json_int(&j, "step", step);
    mm_json_array(&j, "chars");
    for (int i = 0; i < V; i++) mm_json_item(&j, mm_vocab_token(&r->vocab, i));
    mm_json_array_end(&j);
    for (int d = 0; d < 2; d++) {
        mm_json_array(&j, d ? "y" : "x");
        for (int i = 0; i < V; i++) mm_json_item_g(&j, C[(long)i * E + d], 6);
        mm_json_array_end(&j);
    }
    emit(e, &j);
}

void events_eval(events *e, long step, double train_loss, double dev_loss)
{
    if (!e->f) return;
    mm_json j;
    event_begin(&j, "eval");
    mm_json_int(&j, "step", step);
    mm_json_g(&j, "train_loss", train_loss, 7);
    mm_json_g(&j, "dev_loss", dev_loss, 7);
    emit(e, &j);
}

mm_status events_check(const events *e, mm_err *err)
{
    if (!e->errnum) return MM_OK;
    return mm_fail(err, MM_EIO, "MAKEMORE_EVENTS=%s: write failed: %s", e->path, strerror(e->errnum));
}

mm_status events_close(events *e, mm_err *err)
{
    if (e->f && fclose(e->f) != 0 && !e->errnum) e->errnum = errno ? errno : EIO;
    e->f = NULL;
    return events_check(e, err);
}
