#!/usr/bin/env python3
"""Bengio et al. 2003's Table 1 on the Brown corpus, with makemore: the n-gram
baselines, the paper's MLP rows alone and mixed, our best word model, and the
paper's MLP against PyTorch (Debian's reference BLAS and OpenBLAS).

  make bench-paper                       (all of it: hours on a loaded 2-core machine)
  /usr/bin/python3 bench/paper.py --rows kn3,kn4,kn5,int3,mlp1 --epochs 0.5

Environment: BROWN_TXT (default ../shared/data/brown.txt), MAKEMORE and
BENCH_BIN (set by make), PYTHON (default /usr/bin/python3).

Every model trains from its preset (`makemore train --preset paper-mlp1 ...`:
word tokens, --min-count 4, the ordered 800,000/200,000/rest split); --epochs
N caps each network's steps when the machine cannot give the presets' epochs,
and the table says so. The mixed rows (the paper's MLP2, 4, 6, 8, 10) mix the
network of the row above with the interpolated modified Kneser-Ney trigram at
the fixed weight 0.5, as the paper mixed with its trigram; a mixture with the
Kneser-Ney 5-gram at a weight fitted on dev is given too. Perplexity is exp of
the mean negative log-likelihood per token, the end of each sentence counted.

Writes docs/PAPER.md (--out) and bench/paper.json (every number measured, for
re-rendering with --render).
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.path.abspath(os.environ.get("MAKEMORE", os.path.join(ROOT, "makemore")))
PY = os.environ.get("PYTHON", "/usr/bin/python3")
BROWN = os.path.abspath(os.environ.get("BROWN_TXT", os.path.join(ROOT, "..", "shared", "data", "brown.txt")))
BENCH_BIN = os.path.abspath(os.environ.get("BENCH_BIN", os.path.join(ROOT, "build", "bench")))
REF_BLAS = "/usr/lib/x86_64-linux-gnu/blas"

# The paper's Table 1 (Brown): n, h, m, direct, mixed, train, valid, test.
PAPER = {
    "MLP1": (5, 50, 60, True, False, 182, 284, 268),
    "MLP2": (5, 50, 60, True, True, None, 275, 257),
    "MLP3": (5, 0, 60, True, False, 201, 327, 310),
    "MLP4": (5, 0, 60, True, True, None, 286, 272),
    "MLP5": (5, 50, 30, True, False, 209, 296, 279),
    "MLP6": (5, 50, 30, True, True, None, 273, 259),
    "MLP7": (3, 50, 30, True, False, 210, 309, 293),
    "MLP8": (3, 50, 30, True, True, None, 284, 270),
    "MLP9": (5, 100, 30, False, False, 175, 280, 276),
    "MLP10": (5, 100, 30, False, True, None, 265, 252),
    "Del. Int.": (3, None, None, None, None, 31, 352, 336),
    "Kneser-Ney back-off 3": (3, None, None, None, None, None, 334, 323),
    "Kneser-Ney back-off 4": (4, None, None, None, None, None, 332, 321),
    "Kneser-Ney back-off 5": (5, None, None, None, None, None, 332, 321),
}
NETWORKS = {"mlp1": ("paper-mlp1", "MLP1", "MLP2"), "mlp3": ("paper-mlp3", "MLP3", "MLP4"),
            "mlp5": ("paper-mlp5", "MLP5", "MLP6"), "mlp7": ("paper-mlp7", "MLP7", "MLP8"),
            "mlp9": ("paper-mlp9", "MLP9", "MLP10")}
ALL_ROWS = "kn3,kn4,kn5,int3,mlp1,mlp3,mlp5,mlp7,mlp9,words-best,torch"


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def run(cmd, env=None, timeout=None):
    """Runs cmd; returns (stdout, seconds). Raises with stderr's tail on failure."""
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr[-800:]))
    return p.stdout, time.time() - t0


def load_avg():
    return os.getloadavg()[0]


def ppl(loss):
    return math.exp(loss) if loss is not None else None


def evaluate(d, threads, mix=None, splits=("dev", "test")):
    """Losses of d's model.bin on splits, and with mix (order, smoothing,
    weight or None) the mixture's and the n-gram's."""
    out = {}
    for split in splits:
        cmd = [MM, "eval", "-o", d, "--split", split, "--json", "-t", str(threads)]
        if mix:
            cmd += ["--mix-ngram", str(mix[0]), "--mix-smoothing", mix[1]]
            if mix[2] is not None:
                cmd += ["--mix-weight", str(mix[2])]
        j = json.loads(run(cmd)[0])
        out[split] = j
    return out


def train(name, preset, workdir, threads, extra, timeout=None):
    d = os.path.join(workdir, name)
    cmd = [MM, "train", "--preset", preset, "-i", BROWN, "-o", d, "--force", "--json", "-t", str(threads),
           "-n", "5"] + extra
    log("train %s: %s" % (name, " ".join(cmd[1:])))
    load0 = load_avg()
    out, secs = run(cmd, timeout=timeout)
    j = json.loads(out)
    j["wall_seconds"] = secs
    j["load"] = [load0, load_avg()]
    j["command"] = "makemore " + " ".join(cmd[1:]).replace(BROWN, "brown.txt").replace(workdir + "/", "")
    return d, j


def kn_rows(res, workdir, threads):
    for n in (3, 4, 5):
        key = "kn%d" % n
        if key not in res["want"]:
            continue
        d, j = train(key, "paper-kn5", workdir, threads, ["--block-size", str(n - 1)])
        ev = evaluate(d, threads, splits=("test",))
        res["rows"][key] = {"train": j, "eval": {"train": j["train_loss"], "dev": j["dev_loss"],
                                                  "test": ev["test"]["test_loss"]}}
        save(res)
        log("%s: test perplexity %.1f" % (key, ppl(ev["test"]["test_loss"])))


def int3_row(res, workdir, threads):
    """The interpolated (absolute discounting) trigram alone: a mixture at
    weight 0 of any model evaluates the n-gram without running the model."""
    d = os.path.join(workdir, "kn3")
    if not os.path.exists(os.path.join(d, "model.bin")):
        train("kn3", "paper-kn5", workdir, threads, ["--block-size", "2"])
    losses = {}
    for split in ("train", "dev", "test"):
        j = json.loads(run([MM, "eval", "-o", d, "--split", split, "--json", "--mix-ngram", "3",
                            "--mix-smoothing", "abs", "--mix-weight", "0"])[0])
        losses[split] = j["ngram_%s_loss" % split]
    res["rows"]["int3"] = {"eval": losses}
    log("int3: test perplexity %.1f" % ppl(losses["test"]))


def mlp_rows(res, workdir, threads, max_steps, kn_order):
    for key, (preset, alone, mixed) in NETWORKS.items():
        if key not in res["want"]:
            continue
        extra = (["--epochs", str(max_steps)] + eval_flags(max_steps)) if max_steps else eval_flags(1.0)
        try:
            d, j = train(key, preset, workdir, threads, extra)
        except RuntimeError as e:
            res["rows"][key] = {"error": str(e)[-600:]}
            log("%s failed: %s" % (key, e))
            continue
        best = os.path.exists(os.path.join(d, "best.bin"))
        ev = evaluate(d, threads, splits=("test",))
        row = {"train": j, "eval": {"train": j["train_loss"], "dev": j["dev_loss"], "test": ev["test"]["test_loss"]},
               "best_bin": best}
        mix3 = evaluate(d, threads, (3, "kn", 0.5))
        row["mix3"] = {s: mix3[s]["mix_%s_loss" % s] for s in mix3}
        mixk = evaluate(d, threads, (kn_order, "kn", None))
        row["mixkn"] = {s: mixk[s]["mix_%s_loss" % s] for s in mixk}
        row["mixkn_weight"] = mixk["dev"]["mix_weight"]
        res["rows"][key] = row
        log("%s: test perplexity %.1f alone, %.1f mixed" % (key, ppl(row["eval"]["test"]), ppl(row["mix3"]["test"])))
        save(res)


def eval_flags(epochs):
    """Early stopping on dev: an evaluation every half epoch (3,300 steps of
    256 make one) and the best model kept."""
    return ["--eval-every", str(max(1, int(1650 * min(epochs, 1.0)))), "--keep-best"]


def words_best(res, workdir, threads, kn_order):
    if "words-best" not in res["want"]:
        return
    try:
        d, j = train("words-best", "words-best", workdir, threads, eval_flags(1.0), timeout=3600)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        res["rows"]["words-best"] = {"error": str(e)[-600:]}
        return
    ev = evaluate(d, threads, splits=("test",))
    mixk = evaluate(d, threads, (kn_order, "kn", None))
    res["rows"]["words-best"] = {"train": j, "eval": {"train": j["train_loss"], "dev": j["dev_loss"],
                                                      "test": ev["test"]["test_loss"]},
                                 "mixkn": {s: mixk[s]["mix_%s_loss" % s] for s in mixk},
                                 "mixkn_weight": mixk["dev"]["mix_weight"]}
    save(res)


def torch_side(res, workdir, threads, steps, sizes, min_count):
    """MLP1's shape: makemore's steps against paper_torch.py's, same data,
    weights and batches; reference BLAS and OpenBLAS. The split may be
    smaller than the paper's (sizes, min_count): a step's time depends on
    the vocabulary and the shapes, and makemore evaluates its whole splits
    before and after training."""
    if "torch" not in res["want"]:
        return
    data = ["--split-sizes", sizes, "--min-count", str(min_count), "--epochs", "0"]
    d0, j0 = train("torch-init", "paper-mlp1", workdir, threads, data + ["--max-steps", "0"])
    st = os.path.join(workdir, "mlp1-init.safetensors")
    run([MM, "export", "-o", d0, "--safetensors", st])
    d1, j1 = train("torch-ours", "paper-mlp1", workdir, threads,
                   data + ["--max-steps", str(steps), "--save-every", "0"])
    ours = {"us_per_step": j1.get("us_per_step"), "threads": threads, "load": j1["load"]}
    losses = []
    with open(os.path.join(d1, "log.csv")) as f:
        head = f.readline().strip().split(",")
        for line in f:
            r = dict(zip(head, line.strip().split(",")))
            if r.get("loss"):
                losses.append(float(r["loss"]))
    peer = {}
    for name, env in (("reference", dict(os.environ, LD_LIBRARY_PATH=REF_BLAS)), ("openblas", dict(os.environ))):
        cmd = [PY, os.path.join(ROOT, "bench", "paper_torch.py"), "--data", BROWN, "--init", st, "--block", "4",
               "--sizes", sizes, "--min-count", str(min_count),
               "--emb", "60", "--hidden", "50", "--direct", "--batch", "256", "--optimizer", "adamw", "--lr", "1e-3",
               "--threads", str(threads), "--json", "--trace",
               "--steps", str(steps if name == "openblas" else max(10, steps // 10))]
        load0 = load_avg()
        out, secs = run(cmd, env=env)
        lines = out.strip().split("\n")
        j = json.loads(lines[-1])
        j["losses"] = [float(l.split()[1]) for l in lines[:-1]]
        j["load"] = [load0, load_avg()]
        peer[name] = j
        log("torch %s: %.1f ms/step (%s)" % (name, j["ms_per_step"], j["blas"]))
    n = min(len(losses), len(peer["openblas"]["losses"]), 20)
    diff = max((abs(a - b) for a, b in zip(losses[:n], peer["openblas"]["losses"][:n])), default=None)
    res["torch"] = {"ours": ours, "peer": peer, "loss_diff_first_steps": diff, "steps_compared": n,
                    "vocab_size": peer["openblas"]["vocab_size"], "sizes": sizes, "min_count": min_count,
                    "our_vocab_size": j1.get("vocab_size")}
    save(res)


def peak(threads):
    try:
        return json.loads(run([os.path.join(BENCH_BIN, "peak"), str(threads)])[0])["gflops"]
    except (RuntimeError, OSError, ValueError):
        return None


def save(res):
    with open(os.path.join(ROOT, "bench", "paper.json"), "w") as f:
        json.dump(res, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default=ALL_ROWS)
    ap.add_argument("--epochs", type=float, default=0, help="cap each network's epochs (0: the presets' own)")
    ap.add_argument("--torch-steps", type=int, default=60)
    ap.add_argument("--torch-sizes", default="800000/200000")
    ap.add_argument("--torch-min-count", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "paper"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "PAPER.md"))
    ap.add_argument("--render", action="store_true", help="only rewrite --out from bench/paper.json")
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from paper_render import render
    if a.render:
        res = json.load(open(os.path.join(ROOT, "bench", "paper.json")))
    else:
        if not os.path.exists(BROWN):
            sys.exit("bench/paper.py: %s is missing (set BROWN_TXT)" % BROWN)
        os.makedirs(a.workdir, exist_ok=True)
        old = os.path.join(ROOT, "bench", "paper.json")
        res = json.load(open(old)) if os.path.exists(old) else {"rows": {}}
        res.update(want=a.rows.split(","), threads=a.threads, max_steps=a.epochs,
                   machine={"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
                   started=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), peak_gflops=peak(a.threads))
        kn_rows(res, a.workdir, a.threads)
        if "int3" in res["want"]:
            int3_row(res, a.workdir, a.threads)
        save(res)
        mlp_rows(res, a.workdir, a.threads, a.epochs, 5)
        words_best(res, a.workdir, a.threads, 5)
        torch_side(res, a.workdir, a.threads, a.torch_steps, a.torch_sizes, a.torch_min_count)
        save(res)
    with open(a.out, "w") as f:
        f.write(render(res, PAPER))
    log("wrote %s" % a.out)


if __name__ == "__main__":
    main()
