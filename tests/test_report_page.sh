#!/usr/bin/env bash
# report.html's interactive panel in real Chromium (puppeteer-core): a
# tiny model of every kind is trained by the binary under test, which puts
# web/dist/report-panel.html (make web) into each report; then each page,
# opened from file://, must give for a typed prefix the bars of
# `makemore probs` to 1e-5, the same from window.makemore.nextProbs, the
# samples of `makemore sample` at the slider's temperature, the CLI's
# message for a bad prefix, and make no network request.
# Runs in the default build's pass (make test), after make web and
# `cd tests/web && npm ci`; else one skip line.
#   MAKEMORE  the binary;  NAMES_TXT  names.txt (else made-up names)
cd "$(dirname "$0")/.."
source tests/lib.sh
panel=web/dist/report-panel.html
chrome=${CHROMIUM:-$(command -v chromium || true)}
if [ -n "${MM_SANITIZER:-}" ] || [[ $MM == *portable ]]; then
    skip_all "report.html's panel in Chromium: runs in the default build's make test"
fi
if [ ! -f "$panel" ] || [ ! -d tests/web/node_modules/puppeteer-core ] || [ -z "$chrome" ]; then
    skip_all "report.html's panel in Chromium: needs $panel (make web), tests/web/node_modules (npm ci) and chromium"
fi
if [ -n "${NAMES_TXT:-}" ] && [ -f "$NAMES_TXT" ]; then
    head -n 3000 "$NAMES_TXT" >"$tmp/names.txt"
else
    awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) { n = 3 + int(rand() * 5); s = "";
        for (j = 0; j < n; j++) s = s substr("aeioubdklmnrst", 1 + int(rand() * 14), 1); print s } }' >"$tmp/names.txt"
fi
sizes() { # small sizes each kind takes
    case $1 in
        bigram) ;;
        bnmlp) echo --n-embd 8 --n-hidden 16 --n-layers 2 ;;
        transformer) echo --n-embd 16 --n-layers 2 --n-head 2 ;;
        *) echo --n-embd 8 --n-hidden 16 ;;
    esac
}
# 1 check here, then tests/web/test_report.mjs: 9 per kind and 2 over all;
# then a word model: 1 here and 7 in tests/web/test_report_words.mjs
plan 92
runs=()
for kind in mlp bnmlp wavenet bigram makemore-mlp rnn gru bow transformer; do
    # shellcheck disable=SC2046 # sizes gives separate flags
    if ! "$MM" train -i "$tmp/names.txt" -o "$tmp/$kind" --model "$kind" --max-steps 200 --lr-find 0 -n 1 -t 1 \
            $(sizes "$kind") >/dev/null 2>"$tmp/err"; then
        bad "train --model $kind: $(tail -n 1 "$tmp/err")"
        continue
    fi
    if grep -q 'id="mm-model"' "$tmp/$kind/report.html" && grep -q 'id="mm-wasm"' "$tmp/$kind/report.html"; then
        runs+=("$kind=$tmp/$kind")
    else
        bad "$kind: report.html has no panel though $panel is there"
    fi
done
check "trained a model of each of the 9 kinds, each report.html with the panel and its model.bin" \
    [ ${#runs[@]} -eq 9 ]
[ ${#runs[@]} -gt 0 ] || finish
MAKEMORE=$M CHROMIUM=$chrome node tests/web/test_report.mjs "${runs[@]}" || _lib_failed=1

# a word model: typed words, bars for the 20 likeliest next words
awk 'BEGIN { srand(5); split("the old man and sea a boat sat on by his big fish was far out in deep blue water " \
    "he saw it come near then went home to sleep all night long", w, " ");
    for (i = 0; i < 2000; i++) { n = 3 + int(rand() * 8); s = "the old";
        for (j = 0; j < n; j++) s = s " " w[1 + int(rand() * 36)]; print s } }' >"$tmp/words.txt"
if "$MM" train -i "$tmp/words.txt" -o "$tmp/words" --tokens word --max-steps 300 --lr-find 0 -n 1 -t 1 \
        --n-embd 8 --n-hidden 16 >/dev/null 2>"$tmp/err" && grep -q 'id="mm-wasm"' "$tmp/words/report.html"; then
    ok "trained a word model, its report.html with the panel"
    MAKEMORE=$M CHROMIUM=$chrome node tests/web/test_report_words.mjs "$tmp/words" "the old" || _lib_failed=1
else
    bad "train --tokens word: $(tail -n 1 "$tmp/err")"
fi
finish
