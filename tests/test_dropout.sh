#!/usr/bin/env bash
# --dropout from the command line (rnn and gru; the mlp's in test_paper_opts.sh): it changes training, and a
# run with it is reproducible: 20 steps resumed to 40 equal 40 straight,
# bit for bit, and 1 and 2 threads give the same log; model.bin is version
# 4 and keeps it; --json and report.html show it. Refused: on a kind
# without dropout, outside [0, 0.95], and changed at --resume (model.bin
# untouched). The masks' arithmetic is checked against PyTorch in
# parity_seqkinds.py and against finite differences in test_seqkinds.
source "$(dirname "$0")/lib.sh"
plan 14

names=(anna bob carla dmitri elena farouk gita hiro ines jomo kaia lars mira noor)
for i in $(seq 1 400); do echo "${names[$((i % 14))]}"; done >"$tmp/small.txt"
T=(-i "$tmp/small.txt" --model gru --n-hidden 24 --n-embd 12 --optimizer adamw --learning-rate 0.01 --lr-decay 1
   --samples 0 --lr-find 0 --eval-every 10)

"$MM" train "${T[@]}" -t 1 --dropout 0.3 -o "$tmp/a" --max-steps 40 >/dev/null 2>"$tmp/err" &&
    "$MM" train "${T[@]}" -t 1 --dropout 0.3 -o "$tmp/b" --max-steps 20 >/dev/null 2>>"$tmp/err" &&
    "$MM" train -o "$tmp/b" --resume --max-steps 40 --samples 0 --eval-every 10 >/dev/null 2>>"$tmp/err" &&
    "$MM" train "${T[@]}" -t 2 --dropout 0.3 -o "$tmp/c" --max-steps 40 >/dev/null 2>>"$tmp/err" &&
    "$MM" train "${T[@]}" -t 1 -o "$tmp/none" --max-steps 40 >/dev/null 2>>"$tmp/err"
rc=$?
check "gru --dropout 0.3: runs straight, resumed and on 2 threads (exit $rc$([ $rc -ne 0 ] && echo ": $(tail -n 1 "$tmp/err")"))" \
    test $rc -eq 0
check "20 steps resumed to 40 give the straight run's log.csv" cmp -s "$tmp/a/log.csv" "$tmp/b/log.csv"
"$MM" export -o "$tmp/a" --safetensors "$tmp/a.st" 2>/dev/null && "$MM" export -o "$tmp/b" --safetensors "$tmp/b.st" 2>/dev/null
rc=$?
check "and its parameters bit for bit (export: exit $rc)" bash -c "[ $rc -eq 0 ] && [ -s '$tmp/a.st' ] && cmp -s '$tmp/a.st' '$tmp/b.st'"
# with one core --threads 2 is clamped to 1: no comparison of thread counts
if [ "$(nproc)" -lt 2 ]; then
    skip "2 threads against 1: $(nproc) core here, and --threads 2 would be clamped to 1"
else
    check "2 threads give the 1-thread log.csv" cmp -s "$tmp/a/log.csv" "$tmp/c/log.csv"
fi
check "dropout changes the training losses (log.csv differs from the run without)" \
    bash -c "! cmp -s '$tmp/a/log.csv' '$tmp/none/log.csv'"
version() { od -A n -t u4 -j 8 -N 4 "$1" | tr -d ' '; }
check "model.bin is version 4 with dropout ($(version "$tmp/a/model.bin")), 3 without ($(version "$tmp/none/model.bin"))" \
    bash -c "[ '$(version "$tmp/a/model.bin")' = 4 ] && [ '$(version "$tmp/none/model.bin")' = 3 ]"

"$MM" train "${T[@]}" --model rnn --dropout 0.5 -o "$tmp/rnn" --max-steps 30 --json >"$tmp/rnn.json" 2>"$tmp/err"
py "json" "$tmp/rnn.json" "$tmp/rnn/report.html" "$?" <<'PY'
import json, math, sys
try:
    if sys.argv[3] != "0":
        raise ValueError(f"train exited with status {sys.argv[3]}")
    d = json.load(open(sys.argv[1]), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
except Exception as e:
    print(f"not ok - rnn --dropout 0.5 --json: no strict JSON: {e}")
    print("not ok - report.html: not checked")
    sys.exit(0)
good = d.get("dropout") == 0.5 and d.get("model") == "rnn" and math.isfinite(d.get("dev_loss", math.nan))
print(("ok" if good else "not ok") + f" - rnn --dropout 0.5 --json: dropout {d.get('dropout')}, dev {d.get('dev_loss')}")
html = open(sys.argv[2], encoding="utf-8").read()
print(("ok" if "dropout" in html and ">0.5<" in html else "not ok") + " - report.html lists dropout 0.5")
PY
"$MM" sample -o "$tmp/rnn" -n 5 >"$tmp/s" 2>/dev/null
rc=$?
check "the rnn with dropout samples 5 items (exit $rc)" bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/s') -eq 5 ]"

S=(-i "$tmp/small.txt" --samples 0 --lr-find 0 --max-steps 5)
expect_error "--dropout on the bnmlp" "--dropout is not a setting of --model bnmlp" \
    "$MM" train "${S[@]}" --model bnmlp --dropout 0.1 -o "$tmp/x"
expect_error "--dropout 1" "--dropout" "$MM" train "${S[@]}" --model gru --dropout 1 -o "$tmp/x"
expect_error "--dropout -0.1" "--dropout" "$MM" train "${S[@]}" --model gru --dropout -0.1 -o "$tmp/x"
sum=$(cksum <"$tmp/a/model.bin")
expect_error "--resume with another --dropout" "--dropout disagrees with the checkpoint .*dropout 0.3" \
    "$MM" train -o "$tmp/a" --resume --max-steps 60 --dropout 0.2
check "and model.bin is untouched" test "$sum" = "$(cksum <"$tmp/a/model.bin")"
finish
