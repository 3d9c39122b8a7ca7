#!/usr/bin/env bash
# Runs every test and ends with "N passed, N failed, N skipped (names)".
#
# The convention every test follows (tests/lib.sh for shell, tests/check.h
# for C, print() for Python): one "ok - ...", "not ok - ..." or "skip - ..."
# line per check, and TAP's plan line "1..N" declared before the first
# check. A test that exits non-zero without saying why, prints no plan, or
# runs another number of checks than it planned counts as one failure more:
# a test cannot vanish by dying early. A test that cannot run at all prints
# "1..0" and one "skip - why" line (skip_all in lib.sh).
#
# Skips are declared: with MM_EXPECT_SKIPS=FILE (each pass of .ci/run has
# one, .ci/skips/*), FILE lists every test allowed to skip, one a line:
#     NAME  COUNT  why          (COUNT: its number of "skip - " lines)
# Any other skip, a different count, or a listed test that did not skip is
# a failure. Without MM_EXPECT_SKIPS (make test on a developer's machine)
# skips are allowed and the closing line names them.
#
#   MAKEMORE        the binary under test (default ./makemore)
#   TEST_BIN_DIR    where the compiled C tests are (default build/tests)
#   NAMES_TXT       names.txt for the tests that need the real data
#   MM_TEST_JOBS    tests run at once (default: the cores, at most 4; output
#                   stays in the order they were started)
#   MM_EXPECT_SKIPS the skips this pass expects (above)
# Arguments, if any, name the tests to run (test_cli.sh test_rng ...).
set -u
shopt -s nullglob # a glob with no test files runs nothing rather than a literal name
if [ -n "${MM_EXPECT_SKIPS:-}" ]; then MM_EXPECT_SKIPS=$(realpath -- "$MM_EXPECT_SKIPS"); fi
cd "$(dirname "$0")/.."
export MAKEMORE=${MAKEMORE:-./makemore}
export TEST_BIN_DIR=${TEST_BIN_DIR:-build/tests}
if [ -z "${NAMES_TXT:-}" ] && [ -f data/names.txt ]; then export NAMES_TXT=data/names.txt; fi
# several tests at once keep the cores busy (most train on one thread);
# more than 4 would mostly add memory (each parity test loads torch)
jobs=${MM_TEST_JOBS:-$(($(nproc) < 4 ? $(nproc) : 4))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
only=("$@")

wanted() { # name: run it? (all, or those named on the command line)
    [ "${#only[@]}" -eq 0 ] && return 0
    local w
    for w in "${only[@]}"; do [ "$w" = "$1" ] && return 0; done
    return 1
}

# The queue: every test's name and how to run it (a word list for eval).
# The longest tests go first (first_tests, longest first: the slowest of
# each pass of .ci/run, as its log shows them), then the PyTorch parity
# tests, the shell tests and the C tests, so that tests running at once
# end together rather than one long test running alone at the end.
first_tests=(parity_makemore_cli.py test_words.sh test_mpi_output.sh test_bitexact.sh test_mpi.sh test_kn.sh
    parity_models.py test_kinds_cli.sh test_report_page.sh parity_transformer.py test_resume.sh test_web.sh
    test_threads.sh test_crashsafe.sh test_models_cli.sh)
names=() cmds=() known=()
add() {
    known+=("$1")
    wanted "$1" || return 0
    names+=("$1")
    cmds+=("$2")
}
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then torch=1; else torch=0; fi
for t in tests/parity_*.py; do
    if [ "$torch" -eq 1 ]; then
        add "$(basename "$t")" "/usr/bin/python3 $(printf '%q' "$t")"
    else
        add "$(basename "$t")" "printf '1..0\nskip - %s\n' 'PyTorch parity: /usr/bin/python3 cannot import torch (apt-get install python3-torch)'"
    fi
done
for t in tests/test_*.sh; do
    add "$(basename "$t")" "bash $(printf '%q' "$t")"
done
for t in "$TEST_BIN_DIR"/test_*; do
    [ -x "$t" ] && add "$(basename "$t")" "$(printf '%q' "$t")"
done
long_first() { # reorders the queue: first_tests (those queued), then the rest as they came
    local -a n=() c=()
    local f i
    for f in "${first_tests[@]}"; do
        for i in "${!names[@]}"; do [ "${names[$i]}" = "$f" ] && n+=("$f") c+=("${cmds[$i]}"); done
    done
    for i in "${!names[@]}"; do
        [[ " ${first_tests[*]} " == *" ${names[$i]} "* ]] || n+=("${names[$i]}") c+=("${cmds[$i]}")
    done
    names=("${n[@]}") cmds=("${c[@]}")
}
[ "${#names[@]}" -gt 0 ] && long_first

start() { # index: runs test i in the background; its log, status and seconds land in $work
    local i=$1
    (
        t0=$SECONDS
        eval "${cmds[$i]}" >"$work/$i.log" 2>&1 </dev/null
        echo $? >"$work/$i.rc.part"
        echo $((SECONDS - t0)) >"$work/$i.sec"
        mv "$work/$i.rc.part" "$work/$i.rc"
    ) &
}

passed=0 failed=0 skipped=0
declare -A skips=() # name -> its number of skip lines
report() { # index: prints test i's output and counts it against its plan
    local i=$1 name=${names[$1]} log=$work/$1.log
    local rc p f s planned ran
    rc=$(cat "$work/$i.rc")
    echo "== $name ($(cat "$work/$i.sec") s)"
    cat "$log"
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
    [ "$s" -gt 0 ] && skips[$name]=$s
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# At most $jobs tests at once; each is reported, in queue order, once it
# and every test before it have finished.
total=${#names[@]} next=0 shown=0
while [ "$shown" -lt "$total" ]; do
    while [ "$next" -lt "$total" ] && [ $((next - shown)) -lt "$jobs" ]; do
        start "$next"
        next=$((next + 1))
    done
    if [ -f "$work/$shown.rc" ]; then
        report "$shown"
        shown=$((shown + 1))
    else
        wait -n 2>/dev/null || sleep 0.1
    fi
done

# The declared skips: each listed test skipped exactly COUNT checks; no other skipped.
check_skips() {
    local file=$1 name count why line
    declare -A want=()
    while read -r name count why; do
        case $name in '' | '#'*) continue ;; esac
        if [[ ! $count =~ ^[0-9]+$ ]] || [ -z "$why" ]; then
            echo "not ok - $file: '$name $count $why': expected NAME COUNT WHY"
            failed=$((failed + 1))
            continue
        fi
        want[$name]=$count
        if [[ " ${known[*]} " != *" $name "* ]]; then
            echo "not ok - $file lists $name, which is not a test here"
            failed=$((failed + 1))
        elif wanted "$name" && [ "${skips[$name]:-0}" -ne "$count" ]; then
            echo "not ok - $name: $file expects $count skipped ($why), it skipped ${skips[$name]:-0}"
            failed=$((failed + 1))
        fi
    done <"$file"
    for name in "${!skips[@]}"; do
        [ -n "${want[$name]:-}" ] && continue
        echo "not ok - $name skipped ${skips[$name]} checks, and $file does not expect it"
        failed=$((failed + 1))
    done
}
if [ -n "${MM_EXPECT_SKIPS:-}" ]; then
    if [ -f "$MM_EXPECT_SKIPS" ]; then check_skips "$MM_EXPECT_SKIPS"
    else echo "not ok - MM_EXPECT_SKIPS=$MM_EXPECT_SKIPS: no such file"; failed=$((failed + 1))
    fi
fi

list=""
for name in "${names[@]}"; do
    [ -n "${skips[$name]:-}" ] && list+="${list:+, }$name (${skips[$name]})"
done
echo "$passed passed, $failed failed, $skipped skipped${list:+: $list}"
[ "$failed" -eq 0 ]
