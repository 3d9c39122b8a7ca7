#!/usr/bin/env python3
"""The PyTorch peer's whole-split evaluation and sampling, on makemore's
trained weights, for bench/bench.py.

  /usr/bin/python3 bench/peer.py WEIGHTS.safetensors NAMES_TXT PEER_DIR [threads]

Evaluation is torch_mlp.py's own split_loss expression on the training
split (best of 5). Sampling is the lecture's loop, one character at a time
with torch.multinomial, counting the stop token as a character, for about
two seconds. Prints one JSON object.
"""
import json
import struct
import sys
import time

import torch
import torch.nn.functional as F


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[a:b]), dtype=torch.float32).reshape(t["shape"])
    return out


def main():
    weights, names, peer_dir = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    torch.set_num_threads(threads)
    sys.path.insert(0, peer_dir)
    from torch_mlp import load_splits

    w = load_safetensors(weights)
    C, W1, b1, W2, b2 = (w[k] for k in ("C", "W1", "b1", "W2", "b2"))
    block = W1.shape[0] // C.shape[1]
    (Xtr, Ytr), _, _, _ = load_splits(names, block)

    def split_loss(X, Y):  # torch_mlp.py's
        with torch.no_grad():
            h = torch.tanh(C[X].view(-1, W1.shape[0]) @ W1 + b1)
            return F.cross_entropy(h @ W2 + b2, Y).item()

    best, loss = 1e30, 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        loss = split_loss(Xtr, Ytr)
        best = min(best, time.perf_counter() - t0)

    g = torch.Generator().manual_seed(2147483647 + 10)
    chars, t0 = 0, time.perf_counter()
    with torch.no_grad():
        while time.perf_counter() - t0 < 2.0:
            context = [0] * block
            while True:  # the lecture's sampling loop
                emb = C[torch.tensor([context])]
                h = torch.tanh(emb.view(1, -1) @ W1 + b1)
                probs = F.softmax(h @ W2 + b2, dim=1)
                ix = torch.multinomial(probs, num_samples=1, generator=g).item()
                context = context[1:] + [ix]
                chars += 1
                if ix == 0:
                    break
    rate = chars / (time.perf_counter() - t0)
    print(json.dumps(dict(ntrain=int(Xtr.shape[0]), train_loss=round(loss, 6), eval_s=round(best, 6),
                          sample_chars_s=round(rate), threads=threads, torch=torch.__version__)))


if __name__ == "__main__":
    main()
