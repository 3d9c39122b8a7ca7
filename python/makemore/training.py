"""makemore.train: `makemore train` from Python, with a callback after every
step, live progress in Jupyter (a bar and the log10-loss curve) or lines of
text elsewhere, and a clean stop on KeyboardInterrupt (a checkpoint is
saved first, as the CLI does on Ctrl-C)."""
import ctypes
import json
import math
import numbers
import os
import queue
import signal
import threading
from typing import NamedTuple, Optional

from . import _check, _lib
from ._check import MakemoreError

# the names of makemore_train_config's fields, kept working
_ALIASES = {"schedule": "lr-schedule", "lr": "learning-rate", "n_heads": "n-head", "type": "model",
            "warmup": "warmup-steps"}
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


def settings_names():
    """The flags train() takes: those of `makemore train` (the library's
    settings table), with _ for -."""
    names, i = [], 0
    while True:
        n = _lib.lib.makemore_train_setting(i)
        if n is None:
            return names
        names.append(n.decode("ascii"))
        i += 1


def _is_number_text(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def _config(flags):
    """The "name=value" settings of makemore_train_with from train()'s flags.
    Types are checked here (the library would read max_steps="10" as 10):
    a number for a number, True/False for a flag, a word for a word."""
    known = settings_names()
    items = []
    for k, v in flags.items():
        name = _ALIASES.get(k, k.replace("_", "-"))
        if name not in known:
            raise TypeError(f"train: unknown flag {k!r}; known: {', '.join(n.replace('-', '_') for n in known)}")
        if isinstance(v, bool):
            text = "1" if v else "0"
        elif isinstance(v, numbers.Integral):
            text = str(int(v))
        elif isinstance(v, numbers.Real):
            if not math.isfinite(v):
                raise ValueError(f"{k} must be a finite number, not {v}")
            text = repr(float(v))
        elif isinstance(v, str):
            if _is_number_text(v):
                raise TypeError(f"{k} must be a number, not str ({v!r})")
            text = v
        else:
            raise TypeError(f"{k} must be a number or a str, not {type(v).__name__}")
        if "\0" in text:
            raise ValueError(f"{k} must not contain NUL characters")
        items.append(f"{name}={text}".encode("utf-8"))
    return (ctypes.c_char_p * (len(items) + 1))(*items, None)


def _run(input, out, flags, on_steps, eval_every):
    """Runs the C training; on_steps(list of Progress) returns True to stop.
    Returns (status, summary dict or None, message)."""
    c = _config(flags)
    inp, outb = _check.path(input, "input"), _check.path(out, "out")
    eval_every = _check.integer(eval_every, "eval_every", 0, 2**63 - 1)
    buf = ctypes.create_string_buffer(1 << 16)
    err = _lib.Error()
    fn = _lib.PROGRESS_FN()
    if on_steps is not None:
        def cb(pp, user):
            p = pp.contents
            first = p.step - p.n + 1
            batch = [Progress(first + i, p.max_steps, p.lrs[i], p.losses[i]) for i in range(p.n - 1)]
            ev = (p.train_loss, p.dev_loss) if p.evaluated else (None, None)
            batch.append(Progress(p.step, p.max_steps, p.lr, p.loss, *ev))
            return 1 if on_steps(batch) else 0
        fn = _lib.PROGRESS_FN(cb)
    st = _lib.lib.makemore_train_watch(inp, outb, None, c, fn, None, eval_every, buf, len(buf), ctypes.byref(err))
    summary = json.loads(buf.value.decode("utf-8")) if buf.value else None
    return st, summary, err.msg.decode("utf-8", "replace")


class _Sigint:
    """While training runs in C, SIGINT (Ctrl-C, a notebook's interrupt)
    only sets a flag, which the next progress call turns into a stop: a
    KeyboardInterrupt raised inside a ctypes callback would be lost. Only in
    the main thread, where Python delivers signals."""

    def __init__(self):
        self.hit, self.old = False, None

    def __enter__(self):
        # an ignored SIGINT (a background job, nohup) stays ignored
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            try:
                self.old = signal.signal(signal.SIGINT, self._handle)
            except (ValueError, TypeError):
                self.old = None
        return self

    def _handle(self, signum, frame):
        self.hit = True

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGINT, self.old)


def train(input, out, callback=None, progress="auto", eval_every=0, **flags):
    """Trains on input (one item per line) into out/model.bin, as `makemore train`
    with flags named as its long options, _ for - (max_steps=1000, model="wavenet",
    preset="best", dropout=0.2, lr_schedule="cosine", direct=True, ...). Returns
    the summary `makemore train --json` prints.

    callback(Progress) is called for every step, in order, a batch of steps at
    a time (the library reports every 256 steps or 0.2 s); a true return stops
    the run at the end of that batch: the model is saved and the summary, with
    "stopped": True, returned. progress: "auto" (a bar and a live log10-loss
    plot in Jupyter, a line of text every few seconds elsewhere), "text",
    "html" or None. eval_every: the loss of the whole train and dev splits every
    N steps and at the end (0: never), for the plot and the callback, and for
    keep_best=True (out/best.bin: the model of the best dev loss) and
    patience=P (stop after P evaluations without a better one).
    KeyboardInterrupt (Ctrl-C, a notebook's interrupt) saves the model so far,
    then raises TrainingInterrupted (a KeyboardInterrupt)."""
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, not {type(callback).__name__}")
    from . import _display
    view = _display.make(progress, str(out))
    caught, asked = [], []

    with _Sigint() as sigint:
        def on_steps(batch):
            if sigint.hit:
                return True
            try:
                for p in batch:
                    if view:
                        view.update(p)
                    if callback and callback(p):
                        asked.append(p.step)
                        return True
            except BaseException as e:  # noqa: BLE001 - carried across the C frames, raised below
                caught.append(e)
                return True
            return sigint.hit

        st, summary, msg = _run(input, out, flags, on_steps if (callback or view or sigint.old) else None, eval_every)
    if view:
        view.close(summary, None if st in (0, EINTR) else msg, stopped=st == EINTR)
    if st == EINTR and (sigint.hit or (caught and isinstance(caught[0], KeyboardInterrupt))):
        step = summary["steps"] if summary else None
        ckpt = os.path.join(os.fspath(out), "model.bin")
        raise TrainingInterrupted(f"training stopped at step {step}; the model so far is saved in {ckpt} "
                                  f"(continue with: makemore train -o {os.fspath(out)} --resume)", step, ckpt)
    if caught:
        raise caught[0]
    if st == EINTR and summary is not None and asked:
        summary["stopped"] = True
        return summary
    if st:
        raise MakemoreError(msg, st)
    return summary


_DONE = object()


class Training:
    """train() as an iterator (makemore.training(...)): each Progress as the
    run goes (the C training runs in a thread); afterwards .summary is the
    summary train() returns. Stopping early, by close(), leaving a with block,
    an exception or KeyboardInterrupt in the loop, stops the run, which saves
    its model before close() returns. (A bare break leaves the run going
    until the iterator is closed or collected: use a with block.)"""

    def __init__(self, input, out, eval_every=0, **flags):
        _config(flags)  # argument errors here, in the caller's thread
        self.summary = None
        self._q = queue.Queue(maxsize=1 << 16)
        self._stop = threading.Event()
        self._result = {}
        self._t = threading.Thread(target=self._work, args=(input, out, flags, eval_every), name="makemore-train",
                                   daemon=True)
        self._t.start()
        self._done = False

    def _work(self, input, out, flags, eval_every):
        def on_steps(batch):
            for p in batch:
                while not self._stop.is_set():
                    try:
                        self._q.put(p, timeout=0.1)
                        break
                    except queue.Full:
                        continue
            return self._stop.is_set()
        try:
            self._result["value"] = _run(input, out, flags, on_steps, eval_every)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            self._result["error"] = e
        finally:
            self._q.put(_DONE)

    def __iter__(self):
        return self

    def __next__(self):
        if self._done:
            raise StopIteration
        try:
            item = self._q.get()
        except BaseException:
            self.close()
            raise
        if item is _DONE:
            self._finish()
            raise StopIteration
        return item

    def _finish(self):
        self._done = True
        self._t.join()
        if "error" in self._result:
            raise self._result["error"]
        st, summary, msg = self._result["value"]
        if st and st != EINTR:
            raise MakemoreError(msg, st)
        if st == EINTR and summary is not None:
            summary["stopped"] = True
        self.summary = summary

    def close(self):
        """Stops the run (if it is still going) and waits until its model is saved."""
        if self._done:
            return
        self._stop.set()
        while self._t.is_alive():  # drain so the worker's put never blocks
            try:
                if self._q.get(timeout=0.1) is _DONE:
                    break
            except queue.Empty:
                pass
        self._finish()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - nothing to report to at collection
            pass


def training(input, out, eval_every=0, **flags):
    """train() as an iterator of Progress; see Training."""
    return Training(input, out, eval_every=eval_every, **flags)
