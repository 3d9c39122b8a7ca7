#!/usr/bin/env python3
"""Parity with PyTorch of every trainable kind on word tokens (issue 18).

The data: a corpus of 400 sentences written here from a small grammar
(determiners, adjectives, nouns, verbs, prepositions; likelier words drawn
more often) with a few dozen rare words, a literal <unk>, a line of tabs
and double spaces, a CRLF line and a blank line. `--tokens word
--min-count 3` keeps about 110 words and makes the rare ones <unk>.

The words are encoded here from the specification (README.md, "Words";
man/makemore.1), not from makemore's ids: items are the lines split at
space, tab, CR, VT, FF, blank lines skipped; the vocabulary is the words
of the training split seen at least K times, likeliest first, ties in byte
order, as ids 2..; id 0 ends an item, id 1 is <unk> (a literal <unk>
too). The three splits are rebuilt here as well: the lecture's (Python's
random.seed(42) shuffle, 80/10/10), makemore.py's (torch.randperm after
torch.manual_seed(3407), the last tenth test) and the ordered one (file
order, cut where the words before an item reach 80% and 10% of them).
makemore's vocabulary size and example counts are checked against these,
and every loss below is computed on them.

The lecture's kinds (tests/parity_torch.py and tests/parity_models.py
compare them on characters; their forward pass and initial draws are
reused from parity_models.py): makemore trains 0 and STEPS steps; torch
loads the initial safetensors export, draws the same minibatches
(torch.randint after the initial weights' draws, from one generator) and
takes the same steps with torch.optim. Checked, with the character tests'
tolerances:
  - mlp, the lecture's (torch init, SGD; as parity_torch.py): initial
    weights = torch.randn from the seed within 1e-6; initial train and dev
    losses within 1e-4; every step's loss within 1e-4 relative; the
    exported trained weights give makemore's dev loss in torch within 1e-5;
  - mlp --direct (AdamW, the ordered split), bnmlp (momentum), wavenet
    (SGD) (as parity_models.py): initial dev loss (evaluation mode) within
    1e-5 relative, every step's loss within 2e-5 relative, every tensor
    after the steps, running statistics included, within 2e-5, the trained
    dev loss within 1e-5 relative.
The mixture (eval --mix-ngram 3 --mix-smoothing kn) of an mlp --direct
trained 400 steps on the ordered split: the n-gram alone is tests/ref/kn.py's Kneser-Ney trigram counted
on the training ids encoded here, within 1e-6 relative (both in double);
at --mix-weight 0.4 the loss is -mean log(0.4 p + 0.6 p_kn) with p from
torch, within 1e-5 relative (float32 logits); the weight fitted on dev
gives that loss there, no weight on a grid of 1001 does better, and test
is mixed at the same weight.
makemore.py's kinds (bigram, makemore-mlp, rnn, gru, bow, transformer;
tests/parity_seqkinds.py, parity_transformer.py and parity_makemore_cli.py
on characters; the reference modules are tests/torch_ref's) through the
command line with --preset makemore-TYPE at small sizes: the initial
weights are the reference module's built after torch.manual_seed(3407)
and torch.randperm(n) (bit for bit, the embeddings within 1e-5: torch's
Box-Muller uses its own log/cos); the module loads our export with
strict=True; torch draws the batches with torch.randint from the same
generator and takes the same 20 AdamW steps (makemore.py's lr 5e-4, as
the character tests): every loss within 1e-4
relative, every tensor within 1e-4 of its largest |value| (the
transformer's elements whose gradient was ever below 1e-7, the key biases
among them, apart within 1e-4 absolute, as parity_transformer.py); the
trained export's test-split loss in float64 within 1e-5 relative of
`makemore eval --split test`. The largest difference per tensor is
printed. kn is counted, not trained: tests/test_kn.sh checks it on words.
"""
import collections, csv, json, math, os, random, re, subprocess, sys, tempfile

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tools"))
from st_torch import load_safetensors  # noqa: E402
from parity_models import draw_init, forward, layers  # noqa: E402
from torch_ref.makemore_models import Config, build  # noqa: E402
from torch_ref.transformer import Transformer  # noqa: E402

MM = os.environ.get("MAKEMORE", "./makemore")
MIN_COUNT = 3
UNK, END = 1, 0
SPACE = re.compile(r"[ \t\r\v\f]+")  # the word separators; Python's split() knows more
passed = failed = 0


def check(cond, msg):
    global passed, failed
    print(("ok - " if cond else "not ok - ") + msg, flush=True)
    if cond:
        passed += 1
    else:
        failed += 1


def run_mm(*args):
    out = subprocess.run([MM, *args], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError("makemore %s: %s" % (" ".join(args[:3]), out.stderr.strip()[-400:]))
    return out.stdout


# ---- the corpus ---------------------------------------------------------------
def write_corpus(path):
    rng = random.Random(18)
    det = ["the", "a", "this", "that", "every", "some", "my", "our"]
    adj = ["old", "young", "small", "great", "quiet", "green", "bright", "dark", "cold", "kind", "wise", "tall",
           "swift", "gentle", "proud", "poor", "red", "long", "empty", "strange"]
    noun = ["king", "queen", "man", "woman", "child", "dog", "cat", "horse", "bird", "river", "city", "house",
            "garden", "field", "tree", "road", "ship", "sea", "mountain", "village", "farmer", "soldier", "song",
            "letter", "window", "door", "bridge", "forest", "stone", "boat", "table", "lamp", "wall", "hill",
            "wind", "fire", "bell", "cup", "book", "coat", "shoe", "wheel", "lake", "island", "tower", "market"]
    verb = ["saw", "found", "loved", "built", "crossed", "followed", "heard", "kept", "left", "made", "met",
            "painted", "sold", "watched", "visited", "carried", "wanted", "remembered", "opened", "closed",
            "washed", "burned", "broke", "bought", "hid", "drew", "named", "fed"]
    prep = ["near", "under", "behind", "beside", "over", "across", "into", "from"]
    rare = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(3)) for _ in range(40)]

    def pick(words):  # Zipf's law: the k-th word of a list drawn in proportion to 1/k
        return rng.choices(words, weights=[1 / k for k in range(1, len(words) + 1)])[0]

    def phrase():
        words = [pick(det)] + ([pick(adj)] if rng.random() < 0.5 else []) + [pick(noun)]
        if rng.random() < 0.08:
            words[-1] = rng.choice(rare)
        return words

    lines = []
    for i in range(400):
        s = phrase() + [pick(verb)] + phrase()
        if rng.random() < 0.4:
            s += [pick(prep)] + phrase()
        lines.append(" ".join(s))
    lines[5] = "the\tking  saw\t\tthe   queen"  # tabs and runs of spaces separate words too
    lines[17] = "a <unk> saw the dog"             # a literal <unk> is the unknown word
    lines[30] = lines[30] + "\r"                  # CRLF
    lines.insert(40, "   ")                       # a blank line: not an item
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")


# ---- the encoding, from the specification ---------------------------------------
def read_items(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return [ws for ws in ([w for w in SPACE.split(line) if w] for line in text.split("\n")) if ws]


def split_items(items, kind):
    """item indices of train, dev, test"""
    n = len(items)
    if kind == "lecture":
        order = list(range(n))
        random.Random(42).shuffle(order)
        a, b = int(0.8 * n), int(0.9 * n)
        return order[:a], order[a:b], order[b:]
    if kind == "makemore":
        torch.manual_seed(3407)
        rp = torch.randperm(n).tolist()
        ntest = min(1000, int(n * 0.1))
        return rp[:n - ntest], [], rp[n - ntest:]
    total, cuts, k, before = sum(len(w) for w in items), [], 0, 0
    for frac in (0.8, 0.1):
        start = before
        while k < n and before - start < frac * total:
            before += len(items[k])
            k += 1
        cuts.append(k)
    return list(range(cuts[0])), list(range(cuts[0], cuts[1])), list(range(cuts[1], n))


class Words:
    """the items, one split and the vocabulary of its training part"""

    def __init__(self, items, kind):
        self.items, self.kind = items, kind
        self.parts = split_items(items, kind)
        count = collections.Counter(w for i in self.parts[0] for w in items[i])
        keep = sorted((w for w, c in count.items() if c >= MIN_COUNT and w != "<unk>"),
                      key=lambda w: (-count[w], w.encode()))
        self.stoi = {w: k + 2 for k, w in enumerate(keep)}
        self.V = len(keep) + 2
        self.nunk = sum(w not in self.stoi for i in self.parts[0] for w in items[i])

    def ids(self, i):
        return [self.stoi.get(w, UNK) for w in self.items[i]]

    def contexts(self, part, T):
        """the lecture's examples: (n, T) contexts from T ends, (n,) next ids"""
        X, Y = [], []
        for i in self.parts[part]:
            ctx = [END] * T
            for t in self.ids(i) + [END]:
                X.append(ctx)
                Y.append(t)
                ctx = ctx[1:] + [t]
        return torch.tensor(X, dtype=torch.long).reshape(-1, T), torch.tensor(Y, dtype=torch.long)

    def sequences(self, part, T):
        """makemore.py's examples: X = 0, ids, 0s; Y = ids, 0, then -1"""
        rows = [self.ids(i) for i in self.parts[part]]
        X = torch.zeros(len(rows), T, dtype=torch.long)
        Y = torch.full((len(rows), T), -1, dtype=torch.long)
        for r, ids in enumerate(rows):
            X[r, 1:1 + len(ids)] = torch.tensor(ids, dtype=torch.long)
            Y[r, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            Y[r, len(ids)] = END
        return X, Y


def read_trace(d):
    with open(os.path.join(d, "log.csv")) as f:
        return [float(r["loss"]) for r in csv.DictReader(f) if r["loss"]]


def export(d):
    run_mm("export", "-o", d, "--safetensors", d + ".st")
    return load_safetensors(d + ".st")


def check_data(name, got, words, examples):
    """makemore's vocabulary size and example counts are the ones encoded here"""
    want = (words.V,) + tuple(e for e in examples)
    have = (got["vocab_size"], got["ntrain"], got["ndev"], got["ntest"])
    check(have == want, "%s: vocabulary %d (%d words + </s> + <unk>; %d <unk> in train) and %d/%d/%d examples as "
          "encoded here from the specification (makemore: %s)" % (name, words.V, words.V - 2, words.nunk, *examples, have))


# ---- the lecture's kinds ------------------------------------------------------------
LECTURE = ["--lr-find", "0", "--samples", "0", "--save-every", "0", "--json", "--lr-decay", "1", "-t", "1",
           "--tokens", "word", "--min-count", str(MIN_COUNT)]


def lecture_mlp(data, words, tmp, steps=12):
    """the lecture's MLP with its torch init and SGD, as parity_torch.py"""
    T, E, H, seed = 3, 10, 64, 2147483647
    base = ["train", "-i", data, "--model", "mlp", "--block-size", str(T), "--n-embd", str(E), "--n-hidden", str(H),
            "--seed", str(seed), "--learning-rate", "0.1"] + LECTURE
    d0, d1 = os.path.join(tmp, "mlp0"), os.path.join(tmp, "mlp1")
    init = json.loads(run_mm(*base, "-o", d0, "--max-steps", "0"))
    res = json.loads(run_mm(*base, "-o", d1, "--max-steps", str(steps)))
    (Xtr, Ytr), (Xdev, Ydev), (Xte, _) = (words.contexts(p, T) for p in range(3))
    check_data("mlp", init, words, (len(Ytr), len(Ydev), len(Xte)))
    g = torch.Generator().manual_seed(seed)
    shapes = {"C": (words.V, E), "W1": (T * E, H), "b1": (H,), "W2": (H, words.V), "b2": (words.V,)}
    w = {k: torch.randn(s, generator=g) for k, s in shapes.items()}
    ours = export(d0)
    diff = max((ours[k] - t).abs().max().item() for k, t in w.items())
    check(ours.keys() == w.keys() and diff <= 1e-6, "mlp: initial C (%d, %d), W1, b1, W2, b2 are torch.randn from "
          "seed %d: max |diff| %.2e (tolerance 1e-6)" % (words.V, E, seed, diff))

    def loss(X, Y):
        return F.cross_entropy(torch.tanh(w["C"][X].view(-1, T * E) @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"], Y)

    with torch.no_grad():
        l0 = (loss(Xtr, Ytr).item(), loss(Xdev, Ydev).item())
    d = max(abs(init["init_train_loss"] - l0[0]), abs(init["init_dev_loss"] - l0[1]))
    check(d < 1e-4, "mlp: initial train and dev losses %.6f %.6f, torch %.6f %.6f (max |diff| %.1e, tolerance 1e-4)"
          % (init["init_train_loss"], init["init_dev_loss"], *l0, d))
    for t in w.values():
        t.requires_grad_(True)
    theirs = []
    for _ in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        lo = loss(Xtr[ix], Ytr[ix])
        for t in w.values():
            t.grad = None
        lo.backward()
        with torch.no_grad():
            for t in w.values():
                t -= 0.1 * t.grad
        theirs.append(lo.item())
    trace = read_trace(d1)
    rel = max(abs(a - b) / abs(b) for a, b in zip(trace, theirs))
    check(len(trace) == steps and rel <= 1e-4, "mlp: %d SGD steps' losses within %.2e relative (tolerance 1e-4; "
          "first %.4f, last %.4f)" % (steps, rel, theirs[0], theirs[-1]))
    got = export(d1)
    with torch.no_grad():
        h = torch.tanh(got["C"][Xdev].view(-1, T * E) @ got["W1"] + got["b1"])
        dev = F.cross_entropy(h @ got["W2"] + got["b2"], Ydev).item()
    check(abs(dev - res["dev_loss"]) < 1e-5, "mlp: the trained export in torch: dev loss %.6f, makemore %.6f "
          "(tolerance 1e-5)" % (dev, res["dev_loss"]))


def lecture_case(name, kind, flags, T, n_layers, optimizer, data, words, tmp, steps=12):
    """a kind of parity_models.py on words, at its tolerances"""
    bn = ["--bn-momentum", "0.1"] if kind != "mlp" else []
    base = ["train", "-i", data, "--model", kind, "--block-size", str(T), "--seed", "1234"] + LECTURE + bn + flags
    if words.kind == "ordered":
        base += ["--split", "ordered"]
    slug = re.sub(r"[^a-z0-9]+", "-", name)
    d0, d1 = os.path.join(tmp, slug + "0"), os.path.join(tmp, slug + "1")
    init = json.loads(run_mm(*base, "-o", d0, "--max-steps", "0"))
    res = json.loads(run_mm(*base, "-o", d1, "--max-steps", str(steps)))
    (Xtr, Ytr), (Xdev, Ydev), (Xte, _) = (words.contexts(p, T) for p in range(3))
    check_data(name, init, words, (len(Ytr), len(Ydev), len(Xte)))
    w, want = export(d0), export(d1)
    L = layers(kind, T, n_layers)
    with torch.no_grad():
        dev0 = F.cross_entropy(forward(kind, w, Xdev, T, L, False, 0.1), Ydev).item()
    check(abs(dev0 - init["init_dev_loss"]) <= 1e-5 * dev0, "%s: initial dev loss (evaluation mode) torch %.6f, "
          "makemore %.6f (tolerance 1e-5 relative)" % (name, dev0, init["init_dev_loss"]))
    trained = [n for n in w if not n.endswith(("_mean", "_var"))]
    for n in trained:
        w[n].requires_grad_(True)
    decay = [w[n] for n in trained if n[0] in "CW"]
    opt = optimizer([{"params": decay}, {"params": [w[n] for n in trained if n[0] not in "CW"], "weight_decay": 0.0}])
    g = torch.Generator().manual_seed(1234)
    draw_init(g, kind, w, L)
    theirs = []
    for _ in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        lo = F.cross_entropy(forward(kind, w, Xtr[ix], T, L, True, 0.1), Ytr[ix])
        opt.zero_grad()
        lo.backward()
        opt.step()
        theirs.append(lo.item())
    trace = read_trace(d1)
    rel = max(abs(a - b) / b for a, b in zip(trace, theirs))
    check(len(trace) == steps and rel <= 2e-5, "%s: %d minibatch losses within %.2e relative (tolerance 2e-5)"
          % (name, steps, rel))
    diffs = {n: (w[n].detach() - want[n]).abs().max().item() for n in want}
    for n, d in diffs.items():
        print("# %s: %s %s max |diff| %.2e" % (name, n, tuple(want[n].shape), d))
    worst = max((d, n) for n, d in diffs.items())
    check(set(w) == set(want) and worst[0] <= 2e-5, "%s: every tensor after %d steps, running statistics included: "
          "max |diff| %.2e in %s (tolerance 2e-5)" % (name, steps, worst[0], worst[1]))
    with torch.no_grad():
        dev1 = F.cross_entropy(forward(kind, want, Xdev, T, L, False, 0.1), Ydev).item()
    check(abs(dev1 - res["dev_loss"]) <= 1e-5 * dev1, "%s: dev loss after %d steps torch %.6f, makemore %.6f "
          "(tolerance 1e-5 relative)" % (name, steps, dev1, res["dev_loss"]))


# ---- the mixture with a Kneser-Ney n-gram (tests/ref/kn.py) ----------------------------
def mixture(data, words, tmp, flags, T=3, order=3):
    """eval --mix-ngram: the n-gram alone against tests/ref/kn.py counted on
    the training ids encoded here, and p = w p_model + (1 - w) p_kn with the
    model's probabilities from torch, at a fixed weight and fitted on dev.
    The model: an mlp --direct trained long enough (400 steps) that the
    weight fitted on dev is neither 0 nor 1."""
    d = os.path.join(tmp, "mixed")
    run_mm("train", "-i", data, "-o", d, "--model", "mlp", "--block-size", str(T), "--split", "ordered",
           "--max-steps", "400", *LECTURE, *flags)
    w = export(d)
    sys.path.insert(0, os.path.join(HERE, "ref"))
    from kn import KneserNey
    kn = KneserNey([words.ids(i) for i in words.parts[0]], order, words.V)
    parts = {}
    for p, split in ((1, "dev"), (2, "test")):
        X, Y = words.contexts(p, T)
        with torch.no_grad():
            pm = F.softmax(forward("mlp", w, X, T, 0, False, 0.1).double(), -1)[torch.arange(len(Y)), Y]
        pk = torch.tensor([kn.prob(x[T - order + 1:], y) for x, y in zip(X.tolist(), Y.tolist())], dtype=torch.float64)
        parts[split] = (pm, pk)
    mix = lambda split, a: -torch.log(a * parts[split][0] + (1 - a) * parts[split][1]).mean().item()
    flags = ["eval", "-o", d, "--json", "-t", "1", "--mix-ngram", str(order), "--mix-smoothing", "kn"]
    ev = {s: json.loads(run_mm(*flags, "--split", s)) for s in ("dev", "test")}
    fixed = {s: json.loads(run_mm(*flags, "--split", s, "--mix-weight", "0.4")) for s in ("dev", "test")}
    rel = lambda a, b: abs(a - b) / abs(b)
    worst = max(rel(ev[s]["ngram_%s_loss" % s], mix(s, 0.0)) for s in ev)
    check(worst <= 1e-6, "mixture: the Kneser-Ney %d-gram of the word ids alone, dev %.6f test %.6f, is tests/ref/kn.py's "
          "(%.1e relative, tolerance 1e-6)" % (order, ev["dev"]["ngram_dev_loss"], ev["test"]["ngram_test_loss"], worst))
    worst = max(rel(fixed[s]["mix_%s_loss" % s], mix(s, 0.4)) for s in fixed)
    check(worst <= 1e-5 and all(fixed[s]["mix_weight"] == 0.4 and fixed[s]["mix_weight_fitted"] == 0 for s in fixed),
          "mixture at --mix-weight 0.4: dev %.6f test %.6f are -mean log(0.4 p_torch + 0.6 p_kn) (%.1e relative, "
          "tolerance 1e-5)" % (fixed["dev"]["mix_dev_loss"], fixed["test"]["mix_test_loss"], worst))
    a = ev["dev"]["mix_weight"]
    best = min(mix("dev", b / 1000) for b in range(1001))
    ppl = all(rel(ev[s]["mix_%s_perplexity" % s], math.exp(ev[s]["mix_%s_loss" % s])) < 1e-5 for s in ev)
    check(ev["dev"]["mix_weight_fitted"] == 1 and 0 < a < 1 and rel(ev["dev"]["mix_dev_loss"], mix("dev", a)) <= 1e-5
          and mix("dev", a) <= best + 1e-9 and ev["test"]["mix_weight"] == a and ppl,
          "mixture fitted on dev: weight %.4f, dev loss %.6f (torch and kn.py at it: %.6f; no weight on a grid of "
          "1001 is lower: %.6f), the same weight for test; perplexity exp(loss)" % (a, ev["dev"]["mix_dev_loss"],
                                                                                 mix("dev", a), best))


DIRECT = ["--direct", "--init", "scaled", "--n-embd", "10", "--n-hidden", "32", "--optimizer", "adamw",
          "--learning-rate", "0.01", "--beta2", "0.99", "--weight-decay", "0.1"]


# ---- makemore.py's kinds -------------------------------------------------------------
SEQ_KINDS = {"bigram": "bigram", "makemore-mlp": "mlp", "rnn": "rnn", "gru": "gru", "bow": "bow",
             "transformer": "transformer"}
E, H, NL, NH = 16, 24, 2, 2


def reference(kind, V, T):
    if kind == "transformer":
        return Transformer(V, T, E, NL, NH)
    return build(kind, Config(V, T, E, H))


def seq_case(kind, data, words, tmp, steps=20):
    T = max(len(w) for w in words.items) + 1  # the sequence kinds' block: the longest item + 1
    base = ["train", "--preset", "makemore-" + SEQ_KINDS[kind], "-i", data, "-t", "1", "--lr-find", "0",
            "--samples", "0", "--save-every", "0", "--json", "--tokens", "word", "--min-count", str(MIN_COUNT)]
    sizes = {"n-embd": E, "n-hidden": H, "n-layers": NL, "n-head": NH}
    uses = {"bigram": [], "makemore-mlp": ["n-embd", "n-hidden"], "rnn": ["n-embd", "n-hidden"],
            "gru": ["n-embd", "n-hidden"], "bow": ["n-embd", "n-hidden"],
            "transformer": ["n-embd", "n-layers", "n-head"]}[kind]
    for k in uses:
        base += ["--" + k, str(sizes[k])]
    d0, d1 = os.path.join(tmp, kind + "-s0"), os.path.join(tmp, kind + "-s1")
    init = json.loads(run_mm(*base, "-o", d0, "--max-steps", "0"))
    run_mm(*base, "-o", d1, "--max-steps", str(steps))
    (Xtr, Ytr), (Xte, Yte) = words.sequences(0, T), words.sequences(2, T)
    check_data(kind, init, words, (len(Xtr), 0, len(Xte)))
    ours, final = export(d0), export(d1)
    torch.manual_seed(3407)
    torch.randperm(len(words.items))
    model = reference(kind, words.V, T)
    want = model.state_dict()
    embd = {k for k in want if k.endswith(("wte.weight", "wpe.weight"))}
    exact = [k for k in want if k not in embd and not (k in ours and torch.equal(want[k], ours[k]))]
    close = max([(want[k] - ours[k]).abs().max().item() for k in embd if k in ours] or [0.0])
    check(ours.keys() == want.keys() and not exact and close <= 1e-5,
          "%s: initial weights are the reference module's after torch.manual_seed(3407) and randperm(%d): %d tensors "
          "bit for bit%s, the embeddings within %.1e (tolerance 1e-5)" % (kind, len(words.items), len(want) - len(embd),
                                                                         " (not: %s)" % ", ".join(exact[:3]) if exact else "", close))
    try:
        model.load_state_dict(ours, strict=True)
    except RuntimeError as e:
        check(False, "%s: the reference module loads our export with strict=True: %s" % (kind, e))
        return
    check(True, "%s: the reference module loads our %d tensors with strict=True" % (kind, len(ours)))
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01, betas=(0.9, 0.99), eps=1e-8)
    small = {n: torch.zeros_like(p, dtype=torch.bool) for n, p in model.named_parameters()}
    theirs = []
    for _ in range(steps):
        ix = torch.randint(0, Xtr.shape[0], (32,))
        _, lo = model(Xtr[ix], Ytr[ix])
        opt.zero_grad(set_to_none=True)
        lo.backward()
        for n, p in model.named_parameters():
            small[n] |= p.grad.abs() < 1e-7
        opt.step()
        theirs.append(lo.item())
    trace = read_trace(d1)
    rel = max(abs(a - b) / abs(b) for a, b in zip(trace, theirs))
    check(len(trace) == steps and rel <= 1e-4, "%s: %d AdamW steps' losses within %.2e relative (tolerance 1e-4; "
          "first %.4f, last %.4f)" % (kind, steps, rel, theirs[0], theirs[-1]))
    bad, nsmall, small_diff = [], 0, 0.0
    for n, v in model.state_dict().items():
        diff = (final[n] - v).abs()
        mask = small[n] if kind == "transformer" and n in small else torch.zeros_like(diff, dtype=torch.bool)
        if mask.any():
            nsmall += int(mask.sum())
            small_diff = max(small_diff, diff[mask].max().item())
            diff = diff[~mask]
        scale = max(v.abs().max().item(), 1e-30)
        d = diff.max().item() if diff.numel() else 0.0
        print("# %s: %s max |diff| %.2e (%.2e of its largest %.3g)%s" % (kind, n, d, d / scale, scale,
              "; %d tiny-gradient elements apart" % int(mask.sum()) if mask.any() else ""))
        if d > 1e-4 * scale:
            bad.append(n)
    check(not bad and small_diff <= 1e-4, "%s: every tensor after %d steps within 1e-4 of its largest |value|%s%s"
          % (kind, steps, ": not " + ", ".join(bad) if bad else "",
             "; %d elements with a gradient below 1e-7 within %.2e (tolerance 1e-4)" % (nsmall, small_diff)
             if kind == "transformer" else ""))
    got = json.loads(run_mm("eval", "-o", d1, "--split", "test", "--json", "-t", "1"))["test_loss"]
    model.load_state_dict(final, strict=True)
    with torch.no_grad():
        ref = model.double()(Xte, Yte)[1].item()
    r = abs(got - ref) / ref
    check(r <= 1e-5, "%s: the trained export's test loss in torch (float64) %.6f, makemore eval %.6f (%.1e relative, "
          "tolerance 1e-5)" % (kind, ref, got, r))


def main():
    lecture_checks, mlp_checks, seq_checks, mix_checks = 5, 5, 6, 3
    print("1..%d" % (1 + mlp_checks + 3 * lecture_checks + mix_checks + len(SEQ_KINDS) * seq_checks), flush=True)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "words.txt")
        write_corpus(data)
        items = read_items(data)
        lecture, ordered, mm = Words(items, "lecture"), Words(items, "ordered"), Words(items, "makemore")
        check(len(items) == 400 and 60 <= lecture.V <= 300 and lecture.nunk > 0 and mm.nunk > 0,
              "the corpus: %d items, %d words, vocabulary %d with --min-count %d, %d <unk> in the lecture's "
              "training split" % (len(items), sum(map(len, items)), lecture.V, MIN_COUNT, lecture.nunk))
        sgd = lambda groups: torch.optim.SGD(groups, lr=0.1)
        mom = lambda groups: torch.optim.SGD(groups, lr=0.05, momentum=0.9, weight_decay=0.01)
        adamw = lambda groups: torch.optim.AdamW(groups, lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
        cases = [
            (lecture_mlp, (data, lecture, tmp)),
            (lecture_case, ("mlp --direct, adamw, ordered split", "mlp", DIRECT, 3, 0, adamw, data, ordered, tmp)),
            (lecture_case, ("bnmlp 2 layers, momentum", "bnmlp", ["--n-layers", "2", "--n-embd", "10", "--n-hidden",
             "32", "--optimizer", "momentum", "--learning-rate", "0.05", "--weight-decay", "0.01"], 3, 2, mom, data,
             lecture, tmp)),
            (lecture_case, ("wavenet, sgd", "wavenet", ["--n-embd", "10", "--n-hidden", "24", "--learning-rate",
             "0.1"], 8, 0, sgd, data, lecture, tmp)),
            (mixture, (data, ordered, tmp, DIRECT)),
        ] + [(seq_case, (k, data, mm, tmp)) for k in SEQ_KINDS]
        for fn, args in cases:
            try:
                fn(*args)
            except (RuntimeError, KeyError, ValueError) as e:  # a failed command: the rest still runs
                check(False, "%s: %s" % ({lecture_mlp: "mlp", mixture: "mixture"}.get(fn, args[0]), e))
    print("# %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
