#!/usr/bin/env bash
# The command line end to end: train briefly, sample, eval, export, resume;
# and the basic usage errors (exit status 2, one line on stderr).
source "$(dirname "$0")/lib.sh"
plan 39

# a small made-up list, so this test needs no download
for i in $(seq 1 400); do
    printf '%s\n' anna bob carla dmitri elena farouk gita hiro ines jomo kaia lars mira noor | sed -n "$(( i % 14 + 1 ))p"
done > "$tmp/small.txt"
printf 'zoë\nrené\n' >> "$tmp/small.txt"

for c in train sample eval export; do
    "$MM" $c --help >"$tmp/help" 2>&1
    rc=$?
    check "$c --help exits 0 ($rc) and shows options" bash -c "[ $rc -eq 0 ] && grep -q -- '--' '$tmp/help'"
done
expect_error "unknown command" "unknown command" "$MM" fly
expect_error "unknown flag" "--bogus" "$MM" train --bogus
expect_error "missing value" "--max-steps needs a value" "$MM" train --max-steps
expect_error "not a number" "--batch-size" "$MM" train --batch-size ten
expect_error "out of range" "--n-hidden" "$MM" train --n-hidden 0
expect_error "negative steps" "--max-steps" "$MM" train --max-steps -5
expect_error "NaN learning rate" "--learning-rate" "$MM" train --learning-rate nan
expect_error "missing input file" "$tmp/nope.txt" "$MM" train -i "$tmp/nope.txt" -o "$tmp/o"
: > "$tmp/empty.txt"
expect_error "empty input file" "$tmp/empty.txt" "$MM" train -i "$tmp/empty.txt" -o "$tmp/o"
printf 'ok\nbad\xff\n' > "$tmp/bad.txt"
expect_error "invalid UTF-8 names file and line" "$tmp/bad.txt:2" "$MM" train -i "$tmp/bad.txt" -o "$tmp/o"
expect_error "missing checkpoint" "model.bin" "$MM" sample -o "$tmp/none"
mkdir -p "$tmp/foreign" && head -c 5000 /dev/urandom > "$tmp/foreign/model.bin"
expect_error "foreign checkpoint" "not a makemore checkpoint" "$MM" eval -o "$tmp/foreign"

# end to end on the small list; every command's status is part of its check
run() { "$MM" "$@" 2>"$tmp/err"; }
args=(-i "$tmp/small.txt" --n-hidden 32 --batch-size 16 --seed 7 --threads 1 --samples 0)
run train "${args[@]}" -o "$tmp/a" --max-steps 300 --json --save-every 0 > "$tmp/a.json"
check "train 300 steps" test $? -eq 0
check "JSON has the promised keys" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/a.json'))
need='vocab_size ntrain ndev ntest params init_train_loss train_loss dev_loss steps train_seconds'.split()
sys.exit(0 if all(k in d for k in need) and d['steps']==300 and d['vocab_size']==23 else 1)"
check "training lowers the loss" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/a.json')); sys.exit(0 if d['train_loss'] < d['init_train_loss'] - 0.5 else 1)"
check "log.csv has 300 step rows" test "$(grep -c '^[0-9]*,0' "$tmp/a/log.csv")" -eq 300
run sample -o "$tmp/a" -n 25 --seed 3 > "$tmp/s1"
rc=$?
check "sample prints 25 lines (exit $rc)" test "$rc" -eq 0 -a "$(wc -l < "$tmp/s1")" -eq 25
run sample -o "$tmp/a" -n 25 --seed 3 > "$tmp/s2"
rc=$?
check "sampling is repeatable for a seed (exit $rc)" bash -c "[ $rc -eq 0 ] && cmp -s '$tmp/s1' '$tmp/s2'"
run sample -o "$tmp/a" -n 25 --top-k 1 > "$tmp/s3"
rc=$?
check "top-k 1 is greedy: one item repeated (exit $rc)" test "$rc" -eq 0 -a "$(sort -u "$tmp/s3" | wc -l)" -eq 1
run sample -o "$tmp/a" -n 5 --max-len 2 > "$tmp/s4"
rc=$?
check "--max-len cuts items (exit $rc)" bash -c "[ $rc -eq 0 ] && [ -s '$tmp/s4' ] && ! cut -f1 '$tmp/s4' | awk 'length(\$0) > 2' | grep -q ."
run eval -o "$tmp/a" > "$tmp/e1"
rc=$?
check "eval prints train and dev, not test (exit $rc)" \
    bash -c "[ $rc -eq 0 ] && grep -q '^train' '$tmp/e1' && grep -q '^dev' '$tmp/e1' && ! grep -q '^test' '$tmp/e1'"
run eval -o "$tmp/a" --split test > "$tmp/e2"
rc=$?
check "eval --split test (exit $rc)" bash -c "[ $rc -eq 0 ] && grep -q '^test' '$tmp/e2'"
check "eval matches train's final losses" /usr/bin/python3 -c "
import json,subprocess,sys
d=json.load(open('$tmp/a.json'))
e=json.loads(subprocess.check_output(['$MM','eval','-o','$tmp/a','--json']))
sys.exit(0 if abs(e['train_loss']-d['train_loss'])<1e-6 and abs(e['dev_loss']-d['dev_loss'])<1e-6 else 1)"
printf 'anna\nxq\n' > "$tmp/other.txt"
expect_error "eval -i with characters outside the vocabulary" "$tmp/other.txt:2" "$MM" eval -o "$tmp/a" -i "$tmp/other.txt"
check "export --safetensors" run export -o "$tmp/a" --safetensors "$tmp/a.safetensors"

# resume: 120 steps, then resume to 300, equals the straight run bit for bit
run train "${args[@]}" -o "$tmp/c" --max-steps 120 --lr-decay-step 150 --json > /dev/null &&
    run train -o "$tmp/c" --resume --max-steps 300 --json --samples 0 > "$tmp/c.json"
rc=$?
check "120 steps, then resumed, reach step 300 (exit $rc)" /usr/bin/python3 -c "
import json,sys; sys.exit(0 if $rc == 0 and json.load(open('$tmp/c.json'))['steps']==300 else 1)"
run export -o "$tmp/c" --safetensors "$tmp/c.safetensors"
rc=$?
check "resumed run's weights equal the straight run's bit for bit (export: exit $rc)" \
    bash -c "[ $rc -eq 0 ] && cmp -s '$tmp/a.safetensors' '$tmp/c.safetensors'"
check "resumed run's final losses equal the straight run's" /usr/bin/python3 -c "
import json,sys; a=json.load(open('$tmp/a.json')); c=json.load(open('$tmp/c.json'))
sys.exit(0 if (a['train_loss'],a['dev_loss'])==(c['train_loss'],c['dev_loss']) else 1)"
check "resumed log.csv equals the straight run's" cmp -s "$tmp/a/log.csv" "$tmp/c/log.csv"
expect_error "resume with a different --n-hidden" "--n-hidden" "$MM" train -o "$tmp/c" --resume --n-hidden 64

# a leading UTF-8 byte-order mark is not a character of the vocabulary
{ printf '\xef\xbb\xbf'; cat "$tmp/small.txt"; } >"$tmp/bom.txt"
"$MM" train -i "$tmp/bom.txt" -o "$tmp/bom" --max-steps 50 --n-hidden 8 -t 1 --lr-find 0 --json -n 50 >"$tmp/bom.json" 2>/dev/null
rc=$?
check "a BOM is stripped: the same vocabulary as without it, no U+FEFF in samples (exit $rc)" "$PY" -c "
import json, sys
d = json.load(open('$tmp/bom.json'), parse_constant=lambda c: 1 / 0)
sys.exit(0 if $rc == 0 and d['vocab_size'] == 23 and not any('\ufeff' in s['text'] for s in d['samples']) else 1)"

# -n is the number of samples in train and in sample, under either long name
"$MM" sample -o "$tmp/a" --samples 4 >"$tmp/n1" 2>/dev/null && "$MM" sample -o "$tmp/a" --num-samples 5 >"$tmp/n2" 2>/dev/null
rc=$?
check "sample takes --samples and --num-samples (exit $rc)" test "$rc $(wc -l <"$tmp/n1") $(wc -l <"$tmp/n2")" = "0 4 5"
"$MM" train -i "$tmp/small.txt" -o "$tmp/n" --max-steps 5 --n-hidden 8 -t 1 --lr-find 0 --json --num-samples 3 >"$tmp/n.json" 2>/dev/null
rc=$?
check "train takes --num-samples like sample (exit $rc)" "$PY" -c "
import json, sys; sys.exit(0 if $rc == 0 and len(json.load(open('$tmp/n.json'))['samples']) == 3 else 1)"

# --threads above the cores: clamped, with one warning line
cores=$(nproc)
"$MM" eval -o "$tmp/a" -t 1024 >"$tmp/t.out" 2>"$tmp/t.err"
rc=$?
check "--threads 1024 on $cores cores: clamped with a warning: $(cat "$tmp/t.err")" \
    grep -q "warning: --threads 1024 is more than the $cores cores here; using $cores" "$tmp/t.err"
check "... and the command still succeeds" test "$rc" -eq 0
finish
