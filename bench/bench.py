#!/usr/bin/env python3
"""makemore against the PyTorch peer, side by side on this machine, in one run.

  make bench                      (builds, then runs this; about 6 minutes)
  /usr/bin/python3 bench/bench.py [--rounds N] [--steps N] [--quick]

Environment: NAMES_TXT (default data/names.txt), TORCH_MLP (default
../shared/reference/torch_mlp.py), PYTHON (default /usr/bin/python3),
MAKEMORE and BENCH_BIN (set by make: the binary and build/bench).

Training at the lecture's settings alternates the programs (ours with 1 and
2 threads; the peer with 1 and 2 threads under OpenBLAS, then under the
reference BLAS) for several rounds, so that a slow spell of the machine
hits all of them; medians are compared. The peer runs through
bench/peer_blas.py, which checks that the BLAS asked for is the one torch
loaded (and that OpenBLAS's threads are torch's). Both report the time of
their training loop alone (no data loading or evaluation). Ratios are
against the peer under OpenBLAS at the same thread count; the reference
BLAS figures are a second, labelled column. Writes bench/RESULTS.md and
prints the same figures.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.path.abspath(os.environ.get("MAKEMORE", os.path.join(ROOT, "makemore")))
PY = os.environ.get("PYTHON", "/usr/bin/python3")
PEER = os.path.abspath(os.environ.get("TORCH_MLP", os.path.join(ROOT, "..", "shared", "reference", "torch_mlp.py")))
NAMES = os.path.abspath(os.environ.get("NAMES_TXT", os.path.join(ROOT, "data", "names.txt")))
BENCH_BIN = os.path.abspath(os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "bench")))
LECTURE = dict(batch=32, block=3, emb=10, hidden=200)
V = 27


def flops_per_step(batch, block, emb, hidden):
    """Multiply-adds x 2 of the three matrix products per layer: forward,
    weight gradient, input gradient (the embedding's gather and scatter and
    the elementwise work are not counted)."""
    k = block * emb
    return 6 * batch * (k * hidden + hidden * V)


def run(cmd, log):
    log.append(" ".join(cmd))
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    return p.stdout, time.time() - t0


def ours(steps, threads, log, workdir, batch=32, hidden=200, rss=False):
    cmd = [MM, "train", "-i", NAMES, "-o", workdir, "--max-steps", str(steps), "--batch-size", str(batch),
           "--n-hidden", str(hidden), "--threads", str(threads), "--json", "--samples", "0", "--save-every", "0", "--force"]
    if rss:
        cmd = ["/usr/bin/time", "-f", "maxrss_kib %M"] + cmd
        log.append(" ".join(cmd))
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("bench: %s failed: %s" % (" ".join(cmd), p.stderr[-2000:]))
        res = json.loads(p.stdout)
        res["maxrss_kib"] = int(re.search(r"maxrss_kib (\d+)", p.stderr).group(1))
        return res
    out, _ = run(cmd, log)
    return json.loads(out)


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_blas import peer_env  # noqa: E402

PEER_BLAS = os.path.join(ROOT, "bench", "peer_blas.py")
BLAS_SEEN = {}  # (blas, threads) -> what bench/peer_blas.py found mapped


def run_peer(cmd, blas, threads, log):
    """cmd (a python script and its arguments) under bench/peer_blas.py."""
    full = [PY, PEER_BLAS, blas, str(threads)] + cmd
    log.append("%s%s" % ("LD_LIBRARY_PATH=%s " % peer_env(blas, threads)["LD_LIBRARY_PATH"]
                          if blas == "reference" else "", " ".join(full)))
    p = subprocess.run(full, capture_output=True, text=True, env=peer_env(blas, threads))
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(full), p.returncode, p.stderr[-2000:]))
    m = re.search(r"^peer_blas: (\{.*\})$", p.stderr, re.M)
    BLAS_SEEN[(blas, threads)] = json.loads(m.group(1))
    return p.stdout


def peer(steps, threads, log, batch=32, hidden=200, blas="openblas"):
    cmd = [PEER, "--data", NAMES, "--steps", str(steps), "--batch", str(batch), "--hidden", str(hidden),
           "--threads", str(threads), "--json"]
    return json.loads(run_peer(cmd, blas, threads, log))


def machine():
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    get = lambda k: (re.search(r"^%s:\s*(.*)$" % re.escape(k), lscpu, re.M) or [None, "?"])[1]
    flags = get("Flags").split()
    simd = [f for f in ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_bf16") if f in flags]
    cc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    torch_v = subprocess.run([PY, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                             text=True).stdout.strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return dict(model=get("Model name"), cpus=get("CPU(s)"), threads_per_core=get("Thread(s) per core"),
                hypervisor=get("Hypervisor vendor"), l2=get("L2 cache"), l3=get("L3 cache"),
                simd=" ".join(simd), mem_gib="%.0f" % mem, kernel=platform.release(), gcc=cc, torch=torch_v,
                load=open("/proc/loadavg").read().split()[:3])


def median(xs):
    return statistics.median(xs)


def lecture_rounds(args, log, tmp):
    times = {k: [] for k in ("ours1", "ours2", "peer1", "peer2", "ref1", "ref2")}
    losses = {}
    for r in range(args.rounds):
        for key in times:  # alternate A, B, A, B ...
            t = int(key[-1])
            if key.startswith("ours"):
                res = ours(args.steps, t, log, os.path.join(tmp, "lecture"))
            else:  # the peer is slower: a tenth of the steps (a twentieth under the reference BLAS)
                blas = "openblas" if key.startswith("peer") else "reference"
                res = peer(args.steps // (10 if blas == "openblas" else 20), t, log, blas=blas)
            times[key].append(res["us_per_step"])
            losses[key] = (res["train_loss"], res["dev_loss"])
        print("round %d: %s" % (r + 1, "  ".join("%s %.1f" % (k, v[-1]) for k, v in times.items())), flush=True)
    return times, losses


def scaling(args, log, tmp):
    rows = []
    for hidden in (200, 512, 1024):
        for batch in (32, 256, 1024):
            f = flops_per_step(batch, 3, 10, hidden)
            row = dict(hidden=hidden, batch=batch, mflop=f / 1e6)
            n_ours = max(200, min(20000, int(args.scale_s / (f / 50e9))))
            n_peer = max(20, min(2000, int(args.scale_s / (f / 20e9 + 4e-4))))
            for t in (1, 2):  # the peer's second thread is often slower: a quarter of the steps
                row["ours%d" % t] = ours(n_ours, t, log, os.path.join(tmp, "scale"), batch, hidden)["us_per_step"]
                row["peer%d" % t] = peer(n_peer if t == 1 else max(20, n_peer // 4), t, log, batch, hidden)["us_per_step"]
            row["steps"] = (n_ours, n_peer)
            rows.append(row)
            print("scaling H=%d B=%d: ours %.1f / %.1f us, peer %.1f / %.1f us (1 / 2 threads)"
                  % (hidden, batch, row["ours1"], row["ours2"], row["peer1"], row["peer2"]), flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--scale-s", type=float, default=1.5, help="seconds of training per scaling run")
    ap.add_argument("--quick", action="store_true", help="a smoke test: 1 round of 2000 steps")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.steps, args.scale_s = 1, 2000, 0.2
    for path, what in ((NAMES, "NAMES_TXT"), (PEER, "TORCH_MLP"), (MM, "makemore (run make)")):
        if not os.path.exists(path):
            sys.exit("bench: %s not found; set %s" % (path, what))
    log, t_start = [], time.time()
    info = machine()
    print("machine: %s, %s CPUs, %s" % (info["model"], info["cpus"], info["simd"]), flush=True)
    peak = {t: json.loads(run([os.path.join(BENCH_BIN, "peak"), str(t)], log)[0])["gflops"] for t in (1, 2)}
    print("FMA peak: %.1f GFLOP/s on 1 thread, %.1f on 2" % (peak[1], peak[2]), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        times, losses = lecture_rounds(args, log, tmp)
        rss = ours(args.steps, 0, log, os.path.join(tmp, "rss"), rss=True)
        run([MM, "export", "-o", os.path.join(tmp, "lecture"), "--safetensors", os.path.join(tmp, "w.safetensors")], log)
        ev = {t: json.loads(run([os.path.join(BENCH_BIN, "evaltime"), os.path.join(tmp, "lecture"), NAMES, str(t)],
                                log)[0]) for t in (1, 2)}
        pev = {t: json.loads(run_peer([os.path.join(ROOT, "bench", "peer.py"), os.path.join(tmp, "w.safetensors"),
                                       NAMES, os.path.dirname(PEER), str(t)], "openblas", t, log)) for t in (1, 2)}
        rows = scaling(args, log, tmp)
        kern = run([os.path.join(BENCH_BIN, "kernels")], log)[0]
    res = dict(blas={"%s %d" % k: v for k, v in BLAS_SEEN.items()}, info=info, peak=peak, times=times, losses=losses, rss=rss, ev=ev, pev=pev, rows=rows, args=vars(args),
               minutes=(time.time() - t_start) / 60, log=log, kernels=kern,
               load_end=open("/proc/loadavg").read().split()[:3])
    os.makedirs(BENCH_BIN, exist_ok=True)
    with open(os.path.join(BENCH_BIN, "results.json"), "w") as f:  # to re-render: bench/report.py
        json.dump(res, f)
    report = write_report(res)
    save_keeping_zoo(args.out, report)
    print("\n" + report)


def save_keeping_zoo(path, report):
    """Writes report to path atomically, keeping the section bench/zoo.py
    wrote there (between its markers), which this run does not measure."""
    begin, end = "<!-- zoo:begin -->", "<!-- zoo:end -->"
    old = open(path).read() if os.path.exists(path) else ""
    if begin in old and end in old:
        report = report.rstrip("\n") + "\n\n" + old[old.index(begin):old.index(end) + len(end)] + "\n"
    with open(path + ".tmp", "w") as f:
        f.write(report)
    os.replace(path + ".tmp", path)


def write_report(r):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from report import render
    return render(r, flops_per_step(**LECTURE))


if __name__ == "__main__":
    main()
