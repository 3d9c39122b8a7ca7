#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "text.h"

int events_open(events *e, long first_step, long total)
{
    memset(e, 0, sizeof *e);
    const char *path = getenv("MAKEMORE_EVENTS");
    if (!path || !*path) return 0;
    e->f = fopen(path, "a");
    if (!e->f) return cli_error("MAKEMORE_EVENTS=%s: cannot write: %s", path, strerror(errno));
    /* about 100 snapshots over a run: enough to watch it move, few enough to draw */
    e->embed_every = total / 100 > 0 ? total / 100 : 1;
    fprintf(e->f, "{\"event\": \"start\", \"step\": %ld, \"total\": %ld}\n", first_step, total);
    return 0;
}

static void doubles(FILE *f, const char *name, const double *x, int n)
{
    fprintf(f, ", \"%s\": [", name);
    for (int i = 0; i < n; i++) fprintf(f, i ? ", %.6g" : "%.6g", x[i]);
    fputc(']', f);
}

void events_lrfind(events *e, const mm_lrfind *lr)
{
    if (!e->f || lr->n <= 0) return;
    fputs("{\"event\": \"lr_find\"", e->f);
    doubles(e->f, "lr_exp", lr->lr_exp, lr->n);
    doubles(e->f, "loss", lr->loss, lr->n);
    doubles(e->f, "smooth", lr->smooth, lr->n);
    fprintf(e->f, ", \"suggested_lr\": %.6g}\n", lr->suggested_lr);
}

void events_step(events *e, const mm_run *r, long step, double loss, double lr)
{
    if (!e->f) return;
    fprintf(e->f, "{\"event\": \"step\", \"step\": %ld, \"loss\": %.7g, \"lr\": %.6g}\n", step, loss, lr);
    if (step % e->embed_every == 0) events_embedding(e, r, step);
}

void events_embedding(events *e, const mm_run *r, long step)
{
    const mm_model *m = &r->model;
    if (!e->f || m->embedding < 0 || m->cfg.n_embd < 2) return;
    const float *C = mm_model_param(m, m->embedding); /* (V, E) */
    const int V = r->vocab.size, E = m->cfg.n_embd;
    fprintf(e->f, "{\"event\": \"embedding\", \"step\": %ld, \"chars\": [", step);
    for (int i = 0; i < V; i++) {
        char ch[5] = {0};
        ch[mm_utf8_encode(r->vocab.cp[i], ch)] = 0;
        if (i) fputs(", ", e->f);
        cli_json_string(e->f, ch);
    }
    for (int d = 0; d < 2; d++) {
        fprintf(e->f, "], \"%c\": [", "xy"[d]);
        for (int i = 0; i < V; i++) fprintf(e->f, i ? ", %.6g" : "%.6g", C[(long)i * E + d]);
    }
    fputs("]}\n", e->f);
}

void events_eval(events *e, long step, double train_loss, double dev_loss)
{
    if (!e->f) return;
    fprintf(e->f, "{\"event\": \"eval\", \"step\": %ld, \"train_loss\": %.7g, \"dev_loss\": %.7g}\n", step,
            train_loss, dev_loss);
}

void events_close(events *e)
{
    if (e->f) fclose(e->f);
    e->f = NULL;
}
