#!/usr/bin/env bash
# The page (make web) in real Chromium, driven by puppeteer-core: training
# through window.makemore.run and through the buttons, plots and samples,
# losses equal to the native portable build's, model.bin both ways, a bad
# upload's message, no network request. Runs with the portable build (its
# losses are the ones the page must equal) when the page, the npm packages
# (cd tests/web && npm ci) and chromium are there; else one skip line.
set -u
cd "$(dirname "$0")/.."
page=web/dist/makemore.html
chrome=${CHROMIUM:-$(command -v chromium || true)}
case "$MAKEMORE" in
    *portable) ;;
    *) echo "skip - web page tests: they compare with the portable build (make PORTABLE=1 test)"; exit 0 ;;
esac
if [ ! -f "$page" ] || [ ! -d tests/web/node_modules/puppeteer-core ] || [ -z "$chrome" ] || [ -z "${NAMES_TXT:-}" ]; then
    echo "skip - web page tests: need $page (make web), tests/web/node_modules (npm ci), chromium and NAMES_TXT"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CHROMIUM=$chrome WORK=$tmp node tests/web/test_web.mjs "$page"
