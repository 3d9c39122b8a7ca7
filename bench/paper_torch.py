#!/usr/bin/env python3
"""PyTorch reference of the paper's MLP (Bengio et al. 2003) on words, for
bench/paper.py: the same data, initial weights and batches as

  makemore train --tokens word --min-count K --split ordered --split-sizes A/B
                 --block-size n-1 --n-embd m --n-hidden h [--direct] ...

so both programs take the same steps and their times compare.

  /usr/bin/python3 bench/paper_torch.py --data brown.txt --init W.safetensors \
      --block 4 --emb 60 --hidden 50 --direct --batch 256 --steps 200 --json

Data, written from the conventions of makemore's word tokens (src/data/text.h,
words.h): a line's words are split at ASCII white space; id 0 ends an item,
id 1 is <unk>, ids 2.. are the training split's words seen at least K times,
likeliest first, then by their bytes. The ordered split takes items in file
order while fewer than A tokens came before (ends not counted), then dev
likewise up to B, test the rest. Contexts are n-1 ids padded with 0.

Weights come from --init, makemore's export of its model before the first
step (train --max-steps 0, then export --safetensors). Batches: one
torch.Generator seeded --seed replays makemore's initial draws (torch.randn
of C, W1, b1, W2, b2 in that order; the direct weights start at zero and draw
nothing), then torch.randint(0, ntrain, (batch,)) for every step, as makemore
draws them.

Model: logits = tanh(x W1 + b1) W2 + b2 + x Wd, x the concatenated
embeddings. AdamW (decoupled weight decay on C, W1, W2, Wd) or SGD.
--trace prints every step's loss for a parity check against log.csv.
"""
import argparse
import json
import os
import re
import struct
import sys
import time
from collections import Counter

import torch
import torch.nn.functional as F

SPACE = re.compile(rb"[ \t\r\v\f]+")


def read_items(path):
    items = []
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            words = [w for w in SPACE.split(line) if w]
            if words:
                items.append(words)
    return items


def ordered_split(items, sizes):
    total = sum(len(it) for it in items)
    lim = [s if s >= 1 else s * total for s in sizes]
    cut, before, i = [], 0, 0
    for limit in lim:
        start = before
        while i < len(items) and before - start < limit:
            before += len(items[i])
            i += 1
        cut.append(i)
    return items[:cut[0]], items[cut[0]:cut[1]], items[cut[1]:]


def vocabulary(train, min_count):
    count = Counter(w for it in train for w in it)
    keep = [w for w, c in count.items() if c >= min_count and w != b"<unk>"]
    keep.sort(key=lambda w: (-count[w], w))
    return {w: i + 2 for i, w in enumerate(keep)}, len(keep) + 2


def examples(items, stoi, block):
    X, Y = [], []
    for it in items:
        ctx = [0] * block
        for w in it + [None]:
            y = 0 if w is None else stoi.get(w, 1)
            X.append(ctx)
            Y.append(y)
            ctx = ctx[1:] + [y]
    return torch.tensor(X, dtype=torch.long), torch.tensor(Y, dtype=torch.long)


def load_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    head = json.loads(b[8:8 + n])
    out = {}
    for name, t in head.items():
        if name == "__metadata__":
            continue
        lo, hi = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(b[8 + n + lo:8 + n + hi]), dtype=torch.float32).reshape(t["shape"])
    return out


def blas_library():
    """The BLAS this process mapped (libblas.so.3 is an alternative)."""
    names = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if re.search(r"lib(open)?blas|libmkl|libblis|libatlas", p):
                names.add(os.path.realpath(p))
    return sorted(names)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--init", required=True, help="makemore's export of the model before its first step")
    ap.add_argument("--sizes", default="800000/200000")
    ap.add_argument("--min-count", type=int, default=4)
    ap.add_argument("--block", type=int, default=4)
    ap.add_argument("--emb", type=int, default=60)
    ap.add_argument("--hidden", type=int, default=50)
    ap.add_argument("--direct", action="store_true")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=5, help="steps before the clock starts")
    ap.add_argument("--optimizer", default="adamw", choices=["adamw", "sgd"])
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=2147483647)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--trace", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)

    sizes = [float(s) for s in a.sizes.split("/")]
    train, dev, test = ordered_split(read_items(a.data), sizes)
    stoi, V = vocabulary(train, a.min_count)
    Xtr, Ytr = examples(train, stoi, a.block)
    K = a.block * a.emb

    w = load_safetensors(a.init)
    C, W1, b1, W2, b2 = (w[k].clone() for k in ("C", "W1", "b1", "W2", "b2"))
    Wd = w["Wd"].clone() if a.direct else None
    assert C.shape == (V, a.emb), f"--init has C {tuple(C.shape)}, the data gives V = {V}"
    params = [C, W1, b1, W2, b2] + ([Wd] if a.direct else [])
    for p in params:
        p.requires_grad_(True)
    g = torch.Generator().manual_seed(a.seed)
    for p in (C, W1, b1, W2, b2):  # makemore's initial draws, to reach its batch stream
        torch.randn(p.shape, generator=g)
    decay = [C, W1, W2] + ([Wd] if a.direct else [])
    groups = [{"params": decay, "weight_decay": a.weight_decay}, {"params": [b1, b2], "weight_decay": 0.0}]
    opt = (torch.optim.AdamW(groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8) if a.optimizer == "adamw"
           else torch.optim.SGD(groups, lr=a.lr))

    losses, t_start = [], None
    for step in range(a.steps):
        if step == a.warmup:
            t_start = time.perf_counter()
        ix = torch.randint(0, Xtr.shape[0], (a.batch,), generator=g)
        x = C[Xtr[ix]].view(-1, K)
        logits = torch.tanh(x @ W1 + b1) @ W2 + b2
        if a.direct:
            logits = logits + x @ Wd
        loss = F.cross_entropy(logits, Ytr[ix])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if a.trace:
            print(f"{step} {losses[-1]:.6f}")
    timed = a.steps - a.warmup
    secs = time.perf_counter() - t_start if t_start is not None else float("nan")
    out = {"vocab_size": V, "ntrain": int(Xtr.shape[0]), "steps": a.steps, "timed_steps": timed,
           "ms_per_step": 1000 * secs / timed if timed > 0 else None, "threads": torch.get_num_threads(),
           "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
           "blas": blas_library(), "torch": torch.__version__}
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k}: {v}")


if __name__ == "__main__":
    sys.exit(main())
