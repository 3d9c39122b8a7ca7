"""Executes examples/words.ipynb headless (tests/notebook_exec.py) and
checks what it shows against the CLI on the model it trained: the corpus
(Genesis and Exodus of the KJV, from Debian's bible-kjv), the dev loss and
perplexity, the next words after its prefixes, the neighbours of "god" from
embeddings() and from `makemore neighbors`, the samples. Run by
tests/python_package.sh next to python_notebook.py.
    argv: the makemore binary, a scratch folder"""
import json
import math
import os
import re
import subprocess
import sys

PLAN = 7
print(f"1..{PLAN}")
done = 0


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"words.ipynb: {what}")


MM, tmp = sys.argv[1], os.path.abspath(sys.argv[2])
os.makedirs(tmp, exist_ok=True)
sys.dont_write_bytecode = True  # no tests/__pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notebook_exec import execute, texts  # noqa: E402

nb, error = execute("words.ipynb", tmp)
check(error is None, f"executes without an error ({error or 'every cell ran'})")
model = os.path.join(tmp, "out", "model")


def cli(*args):
    return subprocess.run([MM, *args], capture_output=True, text=True).stdout


def cell_with(marker):
    c = next((c for c in nb.cells if c.cell_type == "code" and marker in c.source), None)
    return texts(c) if c else ""


corpus = re.search(r"^(\d+) verses, (\d+) tokens", cell_with("bible"), re.M)
nverses = int(corpus.group(1)) if corpus else 0
check(corpus is not None and nverses > 2700 and int(corpus.group(2)) > 80000,
      f"the corpus: {corpus.group(0) if corpus else 'not shown'} (Genesis and Exodus, 1533 + 1213 verses)")

shown = cell_with('m.eval("dev")')
dev = re.search(r"^dev loss: ([0-9.]+) nats per token$", shown, re.M)
ppl = re.search(r"^dev perplexity: ([0-9.]+) \(uniform: (\d+)\)$", shown, re.M)
ref = re.search(r"loss ([0-9.]+)", cli("eval", "-o", model, "--split", "dev"))
dev, ref = (float(x.group(1)) if x else math.nan for x in (dev, ref))
ok = ppl is not None and abs(dev - ref) < 2e-4 and abs(math.exp(dev) - float(ppl.group(1))) < 0.1
check(ok and float(ppl.group(1)) < float(ppl.group(2)) / 10,
      f"dev loss {dev} (makemore eval: {ref}), perplexity {ppl.group(1) if ppl else '?'} "
      f"against {ppl.group(2) if ppl else '?'} for a uniform guess")

nxt = cell_with("next_probs_batch")
rows = dict(re.findall(r"^(.+) \.\.\.: (.+)$", nxt, re.M))
agree = []
for prefix, shown_top in rows.items():
    want = json.loads(cli("probs", "-o", model, "--prefix", prefix, "--top", "5", "--json") or "{}").get("probs", [])
    got = [(w, float(p)) for w, p in (x.rsplit(" ", 1) for x in shown_top.split(", "))]
    agree.append(len(got) == 5 and [w for w, _ in got] == [t["word"] for t in want]
                 and all(abs(p - t["prob"]) < 1e-3 for (_, p), t in zip(got, want)))
check(len(rows) == 3 and all(agree), f"the next 5 words after {len(rows)} prefixes equal makemore probs --top 5: "
      f"{next(iter(rows.items()), '')}")
check(re.search(r"^unknown word: .*'zebra' is not in the model's vocabulary", nxt, re.M) is not None,
      "an unknown word is an error naming it")

nbr = cell_with("embeddings()")
mine = re.search(r"^god: (.+)$", nbr, re.M)
mine = [(w, float(c)) for w, c in (x.rsplit(" ", 1) for x in mine.group(1).split(", "))] if mine else []
theirs = [(w, float(c)) for w, c in re.findall(r"^(\S+)\t([0-9.-]+)$", nbr, re.M)]
check(len(mine) == 6 and [w for w, _ in mine] == [w for w, _ in theirs]
      and all(abs(a - b) < 1e-3 for (_, a), (_, b) in zip(mine, theirs)),
      f"the neighbours of 'god' by cosine of embeddings() are makemore neighbors' ({mine[:3]} ...)")

smp = cell_with("m.sample(5").strip("\n").split("\n")
ref_s = [ln.split("\t")[0] for ln in cli("sample", "-o", model, "-n", "5", "--seed", "7").splitlines()]
check(len(smp) == 9 and smp[:5] == ref_s and all(s.startswith("and moses said") for s in smp[6:]),
      f"5 samples, those of makemore sample --seed 7, and 3 starting 'and moses said' ({smp[0][:60]}...)")
if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
