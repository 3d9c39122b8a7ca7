#!/usr/bin/env bash
# What --resume does with flags and data. A training setting given again
# (--learning-rate, --lr-schedule, --lr-decay, --lr-decay-step,
# --lr-decay-rate, --weight-decay, --momentum, --beta1, --beta2, --eps,
# --warmup-steps, --min-lr) is honoured: one stderr line per change, the new
# value in model.bin's header and in the learning rates of log.csv, a row in
# report.html. --init and --lr-find are refused, as is a finished run and a
# file other than the run's own (its SHA-256 and item count are in
# model.bin), even one with the same characters. A checkpoint without the
# data's identity (older files) still resumes.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 15
cd "$tmp" || exit 1

awk 'BEGIN { srand(8); for (i = 0; i < 1500; i++) { n = 3 + int(rand() * 5); s = "";
    for (j = 0; j < n; j++) s = s substr("aeioubdklmnrst", 1 + int(rand() * 14), 1); print s } }' >w.txt
A=(-n 0 -t 1 --lr-find 0 --n-hidden 16)
"$M" train -i w.txt -o run --max-steps 100 "${A[@]}" >/dev/null 2>&1
check "100 steps of SGD, step schedule (lr 0.1, then 0.01 from step 51)" test $? -eq 0

# the learning rate: steps 101..200 at 0.05 x 0.1, the decay step (50) being behind
"$M" train -o run --resume --max-steps 200 --learning-rate 0.05 -n 0 -t 1 >/dev/null 2>lr.err
rc=$?
check "--resume --learning-rate 0.05 runs (exit $rc)" test "$rc" -eq 0
check "... and says so: $(grep -- '--learning-rate' lr.err)" \
    grep -q -- "--resume: --learning-rate changed from 0.1 to 0.05" lr.err
py "log.csv's learning rates" run/log.csv <<'PY'
import csv, sys
lr = {int(r["step"]): float(r["lr"]) for r in csv.DictReader(open(sys.argv[1])) if r["lr"]}
ok = sorted(lr) == list(range(1, 201)) and all(abs(lr[s] - (0.1 if s <= 50 else 0.01)) < 1e-9 for s in range(1, 101)) \
    and all(abs(lr[s] - 0.005) < 1e-9 for s in range(101, 201))
print(("ok" if ok else "not ok") + f" - log.csv: steps 1..100 as before, 101..200 at 0.05 x 0.1 ({lr.get(101)}, {lr.get(200)})")
PY
check "report.html lists the change" grep -q -- "changed at --resume.*from step 100: --learning-rate 0.1 -&gt; 0.05" run/report.html

# every other setting, on an AdamW run: each change is reported and lands in model.bin's header
"$M" train -i w.txt -o adam --max-steps 50 --optimizer adamw --learning-rate 0.01 "${A[@]}" >/dev/null 2>&1
"$M" train -o adam --resume --max-steps 80 -n 0 -t 1 --lr-schedule cosine --lr-decay 0.5 --lr-decay-step 70 \
    --lr-decay-rate 0.001 --weight-decay 0.02 --momentum 0.8 --beta1 0.85 --beta2 0.99 --eps 1e-6 \
    --warmup-steps 3 --min-lr 0.0001 >/dev/null 2>adam.err
rc=$?
check "--resume with eleven settings changed runs (exit $rc)" test "$rc" -eq 0
py "the settings in model.bin" adam/model.bin adam.err <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
err = open(sys.argv[2]).read()
f64 = lambda o: struct.unpack_from("<d", b, o)[0]
u32 = lambda o: struct.unpack_from("<I", b, o)[0]
u64 = lambda o: struct.unpack_from("<Q", b, o)[0]
want = {"--lr-schedule": (u32(68), 2), "--lr-decay": (f64(80), 0.5), "--lr-decay-step": (u64(88), 70),
        "--lr-decay-rate": (f64(96), 0.001), "--weight-decay": (f64(104), 0.02), "--momentum": (f64(168), 0.8),
        "--beta1": (f64(176), 0.85), "--beta2": (f64(184), 0.99), "--eps": (f64(192), 1e-6),
        "--warmup-steps": (u64(200), 3), "--min-lr": (f64(208), 0.0001)}
bad = [k for k, (got, w) in want.items() if got != w]
print(("ok" if not bad else "not ok") + f" - model.bin holds the eleven new settings (wrong: {bad})")
said = [k for k in want if f"--resume: {k} changed from" not in err]
print(("ok" if not said else "not ok") + f" - one stderr line for each change (missing: {said})")
PY

# refused
expect_error "--resume --init is refused" "--init: the weights of a resumed run exist already" \
    "$M" train -o run --resume --max-steps 300 --init scaled
expect_error "--resume --lr-find is refused" "--lr-find: the learning-rate sweep runs when a run starts" \
    "$M" train -o run --resume --max-steps 300 --lr-find 100
expect_error "--resume on a finished run says so" "run/model\.bin: this run is finished \(step 200 of --max-steps 200\)" \
    "$M" train -o run --resume
expect_error "--resume --max-steps below the step" "--max-steps 150 is before the checkpoint's step 200" \
    "$M" train -o run --resume --max-steps 150
# the same names in another order: the same characters, another file
{ tail -n 750 w.txt; head -n 750 w.txt; } >shuffled.txt
expect_error "--resume on another file with the same characters" \
    "shuffled\.txt: not the data of the run in run/model\.bin \(1500 items, sha256 [0-9a-f]{12}\.\.\., where the run trained on 1500 items" \
    "$M" train -o run --resume --max-steps 300 -i shuffled.txt
cp w.txt copy.txt
"$M" train -o run --resume --max-steps 210 -i copy.txt -n 0 -t 1 >/dev/null 2>copy.err
check "--resume on a copy of the same bytes elsewhere is accepted" test $? -eq 0

# a checkpoint without the data's identity (zeros at 232..243, no digest in
# the body), as older files are: it still loads and resumes, unchecked
py "the identity removed" run/model.bin old/model.bin <<'PY'
import os, struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
pathlen = struct.unpack_from("<I", b, 152)[0]
V = struct.unpack_from("<I", b, 20)[0]
assert struct.unpack_from("<I", b, 232)[0] == 32 and struct.unpack_from("<Q", b, 236)[0] == 1500
body = 256 + 4 * (V - 1) + pathlen
b = b[:body] + b[body + 32:]
b[232:244] = bytes(12)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])))
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
open(sys.argv[2], "wb").write(b)
PY
"$M" train -o old --resume --max-steps 220 -i w.txt -n 0 -t 1 >/dev/null 2>old.err
rc=$?
check "a checkpoint without the data's identity resumes (exit $rc)" test "$rc" -eq 0
finish
