#!/usr/bin/env python3
"""Bengio et al. 2003's Table 1 on the Brown corpus, with makemore: the n-gram
baselines, the paper's MLP rows alone and mixed, our best word model, and the
paper's MLP against PyTorch (Debian's reference BLAS and OpenBLAS).

  make bench-paper                       (all of it: hours on a loaded 2-core machine)
  /usr/bin/python3 bench/paper.py --rows kn3,kn4,kn5,int3,mlp1 --epochs 0.5
  /usr/bin/python3 bench/paper.py --rows torch --torch-sizes 20000/2000 \
      --torch-min-count 2 --torch-steps 12 --results /tmp/t.json --out /tmp/t.md
                                         (the speed row end to end in a minute; its
                                          numbers mean nothing at that size)

Environment: BROWN_TXT (default ../shared/data/brown.txt), MAKEMORE and
BENCH_BIN (set by make), PYTHON (default /usr/bin/python3).

Every model trains from its preset (`makemore train --preset paper-mlp1 ...`:
word tokens, --min-count 4, the ordered 800,000/200,000/rest split) on
--threads threads (default 1), one at a time, with early stopping on dev
(--eval-every N --keep-best --eval-dev-only --patience P); the kept model is
evaluated. --epochs N caps each network's epochs below the preset's, and the
table says so. The rows kn5-paper and mlp1-paper take the paper's
conventions instead (--vocab-from all --stream). The mixed rows (the paper's MLP2, 4, 6, 8, 10) mix the
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
TORCH_LR = "0.001"  # the speed row's AdamW rate, makemore's and PyTorch's alike

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
ALL_ROWS = "kn3,kn4,kn5,int3,mlp1,mlp3,mlp5,mlp7,mlp9,words-best,kn5-paper,mlp1-paper,torch"
# the paper's conventions: the vocabulary over the whole file, running text
PAPER_DATA = ["--vocab-from", "all", "--stream"]
# early stopping on dev: set by main (--eval-every, --patience)
EARLY = []


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


def evaluate(d, threads, mix=None, splits=("dev", "test"), which="model"):
    """Losses of d's model.bin or best.bin (which) on splits, and with mix
    (order, smoothing, weight or None) the mixture's and the n-gram's."""
    out = {}
    for split in splits:
        cmd = [MM, "eval", "-o", d, "--split", split, "--json", "-t", str(threads), "--checkpoint", which]
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


def ngram_table(paper):
    """build/bench/ngram_ppl's lines: {(order, smoothing): losses}, our
    conventions or (paper) the paper's. The same library code as --model kn
    and --mix-ngram (tests/test_kn.sh checks they agree), without the dense
    distribution over every word that a model's eval builds, which makes the
    model kind's eval of Brown take many minutes."""
    cmd = [os.path.join(BENCH_BIN, "ngram_ppl"), BROWN, "4", "800000/200000"] + (["paper"] if paper else [])
    load0 = load_avg()
    out, secs = run(cmd)
    rows = {}
    for line in out.strip().split("\n"):
        j = json.loads(line)
        rows[(j["order"], j["smoothing"])] = {
            "eval": {s: j["%s_loss" % s] for s in ("train", "dev", "test")}, "vocab_size": j["vocab_size"],
            "tokens": {s: j["%s_tokens" % s] for s in ("train", "dev", "test")},
            "command": " ".join(cmd).replace(BROWN, "brown.txt").replace(BENCH_BIN, "build/bench"),
            "seconds_all_orders": secs, "load": [load0, load_avg()]}
    return rows


def kn_rows(res):
    want = [k for k in ("kn3", "kn4", "kn5", "int3") if k in res["want"]]
    if want:
        table = ngram_table(False)
        for n in (3, 4, 5):
            if "kn%d" % n in want:
                res["rows"]["kn%d" % n] = table[(n, "kn")]
        if "int3" in want:
            res["rows"]["int3"] = table[(3, "abs")]
        log("n-grams: KN5 test perplexity %.1f" % ppl(table[(5, "kn")]["eval"]["test"]))
    if "kn5-paper" in res["want"]:
        res["rows"]["kn5-paper"] = ngram_table(True)[(5, "kn")]
        log("n-grams, the paper's conventions: KN5 test perplexity %.1f" %
            ppl(res["rows"]["kn5-paper"]["eval"]["test"]))
    save(res)


def network_row(res, key, preset, workdir, threads, extra, kn_order, timeout=None, trigram=True):
    """Trains preset with early stopping on dev, then evaluates the kept
    model alone on every split, mixed with the Kneser-Ney trigram at weight
    0.5 (the paper's mixed rows) and with the Kneser-Ney kn_order-gram at a
    weight fitted on dev."""
    try:
        d, j = train(key, preset, workdir, threads, extra + EARLY, timeout=timeout)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        res["rows"][key] = {"error": str(e)[-600:]}
        log("%s failed: %s" % (key, e))
        save(res)
        return
    evaluate_network(res, key, d, j, threads, kn_order, trigram)


def kept_model(j):
    """The model early stopping keeps: best.bin, the best of the dev
    evaluations, unless the final model (whose dev loss the run reports)
    is better still (the last step need not fall on an evaluation)."""
    best, final = j.get("best_dev_loss"), j.get("dev_loss")
    if best is None or (final is not None and final < best):
        return "model"
    return "best"


def evaluate_network(res, key, d, j, threads, kn_order, trigram=True):
    """The kept model alone on every split, mixed with the Kneser-Ney
    trigram at weight 0.5 and with the kn_order-gram at a weight fitted on dev."""
    t0 = time.time()
    which = kept_model(j)
    ev = evaluate(d, threads, splits=("train", "dev", "test"), which=which)
    row = {"train": j, "eval": {s: ev[s]["%s_loss" % s] for s in ev}, "kept": which,
           "kept_step": ev["dev"]["step"]}
    if trigram:
        mix3 = evaluate(d, threads, (3, "kn", 0.5), which=which)
        row["mix3"] = {s: mix3[s]["mix_%s_loss" % s] for s in mix3}
    mixk = evaluate(d, threads, (kn_order, "kn", None), which=which)
    row["mixkn"] = {s: mixk[s]["mix_%s_loss" % s] for s in mixk}
    row["mixkn_weight"] = mixk["dev"]["mix_weight"]
    row["eval_seconds"] = time.time() - t0
    res["rows"][key] = row
    log("%s: test perplexity %.1f alone, %s with KN3 at 0.5, %.1f with KN%d (weight %.2f)" % (
        key, ppl(row["eval"]["test"]), "%.1f" % ppl(row["mix3"]["test"]) if trigram else "-",
        ppl(row["mixkn"]["test"]), kn_order, row["mixkn_weight"]))
    save(res)


def mlp_rows(res, workdir, threads, epochs, kn_order):
    for key, (preset, alone, mixed) in NETWORKS.items():
        if key in res["want"]:
            network_row(res, key, preset, workdir, threads, ["--epochs", str(epochs)] if epochs else [], kn_order)


def words_best(res, workdir, threads, kn_order):
    if "words-best" in res["want"]:
        network_row(res, "words-best", "words-best", workdir, threads, [], kn_order, timeout=3600)


def paper_rows(res, workdir, threads, epochs):
    """MLP1 under the paper's conventions (train --vocab-from all --stream)."""
    if "mlp1-paper" in res["want"]:
        network_row(res, "mlp1-paper", "paper-mlp1", workdir, threads,
                    PAPER_DATA + (["--epochs", str(epochs)] if epochs else []), 5, trigram=False)


def torch_side(res, workdir, threads, steps, sizes, min_count):
    """MLP1's shape: makemore's steps against paper_torch.py's, same data,
    weights and batches; reference BLAS and OpenBLAS. The split may be
    smaller than the paper's (sizes, min_count): a step's time depends on
    the vocabulary and the shapes, and makemore evaluates its whole splits
    before and after training."""
    if "torch" not in res["want"]:
        return
    # no dropout: paper_torch.py is the paper's plain network, step for step;
    # the learning rate given to both, whatever the preset's
    data = ["--split-sizes", sizes, "--min-count", str(min_count), "--epochs", "0", "--dropout", "0",
            "--learning-rate", TORCH_LR]
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
               "--emb", "60", "--hidden", "50", "--direct", "--batch", "256", "--optimizer", "adamw", "--lr", TORCH_LR,
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
                    "our_vocab_size": j1.get("vocab_size"), "steps": steps}
    save(res)
    print_speed(res)


def print_speed(res):
    """The torch row's ratios and the output layer's share of the FMA peak."""
    from paper_render import speed
    sp = speed(res)
    fmt = lambda x, f: f % x if x is not None else "-"
    print("makemore %s ms/step; PyTorch OpenBLAS %s ms/step (makemore %s faster), reference BLAS %s ms/step "
          "(makemore %s faster); output layer %s GFLOP/s = %s of the FMA peak (%s GFLOP/s, %d threads)" % (
              fmt(sp["ours_ms"], "%.1f"), fmt(sp["openblas_ms"], "%.1f"), fmt(sp["openblas_ratio"], "%.2fx"),
              fmt(sp["reference_ms"], "%.1f"), fmt(sp["reference_ratio"], "%.2fx"), fmt(sp["gflops"], "%.1f"),
              fmt(sp["peak_fraction"] and 100 * sp["peak_fraction"], "%.0f%%"), fmt(res.get("peak_gflops"), "%.1f"),
              res.get("threads", 0)), flush=True)


def peak(threads):
    try:
        return json.loads(run([os.path.join(BENCH_BIN, "peak"), str(threads)])[0])["gflops"]
    except (RuntimeError, OSError, ValueError):
        return None


RESULTS = os.path.join(ROOT, "bench", "paper.json")


def set_results(path):
    global RESULTS
    RESULTS = os.path.abspath(path)


def save(res):
    tmp = RESULTS + ".tmp"
    with open(tmp, "w") as f:
        json.dump(res, f, indent=1)
    os.replace(tmp, RESULTS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default=ALL_ROWS)
    ap.add_argument("--epochs", type=float, default=0, help="cap each network's epochs (0: the presets' own)")
    ap.add_argument("--eval-every", type=int, default=825,
                    help="steps between the dev evaluations of early stopping (825: a quarter of a Brown epoch)")
    ap.add_argument("--patience", type=int, default=2, help="evaluations without a better dev loss before stopping")
    ap.add_argument("--results", default=RESULTS, help="the measurements' JSON (read, updated, rendered)")
    ap.add_argument("--torch-steps", type=int, default=60)
    ap.add_argument("--torch-sizes", default="800000/200000")
    ap.add_argument("--torch-min-count", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workdir", default=os.path.join(ROOT, "build", "paper"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "PAPER.md"))
    ap.add_argument("--render", action="store_true", help="only rewrite --out from bench/paper.json")
    ap.add_argument("--adopt", nargs=3, metavar=("KEY", "DIR", "JSON"),
                    help="evaluate a network trained outside this script (DIR, its train --json output in JSON) "
                         "as row KEY, then render")
    a = ap.parse_args()
    set_results(a.results)
    EARLY[:] = ["--eval-every", str(a.eval_every), "--keep-best", "--eval-dev-only", "--patience", str(a.patience)]
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from paper_render import render
    if a.render:
        res = json.load(open(RESULTS))
    elif a.adopt:
        res = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {"rows": {}}
        key, d, jpath = a.adopt
        evaluate_network(res, key, os.path.abspath(d), json.load(open(jpath)), a.threads, 5,
                         trigram=not key.endswith("paper"))
    else:
        if not os.path.exists(BROWN):
            sys.exit("bench/paper.py: %s is missing (set BROWN_TXT)" % BROWN)
        os.makedirs(a.workdir, exist_ok=True)
        res = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {"rows": {}}
        res.update(want=a.rows.split(","), threads=a.threads, max_steps=a.epochs,
                   machine={"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
                   started=res.get("started") or time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   peak_gflops=peak(a.threads) if "torch" in a.rows.split(",") else res.get("peak_gflops"))
        kn_rows(res)
        mlp_rows(res, a.workdir, a.threads, a.epochs, 5)
        words_best(res, a.workdir, a.threads, 5)
        paper_rows(res, a.workdir, a.threads, a.epochs)
        torch_side(res, a.workdir, a.threads, a.torch_steps, a.torch_sizes, a.torch_min_count)
        save(res)
    with open(a.out, "w") as f:
        f.write(render(res, PAPER))
    log("wrote %s" % a.out)


if __name__ == "__main__":
    main()
