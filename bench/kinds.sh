#!/usr/bin/env bash
# Every kind at a fixed budget of steps and of seconds, for docs/MODELS.md.
#
#   bash bench/kinds.sh NAMES_TXT OUT_DIR [STEPS] [SECONDS] [COMPARE_STEPS]
#
# Each kind trains on 1 thread with its own settings: the lecture's kinds
# (mlp, bnmlp, wavenet) with their defaults, makemore.py's with --preset
# makemore-TYPE. Each is trained on the lecture split (its dev loss is
# reported) and on makemore.py's split (its test loss): first STEPS steps
# (default 5000), then as many steps as SECONDS (default 60) of the
# µs/step that run measured. COMPARE_STEPS (default 2000) adds a run of
# each makemore.py type on its split, to set beside bench/torch_zoo.py.
# Writes OUT_DIR/results.txt, one line a run:
#   kind split budget steps loss us_per_step load_average
set -u
M=${MAKEMORE:-./makemore}
data=$1 out=$2 steps=${3:-5000} secs=${4:-60} compare=${5:-2000}
mkdir -p "$out"
KINDS="mlp bnmlp wavenet bigram makemore-mlp rnn gru bow transformer"

flags_of() {
    case $1 in
    mlp | bnmlp | wavenet) echo "--model $1" ;;
    makemore-mlp) echo "--preset makemore-mlp" ;;
    *) echo "--preset makemore-$1" ;;
    esac
}

json_field() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# kind split budget-name steps
run() {
    local kind=$1 split=$2 budget=$3 n=$4 dir=$out/$1.$2.$3
    local which=dev
    [ "$split" = makemore ] && which=test
    rm -rf "$dir"
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2046 # the flags are words
    "$M" train $(flags_of "$kind") --split "$split" -i "$data" -o "$dir" --max-steps "$n" -t 1 --lr-find 0 \
        --samples 0 --save-every 0 --json >"$dir.json" 2>"$dir.err" || { echo "$kind $split $budget failed" >&2; return; }
    "$M" eval -o "$dir" --split "$which" --json -t 1 >"$dir.eval.json"
    echo "$kind $split $budget $n $(json_field "$dir.eval.json" "${which}_loss") $(json_field "$dir.json" us_per_step) $load" \
        >>"$out/results.txt"
}

for kind in bigram makemore-mlp rnn gru bow transformer; do run "$kind" makemore "steps$compare" "$compare"; done
for kind in $KINDS; do
    for split in lecture makemore; do run "$kind" "$split" "steps$steps" "$steps"; done
done
for kind in $KINDS; do
    for split in lecture makemore; do
        us=$(awk -v k="$kind" -v s="$split" -v b="steps$steps" '$1 == k && $2 == s && $3 == b { print $6 }' "$out/results.txt")
        [ -n "$us" ] && run "$kind" "$split" "seconds$secs" "$(awk -v u="$us" -v t="$secs" 'BEGIN { printf "%d", t * 1e6 / u }')"
    done
done
