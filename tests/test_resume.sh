#!/usr/bin/env bash
# Stop and resume exactly. A run stopped four times, by SIGINT and SIGTERM at
# random moments, and resumed each time must exit 130/143 with a resume hint
# and a checkpoint of the step it names, and must end with the same losses,
# the same parameters (bit for bit, through the safetensors export) and the
# same log.csv as one uninterrupted run with the same seed.
#   MAKEMORE      the binary under test
#   MM_SANITIZER  set: a shorter run for the slow sanitizer build
source "$(dirname "$0")/lib.sh"
plan 10
cd "$tmp" || exit 1
note() { bad "$@"; }

awk 'BEGIN { srand(11); for (i = 0; i < 3000; i++) { n = 3 + int(rand() * 6); s = "";
    for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print s } }' >names.txt
# enough steps that four segments of at most 0.4 s cannot finish the run
# even on a quiet machine, about 2.5 times as many: ~20 us/step here, so
# ~80,000 steps in 1.6 s. The portable build (no AVX) steps about 3.5 times
# slower and the sanitizer build (MM_SANITIZER, set by make sanitize) about
# 12 times (4,000 steps/s were seen on an idle machine), so they need
# proportionally fewer; the test's time is twice the run's.
steps=200000
[[ $M == *portable ]] && steps=60000
[ -n "${MM_SANITIZER:-}" ] && steps=20000
ARGS=(-i names.txt --max-steps "$steps" --n-hidden 48 --save-every 700 --samples 0 -t 1 --print-every 100000000)

"$M" train -o ref "${ARGS[@]}" --json >ref.json 2>ref.err
rc=$?
check "the uninterrupted run $(tail -n 1 ref.err)" test "$rc" -eq 0

stops=0
for sig in INT TERM INT TERM; do
    resume=()
    [ -f run/model.bin ] && resume=(--resume)
    "$M" train -o run "${ARGS[@]}" "${resume[@]}" >/dev/null 2>seg.err &
    pid=$!
    for _ in $(seq 1 600); do # until the first step is near: then a random moment
        grep -q "init train loss" seg.err || ! kill -0 "$pid" 2>/dev/null && break
        sleep 0.05
    done
    sleep "0.$(( (RANDOM % 30) + 5 ))"
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    want=$((128 + $(kill -l "$sig")))
    last=$(tail -n 1 seg.err)
    if [ "$rc" -ne "$want" ]; then
        note "SIG$sig: exit status $rc, expected $want ($last)"
        continue
    fi
    step=$(echo "$last" | sed -n 's/.*stopped by SIG'"$sig"' at step \([0-9]*\); saved run\/model\.bin\. Resume with: makemore train -o run --resume$/\1/p')
    saved=$("$M" eval -o run --json -t 1 2>/dev/null | sed -n 's/.*"step": *\([0-9]*\).*/\1/p')
    if [ -z "$step" ]; then
        note "SIG$sig: the last line does not say where it stopped and how to resume: $last"
    elif [ "$saved" != "$step" ]; then
        note "SIG$sig: the message names step $step but model.bin holds step '$saved'"
    else
        stops=$((stops + 1))
        ok "SIG$sig: exit $rc, model.bin at step $step: $last"
    fi
done
[ "$stops" -eq 4 ] && ok "stopped and saved 4 times, by SIGINT and SIGTERM" ||
    note "only $stops of 4 stops went as they should"

"$M" train -o run "${ARGS[@]}" --resume --json >run.json 2>run.err
rc=$?
check "the last resumed run $(tail -n 1 run.err)" test "$rc" -eq 0
losses() { sed -n 's/.*"train_loss": *\([-0-9.e]*\).*"dev_loss": *\([-0-9.e]*\).*"steps": *\([0-9]*\).*/\1 \2 \3/p' "$1"; }
a=$(losses ref.json) b=$(losses run.json)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "final train/dev losses and steps equal the uninterrupted run's: $a" ||
    note "final losses differ: uninterrupted '$a', resumed '$b'"
"$M" export -o ref --safetensors ref.st 2>/dev/null && "$M" export -o run --safetensors run.st 2>/dev/null &&
    cmp -s ref.st run.st && ok "the parameters equal the uninterrupted run's bit for bit" ||
    note "the resumed run's parameters differ from the uninterrupted run's"
cmp -s ref/log.csv run/log.csv && ok "log.csv equals the uninterrupted run's ($(wc -l <ref/log.csv) lines)" ||
    note "log.csv differs from the uninterrupted run's: $(diff ref/log.csv run/log.csv | head -n 4 | tr '\n' '|')"
finish
