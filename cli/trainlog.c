#include "trainlog.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytes.h"
#include "cli.h"

#define HEADER "step,lr,loss,train_loss,dev_loss\n"

/* Keeps the header and the rows whose step is at most last. A row without
 * its newline is the torn end of a killed run (stdio flushes in blocks) and
 * goes too: its step number may itself be cut short. The rewrite is atomic,
 * so a crash during it leaves the old log. */
static int truncate_log(const char *path, long last, mm_err *err)
{
    unsigned char *buf;
    size_t len;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT) return 0;
    if (mm_read_file(path, (uint64_t)1 << 34, &buf, &len, err)) return -1;
    size_t keep = 0;
    for (size_t pos = 0; pos < len;) {
        const unsigned char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl) break;
        size_t end = (size_t)(nl - buf) + 1;
        char *stop;
        long step = strtol((const char *)buf + pos, &stop, 10);
        int is_row = stop != (const char *)buf + pos && *stop == ',';
        if (pos == 0 || (is_row && step <= last)) {
            memmove(buf + keep, buf + pos, end - pos);
            keep += end - pos;
        }
        pos = end;
    }
    mm_status st = mm_write_file_atomic(path, buf, keep, err);
    free(buf);
    return st ? -1 : 0;
}

/* stdio reports a failed write only as ferror; errno holds its reason
 * right after the call that failed. */
static void note_failure(trainlog *l)
{
    if (!l->errnum && ferror(l->f)) l->errnum = errno ? errno : EIO;
}

int trainlog_open(trainlog *l, const char *path, long resume_step)
{
    l->f = NULL;
    l->path = path;
    l->errnum = 0;
    if (resume_step > 0) {
        mm_err err;
        if (truncate_log(path, resume_step, &err)) return cli_error("%s", err.msg);
        l->f = fopen(path, "a");
    } else {
        l->f = fopen(path, "w");
    }
    if (!l->f) return cli_error("%s: cannot write: %s", path, strerror(errno));
    /* an append stream's position is 0 until its first write in wasi-libc (musl) */
    if (fseek(l->f, 0, SEEK_END) == 0 && ftell(l->f) == 0) fputs(HEADER, l->f);
    note_failure(l);
    return 0;
}

void trainlog_step(trainlog *l, long step, double lr, double loss)
{
    fprintf(l->f, "%ld,%.6g,%.7g,,\n", step, lr, loss);
    note_failure(l);
}

/* An empty split (makemore.py's has no dev) leaves its field empty. */
void trainlog_eval(trainlog *l, long step, double train_loss, double dev_loss)
{
    fprintf(l->f, "%ld,,,", step);
    if (!isnan(train_loss)) fprintf(l->f, "%.7g", train_loss);
    fputc(',', l->f);
    if (!isnan(dev_loss)) fprintf(l->f, "%.7g", dev_loss);
    fputc('\n', l->f);
    note_failure(l);
}

mm_status trainlog_check(const trainlog *l, mm_err *err)
{
    if (!l->errnum) return MM_OK;
    return mm_fail(err, MM_EIO, "%s: write failed: %s", l->path, strerror(l->errnum));
}

mm_status trainlog_flush(trainlog *l, mm_err *err)
{
    if (l->f && fflush(l->f) != 0 && !l->errnum) l->errnum = errno ? errno : EIO;
    return trainlog_check(l, err);
}

mm_status trainlog_close(trainlog *l, mm_err *err)
{
    if (!l->f) return trainlog_check(l, err);
    trainlog_flush(l, NULL);
    if (fclose(l->f) != 0 && !l->errnum) l->errnum = errno ? errno : EIO;
    l->f = NULL;
    return trainlog_check(l, err);
}
