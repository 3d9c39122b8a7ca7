#!/usr/bin/env bash
# The model interface moved the lecture's MLP, bnmlp and wavenet onto one
# table of functions without changing a bit: the lecture's run, --model
# bnmlp, --model wavenet and the WaveNets of the former --preset best and
# small (a few hundred to a few thousand steps each, one thread) must give the final losses, every step's
# minibatch loss and every parameter bit for bit as the pre-refactor binary
# did (tests/fixtures/bitexact.txt names its commit, and the one numeric
# change since, applied to it for the fixture). Float results depend
# on the build (FMA or not) and the compiler, so a build the fixture has no
# line for is skipped, not failed.
source "$(dirname "$0")/lib.sh"
FIX=tests/fixtures/bitexact.txt
NAMES=${NAMES_TXT:-}
if [ -z "$NAMES" ]; then skip_all "bit-exact runs: NAMES_TXT is not set"; fi
case $(basename "$M") in *portable*) flavor=portable ;; *) flavor=native ;; esac
want_cc=$(sed -n 's/.* by gcc \([0-9.]*\) .*/\1/p' "$FIX" | head -1)
have_cc=$(${CC:-gcc} -dumpfullversion 2>/dev/null)
if [ "$(uname -m)" != x86_64 ] || [ "$have_cc" != "$want_cc" ]; then
    skip_all "bit-exact runs: the fixture is of gcc $want_cc on x86-64, this is gcc ${have_cc:-?} on $(uname -m)"
fi
if [ $flavor = native ] && ! { grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; }; then
    skip_all "bit-exact runs: the native fixture is of a CPU with AVX2 and FMA"
fi
if [ -n "${MM_SANITIZER:-}" ]; then
    skip_all "bit-exact runs: under the sanitizers they take minutes (the default and portable builds run them)"
fi
plan 5
out=$(bash tests/tools/bitexact_runs.sh "$M" "$NAMES")
for name in lecture bnmlp wavenet best small; do
    want=$(awk -v f=$flavor -v n=$name '$1 == f && $2 == n { print $3, $4, $5, $6 }' "$FIX")
    have=$(awk -v n=$name '$1 == n { print $2, $3, $4, $5 }' <<<"$out")
    read -r wt wd wl wp <<<"$want"
    read -r ht hd hl hp <<<"$have"
    what="$flavor $name: train $ht dev $hd (pre-refactor $wt $wd)"
    if [ -n "$want" ] && [ "$have" = "$want" ]; then
        ok "$what, every step's loss and every parameter bit for bit"
    else
        diffs=""
        [ "$hl" = "$wl" ] || diffs="$diffs step losses differ;"
        [ "$hp" = "$wp" ] || diffs="$diffs parameters differ;"
        bad "$what:${diffs:- run failed}"
    fi
done
finish
