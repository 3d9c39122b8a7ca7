#!/usr/bin/env bash
# Runs every test and ends with "N passed, N failed". Each test prints one
# "ok - ..." or "not ok - ..." line per check; a test that exits non-zero
# without saying why counts as one failure.
#   MAKEMORE      the binary under test (default ./makemore)
#   TEST_BIN_DIR  where the compiled C tests are (default build/tests)
#   NAMES_TXT     names.txt for the tests that need the real data
set -u
shopt -s nullglob # a glob with no test files runs nothing rather than a literal name
cd "$(dirname "$0")/.."
export MAKEMORE=${MAKEMORE:-./makemore}
export TEST_BIN_DIR=${TEST_BIN_DIR:-build/tests}
if [ -z "${NAMES_TXT:-}" ] && [ -f data/names.txt ]; then export NAMES_TXT=data/names.txt; fi
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() { # name, command...
    local name=$1; shift
    echo "== $name"
    "$@" >"$log" 2>&1
    local rc=$?
    cat "$log"
    local p f s
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^not ok - ' "$log")
    s=$(grep -c '^skip - ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
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
