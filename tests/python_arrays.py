"""The Python package's arrays and errors: tensors() against `makemore export`,
embeddings(), next_probs_batch() against next_probs(), loss() against eval(),
copies that outlive the model, a closed model, wrong types and values, huge
n, unknown characters. Run by tests/test_python.sh (the source tree's
package) and tests/python_package.sh (the installed one, with numpy and
without).
    argv: the makemore binary, a scratch folder, "numpy" or "lists" (what
    the arrays must be: numpy importable or not)"""
import json
import os
import random
import struct
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("MAKEMORE_TEST_INSTALLED"):
    sys.path.insert(0, os.path.join(os.path.dirname(here), "python"))
import makemore  # noqa: E402

MM, tmp, want = sys.argv[1], sys.argv[2], sys.argv[3]
PLAN = 31
print(f"1..{PLAN}")
done = 0
try:
    import numpy as np
except ImportError:
    np = None


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"python {sys.version.split()[0]} ({want}): {what}")


def cli(*args):
    return subprocess.run([MM, *args], capture_output=True, text=True)


def flat(x):
    if np is not None and isinstance(x, np.ndarray):
        return [float(v) for v in x.ravel()]
    if isinstance(x, list):
        return [v for row in x for v in flat(row)] if x and isinstance(x[0], list) else [float(v) for v in x]
    return [float(x)]


def shape(x):
    if np is not None and isinstance(x, np.ndarray):
        return tuple(x.shape)
    s = []
    while isinstance(x, list):
        s.append(len(x))
        x = x[0] if x else None
    return tuple(s)


check((np is not None) == (want == "numpy"), f"numpy importable: {np is not None}, as this run expects ({want})")

names = ["anna", "bob", "carla", "dmitri", "elena", "farouk", "gita", "hiro", "ines", "jomo", "kaia", "lars",
         "mira", "noor", "zoë", "rené", "ada", "eli", "ola", "uma"]
data = os.path.join(tmp, "small.txt")
words = [names[i % len(names)] + ("" if i < len(names) else str(i % 7).replace("0", "")) for i in range(400)]
words = [w.rstrip("0123456789") + "abcdefg"[i % 7] * (i % 3) for i, w in enumerate(words)]
with open(data, "w", encoding="utf-8") as f:
    f.write("".join(w + "\n" for w in words))
out = os.path.join(tmp, "m")
makemore.train(data, out, max_steps=300, batch_size=16, n_hidden=24, seed=5, threads=1, progress=None)
m = makemore.load(out)
V = len(m.chars)

# tensors(): the names, order, shapes and values of `makemore export`
st = os.path.join(tmp, "m.safetensors")
cli("export", "-o", out, "--safetensors", st)
raw = open(st, "rb").read()
(hlen,) = struct.unpack_from("<Q", raw, 0)
header = json.loads(raw[8:8 + hlen])
header.pop("__metadata__", None)
t = m.tensors()
same_names = list(t) == list(header)
worst = 0.0
for name, h in header.items():
    b, e = h["data_offsets"]
    ref = struct.unpack(f"<{(e - b) // 4}f", raw[8 + hlen + b:8 + hlen + e])
    got = flat(t[name])
    worst = max([worst] + [abs(x - y) for x, y in zip(got, ref)] + [float("inf")] * (len(got) != len(ref)))
    same_names = same_names and shape(t[name]) == tuple(h["shape"])
check(same_names and worst == 0.0, f"tensors(): {list(t)} with export's names, shapes and values (max diff {worst})")
kind = type(t["C"]).__name__
ok = (isinstance(t["C"], np.ndarray) and t["C"].dtype == np.float32 and t["C"].flags.owndata
      if np is not None else isinstance(t["C"], list) and isinstance(t["C"][0], list))
check(ok, f"tensors() gives {kind}s: numpy arrays owning their data with numpy, nested lists without")

emb = m.embeddings()
check(shape(emb) == (V, shape(t["C"])[1]) and flat(emb) == flat(t["C"])[:V * shape(emb)[1]],
      f"embeddings() is the first V rows of C, shape {shape(emb)}")

prefixes = ["", "a", "jo", "zoë", "rené"]
batch = m.next_probs_batch(prefixes)
diff = max(abs(flat(batch)[i * V + j] - m.next_probs(p)[c]) for i, p in enumerate(prefixes)
           for j, c in enumerate(m.chars))
check(shape(batch) == (len(prefixes), V) and diff < 1e-12,
      f"next_probs_batch(): shape {shape(batch)}, rows equal next_probs() (max diff {diff:.1e})")
check(shape(m.next_probs_batch([])) == (0, V) or (np is None and m.next_probs_batch([]) == []),
      "next_probs_batch([]) is empty")

# loss(): the dev items' losses weighted by their length + 1 average to eval('dev')
items = [w for w in words if w]
random.seed(42)
random.shuffle(items)
dev = items[int(0.8 * len(items)):int(0.9 * len(items))]
losses = flat(m.loss(dev))
mean = sum(l * (len(w) + 1) for l, w in zip(losses, dev)) / sum(len(w) + 1 for w in dev)
check(abs(mean - m.eval("dev")) < 1e-5, f"loss() of the dev items averages to eval('dev') ({mean:.6f} vs "
      f"{m.eval('dev'):.6f})")
lo = flat(m.loss(["anna", "nnnnaaaa"]))
check(lo[0] < lo[1], f"loss(): a training item scores lower than a scrambled one ({lo[0]:.3f} < {lo[1]:.3f})")

# copies: changing an array changes nothing in the model; arrays outlive it
before = flat(m.tensors()["b2"])
if np is not None:
    t["b2"][:] = 99.0
else:
    t["b2"][0] = 99.0
check(flat(m.tensors()["b2"]) == before, "tensors() are copies: writing to one leaves the model as it was")
kept = (m.tensors(), m.embeddings(), m.next_probs_batch(["a"]), m.loss(["anna"]))
snap = [flat(x) if not isinstance(x, dict) else [v for a in x.values() for v in flat(a)] for x in kept]
m.close()
after = [flat(x) if not isinstance(x, dict) else [v for a in x.values() for v in flat(a)] for x in kept]
check(snap == after and m.closed, "arrays taken before close() keep their values after it (copies)")


def raises(fn, kind, text):
    try:
        fn()
    except kind as e:
        return text in str(e), f"{type(e).__name__}: {e}"
    except BaseException as e:  # noqa: BLE001 - any other exception is a failure
        return False, f"{type(e).__name__}: {e}"
    return False, "no exception"


E = makemore.MakemoreError
for what, fn in [("tensors()", m.tensors), ("embeddings()", m.embeddings),
                 ("next_probs_batch()", lambda: m.next_probs_batch(["a"])), ("loss()", lambda: m.loss(["a"])),
                 ("sample()", lambda: m.sample(2)), ("next_probs()", lambda: m.next_probs("a")),
                 ("eval()", lambda: m.eval("dev"))]:
    ok, msg = raises(fn, E, "closed")
    check(ok, f"{what} of a closed model raises MakemoreError: {msg}")

m = makemore.load(out)
bad_prefix = cli("probs", "-o", out, "--prefix", "jo!").stderr.strip()
ok, msg = raises(lambda: m.next_probs("jo!"), E, "the character '!' is not in the model's vocabulary")
check(ok and msg.split(": ", 1)[1] in bad_prefix, f"a prefix of unknown characters: {msg} (CLI: {bad_prefix})")
ok, msg = raises(lambda: m.next_probs_batch(["jo", "j€"]), E, "prefixes[1]: the character '€'")
check(ok, f"next_probs_batch() names the bad prefix: {msg}")
ok, msg = raises(lambda: m.loss(["anna", "b", "a!"]), E, "items[2]: the character '!'")
check(ok, f"loss() names the bad item: {msg}")

wrong = [("sample(n='3')", lambda: m.sample("3"), TypeError, "n must be an int"),
         ("sample(n=10**12)", lambda: m.sample(10**12), ValueError, "n must be at most"),
         ("sample(temperature='hot')", lambda: m.sample(2, temperature="hot"), TypeError, "temperature"),
         ("sample(seed=-1)", lambda: m.sample(2, seed=-1), ValueError, "seed"),
         ("next_probs_batch('abc')", lambda: m.next_probs_batch("abc"), TypeError, "prefixes"),
         ("loss([1, 2])", lambda: m.loss([1, 2]), TypeError, "items[0] must be a str, not int"),
         ("train(max_steps='10')", lambda: makemore.train(data, os.path.join(tmp, "x"), max_steps="10", progress=None),
          TypeError, "max_steps")]
if np is not None:
    wrong.append(("next_probs_batch(an int array)", lambda: m.next_probs_batch(np.arange(3)), TypeError,
                  "prefixes[0] must be a str"))
    wrong.append(("loss(a float array)", lambda: m.loss(np.zeros(2)), TypeError, "items[0] must be a str"))
else:
    wrong.append(("load(123)", lambda: makemore.load(123), TypeError, "directory must be a path"))
    wrong.append(("sample(top_k=1.5)", lambda: m.sample(2, top_k=1.5), TypeError, "top_k must be an int"))
for what, fn, kind, text in wrong:
    ok, msg = raises(fn, kind, text)
    check(ok, f"{what} raises {kind.__name__} naming the argument: {msg}")
check(len(m.sample(3, seed=1)) == 3, "the model still works after all of those")

# _repr_html_: kind, size, losses, the embedding figure, and the panel of
# report.html (here a stand-in file) with this model.bin inside
import base64  # noqa: E402
fake = os.path.join(tmp, "panel.html")
with open(fake, "w") as f:
    f.write("<div id=\"mm-panel\">PANEL-MARK</div>")
os.environ["MAKEMORE_REPORT_PANEL"] = fake
h = m._repr_html_()
b64 = base64.b64encode(open(os.path.join(out, "model.bin"), "rb").read()).decode()
check("makemore model: mlp" in h and f"{m.num_params:,}" in h and "dev loss" in h and "<svg" in h
      and "<iframe" in h and "PANEL-MARK" in h and b64 in h,
      "_repr_html_(): kind, parameters, losses, the embedding figure, the panel with the model inside")

if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
