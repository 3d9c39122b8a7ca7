"""Training you can watch: train(callback=...) sees every step in order with
the losses of `log.csv`'s kind and the evaluations; a callback changes no
number; stopping by the callback, by KeyboardInterrupt (SIGINT) and by
leaving the iterator saves a model that loads; errors in the callback come
back out. Run by tests/test_python.sh and tests/python_package.sh.
    argv: the makemore binary, a scratch folder, "numpy" or "lists" (unused)"""
import contextlib
import io
import os
import signal
import sys
import threading

here = os.path.dirname(os.path.abspath(__file__))
if not os.environ.get("MAKEMORE_TEST_INSTALLED"):
    sys.path.insert(0, os.path.join(os.path.dirname(here), "python"))
import makemore  # noqa: E402

MM, tmp = sys.argv[1], sys.argv[2]
PLAN = 14
print(f"1..{PLAN}")
done = 0


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"python {sys.version.split()[0]}: {what}")


names = ["anna", "bob", "carla", "dmitri", "elena", "farouk", "gita", "hiro", "ines", "jomo", "kaia", "lars",
         "mira", "noor", "zoë", "rené"]
data = os.path.join(tmp, "small.txt")
with open(data, "w", encoding="utf-8") as f:
    f.write("".join(names[i % len(names)] + "abc"[i % 3] * (i % 4) + "\n" for i in range(800)))
flags = dict(max_steps=3000, batch_size=16, n_hidden=32, seed=7, threads=1)
d = lambda name: os.path.join(tmp, name)  # noqa: E731

plain = makemore.train(data, d("plain"), progress=None, **flags)
seen = []
watched = makemore.train(data, d("watched"), callback=seen.append, eval_every=1000, progress=None, **flags)
check([p.step for p in seen] == list(range(1, 3001)) and all(p.max_steps == 3000 for p in seen),
      f"the callback gets every step, in order ({len(seen)} calls)")
evals = [(p.step, p.train_loss, p.dev_loss) for p in seen if p.dev_loss is not None]
check([s for s, _, _ in evals] == [1000, 2000, 3000] and abs(evals[-1][2] - watched["dev_loss"]) < 1e-6,
      f"eval_every=1000: train and dev losses at steps {[s for s, _, _ in evals]}, the last one the summary's")
check(watched["dev_loss"] == plain["dev_loss"] and watched["train_loss"] == plain["train_loss"],
      f"watching changes no number (dev {plain['dev_loss']} both)")
lrs = {p.lr for p in seen}
check(abs(min(lrs) - 0.01) < 1e-12 and abs(max(lrs) - 0.1) < 1e-12 and all(p.loss > 0 for p in seen)
      and seen[1499].lr == 0.1 and abs(seen[1500].lr - 0.01) < 1e-12,
      "each step's lr follows the step schedule (0.1, then 0.01 from step 1501) and its loss is positive")

stopped = makemore.train(data, d("stop"), callback=lambda p: p.step >= 700, progress=None, **flags)
m = makemore.load(d("stop"))
check(stopped.get("stopped") is True and 700 <= stopped["steps"] < 3000 and abs(m.eval("dev") - stopped["dev_loss"])
      < 1e-6, f"a true return stops the run: saved at step {stopped['steps']}, summary['stopped'], the model loads")
resumed = makemore.command("train", "-o", d("stop"), "--resume", "--json", "-n", "0")
check('"steps":3000' in resumed.replace(" ", ""), "the CLI resumes that model to the end (train --resume)")


class Boom(Exception):
    pass


def bad(p):
    if p.step == 500:
        raise Boom("from the callback")


try:
    makemore.train(data, d("boom"), callback=bad, progress=None, **flags)
    got = "no exception"
except Boom as e:
    got = f"Boom: {e}"
except BaseException as e:  # noqa: BLE001
    got = f"{type(e).__name__}: {e}"
check(got == "Boom: from the callback" and os.path.exists(d("boom/model.bin")),
      f"an exception in the callback comes out of train() after the model is saved ({got})")

# an interactive Python's handler, whatever this process inherited (a
# background job starts with SIGINT ignored, which train() leaves alone)
signal.signal(signal.SIGINT, signal.default_int_handler)
timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
big = dict(flags, max_steps=10**7)
timer.start()
try:
    makemore.train(data, d("sigint"), progress=None, **big)
    got, step = "no exception", None
except makemore.TrainingInterrupted as e:
    got, step = f"TrainingInterrupted: {e}", e.step
except BaseException as e:  # noqa: BLE001
    got, step = f"{type(e).__name__}: {e}", None
timer.cancel()
ok = step is not None and isinstance(makemore.TrainingInterrupted("", 0, ""), KeyboardInterrupt)
check(ok and makemore.load(d("sigint")).num_params > 0 and "--resume" in got,
      f"SIGINT (Ctrl-C, a notebook's interrupt) saves the model and raises a KeyboardInterrupt: {got[:110]}")
check(signal.getsignal(signal.SIGINT) is signal.default_int_handler, "train() puts the SIGINT handler back")

with makemore.training(data, d("iter"), **flags) as it:
    first = [p.step for _, p in zip(range(200), it)]
check(first == list(range(1, 201)) and it.summary.get("stopped") and os.path.exists(d("iter/model.bin")),
      f"the iterator yields steps in order; leaving its with block stops and saves (at {it.summary['steps']})")
g = makemore.training(data, d("iter2"), eval_every=1500, **flags)
ev = [p.step for p in g if p.dev_loss is not None]
check(ev == [1500, 3000] and g.summary["dev_loss"] == plain["dev_loss"],
      f"the iterator to its end: evaluations at {ev}, .summary as train()'s")

err = io.StringIO()
with contextlib.redirect_stderr(err):
    makemore.train(data, d("text"), progress="text", **dict(flags, max_steps=300))
check("step 300/300" in err.getvalue() and "done: dev loss" in err.getvalue(),
      f"progress='text' prints a final line: {err.getvalue().strip().splitlines()[-1] if err.getvalue() else ''}")


def raises(fn, kind, text):
    try:
        fn()
    except kind as e:
        return text in str(e), f"{type(e).__name__}: {e}"
    except BaseException as e:  # noqa: BLE001
        return False, f"{type(e).__name__}: {e}"
    return False, "no exception"


for what, fn, kind, text in [
        ("callback=3", lambda: makemore.train(data, d("x"), callback=3, **flags), TypeError, "callback must be callable"),
        ("eval_every=-1", lambda: makemore.train(data, d("x"), eval_every=-1, progress=None, **flags), ValueError,
         "eval_every"),
]:
    ok, msg = raises(fn, kind, text)
    check(ok, f"train({what}) raises {kind.__name__}: {msg}")
if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
