"""makemore.train: `makemore train` from Python, with a callback after every
step, live progress in Jupyter (a bar and the log10-loss curve) or lines of
text elsewhere, and a clean stop on KeyboardInterrupt (a checkpoint is
saved first, as the CLI does on Ctrl-C)."""
import ctypes
import json
import os
import queue
import threading
from typing import NamedTuple, Optional

from . import _check, _lib
from ._check import MakemoreError

_STRINGS = {"model", "optimizer", "schedule", "init", "preset"}
_ALIASES = {"lr_schedule": "schedule", "lr": "learning_rate", "n_head": "n_heads", "type": "model"}
EINTR = 6


class Progress(NamedTuple):
    """One report of a training run: after step `step` (1-based count) of
    max_steps, its learning rate and minibatch loss; train_loss and dev_loss
    (whole splits) are set at evaluation points (every eval_every steps and
    the last step) and None elsewhere."""
    step: int
    max_steps: int
    lr: float
    loss: float
    train_loss: Optional[float] = None
    dev_loss: Optional[float] = None


class TrainingInterrupted(KeyboardInterrupt):
    """KeyboardInterrupt during train(): the run stopped after `step` steps and
    its checkpoint was saved to `checkpoint` first (resume it with the CLI:
    makemore train -o DIR --resume)."""

    def __init__(self, message, step, checkpoint):
        super().__init__(message)
        self.step, self.checkpoint = step, checkpoint


def _config(flags):
    c = _lib.lib.makemore_train_defaults()
    names = {f for f, _ in _lib.TrainConfig._fields_}
    for k, v in flags.items():
        key = _ALIASES.get(k, k)
        if key not in names:
            raise TypeError(f"train: unknown flag {k!r}; known: {', '.join(sorted(names))}")
        ctype = dict(_lib.TrainConfig._fields_)[key]
        if key in _STRINGS:
            v = _check.text(v, key)
        elif ctype in (ctypes.c_double,):
            v = _check.real(v, key)
        else:
            lo = -(2**63) if ctype is ctypes.c_long else (0 if ctype is ctypes.c_uint64 else -(2**31))
            hi = 2**63 - 1 if ctype is ctypes.c_long else (2**64 - 1 if ctype is ctypes.c_uint64 else 2**31 - 1)
            v = _check.integer(v, key, lo, hi)
        setattr(c, key, v)
    return c


def _watched():
    return hasattr(_lib.lib, "makemore_train_watch")


def _run(input, out, flags, on_progress, eval_every):
    """Runs the C training; on_progress(Progress) returns True to stop.
    Returns (status, summary dict or None, message)."""
    c = _config(flags)
    inp, outb = _check.path(input, "input"), _check.path(out, "out")
    eval_every = _check.integer(eval_every, "eval_every", 0)
    buf = ctypes.create_string_buffer(1 << 16)
    err = _lib.Error()
    if _watched() and on_progress is not None:
        def cb(p, user):
            ev = p.contents
            tl = ev.train_loss if ev.evaluated else None
            dl = ev.dev_loss if ev.evaluated else None
            return 1 if on_progress(Progress(ev.step, ev.max_steps, ev.lr, ev.loss, tl, dl)) else 0
        fn = _lib.PROGRESS_FN(cb)
        st = _lib.lib.makemore_train_watch(inp, outb, ctypes.byref(c), fn, None, eval_every, buf, len(buf),
                                           ctypes.byref(err))
    else:
        st = _lib.lib.makemore_train(inp, outb, ctypes.byref(c), buf, len(buf), ctypes.byref(err))
    summary = json.loads(buf.value.decode("utf-8")) if buf.value else None
    return st, summary, err.msg.decode("utf-8", "replace")


def train(input, out, callback=None, progress="auto", eval_every=0, **flags):
    """Trains on input (one item per line) into out/model.bin, as `makemore train`
    with flags named as its long options (max_steps=1000, model="wavenet", ...;
    lr_schedule is schedule). Returns the summary `makemore train --json` prints.

    callback(Progress) is called after every step (a true return stops the run,
    which is saved and returns with summary["stopped"] True). progress: "auto"
    (a bar and a live log10-loss plot in Jupyter, a line of text every few
    seconds elsewhere), "text", or None. eval_every: the loss of the whole train
    and dev splits every N steps (0: only at the end), for the plot and callback.
    KeyboardInterrupt saves the checkpoint, then raises TrainingInterrupted."""
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    from . import _display
    view = _display.make(progress, str(out))
    caught = []

    def on_progress(p):
        try:
            if view:
                view.update(p)
            return bool(callback(p)) if callback else False
        except BaseException as e:  # noqa: BLE001 - carried across the C frames, raised below
            caught.append(e)
            return True

    watch = on_progress if (callback or view) else None
    st, summary, msg = _run(input, out, flags, watch, eval_every)
    if view:
        view.close(summary, msg if st else None)
    if caught:
        e = caught[0]
        if st in (0, EINTR) and isinstance(e, KeyboardInterrupt):
            step = summary["steps"] if summary else None
            ckpt = os.path.join(os.fspath(out), "model.bin")
            raise TrainingInterrupted(f"training stopped at step {step}; the model so far is saved in {ckpt} "
                                      f"(continue with: makemore train -o {os.fspath(out)} --resume)", step, ckpt)
        raise e
    if st == EINTR and summary is not None:
        summary["stopped"] = True
        return summary
    if st:
        raise MakemoreError(msg, st)
    return summary


_DONE = object()


def training(input, out, eval_every=0, **flags):
    """train() as an iterator: yields each Progress as the run goes (the C
    training runs in a thread), then returns the summary (StopIteration.value).
    Leaving the loop early (break, an exception, KeyboardInterrupt) stops the
    run, which saves its checkpoint before the iterator finishes."""
    q = queue.Queue(maxsize=4096)
    stop = threading.Event()
    result = {}

    def on_progress(p):
        while not stop.is_set():
            try:
                q.put(p, timeout=0.1)
                break
            except queue.Full:
                continue
        return stop.is_set()

    def work():
        try:
            result["value"] = _run(input, out, flags, on_progress, eval_every)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            result["error"] = e
        finally:
            q.put(_DONE)

    _config(flags)  # argument errors here, in the caller's thread
    t = threading.Thread(target=work, name="makemore-train", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                break
            yield item
    finally:
        stop.set()
        while t.is_alive():  # drain so the worker's put never blocks
            try:
                q.get(timeout=0.1)
            except queue.Empty:
                pass
        t.join()
    if "error" in result:
        raise result["error"]
    st, summary, msg = result["value"]
    if st and st != EINTR:
        raise MakemoreError(msg, st)
    return summary
