"""Builds the one-file page: web/page.html with the app, the WASI host, the
worker, the wasm module and names.txt inlined (base64), so that it opens
from file:// and makes no network request.

usage: python3 web/bundle.py MODULE.wasm NAMES.txt OUT.html"""
import base64
import os
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    wasm, names, out = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))

    def text(name):
        with open(os.path.join(here, name), encoding="utf-8") as f:
            return f.read()

    def b64(path):
        with open(path, "rb") as f:
            return base64.b64encode(f.read()).decode("ascii")

    parts = {
        "/*@WASI@*/": text("wasi.js"),
        "/*@WORKER@*/": text("worker.js"),
        "/*@APP@*/": text("app.js"),
        "@WASM_BASE64@": b64(wasm),
        "@NAMES_BASE64@": b64(names),
    }
    page = text("page.html")
    for key, value in parts.items():
        if page.count(key) != 1:
            sys.exit(f"bundle.py: page.html must hold {key} once")
        page = page.replace(key, value.replace("</script", "<\\/script"))
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
