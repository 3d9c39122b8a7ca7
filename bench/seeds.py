#!/usr/bin/env python3
"""A preset over several seeds, as a user runs it: dev (or test) loss mean
± sample standard deviation, and each run's whole-process wall time and CPU
time (user + system) with the load average before it.

  /usr/bin/python3 bench/seeds.py --preset best [--seeds 1,2,3] [--jobs 1]
                                  [--split lecture|makemore] [-- more train flags]

Environment: MAKEMORE (default ./makemore), NAMES_TXT (default
data/names.txt). Each run is `makemore train -i NAMES -o DIR --preset P
--seed S --json` (samples and report included, and the learning-rate sweep
if the preset has one, as a user types it), then `makemore eval --split test`. --jobs 2
runs two seeds at once (one per core: only on an idle machine). Prints a
Markdown table and one JSON line.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.path.abspath(os.environ.get("MAKEMORE", os.path.join(ROOT, "makemore")))
NAMES = os.path.abspath(os.environ.get("NAMES_TXT", os.path.join(ROOT, "data", "names.txt")))


def one(seed, args, extra, tmp):
    work = os.path.join(tmp, "s%d" % seed)
    cmd = [MM, "train", "-i", NAMES, "-o", work, "--preset", args.preset, "--seed", str(seed), "--split", args.split,
           "--json"] + extra
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    t0 = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "cpu %U %S"] + cmd, capture_output=True, text=True)
    wall = time.time() - t0
    if p.returncode != 0:
        sys.exit("seeds: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    res = json.loads(p.stdout)
    user, system = (float(x) for x in p.stderr.strip().splitlines()[-1].split()[1:3])
    ev = subprocess.run([MM, "eval", "-o", work, "--split", "test", "--json"], capture_output=True, text=True)
    if ev.returncode != 0:
        sys.exit("seeds: makemore eval -o %s failed: %s" % (work, ev.stderr[-2000:]))
    return dict(seed=seed, wall=wall, cpu=user + system, load=load, train_s=res["train_seconds"], steps=res["steps"],
                params=res["params"], train=res["train_loss"], dev=res["dev_loss"],
                test=json.loads(ev.stdout)["test_loss"], cmd=" ".join(cmd).replace(NAMES, "names.txt"))


def mean_sd(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "-"
    return "%.4f ± %.4f" % (statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0)


def main():
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", required=True)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--split", default="lecture")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        rows = list(ex.map(lambda s: one(s, args, extra, tmp), seeds))
    print("| seed | params | steps | wall s | CPU s | load before | train | dev | test |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    for r in rows:
        print("| %d | %d | %d | %.1f | %.1f | %s | %.4f | %s | %.4f |" % (
            r["seed"], r["params"], r["steps"], r["wall"], r["cpu"], r["load"], r["train"],
            "%.4f" % r["dev"] if r["dev"] is not None else "-", r["test"]))
    print("| mean ± sd | | | %.1f | %.1f | | %s | %s | %s |" % (
        statistics.mean(r["wall"] for r in rows), statistics.mean(r["cpu"] for r in rows), mean_sd([r["train"] for r in rows]),
        mean_sd([r["dev"] for r in rows]), mean_sd([r["test"] for r in rows])))
    print(json.dumps(dict(preset=args.preset, split=args.split, extra=extra, rows=rows)))


if __name__ == "__main__":
    main()
