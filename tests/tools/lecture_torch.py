"""The lecture's MLP run in PyTorch, for the parity tests (our own code, kept
in the repository so a fresh clone with python3-torch runs them).

load_splits(path, T): the lecture's data pipeline. The vocabulary is the
sorted distinct characters with ids from 1 (0 is the stop token "."); the
words are shuffled by Python's random.seed(42) and split 80/10/10; each word
gives one example per character and one for the stop, the context starting
as T stop tokens.

lecture_run(path, steps): the lecture's training from one torch.Generator
seeded 2147483647: C, W1, b1, W2, b2 drawn with torch.randn in that order,
then torch.randint(0, ntrain, (32,)) per step, plain SGD at 0.1 for the
first half of the steps and 0.01 after (makemore's default --lr-decay-step
is max-steps / 2). Returns sizes, whole-split losses before and after, and
every step's minibatch loss.
"""
import random

import torch
import torch.nn.functional as F


def load_splits(path, T):
    with open(path, encoding="utf-8") as f:
        words = f.read().splitlines()
    stoi = {ch: i + 1 for i, ch in enumerate(sorted(set("".join(words))))}
    random.seed(42)
    random.shuffle(words)
    a, b = int(0.8 * len(words)), int(0.9 * len(words))

    def examples(ws):
        X, Y = [], []
        for w in ws:
            ctx = [0] * T
            for ix in [stoi[ch] for ch in w] + [0]:
                X.append(list(ctx))
                Y.append(ix)
                ctx = ctx[1:] + [ix]
        return torch.tensor(X, dtype=torch.long).reshape(-1, T), torch.tensor(Y, dtype=torch.long)

    return examples(words[:a]), examples(words[a:b]), examples(words[b:]), len(stoi) + 1


def lecture_run(path, steps, T=3, E=10, H=200, B=32):
    (Xtr, Ytr), (Xdev, Ydev), (Xte, _), V = load_splits(path, T)
    g = torch.Generator().manual_seed(2147483647)
    shapes = [(V, E), (T * E, H), (H,), (H, V), (V,)]
    C, W1, b1, W2, b2 = params = [torch.randn(s, generator=g) for s in shapes]

    def logits(X):
        return torch.tanh(C[X].reshape(X.shape[0], T * E) @ W1 + b1) @ W2 + b2

    def split_loss(X, Y):
        with torch.no_grad():
            return F.cross_entropy(logits(X), Y).item()

    out = {"ntrain": Xtr.shape[0], "ndev": Xdev.shape[0], "ntest": Xte.shape[0],
           "init_train_loss": split_loss(Xtr, Ytr), "init_dev_loss": split_loss(Xdev, Ydev), "trace": []}
    for p in params:
        p.requires_grad_(True)
    for step in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (B,), generator=g)
        loss = F.cross_entropy(logits(Xtr[ix]), Ytr[ix])
        for p in params:
            p.grad = None
        loss.backward()
        lr = 0.1 if step < steps // 2 else 0.01
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        out["trace"].append(loss.item())
    out["train_loss"], out["dev_loss"] = split_loss(Xtr, Ytr), split_loss(Xdev, Ydev)
    return out
