"""Executes examples/lecture.ipynb headless (nbclient, the python3 kernel
of this interpreter) and checks what it shows: the dev loss within 0.01 of
the CLI's run of the same settings, 20 samples each marked, the plots, the
live training display, the model's own HTML, the exercises and the preset.
Run by tests/python_package.sh in the venv that has the installed package,
numpy, matplotlib, nbclient and ipykernel (--system-site-packages).
    argv: the makemore binary, a scratch folder
    NAMES_TXT (or data/names.txt): the names
The notebook's runs take MAKEMORE_NOTEBOOK_STEPS steps, 20,000 here rather
than the lecture's 200,000: every check below is of what the notebook shows
(its dev loss against the CLI's run of the same settings, the samples, the
plots, the live display...), which holds or fails the same on the shorter
runs, and the four 200,000-step runs and the CLI's were most of the time of
the Python pass of .ci/run."""
import json
import math
import os
import re
import subprocess
import sys

PLAN = 9
print(f"1..{PLAN}")
done = 0


def check(ok, what):
    global done
    done += 1
    print(("ok - " if ok else "not ok - ") + f"lecture.ipynb: {what}")


root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MM, tmp = sys.argv[1], os.path.abspath(sys.argv[2])
os.makedirs(tmp, exist_ok=True)
names = os.path.abspath(os.environ.get("NAMES_TXT") or os.path.join(root, "data", "names.txt"))

sys.dont_write_bytecode = True  # no tests/__pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from notebook_exec import execute, html, texts  # noqa: E402

os.environ["NAMES_TXT"] = names
STEPS = 20000
os.environ["MAKEMORE_NOTEBOOK_STEPS"] = str(STEPS)
nb, error = execute("lecture.ipynb", tmp)
check(error is None, f"executes without an error ({error or 'every cell ran'})")


code = [c for c in nb.cells if c.cell_type == "code"]
alltext = "\n".join(texts(c) for c in code)
ref = json.loads(subprocess.run([MM, "train", "-i", names, "-o", os.path.join(tmp, "cli"), "--json", "-n", "0",
                                 "--lr-find", "0", "--max-steps", str(STEPS)], capture_output=True, text=True, check=True).stdout)
dev = re.search(r"^dev loss: ([0-9.]+)$", alltext, re.M)
dev = float(dev.group(1)) if dev else math.nan
check(abs(dev - ref["dev_loss"]) <= 0.01, f"dev loss {dev} within 0.01 of the CLI's {ref['dev_loss']:.6f}")

sample_cell = next((c for c in code if "m.sample(20)" in c.source), None)
lines = re.findall(r"^(\S+)\s+(train|dev|test|new)$", texts(sample_cell) if sample_cell else "", re.M)
check(len(lines) == 20, f"20 samples, each marked train/dev/test/new ({len(lines)}: "
      f"{', '.join(f'{s} {k}' for s, k in lines[:4])} ...)")

pngs = sum(1 for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
check(pngs >= 3, f"{pngs} plots (image/png): the lr sweep, the loss curve, the embedding")

train_cell = next((c for c in code if "callback=record" in c.source), None)
live = html(train_cell) if train_cell else ""
check("<progress" in live and "<polyline" in live and "done: dev loss" in live,
      "training shows a progress bar and a live log10-loss plot (text/html, redrawn in place)")
step_text = texts(train_cell) if train_cell else ""
check(f"{STEPS} steps" in step_text, f"the callback saw the run: {step_text.strip()[:80]}")

shown = html(code[-1])
panel = os.environ.get("MAKEMORE_REPORT_PANEL")  # make web's, when the caller has it
want_panel = bool(panel) and os.path.isfile(panel)
check("makemore model: mlp" in shown and "11,897" in shown and "<svg" in shown and "dev loss" in shown
      and ("<iframe" in shown and "mm-model" in shown) == want_panel,
      "the Model renders itself: kind, parameters, losses, the embedding figure"
      + ("; with the interactive panel (make web's)" if want_panel else "; no WebAssembly build, so no panel"))

init = dict(re.findall(r"^init (torch|scaled)\s+first loss on the train split: ([0-9.]+)$", alltext, re.M))
check(float(init.get("torch", 0)) > 20 and abs(float(init.get("scaled", 0)) - math.log(27)) < 0.05,
      f"E02: the first loss, torch {init.get('torch')} and scaled {init.get('scaled')} (uniform {math.log(27):.4f})")
best = re.search(r"^gru, (\d+) parameters, 1,500 steps: dev ([0-9.]+)", alltext, re.M)
check(best is not None and float(best.group(2)) < 2.3, f"the shortened --preset best run: {best.group(0) if best else 'missing'}")
if done != PLAN:
    print(f"not ok - planned {PLAN} checks, ran {done}")
sys.exit(0)
