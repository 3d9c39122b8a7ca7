#!/usr/bin/env bash
# By hand, not in the tests: the lecture's 200,000-step run in the page
# (Chromium, headless) against the native programs on the same machine, one
# after the other, ROUNDS times (default 3; medians reported); writes the
# "In the browser" section of bench/RESULTS.md.
#   make && make PORTABLE=1 && make web && (cd tests/web && npm ci)
#   NAMES_TXT=... [ROUNDS=3] bash bench/web.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NAMES_TXT:?set NAMES_TXT to names.txt}"
STEPS=${1:-200000} CHROMIUM=${CHROMIUM:-$(command -v chromium)} node bench/web.mjs web/dist/makemore.html
