#!/usr/bin/env bash
# The options for Bengio et al. 2003's conventions and its Brown runs, on
# small word files made here: --vocab-from all (the words counted over the
# whole file: a word seen only in the test split is in the vocabulary),
# --stream (each split one running text: no end tokens, contexts crossing
# lines; a cyclic text becomes predictable across line ends), both kept in
# model.bin (version 6) and used again by eval; the mlp's --dropout (it
# changes training, the JSON says it; its arithmetic is test_mlp_dropout);
# --eval-dev-only (every evaluation of the run, log.csv's and the JSON's,
# carries the dev loss only). Refused
# with exit 2: --stream for a model of whole items, either option without
# --tokens word, a bad --vocab-from, and a --resume that changes them.
source "$(dirname "$0")/lib.sh"
plan 15

# 300 lines of 4 words from a vocabulary of 6; the test split alone (the
# last 50 lines) has the word "rare" 5 times
for i in $(seq 1 250); do echo "w$((i % 6)) w$(((i + 1) % 6)) w$(((i * 7) % 6)) w$(((i + 3) % 6))"; done >"$tmp/a.txt"
for i in $(seq 1 50); do echo "w$((i % 6)) $([ $((i % 10)) -eq 0 ] && echo rare || echo w1) w2 w3"; done >>"$tmp/a.txt"
W=(-i "$tmp/a.txt" --tokens word --min-count 2 --split ordered --split-sizes 800/200 --lr-find 0 -t 1 --samples 0)
K=(--model kn --block-size 2)
"$M" train "${W[@]}" "${K[@]}" -o "$tmp/train" --json >"$tmp/train.json" 2>"$tmp/err" &&
    "$M" train "${W[@]}" "${K[@]}" -o "$tmp/all" --vocab-from all --json >"$tmp/all.json" 2>>"$tmp/err" &&
    "$M" train "${W[@]}" "${K[@]}" -o "$tmp/stream" --stream --vocab-from all --json >"$tmp/stream.json" 2>>"$tmp/err"
rc=$?
check "kn trains with --vocab-from all and --stream (exit $rc$([ $rc -ne 0 ] && echo ": $(tail -n 1 "$tmp/err")"))" \
    test $rc -eq 0
"$M" eval -o "$tmp/stream" --split test --json >"$tmp/stream.eval" 2>>"$tmp/err"
"$M" eval -o "$tmp/all" --split test --json >"$tmp/all.eval" 2>>"$tmp/err"
py "vocab and stream" "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def check(c, what): print(("ok - " if c else "not ok - ") + what)
def load(n): return json.loads(open(f"{d}/{n}").read(), parse_constant=lambda c: 1 / 0)
lines = [l.split() for l in open(f"{d}/a.txt").read().split("\n") if l.split()]
# the ordered split by tokens: 800 train, 200 dev (4 words a line)
train, dev, test = lines[:200], lines[200:250], lines[250:]
count = lambda ls: __import__("collections").Counter(w for l in ls for w in l)
vt = sum(1 for c in count(train).values() if c >= 2) + 2
va = sum(1 for c in count(lines).values() if c >= 2) + 2
t, a, s = load("train.json"), load("all.json"), load("stream.json")
check(t["vocab_size"] == vt and a["vocab_size"] == va == vt + 1 and a["vocab_from"] == "all" and t["vocab_from"] == "train",
      f"--vocab-from all counts the whole file: V {a['vocab_size']} (want {va}, 'rare' in), train's {t['vocab_size']} (want {vt})")
words = sum(len(l) for l in train)
check(s["stream"] == 1 and t["stream"] == 0 and s["ntrain"] == words and t["ntrain"] == words + len(train),
      f"--stream: {s['ntrain']} training examples, one a word ({words}); without: {t['ntrain']} (words + ends)")
se, ae = load("stream.eval"), load("all.eval")
nt = sum(len(l) for l in test)
check(se["ntest_tokens"] == nt and ae["ntest_tokens"] == nt + len(test),
      f"eval keeps the run's conventions: {se['ntest_tokens']} test tokens streamed (want {nt}), {ae['ntest_tokens']} with ends")
PY
version() { od -A n -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
check "model.bin is version 6 with data flags 3 for --stream --vocab-from all ($(version "$tmp/stream/model.bin" 8), $(version "$tmp/stream/model.bin" 252)), 5 without ($(version "$tmp/train/model.bin" 8))" \
    bash -c "[ '$(version "$tmp/stream/model.bin" 8)' = 6 ] && [ '$(version "$tmp/stream/model.bin" 252)' = 3 ] && [ '$(version "$tmp/train/model.bin" 8)' = 5 ]"

# a cycle of 3 words, 2 a line: within a line and across its end each word
# has one successor, so only a running text (no end tokens) is predictable
for i in $(seq 0 599); do echo "c$(((2 * i) % 3)) c$(((2 * i + 1) % 3))"; done >"$tmp/cycle.txt"
C=(-i "$tmp/cycle.txt" --tokens word --split ordered --split-sizes 0.8/0.1 --lr-find 0 -t 1 --samples 0 --model kn --block-size 1)
"$M" train "${C[@]}" -o "$tmp/cs" --stream --json >"$tmp/cs.json" 2>"$tmp/err" &&
    "$M" train "${C[@]}" -o "$tmp/cl" --json >"$tmp/cl.json" 2>>"$tmp/err"
rc=$?
py "cycle" "$tmp" "$rc" <<'PY'
import json, math, sys
d = sys.argv[1]
if sys.argv[2] != "0":
    print("not ok - kn bigram on a cycle: train exited " + sys.argv[2]); sys.exit(0)
s, l = (json.load(open(f"{d}/{n}.json")) for n in ("cs", "cl"))
print(("ok" if s["dev_ppl"] < 1.2 and l["dev_ppl"] > 1.5 else "not ok") +
      f" - a cycle across line ends: the streamed bigram's dev perplexity {s['dev_ppl']:.3f} (< 1.2), by lines {l['dev_ppl']:.3f} (> 1.5)")
PY

# the mlp's dropout, and dev-only evaluations
D=("${W[@]}" --model mlp --block-size 2 --n-embd 8 --n-hidden 16 --optimizer adamw --learning-rate 0.01
   --batch-size 32 --max-steps 60 --eval-every 20)
"$M" train "${D[@]}" -o "$tmp/d" --dropout 0.3 --direct --eval-dev-only --json >"$tmp/d.json" 2>"$tmp/err" &&
    "$M" train "${D[@]}" -o "$tmp/n" --direct --json >"$tmp/n.json" 2>>"$tmp/err" &&
    "$M" train "${D[@]}" -o "$tmp/p" --dropout 0.3 --json >/dev/null 2>>"$tmp/err"
rc=$?
py "dropout" "$tmp" "$rc" <<'PY'
import csv, json, sys
d = sys.argv[1]
if sys.argv[2] != "0":
    for _ in range(3): print("not ok - mlp --dropout / --eval-dev-only: train exited " + sys.argv[2])
    sys.exit(0)
j = json.load(open(f"{d}/d.json"))
rows = lambda n: list(csv.DictReader(open(f"{d}/{n}/log.csv")))
drop, none = rows("d"), rows("n")
steps = lambda rs: [(r["step"], r["loss"]) for r in rs if r["loss"]]
print(("ok" if j["dropout"] == 0.3 and steps(drop) != steps(none) else "not ok") +
      f" - mlp --dropout 0.3 --direct: the JSON says {j['dropout']}, and the step losses differ from the run without")
evals = [r for r in drop if not r["loss"]]
after = {r["step"] for r in evals} - {"0"}
good = after == {"20", "40", "60"} and all(r["dev_loss"] and not r["train_loss"] for r in evals)
print(("ok" if good and j["train_loss"] is None and j["dev_loss"] is not None else "not ok") +
      f" - --eval-dev-only: evaluations at steps {sorted(after)} (want 20, 40, 60) and 0, each a dev loss without a "
      f"train loss; the JSON's train_loss {j['train_loss']}")
p = rows("p")
print(("ok" if p and all(r["loss"] or r["dev_loss"] for r in p) else "not ok") +
      " - mlp --dropout 0.3 without direct connections trains (through the shared output layer)")
PY

expect_error "--stream for a model of whole items" "--stream: --model gru reads whole items" \
    "$M" train "${W[@]}" --model gru --stream -o "$tmp/x"
expect_error "--stream with character tokens" "--stream: only with --tokens word" \
    "$M" train -i "$tmp/a.txt" --stream --max-steps 1 -o "$tmp/x"
expect_error "--vocab-from with character tokens" "--vocab-from: only with --tokens word" \
    "$M" train -i "$tmp/a.txt" --vocab-from all --max-steps 1 -o "$tmp/x"
expect_error "--vocab-from other" "--vocab-from 'other': expected train or all" \
    "$M" train "${W[@]}" --vocab-from other -o "$tmp/x"
sum=$(cksum <"$tmp/d/model.bin")
expect_error "--resume with --stream on a run without" "--stream/--vocab-from disagree with the checkpoint" \
    "$M" train -o "$tmp/d" --resume --max-steps 80 --stream
check "and model.bin is untouched" test "$sum" = "$(cksum <"$tmp/d/model.bin")"
finish
