"""makemore from Python: character-level language models trained and sampled
by libmakemore (the C library of makemore.c), through ctypes.

    import makemore
    summary = makemore.train("names.txt", "out", max_steps=20000)  # live progress in Jupyter
    m = makemore.load("out")
    m.sample(5, temperature=0.8, seed=1)   # ['emma', ...]
    m.next_probs("jo")                     # {'s': 0.21, 'h': 0.17, ...}
    m.eval("dev")                          # mean loss in nats per character
    m.tensors()                            # {'C': array(...), ...}, as `makemore export` names them
    m.loss(["emma", "xqzt"])               # each item's loss

Installed with pip (`python3 -m pip install .` in the source folder) the
library and the CLI are inside the package; `python3 -m makemore ...` runs
the CLI. numpy is optional: with it, arrays; without, lists. Library errors
raise MakemoreError with the CLI's message; a wrong argument type or value
raises TypeError or ValueError naming the argument.
"""
from . import _lib
from ._check import MakemoreError
from ._cli import command
from .model import Model, load
from .training import Progress, Training, TrainingInterrupted, train, training

__all__ = ["MakemoreError", "command", "Model", "Progress", "Training", "TrainingInterrupted", "load", "train", "training",
           "library_path", "__version__"]

library_path = _lib.path
# the C library's version ("makemore 1.0"), the one the wheel is named after
__version__ = _lib.lib.makemore_version().decode().split()[-1]
