#!/usr/bin/env bash
# The page (make web) in real Chromium, driven by puppeteer-core: training
# through window.makemore.run and through the buttons, plots and samples,
# the next token's bars for a typed prefix, a word file trained with
# tokens = words (bars for the 20 likeliest words, samples in words); losses,
# probabilities and samples equal to the native portable build's; model.bin
# both ways, a bad upload's message, no network request. Runs with the
# portable build (its numbers are the ones the page must equal) when the
# page, the npm packages (cd tests/web && npm ci) and chromium are there;
# else skipped.
cd "$(dirname "$0")/.."
source tests/lib.sh
page=web/dist/makemore.html
chrome=${CHROMIUM:-$(command -v chromium || true)}
case "$M" in
    *portable) ;;
    *) skip_all "web page tests: they compare with the portable build (make PORTABLE=1 test)" ;;
esac
if [ ! -f "$page" ] || [ ! -d tests/web/node_modules/puppeteer-core ] || [ -z "$chrome" ] || [ -z "${NAMES_TXT:-}" ]; then
    skip_all "web page tests: need $page (make web), tests/web/node_modules (npm ci), chromium and NAMES_TXT"
fi
plan 27 # tests/web/test_web.mjs: 4 losses and 23 checks of the page (6 of them in word mode)
MAKEMORE=$M CHROMIUM=$chrome WORK=$tmp node tests/web/test_web.mjs "$page" || _lib_failed=1
finish
