#!/usr/bin/env python3
"""makemore.py's six types end to end through the command line, against
our PyTorch reference modules (tests/torch_ref), run when torch imports.

Data: 2,000 names written here (a to z, 2 to 15 letters, so the vocabulary
is 27 and the block 16 as on names.txt, and the parameter counts are
makemore.py's on names.txt). NAMES_TXT is not used: every check below is of
one model's numbers (initial weights, counts, a test loss against torch's,
an import, refusals), which hold or fail the same on 2,000 names as on
32,033; the full file only made every `train` and `eval` evaluate 16
times more items. For each type:
  - `train --preset makemore-TYPE --max-steps 0`: the initial weights are
    those of our reference module built right after torch.manual_seed(3407)
    and torch.randperm(n), as makemore.py builds its model: every tensor
    bit for bit but the embeddings (torch.randn's Box-Muller uses its own
    log/cos approximations), which agree within 1e-5 absolute;
  - `train --preset makemore-TYPE --max-steps 30`: `params` in --json is
    makemore.py's count (729, 69147, 11803, 28315, 12827, 204544);
  - `export --safetensors`: the reference module loads it with
    load_state_dict(strict=True) and its token-mean loss on the test split
    (makemore.py's split and encoding written out here), in float64, is
    `makemore eval --split test`'s within 1e-5 relative (float32 sums and
    our exp/tanh approximations differ from it in the last digits only);
  - `import` of that file into a new folder evaluates to the same test loss,
    to the last printed digit;
  - the file with one key renamed, with one tensor's shape changed, and
    with one tensor stored as F64 is refused: exit 2, one line naming the
    tensor, no folder written.
"""
import json, os, random, subprocess, sys, tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tools"))
from st_torch import load_safetensors, save_safetensors  # noqa: E402
from torch_ref.makemore_models import Config, build  # noqa: E402
from torch_ref.transformer import Transformer  # noqa: E402

MM = os.environ.get("MAKEMORE", "./makemore")
# makemore.py's parameter counts on names.txt (vocabulary 27, block 16)
COUNTS = {"bigram": 729, "mlp": 69147, "rnn": 11803, "gru": 28315, "bow": 12827, "transformer": 204544}
KIND = {"mlp": "makemore-mlp"}  # makemore's --model name where it differs from makemore.py's --type
STEPS = 30
passed = failed = 0


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    if cond:
        passed += 1
    else:
        failed += 1


def run(*args):
    return subprocess.run([MM, *args], capture_output=True, text=True)


def write_names(path):
    rng = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz"
    with open(path, "w") as f:
        f.write(letters[:15] + "\n" + letters[11:] + "\n")  # every letter; the longest item, 15
        for _ in range(1998):
            f.write("".join(rng.choice(letters) for _ in range(rng.randint(2, 15))) + "\n")


def makemore_data(path):
    """makemore.py's items, vocabulary, block and test split (encoded:
    X = 0, ids, 0 padding; Y = ids, 0, then -1)"""
    words = [w.strip() for w in open(path, encoding="utf-8").read().splitlines()]
    words = [w for w in words if w]
    stoi = {c: i + 1 for i, c in enumerate(sorted(set("".join(words))))}
    T = max(len(w) for w in words) + 1
    ntest = min(1000, int(len(words) * 0.1))
    torch.manual_seed(3407)
    test = [words[i] for i in torch.randperm(len(words)).tolist()[-ntest:]]
    X = torch.zeros(len(test), T, dtype=torch.long)
    Y = torch.full((len(test), T), -1, dtype=torch.long)
    for i, w in enumerate(test):
        ix = torch.tensor([stoi[c] for c in w], dtype=torch.long)
        X[i, 1:1 + len(ix)] = ix
        Y[i, :len(ix)] = ix
        Y[i, len(ix)] = 0
    return len(words), len(stoi) + 1, T, X, Y


def reference(kind, V, T):
    if kind == "transformer":
        return Transformer(V, T, 64, 4, 4)
    return build(KIND.get(kind, kind), Config(V, T, 64, 64))


def check_init(kind, data, work, n, V, T):
    out = run("train", "--preset", "makemore-" + kind, "-i", data, "-o", work, "--max-steps", "0", "-t", "1",
              "--lr-find", "0", "--samples", "0")
    st = work + ".st"
    if out.returncode or run("export", "-o", work, "--safetensors", st).returncode:
        check(False, f"{kind}: initial weights: {out.stderr.strip()[-300:]}")
        return
    ours = load_safetensors(st)
    torch.manual_seed(3407)
    torch.randperm(n)
    want = reference(kind, V, T).state_dict()
    embd = {k for k in want if k.endswith(("wte.weight", "wpe.weight"))}
    exact = [k for k in want if k not in embd and not torch.equal(want[k], ours[k])]
    close = max([(want[k] - ours[k]).abs().max().item() for k in embd] or [0.0])
    check(ours.keys() == want.keys() and not exact and close <= 1e-5,
          f"{kind}: --preset makemore-{kind}'s initial weights are makemore.py's (torch.manual_seed(3407), randperm, "
          f"construction): {len(want) - len(embd)} tensors bit for bit"
          + (f" (not: {', '.join(exact[:3])})" if exact else "")
          + f", the embeddings within {close:.1e} (tolerance 1e-5)")


def refusals(kind, st, data, tmp):
    sd = load_safetensors(st)
    names = list(sd)
    victim = names[-1]
    renamed = {(k + "_x" if k == victim else k): v for k, v in sd.items()}
    reshaped = dict(sd, **{victim: sd[victim][:-1]})
    cases = (("a key renamed", renamed, {}, victim), ("a shape changed", reshaped, {}, victim),
             ("an F64 tensor", sd, {victim: "F64"}, victim))
    for what, tensors, dtypes, name in cases:
        bad = os.path.join(tmp, "bad.st")
        save_safetensors(tensors, bad, dtypes)
        dest = os.path.join(tmp, kind + ".refused")
        out = run("import", "--safetensors", bad, "--model", KIND.get(kind, kind), "-i", data, "-o", dest, "-t", "1")
        err = out.stderr.strip()
        check(out.returncode == 2 and err and "\n" not in err and f"'{name}'" in err and not os.path.exists(dest),
              f"{kind}: import of a file with {what} is refused in one line naming '{name}' (exit {out.returncode}): "
              + err[:200])


def one_type(kind, data, tmp, n, V, T, X, Y):
    work = os.path.join(tmp, kind)
    check_init(kind, data, work + ".init", n, V, T)
    out = run("train", "--preset", "makemore-" + kind, "-i", data, "-o", work, "--max-steps", str(STEPS), "-t", "1",
              "--lr-find", "0", "--samples", "0", "--json")
    if out.returncode:
        check(False, f"{kind}: train --preset makemore-{kind}: {out.stderr.strip()[-300:]}")
        return
    params = json.loads(out.stdout)["params"]
    check(params == COUNTS[kind], f"{kind}: params {params}, makemore.py's {COUNTS[kind]}")
    ours = json.loads(run("eval", "-o", work, "--split", "test", "--json", "-t", "1").stdout)["test_loss"]
    st = work + ".safetensors"
    run("export", "-o", work, "--safetensors", st)
    model = reference(kind, V, T)
    model.load_state_dict(load_safetensors(st), strict=True)
    with torch.no_grad():
        want = model.double()(X, Y)[1].item()
    rel = abs(ours - want) / want
    check(rel <= 1e-5, f"{kind}: the export loads into torch (strict); its test loss {want:.6f} (float64) is "
          f"makemore eval's {ours:.6f} ({rel:.1e} relative, tolerance 1e-5)")
    imported = work + ".imported"
    out = run("import", "--safetensors", st, "--model", KIND.get(kind, kind), "-i", data, "-o", imported, "-t", "1")
    again = json.loads(run("eval", "-o", imported, "--split", "test", "--json", "-t", "1").stdout or "{}")
    check(out.returncode == 0 and again.get("test_loss") == ours,
          f"{kind}: import of the export evaluates to the same test loss ({again.get('test_loss')}, {ours})")
    refusals(kind, st, data, tmp)


def main():
    print("1..43", flush=True)  # 1 on the data, then 7 for each of the six types
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "names.txt")
        write_names(data)
        n, V, T, X, Y = makemore_data(data)
        check((V, T) == (27, 16), f"the data has makemore.py's vocabulary 27 and block 16 ({V}, {T}): {data}")
        for kind in COUNTS:
            one_type(kind, data, tmp, n, V, T, X, Y)
    print(f"# {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
