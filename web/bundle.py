"""Builds the one-file page: web/page.html with the app (app.js and
nextprobs.js), the WASI host, the worker, the wasm module and names.txt
inlined (base64), so that it opens from file:// and makes no network
request. With --panel, the interactive panel of report.html instead:
web/report-panel.html with the module, the worker (the WASI host and
worker.js), nextprobs.js and report.js inlined, an HTML fragment `makemore
train` copies into each report (after the model, base64 in #mm-model).

usage: python3 web/bundle.py MODULE.wasm NAMES.txt OUT.html
       python3 web/bundle.py --panel MODULE.wasm OUT.html"""
import base64
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def text(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return f.read()


def b64(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def fill(template, parts):
    page = text(template)
    for key, value in parts.items():
        if page.count(key) != 1:
            sys.exit(f"bundle.py: {template} must hold {key} once")
        # inlined text must not end the <script> that holds it
        page = page.replace(key, value.replace("</script", "<\\/script"))
    return page


def write(out, page):
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--panel":
        wasm, out = sys.argv[2:]
        write(out, fill("report-panel.html", {
            "/*@WASI@*/": text("wasi.js"),
            "/*@WORKER@*/": text("worker.js"),
            "/*@NEXT@*/": text("nextprobs.js"),
            "/*@REPORT@*/": text("report.js"),
            "@WASM_BASE64@": b64(wasm),
        }))
    elif len(sys.argv) == 4:
        wasm, names, out = sys.argv[1:]
        write(out, fill("page.html", {
            "/*@WASI@*/": text("wasi.js"),
            "/*@WORKER@*/": text("worker.js"),
            "/*@NEXT@*/": text("nextprobs.js"),
            "/*@APP@*/": text("app.js"),
            "@WASM_BASE64@": b64(wasm),
            "@NAMES_BASE64@": b64(names),
        }))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
