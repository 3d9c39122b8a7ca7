#!/usr/bin/env bash
# Every write is checked. A write that fails exits 2 with one "makemore:"
# line naming what failed, and never loses model.bin: it is replaced only
# by a complete file (temp + rename), and never saved past what log.csv
# holds. The failures, three ways:
#  - /dev/full: stdout of every command, log.csv (a link to /dev/full) and
#    $MAKEMORE_EVENTS;
#  - tests/shims/fail_writes.c, an LD_PRELOAD shim built here: model.bin's
#    write (ENOSPC part-way) and fsync (EIO), its folder's open and fsync,
#    report.html, loss.svg, export's safetensors;
#  - a full file system: a small tmpfs in a private mount namespace
#    (unshare -m, as root), filled by a long run; then the disk is grown
#    and the run resumes. And with makemore-mpi, the held messages of the
#    processes on a full /tmp.
# Last, the web page's build (make web) resumes a run through the page's own
# WASI host (web/wasi.js, in node): log.csv must stay one header and rows.
#   MAKEMORE      the binary under test
#   MAKEMORE_MPI  makemore-mpi (optional: its check is skipped without it)
#   CC            the compiler for the shim (default cc)
source "$(dirname "$0")/lib.sh"
plan 37
WASM=$TESTS_DIR/../build-wasm/makemore.wasm
MPI_BIN=${MAKEMORE_MPI:-}
case $MPI_BIN in /* | "") ;; *) MPI_BIN=$PWD/$MPI_BIN ;; esac
cd "$tmp" || exit 1

awk 'BEGIN { srand(3); for (i = 0; i < 2000; i++) { n = 3 + int(rand() * 6); s = "";
    for (j = 0; j < n; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print s } }' >names.txt
TRAIN=(train -i names.txt --lr-find 0 --n-hidden 32 -t 1 --print-every 100000000)

# One failed write: exit status 2 and exactly one "makemore:" line on
# stderr (progress lines may come before it) matching the pattern.
fails() { # what, pattern, command...
    local what=$1 want=$2
    shift 2
    "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null
    local rc=$? msg n
    msg=$(grep '^makemore:' "$tmp/.err")
    n=$(grep -c '^makemore:' "$tmp/.err")
    if [ "$rc" -ne 2 ]; then bad "$what: exit status $rc, expected 2 ($(tail -c 300 "$tmp/.err" | tr '\n' '|'))"
    elif [ "$n" -ne 1 ]; then bad "$what: $n makemore: lines, expected 1 ($(echo "$msg" | tr '\n' '|'))"
    elif ! grep -qE -- "$want" <<<"$msg"; then bad "$what: message does not match '$want': $msg"
    else ok "$what: exit 2, $msg"
    fi
}
to_full() { "$@" >/dev/full; }
no_temps() { ! ls "$1" | grep -q '\.tmp\.'; }
step_of() { "$M" eval -o "$1" --json 2>/dev/null | sed -n 's/.*"step": \([0-9]*\).*/\1/p'; }

"$M" "${TRAIN[@]}" -o run --max-steps 200 --save-every 100 >/dev/null 2>&1
check "a short run trains (step $(step_of run))" test "$(step_of run)" = 200
cp run/model.bin good.bin

# --- stdout on /dev/full: every command that prints
FULL='^makemore: stdout: write failed'
fails "sample > /dev/full" "$FULL: No space left on device" to_full "$M" sample -o run -n 5
fails "sample -n 100000 > /dev/full (stops early)" "$FULL" to_full "$M" sample -o run -n 100000
fails "sample --json > /dev/full" "$FULL" to_full "$M" sample -o run -n 5 --json
fails "eval > /dev/full" "$FULL" to_full "$M" eval -o run
fails "eval --json > /dev/full" "$FULL" to_full "$M" eval -o run --json
fails "probs > /dev/full" "$FULL" to_full "$M" probs -o run --prefix ab
fails "lr-find > /dev/full" "$FULL" to_full "$M" lr-find -i names.txt -o lrf --count 50
fails "--help > /dev/full" "$FULL" to_full "$M" --help
fails "train > /dev/full" "$FULL" to_full "$M" "${TRAIN[@]}" -o out1 --max-steps 100
check "train > /dev/full still saved model.bin (step $(step_of out1))" test "$(step_of out1)" = 100
fails "train --json > /dev/full" "$FULL" to_full "$M" "${TRAIN[@]}" -o out2 --max-steps 100 --json

# --- log.csv and the events on /dev/full: training stops, model.bin is not
# saved past the log
mkdir logfull && ln -s /dev/full logfull/log.csv
fails "log.csv on /dev/full" "logfull/log.csv: write failed: No space left on device; no checkpoint of this run was safely saved" \
    "$M" "${TRAIN[@]}" -o logfull --max-steps 5000 --save-every 100
check "log.csv on /dev/full: no model.bin, no temporary file" test ! -e logfull/model.bin -a -z "$(ls logfull | grep tmp)"
cp good.bin logfull/model.bin
fails "log.csv on /dev/full, --force over a model" "logfull/log.csv: write failed" \
    "$M" "${TRAIN[@]}" -o logfull --max-steps 5000 --save-every 100 --force
check "log.csv on /dev/full: the earlier model.bin is untouched" cmp -s logfull/model.bin good.bin
cp -r run ev && cp good.bin ev/model.bin
fails "MAKEMORE_EVENTS=/dev/full" "MAKEMORE_EVENTS=/dev/full: write failed: No space left on device; the last checkpoint safely in ev/model.bin is of step 200" \
    env MAKEMORE_EVENTS=/dev/full "$M" train -o ev --resume --max-steps 5000 --save-every 1000 -t 1
check "MAKEMORE_EVENTS=/dev/full: model.bin still of step 200" cmp -s ev/model.bin good.bin
fails "lr-find with MAKEMORE_EVENTS=/dev/full" "MAKEMORE_EVENTS=/dev/full: write failed" \
    env MAKEMORE_EVENTS=/dev/full "$M" lr-find -i names.txt -o lrf --count 50

# --- the LD_PRELOAD shim: the atomic writes and their fsyncs
SHIM=$tmp/fail_writes.so
if ${CC:-cc} -shared -fPIC -O1 -o "$SHIM" "$TESTS_DIR/shims/fail_writes.c" -ldl 2>shim.err; then
    ok "the shim builds"
else
    bad "the shim does not build: $(head -c 300 shim.err)"
fi
# a sanitizer build wants its runtime first; the shim only wraps calls
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
shim() { local e=$1; shift; env LD_PRELOAD="$SHIM" $e "$@"; }
resume() { rm -rf r && cp -r run r && cp good.bin r/model.bin; }

resume
fails "model.bin: ENOSPC after 100 bytes" "r/model.bin: write failed: No space left on device; the last checkpoint safely in r/model.bin is of step 200" \
    shim "FAIL_WRITE=model.bin.tmp FAIL_WRITE_AFTER=100" "$M" train -o r --resume --max-steps 500 --save-every 100 -t 1
check "model.bin: ENOSPC: model.bin untouched, no temporary file" eval 'cmp -s r/model.bin good.bin && no_temps r'
resume
fails "model.bin: fsync fails" "r/model.bin: could not flush to disk: Input/output error" \
    shim "FAIL_FSYNC=model.bin.tmp" "$M" train -o r --resume --max-steps 500 --save-every 100 -t 1
check "model.bin: fsync fails: model.bin untouched, no temporary file" eval 'cmp -s r/model.bin good.bin && no_temps r'
rm -rf f
fails "folder fsync fails" "f/model.bin: written, but its folder could not be flushed to disk: Input/output error; no checkpoint of this run was safely saved" \
    shim "FAIL_FSYNC=$tmp/f\$" "$M" "${TRAIN[@]}" -o f --max-steps 500 --save-every 100
rm -rf f
fails "folder cannot be opened for its fsync" "f/model.bin: written, but its folder f could not be opened" \
    shim "FAIL_OPEN=f" "$M" "${TRAIN[@]}" -o f --max-steps 500 --save-every 100
resume
fails "report.html: ENOSPC" "r/report.html: write failed: No space left on device" \
    shim "FAIL_WRITE=report.html.tmp" "$M" train -o r --resume --max-steps 300 -t 1
check "report.html: ENOSPC after model.bin was saved (step $(step_of r))" test "$(step_of r)" = 300
resume
fails "loss.svg: ENOSPC" "r/loss.svg: write failed" \
    shim "FAIL_WRITE=loss.svg.tmp" "$M" train -o r --resume --max-steps 300 -t 1
fails "export: ENOSPC" "w.safetensors: write failed: No space left on device" \
    shim "FAIL_WRITE=w.safetensors.tmp FAIL_WRITE_AFTER=64" "$M" export -o run --safetensors w.safetensors
check "export: ENOSPC leaves no file" test ! -e w.safetensors

# --- a full file system: a 256 KiB tmpfs that a long run fills
if unshare -m sh -c "mkdir -p $tmp/probe && mount -t tmpfs -o size=64k tmpfs $tmp/probe" 2>/dev/null; then
    mkdir disk
    unshare -m bash -s "$M" "$tmp" >tmpfs.out 2>&1 <<'SH'
M=$1; cd "$2" || exit 1
mount -t tmpfs -o size=256k tmpfs disk || exit 9
"$M" train -i names.txt --lr-find 0 --n-hidden 32 -t 1 --print-every 100000000 -o disk/run \
    --max-steps 100000000 --save-every 500 </dev/null >/dev/null 2>full.err
echo "rc=$?"
grep '^makemore:' full.err
echo "step=$("$M" eval -o disk/run --json | sed -n 's/.*"step": \([0-9]*\).*/\1/p')"
echo "temps=$(ls disk/run | grep -c '\.tmp\.')"
mount -o remount,size=8m disk
"$M" train -o disk/run --resume --max-steps 20000 -t 1 --print-every 100000000 </dev/null >/dev/null 2>resume.err
echo "resumed=$?"
echo "after=$("$M" eval -o disk/run --json | sed -n 's/.*"step": \([0-9]*\).*/\1/p')"
SH
    val() { sed -n "s/^$1=//p" tmpfs.out; }
    msg=$(grep '^makemore:' tmpfs.out)
    if [ "$(val rc)" = 2 ] && [ "$(grep -c '^makemore:' tmpfs.out)" = 1 ] &&
        grep -qE '(log\.csv|model\.bin): (write failed|could not flush to disk): No space left on device' <<<"$msg"; then
        ok "full tmpfs: exit 2, $msg"
    else
        bad "full tmpfs: $(tr '\n' '|' <tmpfs.out)"
    fi
    step=$(val step)
    if [ -n "$step" ] && [ "$step" -gt 0 ] && [ $((step % 500)) -eq 0 ] && [ "$(val temps)" = 0 ]; then
        ok "full tmpfs: model.bin loads, of step $step (a save), no temporary file"
    else
        bad "full tmpfs: model.bin step '$step', $(val temps) temporary files"
    fi
    check "full tmpfs grown: --resume continues to step 20000 ($(val after))" test "$(val resumed)" = 0 -a "$(val after)" = 20000
else
    skip "full tmpfs: unshare -m cannot mount here (needs root)"
    skip "full tmpfs: model.bin loads"
    skip "full tmpfs: --resume"
fi

# --- makemore-mpi: the messages held back while the processes check their
# input go to a temporary file in /tmp; on a full /tmp that is an error
if [ -n "$MPI_BIN" ] && [ -x "$MPI_BIN" ] && command -v mpirun >/dev/null &&
    unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs $tmp/probe" 2>/dev/null; then
    # tmpfile() uses /tmp, made full. The processes start in this folder
    # (under /tmp), so it is bound back; mpirun keeps its session in
    # TMPDIR, a tmpfs of its own.
    unshare -m bash -s "$MPI_BIN" "$tmp" >mpi.out 2>&1 <<'SH'
MPI=$1; cd "$2" || exit 1
mount -t tmpfs -o size=16k tmpfs /tmp || exit 9
mkdir -p "$2" /tmp/session && mount -c --bind /proc/self/cwd "$2" && mount -t tmpfs -o size=64m tmpfs /tmp/session || exit 9
head -c 16384 /dev/zero >/tmp/fill 2>/dev/null
export TMPDIR=/tmp/session OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
run() { timeout 300 mpirun --oversubscribe --bind-to none -n 2 "$MPI" train --max-steps 20 --lr-find 0 "$@" </dev/null >/dev/null 2>mpi.err; }
# a warning (--threads over the cores) is held while the processes agree
run -i names.txt -o mpi --threads 1024
echo "warning=$?"
grep '^makemore:' mpi.err | sed 's/^/warning: /'
# and an error that every process makes
run -i nosuch.txt -o mpi2
echo "error=$?"
grep '^makemore:' mpi.err | sed 's/^/error: /'
SH
    for what in warning error; do
        msg=$(sed -n "s/^$what: //p" mpi.out)
        if [ "$(sed -n "s/^$what=//p" mpi.out)" = 2 ] && [ "$(grep -c "^$what: makemore:" mpi.out)" = 1 ] &&
            grep -q 'held back while the processes checked their input could not all be written' <<<"$msg"; then
            ok "makemore-mpi, full /tmp, a held $what: exit 2, $msg"
        else
            bad "makemore-mpi, full /tmp, a held $what: $(tr '\n' '|' <mpi.out | head -c 600)"
        fi
    done
else
    skip "makemore-mpi, full /tmp, a held warning: needs makemore-mpi (make MPI=1), mpirun and unshare -m"
    skip "makemore-mpi, full /tmp, a held error: needs makemore-mpi (make MPI=1), mpirun and unshare -m"
fi
# --- the page's build: a resumed run appends to log.csv (wasi-libc's
# append stream said position 0, and a second header went in the middle)
if [ -f "$WASM" ] && command -v node >/dev/null; then
    node - "$WASM" "$TESTS_DIR/../web/wasi.js" names.txt >wasm.out 2>&1 <<'JS'
const fs = require('fs'), vm = require('vm');
const [wasm, host, names] = process.argv.slice(2);
const ctx = {self: {}, TextDecoder, TextEncoder, WebAssembly, crypto: require('crypto').webcrypto, performance};
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(host, 'utf8'), ctx);
const W = ctx.self.MakemoreWasi, F = new W.MakemoreFS();
const mod = new WebAssembly.Module(fs.readFileSync(wasm));
F.writeFile('names.txt', fs.readFileSync(names));
const run = (args) => W.runMakemore(mod, F, args);
const a = run(['train', '-i', 'names.txt', '-o', 'out', '--max-steps', '100', '--lr-find', '0', '--n-hidden', '32']);
const b = run(['train', '-o', 'out', '--resume', '--max-steps', '150']);
const log = new TextDecoder().decode(F.files.get('out/log.csv').data.subarray(0, F.files.get('out/log.csv').size));
const headers = log.split('\n').filter(l => l.startsWith('step,')).length;
console.log(`codes=${a.code},${b.code} headers=${headers} rows=${log.trim().split('\n').length - 1}`);
console.log(b.stderr.split('\n').filter(l => l.startsWith('makemore')).join('|'));
JS
    if grep -q '^codes=0,0 headers=1 rows=151$' wasm.out; then
        ok "the page's build resumes: $(head -1 wasm.out) (step 0's evaluation and 150 steps)"
    else
        bad "the page's build resumes: $(tr '\n' '|' <wasm.out | head -c 400)"
    fi
else
    skip "the page's build resumes: needs build-wasm/makemore.wasm (make web) and node"
fi
finish
