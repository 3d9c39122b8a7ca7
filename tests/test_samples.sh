#!/usr/bin/env bash
# Labelled samples and next-character probabilities on the command line:
# sample's marks (train/dev/test/new) checked against the split recomputed
# in Python (random.seed(42), shuffle, 80/10/10), the summary against the
# marks, --json against the text, --prefix, and makemore probs for every
# kind (sorted, summing to 1, the same in text and --json).
source "$(dirname "$0")/lib.sh"
plan 9

# few distinct names, many times over, so samples are often copies
awk 'BEGIN { srand(3); split("ann bo cara dima eli jo kai lia mo nora ola pia", w, " ");
    for (i = 0; i < 900; i++) { s = w[1 + int(rand() * 12)]; if (rand() < 0.3) s = s substr("aeiklmnrs", 1 + int(rand() * 9), 1); print s } }' > "$tmp/d.txt"
T=(-i "$tmp/d.txt" --max-steps 400 --batch-size 16 --samples 0 --lr-find 0 -t 1)
"$MM" train "${T[@]}" -o "$tmp/mlp" --n-hidden 32 >/dev/null 2>"$tmp/err" || { bad "train: $(tail -n 1 "$tmp/err")"; finish; }

"$MM" sample -o "$tmp/mlp" -n 200 --seed 5 >"$tmp/s.txt" 2>"$tmp/s.err"
"$MM" sample -o "$tmp/mlp" -n 200 --seed 5 --json >"$tmp/s.json" 2>/dev/null
py "sample marks" "$tmp/d.txt" "$tmp/s.txt" "$tmp/s.err" "$tmp/s.json" <<'PY'
import json, random, re, sys
words = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
random.seed(42); random.shuffle(words)
n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
where = {}
for split, part in (("train", words[:n1]), ("dev", words[n1:n2]), ("test", words[n2:])):
    for w in part: where.setdefault(w, split)
def check(c, what): print(("ok - " if c else "not ok - ") + what)
rows = [l.split("\t") for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
wrong = [r for r in rows if len(r) != 2 or r[1] != where.get(r[0], "new")]
counts = {s: sum(r[1] == s for r in rows) for s in ("train", "dev", "test", "new")}
check(len(rows) == 200 and not wrong and counts["train"] > 0 and counts["new"] > 0,
      f"sample marks each of 200 items as the split that holds it, or new ({counts}; wrong: {wrong[:3]})")
m = re.search(r"200 samples: (\d+) in train / (\d+) in dev / (\d+) in test / (\d+) new", open(sys.argv[3]).read())
check(m and [int(x) for x in m.groups()] == [counts[s] for s in ("train", "dev", "test", "new")],
      "the summary on stderr counts the marks")
try:
    d = json.loads(open(sys.argv[4], encoding="utf-8").read(), parse_constant=lambda c: 1 / 0)
    js = [(s["text"], s["split"]) for s in d["samples"]]
except Exception as e:  # a parse failure is this check's failure
    js = str(e)
check(js == [tuple(r) for r in rows] and list(d) == ["samples"], "sample --json: the same items and marks, strict JSON")
PY
"$MM" sample -o "$tmp/mlp" -n 30 --prefix no --seed 2 2>/dev/null >"$tmp/p.tsv"
rc=$?
cut -f1 "$tmp/p.tsv" >"$tmp/p.txt"
check "sample --prefix no: 30 items, all starting with 'no' (exit $rc)" bash -c "[ $rc -eq 0 ] && [ \$(grep -c '^no' '$tmp/p.txt') -eq 30 ]"
"$MM" sample -o "$tmp/mlp" --prefix 'n!' >/dev/null 2>"$tmp/e"
rc=$?
check "a prefix character outside the vocabulary: exit 2, one line ($(cat "$tmp/e"))" \
    bash -c "[ $rc -eq 2 ] && [ \$(wc -l < '$tmp/e') -eq 1 ] && grep -q \"'!' is not in the model's vocabulary\" '$tmp/e'"

"$MM" train "${T[@]}" -o "$tmp/bnmlp" --model bnmlp --n-hidden 32 >/dev/null 2>&1
"$MM" train "${T[@]}" -o "$tmp/wavenet" --model wavenet --block-size 4 --n-embd 6 --n-hidden 16 >/dev/null 2>&1
for kind in mlp bnmlp wavenet; do
    "$MM" probs -o "$tmp/$kind" --prefix jo >"$tmp/$kind.p" 2>"$tmp/err"
    "$MM" probs -o "$tmp/$kind" --prefix jo --json >"$tmp/$kind.pj" 2>>"$tmp/err"
    check "$kind: probs --prefix jo is sorted, sums to 1 and --json says the same" "$PY" -c "
import json, sys
t = [l.split(' ') for l in open('$tmp/$kind.p', encoding='utf-8').read().splitlines()]
p = [float(x[1]) for x in t]
d = json.load(open('$tmp/$kind.pj', encoding='utf-8'))
same = [(e['char'], round(e['prob'], 6)) for e in d['probs']] == [(x[0], float(x[1])) for x in t]
sys.exit(0 if len(t) == len(set(open('$tmp/d.txt').read()) - {chr(10)}) + 1 and p == sorted(p, reverse=True) and abs(sum(p) - 1) < 1e-4 and same and d['prefix'] == 'jo' else 1)"
done
"$MM" probs -o "$tmp/mlp" --prefix nora > "$tmp/end.p"
check "after a whole item ('nora') the end '.' is among the likeliest two" bash -c "head -2 '$tmp/end.p' | grep -q '^\. '"
finish
