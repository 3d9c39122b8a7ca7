#!/usr/bin/env python3
"""Dev loss against training time for every model kind at two or three
sizes: the table and the picture (docs/pareto.svg) of docs/RESULTS.md.

  /usr/bin/python3 bench/pareto.py [--kinds mlp,rnn,...] [--scale X] [--quick]

Environment: MAKEMORE (default ./makemore), BENCH_BIN (default build/bench,
for its pareto tool: make build/bench/pareto), NAMES_TXT (default
data/names.txt).

Every run trains on the lecture split (80/10/10 of names.txt) with one
thread for a fixed number of steps, AdamW with a cosine schedule (no
learning-rate sweep, samples or checkpoints), and reports the dev loss (the
token mean over the whole dev split) and the training loop's wall seconds
(`train_seconds`: no data loading or evaluation). The runs go one after
another; the load average before each is recorded next to it, since another
program on the machine slows a run down without changing its loss.

Writes docs/pareto.csv (kind,size,seconds,dev_loss), docs/pareto.svg (with
build/bench/pareto) and the section between the pareto markers of
docs/RESULTS.md.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.path.abspath(os.environ.get("MAKEMORE", os.path.join(ROOT, "makemore")))
BENCH_BIN = os.path.abspath(os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "bench")))
NAMES = os.path.abspath(os.environ.get("NAMES_TXT", os.path.join(ROOT, "data", "names.txt")))
BEGIN, END = "<!-- pareto:begin -->", "<!-- pareto:end -->"

# A sequence kind's step is 32 whole names (about 230 characters to
# predict), an MLP kind's 32 characters: the sequence kinds get fewer steps.
# The MLP kinds (the lecture's) train with their own recipe, SGD at 0.1 then
# 0.01 from half way; makemore.py's kinds with AdamW, a 100-step warmup and
# a cosine schedule to lr/100, weight decay 0.01, lr 0.002 (0.001 for the
# transformer, whose deeper stack wants the smaller rate; 0.02 for the
# bigram, a table with nothing to destabilise).
MLP_STEPS, SEQ_STEPS = 100000, 10000
RUNS = {  # kind -> [(size label, flags)]
    "bigram": [("729", ["--max-steps", "2000"]), ("729 x5 steps", ["--max-steps", "10000"])],
    "mlp": [("e 10 h 50", ["--n-hidden", "50"]), ("e 10 h 200", ["--n-hidden", "200"]),
            ("e 16 h 400", ["--n-embd", "16", "--n-hidden", "400"])],
    "bnmlp": [("e 10 h 50", ["--n-hidden", "50"]), ("e 10 h 200", ["--n-hidden", "200"])],
    "wavenet": [("e 10 h 47", ["--n-embd", "10", "--n-hidden", "47"]), ("e 24 h 128", [])],
    "makemore-mlp": [("e 16 h 64", ["--n-embd", "16", "--n-hidden", "64"]),
                     ("e 64 h 64", ["--n-embd", "64", "--n-hidden", "64"])],
    "rnn": [("h 32", ["--n-embd", "32", "--n-hidden", "32"]), ("h 64", ["--n-embd", "64", "--n-hidden", "64"]),
            ("h 128", ["--n-embd", "64", "--n-hidden", "128"])],
    "gru": [("h 32", ["--n-embd", "32", "--n-hidden", "32"]), ("h 64", ["--n-embd", "64", "--n-hidden", "64"]),
            ("h 128", ["--n-embd", "64", "--n-hidden", "128"])],
    "bow": [("e 32", ["--n-embd", "32", "--n-hidden", "32"]), ("e 64", ["--n-embd", "64", "--n-hidden", "64"])],
    "transformer": [("e 32 l 2", ["--n-embd", "32", "--n-layers", "2", "--n-head", "4"]),
                    ("e 48 l 3", ["--n-embd", "48", "--n-layers", "3", "--n-head", "4"]),
                    ("e 64 l 4", ["--n-embd", "64", "--n-layers", "4", "--n-head", "4"])],
}
LECTURE_KINDS = {"mlp", "bnmlp", "wavenet"}


def flags_for(kind, extra, scale):
    if kind in LECTURE_KINDS:
        f = ["--model", kind, "--max-steps", str(MLP_STEPS)] + extra
    else:
        lr = {"transformer": "0.001", "bigram": "0.02"}.get(kind, "0.002")
        f = ["--model", kind, "--optimizer", "adamw", "--learning-rate", lr, "--lr-schedule", "cosine",
             "--min-lr", "%g" % (float(lr) / 100), "--warmup-steps", "100", "--weight-decay", "0.01"]
        f += extra if "--max-steps" in extra else ["--max-steps", str(SEQ_STEPS)] + extra
    i = len(f) - 1 - f[::-1].index("--max-steps")  # the last --max-steps wins; scale it
    f[i + 1] = str(max(1, int(int(f[i + 1]) * scale)))
    return f


def train(kind, extra, scale, tmp, log):
    cmd = [MM, "train", "-i", NAMES, "-o", os.path.join(tmp, kind), "--split", "lecture", "--threads", "1",
           "--json", "--samples", "0", "--save-every", "0", "--lr-find", "0", "--force"] + flags_for(kind, extra, scale)
    log.append(" ".join(["makemore"] + cmd[1:]).replace(tmp, "TMP"))
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("pareto: %s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr[-2000:]))
    res = json.loads(p.stdout)
    res["load"] = load
    return res


def write_csv(path, rows):
    lines = ["kind,size,seconds,dev_loss"] + ["%s,%s,%.3f,%.4f" % (r["kind"], r["size"].replace(",", ";"),
                                                                  r["seconds"], r["dev"]) for r in rows]
    with open(path + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def render(rows, args, minutes, log):
    w = ["## Which model for which budget (bench/pareto.py)\n"]
    w.append("![dev loss against training seconds](pareto.svg)\n")
    w.append("`/usr/bin/python3 bench/pareto.py%s` on %s, %.1f minutes in all; every run one thread, the lecture"
             % (" --scale %g" % args.scale if args.scale != 1 else "", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                minutes))
    w.append("split. The lecture's kinds (mlp, bnmlp, wavenet): their own recipe, SGD at 0.1, then 0.01 from half")
    w.append("way, %d steps of 32 characters. makemore.py's kinds: AdamW with a 100-step warmup and a cosine"
             % int(MLP_STEPS * args.scale))
    w.append("schedule to lr/100, lr 0.002 (the transformer 0.001, the bigram 0.02), weight decay 0.01, %d steps of 32 names"
             % int(SEQ_STEPS * args.scale))
    w.append("(the bigram as its size says). Seconds are the training loop's (`train_seconds`),")
    w.append("with the 1-minute load average when the run started: on this shared 2-core machine a load above 2")
    w.append("means the run shared its core, and its seconds are longer than on an idle machine.\n")
    w.append("| kind | size | params | steps | train s | dev loss | train loss | load at start |")
    w.append("|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        w.append("| %s | %s | %d | %d | %.1f | %.4f | %.4f | %s |" % (r["kind"], r["size"], r["params"], r["steps"],
                                                                   r["seconds"], r["dev"], r["train"], r["load"]))
    w.append("\nCommands (TMP a work folder):\n")
    w.append("```")
    w.extend(c.replace(NAMES, "names.txt") for c in log)
    w.append("```")
    return "\n".join(w) + "\n"


def write_section(path, text):
    old = open(path).read() if os.path.exists(path) else ""
    block = BEGIN + "\n" + text + END
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + block + old[old.index(END) + len(END):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    with open(path + ".tmp", "w") as f:
        f.write(new)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default=",".join(RUNS))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every step count by this")
    ap.add_argument("--quick", action="store_true", help="a smoke test: --scale 0.02, output in a temporary folder")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "docs"))
    args = ap.parse_args()
    if args.quick:
        args.scale, args.out_dir = 0.02, tempfile.mkdtemp(prefix="pareto-")
    tool = os.path.join(BENCH_BIN, "pareto")
    for path, what in ((NAMES, "NAMES_TXT"), (MM, "MAKEMORE (run make)"), (tool, "BENCH_BIN (make build/bench/pareto)")):
        if not os.path.exists(path):
            sys.exit("pareto: %s not found; set %s" % (path, what))
    kinds = args.kinds.split(",")
    for k in kinds:
        if k not in RUNS:
            sys.exit("pareto: --kinds: unknown kind '%s' (expected some of %s)" % (k, ",".join(RUNS)))
    rows, log, t0 = [], [], time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for k in kinds:
            for size, extra in RUNS[k]:
                r = train(k, extra, args.scale, tmp, log)
                rows.append(dict(kind=k, size=size, params=r["params"], steps=r["steps"], seconds=r["train_seconds"],
                                 dev=r["dev_loss"], train=r["train_loss"], load=r["load"]))
                print("%-13s %-14s %8d params %7d steps %8.1f s  dev %.4f  (load %s)" % (
                    k, size, r["params"], r["steps"], r["train_seconds"], r["dev_loss"], r["load"]), flush=True)
    csv = os.path.join(args.out_dir, "pareto.csv")
    write_csv(csv, rows)
    p = subprocess.run([tool, csv, os.path.join(args.out_dir, "pareto.svg")], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(p.stderr.strip())
    text = render(rows, args, (time.time() - t0) / 60, log)
    write_section(os.path.join(args.out_dir, "RESULTS.md"), text)
    print(text)


if __name__ == "__main__":
    main()
