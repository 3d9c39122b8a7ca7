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
with 1 and 2 threads, so that a slow spell of the machine hits all of them:
makemore.c, makemore.py under OpenBLAS (the peer every ratio is against),
and makemore.py under the reference BLAS (a second, labelled column, with
fewer steps). makemore.py runs through bench/peer_blas.py, which checks
which BLAS torch loaded and matches OpenBLAS's threads to torch's.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_blas import peer_env  # noqa: E402

PEER_BLAS = os.path.join(ROOT, "bench", "peer_blas.py")
BLAS_SEEN = {}
# the programs of a round, in order: (key, BLAS of makemore.py)
PROGRAMS = (("ours", None), ("peer", "openblas"), ("ref", "reference"))


def run(cmd, log, cwd=None):
    log.append(" ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if p.returncode != 0:
        sys.exit("zoo: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    return p.stdout


def peer_step_ms(kind, threads, steps, log, tmp, blas="openblas"):
    cmd = [PY, PEER_BLAS, blas, str(threads), PEER, "-i", NAMES, "-o", os.path.join(tmp, "peer-" + kind),
           "--type", kind, "--max-steps", str(steps), "--num-workers", "0", "--seed", "3407"]
    env = peer_env(blas, threads)
    log.append(("LD_LIBRARY_PATH=%s " % env["LD_LIBRARY_PATH"] if blas == "reference" else "") + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit("zoo: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    out = p.stdout
    BLAS_SEEN["%s %d" % (blas, threads)] = json.loads(re.search(r"^peer_blas: (\{.*\})$", p.stderr, re.M).group(1))
    pairs = re.findall(r"^step (\d+) \| loss [\d.]+ \| step time ([\d.]+)ms$", out, re.M)
    ms = [float(t) for s, t in pairs if int(s) > 0]
    params = int(re.search(r"^model #params: (\d+)$", out, re.M).group(1))
    if not ms:
        sys.exit("zoo: no step times in makemore.py's output for --type %s" % kind)
    return statistics.median(ms), params


def ours_step_ms(kind, threads, steps, log, tmp):
    out = run([MM, "train", "-i", NAMES, "-o", os.path.join(tmp, "ours-" + kind),
               "--preset", "makemore-" + kind, "--max-steps", str(steps), "--threads", str(threads),
               "--json", "--samples", "0", "--save-every", "0", "--lr-find", "0", "--force"], log)
    res = json.loads(out)
    return 1000.0 * res["train_seconds"] / res["steps"], res["params"]


BENCH_BIN = os.path.abspath(os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "bench")))


def fma_peak(log):
    """GFLOP/s of build/bench/peak with 1 and 2 threads, or None without it."""
    exe = os.path.join(BENCH_BIN, "peak")
    if not os.path.exists(exe):
        return None
    return {t: json.loads(run([exe, str(t)], log))["gflops"] for t in (1, 2)}


def breakdown(log):
    """build/bench/transformer's step and per-kernel times, 1 and 2 threads."""
    exe = os.path.join(BENCH_BIN, "transformer")
    if not os.path.exists(exe):
        return None
    return {t: run([exe, str(t), "300"], log).rstrip() for t in (1, 2)}


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--types", default=",".join(TYPES))
    ap.add_argument("--peer-steps", type=int, default=200)
    ap.add_argument("--ref-steps", type=int, default=60, help="makemore.py's steps under the reference BLAS")
    ap.add_argument("--quick", action="store_true", help="a smoke test: 1 round, 30 makemore.py steps")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.peer_steps, args.ref_steps = 1, 30, 20
    for path, what in ((NAMES, "NAMES_TXT"), (PEER, "MAKEMORE_PY"), (MM, "MAKEMORE (run make)")):
        if not os.path.exists(path):
            sys.exit("zoo: %s not found; set %s" % (path, what))
    types = args.types.split(",")
    log, t_start = [], time.time()
    load0, loads = loadavg(), []
    peak = fma_peak(log)
    times = {(k, p, t): [] for k in types for p, _ in PROGRAMS for t in (1, 2)}
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
                    times[(k, "ref", t)].append(peer_step_ms(k, t, args.ref_steps, log, tmp, "reference")[0])
                loads.append(loadavg())
                print("round %d %-12s ours %8.3f / %8.3f ms  makemore.py+OpenBLAS %8.3f / %8.3f ms"
                      "  +reference BLAS %8.3f / %8.3f ms (1 / 2 threads)" % (
                          r + 1, k, times[(k, "ours", 1)][-1], times[(k, "ours", 2)][-1], times[(k, "peer", 1)][-1],
                          times[(k, "peer", 2)][-1], times[(k, "ref", 1)][-1], times[(k, "ref", 2)][-1]), flush=True)
        bd = breakdown(log)
    med = {key: statistics.median(v) for key, v in times.items()}
    run_info = dict(load0=load0, loads=loads, load1=loadavg(), minutes=(time.time() - t_start) / 60,
                    date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    text = render(types, med, times, params, peak, args, run_info, bd)
    write_section(args.out, text)
    os.makedirs(BENCH_BIN, exist_ok=True)
    with open(os.path.join(BENCH_BIN, "zoo.json"), "w") as f:  # every round's times and the commands
        json.dump(dict(times={"%s %s %d" % key: v for key, v in times.items()}, run=run_info, log=log), f)
    print(text)


# What a step of each type is made of, for reading its row (no numbers:
# those are in the table and the breakdown).
NOTES = {
    "bigram": "one 27 x 27 table: a step is a gather, a softmax over 27 and a scatter of 512 rows; "
              "makemore.py pays PyTorch's fixed cost per operator (about ten of them) for almost no arithmetic.",
    "mlp": "makemore.py's MLP reads the 16 previous characters at every position of every item: a "
           "(512 x 1024) x (1024 x 64) product and its two gradients dominate; the embedding gather and "
           "scatter are the rest.",
    "rnn": "16 dependent time steps, each a (32 x 128) x (128 x 64) product and a tanh: the steps cannot "
           "overlap, so the matrices are too small to keep the FMA units busy; makemore.c runs each step on "
           "the items not yet ended only; the output layer runs once over all 512 positions.",
    "gru": "as the RNN with three gates per time step (three products and a reset product in sequence); "
           "the backward pass walks the 16 steps back one by one.",
    "bow": "causal averaging of the embeddings (a 16 x 16 lower-triangular weighting per item), then a "
           "64-64-64 tanh MLP and the output layer over all 512 positions: small products, so the "
           "elementwise work and the averaging weigh as much as the products.",
    "transformer": "4 blocks of LayerNorm, QKV, causal attention over 16 positions, projection and a "
                   "4x MLP with GELU; the matrix products take most of the step, the backward ones most of that "
                   "(breakdown below). With 2 threads each takes half the items through the whole forward pass "
                   "(no barrier) and through each block's input gradients, then half of that block's weight "
                   "gradients (one barrier a block).",
}


V, T, E, B = 27, 16, 64, 32


def step_flops(kind, params):
    """Nominal FLOPs of a training step: 6 per matrix parameter per token
    (forward, weight and input gradients), the embedding tables being
    lookups, plus the transformer's attention products (Q K^T and A V, each
    2 B T T E per layer forward, twice that backward). None for the bigram,
    which is all lookup."""
    lookups = {"bigram": params, "mlp": (V + 1) * E, "rnn": V * E + E, "gru": V * E + E,
               "bow": (V + T) * E, "transformer": (V + T) * E}
    if kind not in lookups or kind == "bigram":
        return None
    f = 6.0 * (params - lookups[kind]) * B * T
    if kind == "transformer":
        f += 3 * 2 * (2 * B * T * T * E) * 4
    return f


LIMITS = """### What limits going faster

- **Small matrices.** At makemore.py's sizes every product has an inner dimension of 64 to 256 and
  512 rows: a register tile sees a few dozen steps of its inner loop before it stores, and the
  backward products (which transpose one operand) run slower than the forward ones.
- **Work without multiply-adds.** LayerNorm, tanh-GELU, the causal softmax, the residual adds, the
  GRU's gates and AdamW over every parameter stream memory and compute transcendentals; in the
  transformer they are about a quarter of the step (the breakdown above).
- **Padding.** makemore.py computes all 16 positions of every item, though a name and its end
  mark fill about 7 of them on average, so more than half its products are for positions past an
  item's end, whose loss is ignored. makemore.c's RNN and GRU skip those (items sorted by length,
  each position runs only the items still going); its other sequence kinds still compute them.
- **The recurrence.** The RNN and GRU take 16 dependent steps of a (32 x 128) x (128 x 64)
  product: nothing overlaps them, so each waits for the last.
- **The second core.** Most kinds split a step between two threads in pieces of tens of
  microseconds; each fork, barrier and join costs microseconds on an idle machine and a scheduler
  time slice when the other core is busy, so 2 threads gain well short of 2x at batch 32 and lose
  much under load. The transformer splits whole passes by items instead (about a dozen forks, joins
  and barriers a step where it had about 70); its output layer and loss still run kernel by kernel.
"""


def cell(xs, fmt):
    return " ".join(fmt % x for x in xs)


# Issue 20's targets: (type, threads, least ratio against makemore.py + OpenBLAS)
TARGETS = (("transformer", 2, 6.0), ("mlp", 2, 6.0), ("gru", 2, 15.0), ("rnn", 2, 15.0))


def targets(types, med, peak, params):
    """Lines saying which of the targets this run met."""
    out = []
    for k, t, want in TARGETS:
        if k in types:
            got = med[(k, "peer", t)] / med[(k, "ours", t)]
            out.append("- %s at %d threads: %.1fx makemore.py + OpenBLAS (target %.0fx): **%s**"
                       % (k, t, got, want, "met" if got >= want else "not met"))
    if "transformer" in types:
        up = med[("transformer", "ours", 1)] / med[("transformer", "ours", 2)]
        out.append("- transformer, 2 threads against 1 at batch 32: %.2fx (target 1.7x): **%s**"
                   % (up, "met" if up >= 1.7 else "not met"))
        if peak and peak[2]:
            f = step_flops("transformer", params[("transformer", "ours")])
            frac = f / (med[("transformer", "ours", 2)] * 1e-3) / 1e9 / peak[2]
            out.append("- transformer at 2 threads: %.0f%% of the 2-core FMA peak (target 60%%): **%s**"
                       % (100 * frac, "met" if frac >= 0.6 else "not met"))
    return out


def render(types, med, times, params, peak, args, run, bd):
    w = ["## Every model type against makemore.py (bench/zoo.py)\n"]
    w.append("Generated by `make bench-zoo` (bench/zoo.py) on %s in %.1f minutes. makemore.py's defaults for"
             % (run["date"], run["minutes"]))
    w.append("each `--type` (batch 32, block 16, n_embd 64, n_embd2 64, 4 layers, 4 heads, AdamW 5e-4); makemore.c")
    w.append("runs `train --preset makemore-TYPE` (the same model, sizes and optimizer). %d rounds; in each, for"
             % args.rounds)
    w.append("each type and thread count (1, then 2): makemore.c, makemore.py under OpenBLAS, makemore.py under the")
    w.append("reference BLAS. makemore.py's threads: `torch.set_num_threads` and `OPENBLAS_NUM_THREADS` both set.")
    w.append("makemore.py: %d steps a run under OpenBLAS, %d under the reference BLAS, its own printed step time"
             % (args.peer_steps, args.ref_steps))
    w.append("(every 10th step; step 0 dropped as warm-up), median. makemore.c: `train_seconds / steps` of a run of")
    w.append("about %.0f s of training. Table: median over rounds; ratio = makemore.py / makemore.c at the same thread"
             % OURS_SECONDS)
    w.append("count. Load average (1, 5, 15 min) at the start %s, after each type of each round %s, at the end %s.\n"
             % (run["load0"], "; ".join(run["loads"]), run["load1"]))
    w.append("| type | params (ours / py) | makemore.c 1 thr | 2 thr | makemore.py+OpenBLAS 1 thr | 2 thr | "
             "**ratio vs OpenBLAS** 1 thr | 2 thr | makemore.py+reference BLAS 1 thr | 2 thr | ratio vs reference BLAS 1 thr | 2 thr |")
    w.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for k in types:
        o1, o2, p1, p2, r1, r2 = (med[(k, p, t)] for p in ("ours", "peer", "ref") for t in (1, 2))
        w.append("| %s | %d / %d | %.3f ms | %.3f ms | %.2f ms | %.2f ms | **%.1fx** | **%.1fx** | %.2f ms | %.2f ms | %.1fx | %.1fx |" % (
            k, params[(k, "ours")], params[(k, "peer")], o1, o2, p1, p2, p1 / o1, p2 / o2, r1, r2, r1 / o1, r2 / o2))
    w.append("")
    w.append("Targets (issue 20), measured in this run:\n")
    w.extend(targets(types, med, peak, params))
    w.append("")
    if peak:
        w.append("FMA peak (build/bench/peak, during this run): %.1f GFLOP/s on 1 thread, %.1f with 2.\n" % (peak[1], peak[2]))
        w.append("| type | nominal GFLOP/s 1 thr | of 1-core FMA peak | GFLOP/s 2 thr | of 2-core FMA peak |")
        w.append("|---|---|---|---|---|")
        for k in types:
            f = step_flops(k, params[(k, "ours")])
            if not f:
                continue
            g1, g2 = f / (med[(k, "ours", 1)] * 1e-3) / 1e9, f / (med[(k, "ours", 2)] * 1e-3) / 1e9
            w.append("| %s | %.1f | %.0f%% | %.1f | %.0f%% |" % (k, g1, 100 * g1 / peak[1], g2, 100 * g2 / peak[2]))
        w.append("")
    w.append("GFLOP/s is nominal: 6 x (parameters - embedding tables) x 512 tokens a step (forward, weight and")
    w.append("input gradients), plus the transformer's attention products; the bigram is all lookup. It counts")
    w.append("the padded positions after an item's end too, as makemore.py computes them; makemore.c's RNN and")
    w.append("GRU skip them, so for those two it is a nominal rate above the arithmetic done.\n")
    for key in sorted(BLAS_SEEN):
        b = BLAS_SEEN[key]
        w.append("- bench/peer_blas.py, %s: torch loaded %s (%s); torch threads %s, OpenBLAS threads %s"
                 % (key, b["got"], ", ".join(b["libs"]), b["torch_threads"], b["openblas_threads"]))
    w.append("")
    w.append("Every round (ms/step, in round order):\n")
    w.append("| type | makemore.c 1 thr | 2 thr | makemore.py+OpenBLAS 1 thr | 2 thr | +reference BLAS 1 thr | 2 thr |")
    w.append("|---|---|---|---|---|---|---|")
    for k in types:
        w.append("| %s | %s |" % (k, " | ".join(cell(times[(k, p, t)], "%.3f" if p == "ours" else "%.1f")
                                             for p in ("ours", "peer", "ref") for t in (1, 2))))
    w.append("")
    w.append("makemore.py runs with `--num-workers 0`: its default, 4 loader processes, would be 4 more processes")
    w.append("on 2 cores, taking CPU from the step being timed (a batch of 32 names is microseconds of work for")
    w.append("the main process), and would time process scheduling rather than the model.\n")
    w.append("### Where the time goes\n")
    for k in types:
        w.append("- **%s**: %s" % (k, NOTES.get(k, "")))
    w.append("")
    if bd:
        w.append("The transformer's step, kernel by kernel (`build/bench/transformer 1 300` and `2 300`, run after")
        w.append("the rounds; each kernel timed alone at the step's shapes, so the parts do not add up exactly; with 2")
        w.append("threads the step itself splits its items between the threads for whole passes, not kernel by kernel,")
        w.append("so the 2-thread kernel rows show each kernel split on its own):\n")
        for t in (1, 2):
            w.append("```")
            w.append(bd[t])
            w.append("```")
    w.append("")
    w.append(LIMITS)
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
