"""The Python module (python/makemore) against the command line: training,
sampling, probabilities and evaluation must agree with `makemore` on the
same model, and errors must arrive as MakemoreError with the library's
message. Run by tests/test_python.sh with each Python it finds.
    argv: the makemore binary, a scratch folder"""
import json
import os
import struct
import subprocess
import sys
import zlib

here = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("MAKEMORE_TEST_INSTALLED"):
    sys.path.insert(0, os.path.join(os.path.dirname(here), "python"))
import makemore  # noqa: E402

MM, tmp = sys.argv[1], sys.argv[2]
PLAN = 23
print(f"1..{PLAN}")
done = 0


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"python {sys.version.split()[0]}: {what}")


def cli(*args):
    return subprocess.run([MM, *args], check=True, capture_output=True, text=True).stdout


names = ["anna", "bob", "carla", "dmitri", "elena", "farouk", "gita", "hiro", "ines", "jomo", "kaia", "lars",
         "mira", "noor", "zoë", "rené"]
data = os.path.join(tmp, "small.txt")
with open(data, "w", encoding="utf-8") as f:
    f.write("".join(names[i % len(names)] + "\n" for i in range(600)))

flags = dict(max_steps=300, batch_size=16, n_hidden=32, seed=7, threads=1)
summary = makemore.train(data, os.path.join(tmp, "py"), **flags)
ref = json.loads(cli("train", "-i", data, "-o", os.path.join(tmp, "cli"), "--max-steps", "300", "--batch-size",
                     "16", "--n-hidden", "32", "--seed", "7", "-t", "1", "--json", "--samples", "0",
                     "--lr-find", "0"))
same = [k for k in ("vocab_size", "ntrain", "ndev", "params", "steps", "model", "optimizer")
        if summary.get(k) != ref.get(k)]
check(not same and abs(summary["dev_loss"] - ref["dev_loss"]) < 1e-6,
      f"train() gives the summary and the losses of train --json (dev {summary['dev_loss']:.6f}; differ: {same})")

m = makemore.load(os.path.join(tmp, "py"))
check(m.kind == "mlp" and m.chars[0] == "." and "ë" in m.chars and m.num_params == ref["params"],
      f"load(): {m!r}")

s = m.sample(8, seed=3)
ref_s = [line.split("\t")[0] for line in cli("sample", "-o", os.path.join(tmp, "py"), "-n", "8", "--seed", "3").splitlines()]
check(isinstance(s, list) and s == ref_s, f"sample(8, seed=3) equals makemore sample --seed 3 ({s[:3]}...)")
check(m.sample(8, seed=3) == s and m.sample(8, seed=4) != s, "the same seed, the same items; another, others")
check(len(set(m.sample(10, top_k=1))) == 1, "top_k=1 draws the one likeliest item every time")
p = m.sample(6, seed=5, prefix="jo")
ref_p = [line.split("\t")[0] for line in cli("sample", "-o", os.path.join(tmp, "py"), "-n", "6", "--seed", "5",
                                             "--prefix", "jo").splitlines()]
check(all(x.startswith("jo") for x in p) and p == ref_p, f"sample(prefix='jo') completes 'jo', as the CLI ({p[:3]})")
cold, hot = m.sample(30, temperature=0.1, seed=1), m.sample(30, temperature=10, seed=1)
check(len(set(cold)) < len(set(hot)), f"temperature 0.1 draws fewer distinct items than 10 ({len(set(cold))} < {len(set(hot))})")

pr = m.next_probs("jo")
ref_pr = json.loads(cli("probs", "-o", os.path.join(tmp, "py"), "--prefix", "jo", "--json"))
diff = max(abs(pr[e["char"]] - e["prob"]) for e in ref_pr["probs"])
check(abs(sum(pr.values()) - 1) < 1e-5 and len(pr) == len(m.chars) and diff < 1e-6,
      f"next_probs('jo') sums to 1 and equals makemore probs --json (max diff {diff:.1e})")
check(max(m.next_probs(""), key=m.next_probs("").get) != ".", "after nothing, the end of the item is not the likeliest")

ev = json.loads(cli("eval", "-o", os.path.join(tmp, "py"), "--json"))
check(abs(m.eval("dev") - ev["dev_loss"]) < 1e-6 and abs(m.eval("train") - ev["train_loss"]) < 1e-6,
      f"eval('dev'), eval('train') equal makemore eval ({m.eval('dev'):.6f})")


def raises(fn, text, kind=makemore.MakemoreError):
    try:
        fn()
    except kind as e:
        return text in str(e), str(e)
    except Exception as e:  # noqa: BLE001 - any other exception is a failure
        return False, f"{type(e).__name__}: {e}"
    return False, "no exception"


# The flags about the run, not the model: the same mixture and samples as
# train --json, then the run resumed further, as train --resume.
run = dict(max_steps=40, n_hidden=16, threads=1)
got = makemore.train(data, os.path.join(tmp, "run"), save_every=10, mix_ngram=3, num_samples=4, progress=None, **run)
ref = json.loads(cli("train", "-i", data, "-o", os.path.join(tmp, "runcli"), "--max-steps", "40", "--n-hidden", "16",
                     "-t", "1", "--save-every", "10", "--mix-ngram", "3", "--num-samples", "4", "--json"))
keys = ("mix_weight", "mix_dev_loss", "ngram_dev_loss", "samples", "dev_loss")
check(all(got.get(k) == ref[k] for k in keys),
      f"train(save_every, mix_ngram, num_samples) gives train --json's {', '.join(keys)} ({got.get('samples')})")
more = makemore.train(data, os.path.join(tmp, "run"), resume=True, max_steps=80, threads=1, progress=None)
cli("train", "-i", data, "-o", os.path.join(tmp, "runcli"), "--resume", "--max-steps", "80", "-t", "1", "--json")
ref = json.loads(cli("eval", "-o", os.path.join(tmp, "runcli"), "--json"))
check(more["steps"] == 80 and abs(more["dev_loss"] - ref["dev_loss"]) < 1e-6,
      f"train(resume=True, max_steps=80) goes on as train --resume (dev {more['dev_loss']:.6f})")
kb = makemore.train(data, os.path.join(tmp, "kb"), eval_every=10, keep_best=True, progress=None, **run)
best = os.path.join(tmp, "kb", "best.bin")
check(os.path.isfile(best) and os.path.getsize(best) > 0 and kb.get("best_bin") == "best.bin" and
      kb.get("best_step") in (10, 20, 30, 40) and kb.get("best_dev_loss", 99) <= kb["init_dev_loss"],
      f"train(eval_every=10, keep_best=True) writes best.bin (best_step {kb.get('best_step')}, "
      f"best_dev_loss {kb.get('best_dev_loss')})")
ok, msg = raises(lambda: makemore.train(data, os.path.join(tmp, "x"), print_every=5, max_steps=1), "--print-every")
check(ok, f"train(print_every=5) raises MakemoreError naming the flag: {msg}")

for what, fn, text, kind in [
    ("load() of a folder without model.bin", lambda: makemore.load(os.path.join(tmp, "none")), "model.bin",
     makemore.MakemoreError),
    ("next_probs() of a character the model lacks", lambda: m.next_probs("jo!"), "'!' is not in the model's vocabulary",
     makemore.MakemoreError),
    ("eval() of a split that is not one", lambda: m.eval("validation"), "train, dev or test", makemore.MakemoreError),
    ("sample() at temperature 0", lambda: m.sample(2, temperature=0), "temperature", makemore.MakemoreError),
    ("train() with an unknown flag", lambda: makemore.train(data, os.path.join(tmp, "x"), max_stepz=3), "max_stepz",
     TypeError),
    ("train() with an unknown model", lambda: makemore.train(data, os.path.join(tmp, "x"), model="lstm"),
     "--model 'lstm': expected mlp", makemore.MakemoreError),
]:
    ok, msg = raises(fn, text, kind)
    check(ok, f"{what} raises {kind.__name__}: {msg}")

k = makemore.train(data, os.path.join(tmp, "wn"), model="wavenet", block_size=4, n_embd=6, n_hidden=16,
                   max_steps=100, threads=1)
w = makemore.load(os.path.join(tmp, "wn"))
ref_w = json.loads(cli("probs", "-o", os.path.join(tmp, "wn"), "--prefix", "mi", "--json"))
diff = max(abs(w.next_probs("mi")[e["char"]] - e["prob"]) for e in ref_w["probs"])
check(k["model"] == "wavenet" and w.kind == "wavenet" and diff < 1e-6 and len(w.sample(3)) == 3,
      f"another kind (wavenet) trains, samples and gives makemore probs' numbers (max diff {diff:.1e})")
# Finite weights whose logits overflow: the MLP's W2 (the last H*V floats
# before b2, which end an SGD run's parameters, before the CRC) set to 3e38.
b = bytearray(open(os.path.join(tmp, "py", "model.bin"), "rb").read())
V, T, E, H = struct.unpack_from("<4I", b, 20)
P = struct.unpack_from("<Q", b, 40)[0]
w2 = len(b) - 4 - 4 * P + 4 * (V * E + T * E * H + H)
for i in range(H * V):
    struct.pack_into("<f", b, w2 + 4 * i, 3e38)
struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
os.makedirs(os.path.join(tmp, "huge"))
open(os.path.join(tmp, "huge", "model.bin"), "wb").write(b)
huge = makemore.load(os.path.join(tmp, "huge"))
for what, fn in [("sample()", lambda: huge.sample(3, top_k=2)), ("next_probs()", lambda: huge.next_probs("jo"))]:
    ok, msg = raises(fn, "logits are NaN or infinite")
    check(ok, f"{what} of a model whose logits overflow raises MakemoreError: {msg}")
if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
