#!/usr/bin/env bash
# Runs each libFuzzer harness for a bounded time: fuzz/run.sh SECONDS NAME...
# New inputs go to build-fuzz/corpus/NAME (the committed seeds in
# fuzz/corpus/NAME are read, never written). Fails on any crash, hang
# (-timeout) or sanitizer report; the input that caused it is left in
# build-fuzz/artifacts/ and belongs in fuzz/regressions/NAME once fixed.
set -u
cd "$(dirname "$0")/.."
seconds=$1; shift
mkdir -p build-fuzz/artifacts
failed=0
for name in "$@"; do
    mkdir -p "build-fuzz/corpus/$name"
    dict=(); [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
    log=build-fuzz/$name.log
    # -timeout: an input taking over 10 s is a hang; -rss_limit_mb: the
    # harness's inputs are small, so 2 GiB of memory means a runaway size;
    # -close_fd_mask=3 silences the CLI's own error lines, not the reports.
    "build-fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -close_fd_mask=3 -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="build-fuzz/artifacts/$name-" \
        "build-fuzz/corpus/$name" "fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    units=$(ls "build-fuzz/corpus/$name" | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz $name: ok, ${runs:-?} executions in ${seconds} s, ${cov:-cov: ?} edges, corpus +$units"
    else
        failed=1
        echo "fuzz $name: FAILED (status $rc) after ${runs:-?} executions; see $log"
        grep -E 'ERROR|SUMMARY|Test unit written|deadly signal|timeout' "$log" | head -20
    fi
done
exit $failed
