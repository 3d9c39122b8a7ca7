#!/usr/bin/env python3
"""Runs a PyTorch peer under a named BLAS with its threads matched, and
proves which BLAS it got.

  /usr/bin/python3 bench/peer_blas.py BLAS THREADS SCRIPT [ARGS...]

BLAS is "openblas" (Debian's libopenblas0-pthread, what libblas.so.3
points to once it is installed) or "reference" (Debian's reference BLAS
and LAPACK, forced with LD_LIBRARY_PATH). THREADS goes to
torch.set_num_threads and to OPENBLAS_NUM_THREADS. The process re-executes
itself in that environment (peer_env below) unless it already runs in it. After importing torch the process
reads /proc/self/maps: it refuses to run (exit 3) unless exactly the
wanted BLAS is mapped, then prints one line to stderr,
"peer_blas: {json}", naming the library files, and runs SCRIPT with
ARGS as its __main__.
"""
import json
import os
import runpy
import sys

ARCH_LIB = "/usr/lib/x86_64-linux-gnu"
REFERENCE_DIRS = [os.path.join(ARCH_LIB, "blas"), os.path.join(ARCH_LIB, "lapack")]
BLASES = ("openblas", "reference")


def peer_env(blas, threads, base=None):
    """The environment a peer runs in: the BLAS chosen by library path,
    OpenBLAS's threads set to torch's."""
    env = dict(os.environ if base is None else base)
    env.pop("LD_LIBRARY_PATH", None)
    if blas == "reference":
        env["LD_LIBRARY_PATH"] = ":".join(REFERENCE_DIRS)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    return env


def mapped_blas():
    """The BLAS and LAPACK files this process has mapped."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            if base.startswith(("libblas", "liblapack", "libopenblas", "libmkl", "libblis", "libcblas")):
                libs.add(os.path.realpath(path))
    return sorted(libs)


def which(libs):
    """'openblas', 'reference', 'mkl' or 'mixed: ...' from the mapped files."""
    openblas = any("openblas" in os.path.basename(p) for p in libs)
    reference = any(os.path.dirname(p) in REFERENCE_DIRS for p in libs)
    mkl = any("mkl" in os.path.basename(p) for p in libs)
    kinds = [k for k, on in (("openblas", openblas), ("reference", reference), ("mkl", mkl)) if on]
    return kinds[0] if len(kinds) == 1 else "mixed: " + "+".join(kinds) if kinds else "none"


def openblas_threads(libs):
    import ctypes
    for p in libs:
        if "libopenblas" in os.path.basename(p):
            try:
                return ctypes.CDLL(p).openblas_get_num_threads()
            except (OSError, AttributeError):
                return None
    return None


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in BLASES:
        sys.exit("usage: peer_blas.py openblas|reference THREADS SCRIPT [ARGS...]")
    blas, threads, script = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    env = peer_env(blas, threads)
    if any(os.environ.get(k) != env.get(k) for k in ("LD_LIBRARY_PATH", "OPENBLAS_NUM_THREADS")):
        os.execve(sys.executable, [sys.executable] + sys.argv, env)  # the loader reads them at start
    import torch
    torch.set_num_threads(threads)
    a = torch.ones(64, 64)
    (a @ a).sum().item()  # the BLAS is loaded and called
    libs = mapped_blas()
    got = which(libs)
    info = dict(want=blas, got=got, libs=libs, torch_threads=torch.get_num_threads(),
                openblas_threads=openblas_threads(libs))
    if got != blas:
        print("peer_blas: wanted %s BLAS, the process has %s mapped: %s" % (blas, got, ", ".join(libs) or "nothing"),
              file=sys.stderr)
        sys.exit(3)
    print("peer_blas: " + json.dumps(info), file=sys.stderr, flush=True)
    sys.argv = [script] + sys.argv[4:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
