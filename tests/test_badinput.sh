#!/usr/bin/env bash
# Bad input, one table row per case (docs/BAD_INPUT.md lists them). Every
# case must end with exit status 2 (never a signal or a crash), exactly one
# line on stderr, and that line must name the file (and line) or the flag.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 68
cd "$tmp" || exit 1
# expect NAME REGEX COMMAND...: status 2, one stderr line matching REGEX
expect() { expect_error "$@"; }

# --- fixtures ---------------------------------------------------------------
printf 'emma\nolivia\nava\nisabella\nsophia\nmia\namelia\nharper\nevelyn\nabigail\n' >ok.txt
mkdir adir
: >empty.txt
printf '\n\n  \n\r\n\t\n' >blank.txt
printf 'ab\nc\0d\n' >nul.txt
printf 'ab\ncd\xffe\n' >badutf8.txt
{ echo ok; echo fine; head -c 257 /dev/zero | tr '\0' y; echo; } >long.txt
# 4200 distinct CJK characters, 100 to a line: over the 4095 the vocabulary holds
awk 'BEGIN { for (i = 0; i < 4200; i++) { c = 19968 + i;
    printf "%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64;
    if (i % 100 == 99) printf "\n" } }' >many.txt
printf 'xyz\nqqq\n' >other.txt
touch afile
mkdir -p ckdir/model.bin
# a small trained model, and damaged copies of it
"$M" train -i ok.txt -o good --max-steps 20 --n-hidden 8 --n-embd 2 --samples 0 -t 1 >/dev/null 2>&1
check "the fixture model trains" test $? -eq 0
mkdir -p trunc magic version crc nan emptyck
head -c 1000 good/model.bin >trunc/model.bin
: >emptyck/model.bin
py "damaged checkpoints" <<'EOF'
import struct, zlib
b = open('good/model.bin', 'rb').read()
def put(path, data, fix_crc=False):
    data = bytearray(data)
    if fix_crc:
        data[-4:] = struct.pack('<I', zlib.crc32(bytes(data[:-4])))
    open(path, 'wb').write(data)
put('magic/model.bin', b'NOTMAGIC' + b[8:])
put('version/model.bin', b[:8] + struct.pack('<I', 99) + b[12:])
c = bytearray(b); c[-40] ^= 0x10; put('crc/model.bin', c)
n = bytearray(b); n[-8:-4] = struct.pack('<f', float('nan')); put('nan/model.bin', n, fix_crc=True)
EOF

# --- text input -------------------------------------------------------------
T=(train -o out --max-steps 1 --samples 0 -t 1)
expect "missing file" "nope\.txt: No such file" "$M" "${T[@]}" -i nope.txt
expect "a directory" "adir: is a directory" "$M" "${T[@]}" -i adir
expect "empty file" "empty\.txt: no items" "$M" "${T[@]}" -i empty.txt
expect "only blank lines" "blank\.txt: no items" "$M" "${T[@]}" -i blank.txt
expect "NUL byte" "nul\.txt:2: NUL byte" "$M" "${T[@]}" -i nul.txt
expect "invalid UTF-8" "badutf8\.txt:2: invalid UTF-8" "$M" "${T[@]}" -i badutf8.txt
expect "line over 256 characters" "long\.txt:3: line longer than 256" "$M" "${T[@]}" -i long.txt
expect "over 4095 distinct characters" "many\.txt: 4200 distinct characters, over the limit of 4095" \
    "$M" "${T[@]}" -i many.txt
expect "-i path too long" "^makemore: -i: path too long" "$M" "${T[@]}" -i "$(printf 'x%.0s' {1..5000})"
expect "eval -i missing file" "nope\.txt: No such file" "$M" eval -o good -i nope.txt
check "no -o folder is left behind by a failed start" test ! -e out

# An unreadable file. root reads anything, so as root the case runs as the
# unprivileged user nobody (setpriv, util-linux); without setpriv it skips.
cp ok.txt locked.txt && chmod 000 locked.txt
if [ "$(id -u)" -ne 0 ]; then
    expect "unreadable file" "locked\.txt: Permission denied" "$M" "${T[@]}" -i locked.txt
else
    chmod 755 "$tmp"
    nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    if ! command -v setpriv >/dev/null; then
        skip "unreadable file: running as root, which reads any file, and setpriv is missing"
    else
        # a copy in the open test folder: the checkout's own folders may be closed to nobody
        cp "$M" "$tmp/makemore-nobody" && chmod 755 "$tmp/makemore-nobody"
        expect "unreadable file (as nobody)" "locked\.txt: Permission denied" "${nobody[@]}" "$tmp/makemore-nobody" "${T[@]}" -i locked.txt
    fi
fi

# --- output folder ----------------------------------------------------------
expect "-o under a regular file" "-o afile/sub: cannot create the folder" \
    "$M" train -i ok.txt -o afile/sub --max-steps 1 --samples 0
expect "-o is a regular file" "-o afile: not a folder" "$M" train -i ok.txt -o afile --max-steps 1 --samples 0
expect "model.bin is a folder" "ckdir/model\.bin: exists and is not a regular file" \
    "$M" train -i ok.txt -o ckdir --max-steps 1 --samples 0
expect "export to an unwritable path" "afile/w\.safetensors: cannot write" \
    "$M" export -o good --safetensors afile/w.safetensors

# --- an earlier run's model -----------------------------------------------
expect "train over an earlier run's model.bin" "good/model\.bin exists, from an earlier run: pass --resume .* or --force" \
    "$M" train -i ok.txt -o good --max-steps 1
expect "--resume with --force" "--resume and --force: choose one" "$M" train -o good --resume --force
printf 'onlyone\n' >one.txt
expect "a 1-line file names the file" "one\.txt: 1 item leaves the training split empty" \
    "$M" train -i one.txt -o out1 --max-steps 1
expect "lr-find on a 1-line file names the file" "one\.txt: 1 item leaves the training split empty" \
    "$M" lr-find -i one.txt -o out1
expect "train without -i and without data/names.txt" "no -i FILE given, and the default data/names\.txt does not exist: pass -i FILE" \
    "$M" train -o out2 --max-steps 1
expect "sweep without -i and without data/names.txt" "no -i FILE given.*pass -i FILE" "$M" sweep -o out2

# --- checkpoints ------------------------------------------------------------
expect "no checkpoint" "nowhere/model\.bin: No such file" "$M" sample -o nowhere
expect "empty checkpoint" "emptyck/model\.bin: truncated" "$M" sample -o emptyck
expect "truncated checkpoint" "trunc/model\.bin: 1000 bytes, but its header describes [0-9]+: truncated" \
    "$M" sample -o trunc
expect "wrong magic" "magic/model\.bin: not a makemore checkpoint" "$M" eval -o magic
expect "wrong version" "version/model\.bin: checkpoint version 99" "$M" sample -o version
expect "checksum mismatch" "crc/model\.bin: checksum mismatch" "$M" export -o crc --safetensors x.st
expect "NaN parameters" "nan/model\.bin: parameters contain NaN" "$M" sample -o nan
expect "checkpoint folder is a file" "afile/model\.bin" "$M" sample -o afile
expect "--resume with another --n-hidden" "--n-hidden 16 disagrees with the checkpoint's 8" \
    "$M" train -o good --resume --n-hidden 16
expect "--resume with another --block-size" "--block-size 5 disagrees with the checkpoint's 3" \
    "$M" train -o good --resume --block-size 5
expect "--resume on a file with other characters" "other\.txt: not the data of the run in good/model\.bin" \
    "$M" train -o good --resume -i other.txt --max-steps 40
expect "--resume without a checkpoint" "nowhere/model\.bin: No such file" "$M" train -o nowhere --resume
expect "eval -i outside the vocabulary" "other\.txt:[12]: character '[xyzq]' \(U\+00[0-9A-F]{2}\) is not in" \
    "$M" eval -o good -i other.txt

# --- flags ------------------------------------------------------------------
F=(train -i ok.txt -o out)
expect "zero --n-hidden" "--n-hidden: 0 is outside 1\.\.65536" "$M" "${F[@]}" --n-hidden 0
expect "negative --n-embd" "--n-embd: -3 is outside" "$M" "${F[@]}" --n-embd -3
expect "zero --block-size" "--block-size: 0 is outside" "$M" "${F[@]}" --block-size 0
expect "zero --batch-size" "--batch-size: 0 is outside" "$M" "${F[@]}" --batch-size 0
expect "huge --batch-size" "--batch-size: 99999999999 is outside" "$M" "${F[@]}" --batch-size 99999999999
expect "batch too big for memory" "--batch-size 1048576 need about [0-9]+ MiB of memory, over the" \
    "$M" "${F[@]}" --batch-size 1048576 --n-hidden 65536
expect "context too wide" "--block-size x --n-embd = 67108864 is over 65536" \
    "$M" "${F[@]}" --block-size 1024 --n-embd 65536
expect "NaN --learning-rate" "--learning-rate: 'nan' is not a finite number" "$M" "${F[@]}" --learning-rate nan
expect "infinite --learning-rate" "--learning-rate: 'inf' is not a finite number" "$M" "${F[@]}" -l inf
expect "negative --learning-rate" "--learning-rate: -1 is outside" "$M" "${F[@]}" --learning-rate -1
expect "negative --max-steps" "--max-steps: -5 is outside" "$M" "${F[@]}" --max-steps -5
expect "non-integer --max-steps" "--max-steps: '1e3' is not an integer" "$M" "${F[@]}" --max-steps 1e3
expect "trailing junk" "--n-hidden: '12x' is not an integer" "$M" "${F[@]}" --n-hidden 12x
expect "negative --seed" "--seed: '-1' must be a non-negative integer" "$M" "${F[@]}" --seed -1
expect "blank before a number" "--seed: ' -5' starts with a blank" "$M" "${F[@]}" --seed ' -5'
expect "--seed over 2^64" "--seed: '18446744073709551616' is not an integer" \
    "$M" "${F[@]}" --seed 18446744073709551616
expect "too many --threads" "--threads: 5000 is outside" "$M" "${F[@]}" --threads 5000
expect "unknown --lr-schedule" "--lr-schedule 'bogus'" "$M" "${F[@]}" --lr-schedule bogus
expect "unknown --init" "--init 'bogus'" "$M" "${F[@]}" --init bogus
expect "unknown flag" "unknown flag '--frobnicate'" "$M" "${F[@]}" --frobnicate
expect "missing value" "--seed needs a value" "$M" "${F[@]}" --seed
expect "empty value" "--work-dir needs a non-empty value" "$M" train -i ok.txt -o ''
expect "stray argument" "unexpected argument 'extra'" "$M" "${F[@]}" extra
expect "value for a switch" "--json takes no value" "$M" "${F[@]}" --json=1
expect "negative -n" "--num-samples: -1 is outside" "$M" sample -o good -n -1
expect "zero --temperature points to --top-k 1" "--temperature 0: must be at least 0\.001; .*use --top-k 1" \
    "$M" sample -o good --temperature 0
expect "negative --temperature" "--temperature: -1 is outside" "$M" sample -o good --temperature -1
expect "NaN --temperature" "--temperature: 'nan' is not a finite number" "$M" sample -o good --temperature nan
expect "negative --top-k" "--top-k: -1 is outside" "$M" sample -o good --top-k -1
expect "unknown --split" "--split 'foo'" "$M" eval -o good --split foo
expect "export without --safetensors" "--safetensors FILE is required" "$M" export -o good
expect "unknown command" "unknown command 'bogus'" "$M" bogus
finish
