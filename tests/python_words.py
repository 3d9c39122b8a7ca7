"""The Python package on a word model (train(tokens="word")): next_probs,
next_probs_batch, loss, eval, sample, embeddings and tensors speak words,
agree with each other and with the CLI, and an unknown word raises
MakemoreError naming it. The corpus is made here: short sentences of a
small grammar, plus rare words that min_count=2 turns into <unk>. Run by
tests/test_python.sh.
    argv: the makemore binary, a scratch folder, "numpy" or "lists" """
import json
import math
import os
import random
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("MAKEMORE_TEST_INSTALLED"):
    sys.path.insert(0, os.path.join(os.path.dirname(here), "python"))
import makemore  # noqa: E402

MM, tmp, want = sys.argv[1], sys.argv[2], sys.argv[3]
PLAN = 12
print(f"1..{PLAN}")
done = 0


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"python {sys.version.split()[0]} ({want}) words: {what}")


def row(x, i):
    return [float(v) for v in x[i]]


def raises(f, word):
    try:
        f()
    except makemore.MakemoreError as e:
        return word in str(e), str(e)
    except Exception as e:  # noqa: BLE001 - any other type is the failure this reports
        return False, f"{type(e).__name__}: {e}"
    return False, "no error"


r = random.Random(11)
subj = ["the cat", "a dog", "the king", "my friend", "the old man", "a bird"]
verb = ["sees", "eats", "likes", "finds", "hears"]
obj = ["the fish", "a bone", "the bread", "some water", "the moon", "a song"]
lines = []
for i in range(1200):
    s = f"{r.choice(subj)} {r.choice(verb)} {r.choice(obj)}"
    if r.random() < 0.3:
        s += " today"
    if i % 40 == 7:
        s += f" rare{i}"  # seen once: <unk> under min_count=2
    lines.append(s)
data = os.path.join(tmp, "words.txt")
with open(data, "w", encoding="utf-8") as f:
    f.write("".join(s + "\n" for s in lines))
out = os.path.join(tmp, "w")
TRAIN, DEV = 4000, 1000
summary = makemore.train(data, out, tokens="word", min_count=2, split="ordered", split_sizes=f"{TRAIN}/{DEV}",
                         max_steps=400, batch_size=32, n_embd=8, n_hidden=32, block_size=3, seed=3, threads=1,
                         progress=None)
m = makemore.load(out)
V = len(m.chars)
check(m.words and m.chars[:2] == ["</s>", "<unk>"] and "man" in m.chars and not any(c.startswith("rare") for c in m.chars)
      and "words" in repr(m), f"a word model: {V} tokens {m.chars[:6]}..., rare words left to <unk>; {m!r}")

# next_probs_batch rows are next_probs' dicts, prefixes being words
prefixes = ["", "the old", "a dog sees", "<unk>", "the  king\tlikes"]
batch = m.next_probs_batch(prefixes)
worst = 0.0
for i, p in enumerate(prefixes):
    d = m.next_probs(p)
    worst = max(worst, max(abs(a - d[c]) for a, c in zip(row(batch, i), m.chars)))
sums = [sum(row(batch, i)) for i in range(len(prefixes))]
check(len(batch) == len(prefixes) and len(row(batch, 0)) == V and worst <= 1e-12
      and all(abs(s - 1) < 1e-6 for s in sums),
      f"next_probs_batch rows equal the next_probs dicts (largest difference {worst:.1e}), each sums to 1")
after = m.next_probs("the old")
check(after["man"] > 0.5 and max(after, key=after.get) == "man",
      f"after 'the old' the next word is 'man' (p = {after['man']:.3f}): whole words are the tokens")
ref = subprocess.run([MM, "probs", "-o", out, "--prefix", "the old", "--top", "3", "--json"], capture_output=True,
                     text=True)
try:
    pairs = [(t["word"], t["prob"]) for t in json.loads(ref.stdout)["probs"]]
    cli_ok = len(pairs) == 3 and all(abs(after[w] - p) < 1e-6 for w, p in pairs)
except (ValueError, TypeError, KeyError) as e:
    pairs, cli_ok = f"unreadable ({e}): {ref.stdout[:120]!r} {ref.stderr[:120]!r}", False
check(cli_ok, f"next_probs('the old') equals makemore probs --prefix 'the old' ({pairs})")

# loss(): one item by hand from next_probs, then the dev split back to eval
item = "the cat likes the moon today"
ws = item.split()
by_hand = -sum(math.log(m.next_probs(" ".join(ws[:k]))[ws[k] if k < len(ws) else "</s>"])
               for k in range(len(ws) + 1)) / (len(ws) + 1)
got = float(m.loss([item])[0])
check(abs(got - by_hand) < 1e-6, f"loss('{item}') = {got:.6f}: the mean over its 6 words and end, by hand {by_hand:.6f}")


def take(items, budget):
    """The ordered split's rule: whole items until the count (words, ends not
    counted) is reached, the item reaching it included."""
    n = count = 0
    while n < len(items) and count < budget:
        count += len(items[n].split())
        n += 1
    return items[:n], items[n:]


_, rest = take(lines, TRAIN)
dev, _ = take(rest, DEV)
known = set(m.chars)
dev_tok = [" ".join(w if w in known else "<unk>" for w in s.split()) for s in dev]
unk = sum(w == "<unk>" for s in dev_tok for w in s.split())
losses = m.loss(dev_tok)
weights = [len(s.split()) + 1 for s in dev_tok]
mean = sum(float(x) * w for x, w in zip(losses, weights)) / sum(weights)
ev = m.eval("dev")
check(abs(mean - ev) < 1e-5 and abs(ev - summary["dev_loss"]) < 1e-5,
      f"loss() of the {len(dev)} dev items ({unk} words as <unk>), weighted by words + 1: {mean:.6f}, "
      f"eval('dev') {ev:.6f}, train()'s dev loss {summary['dev_loss']:.6f}")

# an unknown word: an error naming it, everywhere a word is read
bad = [raises(lambda: m.next_probs("the zebra"), "zebra"),
       raises(lambda: m.next_probs_batch(["the cat", "a zebra sees"]), "zebra"),
       raises(lambda: m.loss(["the cat", "the zebra eats"]), "zebra"),
       raises(lambda: m.sample(2, prefix="zebra"), "zebra")]
check(all(ok for ok, _ in bad), f"an unknown word raises MakemoreError naming it in next_probs, next_probs_batch, "
      f"loss and sample ({bad[1][1]})")
long_ok, long_msg = raises(lambda: m.loss([" ".join(["the"] * 300)]), "256")
check(long_ok, f"an item of more words than the calls take is refused, not cut: {long_msg}")

# sampling: the CLI's items, made of the vocabulary's words, prefixes kept
s = m.sample(6, seed=4)
ref_s = [ln.split("\t")[0] for ln in subprocess.run([MM, "sample", "-o", out, "-n", "6", "--seed", "4"],
                                                    capture_output=True, text=True).stdout.splitlines()]
check(s == ref_s and all(w in known for x in s for w in x.split()),
      f"sample(6, seed=4) equals makemore sample --seed 4, every word in the vocabulary ({s[:2]}...)")
p = m.sample(5, seed=2, prefix="the old")
check(all(x == "the old" or x.startswith("the old ") for x in p),
      f"sample(prefix='the old') items start with those two words ({p[:2]}...)")

# arrays: one embedding row per word, the tensors' first V rows
emb = m.embeddings()
C = m.tensors()["C"]
check(len(emb) == V and all(row(emb, i) == row(C, i) for i in range(V)),
      f"embeddings() is ({V}, {len(row(emb, 0))}), row i the word chars[i]: tensors()['C']'s first rows")


def cos(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


nb = json.loads(makemore.command("neighbors", "-o", out, "--word", "cat", "-k", "3", "--json"))["neighbors"]
cat = row(emb, m.chars.index("cat"))
mine = sorted(((cos(cat, row(emb, i)), w) for i, w in enumerate(m.chars) if w != "cat"), reverse=True)[:3]
check(len(nb) == 3 and [n["word"] for n in nb] == [w for _, w in mine]
      and all(abs(n["cosine"] - c) < 1e-5 for n, (c, _) in zip(nb, mine)),
      f"command('neighbors', --word cat) = the 3 nearest rows of embeddings() by cosine: "
      f"{[(n['word'], n['cosine']) for n in nb]}")
if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
