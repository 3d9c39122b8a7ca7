#!/usr/bin/env python3
"""makemore.py's training for exactly N steps, then its losses both ways.

  /usr/bin/python3 bench/peer_train.py --type transformer --steps N [--threads T]
                                       [--save W.safetensors]

Environment: MAKEMORE_PY (default ../shared/reference/makemore.py), NAMES_TXT.

Loads makemore.py as a module and runs its own pieces in its own order
(seed, create_datasets, the model, AdamW with its settings, the
InfiniteDataLoader with --num-workers 0): the loop of its main block without
the evaluations every 500 steps and samples every 200, which draw from the
same generator and so would change the batch order (not the model or the
optimizer). Prints one JSON object: the median step time, makemore.py's own
evaluate() of the test split (the mean of 11 batch means over 100 shuffled
items each, as its log prints it) and the token mean over the whole train
and test splits (what `makemore eval` computes). --save writes the state
dict as safetensors for `makemore import`.
"""
import argparse
import contextlib
import importlib.util
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.abspath(os.environ.get("MAKEMORE_PY", os.path.join(ROOT, "..", "shared", "reference", "makemore.py")))
NAMES = os.path.abspath(os.environ.get("NAMES_TXT", os.path.join(ROOT, "data", "names.txt")))


def load_peer():
    spec = importlib.util.spec_from_file_location("makemore_py", PEER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.args = argparse.Namespace(device="cpu")  # its evaluate() reads the global args
    return mod


@torch.inference_mode()
def token_mean(model, dataset):
    """Cross-entropy summed over every target of the split, over their count."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(dataset), 500):
        X, Y = zip(*(dataset[j] for j in range(i, min(i + 500, len(dataset)))))
        X, Y = torch.stack(X), torch.stack(Y)
        logits, _ = model(X)
        total += F.cross_entropy(logits.view(-1, logits.size(-1)).double(), Y.view(-1), ignore_index=-1,
                                 reduction="sum").item()
        count += (Y != -1).sum().item()
    model.train()
    return total / count


def build(mod, kind, train_dataset):
    config = mod.ModelConfig(vocab_size=train_dataset.get_vocab_size(), block_size=train_dataset.get_output_length(),
                             n_layer=4, n_head=4, n_embd=64, n_embd2=64)
    makers = {"transformer": lambda: mod.Transformer(config), "bigram": lambda: mod.Bigram(config),
              "mlp": lambda: mod.MLP(config), "rnn": lambda: mod.RNN(config, cell_type="rnn"),
              "gru": lambda: mod.RNN(config, cell_type="gru"), "bow": lambda: mod.BoW(config)}
    if kind not in makers:
        sys.exit("peer_train: --type %s: expected one of %s" % (kind, ", ".join(makers)))
    return makers[kind]()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--type", default="transformer")
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=3407)
    ap.add_argument("--save")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    mod = load_peer()
    torch.manual_seed(args.seed)
    with contextlib.redirect_stdout(sys.stderr):  # its progress lines; stdout is the JSON
        train_dataset, test_dataset = mod.create_datasets(NAMES)
    model = build(mod, args.type, train_dataset)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    loader = mod.InfiniteDataLoader(train_dataset, batch_size=32, pin_memory=True, num_workers=0)
    times, t_start = [], time.time()
    for step in range(args.steps):
        t0 = time.time()
        X, Y = loader.next()
        _, loss = model(X, Y)
        model.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        times.append(time.time() - t0)
        if step % 500 == 0:
            print("step %d loss %.4f" % (step, loss.item()), file=sys.stderr, flush=True)
    train_s = time.time() - t_start
    res = dict(type=args.type, steps=args.steps, threads=args.threads, params=sum(p.numel() for p in model.parameters()),
               ms_per_step=1000 * statistics.median(times[1:] or times), train_seconds=train_s,
               last_loss=loss.item(), their_test_loss=mod.evaluate(model, test_dataset, batch_size=100, max_batches=10),
               test_loss=token_mean(model, test_dataset), train_loss=token_mean(model, train_dataset))
    if args.save:
        sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
        from st_torch import save_safetensors
        save_safetensors(model.state_dict(), args.save)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
