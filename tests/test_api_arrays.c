/* The public API's array calls (src/api/api_arrays.c) and training with a
 * progress callback (makemore_train_watch), from C: the size protocol of
 * the copying calls, agreement between the batch and single calls, every
 * step reported once, evaluations where asked, and a stop that saves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "makemore.h"

static void write_data(const char *path)
{
    FILE *f = fopen(path, "w");
    const char *names[] = {"anna", "bob", "carla", "dmitri", "elena", "jomo", "kaia"};
    for (int i = 0; f && i < 350; i++) fprintf(f, "%s\n", names[i % 7]);
    if (f) fclose(f);
}

typedef struct {
    long steps, calls, max_n, evals, last_eval, stop_at;
    int in_order;
} seen;

static int on_progress(const makemore_progress *p, void *user)
{
    seen *s = user;
    s->in_order &= p->step == s->steps + p->n && p->n >= 1 && p->losses[p->n - 1] == p->loss &&
                   p->lrs[p->n - 1] == p->lr;
    s->steps = p->step;
    s->calls++;
    if (p->n > s->max_n) s->max_n = p->n;
    if (p->evaluated) {
        s->evals++;
        s->last_eval = p->step;
        s->in_order &= p->dev_loss > 0 && p->train_loss > 0;
    }
    return s->stop_at && p->step >= s->stop_at;
}

static void check_arrays(makemore_model *m)
{
    makemore_error err = {{0}};
    size_t len = 0;
    CHECK(makemore_tensors(m, NULL, 0, &len, &err) == MAKEMORE_OK && len > 8, "tensors: %zu bytes needed", len);
    unsigned char *buf = malloc(len);
    CHECK(makemore_tensors(m, buf, len - 1, &len, &err) == MAKEMORE_ENOMEM && strstr(err.msg, "too few"),
          "tensors into a buffer one byte short: %s", err.msg);
    CHECK(makemore_tensors(m, buf, len, &len, &err) == MAKEMORE_OK && memchr(buf + 8, '{', 4) &&
          strstr((char *)buf + 8, "\"C\""), "tensors: a safetensors header naming C");
    free(buf);
    int rows = 0, cols = 0, V = makemore_vocab_size(m);
    CHECK(makemore_embeddings(m, NULL, 0, &rows, &cols, &err) == MAKEMORE_OK && rows == V && cols == 10,
          "embeddings: (%d, %d)", rows, cols);
    const char *prefixes[] = {"", "jo", "car"};
    double *batch = calloc((size_t)3 * V, sizeof *batch), *one = calloc((size_t)V, sizeof *one), diff = 0;
    CHECK(makemore_next_probs_batch(m, prefixes, 3, batch, &err) == MAKEMORE_OK, "next_probs_batch: %s", err.msg);
    for (int i = 0; i < 3; i++) {
        makemore_next_probs(m, prefixes[i], one, &err);
        for (int v = 0; v < V; v++) diff = fmax(diff, fabs(one[v] - batch[i * V + v]));
    }
    CHECK(diff == 0, "next_probs_batch rows equal next_probs (max diff %g)", diff);
    const char *bad[] = {"jo", "j!"};
    CHECK(makemore_next_probs_batch(m, bad, 2, batch, &err) == MAKEMORE_EINVAL && strstr(err.msg, "prefixes[1]"),
          "a prefix of unknown characters is named: %s", err.msg);
    const char *items[] = {"anna", "nnaa"};
    double loss[2];
    int count[2];
    CHECK(makemore_item_losses(m, items, 2, loss, count, &err) == MAKEMORE_OK && count[0] == 5 &&
          loss[0] > 0 && loss[0] < loss[1], "item_losses: anna %.3f < nnaa %.3f, 5 scored", loss[0], loss[1]);
    CHECK(makemore_embedding_svg(m, NULL, 0, &len, &err) == MAKEMORE_OK && len > 100, "embedding_svg: %zu bytes", len);
    CHECK(makemore_embeddings(NULL, NULL, 0, &rows, &cols, &err) == MAKEMORE_EINVAL, "no model: %s", err.msg);
    free(batch);
    free(one);
}

int main(void)
{
    char dir[] = "/tmp/mm_test_api_arrays_XXXXXX", data[64], out[96], json[8192];
    PLAN(17);
    if (!mkdtemp(dir)) return 1;
    snprintf(data, sizeof data, "%s/d.txt", dir);
    snprintf(out, sizeof out, "%s/model", dir);
    write_data(data);
    makemore_error err = {{0}};
    makemore_train_config c = makemore_train_defaults();
    c.max_steps = 1000;
    c.threads = 1;
    seen s = {.in_order = 1};
    CHECK(makemore_train_watch(data, out, &c, NULL, on_progress, &s, 300, json, sizeof json, &err) == MAKEMORE_OK,
          "train_watch: %s", err.msg);
    CHECK(s.steps == 1000 && s.in_order && s.max_n <= 256 && s.calls >= 4,
          "every step reported once, in order, at most 256 a call (%ld calls)", s.calls);
    CHECK(s.evals == 4 && s.last_eval == 1000, "evaluations at 300, 600, 900 and the last step (%ld)", s.evals);
    makemore_model *m = NULL;
    CHECK(makemore_load(out, &m, &err) == MAKEMORE_OK, "load: %s", err.msg);
    if (m) check_arrays(m);
    makemore_free(m);
    seen t = {.in_order = 1, .stop_at = 400};
    c.max_steps = 100000;
    CHECK(makemore_train_watch(data, out, &c, NULL, on_progress, &t, 0, json, sizeof json, &err) == MAKEMORE_EINTR &&
          strstr(err.msg, "saved") && strstr(json, "\"steps\": "), "a stop: %s", err.msg);
    m = NULL;
    CHECK(t.steps >= 400 && t.steps < 100000 && makemore_load(out, &m, &err) == MAKEMORE_OK,
          "the stopped run's model is saved (step %ld) and loads", t.steps);
    makemore_free(m);
    CHECK(makemore_train_watch(data, out, &c, NULL, on_progress, &t, -1, NULL, 0, &err) == MAKEMORE_EINVAL,
          "eval_every -1: %s", err.msg);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
