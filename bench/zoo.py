#!/usr/bin/env python3
"""Every makemore model type, makemore.c against makemore.py itself, side by
side on this machine, in one run.

  /usr/bin/python3 bench/zoo.py [--rounds N] [--types bigram,rnn,...] [--quick]

Environment: MAKEMORE_PY (default ../shared/reference/makemore.py; the MIT
makemore.py with its tensorboard import stubbed), NAMES_TXT (default
data/names.txt), PYTHON (default /usr/bin/python3), MAKEMORE (default
./makemore).

For each type, at makemore.py's defaults (batch 32, block 16, n_embd 64,
n_embd2 64, 4 layers, 4 heads, AdamW), rounds alternate the programs, each
with 1 and 2 threads, so that a slow spell of the machine hits all of them.
makemore.py prints its step time every 10 steps (the time of one step:
batch, forward, backward, update); the first printed step is dropped as a
warm-up and the median of the rest is its time. makemore.c's time is
train_seconds / steps of a run (its training loop alone). The ratio is of
medians over rounds. makemore.py runs 200 steps (before its first
evaluation at step 500 and first sampling at step 200) with
--num-workers 0: on two cores, loader processes would only take CPU from
the step being timed.

Writes the table between the zoo markers of bench/RESULTS.md and prints it.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.path.abspath(os.environ.get("MAKEMORE", os.path.join(ROOT, "makemore")))
PY = os.environ.get("PYTHON", "/usr/bin/python3")
PEER = os.path.abspath(os.environ.get("MAKEMORE_PY", os.path.join(ROOT, "..", "shared", "reference", "makemore.py")))
NAMES = os.path.abspath(os.environ.get("NAMES_TXT", os.path.join(ROOT, "data", "names.txt")))
TYPES = ["bigram", "mlp", "rnn", "gru", "bow", "transformer"]
BEGIN, END = "<!-- zoo:begin -->", "<!-- zoo:end -->"
# Seconds of training per makemore.c run: long enough to average out a
# step's jitter, short enough for five rounds of six types.
OURS_SECONDS = 2.0

PEER_WRAPPER = """
import runpy, sys, torch
torch.set_num_threads(int(sys.argv[1]))
sys.argv = [sys.argv[2]] + sys.argv[3:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(cmd, log, cwd=None):
    log.append(" ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        sys.exit("zoo: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    return p.stdout


def peer_step_ms(kind, threads, steps, log, tmp):
    out = run([PY, "-c", PEER_WRAPPER, str(threads), PEER, "-i", NAMES, "-o", os.path.join(tmp, "peer-" + kind),
               "--type", kind, "--max-steps", str(steps), "--num-workers", "0", "--seed", "3407"], log)
    pairs = re.findall(r"^step (\d+) \| loss [\d.]+ \| step time ([\d.]+)ms$", out, re.M)
    ms = [float(t) for s, t in pairs if int(s) > 0]
    params = int(re.search(r"^model #params: (\d+)$", out, re.M).group(1))
    if not ms:
        sys.exit("zoo: no step times in makemore.py's output for --type %s" % kind)
    return statistics.median(ms), params


def ours_step_ms(kind, threads, steps, log, tmp):
    out = run([MM, "train", "-i", NAMES, "-o", os.path.join(tmp, "ours-" + kind), "--force",
               "--preset", "makemore-" + kind, "--max-steps", str(steps), "--threads", str(threads),
               "--json", "--samples", "0", "--save-every", "0", "--lr-find", "0"], log)
    res = json.loads(out)
    return 1000.0 * res["train_seconds"] / res["steps"], res["params"]


def fma_peak(log):
    exe = os.path.join(os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "bench")), "peak")
    if not os.path.exists(exe):
        return None
    return json.loads(run([exe, "1"], log))["gflops"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--types", default=",".join(TYPES))
    ap.add_argument("--peer-steps", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="a smoke test: 1 round, 30 makemore.py steps")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.peer_steps = 1, 30
    for path, what in ((NAMES, "NAMES_TXT"), (PEER, "MAKEMORE_PY"), (MM, "MAKEMORE (run make)")):
        if not os.path.exists(path):
            sys.exit("zoo: %s not found; set %s" % (path, what))
    types = args.types.split(",")
    log, t_start = [], time.time()
    load0 = open("/proc/loadavg").read().split()[:3]
    peak = fma_peak(log)
    times = {(k, p, t): [] for k in types for p in ("ours", "peer") for t in (1, 2)}
    params = {}
    with tempfile.TemporaryDirectory() as tmp:
        # a first short run of ours sizes the step count of the timed ones
        steps = {k: max(50, int(OURS_SECONDS * 1000 / ours_step_ms(k, 1, 50, log, tmp)[0])) for k in types}
        for r in range(args.rounds):
            for k in types:
                for t in (1, 2):
                    ms, params[(k, "ours")] = ours_step_ms(k, t, steps[k], log, tmp)
                    times[(k, "ours", t)].append(ms)
                    ms, params[(k, "peer")] = peer_step_ms(k, t, args.peer_steps, log, tmp)
                    times[(k, "peer", t)].append(ms)
                print("round %d %-12s ours %8.3f / %8.3f ms  makemore.py %8.3f / %8.3f ms" % (
                    r + 1, k, times[(k, "ours", 1)][-1], times[(k, "ours", 2)][-1],
                    times[(k, "peer", 1)][-1], times[(k, "peer", 2)][-1]), flush=True)
    med = {key: statistics.median(v) for key, v in times.items()}
    text = render(types, med, params, steps, peak, args, load0, (time.time() - t_start) / 60)
    write_section(args.out, text)
    with open(os.path.join(tempfile.gettempdir(), "zoo-log.txt"), "w") as f:
        f.write("\n".join(log))
    print(text)


def render(types, med, params, steps, peak, args, load0, minutes):
    w = []
    w.append("## Every model type against makemore.py (bench/zoo.py)\n")
    w.append("makemore.py's defaults for each `--type` (batch 32, block 16, n_embd 64, n_embd2 64, 4 layers,")
    w.append("4 heads, AdamW); makemore.c runs `train --preset makemore-TYPE`. Median step time over %d rounds"
             % args.rounds)
    w.append("that alternate the programs; makemore.py %d steps a run (first dropped), makemore.c a run of"
             % args.peer_steps)
    w.append("about %.0f s. Load average at the start: %s; %.1f minutes in all.\n" % (OURS_SECONDS, " ".join(load0), minutes))
    w.append("| type | params (ours / py) | makemore.c 1 thr | 2 thr | makemore.py 1 thr | 2 thr | ratio 1 thr | ratio 2 thr | GFLOP/s (1 thr) | of FMA peak |")
    w.append("|---|---|---|---|---|---|---|---|---|---|")
    for k in types:
        o1, o2, p1, p2 = (med[(k, p, t)] for p in ("ours", "peer") for t in (1, 2))
        # nominal: 6 flops per parameter per token (forward, two backward products)
        gf = 6.0 * params[(k, "ours")] * 32 * 16 / (o1 * 1e-3) / 1e9
        w.append("| %s | %d / %d | %.3f ms | %.3f ms | %.2f ms | %.2f ms | %.1fx | %.1fx | %.1f | %s |" % (
            k, params[(k, "ours")], params[(k, "peer")], o1, o2, p1, p2, p1 / o1, p2 / o2, gf,
            "%.0f%%" % (100 * gf / peak) if peak else "?"))
    w.append("")
    w.append("GFLOP/s is nominal: 6 x parameters x 512 tokens a step, which overstates the bigram (a lookup)")
    w.append("and the MLP (whose first layer is 16 lookups), and ignores attention's own products.")
    return "\n".join(w) + "\n"


def write_section(path, text):
    old = open(path).read() if os.path.exists(path) else ""
    block = BEGIN + "\n" + text + END
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(new)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
