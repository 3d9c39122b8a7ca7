#!/usr/bin/env bash
# The thread count never changes a result: a run with --threads 1 and one
# with --threads 2 (which splits each batch between two threads) write the
# same log.csv and lr_find.csv and report the same losses, byte for byte, at
# the lecture's shape and at a larger one where the kernels themselves split
# their work. The learning-rate sweep (lr_find.csv, 1,000 steps by default)
# is 50 steps at the larger shapes: its 1,000 steps there were most of the
# test's time, for a file that was not compared.
#   MAKEMORE   the binary under test
#   NAMES_TXT  names.txt (skipped without it)
# With fewer than 2 cores the CLI clamps --threads 2 to 1 and the
# comparison would be of two single-threaded runs: the test skips, saying
# so (a skip CI does not expect fails the pass).
source "$(dirname "$0")/lib.sh"
if [ -z "${NAMES_TXT:-}" ] || [ ! -f "$NAMES_TXT" ]; then
    skip_all "thread-count tests: set NAMES_TXT to names.txt"
fi
if [ "$(nproc)" -lt 2 ]; then
    skip_all "thread-count tests: $(nproc) core here, and --threads 2 would be clamped to 1"
fi
plan 3
data=$(cd "$(dirname "$NAMES_TXT")" && pwd)/$(basename "$NAMES_TXT")

# same_runs NAME FLAGS...: trains twice, with 1 and 2 threads, and compares
same_runs() {
    local name=$1
    shift
    for t in 1 2; do
        "$M" train -i "$data" -o "$tmp/$name$t" --json --samples 5 --save-every 0 -t "$t" "$@" \
            >"$tmp/$name$t.json" 2>/dev/null || { bad "$name: the run with $t threads failed"; return; }
        # the same run but for the timings and the output paths
        sed -E -e 's/"(train_seconds|us_per_step|threads|[a-z_]*_s)": [0-9.e+-]+/"\1": 0/g' \
            -e 's/"(model_bin|report_html)": "[^"]*"/"\1": ""/g' "$tmp/$name$t.json" >"$tmp/$name$t.cmp"
    done
    if cmp -s "$tmp/${name}1/log.csv" "$tmp/${name}2/log.csv" && cmp -s "$tmp/${name}1.cmp" "$tmp/${name}2.cmp" &&
        [ -s "$tmp/${name}1/lr_find.csv" ] && cmp -s "$tmp/${name}1/lr_find.csv" "$tmp/${name}2/lr_find.csv"; then
        ok "$name: log.csv ($(($(wc -l <"$tmp/${name}1/log.csv") - 1)) rows), lr_find.csv ($(($(wc -l <"$tmp/${name}1/lr_find.csv") - 1)) rows), losses and samples identical with 1 and 2 threads"
    else
        bad "$name: 1 and 2 threads differ"
        diff "$tmp/${name}1/log.csv" "$tmp/${name}2/log.csv" | head -5
        diff "$tmp/${name}1.cmp" "$tmp/${name}2.cmp" | head -5
        diff "$tmp/${name}1/lr_find.csv" "$tmp/${name}2/lr_find.csv" | head -5
    fi
}

same_runs lecture --max-steps 300
same_runs wide --max-steps 20 --batch-size 256 --n-hidden 512 --lr-find 50
same_runs odd --max-steps 30 --batch-size 37 --n-hidden 301 --n-embd 7 --block-size 4 --lr-find 50
finish
