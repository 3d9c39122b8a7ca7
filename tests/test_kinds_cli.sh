#!/usr/bin/env bash
# Every kind from the command line. makemore.py's six types (--preset
# makemore-TYPE): 40 steps straight and 20 steps then --resume to 40 give
# the same log.csv and the same parameters bit for bit (the safetensors
# exports compared byte for byte). All nine kinds: `sample -n 20
# --temperature 0.8 --top-k 5` prints 20 items of the training file's
# characters, not all empty; makemore.py's kinds draw at most block size - 1
# characters (the longest item), as makemore.py does, unless --max-len says
# otherwise.
source "$(dirname "$0")/lib.sh"
plan 46

names=(anna bob carla dmitri elena farouk gita hiro ines jomo kaia lars mira noor)
for i in $(seq 1 400); do echo "${names[$((i % 14))]}"; done >"$tmp/small.txt"
longest=6 # dmitri, farouk: the sequence kinds' block is 7
chars=$(tr -d '\n' <"$tmp/small.txt" | fold -w1 | sort -u | tr -d '\n')
T=(-i "$tmp/small.txt" -t 1 --samples 0 --lr-find 0)

for type in bigram mlp rnn gru bow transformer; do
    P=(--preset "makemore-$type" "${T[@]}")
    "$MM" train "${P[@]}" -o "$tmp/$type.a" --max-steps 40 >/dev/null 2>"$tmp/err" &&
        "$MM" train "${P[@]}" -o "$tmp/$type.b" --max-steps 20 >/dev/null 2>>"$tmp/err" &&
        "$MM" train -o "$tmp/$type.b" --resume --max-steps 40 --samples 0 >/dev/null 2>>"$tmp/err"
    rc=$?
    check "$type: 40 steps, and 20 steps resumed to 40$([ $rc -ne 0 ] && echo ": $(tail -n 1 "$tmp/err")")" \
        test $rc -eq 0
    check "$type: the resumed log.csv equals the straight run's ($(wc -l <"$tmp/$type.a/log.csv") lines)" \
        cmp -s "$tmp/$type.a/log.csv" "$tmp/$type.b/log.csv"
    "$MM" export -o "$tmp/$type.a" --safetensors "$tmp/$type.a.st" 2>/dev/null
    "$MM" export -o "$tmp/$type.b" --safetensors "$tmp/$type.b.st" 2>/dev/null
    check "$type: the resumed parameters equal the straight run's bit for bit" \
        bash -c "[ -s '$tmp/$type.a.st' ] && cmp -s '$tmp/$type.a.st' '$tmp/$type.b.st'"
done

# name, the longest item sample may draw, train flags...
sample_case() {
    local name=$1 limit=$2; shift 2
    local dir=$tmp/$name.a
    [ -f "$dir/model.bin" ] || "$MM" train "${T[@]}" -o "$dir" --max-steps 40 "$@" >/dev/null 2>"$tmp/err" ||
        bad "$name: training failed: $(tail -n 1 "$tmp/err")"
    "$MM" sample -o "$dir" -n 20 --temperature 0.8 --top-k 5 >"$tmp/s" 2>"$tmp/err"
    local rc=$?
    cut -f1 "$tmp/s" >"$tmp/items"
    check "$name: sample -n 20 --temperature 0.8 --top-k 5 prints 20 items (exit $rc)" \
        bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/s') -eq 20 ]"
    check "$name: the items use the training file's characters only, not all empty" \
        bash -c "! grep -q '[^$chars]' '$tmp/items' && grep -q . '$tmp/items'"
    local most
    most=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/items")
    check "$name: no item longer than $limit characters (longest $most)" test "$most" -le "$limit"
}
for type in bigram mlp rnn gru bow transformer; do
    sample_case "$type" "$longest"
done
sample_case mlp.lecture 256 --model mlp --n-hidden 16
sample_case bnmlp 256 --model bnmlp --n-hidden 16
sample_case wavenet 256 --model wavenet --block-size 4 --n-embd 6 --n-hidden 16

"$MM" sample -o "$tmp/rnn.a" -n 20 --max-len 40 --temperature 2 >"$tmp/s" 2>/dev/null
most=$(cut -f1 "$tmp/s" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
check "rnn: --max-len 40 is honoured past the block (temperature 2: longest $most)" \
    bash -c "[ $most -gt $longest ] && [ $most -le 40 ]"
finish
