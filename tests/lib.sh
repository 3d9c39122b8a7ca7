# Shared by every shell test: `source "$(dirname "$0")/lib.sh"`, then
# `plan N` before the first check. Each check prints one "ok - ..." or
# "not ok - ..." line (or "skip - ..."); tests/run.sh counts them against the
# plan, so a script that dies half-way, or whose helper process fails, is a
# failure and not a shorter success.
#
# The convention for a new tests/test_NAME.sh (tests/run.sh finds it):
#   - plan N first (it may be computed, but before any check runs);
#   - every command's exit status is part of a check: capture it (rc=$?)
#     rather than piping the command into grep -q, whose status hides it;
#   - skip only what a machine may lack (a package, a core, NAMES_TXT),
#     with skip or skip_all saying what is missing. CI runs every test in
#     each pass, and a skip its .ci/skips/PASS file does not list fails
#     the pass: a test that cannot run in some pass gets a line there.
#
# Gives the script:
#   M           the binary under test (MAKEMORE, made absolute)
#   tmp         a scratch folder, removed at exit
#   plan N      declares N checks (prints the TAP plan line "1..N")
#   skip_all R  declares that no check runs, for reason R, and exits 0
#   ok/bad/skip MSG               one result line; bad records a failure
#   check MSG CMD...              ok if CMD succeeds
#   expect_error MSG REGEX CMD... ok if CMD exits 2 with one stderr line
#                                 matching REGEX (grep -E)
#   py NAME ARGS... <<'PY'        runs a Python block (its own ok/not ok
#                                 lines); a non-zero exit is one "not ok"
#   finish      exits non-zero if any check failed (call it last)
set -u
M=${MAKEMORE:-./makemore}
case $M in /*) ;; *) M=$PWD/$M ;; esac
MM=$M
PY=${PYTHON:-/usr/bin/python3}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
_lib_failed=0
_lib_cleanup() { chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"; }
trap _lib_cleanup EXIT

plan() { echo "1..$1"; }
skip_all() { echo "1..0"; echo "skip - $*"; exit 0; }
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; _lib_failed=1; }
skip() { echo "skip - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

expect_error() {
    local what=$1 want=$2
    shift 2
    "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null
    local rc=$? lines msg
    lines=$(wc -l <"$tmp/.err")
    msg=$(head -c 300 "$tmp/.err" | tr '\n' '|')
    if [ "$rc" -ne 2 ]; then bad "$what: exit status $rc, expected 2 ($msg)"
    elif [ "$lines" -ne 1 ]; then bad "$what: $lines lines on stderr, expected 1 ($msg)"
    elif ! grep -qE -- "$want" "$tmp/.err"; then bad "$what: message does not match '$want': $msg"
    else ok "$what: $(cat "$tmp/.err")"
    fi
}

py() {
    local name=$1
    shift
    "$PY" - "$@"
    local rc=$?
    [ "$rc" -eq 0 ] || bad "$name: the Python block exited with status $rc"
}

finish() { exit "$_lib_failed"; }
