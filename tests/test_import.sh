#!/usr/bin/env bash
# export then import from the command line: the imported model.bin evaluates
# and samples as the original does; an existing model.bin is kept unless
# --force; missing or mismatched input is one line, exit 2. (Torch-written
# files: tests/parity_import.py; the format's corner cases: test_safetensors.)
source "$(dirname "$0")/lib.sh"
plan 14
one_line_error() { expect_error "$@"; }

for i in $(seq 1 300); do
    printf '%s\n' anna bob carla dmitri elena farouk gita hiro ines jomo | sed -n "$(( i % 10 + 1 ))p"
done > "$tmp/small.txt"
"$MM" train -i "$tmp/small.txt" -o "$tmp/a" --model wavenet --block-size 4 --n-embd 6 --n-hidden 12 --max-steps 50 \
    --threads 1 --samples 0 --lr-find 0 >/dev/null 2>&1 &&
    "$MM" export -o "$tmp/a" --safetensors "$tmp/a.st" 2>/dev/null
rc=$?
check "a wavenet trained and exported (exit $rc)" test "$rc" -eq 0 -a -s "$tmp/a.st"
IMPORT=(import --safetensors "$tmp/a.st" --model wavenet --block-size 4 --n-embd 6 --n-hidden 12 -i "$tmp/small.txt"
        --split lecture)
"$MM" "${IMPORT[@]}" -o "$tmp/b" 2>"$tmp/err"
rc=$?
check "import exits 0 ($rc) and writes model.bin" test "$rc" -eq 0 -a -s "$tmp/b/model.bin"
# every command's status counts: two failed runs would print the same nothing
"$MM" eval -o "$tmp/a" >"$tmp/ea" 2>/dev/null && "$MM" eval -o "$tmp/b" >"$tmp/eb" 2>/dev/null
rc=$?
check "the imported model's losses equal the original's (eval: exit $rc)" \
    bash -c "[ $rc -eq 0 ] && [ -s '$tmp/ea' ] && cmp -s '$tmp/ea' '$tmp/eb'"
"$MM" sample -o "$tmp/a" -n 20 >"$tmp/sa" 2>/dev/null && "$MM" sample -o "$tmp/b" -n 20 --seed 2147483657 >"$tmp/sb" 2>/dev/null
rc=$?
check "and its samples (same seed) equal the original's (sample: exit $rc)" \
    bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/sa') -eq 20 ] && cmp -s '$tmp/sa' '$tmp/sb'"
cp "$tmp/b/model.bin" "$tmp/keep.bin"
one_line_error "an existing model.bin is kept" "give --force" "$MM" "${IMPORT[@]}" -o "$tmp/b"
check "... unchanged" cmp -s "$tmp/b/model.bin" "$tmp/keep.bin"
touch -d '2000-01-01' "$tmp/b/model.bin"
"$MM" "${IMPORT[@]}" -o "$tmp/b" --force 2>/dev/null
rc=$?
check "--force replaces it (exit $rc)" bash -c "[ $rc -eq 0 ] && [ \$(stat -c %Y '$tmp/b/model.bin') -gt 946684800 ]"
one_line_error "--model is required" "--model TYPE is required" "$MM" import --safetensors "$tmp/a.st" -i "$tmp/small.txt" -o "$tmp/c"
one_line_error "--safetensors is required" "--safetensors FILE is required" "$MM" import --model mlp -i "$tmp/small.txt" -o "$tmp/c"
one_line_error "another shape names the tensor" "tensor 'C' has shape \[[0-9]*, 6\]; --model wavenet" \
    "$MM" import --safetensors "$tmp/a.st" --model wavenet --block-size 4 --n-embd 5 --n-hidden 12 -i "$tmp/small.txt" -o "$tmp/c"
one_line_error "a flag the kind does not take" "--n-layers is not a setting of --model wavenet" \
    "$MM" "${IMPORT[@]}" -o "$tmp/c" --n-layers 2
check "nothing written after a refusal" test ! -e "$tmp/c"
# the imported run records its data: --resume on another file is refused
{ head -n 150 "$tmp/small.txt"; } >"$tmp/half.txt"
one_line_error "--resume of an imported run on another file" "half\.txt: not the data of the run" \
    "$MM" train -o "$tmp/b" --resume --max-steps 10 -i "$tmp/half.txt"
one_line_error "--resume of an imported run without --max-steps: it has no steps to take" \
    "b/model\.bin: this run is finished \(step 0 of --max-steps 0\)" "$MM" train -o "$tmp/b" --resume
finish
