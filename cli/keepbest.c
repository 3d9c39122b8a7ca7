#include "keepbest.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int keepbest_init(keepbest *k, const char *workdir, int keep, long patience)
{
    memset(k, 0, sizeof *k);
    k->keep = keep;
    k->patience = patience;
    k->best_dev = INFINITY;
    k->best_step = -1;
    return snprintf(k->path, sizeof k->path, "%s/best.bin", workdir) < (int)sizeof k->path ? 0 : -1;
}

void keepbest_resume(keepbest *k, double best_dev, long best_step)
{
    if (!isfinite(best_dev)) return;
    k->best_dev = best_dev;
    k->best_step = best_step;
}

int keepbest_eval(keepbest *k, const mm_run *r, double dev, int leader)
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
