# Shared by the MPI tests (test_mpi.sh, test_mpi_output.sh), sourced after
# lib.sh: skips the test when makemore-mpi was not built, else gives
#   MPI_BIN     makemore-mpi, absolute
#   MPIRUN      mpirun with the flags every run takes
#   names.txt   in $tmp (NAMES_TXT, else a made-up list of names); cds there
#   field FILE KEY, close A B TOL
#   start_long DIR FLAGS...  a long run on 2 processes in the background ($bg)
#   wait_bg SECS             its status in $rc (999: still running, killed)
#   loads_at DIR             the step of DIR/model.bin if it loads
#   check_sigkill FLAGS...   one check: SIGKILL to one process of a long run
MPI_BIN=${MAKEMORE_MPI:-}
if [ -z "$MPI_BIN" ] || [ ! -x "$MPI_BIN" ] || ! command -v mpirun >/dev/null; then
    skip_all "MPI tests: makemore-mpi was not built (make MPI=1)"
fi
case $MPI_BIN in /*) ;; *) MPI_BIN=$PWD/$MPI_BIN ;; esac
cd "$tmp" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# a waiting process yields its core rather than spinning on it: with more
# ranks than cores (N = 3 on 2) or a busy machine, spinning ranks starve the
# ones with work, and a run of seconds took minutes
export OMPI_MCA_mpi_yield_when_idle=1
# one rank per core and no binding: the test machine may have fewer cores than ranks
MPIRUN=(mpirun --oversubscribe --bind-to none)

if [ -n "${NAMES_TXT:-}" ] && [ -f "$NAMES_TXT" ]; then
    cp "$NAMES_TXT" names.txt
else
    awk 'BEGIN { srand(5); for (i = 0; i < 8000; i++) { n = 3 + int(rand() * 6); s = "";
        for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print s } }' >names.txt
fi

field() { # file key
    "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>/dev/null
}
close() { # a b tol: |a - b| <= tol
    "$PY" -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(abs(a - b) > t)' "$1" "$2" "$3" 2>/dev/null
}

# Starts a long run on 2 processes in the background (pid in $bg); waits for
# its first progress line.
LONG=(-i names.txt --max-steps 100000000 --samples 0 --lr-find 0 --print-every 1000 -t 1 --n-hidden 64)
start_long() { # dir, extra flags
    local dir=$1; shift
    "${MPIRUN[@]}" -np 2 "$MPI_BIN" train -o "$dir" "${LONG[@]}" "$@" >"$dir.out" 2>"$dir.err" &
    bg=$!
    for _ in $(seq 1 600); do
        grep -q "init train loss" "$dir.err" 2>/dev/null || ! kill -0 "$bg" 2>/dev/null && break
        sleep 0.05
    done
    sleep 1
}
# rc: the status of $bg, or 999 if it has not ended within $1 seconds (then it is killed)
wait_bg() {
    local i
    for i in $(seq 1 $(($1 * 10))); do
        kill -0 "$bg" 2>/dev/null || { wait "$bg"; rc=$?; return; }
        sleep 0.1
    done
    kill -KILL "$bg" 2>/dev/null; wait "$bg" 2>/dev/null
    rc=999
}
loads_at() { # dir: prints the checkpoint's step if it loads
    "$M" eval -o "$1" -i names.txt --json -t 1 >"$1.eval" 2>/dev/null && field "$1.eval" step
}

# SIGKILL to one process of a long run (extra flags: $@): the job ends,
# non-zero, within 30 s, and the last --save-every checkpoint loads
check_sigkill() {
    start_long kill9 --save-every 200 "$@"
    # on a busy machine the first save can take longer than start_long waits
    for _ in $(seq 1 600); do [ -f kill9/model.bin ] || ! kill -0 "$bg" 2>/dev/null && break; sleep 0.1; done
    local victim t0 secs step
    victim=$(pgrep -P "$bg" | tail -n 1)
    t0=$(date +%s)
    kill -KILL "$victim"
    wait_bg 30
    secs=$(($(date +%s) - t0))
    step=$(loads_at kill9)
    [ "$rc" != 0 ] && [ "$rc" != 999 ] && [ -n "$step" ] && [ "$step" -gt 0 ] &&
        ok "SIGKILL to one process: the job ended in ${secs}s with status $rc; model.bin loads at step $step" ||
        bad "SIGKILL to one process: status $rc after ${secs}s, model.bin step '$step'"
}
