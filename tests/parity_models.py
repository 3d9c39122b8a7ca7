#!/usr/bin/env python3
"""Parity with PyTorch for the model family and the optimizers, on names.txt.

For each model (bnmlp with 2 layers, the Part 5 wavenet, the MLP with direct
connections) makemore saves its initial weights and the weights after N
steps; torch loads the initial ones (safetensors export), draws the same
minibatches from a generator seeded as makemore's (the initial weights'
randn calls first, then torch.randint per step), builds the same model from
torch.nn.functional (batch norm in training mode over the rows, which for the
wavenet's (B, T', H) activations are dims 0 and 1, as the lecture's fixed
BatchNorm1d), and takes the same steps with torch.optim.

Checked, with tolerances and why:
  - every per-step minibatch loss: <= 2e-5 relative (float32 rounding of
    different summation orders; batch norm keeps activations O(1), so runs
    this short do not drift apart);
  - every tensor after the steps, running statistics included: max |diff|
    <= 2e-5 (weights are O(0.1..1); float32 steps differ in the last bits);
    The wavenet's AdamW case runs with eps 1e-4: at its start the deeper
    weights' gradients are ~1e-8, some of them sums that cancel to a few
    ulps, and Adam's g / (|g| + eps) turns their rounding noise into steps
    of up to lr; with eps 1e-8 we measured 1.3e-4 in W3 after one step,
    gone (1.6e-7) with eps 1e-4. The MLP's AdamW case keeps eps 1e-8.
  - the dev loss in evaluation mode (running statistics) of the initial and
    the trained model: <= 1e-5 relative.
The largest difference per tensor is printed.
"""
import csv, json, os, struct, subprocess, sys, tempfile

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools"))
from st_torch import load_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM = os.environ.get("MAKEMORE", "./makemore")
PEER = os.path.join(ROOT, "..", "shared", "reference", "torch_mlp.py")
NAMES = os.environ.get("NAMES_TXT")
SEED = 1234
STEPS = 20
passed = failed = 0


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    if cond:
        passed += 1
    else:
        failed += 1


def run_mm(*args):
    return subprocess.run([MM, *args], check=True, capture_output=True, text=True).stdout


def layers(kind, T, n_layers):
    return n_layers if kind == "bnmlp" else (T.bit_length() - 1)


def forward(kind, w, X, T, L, train, bn_momentum):
    """logits of the model with tensors w on contexts X (B, T)"""
    if kind == "mlp":
        emb = w["C"][X].view(X.shape[0], -1)
        h = torch.tanh(emb @ w["W1"] + w["b1"])
        return h @ w["W2"] + w["b2"] + emb @ w["Wd"]
    B = X.shape[0]
    x = w["C"][X]  # (B, T, E)
    for l in range(1, L + 1):
        if kind == "wavenet":  # FlattenConsecutive(2)
            x = x.reshape(B, x.shape[1] // 2, x.shape[2] * 2)
        else:
            x = x.reshape(B, -1)
        z = x @ w["W%d" % l]
        shape = z.shape
        z = F.batch_norm(z.reshape(-1, shape[-1]), w["bn%d_mean" % l], w["bn%d_var" % l],
                         w["bn%d_gain" % l], w["bn%d_bias" % l], training=train,
                         momentum=bn_momentum, eps=1e-5)
        x = torch.tanh(z.reshape(shape))
    return x.reshape(B, -1) @ w["Wo"] + w["bo"]


def draw_init(g, kind, w, L):
    """consume the generator as makemore's initialisation does"""
    names = ["C", "W1", "b1", "W2", "b2"] if kind == "mlp" else ["C"] + ["W%d" % l for l in range(1, L + 1)] + ["Wo"]
    for n in names:
        torch.randn(w[n].numel(), generator=g)


def case(name, kind, flags, T, n_layers, optimizer, splits):
    (Xtr, Ytr), (Xdev, Ydev), _, _ = splits
    tmp = tempfile.mkdtemp()
    # --bn-momentum only where there is batch norm: the mlp refuses it
    bn = ["--bn-momentum", "0.1"] if kind != "mlp" else []
    base = ["train", "-i", NAMES, "--model", kind, "--block-size", str(T), "--seed", str(SEED), "--samples", "0",
            "--lr-find", "0", "--save-every", "0", "--json", "--lr-decay", "1"] + bn + flags
    d0, d1 = os.path.join(tmp, "s0"), os.path.join(tmp, "s1")
    init = json.loads(run_mm(*base, "-o", d0, "--max-steps", "0"))
    res = json.loads(run_mm(*base, "-o", d1, "--max-steps", str(STEPS)))
    run_mm("export", "-o", d0, "--safetensors", d0 + ".st")
    run_mm("export", "-o", d1, "--safetensors", d1 + ".st")
    w = load_safetensors(d0 + ".st")
    want = load_safetensors(d1 + ".st")
    with open(os.path.join(d1, "log.csv")) as f:
        trace = [float(r["loss"]) for r in csv.DictReader(f) if r["loss"]]
    L = layers(kind, T, n_layers)
    with torch.no_grad():
        dev0 = F.cross_entropy(forward(kind, w, Xdev, T, L, False, 0.1), Ydev).item()
    check(abs(dev0 - init["init_dev_loss"]) <= 1e-5 * dev0,
          "%s: initial dev loss (evaluation mode) torch %.6f, makemore %.6f" % (name, dev0, init["init_dev_loss"]))

    params = [t for n, t in w.items() if not n.endswith(("_mean", "_var"))]
    for t in params:
        t.requires_grad_(True)
    decay = [t for n, t in w.items() if n[0] in "CW"]
    no_decay = [t for n, t in w.items() if n[0] not in "CW" and not n.endswith(("_mean", "_var"))]
    opt = optimizer([{"params": decay}, {"params": no_decay, "weight_decay": 0.0}])
    g = torch.Generator().manual_seed(SEED)
    draw_init(g, kind, w, L)
    losses = []
    for _ in range(STEPS):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        loss = F.cross_entropy(forward(kind, w, Xtr[ix], T, L, True, 0.1), Ytr[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    rel = max(abs(a - b) / b for a, b in zip(trace, losses))
    check(len(trace) == STEPS and rel <= 2e-5, "%s: %d minibatch losses, max relative difference %.2e (tolerance 2e-5)"
          % (name, STEPS, rel))
    worst = max((((w[n].detach() - want[n]).abs().max().item()), n) for n in want)
    for n in want:
        print("# %s: %s max |diff| %.2e" % (name, n, (w[n].detach() - want[n]).abs().max().item()))
    check(set(w) == set(want) and worst[0] <= 2e-5, "%s: every tensor after %d steps, running statistics included: "
          "max |diff| %.2e in %s (tolerance 2e-5)" % (name, STEPS, worst[0], worst[1]))
    with torch.no_grad():
        dev1 = F.cross_entropy(forward(kind, want, Xdev, T, L, False, 0.1), Ydev).item()
    check(abs(dev1 - res["dev_loss"]) <= 1e-5 * dev1,
          "%s: dev loss after %d steps (running statistics) torch %.6f, makemore %.6f" % (name, STEPS, dev1, res["dev_loss"]))


def main():
    if not NAMES or not os.path.exists(PEER):
        print("skip - model parity: needs NAMES_TXT and the peer at %s" % PEER)
        return 0
    torch.set_num_threads(1)
    sys.path.insert(0, os.path.dirname(PEER))
    from torch_mlp import load_splits
    s8, s3 = load_splits(NAMES, 8), load_splits(NAMES, 3)
    sgd = lambda groups: torch.optim.SGD(groups, lr=0.1)
    mom = lambda groups: torch.optim.SGD(groups, lr=0.05, momentum=0.9, weight_decay=0.01)
    adamw = lambda groups: torch.optim.AdamW(groups, lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
    adamw4 = lambda groups: torch.optim.AdamW(groups, lr=0.01, betas=(0.9, 0.99), eps=1e-4, weight_decay=0.1)
    case("wavenet, sgd", "wavenet", ["--n-embd", "10", "--n-hidden", "32", "--learning-rate", "0.1"], 8, 0, sgd, s8)
    case("wavenet, adamw eps 1e-4", "wavenet", ["--n-embd", "10", "--n-hidden", "32", "--optimizer", "adamw",
         "--learning-rate", "0.01", "--beta2", "0.99", "--weight-decay", "0.1", "--eps", "1e-4"], 8, 0, adamw4, s8)
    case("bnmlp 2 layers, momentum", "bnmlp", ["--n-layers", "2", "--n-embd", "10", "--n-hidden", "50",
         "--optimizer", "momentum", "--learning-rate", "0.05", "--weight-decay", "0.01"], 3, 2, mom, s3)
    case("mlp with direct connections, adamw", "mlp", ["--direct", "--init", "scaled", "--optimizer", "adamw",
         "--learning-rate", "0.01", "--beta2", "0.99", "--weight-decay", "0.1"], 3, 0, adamw, s3)
    print("# %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
