#!/usr/bin/env bash
# Limits that hold (docs/LIMITS.md). An input over the 1 GiB limit, and one
# whose reading or examples would not fit in the memory allowed (ulimit -v
# here), fail at once with one line naming the file, status 2. And the
# memory a run really uses stays within the documented estimate.
#   MAKEMORE      the binary under test
#   MM_SANITIZER  set by `make sanitize`: AddressSanitizer reserves terabytes
#                 of address space and doubles the memory used, so the
#                 ulimit and peak-memory cases are skipped there
source "$(dirname "$0")/lib.sh"
# under the sanitizer only the first case runs, and one line says why not the rest
if [ -n "${MM_SANITIZER:-}" ]; then plan 2; else plan 6; fi
cd "$tmp" || exit 1
# expect NAME REGEX COMMAND...: status 2 and one stderr line matching REGEX
expect() { expect_error "$@"; }

# A sparse file of 1.1 GiB takes no disk space.
truncate -s 1100M huge.txt
expect "input over 1 GiB" "huge\.txt: 1153433600 bytes is over the 1073741824-byte input limit" \
    "$M" train -i huge.txt -o out --max-steps 0
rm -f huge.txt

# 1,000,000 names of 3..8 letters: about 6.5 MB, 7.5 million examples at block 3.
awk 'BEGIN { srand(3); for (i = 0; i < 1000000; i++) { n = 3 + int(rand() * 6); s = "";
    for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print s } }' >big.txt
bytes=$(wc -c <big.txt)
lines=$(wc -l <big.txt)
chars=$((bytes - lines))

if [ -n "${MM_SANITIZER:-}" ]; then
    skip "ulimit -v and peak-memory cases (5 checks): AddressSanitizer reserves terabytes of address space"
    finish
fi

# Reading needs 5 bytes a byte + 16 a line (~49 MB here); the examples at
# block 3 need 16 bytes each (~120 MB). 100 MB of address space lets the
# reading through and stops the examples; 40 MB stops the reading.
expect "examples over the memory allowed" \
    "big\.txt: $lines items at --block-size 3 need about [0-9]+ MiB of memory, over the [0-9]+ MiB available" \
    bash -c "ulimit -v 100000 && exec \"$M\" train -i big.txt -o out --max-steps 0 -t 1"
expect "reading over the memory allowed" "big\.txt: reading its $bytes bytes needs about [0-9]+ MiB of memory" \
    bash -c "ulimit -v 40000 && exec \"$M\" train -i big.txt -o out --max-steps 0 -t 1"
expect "a model over the memory allowed" "--n-hidden 4096.*--batch-size 16384 need about [0-9]+ MiB" \
    bash -c "ulimit -v 300000 && exec \"$M\" train -i big.txt -o out --n-hidden 4096 --batch-size 16384 -t 1"
expect "a model beside the data over the memory allowed" "--n-hidden 2048.*--batch-size 2048 need about [0-9]+ MiB" \
    bash -c "ulimit -v 300000 && exec \"$M\" train -i big.txt -o out --n-hidden 2048 --batch-size 2048 -t 1"

# Peak resident memory of a short run against docs/LIMITS.md: the larger of
# reading (file + 4/byte + 16/line) and holding (4/char + 16/line + 16 per
# example + 4/line + 24 per example while a split is evaluated), plus 20 per
# parameter and the batch's activations, plus 16 MiB for the program itself.
peak_kib=$(/usr/bin/python3 - "$M" <<'EOF'
import resource, subprocess, sys
subprocess.run([sys.argv[1], 'train', '-i', 'big.txt', '-o', 'out', '--max-steps', '50', '--samples', '0',
                '-t', '1', '--save-every', '0', '--n-hidden', '8'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
)
V=27 T=3 E=10 H=8 B=32
params=$((V * E + T * E * H + H + H * V + V))
reading=$((bytes + 4 * bytes + 16 * lines))
holding=$((4 * chars + 16 * lines + (4 * (T + 1) + 24) * (chars + lines) + 4 * lines))
model=$((20 * params + 4 * B * (2 * T * E + 2 * H + V)))
bound=$(( (reading > holding ? reading : holding) + model + 16 * 1024 * 1024 ))
if [ -n "${peak_kib:-}" ] && [ $((peak_kib * 1024)) -le "$bound" ]; then
    ok "peak memory $((peak_kib / 1024)) MiB is within the documented $((bound / 1048576)) MiB ($bytes bytes, $lines lines)"
else
    bad "peak memory ${peak_kib:-? (the 50-step run on big.txt failed)} KiB is over the documented bound of $((bound / 1024)) KiB"
fi
finish
