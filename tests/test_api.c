/* The public API (include/makemore.h) on a model it trains itself: the
 * edges a C caller meets (small buffers, bad options, a missing folder, a
 * kind's unused size), each an error with a message and no crash. */
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

static void check_model(const char *dir)
{
    makemore_error err = {{0}};
    makemore_model *m = NULL;
    CHECK(makemore_load(dir, &m, &err) == MAKEMORE_OK && m, "load: %s", err.msg);
    if (!m) return;
    int V = makemore_vocab_size(m);
    CHECK(V == 15 && !strcmp(makemore_char(m, 0), ".") && !strcmp(makemore_char(m, 1), "a") &&
          !makemore_char(m, V) && !makemore_char(m, -1), "vocabulary: %d ids, '.' first, NULL outside", V);
    double *p = calloc((size_t)V, sizeof *p), sum = 0;
    CHECK(makemore_next_probs(m, "jo", p, &err) == MAKEMORE_OK, "next_probs after 'jo'");
    for (int i = 0; i < V; i++) sum += p[i];
    CHECK(fabs(sum - 1) < 1e-5, "the probabilities sum to 1 (%.7f)", sum);
    CHECK(makemore_next_probs(m, "j\xff", p, &err) == MAKEMORE_EINVAL && strstr(err.msg, "UTF-8"),
          "invalid UTF-8 in a prefix: %s", err.msg);
    free(p);
    makemore_sample_opts o = makemore_sample_defaults();
    char small[8], big[4096];
    CHECK(makemore_sample(m, &o, 50, small, sizeof small, &err) == MAKEMORE_ENOMEM && strstr(err.msg, "too few"),
          "a buffer too small: %s", err.msg);
    o.prefix = "car";
    o.top_k = 1;
    CHECK(makemore_sample(m, &o, 3, big, sizeof big, &err) == MAKEMORE_OK && !strncmp(big, "car", 3),
          "a prefix is completed: %.30s", big);
    o.temperature = -1;
    CHECK(makemore_sample(m, &o, 1, big, sizeof big, &err) == MAKEMORE_EINVAL && strstr(err.msg, "temperature"),
          "a negative temperature: %s", err.msg);
    double loss = 0;
    CHECK(makemore_eval(m, "dev", NULL, &loss, &err) == MAKEMORE_OK && loss > 0 && loss < log(15.0),
          "eval dev below uniform: %.4f", loss);
    CHECK(makemore_eval(m, "val", NULL, &loss, &err) == MAKEMORE_OK, "'val' names the dev split too");
    makemore_free(m);
}

int main(void)
{
    PLAN(15);
    char dir[] = "/tmp/mm_test_api_XXXXXX", data[64], out[96];
    if (!mkdtemp(dir)) return 1;
    snprintf(data, sizeof data, "%s/d.txt", dir);
    snprintf(out, sizeof out, "%s/model", dir);
    write_data(data);
    makemore_error err = {{0}};
    makemore_train_config c = makemore_train_defaults();
    c.max_steps = 200;
    c.n_hidden = 16;
    c.threads = 1;
    char json[4096];
    CHECK(makemore_train(data, out, &c, json, sizeof json, &err) == MAKEMORE_OK && strstr(json, "\"dev_loss\": "),
          "train writes model.bin and a summary: %.60s...", json);
    check_model(out);
    c.n_layers = 3;
    CHECK(makemore_train(data, out, &c, NULL, 0, &err) == MAKEMORE_EINVAL && strstr(err.msg, "--n-layers"),
          "a size the kind does not use is refused: %s", err.msg);
    c = makemore_train_defaults();
    c.max_steps = 10;
    CHECK(makemore_train(data, out, &c, json, 10, &err) == MAKEMORE_ENOMEM, "a summary buffer too small: %s", err.msg);
    makemore_model *m = (makemore_model *)&err;
    CHECK(makemore_load("/nonexistent", &m, &err) == MAKEMORE_EIO && !m && strstr(err.msg, "/nonexistent/model.bin"),
          "a missing folder: %s", err.msg);
    CHECK(!strcmp(makemore_status_name(MAKEMORE_EFORMAT), "malformed file") &&
          !strcmp(makemore_status_name((makemore_status)99), "unknown status"), "status names");
    makemore_free(NULL);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    return CHECK_DONE();
}
