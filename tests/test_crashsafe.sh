#!/usr/bin/env bash
# Crash-safe checkpoints: training that saves every 50 steps is killed with
# SIGKILL at 20 random moments, each run resuming the one before. After every
# kill the newest model.bin must load (eval and sample succeed: magic, size
# and checksum hold), its step must never go back, and at most one temporary
# file (the save that was in flight) may be left; the next start removes it.
#
# The kills must land inside saves, or the test says little: a shim built
# here and loaded with LD_PRELOAD (nothing in the product) stretches each
# save of model.bin. It writes the first half of the temporary file, waits,
# writes the rest, and waits again before the rename, logging "in" when a
# save starts and "out" once model.bin is replaced. A kill whose log ends
# in "in" came inside a save, with the temporary file torn or unrenamed;
# some kills must be such.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 6
cd "$tmp" || exit 1
KILLS=20

cat >shim.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void note(const char *what)
{
    const char *log = getenv("MM_SHIM_LOG");
    int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (fd < 0) return;
    syscall(SYS_write, fd, what, strlen(what));
    close(fd);
}

static void pause_ms(void)
{
    struct timespec t = {0, 1000000L * atol(getenv("MM_SHIM_MS") ? getenv("MM_SHIM_MS") : "100")};
    nanosleep(&t, NULL);
}

static int is_model_tmp(const char *path) { return strstr(path, "model.bin.tmp.") != NULL; }

ssize_t write(int fd, const void *buf, size_t n)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, path, sizeof path - 1);
    if (len > 0 && n > 1 && (path[len] = 0, is_model_tmp(path)) && lseek(fd, 0, SEEK_CUR) == 0) {
        note("in\n");
        ssize_t k = syscall(SYS_write, fd, buf, n / 2); /* a short write: the caller writes the rest */
        pause_ms();
        return k;
    }
    return syscall(SYS_write, fd, buf, n);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    if (!is_model_tmp(from)) return real(from, to);
    pause_ms();
    int rc = real(from, to);
    note("out\n");
    return rc;
}
EOF
if ! cc -shared -fPIC -O1 shim.c -o shim.so -ldl 2>shim.err; then
    bad "the LD_PRELOAD shim does not compile: $(head -n 3 shim.err | tr '\n' '|')"
    finish
fi
# the sanitizers' runtime wants to come first; the shim only wraps two calls
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# 3000 made-up names over 26 letters: enough data for steps to take a while
awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) { n = 3 + int(rand() * 6); s = "";
    for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print s } }' >names.txt

checked=0 last_step=0 stale_seen=0 torn=0 went_back=0 extra_tmp=0 inside=0 saves=0
for i in $(seq 1 "$KILLS"); do
    resume=()
    [ -f run/model.bin ] && resume=(--resume)
    rm -f shim.log
    # the seed is fixed, so a later start finds the flags it was given
    LD_PRELOAD=$tmp/shim.so MM_SHIM_LOG=$tmp/shim.log MM_SHIM_MS=100 \
        "$M" train -i names.txt -o run --max-steps 100000000 --save-every 50 --n-hidden 64 \
        --samples 0 --print-every 100000000 -t 1 "${resume[@]}" >/dev/null 2>train.err &
    pid=$!
    # training has begun once the first loss is printed; then a random moment
    for _ in $(seq 1 600); do
        grep -q "init train loss" train.err 2>/dev/null || ! kill -0 "$pid" 2>/dev/null && break
        sleep 0.05
    done
    sleep "0.$(( (RANDOM % 50) + 2 ))"  # 0.02 .. 0.51 s
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    saves=$((saves + $(cat shim.log 2>/dev/null | grep -c '^out$')))
    [ "$(tail -n 1 shim.log 2>/dev/null)" = in ] && inside=$((inside + 1))
    ntmp=$(find run -name '*.tmp.*' 2>/dev/null | wc -l)
    [ "$ntmp" -gt 1 ] && extra_tmp=1
    [ "$ntmp" -ge 1 ] && stale_seen=$((stale_seen + 1))
    [ -f run/model.bin ] || continue
    checked=$((checked + 1))
    if ! "$M" eval -o run -i names.txt --json -t 1 >eval.json 2>eval.err ||
        ! "$M" sample -o run -n 3 >/dev/null 2>>eval.err; then
        torn=1
        echo "# kill $i: model.bin does not load: $(head -c 300 eval.err)"
        continue
    fi
    step=$(sed -n 's/.*"step": *\([0-9]*\).*/\1/p' eval.json)
    if [ -z "$step" ] || [ "$step" -lt "$last_step" ]; then
        went_back=1
        echo "# kill $i: model.bin is at step '${step}', before the earlier $last_step"
    fi
    last_step=${step:-$last_step}
done

[ "$inside" -ge 3 ] &&
    ok "$inside of $KILLS kills landed inside a save of model.bin (torn or unrenamed temp file; $saves saves completed)" ||
    bad "only $inside of $KILLS kills landed inside a save ($saves saves completed): the kills miss the window"
[ "$checked" -ge $((KILLS / 2)) ] &&
    ok "$checked of $KILLS kills left a model.bin to check (the rest came before the first save)" ||
    bad "only $checked of $KILLS kills came after a first save: the check says little"
[ "$torn" -eq 0 ] && [ "$checked" -gt 0 ] && ok "after each of $checked kills model.bin loaded, sampled and evaluated" ||
    bad "a model.bin left by a kill did not load (lines above)"
[ "$went_back" -eq 0 ] && [ "$checked" -gt 0 ] && ok "the saved step never went back (last: step $last_step)" ||
    bad "the saved step went back (lines above)"
[ "$extra_tmp" -eq 0 ] &&
    ok "never more than the one in-flight temp file ($stale_seen kills left one)" ||
    bad "more than one temp file piled up in run/"
# one clean, short run: the leftovers of the killed ones go away
"$M" train -i names.txt -o run --resume --max-steps $((last_step + 10)) --samples 0 -t 1 >/dev/null 2>>train.err
rc=$?
left=$(find run -name '*.tmp.*' 2>/dev/null | wc -l)
[ "$rc" -eq 0 ] && [ "$left" -eq 0 ] && ok "a clean resumed run succeeds and leaves no temp file" ||
    bad "the final resumed run: status $rc, $left temp files left: $(tail -n 2 train.err | tr '\n' '|') $(ls run 2>/dev/null)"
finish
