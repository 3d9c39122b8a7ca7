#!/usr/bin/env python3
"""makemore import of weights written by torch, run when torch imports.

Random weights for the lecture's MLP and for the batch-norm MLP (running
statistics included) are saved by torch (tests/tools/st_torch.py), imported
with `makemore import`, and evaluated with `makemore eval` on makemore.py's
split of a generated names file. The same losses computed here in torch, in
float64 on the same float32 weights, over the same split (makemore.py's
procedure written out below), must agree within 1e-5 relative: the float32
forward differs only in rounding. Also: `makemore export` gives back the
imported tensors bit for bit, and a file with an F16 tensor is refused in
one line naming it (exit 2).
"""
import json, os, random, subprocess, sys, tempfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
from st_torch import load_safetensors, save_safetensors  # noqa: E402

MM = os.environ.get("MAKEMORE", "./makemore")
passed = failed = 0
T, E, H = 3, 5, 16


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    if cond:
        passed += 1
    else:
        failed += 1


def makemore_split(path):
    with open(path, "r", encoding="utf-8") as f:
        words = [w.strip() for w in f.read().splitlines()]
    words = [w for w in words if w]
    chars = sorted(set("".join(words)))
    stoi = {c: i + 1 for i, c in enumerate(chars)}
    ntest = min(1000, int(len(words) * 0.1))
    torch.manual_seed(3407)
    rp = torch.randperm(len(words)).tolist()
    return stoi, [words[i] for i in rp[:-ntest]], [words[i] for i in rp[-ntest:]]


def contexts(words, stoi):
    X, Y = [], []
    for w in words:
        ctx = [0] * T
        for ch in w + ".":
            ix = stoi[ch] if ch != "." else 0
            X.append(ctx)
            Y.append(ix)
            ctx = ctx[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def mlp_loss(p, X, Y):
    d = {k: v.double() for k, v in p.items()}
    h = torch.tanh(d["C"][X].view(len(X), -1) @ d["W1"] + d["b1"])
    return F.cross_entropy(h @ d["W2"] + d["b2"], Y).item()


def bnmlp_loss(p, X, Y):
    d = {k: v.double() for k, v in p.items()}
    z = d["C"][X].view(len(X), -1) @ d["W1"]
    z = (z - d["bn1_mean"]) / torch.sqrt(d["bn1_var"] + 1e-5) * d["bn1_gain"] + d["bn1_bias"]
    return F.cross_entropy(torch.tanh(z) @ d["Wo"] + d["bo"], Y).item()


def run(*args):
    return subprocess.run([MM] + list(args), capture_output=True, text=True)


def eval_json(workdir, split):
    out = run("eval", "-o", workdir, "--split", split, "--json")
    return json.loads(out.stdout)[split + "_loss"] if out.returncode == 0 else float("nan")


print("1..9")  # the plan: 2 kinds of 4 checks, and the F16 refusal (tests/run.sh fails a run that ends early)
with tempfile.TemporaryDirectory() as tmp:
    rng = random.Random(5)
    names = os.path.join(tmp, "names.txt")
    with open(names, "w") as f:
        for _ in range(300):
            f.write("".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 7))) + "\n")
    stoi, train_words, test_words = makemore_split(names)
    V = len(stoi) + 1
    g = torch.Generator().manual_seed(11)
    kinds = {
        "mlp": ({"C": torch.randn(V, E, generator=g), "W1": torch.randn(T * E, H, generator=g) * 0.3,
                 "b1": torch.randn(H, generator=g) * 0.1, "W2": torch.randn(H, V, generator=g) * 0.3,
                 "b2": torch.randn(V, generator=g) * 0.1}, mlp_loss),
        "bnmlp": ({"C": torch.randn(V, E, generator=g), "W1": torch.randn(T * E, H, generator=g) * 0.3,
                   "bn1_gain": 1 + 0.1 * torch.randn(H, generator=g), "bn1_bias": 0.1 * torch.randn(H, generator=g),
                   "bn1_mean": 0.2 * torch.randn(H, generator=g), "bn1_var": 0.5 + torch.rand(H, generator=g),
                   "Wo": torch.randn(H, V, generator=g) * 0.3, "bo": torch.randn(V, generator=g) * 0.1}, bnmlp_loss),
    }
    for kind, (params, loss_fn) in kinds.items():
        st = os.path.join(tmp, kind + ".st")
        save_safetensors(params, st)
        work = os.path.join(tmp, kind)
        out = run("import", "--safetensors", st, "--model", kind, "--block-size", str(T), "--n-embd", str(E),
                  "--n-hidden", str(H), "-i", names, "-o", work)
        check(out.returncode == 0, f"{kind}: import of torch's tensors" + ("" if out.returncode == 0 else ": " + out.stderr.strip()))
        for split, words in (("train", train_words), ("test", test_words)):
            X, Y = contexts(words, stoi)
            want, got = loss_fn(params, X, Y), eval_json(work, split)
            check(abs(got - want) <= 1e-5 * want, f"{kind}: eval --split {split} {got:.6f}, torch {want:.6f} (makemore.py's split)")
        back = os.path.join(tmp, kind + ".back.st")
        run("export", "-o", work, "--safetensors", back)
        exported = load_safetensors(back) if os.path.exists(back) else {}
        same = exported.keys() == params.keys() and all(torch.equal(exported[k], params[k]) for k in params)
        check(same, f"{kind}: export gives back the imported tensors bit for bit")

    half = os.path.join(tmp, "half.st")
    save_safetensors(kinds["mlp"][0], half, {"W2": "F16"})
    out = run("import", "--safetensors", half, "--model", "mlp", "--block-size", str(T), "--n-embd", str(E),
              "--n-hidden", str(H), "-i", names, "-o", os.path.join(tmp, "half"))
    err = out.stderr.strip()
    check(out.returncode == 2 and err.count("\n") == 0 and "'W2' is F16" in err and not os.path.exists(os.path.join(tmp, "half")),
          f"an F16 tensor is refused in one line, nothing written: {err}")

print(f"# {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
