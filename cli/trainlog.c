#include "trainlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define HEADER "step,lr,loss,train_loss,dev_loss\n"

/* Keeps the header and the rows whose step is at most last. */
static int truncate_log(const char *path, long last)
{
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : -1;
    char tmp[MM_MAX_PATH + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    if (!o) { fclose(f); return -1; }
    char line[256];
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        if (first) { first = 0; fputs(line, o); continue; }
        char *end;
        long step = strtol(line, &end, 10);
        if (end != line && step <= last) fputs(line, o);
    }
    fclose(f);
    int bad = fclose(o) != 0;
    if (bad || rename(tmp, path) != 0) { remove(tmp); return -1; }
    return 0;
}

int trainlog_open(trainlog *l, const char *path, long resume_step)
{
    l->f = NULL;
    if (resume_step > 0) {
        if (truncate_log(path, resume_step)) return cli_error("%s: cannot rewrite: %s", path, strerror(errno));
        l->f = fopen(path, "a");
    } else {
        l->f = fopen(path, "w");
    }
    if (!l->f) return cli_error("%s: cannot write: %s", path, strerror(errno));
    if (ftell(l->f) == 0) fputs(HEADER, l->f);
    return 0;
}

void trainlog_step(trainlog *l, long step, double lr, double loss)
{
    fprintf(l->f, "%ld,%.6g,%.7g,,\n", step, lr, loss);
}

void trainlog_eval(trainlog *l, long step, double train_loss, double dev_loss)
{
    fprintf(l->f, "%ld,,,%.7g,%.7g\n", step, train_loss, dev_loss);
}

int trainlog_close(trainlog *l)
{
    if (!l->f) return 0;
    int bad = ferror(l->f) | (fclose(l->f) != 0);
    l->f = NULL;
    return bad ? -1 : 0;
}
