#!/usr/bin/env bash
# Numerical trouble. SGD with an L2 penalty multiplies the weights by
# (1 - lr * weight_decay) each step, so lr 3 with weight decay 1 (or lr 10,
# or 1000 with decay 1000) makes them grow without bound: the run must stop
# with exit status 1 and a message that names the step and the learning
# rate, and the last checkpoint saved before that must still load. A save
# that would write NaN weights (they can turn NaN one step before the loss
# does) must be refused, keeping the good model.bin.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 7
cd "$tmp" || exit 1
note() { bad "$@"; }
printf 'emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nabigail\n' >ok.txt
ARGS=(-i ok.txt --max-steps 5000 --n-hidden 16 --samples 0 -t 1 --print-every 100000000)

# ckpt_step DIR: the step of DIR/model.bin, empty if it does not load
ckpt_step() { "$M" eval -o "$1" --json -t 1 2>/dev/null | sed -n 's/.*"step": *\([0-9]*\).*/\1/p'; }

# A slower divergence (|1 - 3 * 1| = 2 a step) saving every 10 steps: the run
# stops at a NaN loss, or at a save refused for NaN weights, whichever comes
# first; either way the message names the step and the learning rate, and
# the last good checkpoint, saved before it, loads.
"$M" train -o a "${ARGS[@]}" --learning-rate 3 --weight-decay 1 --save-every 10 >/dev/null 2>a.err
rc=$?
msg=$(tail -n 1 a.err)
bad=$(echo "$msg" | sed -n 's/.*\(loss became NaN at\|loss became infinite at\|NaN or infinite by\) step \([0-9]*\).*/\2/p')
kept=$(echo "$msg" | sed -n 's/.*last good checkpoint, of step \([0-9]*\), is kept in a\/model\.bin.*/\1/p')
[ "$rc" -eq 1 ] && ok "a diverging run exits with status 1" || note "exit status $rc, expected 1: $msg"
if [ -n "$bad" ] && echo "$msg" | grep -q -- "try a smaller --learning-rate"; then
    ok "the message names the step and the cause: $msg"
else
    note "the message lacks the step or the cause: $msg"
fi
saved=$(ckpt_step a)
[ -n "$kept" ] && [ "$saved" = "$kept" ] && [ "$kept" -lt "$bad" ] &&
    ok "model.bin of step $saved, before the trouble at step $bad, still loads" ||
    note "model.bin holds step '$saved'; the message said '$kept', the trouble came at '$bad'"
"$M" sample -o a -n 2 >/dev/null 2>&1 && ok "the kept checkpoint samples" || note "the kept checkpoint does not sample"

# NaN weights at a save: saving every step, the first step whose update
# overflows the weights must not reach model.bin. Whether the save guard sees
# the NaN weights first or the next loss does depends on the kernels'
# rounding; either way model.bin must hold the step before, and load.
"$M" train -o b "${ARGS[@]}" --learning-rate 10 --weight-decay 1 --save-every 1 >/dev/null 2>b.err
rc=$?
msg=$(tail -n 1 b.err)
bad=$(echo "$msg" | sed -n 's/.*\(not saved: the parameters became NaN or infinite by\|loss became NaN at\|loss became infinite at\) step \([0-9]*\).*/\2/p')
saved=$(ckpt_step b)
[ "$rc" -eq 1 ] && [ -n "$bad" ] && ok "divergence caught at step $bad, exit 1: $msg" ||
    note "exit status $rc, expected 1 naming the step: $msg"
[ -n "$bad" ] && [ "$saved" = $((bad - 1)) ] && ok "model.bin keeps step $saved, the last finite one" ||
    note "model.bin holds step '$saved' after trouble at step '$bad'"

# Diverging before the first save: no checkpoint, and the message says so.
"$M" train -o c "${ARGS[@]}" --learning-rate 1000 --weight-decay 1000 --save-every 1000 >/dev/null 2>c.err
rc=$?
msg=$(tail -n 1 c.err)
[ "$rc" -eq 1 ] && echo "$msg" | grep -q "No checkpoint was saved" && [ ! -e c/model.bin ] &&
    ok "diverging before the first save says no checkpoint was saved" ||
    note "exit status $rc, model.bin $( [ -e c/model.bin ] && echo exists || echo absent): $msg"
finish
