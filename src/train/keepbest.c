#include "keepbest.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int mm_keepbest_init(mm_keepbest *k, const char *workdir, int keep, long patience)
{
    memset(k, 0, sizeof *k);
    k->keep = keep;
    k->patience = patience;
    k->best_dev = INFINITY;
    k->best_step = -1;
    return snprintf(k->path, sizeof k->path, "%s/best.bin", workdir) < (int)sizeof k->path ? 0 : -1;
}

mm_status mm_keepbest_open(const mm_keepbest *k, const mm_run *r, mm_run *best, int *found, mm_err *err)
{
    struct stat sb;
    *found = 0;
    if (stat(k->path, &sb) != 0) return MM_OK;
    mm_status st = mm_checkpoint_load(best, k->path, err);
    if (st) return st;
    if (!mm_vocab_equal(&best->vocab, &r->vocab) || best->model.cfg.kind != r->model.cfg.kind ||
        best->model.cfg.block_size != r->model.cfg.block_size) {
        mm_run_free(best);
        return mm_fail(err, MM_EINVAL, "%s: not a model of this run's data; move it away to resume", k->path);
    }
    *found = 1;
    return MM_OK;
}

void mm_keepbest_resume(mm_keepbest *k, double best_dev, long best_step)
{
    if (!isfinite(best_dev)) return;
    k->best_dev = best_dev;
    k->best_step = best_step;
}

int mm_keepbest_eval(mm_keepbest *k, const mm_run *r, double dev, int leader)
{
    if (dev < k->best_dev) { /* a NaN is never better */
        k->best_dev = dev;
        k->best_step = r->state.step;
        k->since = 0;
        if (k->keep && leader && !k->save_status) k->save_status = mm_checkpoint_save(r, k->path, &k->err);
        return 0;
    }
    k->since++;
    if (k->patience > 0 && k->since >= k->patience) k->stop = 1;
    return k->stop;
}
