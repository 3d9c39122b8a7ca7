#!/usr/bin/env python3
"""torch.randperm and makemore.py's split against ours, run when torch imports.

Our permutation (src/base/rng.c, printed by build/tests/test_randperm perm N
SEED) must equal torch.randperm(N) after torch.manual_seed(SEED), element for
element, for several N (exact integers: no tolerance). And the makemore
split of a file (test_randperm split FILE SEED) must be the one makemore.py
makes: its lines, stripped, empty ones dropped, permuted by torch.randperm,
the last min(1000, int(0.1 n)) test and the rest train. That procedure is
written out below from makemore.py's description, not imported from it.
"""
import os, subprocess, sys, tempfile

import torch

BIN = os.path.join(os.environ.get("TEST_BIN_DIR", "build/tests"), "test_randperm")
NAMES = os.environ.get("NAMES_TXT")
passed = failed = 0


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    if cond:
        passed += 1
    else:
        failed += 1


def ours(*args):
    out = subprocess.run([BIN] + [str(a) for a in args], capture_output=True, check=True)
    return out.stdout.decode("utf-8").splitlines()


def torch_split(path, seed):
    with open(path, "r", encoding="utf-8") as f:
        words = [w.strip() for w in f.read().splitlines()]
    words = [w for w in words if w]
    ntest = min(1000, int(len(words) * 0.1))
    torch.manual_seed(seed)
    rp = torch.randperm(len(words)).tolist()
    return ["train " + words[i] for i in rp[:-ntest]] + ["test " + words[i] for i in rp[-ntest:]]


print("1..9")  # the plan: 7 permutations, 2 splits (tests/run.sh fails a run that ends early)
for n, seed in [(1, 3407), (2, 3407), (10, 3407), (1000, 3407), (32033, 3407), (32033, 42), (100000, 7)]:
    torch.manual_seed(seed)
    want = torch.randperm(n).tolist()
    got = [int(x) for x in ours("perm", n, seed)]
    first = next((i for i in range(n) if got[i] != want[i]), None) if len(got) == n else 0
    check(got == want, f"randperm({n}) after manual_seed({seed}) equals torch's"
          + ("" if got == want else f": first difference at {first}"))

with tempfile.TemporaryDirectory() as tmp:
    # blank lines, surrounding white space, a form feed and a lone CR inside a
    # line (both line breaks to Python), a no-break space, and too few items
    # for a test split of 10% to be more than a few
    path = os.path.join(tmp, "odd.txt")
    lines = ["  anna ", "", "bob\t", "\u00a0carla", "dmitri\x0celena", "farouk\rgita", "   ", "hiro"]
    lines += [f"name{i}" for i in range(40)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\r\n")
    got, want = ours("split", path, 3407), torch_split(path, 3407)
    check(got == want, f"makemore split of a file with odd white space: {len(got)} items as makemore.py reads them"
          + ("" if got == want else f" (ours {got[:3]}..., torch {want[:3]}...)"))

if NAMES:
    got, want = ours("split", NAMES, 3407), torch_split(NAMES, 3407)
    ntest = sum(1 for x in got if x.startswith("test "))
    check(got == want, f"makemore split of names.txt: {len(got) - ntest} train, {ntest} test, every item in torch's order")
else:
    print("skip - makemore split of names.txt: NAMES_TXT is not set")

print(f"# {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
