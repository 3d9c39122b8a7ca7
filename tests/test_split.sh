#!/usr/bin/env bash
# --split makemore from the command line: makemore.py's split (no dev split,
# the last min(1000, n/10) items test) is recorded in model.bin, so eval and
# --resume make the same split; an empty dev split prints as null in --json
# (which must parse strictly: no NaN) and as "-" in text; --split cannot
# change on --resume. The permutation itself is checked against torch in
# tests/parity_randperm.py.
source "$(dirname "$0")/lib.sh"
plan 12

# 400 items of 14 names: 40 test items, 360 train
for i in $(seq 1 400); do
    printf '%s\n' anna bob carla dmitri elena farouk gita hiro ines jomo kaia lars mira noor | sed -n "$(( i % 14 + 1 ))p"
done > "$tmp/small.txt"
T=(train -i "$tmp/small.txt" --threads 1 --samples 0 --lr-find 0 --batch-size 16)
strict_json() { /usr/bin/python3 -c "
import json,sys
def no_nan(x): raise ValueError('non-standard JSON number ' + x)
d=json.loads(open(sys.argv[1]).read(), parse_constant=no_nan)
sys.exit(0 if eval(sys.argv[2], {'d': d}) else 1)" "$@"; }

"$MM" "${T[@]}" -o "$tmp/a" --split makemore --max-steps 60 --json >"$tmp/a.json" 2>"$tmp/err"
check "train --split makemore runs" test $? -eq 0
# each name gives len + 1 targets; test items are the last 40 of the permutation
check "--json: no dev split (ndev 0, dev losses null), the split named, strict JSON" \
    strict_json "$tmp/a.json" "d['ndev'] == 0 and d['dev_loss'] is None and d['init_dev_loss'] is None and d['split'] == 'makemore' and d['ntrain'] > 0 and d['ntest'] > 0"
check "40 of 400 items are test items: their examples are about a tenth" \
    strict_json "$tmp/a.json" "0.05 < d['ntest'] / (d['ntrain'] + d['ntest']) < 0.15"
"$MM" eval -o "$tmp/a" --json >"$tmp/e.json" 2>"$tmp/err"
check "eval --json from the checkpoint's split: train loss as train printed it, dev null" \
    /usr/bin/python3 -c "
import json,sys
a=json.load(open('$tmp/a.json')); e=json.loads(open('$tmp/e.json').read(), parse_constant=lambda x: 1/0)
sys.exit(0 if e['dev_loss'] is None and e['ndev'] == 0 and abs(e['train_loss'] - a['train_loss']) < 1e-6 else 1)"
"$MM" eval -o "$tmp/a" --split test --json >"$tmp/t.json" 2>"$tmp/err"
check "eval --split test: the test split's examples and a finite loss" \
    /usr/bin/python3 -c "
import json,math,sys
a=json.load(open('$tmp/a.json')); t=json.load(open('$tmp/t.json'))
sys.exit(0 if t['ntest'] == a['ntest'] and math.isfinite(t['test_loss']) else 1)"
"$MM" eval -o "$tmp/a" >"$tmp/e.txt" 2>"$tmp/err"
check "eval in text: the empty dev split says so" grep -q "^dev   loss -  (0 examples: this split is empty)" "$tmp/e.txt"
check "log.csv: the dev field of evaluation rows is empty, not nan" bash -c "! grep -qi nan '$tmp/a/log.csv' && grep -q '^0,,,[0-9.]*,$' '$tmp/a/log.csv'"
check "report.html names makemore.py's split" grep -q "torch.randperm" "$tmp/a/report.html"

"$MM" "${T[@]}" -o "$tmp/a" --resume --split lecture --max-steps 80 >/dev/null 2>"$tmp/err"
check "--resume with another --split is refused (exit 2, one line)" \
    bash -c "[ $? -eq 2 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q -- '--split' '$tmp/err'"
"$MM" train -o "$tmp/a" --resume --max-steps 80 --json --samples 0 >"$tmp/r.json" 2>"$tmp/err"
check "--resume keeps the makemore split" strict_json "$tmp/r.json" "d['split'] == 'makemore' and d['ndev'] == 0 and d['steps'] == 80"
"$MM" "${T[@]}" -o "$tmp/b" --split huge --max-steps 1 >/dev/null 2>"$tmp/err"
check "an unknown --split is refused naming the flag" bash -c "[ $? -eq 2 ] && grep -q -- \"--split 'huge'\" '$tmp/err'"
"$MM" "${T[@]}" -o "$tmp/c" --split makemore --split-seed 5 --max-steps 0 --json >"$tmp/c.json" 2>/dev/null
check "--split-seed changes makemore.py's permutation (another test split)" \
    /usr/bin/python3 -c "
import json,sys
a=json.load(open('$tmp/a.json')); c=json.load(open('$tmp/c.json'))
sys.exit(0 if (a['ntest'], a['init_train_loss']) != (c['ntest'], c['init_train_loss']) else 1)"
finish
