#!/usr/bin/env bash
# The n-gram model of src/models/ngram.h against tests/ref/kn.py, a plain
# Python version of interpolated modified Kneser-Ney written from the
# definitions: log p(y | h) for every y and every history of toy corpora,
# orders 1 to 6, to 1e-9. tests/tools/kn_probs (C) does the counting.
#   TEST_BIN_DIR  where kn_probs was built (build/tests; tools/ under it)
source "$(dirname "$0")/lib.sh"
TOOL=${TEST_BIN_DIR:-build/tests}/tools/kn_probs
case $TOOL in /*) ;; *) TOOL=$PWD/$TOOL ;; esac
plan 13
[ -x "$TOOL" ] || { bad "$TOOL is missing (make $TOOL)"; finish; }

# a skewed corpus (every count-of-count present) and a tiny one (some
# absent: the discounts' fallbacks)
"$PY" - "$tmp" <<'PY'
import random, sys
r = random.Random(7)
with open(sys.argv[1] + "/big.txt", "w") as f:
    for _ in range(120):
        n = r.randint(1, 9)
        f.write(" ".join(str(min(1 + int(r.expovariate(0.45)), 8)) for _ in range(n)) + "\n")
with open(sys.argv[1] + "/tiny.txt", "w") as f:
    f.write("1 2 3\n2 3\n1 1 4\n")
PY

compare() { # name order V file
    "$TOOL" "$2" "$3" kn "$4" >"$tmp/c.out" 2>"$tmp/c.err" || { bad "$1: kn_probs failed: $(cat "$tmp/c.err")"; return; }
    py "$1" "$1" "$2" "$3" "$4" "$tmp/c.out" "$TESTS_DIR" <<'PY'
import math, sys
name, order, V, corpus, out, tests = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
sys.path.insert(0, tests + "/ref")
from kn import KneserNey
items = [[int(t) for t in l.split()] for l in open(corpus) if l.strip()]
ref = KneserNey(items, order, V)
worst, rows, sums = 0.0, 0, 0.0
for line in open(out):
    h, lp = line.split(":")
    hist = [int(t) for t in h.split()]
    got = [float(t) for t in lp.split()]
    for y in range(V):
        worst = max(worst, abs(got[y] - ref.logprob(hist, y)))
    sums = max(sums, abs(sum(math.exp(g) for g in got) - 1))
    rows += 1
good = rows > V and worst < 1e-9 and sums < 1e-12
print(("ok" if good else "not ok") + f" - {name}: {rows} histories x {V} ids, largest |log p difference| {worst:.1e} (1e-9), sums off 1 by {sums:.1e}")
PY
}

for n in 1 2 3 4 5 6; do compare "order $n, skewed corpus" $n 9 "$tmp/big.txt"; done
for n in 1 2 3 4 5 6; do compare "order $n, tiny corpus" $n 6 "$tmp/tiny.txt"; done

# the reference is not trivially agreeing: a changed discount shows
py "the reference notices a wrong discount" "$tmp/big.txt" "$TESTS_DIR" <<'PY'
import sys
sys.path.insert(0, sys.argv[2] + "/ref")
from kn import KneserNey
items = [[int(t) for t in l.split()] for l in open(sys.argv[1]) if l.strip()]
a = KneserNey(items, 3, 9)
p = a.logprob([1, 2], 3)
a.D[2][1] += 1e-6
q = a.logprob([1, 2], 3)
print(("ok" if abs(p - q) > 1e-9 else "not ok") + f" - a discount moved by 1e-6 moves log p by {abs(p - q):.1e}, above the 1e-9 tolerance")
PY
finish
