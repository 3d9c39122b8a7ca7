#!/usr/bin/env python3
"""docs/SCALING.md's model of data-, output- and hybrid-parallel training
of the paper's MLP on P processes, from bench/scaling.sh's measurements
(JSON lines on stdin: the median one-process step time per vocabulary).

Per step, with t1 the one-process step, tb its replicated part (the
network before the output layer and the optimizer's pass over the whole
parameter array, which every process repeats), W the link's bandwidth and
a its latency per message:
  data:    t1 / P + allreduce(4 n_params, P)
  output:  tb + (t1 - tb) / P + 2 allreduce(12 B, P) + allreduce(4 B (H + K), P)
  (tb: the body's share of the multiply-adds, plus the optimizer's and
  gradients' passes over the replicated tensors: each process updates its
  own rows of the output layer only, as the paper's processes did)
  hybrid:  G groups of Q = P / G: output-parallel inside a group on B / G
           examples, and the group's gradients summed across groups:
           (tb - opt) / G + opt + (t1 - tb) / P + output's exchanges on B / G rows among Q
           + allreduce(4 (V (H + K + 1) / Q + n_body), G); the best G shown.
allreduce(S, P) = min(ring 2 (P-1) a + 2 (P-1)/P S/W, doubling log2(P) (a + S/W)).
"""
import json
import math
import statistics
import sys

B, T, E, H = 256, 4, 60, 50
K = T * E
NETS = [("10 Gbit/s", 1.25e9, 25e-6), ("100 Gbit/s", 12.5e9, 5e-6)]
RANKS = [8, 64, 512]
# T1_SCALE: the one-process step times this (e.g. 0.2 for a machine 5x
# less loaded than the one measured)
SCALE = float(__import__("os").environ.get("T1_SCALE", "1"))


def allreduce(S, P, W, a):
    if P < 2:
        return 0.0
    ring = 2 * (P - 1) * a + 2 * (P - 1) / P * S / W
    dbl = math.ceil(math.log2(P)) * (a + S / W)
    return min(ring, dbl)


def params(V):
    return V * E + K * H + H + H * V + V + K * V


def times(V, t1, tb, P, W, a, topt=0.0):
    n = params(V)
    data = t1 / P + allreduce(4 * n, P, W, a)
    out = tb + (t1 - tb) / P + 2 * allreduce(12 * B, P, W, a) + allreduce(4 * B * (H + K), P, W, a)
    best = None
    for G in [2 ** i for i in range(1, int(math.log2(P)) + 1)]:
        Q = P // G
        if B // G < 1:
            break
        t = (tb - topt) / G + topt + (t1 - tb) / P
        t += 2 * allreduce(12 * B / G, Q, W, a) + allreduce(4 * B / G * (H + K), Q, W, a)
        t += allreduce(4 * (V * (H + K + 1) / Q + V * E + K * H + H), G, W, a)
        if best is None or t < best[0]:
            best = (t, G)
    return data, out, best


def main():
    runs = [json.loads(l) for l in sys.stdin if l.startswith("{") and "us_per_step" in l]
    by = {}
    for r in runs:
        by.setdefault((r["vocab"], r["parallel"], r["nranks"]), []).append(r)
    med = {k: statistics.median(x["us_per_step"] for x in v) * 1e-6 for k, v in by.items()}
    for V in sorted({k[0] for k in by}):
        t1 = med.get((V, "data", 1))
        if t1 is None:
            continue
        t1 *= SCALE
        # the replicated part: the body's share of the multiply-adds, and the
        # optimizer's and the gradients' passes over the replicated tensors
        # (about 3 touches of 4 bytes each at ~5 GB/s)
        body = B * K * H / (B * K * H + B * (H + K) * V)
        topt = 3 * 4 * (V * E + K * H + H) / 5e9
        tb = body * t1 + topt
        print(f"V {V}: t1 {t1 * 1e3:.1f} ms, replicated part {tb * 1e3:.1f} ms, "
              f"{4 * params(V) / 1e6:.1f} MB of gradients, {4 * B * (H + K) / 1e3:.0f} KB of dL/d[h, x]")
        print("| network | P | data | output | hybrid (best G) |")
        print("|---|---|---|---|---|")
        for name, W, a in NETS:
            for P in RANKS:
                d, o, (h, G) = times(V, t1, tb, P, W, a, topt)
                print(f"| {name} | {P} | {t1 / d:.1f}x | {t1 / o:.1f}x | {t1 / h:.1f}x (G {G}) |")
        print()


main()
