#!/usr/bin/env bash
# make bench's set-up: the PyTorch peers run under OpenBLAS (Debian's
# libopenblas0-pthread, which libblas.so.3 then points to) and, for the
# second column, under Debian's reference BLAS and LAPACK (libblas3,
# liblapack3, which python3-torch already pulls in). Installs what is
# missing when it can (root, apt-get, under /tmp/apt.lock as every apt run
# on a shared machine), otherwise says what to install and fails.
set -u
want="libopenblas0-pthread libblas3 liblapack3 python3-torch"
missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bench/setup.sh: installing$missing"
        flock /tmp/apt.lock apt-get install -y --no-install-recommends $missing || exit 1
    else
        echo "bench/setup.sh: make bench needs$missing: sudo apt-get install$missing" >&2
        exit 2
    fi
fi
arch=/usr/lib/x86_64-linux-gnu
for f in "$arch/openblas-pthread/libblas.so.3" "$arch/blas/libblas.so.3" "$arch/lapack/liblapack.so.3"; do
    [ -e "$f" ] || { echo "bench/setup.sh: $f is missing (the peers' BLAS)" >&2; exit 2; }
done
