#!/usr/bin/env bash
# The Kneser-Ney n-gram as a model kind (--model kn) and the mixture of any
# kind with an n-gram: kn is counted, saved, evaluated, sampled and exported
# like other kinds; its losses equal the mixture's n-gram alone; a mixture
# at weight 1 is the model alone and at 0 the n-gram alone, for a context
# kind and a sequence kind; a weight fitted on dev is no worse there; and
# bad flags are one-line errors. Then the same on word tokens: --preset
# paper-kn5 and paper-mlp2, and a vocabulary of over 4,096 words (the
# mixture's batched path).
#   MAKEMORE  the binary
source "$(dirname "$0")/lib.sh"
plan 20
awk 'BEGIN { srand(5); for (i = 0; i < 1200; i++) { n = 2 + int(rand() * 6); s = "";
    for (j = 0; j < n; j++) s = s substr("aeioubdklmnrst", 1 + int(rand() * rand() * 14), 1); print s } }' >"$tmp/w.txt"
cd "$tmp" || exit 1

if "$M" train -i w.txt -o kn --model kn --block-size 2 -t 1 --json -n 5 >kn.json 2>kn.err; then
    ok "train --model kn --block-size 2 (a trigram) counts and saves"
else
    bad "train --model kn: $(tail -n 2 kn.err)"
fi
"$M" eval -o kn --split test --json >kn_eval.json 2>/dev/null
"$M" sample -o kn -n 20 --seed 3 >kn.samples 2>/dev/null
check "sample draws 20 items from the kn model" test "$(wc -l <kn.samples)" -eq 20
"$M" export -o kn --safetensors kn.st >/dev/null 2>&1
"$M" train -i w.txt -o gru --model gru --n-embd 8 --n-hidden 16 --max-steps 150 -t 1 --lr-find 0 -n 0 >/dev/null 2>&1
"$M" train -i w.txt -o mlp --max-steps 300 --n-hidden 32 --block-size 2 -t 1 --lr-find 0 -n 0 >/dev/null 2>&1
for d in gru mlp; do
    for w in 0 1; do
        "$M" eval -o $d --split test --json --mix-ngram 3 --mix-smoothing kn --mix-weight $w >$d.$w.json 2>$d.$w.err ||
            bad "eval -o $d --mix-weight $w: $(cat $d.$w.err)"
    done
    "$M" eval -o $d --json --mix-ngram 3 --mix-smoothing kn >$d.fit.json 2>/dev/null
done
py "the kn model and the mixtures" <<'PY'
import json, math, struct
kn = json.load(open("kn.json")); ev = json.load(open("kn_eval.json"))
def res(c, m): print(("ok" if c else "not ok") + " - " + m)
res(kn["steps"] == 0 and kn["model"] == "kn" and kn["n_hidden"] > 0,
    f"kn takes no steps and records its {kn['n_hidden']} trigrams")
b = open("kn.st", "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])
res(h["table"]["shape"] == [kn["n_hidden"], 5], f"export writes the table of trigrams and counts: {h['table']['shape']}")
rows = struct.unpack("<%df" % (kn["n_hidden"] * 5), b[8 + n:8 + n + kn["n_hidden"] * 20])
total = sum(rows[i * 5 + 3] + rows[i * 5 + 4] * 2 ** 24 for i in range(kn["n_hidden"]))
res(total == kn["ntrain"], f"the table's counts add up to the {kn['ntrain']} training examples ({total:.0f})")
for d in ("gru", "mlp"):
    w0, w1, fit = (json.load(open(f"{d}.{s}.json")) for s in ("0", "1", "fit"))
    res(abs(w0["ngram_test_loss"] - ev["test_loss"]) < 2e-6 and abs(w0["mix_test_loss"] - ev["test_loss"]) < 2e-6,
        f"{d}: the mixture at weight 0 is the kn trigram alone: {w0['mix_test_loss']} = {ev['test_loss']}")
    res(abs(w1["mix_test_loss"] - w1["test_loss"]) < 2e-5 and w1["mix_weight_fitted"] == 0,
        f"{d}: at a fixed weight 1 it is the model alone: {w1['mix_test_loss']} = {w1['test_loss']}")
    best = min(fit["dev_loss"], fit["ngram_dev_loss"])
    res(fit["mix_weight_fitted"] == 1 and fit["mix_dev_loss"] <= best + 1e-6 and
        abs(math.exp(fit["mix_dev_loss"]) - fit["mix_dev_perplexity"]) < 1e-3 * fit["mix_dev_perplexity"],
        f"{d}: the weight fitted on dev ({fit['mix_weight']}) is no worse there ({fit['mix_dev_loss']} <= {best}), perplexity exp(loss)")
PY
# word tokens: 6,000 distinct words, every one seen, so V > 4096
"$PY" - <<'PY'
import random
r = random.Random(11)
words = ["w%d" % i for i in range(6000)]
with open("words.txt", "w") as f:
    for i in range(2500):
        f.write(" ".join(words[(i * 7 + j * r.randint(1, 3)) % 6000] if r.random() < 0.7 else r.choice(words[:50])
                         for j in range(r.randint(2, 10))) + "\n")
PY
W=(-i words.txt --split-sizes 0.8/0.1 -t 1 -n 0 --json)
"$M" train --preset paper-kn5 "${W[@]}" -o wkn --min-count 1 >wkn.json 2>wkn.err || bad "train --preset paper-kn5: $(tail -n 1 wkn.err)"
"$M" train --preset paper-mlp2 "${W[@]}" -o wmlp --min-count 1 --n-embd 4 --n-hidden 8 --epochs 0.2 >wmlp.json 2>wmlp.err ||
    bad "train --preset paper-mlp2: $(tail -n 1 wmlp.err)"
"$M" eval -o wkn --split test --json >wkn_eval.json 2>/dev/null
"$M" eval -o wmlp --split test --json --mix-ngram 5 --mix-smoothing kn --mix-weight 0 >wmlp.0.json 2>/dev/null
"$M" eval -o wmlp --split test --json --mix-ngram 5 --mix-smoothing kn --mix-weight 1 >wmlp.1.json 2>/dev/null
py "word tokens" <<'PY'
import json
def res(c, m): print(("ok" if c else "not ok") + " - " + m)
kn, ev, mlp = json.load(open("wkn.json")), json.load(open("wkn_eval.json")), json.load(open("wmlp.json"))
w0, w1 = json.load(open("wmlp.0.json")), json.load(open("wmlp.1.json"))
res(kn["model"] == "kn" and kn["block_size"] == 4 and kn["split"] == "ordered" and kn["vocab_size"] > 4096,
    f"--preset paper-kn5: a Kneser-Ney 5-gram on the ordered split over {kn['vocab_size']} words")
res(mlp["n_embd"] == 4 and mlp["block_size"] == 4 and mlp["mix_weight"] == 0.5 and mlp["mix_weight_fitted"] == 0,
    "--preset paper-mlp2: block 4, the user's sizes over the preset's, mixed at the fixed weight 0.5")
# the kn model's logits are floats, log p rounded over thousands of words: 2e-5
res(abs(w0["ngram_test_loss"] - ev["test_loss"]) < 2e-5,
    f"the mixture's 5-gram is the kn model over words: {w0['ngram_test_loss']} = {ev['test_loss']} (2e-5)")
res(abs(w1["mix_test_loss"] - w1["test_loss"]) < 2e-5,
    f"words: the mixture at weight 1 is the model alone (batched probabilities): {w1['mix_test_loss']} = {w1['test_loss']}")
PY
expect_error "kn with --epochs" "counted from the training split" "$M" train --preset paper-kn5 "${W[@]}" -o k3 --epochs 1
expect_error "kn with --max-steps" "counted from the training split" "$M" train -i w.txt -o k2 --model kn --max-steps 10
expect_error "kn of order 7" "at most 6" "$M" train -i w.txt -o k2 --model kn --block-size 6
expect_error "--mix-weight without --mix-ngram" "need --mix-ngram" "$M" eval -o mlp --mix-weight 0.5
expect_error "--mix-smoothing foo" "--mix-smoothing 'foo'" "$M" eval -o mlp --mix-ngram 2 --mix-smoothing foo
finish
