#!/usr/bin/env bash
# The Python module (python/makemore, ctypes over libmakemore.so) with the
# system's /usr/bin/python3 and, when it is another one, the python3 on PATH.
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
# python_api.py declares its own count (PLAN = N); it runs once per Python
per=$(sed -n 's/^PLAN = \([0-9][0-9]*\)$/\1/p' "$here/python_api.py")
plan $((1 + ${per:-0} * ${#pythons[@]}))
check "$MAKEMORE_LIB exists (make builds it), python_api.py declares its plan ($per)" \
    test -f "$MAKEMORE_LIB" -a -n "$per"
for i in "${!pythons[@]}"; do
    py=${pythons[$i]}
    mkdir -p "$tmp/$i"
    # its own plan line is left out: this script's covers it
    "$py" "$here/python_api.py" "$M" "$tmp/$i" 2>&1 | grep -v '^1\.\.[0-9]*$'
    rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || { echo "# $py: python_api.py exited $rc"; _lib_failed=1; }
done
finish
