#!/usr/bin/env bash
# Runs each libFuzzer harness for a bounded time: fuzz/run.sh SECONDS NAME...
# FUZZ_JOBS harnesses at once (default: the cores), each on its own core
# for the full SECONDS; results print in the order named. Seeds: the
# committed fuzz/corpus/NAME and fuzz/regressions/NAME (read, never
# written); new inputs go to build-fuzz/corpus/NAME. Fails on any crash,
# hang (-timeout) or sanitizer report; the input that caused it is left in
# build-fuzz/artifacts/ and belongs in fuzz/regressions/NAME once fixed,
# with its outcome in fuzz/regressions/NAME.expect.
set -u
cd "$(dirname "$0")/.."
seconds=$1; shift
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p build-fuzz/artifacts

fuzz_one() { # name: runs it, leaves its status in build-fuzz/NAME.rc
    local name=$1 dict=()
    mkdir -p "build-fuzz/corpus/$name"
    [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
    # -timeout: an input taking over 10 s is a hang; -rss_limit_mb: the
    # harness's inputs are small, so 2 GiB of memory means a runaway size;
    # -close_fd_mask=3 silences the CLI's own error lines, not the reports.
    "build-fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -close_fd_mask=3 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="build-fuzz/artifacts/$name-" \
        "build-fuzz/corpus/$name" "fuzz/corpus/$name" "fuzz/regressions/$name" >"build-fuzz/$name.log" 2>&1
    echo $? >"build-fuzz/$name.rc"
}

summary() { # name: one line for it, and the report if it failed
    local name=$1 log=build-fuzz/$1.log rc runs cov units
    rc=$(cat "build-fuzz/$name.rc")
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    units=$(ls "build-fuzz/corpus/$name" | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $name: ok, ${runs:-?} executions in ${seconds} s, ${cov:-cov: ?} edges, corpus +$units"
        return 0
    fi
    echo "fuzz $name: FAILED (status $rc) after ${runs:-?} executions; see $log"
    grep -E 'ERROR|SUMMARY|Test unit written|deadly signal|timeout' "$log" | head -20
    return 1
}

failed=0 running=0
for name in "$@"; do rm -f "build-fuzz/$name.rc"; done
for name in "$@"; do
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
    fuzz_one "$name" &
    running=$((running + 1))
done
wait
for name in "$@"; do summary "$name" || failed=1; done
exit $failed
