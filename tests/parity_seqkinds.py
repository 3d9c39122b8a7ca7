#!/usr/bin/env python3
"""Parity with PyTorch for makemore.py's bigram, MLP, RNN, GRU and BoW kinds.

For each kind, `test_seqkinds --steps KIND PREFIX` builds the model at
makemore.py's sizes (V 27, T 16, n_embd 64, n_embd2 64), takes 20 AdamW
steps (lr 5e-4, weight decay 0.01 on every parameter, betas 0.9/0.99, eps
1e-8) on batches of 32 synthetic items encoded as makemore.py encodes them
(the longest item of a batch 2..15 ids, so the last positions often feed
only ignored targets),
and writes its initial and final parameters, the batches and the losses.
The reference module (tests/torch_ref/makemore_models.py) loads the initial
parameters with load_state_dict(strict=True) and takes the same steps with
torch.optim.AdamW.

Checked, with tolerances:
  - the initial weights equal torch's default initialisation from
    torch.manual_seed(3407): max |diff| <= 1e-6 (our Box-Muller and
    uniform draws in torch's order; torch's vector log/sin/cos differ by ulps);
  - every step's loss: <= 1e-4 relative;
  - every tensor after the steps: max |diff| <= 1e-4 of its largest |value|
    (float32 sums in different orders, amplified a little by Adam's
    division by sqrt(v)).
The largest difference per tensor is printed.

rnn and gru run a second time with makemore.c's dropout (p 0.2): each step's
mask comes from dropout_masks (torch_ref), written in Python from the hash
dropout.h describes, for the key the C run lists; same tolerances.
"""
import json, os, subprocess, sys, tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "torch_ref"))
from makemore_models import Config, build, dropout_masks  # noqa: E402

BIN = os.path.join(os.environ.get("TEST_BIN_DIR", "build/tests"), "test_seqkinds")
KINDS = ["bigram", "makemore-mlp", "rnn", "gru", "bow"]
DROPOUT_KINDS = ["rnn", "gru"]
DROPOUT = 0.2
LOSS_TOL = 1e-4
PARAM_TOL = 1e-4
INIT_TOL = 1e-6
passed = failed = 0


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    passed, failed = passed + bool(cond), failed + (not cond)


def state_dict(meta, flat):
    """our tensors as torch holds them: Linear weights back to (out, in)"""
    sd = {}
    for t in meta["tensors"]:
        a = torch.from_numpy(flat[t["offset"]:t["offset"] + t["size"]].copy()).reshape(t["shape"])
        sd[t["name"]] = a.t().contiguous() if t["transposed"] else a
    return sd


def load(kind, tmp, p):
    prefix = os.path.join(tmp, kind + ("-dropout" if p else ""))
    subprocess.run([BIN, "--steps", kind, prefix] + ([str(p)] if p else []), check=True)
    with open(prefix + ".json") as f:
        meta = json.load(f)
    raw = np.fromfile(prefix + ".bin", dtype="<f4")
    n, S, N = meta["nparams"], meta["steps"], meta["batch"] * meta["block_size"]
    ids = raw[2 * n:].view("<i4").reshape(S, 2, meta["batch"], meta["block_size"])
    check(ids.size == S * 2 * N, f"{kind}: {S} steps' batches read")
    return meta, raw[:n], raw[n:2 * n], ids


def run_kind(kind, tmp, p=0.0):
    meta, init, final, ids = load(kind, tmp, p)
    if p:
        keys = meta["drop_keys"]
        share = (dropout_masks(keys[0], 0, meta["batch"], meta["block_size"], meta["n_embd"], p) == 0).float().mean().item()
        check(abs(meta["dropout"] - p) < 1e-6 and len(keys) == meta["steps"] and abs(share - p) < 0.02,
              f"{kind}: the C run used dropout {meta['dropout']:.3g} with {len(keys)} step keys; "
              f"the first mask drops {share:.3f}")
        kind_name = f"{kind} with dropout {p}"
    else:
        kind_name = kind
    c = Config(meta["vocab_size"], meta["block_size"], meta["n_embd"], meta["n_hidden"])
    torch.manual_seed(meta["init_seed"])
    model = build(kind, c)
    ours = state_dict(meta, init)
    worst = max((ours[k] - v).abs().max().item() for k, v in model.state_dict().items())
    check(worst <= INIT_TOL, f"{kind_name}: initial weights are torch's default init from seed "
          f"{meta['init_seed']} (max |diff| {worst:.2g})")
    try:
        model.load_state_dict(ours, strict=True)
    except RuntimeError as e:  # a key or shape mismatch
        check(False, f"{kind_name}: reference loads our tensors with strict=True: {e}")
        return
    check(True, f"{kind_name}: reference loads our {len(ours)} tensors with strict=True")
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    worst = 0.0
    for s in range(meta["steps"]):
        X = torch.from_numpy(ids[s, 0].astype(np.int64))
        Y = torch.from_numpy(ids[s, 1].astype(np.int64))
        if p:
            B, T = X.shape
            _, loss = model(X, Y, dropout_masks(keys[s], 0, B, T, meta["n_embd"], p))
        else:
            _, loss = model(X, Y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        worst = max(worst, abs(loss.item() - meta["losses"][s]) / abs(loss.item()))
    check(worst <= LOSS_TOL, f"{kind_name}: {meta['steps']} losses within {worst:.2g} relative "
          f"(last {meta['losses'][-1]:.6f})")
    want = state_dict(meta, final)
    for name, v in model.state_dict().items():
        d = (want[name] - v).abs().max().item()
        scale = max(v.abs().max().item(), 1e-30)
        check(d <= PARAM_TOL * scale, f"{kind_name}: {name} after the steps: max |diff| {d:.2g} "
              f"({d / scale:.2g} of its largest {scale:.3g})")


def main():
    if not os.access(BIN, os.X_OK):
        print("1..1")
        check(False, f"{BIN} not built (make {BIN})")
        return 1
    torch.set_num_threads(1)
    # the plan: per kind, 4 checks and one per tensor of the reference
    # module (the same at any size; makemore.py's are used)
    # (and 5 more for a run with dropout)
    n = lambda k: 4 + len(build(k, Config(27, 16, 64, 64)).state_dict())
    print("1..%d" % (sum(n(k) for k in KINDS) + sum(1 + n(k) for k in DROPOUT_KINDS)), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in KINDS:
            run_kind(kind, tmp)
        for kind in DROPOUT_KINDS:
            run_kind(kind, tmp, DROPOUT)
    print(f"# {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
