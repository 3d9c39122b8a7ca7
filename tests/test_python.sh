#!/usr/bin/env bash
# The Python module (python/makemore, ctypes over libmakemore.so) with the
# system's /usr/bin/python3 and, when it is another one, the python3 on PATH.
#   MAKEMORE  the binary;  MAKEMORE_LIB  the shared library (default: the
#   build folder next to the binary)
set -u
MM=${MAKEMORE:-./makemore}
case $MM in /*) ;; *) MM=$PWD/$MM ;; esac
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${MM_SANITIZER:-}" ]; then
    echo "skip - the Python module: the sanitizer build makes no shared library"
    exit 0
fi
if [ -z "${MAKEMORE_LIB:-}" ]; then
    build=$(basename "$MM" | sed 's/^makemore/build/')
    export MAKEMORE_LIB=$here/../$build/libmakemore.so.1
fi
if [ ! -f "$MAKEMORE_LIB" ]; then echo "not ok - $MAKEMORE_LIB is missing (make builds it)"; exit 1; fi
pythons=(/usr/bin/python3)
other=$(command -v python3 || true)
if [ -n "$other" ] && [ "$(readlink -f "$other")" != "$(readlink -f /usr/bin/python3)" ] &&
    [ "$("$other" -c 'import sys; print(sys.executable)' 2>/dev/null)" != "$(/usr/bin/python3 -c 'import sys; print(sys.executable)')" ]; then
    pythons+=("$other")
fi
status=0
for py in "${pythons[@]}"; do
    tmp=$(mktemp -d)
    out=$("$py" "$here/python_api.py" "$MM" "$tmp" 2>&1)
    rc=$?
    rm -rf "$tmp"
    echo "$out"
    plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$out")
    ran=$(grep -c '^\(not \)\?ok - ' <<<"$out")
    if [ "$rc" -ne 0 ] || [ -z "$plan" ] || [ "$ran" -ne "$plan" ]; then
        echo "not ok - $py: python_api.py exited $rc after $ran of ${plan:-?} checks"
        status=1
    fi
done
exit $status
