#!/usr/bin/env bash
# Every --json output parses with a strict parser (Python's json.loads with
# NaN and Infinity refused), on hostile data: items with quotes,
# backslashes, tabs and control characters, non-ASCII (two-, three- and
# four-byte UTF-8), an input path with a quote, a backslash, a tab and a byte
# that is not UTF-8 (and probs with a hostile prefix), and a 3-line file whose dev split is empty (its losses
# must be null, not nan). Each command's values are checked too.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 12
cd "$tmp" || exit 1

# 600 items over a hostile alphabet; the path itself is hostile
name=$(printf 'we"ird\\pa\tth\xff.txt')
awk 'BEGIN { srand(4); split("a|\"|\\|\t|\001|\037|é|€|😀|b|.", A, "|");
    for (i = 0; i < 600; i++) { n = 2 + int(rand() * 5); s = "";
        for (j = 0; j < n; j++) s = s A[1 + int(rand() * 11)]; print s } }' >"$name"
printf 'a"b\nc\\d\ne\tf\n' >three.txt

# strict FILE WHAT PYTHON-CONDITION: FILE parses strictly and the condition
# on d (the object) holds
strict() {
    py "$2" "$1" "$2" "$3" <<'PY'
import json, sys
path, what, cond = sys.argv[1:4]
def refuse(c): raise ValueError("non-standard constant " + c)
try:
    text = open(path, "rb").read().decode("utf-8")
    d = json.loads(text, parse_constant=refuse)
    ok = text.endswith("}\n") and text.count("\n") == 1 and eval("(" + cond + ")")
    print(("ok" if ok else "not ok") + f" - {what}: strict JSON" + ("" if ok else f", but not {cond}: {text[:300]!r}"))
except Exception as e:
    print(f"not ok - {what}: {type(e).__name__}: {e}: {open(path, 'rb').read()[:300]!r}")
PY
}

T=(--n-hidden 16 --max-steps 200 -t 1 --lr-find 0)
"$M" train -i "$name" -o run "${T[@]}" --mix-ngram 2 --json >train.json 2>train.err
rc=$?
check "train on hostile data (exit $rc)" test "$rc" -eq 0
strict train.json "train --json, hostile items and path" \
    "len(d['samples']) == 20 and d['vocab_size'] == 12 and d['input'].startswith('we\"ird\\\\pa\\tth') and
     d['input'].endswith('\\ufffd.txt') and d['dev_loss'] > 0 and 0 <= d['mix_weight'] <= 1 and
     any(set(s['text']) & set('\"\\\\\\t\\x01\\x1fé€😀') for s in d['samples']) and
     all(s['split'] in ('train', 'dev', 'test', 'new') for s in d['samples'])"
"$M" eval -o run --json --mix-ngram 2 >eval.json 2>/dev/null
strict eval.json "eval --json --mix-ngram 2" \
    "d['step'] == 200 and d['ntrain'] > 0 and 'test_loss' not in d and d['mix_dev_loss'] > 0"
"$M" eval -o run --json --split test >evaltest.json 2>/dev/null
strict evaltest.json "eval --json --split test" "set(d) == {'step', 'test_loss', 'ntest', 'test_ppl', 'ntest_tokens'} and abs(d['test_ppl'] - __import__('math').exp(d['test_loss'])) < 1e-3 * d['test_ppl']"
"$M" sample -o run --json -n 300 --seed 5 >sample.json 2>/dev/null
strict sample.json "sample --json" \
    "len(d['samples']) == 300 and set(''.join(s['text'] for s in d['samples'])) <= set('a\"\\\\\\t\\x01\\x1fé€😀b.')"
"$M" sample -o run -n 300 --seed 5 >sample.txt 2>/dev/null
py "sample --json equals the lines" sample.json sample.txt <<'PY'
import json, sys
j = [(s["text"], s["split"]) for s in json.load(open(sys.argv[1], encoding="utf-8"))["samples"]]
# ITEM<tab>MARK: an item may hold a tab itself, the mark never does
lines = [tuple(l.rsplit("\t", 1)) for l in open(sys.argv[2], encoding="utf-8", newline="\n").read().split("\n")[:-1]]
print(("ok" if j == lines else "not ok") + f" - sample --json holds the items sample prints ({len(j)}, {len(lines)})")
PY
"$M" probs -o run --prefix 'a"\' --json >probs.json 2>/dev/null
strict probs.json "probs --json, a hostile prefix" \
    "d['prefix'] == 'a\"\\\\' and len(d['probs']) == 12 and abs(sum(e['prob'] for e in d['probs']) - 1) < 1e-4 and
     {e['char'] for e in d['probs']} >= {'\"', '\\\\', '\\t', '\\x01', '😀'}"

# 3 items: 2 train, 0 dev, 1 test. An empty split's loss is null.
"$M" train -i three.txt -o three "${T[@]}" --json -n 3 >three.json 2>three.err
rc=$?
check "train on a 3-line file (exit $rc)" test "$rc" -eq 0
strict three.json "train --json, empty dev split" \
    "d['ndev'] == 0 and d['dev_loss'] is None and d['init_dev_loss'] is None and d['train_loss'] > 0"
"$M" eval -o three --json >three_eval.json 2>/dev/null
strict three_eval.json "eval --json, empty dev split" "d['ndev'] == 0 and d['dev_loss'] is None and d['train_loss'] > 0"
expect_error "eval --json --mix-ngram, empty dev split" "--mix-ngram needs a non-empty dev split" \
    "$M" eval -o three --json --mix-ngram 2
"$M" train -i three.txt -o three0 "${T[@]}" --json --max-steps 0 -n 0 >three0.json 2>/dev/null
strict three0.json "train --json --max-steps 0 -n 0" "d['steps'] == 0 and 'samples' not in d"
finish
