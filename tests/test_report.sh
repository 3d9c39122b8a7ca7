#!/usr/bin/env bash
# What train writes for people to look at: log.csv, lr_find.csv, loss.svg,
# embedding.svg, lr_find.svg and report.html. The CSVs are read back and
# checked, every SVG is parsed as XML, the page is checked for inline plots
# and nothing to fetch, and then headless Chromium renders it: the
# screenshot must have ink and the plots' blue, and the DOM must hold the
# three plots. Chromium missing: those two checks print "skip - ".
#   MAKEMORE  the binary;  NAMES_TXT  names.txt (else made-up names)
source "$(dirname "$0")/lib.sh"
plan 26
here=$TESTS_DIR
if [ -n "${NAMES_TXT:-}" ] && [ -f "$NAMES_TXT" ]; then
    data=$NAMES_TXT
else
    data=$tmp/names.txt
    awk 'BEGIN { srand(5); for (i = 0; i < 4000; i++) { n = 3 + int(rand() * 5); s = "";
        for (j = 0; j < n; j++) s = s substr("aeioubdklmnrst", 1 + int(rand() * 14), 1); print s } }' >"$data"
fi
out=$tmp/run
if "$MM" train -i "$data" -o "$out" --max-steps 600 --eval-every 200 --lr-find 300 --n-embd 4 --n-hidden 64 \
        --mix-ngram 3 -n 5 -t 1 >"$tmp/stdout" 2>"$tmp/stderr"; then
    ok "train wrote its run"
else
    bad "train failed: $(tail -n 2 "$tmp/stderr")"
    finish
fi
REPO=$(cd "$here/.." && pwd) py "the run's files" "$out" "$tmp/stdout" "$tmp/stderr" "$data" <<'PY'
import csv, math, re, sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
d, stdout, stderr = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
vocab = sorted(set(open(sys.argv[4], encoding="utf-8").read().replace("\n", ""))) + ["."]
def check(ok, what): print(("ok - " if ok else "not ok - ") + what)
num = lambda s: float(s) if s != "" else None

rows = list(csv.DictReader(open(d + "/log.csv")))
steps = [r for r in rows if r["loss"] != ""]
evals = [r for r in rows if r["dev_loss"] != ""]
check(list(rows[0].keys()) == ["step", "lr", "loss", "train_loss", "dev_loss"], "log.csv has the documented columns")
check([int(r["step"]) for r in steps] == list(range(1, 601)) and all(num(r["loss"]) > 0 and num(r["lr"]) > 0 for r in steps),
      "log.csv: one row per step 1..600 with lr and a positive loss")
check([int(r["step"]) for r in evals] == [0, 200, 400, 600] and all(num(r["train_loss"]) > 0 for r in evals),
      f"log.csv: train/dev losses at steps 0 and every 200 ({[r['step'] for r in evals]})")
final = re.search(r"step 600  train loss ([0-9.]+)  dev loss ([0-9.]+)", stdout)
check(final and abs(num(evals[-1]["dev_loss"]) - float(final.group(2))) < 1e-4,
      "the last --eval-every row equals the final dev loss printed")

lr = list(csv.DictReader(open(d + "/lr_find.csv")))
e = [float(r["lr_exp"]) for r in lr]
check(len(lr) == 300 and e[0] == -3 and e[-1] == 0 and all(b > a for a, b in zip(e, e[1:])),
      "lr_find.csv: 300 rates from 10^-3 to 10^0, increasing")
check(all(abs(float(r["lr"]) / 10 ** float(r["lr_exp"]) - 1) < 1e-5 for r in lr), "lr_find.csv: lr = 10^lr_exp")
sm = [float(r["smoothed_loss"]) for r in lr]
best = 10 ** e[sm.index(min(sm))]
m = re.search(r"lr sweep \(300 steps.*suggests ([0-9.e+-]+) \(10\^(-?[0-9.]+)\), where .* lowest \(([0-9.]+)\)", stderr)
check(m and abs(float(m.group(1)) / best - 1) < 2e-3 and abs(float(m.group(3)) - min(sm)) < 1e-3,
      "the printed suggestion is the rate at the smoothed minimum of lr_find.csv, then that loss")

ns = "{http://www.w3.org/2000/svg}"
for name in ["loss", "embedding", "lr_find"]:
    try:
        root = ET.parse(f"{d}/{name}.svg").getroot()
        texts = [t.text for t in root.iter(ns + "text")]
        check(root.tag == ns + "svg" and root.get("id") == name, f"{name}.svg parses as SVG")
    except ET.ParseError as err:
        check(False, f"{name}.svg is not XML: {err}"); continue
    if name == "loss":
        check(len(list(root.iter(ns + "path"))) >= 1 and len(list(root.iter(ns + "circle"))) >= 600,
              "loss.svg: a smoothed line over 600 raw points, dev points marked")
    if name == "embedding":
        missing = [ch for ch in vocab if texts.count(ch) < 2]
        check(not missing and any("PCA" in (t or "") for t in texts),
              f"embedding.svg: all {len(vocab)} characters labelled in both panels (dims 0,1 and PCA); missing {missing}")
    if name == "lr_find":
        check(any("suggested lr" in (t or "") for t in texts), "lr_find.svg marks the suggestion")

class Page(HTMLParser):
    def __init__(self):
        super().__init__(); self.svg_ids, self.fetch, self.li = [], [], 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg": self.svg_ids.append(a.get("id"))
        if tag == "li": self.li += 1
        if tag in ("link", "img", "iframe") or "src" in a or "href" in a: self.fetch.append(tag)
page = Page()
html = open(d + "/report.html", encoding="utf-8").read()
page.feed(html)
check(page.svg_ids == ["lr_find", "loss", "embedding"], f"report.html inlines the three plots ({page.svg_ids})")
# base64 (the panel's module and model) may hold any 4 letters; the CSP names http-equiv
text = re.sub(r'<script type="application/octet-stream" id="mm-\w+">[A-Za-z0-9+/=]*</script>', "", html)
text = text.replace('http-equiv="Content-Security-Policy"', "")
check(not page.fetch and "http://www.w3.org/2000/svg" in text and text.count("http") == text.count("http://www.w3.org/2000/svg"),
      "report.html is self-contained: no links, images, script sources or URLs to fetch")
check("default-src 'none'" in html, "report.html's Content Security Policy forbids every fetch")
import base64, os
panel = os.path.join(os.environ.get("REPO", "."), "web/dist/report-panel.html")
m = re.search(r'<script type="application/octet-stream" id="mm-model">([A-Za-z0-9+/=]*)</script>', html)
if os.path.exists(panel):
    check(m and base64.b64decode(m.group(1)) == open(d + "/model.bin", "rb").read() and open(panel).read() in html,
          "report.html holds the panel of make web and model.bin in base64, byte for byte")
else:
    check(not m and "run make web" in html, "without make web's panel, report.html says how to get it")
params = re.search(r"<td>parameters</td><td>(\d+) trainable</td>", html)
printed = re.search(r"params (\d+)", stdout)
check(page.li == 20 and params and printed and params.group(1) == printed.group(1),
      f"report.html: {page.li} samples and the trainable parameter count, as printed")
marks = re.findall(r'<li>([^<]*) <span class="mark mark-(train|dev|test|new)">\2</span></li>', html)
items = set(open(sys.argv[4], encoding="utf-8").read().split())
check(len(marks) == 20 and all((m == "new") == (t not in items) for t, m in marks),
      f"report.html: each of the 20 samples marked, new exactly when not in the data ({len(marks)} marked)")
check(all(re.search(p, html) for p in (r"<td>model</td><td>mlp: ", r"<td>optimizer</td><td>SGD</td>",
                                         r"<td>learning rate</td><td>step: ")) and "MLP language model" not in html,
      "report.html names the model kind, the optimizer and the schedule")
check(f"wrote {d}/model.bin and {d}/report.html" in stdout, "train says where model.bin and report.html were written")
check("mixed with a character n-gram" in html and "tanh saturation at init" in html, "report.html: n-gram mix and init saturation")
PY
if MAKEMORE_REPORT_PANEL=$tmp/none.html "$MM" train -i "$data" -o "$tmp/nopanel" --max-steps 20 --lr-find 0 -n 1 -t 1 \
        >/dev/null 2>&1 && grep -q "run make web .*$tmp/none.html" "$tmp/nopanel/report.html" &&
        ! grep -q 'id="mm-model"' "$tmp/nopanel/report.html"; then
    echo "ok - with MAKEMORE_REPORT_PANEL missing, train still writes report.html, saying why it has no panel"
else
    echo "not ok - with MAKEMORE_REPORT_PANEL missing, the report has a panel or no note (or train failed)"
fi
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
    skip "report.html in a browser (screenshot): chromium is not installed (apt-get install chromium)"
    skip "report.html in a browser (DOM): chromium is not installed"
    finish
fi
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars)
timeout 120 "$chrome" "${flags[@]}" --user-data-dir="$tmp/p1" --window-size=1100,2800 \
    --screenshot="$tmp/shot.png" "file://$out/report.html" >/dev/null 2>&1
if [ -s "$tmp/shot.png" ]; then
    read -r w h ink blue < <("$PY" "$here/tools/png_ink.py" "$tmp/shot.png")
    "$PY" -c "import sys; sys.exit(0 if ${ink:-0} > 0.02 and ${blue:-0} > 0.002 else 1)" &&
        ok "Chromium rendered report.html: ${w:-?}x${h:-?} screenshot, ${ink:-?} of it inked, ${blue:-?} plot blue" ||
        bad "the screenshot looks blank: ${ink:-?} inked, ${blue:-?} blue"
else
    bad "Chromium made no screenshot of report.html"
fi
timeout 120 "$chrome" "${flags[@]}" --user-data-dir="$tmp/p2" --dump-dom "file://$out/report.html" >"$tmp/dom.html" 2>/dev/null
py "Chromium's DOM" "$tmp/dom.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
ids = re.findall(r'<svg[^>]* id="([^"]+)"', dom)
paths = len(re.findall(r"<path", dom))
print(("ok" if ids == ["lr_find", "loss", "embedding"] and paths >= 3 else "not ok")
      + f" - Chromium's DOM holds the plots: svg {ids}, {paths} paths")
PY
finish
