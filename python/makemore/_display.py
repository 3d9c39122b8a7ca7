"""What train() shows while it runs. In Jupyter (an IPython kernel with
IPython.display): one output that is redrawn about twice a second, with a
progress bar and the log10 of the loss so far (the mean of each of up to 400
runs of steps, and the whole-split losses where evaluated), drawn as SVG
here so no plotting package is needed. Elsewhere: a line of text on stderr
every few seconds and at each evaluation."""
import math
import sys
import time

BUCKETS = 400
W, H, PAD = 640, 240, 44


def _in_jupyter():
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    try:
        shell = ip.get_ipython()
        import IPython.display  # noqa: F401
    except Exception:  # noqa: BLE001 - any failure means: not a notebook
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def make(progress, out):
    if progress is None or progress is False:
        return None
    if progress not in ("auto", "text", "html"):
        raise ValueError(f"progress must be 'auto', 'text', 'html' or None, not {progress!r}")
    if progress == "html" or (progress == "auto" and _in_jupyter()):
        return NotebookView(out)
    return TextView(out)


class _Curve:
    """Bucketed means of the minibatch losses and the evaluated points."""

    def __init__(self):
        self.size = None
        self.sums, self.counts = [], []
        self.evals = []  # (step, train_loss, dev_loss)
        self.last = None
        self.start = time.monotonic()

    def add(self, p):
        if self.size is None:
            self.size = max(1, math.ceil(p.max_steps / BUCKETS))
        b = (p.step - 1) // self.size
        while len(self.sums) <= b:
            self.sums.append(0.0)
            self.counts.append(0)
        if math.isfinite(p.loss) and p.loss > 0:
            self.sums[b] += math.log10(p.loss)
            self.counts[b] += 1
        if p.dev_loss is not None:
            self.evals.append((p.step, p.train_loss, p.dev_loss))
        self.last = p


def _svg(curve):
    p = curve.last
    pts = [((i + 0.5) * curve.size, s / c) for i, (s, c) in enumerate(zip(curve.sums, curve.counts)) if c]
    evs = [(s, math.log10(v), color) for s, tl, dl in curve.evals
           for v, color in ((tl, "#1f77b4"), (dl, "#ff7f0e")) if v and v > 0]
    ys = [y for _, y in pts] + [y for _, y, _ in evs]
    if not ys:
        return ""
    lo, hi = min(ys), max(ys)
    if hi - lo < 1e-6:
        lo, hi = lo - 0.05, hi + 0.05
    xmax = max(p.max_steps, 1)

    def X(s):
        return PAD + (W - PAD - 10) * s / xmax

    def Y(v):
        return 10 + (H - PAD - 10) * (hi - v) / (hi - lo)

    line = " ".join(f"{X(s):.1f},{Y(v):.1f}" for s, v in pts)
    dots = "".join(f"<circle cx=\"{X(s):.1f}\" cy=\"{Y(v):.1f}\" r=\"3\" fill=\"{c}\"/>" for s, v, c in evs)
    ticks = "".join(f"<text x=\"{PAD - 4}\" y=\"{Y(v) + 4:.1f}\" text-anchor=\"end\">{v:.2f}</text>"
                    for v in (lo, (lo + hi) / 2, hi))
    return (f"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" "
            f"font-size=\"11\"><rect x=\"{PAD}\" y=\"10\" width=\"{W - PAD - 10}\" height=\"{H - PAD - 10}\" "
            f"fill=\"none\" stroke=\"#ccc\"/>{ticks}"
            f"<text x=\"{PAD}\" y=\"{H - PAD + 16}\">0</text>"
            f"<text x=\"{W - 10}\" y=\"{H - PAD + 16}\" text-anchor=\"end\">{xmax} steps</text>"
            f"<text x=\"{PAD}\" y=\"{H - 8}\">log10 loss: minibatch mean (line), whole train (blue) and dev "
            f"(orange) where evaluated</text>"
            f"<polyline points=\"{line}\" fill=\"none\" stroke=\"#333\" stroke-width=\"1.2\"/>{dots}</svg>")


def _status(p, seconds, final=None):
    s = f"step {p.step}/{p.max_steps}  lr {p.lr:.4g}  loss {p.loss:.4f}"
    if p.dev_loss is not None:
        s += f"  train {p.train_loss:.4f} dev {p.dev_loss:.4f}"
    return s + f"  ({seconds:.1f} s)" + (f"  {final}" if final else "")


def _final(summary, error, stopped):
    if error:
        return f"error: {error}"
    word = "stopped, model saved" if stopped else "done"
    if summary and summary.get("dev_loss") is not None:
        return f"{word}: dev loss {summary['dev_loss']:.4f}"
    return word


class NotebookView:
    EVERY = 0.5  # seconds between redraws

    def __init__(self, out):
        from IPython.display import HTML, display
        self.HTML = HTML
        self.handle = display(HTML(f"<p>makemore: training into {out} …</p>"), display_id=True)
        self.curve = _Curve()
        self.drawn = 0.0

    def _html(self, final=None):
        p = self.curve.last
        if p is None:
            return f"<p>{final or ''}</p>"
        secs = time.monotonic() - self.curve.start
        return (f"<div><progress value=\"{p.step}\" max=\"{max(p.max_steps, 1)}\" style=\"width:{W}px\"></progress>"
                f"<pre style=\"margin:2px 0\">{_status(p, secs)}{chr(10) + final if final else ''}</pre>"
                f"{_svg(self.curve)}</div>")

    def update(self, p):
        self.curve.add(p)
        now = time.monotonic()
        if now - self.drawn >= self.EVERY or p.dev_loss is not None:
            self.drawn = now
            self.handle.update(self.HTML(self._html()))

    def close(self, summary, error, stopped=False):
        self.handle.update(self.HTML(self._html(_final(summary, error, stopped))))


class TextView:
    EVERY = 5.0

    def __init__(self, out):
        self.curve = _Curve()
        self.printed = time.monotonic()

    def update(self, p):
        self.curve.last = p
        now = time.monotonic()
        if now - self.printed >= self.EVERY or p.dev_loss is not None:
            self.printed = now
            print(_status(p, now - self.curve.start), file=sys.stderr, flush=True)

    def close(self, summary, error, stopped=False):
        p = self.curve.last
        if p is not None:
            print(_status(p, time.monotonic() - self.curve.start, _final(summary, error, stopped)), file=sys.stderr,
                  flush=True)
