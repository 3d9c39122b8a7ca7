#!/usr/bin/env python3
"""makemore.py's training of one model type, in PyTorch, on our reference
modules (tests/torch_ref, makemore.py's module trees and state_dict keys),
for the comparison with `makemore train --preset makemore-TYPE`.

  /usr/bin/python3 bench/torch_zoo.py TYPE NAMES_TXT STEPS [threads]

TYPE is bigram, mlp, rnn, gru, bow or transformer. The procedure is
makemore.py's: lines stripped, empty ones dropped; torch.manual_seed(3407),
torch.randperm over the items, the last min(1000, n // 10) the test split;
the model built right after (torch's default initialisation, drawing from
the same generator); AdamW lr 5e-4, weight decay 0.01, betas 0.9/0.99, eps
1e-8; batches of 32 items drawn with replacement. The test loss is the
token mean over the whole test split, as `makemore eval --split test`
computes it (makemore.py's own evaluate averages per-batch means instead).
Prints one JSON object: type, params, steps, test_loss, us_per_step (wall
clock) and cpu_us_per_step (the process's CPU time: on a shared machine
the steadier of the two).
"""
import json
import os
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from torch_ref.makemore_models import Config, build  # noqa: E402
from torch_ref.transformer import Transformer  # noqa: E402


def encode(words, stoi, T):
    """X (n, T): 0, ids, 0 padding; Y (n, T): ids, 0, then -1"""
    X = torch.zeros(len(words), T, dtype=torch.long)
    Y = torch.full((len(words), T), -1, dtype=torch.long)
    for i, w in enumerate(words):
        ix = torch.tensor([stoi[c] for c in w], dtype=torch.long)
        X[i, 1:1 + len(ix)] = ix
        Y[i, :len(ix)] = ix
        Y[i, len(ix)] = 0
    return X, Y


def model_for(kind, V, T):
    if kind == "transformer":
        return Transformer(V, T, 64, 4, 4)
    return build("makemore-mlp" if kind == "mlp" else kind, Config(V, T, 64, 64))


def main():
    kind, path, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    words = [w.strip() for w in open(path, encoding="utf-8").read().splitlines()]
    words = [w for w in words if w]
    stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))}
    V, T = len(stoi) + 1, max(len(w) for w in words) + 1
    ntest = min(1000, len(words) // 10)
    torch.manual_seed(3407)
    perm = torch.randperm(len(words)).tolist()
    model = model_for(kind, V, T)
    Xtr, Ytr = encode([words[i] for i in perm[:-ntest]], stoi, T)
    Xte, Yte = encode([words[i] for i in perm[-ntest:]], stoi, T)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        ix = torch.randint(len(Xtr), (32,))
        _, loss = model(Xtr[ix], Ytr[ix])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    with torch.no_grad():
        _, test = model(Xte, Yte)
    print(json.dumps({"type": kind, "params": sum(p.numel() for p in model.parameters()), "steps": steps,
                      "test_loss": round(test.item(), 6), "us_per_step": round(1e6 * seconds / max(steps, 1), 1),
                      "cpu_us_per_step": round(1e6 * cpu / max(steps, 1), 1),
                      "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
