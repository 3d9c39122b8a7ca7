#!/usr/bin/env bash
# Word tokens on the command line: train --tokens word on the King James
# Bible (Debian's bible-kjv) with --min-count and the ordered split, eval's
# perplexity, sample/probs/neighbors in words, --keep-best/--patience and
# --checkpoint best, --epochs, resume, every kind, the report's word
# labels, and bad input: an empty vocabulary, unknown prefix words, a 5 MB
# line.
source "$(dirname "$0")/lib.sh"
command -v bible >/dev/null || skip_all "bible (Debian's bible-kjv) is not installed"
plan 27

# the first 1,000 verses (about 25,000 words), without chapter headings and
# verse numbers: every check below is of a property (the vocabulary, the
# split, perplexity, best.bin, probs, resume...) that holds or fails the same
# on a smaller corpus, and each evaluation of the splits costs in proportion
# (the portable and sanitizer builds evaluate several times slower)
bible -l0 gen1:1-rev22:21 | sed -n 's/^ *[0-9][0-9]* //p' | head -n 1000 >"$tmp/kjv.txt"
W=(--tokens word --min-count 3 --split ordered --split-sizes 16000/4000 --lr-find 0 -t 1 --samples 0)
S=(--n-embd 16 --n-hidden 48 --init scaled --optimizer adamw --learning-rate 0.01 --batch-size 64)
"$M" train -i "$tmp/kjv.txt" -o "$tmp/a" "${W[@]}" "${S[@]}" --max-steps 1500 --eval-every 250 --keep-best \
    --json >"$tmp/a.json" 2>"$tmp/a.err" || { bad "train on words: $(tail -n 1 "$tmp/a.err")"; finish; }
"$M" eval -o "$tmp/a" --json >"$tmp/eval.json" 2>/dev/null
"$M" eval -o "$tmp/a" --split test --json >"$tmp/test.json" 2>/dev/null
"$M" eval -o "$tmp/a" --checkpoint best --json >"$tmp/best.json" 2>/dev/null
"$M" probs -o "$tmp/a" --prefix "And God" --json >"$tmp/probs.json" 2>/dev/null
"$M" probs -o "$tmp/a" --prefix "And God" --top 5 >"$tmp/top.txt" 2>/dev/null
"$M" sample -o "$tmp/a" -n 50 --seed 3 >"$tmp/s.txt" 2>"$tmp/s.err"
"$M" sample -o "$tmp/a" -n 10 --seed 4 --prefix "And the LORD" --json >"$tmp/sp.json" 2>/dev/null
"$M" neighbors -o "$tmp/a" --word God -k 8 --json >"$tmp/nb.json" 2>/dev/null
py "words" "$tmp" <<'PY'
import collections, json, math, sys
d = sys.argv[1]
def check(c, what): print(("ok - " if c else "not ok - ") + what)
def load(name): return json.loads(open(f"{d}/{name}").read(), parse_constant=lambda c: 1 / 0)
a, ev, te, best = load("a.json"), load("eval.json"), load("test.json"), load("best.json")
lines = [l.split() for l in open(f"{d}/kjv.txt", encoding="utf-8").read().split("\n") if l.split()]
# the ordered split: items in file order until 16,000 words came before, then 4,000
cut, n = [], 0
for i, l in enumerate(lines):
    if len(cut) == 0 and n >= 16000: cut.append(i); n = 0
    if len(cut) == 1 and n >= 4000: cut.append(i); break
    n += len(l)
train, dev, test = lines[:cut[0]], lines[cut[0]:cut[1]], lines[cut[1]:]
count = collections.Counter(w for l in train for w in l)
vocab = sorted((w for w, c in count.items() if c >= 3), key=lambda w: (-count[w], w.encode()))
check(a["vocab_size"] == len(vocab) + 2, f"vocabulary of the training split, --min-count 3: {a['vocab_size']} = {len(vocab)} words + </s> + <unk>")
tok = lambda part: sum(len(l) + 1 for l in part)
check((a["ntrain"], a["ndev"], a["ntest"]) == (tok(train), tok(dev), tok(test)),
      f"ordered 16000/4000: {len(train)}/{len(dev)}/{len(test)} items, {a['ntrain']}/{a['ndev']}/{a['ntest']} tokens with their ends")
check(abs(ev["dev_ppl"] - math.exp(ev["dev_loss"])) < 1e-4 * ev["dev_ppl"] and ev["ndev_tokens"] == tok(dev) and
      abs(te["test_ppl"] - math.exp(te["test_loss"])) < 1e-4 * te["test_ppl"] and 1 < te["test_ppl"] < a["vocab_size"],
      f"eval: perplexity exp(loss) per token, ends counted: dev {ev['dev_ppl']:.2f}, test {te['test_ppl']:.2f}")
check(a["best_step"] % 250 == 0 and abs(best["dev_loss"] - a["best_dev_loss"]) < 1e-6 and best["dev_loss"] <= ev["dev_loss"] + 1e-9,
      f"--keep-best: best.bin (step {a['best_step']}) has the best dev loss {best['dev_loss']:.4f} (final {ev['dev_loss']:.4f})")
p = load("probs.json")["probs"]
known = set(vocab) | {"</s>", "<unk>"}
check(len(p) == a["vocab_size"] and abs(sum(x["prob"] for x in p) - 1) < 1e-4 and {x["word"] for x in p} == known and
      all(p[i]["prob"] >= p[i + 1]["prob"] for i in range(len(p) - 1)),
      f"probs --prefix 'And God': every word once, summing to 1, likeliest first ({p[0]['word']} {p[0]['prob']:.3f})")
top = [l.split() for l in open(f"{d}/top.txt", encoding="utf-8").read().splitlines()]
check(len(top) == 5 and [t[0] for t in top] == [x["word"] for x in p[:5]], "probs --top 5: the five likeliest, as --json")
rows = [l.split("\t") for l in open(f"{d}/s.txt", encoding="utf-8").read().splitlines()]
words_ok = all(len(r) == 2 and r[0] == " ".join(r[0].split()) and set(r[0].split()) <= known - {"</s>"} for r in rows)
where = {}
for split, part in (("train", train), ("dev", dev), ("test", test)):
    for l in part: where.setdefault(" ".join(w if w in known else "<unk>" for w in l), split)
marks = all(r[1] == where.get(r[0], "new") for r in rows)
check(len(rows) == 50 and words_ok and marks, "sample: known words joined by one space, marked train/dev/test/new as the split has them")
sp = load("sp.json")["samples"]
check(len(sp) == 10 and all(s["text"].startswith("And the LORD") for s in sp), "sample --prefix takes words")
nb = load("nb.json")
cos = [x["cosine"] for x in nb["neighbors"]]
check(len(cos) == 8 and "God" not in [x["word"] for x in nb["neighbors"]] and cos == sorted(cos, reverse=True) and
      all(-1 <= c <= 1 for c in cos), "neighbors --word God -k 8: 8 other words, cosine descending")
PY
check "report.html labels the embedding with words" grep -q '>LORD<' "$tmp/a/report.html"

# the C API through the Python module
if [ -z "${MAKEMORE_LIB:-}" ]; then
    export MAKEMORE_LIB=$TESTS_DIR/../$(basename "$M" | sed 's/^makemore/build/')/libmakemore.so.1
fi
if [ -n "${MM_SANITIZER:-}" ]; then
    skip "the Python module: the sanitizer build makes no shared library"
else
PYTHONPATH=$TESTS_DIR/../python py "python" "$tmp" <<'PY'
import json, sys
import makemore
d = sys.argv[1]
m = makemore.load(f"{d}/a")
cli = {x["word"]: x["prob"] for x in json.load(open(f"{d}/probs.json"))["probs"]}
p = m.next_probs("And God")
items = m.sample(5, seed=1, prefix="And the LORD")
ev = json.load(open(f"{d}/eval.json"))
try:
    m.next_probs("And Zzyzx"); refused = ""
except makemore.MakemoreError as e:
    refused = str(e)
ok = (m.words and m.chars[:2] == ["</s>", "<unk>"] and set(p) == set(cli) and
      max(abs(p[w] - cli[w]) for w in p) < 1e-8 and all(s.startswith("And the LORD ") for s in items) and
      abs(m.eval("dev") - ev["dev_loss"]) < 1e-5 and "Zzyzx" in refused)
print(("ok - " if ok else "not ok - ") + f"the API in words: next_probs as probs --json, sample with a word prefix, eval, an unknown word refused ({refused})")
PY
fi

expect_error "a prefix of unknown words" "--prefix: the word 'Zzyzx' is not in the model's vocabulary" \
    "$M" probs -o "$tmp/a" --prefix "And Zzyzx"
expect_error "sample --prefix with an unknown word" "the word 'Qwerty'" "$M" sample -o "$tmp/a" --prefix "Qwerty God"
expect_error "neighbors of an unknown word" "the word 'Zzyzx'" "$M" neighbors -o "$tmp/a" --word Zzyzx
check "<unk> is a prefix word" bash -c "'$M' probs -o '$tmp/a' --prefix '<unk> of' --top 1 >/dev/null"

printf 'the cat\na dog\nthe end\n' >"$tmp/few.txt"
expect_error "an empty vocabulary after --min-count" "few.txt: no word occurs 5 times in the training split" \
    "$M" train -i "$tmp/few.txt" -o "$tmp/few" --tokens word --min-count 5 --max-steps 1
expect_error "--min-count without words" "--min-count: only with --tokens word" \
    "$M" train -i "$tmp/few.txt" -o "$tmp/few" --min-count 2 --max-steps 1
expect_error "bad --split-sizes" "--split-sizes" \
    "$M" train -i "$tmp/few.txt" -o "$tmp/few" --split ordered --split-sizes 0.9/0.5 --max-steps 1
expect_error "--keep-best needs evaluations" "--eval-every" \
    "$M" train -i "$tmp/few.txt" -o "$tmp/few" --keep-best --max-steps 1

# a 5 MB line: one item of a million words for words, over the limit for characters
awk 'BEGIN { for (i = 0; i < 1048576; i++) printf "%s ", (i % 3 ? "abcd" : "efgh"); print "" }' >"$tmp/big.txt"
"$M" train -i "$tmp/big.txt" -o "$tmp/big" --tokens word --split ordered --split-sizes 0.8/0.1 --max-steps 3 \
    --lr-find 0 --samples 0 -t 1 --n-hidden 8 --json >"$tmp/big.json" 2>"$tmp/big.err"
check "a 5 MB line trains as words: $(tail -n 1 "$tmp/big.err")" grep -q '"ntrain": 1048577' "$tmp/big.json"
expect_error "a 5 MB line as characters" "big.txt:1: line longer than 256 characters" \
    "$M" train -i "$tmp/big.txt" -o "$tmp/bigc" --max-steps 3

# --patience stops a run whose dev loss stops falling; --epochs sets the steps
"$M" train -i "$tmp/kjv.txt" -o "$tmp/p" "${W[@]}" "${S[@]}" --learning-rate 0.05 --max-steps 100000 \
    --eval-every 100 --patience 2 --json >"$tmp/p.json" 2>"$tmp/p.err"
py "patience" "$tmp/p.json" "$tmp/p.err" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
ok = a["stopped_early"] == 1 and a["steps"] < 100000 and a["steps"] == a["best_step"] + 200 and "--patience 2" in err
print(("ok - " if ok else "not ok - ") + f"--patience 2 stopped at step {a['steps']}, two evaluations after the best ({a['best_step']})")
PY
"$M" train -i "$tmp/kjv.txt" -o "$tmp/e" "${W[@]}" --epochs 0.25 -b 100 --n-hidden 8 --json >"$tmp/e.json" 2>/dev/null
py "epochs" "$tmp/e.json" <<'PY'
import json, math, sys
a = json.load(open(sys.argv[1]))
ok = a["steps"] == math.ceil(0.25 * a["ntrain"] / 100)
print(("ok - " if ok else "not ok - ") + f"--epochs 0.25 of {a['ntrain']} examples at batch 100: {a['steps']} steps")
PY

# export and import: the same model on the same words
"$M" export -o "$tmp/a" --safetensors "$tmp/a.st" >/dev/null 2>&1
"$M" import --safetensors "$tmp/a.st" --model mlp --n-embd 16 --n-hidden 48 -i "$tmp/kjv.txt" -o "$tmp/imp" \
    --tokens word --min-count 3 --split ordered --split-sizes 16000/4000 >/dev/null 2>"$tmp/imp.err"
losses() { "$M" eval -o "$1" --json 2>/dev/null | sed 's/"step": [0-9]*, //'; }
check "export then import --tokens word gives the same losses $(tail -n 1 "$tmp/imp.err")" \
    cmp -s <(losses "$tmp/a") <(losses "$tmp/imp")

# a resumed word run ends where a straight one does
R=(-i "$tmp/kjv.txt" "${W[@]}" --n-hidden 16 --save-every 0 --lr-decay-step 1000) # the decay step is the checkpoint's
"$M" train "${R[@]}" -o "$tmp/r1" --max-steps 60 >/dev/null 2>&1
"$M" train -o "$tmp/r1" --resume --max-steps 120 >/dev/null 2>&1
"$M" train "${R[@]}" -o "$tmp/r2" --max-steps 120 >/dev/null 2>&1
check "resume of a word run matches a straight run" cmp -s <("$M" eval -o "$tmp/r1" --json 2>/dev/null) \
    <("$M" eval -o "$tmp/r2" --json 2>/dev/null)
expect_error "--resume with another --min-count" "--min-count.*disagree with the checkpoint" \
    "$M" train -o "$tmp/r1" --resume --min-count 4

# every kind trains on words and samples them. The first 10 words of the
# first 300 verses are enough to ask that of each kind (a vocabulary of
# over a hundred words, all three splits); makemore.py's kinds take the
# longest item as their block, and on the whole corpus the evaluations of
# the splits at the start and end of each run took most of this test's time.
head -n 300 "$tmp/kjv.txt" | cut -d' ' -f1-10 >"$tmp/kjv300.txt"
K=(--tokens word --min-count 3 --split ordered --split-sizes 0.8/0.1 --lr-find 0 -t 1 --samples 0)
fails=""
for k in $("$M" train --model list 2>/dev/null | awk '{print $1}'); do
    [ "$k" = kn ] && continue # counted, not trained: tests/test_kn.sh trains it on words
    "$M" train -i "$tmp/kjv300.txt" -o "$tmp/k_$k" --model "$k" "${K[@]}" --max-steps 3 --batch-size 4 \
        >/dev/null 2>"$tmp/k.err" &&
        "$M" sample -o "$tmp/k_$k" -n 2 --max-len 20 >/dev/null 2>&1 || fails="$fails $k($(tail -n 1 "$tmp/k.err"))"
done
check "every kind trains on words and samples them${fails:+: failed:$fails}" test -z "$fails"
finish
