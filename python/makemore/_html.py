"""How a Model shows itself in Jupyter (_repr_html_): its kind, size and
losses, the embedding figure, and, where the WebAssembly build is present
(web/dist/report-panel.html, which `make web` builds; a wheel built after it
carries a copy), report.html's interactive next-character panel running on
this model's model.bin. The panel sits in an iframe of its own, so two
models shown in one notebook do not share its element ids."""
import base64
import html
import os

from ._check import MakemoreError

HERE = os.path.dirname(os.path.abspath(__file__))


def panel_path():
    """The panel's HTML: $MAKEMORE_REPORT_PANEL, the package's copy, or the
    source tree's web/dist/report-panel.html; None when none exists."""
    env = os.environ.get("MAKEMORE_REPORT_PANEL")
    for p in ([env] if env else []) + [os.path.join(HERE, "report-panel.html"),
                                       os.path.join(os.path.dirname(os.path.dirname(HERE)), "web", "dist",
                                                    "report-panel.html")]:
        if p and os.path.isfile(p):
            return p
    return None


def _panel(m):
    path = panel_path()
    ckpt = os.path.join(os.fspath(m.directory), "model.bin")
    if not path or not os.path.isfile(ckpt):
        why = "the WebAssembly build is not present (run make web, then reinstall)" if not path else \
            f"{ckpt} is gone"
        return f"<p><i>No interactive panel: {html.escape(why)}.</i></p>"
    with open(path, encoding="utf-8") as f:
        panel = f.read()
    with open(ckpt, "rb") as f:
        model = base64.b64encode(f.read()).decode("ascii")
    doc = ("<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">"
           f"<script type=\"application/octet-stream\" id=\"mm-model\">{model}</script>{panel}</body></html>")
    return (f"<iframe srcdoc=\"{html.escape(doc, quote=True)}\" style=\"width:100%;height:620px;border:0\" "
            "title=\"makemore: ask the model\"></iframe>")


def _fmt(x):
    return "–" if x is None else f"{x:.4f}"


def model_html(m):
    title = f"makemore model: {html.escape(m.kind)}"
    if m.closed:
        return f"<p><b>{title}</b> (closed)</p>"
    losses = m.losses()
    rows = [("kind", html.escape(m.kind)), ("parameters", f"{m.num_params:,}"),
            ("vocabulary", f"{len(m.chars)} characters"), ("folder", html.escape(str(m.directory))),
            ("train loss", _fmt(losses.get("train"))), ("dev loss", _fmt(losses.get("dev")))]
    table = "".join(f"<tr><th style=\"text-align:left\">{k}</th><td style=\"text-align:left\">{v}</td></tr>"
                    for k, v in rows)
    try:
        fig = m.embedding_svg()
    except MakemoreError as e:
        fig = f"<p><i>{html.escape(str(e))}</i></p>"
    return (f"<div><p><b>{title}</b></p><table>{table}</table>"
            f"<div style=\"max-width:760px\">{fig}</div>{_panel(m)}</div>")
