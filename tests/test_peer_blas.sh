#!/usr/bin/env bash
# make bench's PyTorch peers run under a named BLAS (bench/peer_blas.py):
# under "openblas" torch must map OpenBLAS and nothing else, with
# OpenBLAS's threads set to torch's; under "reference" Debian's reference
# BLAS and LAPACK and no OpenBLAS; and a process with both mapped is
# refused (exit 3), so no figure is ever labelled with the wrong BLAS.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null; then skip_all "peer BLAS: /usr/bin/python3 cannot import torch"; fi
arch=/usr/lib/x86_64-linux-gnu
if [ ! -e $arch/openblas-pthread/libblas.so.3 ] || [ ! -e $arch/blas/libblas.so.3 ]; then
    skip_all "peer BLAS: needs libopenblas0-pthread and libblas3 (bench/setup.sh installs them)"
fi
plan 3
cat >"$tmp/mm.py" <<'PY'
import torch
a = torch.randn(128, 128)
print("product", round(float((a @ a.t()).trace() / (a * a).sum()), 4))
PY
field() { sed -n 's/^peer_blas: //p' "$tmp/err" | $PY -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
for blas in openblas reference; do
    $PY bench/peer_blas.py $blas 2 "$tmp/mm.py" >"$tmp/out" 2>"$tmp/err"
    got=$(field 'd["got"], d["torch_threads"], d["openblas_threads"], len(d["libs"])' 2>/dev/null)
    want="$blas 2 $([ $blas = openblas ] && echo 2 || echo None)"
    case "$got" in
    "$want "[1-9]*) grep -q "^product 1.0$" "$tmp/out" && ok "$blas: torch maps $blas only (${got##* } files), threads: torch 2, OpenBLAS $(cut -d' ' -f3 <<<"$got"); the script ran" ||
                    bad "$blas: the script's output: $(cat "$tmp/out")" ;;
    *) bad "$blas: got '$got', want '$want N': $(tail -2 "$tmp/err")" ;;
    esac
done
LD_PRELOAD=$arch/blas/libblas.so.3 $PY bench/peer_blas.py openblas 1 "$tmp/mm.py" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 3 ] && grep -q "mixed" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "both BLASes mapped: refused before the script ran ($(head -c 90 "$tmp/err")...)"
else
    bad "both BLASes mapped: exit $rc, $(cat "$tmp/err" | tail -2)"
fi
finish
