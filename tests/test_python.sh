#!/usr/bin/env bash
# The Python package (python/makemore, ctypes over libmakemore.so) from the
# source tree, with the system's /usr/bin/python3 and, when it is another one, the python3 on PATH.
#   MAKEMORE  the binary;  MAKEMORE_LIB  the shared library (default: the
#   build folder next to the binary)
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${MM_SANITIZER:-}" ]; then
    skip_all "the Python module: the sanitizer build makes no shared library"
fi
if [ -z "${MAKEMORE_LIB:-}" ]; then
    build=$(basename "$M" | sed 's/^makemore/build/')
    export MAKEMORE_LIB=$here/../$build/libmakemore.so.1
fi
pythons=(/usr/bin/python3)
other=$(command -v python3 || true)
if [ -n "$other" ] && [ "$(readlink -f "$other")" != "$(readlink -f /usr/bin/python3)" ] &&
    [ "$("$other" -c 'import sys; print(sys.executable)' 2>/dev/null)" != "$(/usr/bin/python3 -c 'import sys; print(sys.executable)')" ]; then
    pythons+=("$other")
fi
# Each script declares its own count (PLAN = N) and runs once per Python;
# python_arrays.py is told whether that Python has numpy (arrays) or not (lists).
scripts=(python_api.py python_arrays.py python_train.py python_words.py)
total=0
for s in "${scripts[@]}"; do
    n=$(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$here/$s")
    [ -n "$n" ] || { plan 1; bad "$s declares no PLAN"; finish; }
    total=$((total + n))
done
plan $((1 + total * ${#pythons[@]}))
check "$MAKEMORE_LIB exists (make builds it)" test -f "$MAKEMORE_LIB"
for i in "${!pythons[@]}"; do
    py=${pythons[$i]}
    arrays=lists
    "$py" -c 'import numpy' 2>/dev/null && arrays=numpy
    for s in "${scripts[@]}"; do
        mkdir -p "$tmp/$i/$s"
        # its own plan line is left out: this script's covers it
        "$py" "$here/$s" "$M" "$tmp/$i/$s" "$arrays" 2>&1 | grep -v '^1\.\.[0-9]*$'
        rc=${PIPESTATUS[0]}
        [ "$rc" -eq 0 ] || { echo "# $py: $s exited $rc"; _lib_failed=1; }
    done
done
finish
