#!/usr/bin/env bash
# Runs every test and ends with "N passed, N failed". Each test prints one
# "ok - ..." or "not ok - ..." (or "skip - ...") line per check and a plan
# line "1..N" (TAP's: shell tests declare it first, through tests/lib.sh; C
# tests print it at the end with their count). A test that exits non-zero
# without saying why, prints no plan, or runs another number of checks than
# it planned counts as one failure more: a test cannot vanish by dying early.
#   MAKEMORE      the binary under test (default ./makemore)
#   TEST_BIN_DIR  where the compiled C tests are (default build/tests)
#   NAMES_TXT     names.txt for the tests that need the real data
# Arguments, if any, name the tests to run (test_cli.sh test_rng ...).
set -u
shopt -s nullglob # a glob with no test files runs nothing rather than a literal name
cd "$(dirname "$0")/.."
export MAKEMORE=${MAKEMORE:-./makemore}
export TEST_BIN_DIR=${TEST_BIN_DIR:-build/tests}
if [ -z "${NAMES_TXT:-}" ] && [ -f data/names.txt ]; then export NAMES_TXT=data/names.txt; fi
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

wanted() { # name: run it? (all, or those named on the command line)
    [ "${#only[@]}" -eq 0 ] && return 0
    local w
    for w in "${only[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}
only=("$@")

run_one() { # name, command...
    local name=$1; shift
    wanted "$name" || return 0
    echo "== $name"
    "$@" >"$log" 2>&1
    local rc=$?
    cat "$log"
    local p f s planned ran
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^not ok - ' "$log")
    s=$(grep -c '^skip - ' "$log")
    ran=$((p + f + s))
    planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p' "$log" | tail -n 1)
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
    fi
    if [ -z "$planned" ]; then
        echo "not ok - $name printed no plan line (1..N): it may have died before the end"
        f=$((f + 1))
    elif [ "$planned" -eq 0 ] && [ $((p + f)) -eq 0 ]; then
        : # skipped as a whole ("1..0" and a "skip - " line saying why)
    elif [ "$planned" -ne "$ran" ]; then
        echo "not ok - $name planned $planned checks but ran $ran"
        f=$((f + 1))
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

for t in "$TEST_BIN_DIR"/test_*; do
    [ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in tests/test_*.sh; do
    run_one "$(basename "$t")" bash "$t"
done
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    for t in tests/parity_*.py; do
        run_one "$(basename "$t")" /usr/bin/python3 "$t"
    done
else
    echo "skip - PyTorch parity tests: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"
    skipped=$((skipped + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
