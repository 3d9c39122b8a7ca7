#!/usr/bin/env bash
# usage: bitexact_runs.sh MAKEMORE NAMES_TXT
# Trains the lecture's run, --model bnmlp, --model wavenet and the WaveNet
# configurations that were --preset best and small before the GRU presets (their
# flags written out here) for a few steps each on one thread, and prints one line per
# run: its name, the final train and dev losses as --json prints them, the
# sha256 of every step's minibatch loss (log.csv) and the sha256 of the
# exported parameters (safetensors: the bits of every float). Equal lines
# mean equal runs, to the last bit of every parameter. tests/test_bitexact.sh
# compares them with tests/fixtures/bitexact.txt, made by this script with
# the binary from before the model interface (its header says which).
set -u
MM=$1 NAMES=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
    local name=$1; shift
    "$MM" train -i "$NAMES" -o "$tmp/$name" --json --lr-find 0 -n 0 -t 1 --save-every 0 "$@" >"$tmp/$name.json" 2>/dev/null &&
        "$MM" export -o "$tmp/$name" --safetensors "$tmp/$name.st" 2>/dev/null || { echo "$name FAILED"; return; }
    local losses params
    losses=$(cut -d, -f3 "$tmp/$name/log.csv" | sha256sum | cut -c1-64)
    params=$(sha256sum <"$tmp/$name.st" | cut -c1-64)
    /usr/bin/python3 - "$tmp/$name.json" "$name" "$losses" "$params" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(sys.argv[2], "%.6f" % d["train_loss"], "%.6f" % d["dev_loss"], sys.argv[3], sys.argv[4])
PY
}
run lecture --max-steps 5000
run bnmlp --model bnmlp --max-steps 2000
run wavenet --model wavenet --max-steps 1000
run best --model wavenet --block-size 8 --n-embd 40 --n-hidden 160 --batch-size 64 --optimizer adamw \
    --learning-rate 0.0015 --lr-schedule cosine --min-lr 0.000015 --weight-decay 0.1 --max-steps 500
run small --model wavenet --block-size 8 --n-embd 10 --n-hidden 47 --learning-rate 0.1 --lr-decay-step 300000 \
    --max-steps 1500
