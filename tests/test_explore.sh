#!/usr/bin/env bash
# lr-find, sweep and the n-gram mixture from the command line: the files
# they write, the suggestion's rule, that a sweep resumes and that its best
# command trains the same model again, that eval reproduces train's mixture,
# and one-line errors (exit 2) for bad flags.
#   MAKEMORE  the binary
source "$(dirname "$0")/lib.sh"
plan 20
awk 'BEGIN { srand(9); for (i = 0; i < 1500; i++) { n = 3 + int(rand() * 5); s = "";
    for (j = 0; j < n; j++) s = s substr("aeioubdklmnrst", 1 + int(rand() * 14), 1); print s } }' >"$tmp/w.txt"

# lr-find
if "$MM" lr-find -i "$tmp/w.txt" -o "$tmp/lf" --count 120 --lr-min-exp -2 --lr-max-exp 0.5 --n-hidden 32 -t 1 >"$tmp/lf.out" 2>"$tmp/lf.err"; then
    py "lr-find's files" "$tmp/lf" "$tmp/lf.out" <<'PY'
import csv, re, sys, xml.etree.ElementTree as ET
d, out = sys.argv[1], open(sys.argv[2]).read()
rows = list(csv.DictReader(open(d + "/lr_find.csv")))
e = [float(r["lr_exp"]) for r in rows]
loss = [float(r["loss"]) for r in rows]
ok = len(rows) == 120 and e[0] == -2 and e[-1] == 0.5
print(("ok" if ok else "not ok") + f" - lr_find.csv: 120 rows from 10^-2 to 10^0.5 ({len(rows)}, {e[0]}, {e[-1]})")
# the rule, recomputed here: centred moving mean over count/20 = 6 steps (3 each side)
sm = [sum(loss[max(0, i - 3):i + 4]) / len(loss[max(0, i - 3):i + 4]) for i in range(len(loss))]
want = 10 ** e[sm.index(min(sm))]
m = re.search(r"suggested learning rate: ([0-9.e+-]+)", out)
got = float(m.group(1)) if m else float("nan")
print(("ok" if abs(got / want - 1) < 1e-2 else "not ok") + f" - suggested lr {got} is where the smoothed loss is lowest ({want:.3g})")
print(("ok" if "rule:" in out else "not ok") + " - the rule is printed with the suggestion")
try:
    root = ET.parse(d + "/lr_find.svg").getroot()
    print(("ok" if root.tag == "{http://www.w3.org/2000/svg}svg" else "not ok") + " - lr_find.svg parses as SVG")
except ET.ParseError as err:
    print("not ok - lr_find.svg is not XML:", err)
PY
else
    bad "lr-find failed: $(tail -n 1 "$tmp/lf.err")"
fi
expect_error "lr-find --count 1" "--count" "$MM" lr-find -i "$tmp/w.txt" -o "$tmp/lf" --count 1
expect_error "lr-find with an empty range" "--lr-min-exp" "$MM" lr-find -i "$tmp/w.txt" -o "$tmp/lf" --lr-min-exp 0 --lr-max-exp -1
expect_error "lr-find on a missing file" "nope.txt" "$MM" lr-find -i "$tmp/nope.txt" -o "$tmp/lf"

# sweep: 3 trials, then resumed to 4
SW=(-i "$tmp/w.txt" -o "$tmp/sw" --max-steps 300 --hidden-max 64 --embd-max 8 --block-max 4 --batch-max 64 --seed 3)
"$MM" sweep "${SW[@]}" --trials 3 >/dev/null 2>"$tmp/sw1.err"
rc=$?
check "sweep runs 3 trials $(tail -n 1 "$tmp/sw1.err")" test "$rc" -eq 0
cp "$tmp/sw/sweep.csv" "$tmp/sw3.csv"
"$MM" sweep "${SW[@]}" --trials 4 >/dev/null 2>"$tmp/sw2.err"
rc=$?
check "the sweep resumes to 4 trials $(tail -n 1 "$tmp/sw2.err")" test "$rc" -eq 0
grep -q "1 trials to run, 3 already in" "$tmp/sw2.err" && ok "the resumed sweep runs only the missing trial" ||
    bad "resume did not skip finished trials: $(head -n 1 "$tmp/sw2.err")"
py "sweep's files" "$tmp/sw" "$tmp/sw3.csv" <<'PY'
import csv, math, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/sweep.csv")))
old = list(csv.DictReader(open(sys.argv[2])))
print(("ok" if sorted(int(r["trial"]) for r in rows) == [0, 1, 2, 3] else "not ok") + " - sweep.csv holds trials 0..3")
print(("ok" if rows[:3] == old else "not ok") + " - the first three rows are kept as they were")
devs = [float(l.split("|")[2]) for l in open(d + "/sweep.md") if l.startswith("| ") and l.split("|")[1].strip().isdigit()]
print(("ok" if len(devs) == 4 and devs == sorted(devs) else "not ok") + f" - sweep.md is sorted by dev loss {devs}")
best = min(rows, key=lambda r: float(r["dev_loss"]))
open(d + "/best_dev", "w").write(best["dev_loss"])
PY
cmd=$(grep -A1 '^```' "$tmp/sw/sweep.md" | sed -n 2p)
if [ -n "$cmd" ]; then
    # shellcheck disable=SC2086
    dev=$("$MM" ${cmd#makemore } -o "$tmp/best" --lr-find 0 -n 0 --json -t 1 2>/dev/null | sed -n 's/.*"dev_loss": *\([0-9.]*\).*/\1/p')
    python3 -c "import sys; sys.exit(0 if abs($dev - $(cat "$tmp/sw/best_dev")) < 1e-5 else 1)" 2>/dev/null &&
        ok "the best trial's command trains the same model again (dev $dev)" ||
        bad "the best trial's command gives dev '$dev', the sweep $(cat "$tmp/sw/best_dev")"
else
    bad "sweep.md gives no command"
fi
expect_error "sweep --schedules bad" "--schedules" "$MM" sweep -i "$tmp/w.txt" -o "$tmp/sw" --schedules cosine
expect_error "sweep with min above max" "--hidden-min" "$MM" sweep -i "$tmp/w.txt" -o "$tmp/sw" --hidden-min 300 --hidden-max 100
expect_error "sweep --max-params too small" "--max-params" "$MM" sweep -i "$tmp/w.txt" -o "$tmp/sw" --max-params 10

# the n-gram mixture: train prints it, eval recounts and gets the same
"$MM" train -i "$tmp/w.txt" -o "$tmp/mix" --max-steps 300 --n-hidden 32 --mix-ngram 3 --lr-find 0 -n 0 -t 1 >"$tmp/mix.out" 2>/dev/null
"$MM" eval -o "$tmp/mix" --mix-ngram 3 -t 1 >"$tmp/eval.out" 2>/dev/null
t=$(grep '^mixed' "$tmp/mix.out"); e=$(grep '^mixed' "$tmp/eval.out")
[ -n "$t" ] && [ "$t" = "$e" ] && ok "eval --mix-ngram reproduces train's mixture: $t" || bad "train said '$t', eval '$e'"
py "the mixture's numbers" "$tmp/mix.out" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
mlp = float(re.search(r"step 300  train loss [0-9.]+  dev loss ([0-9.]+)", out).group(1))
ng = float(re.search(r"3-gram alone:  train loss [0-9.]+  dev loss ([0-9.]+)", out).group(1))
mix = float(re.search(r"^mixed .*dev loss ([0-9.]+)", out, re.M).group(1))
print(("ok" if mix <= min(mlp, ng) + 1e-4 else "not ok") + f" - the mixture fitted on dev is no worse there: {mix} vs MLP {mlp}, 3-gram {ng}")
PY
expect_error "train --mix-ngram 9" "--mix-ngram" "$MM" train -i "$tmp/w.txt" -o "$tmp/mix" --mix-ngram 9
finish
