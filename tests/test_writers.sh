#!/usr/bin/env bash
# The SVG and HTML writers on awkward text: test_svg --write makes a sample
# plot and page full of markup characters, control bytes and bad UTF-8;
# both must parse (xml.etree for SVG, html.parser for the page).
source "$(dirname "$0")/lib.sh"
plan 4
bin=${TEST_BIN_DIR:-build/tests}/test_svg
dir=$tmp
"$bin" --write "$dir"
check "test_svg --write made the samples" test $? -eq 0
py "the writers' samples" "$dir" <<'PY'
import sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
d = sys.argv[1]
ns = "{http://www.w3.org/2000/svg}"
try:
    root = ET.parse(d + "/sample.svg").getroot()
    texts = "".join(t.text or "" for t in root.iter(ns + "text"))
    ok = root.tag == ns + "svg" and "<b>&" in texts and "\ufffd" in texts
    print(("ok" if ok else "not ok") + " - sample.svg parses as XML and its text round-trips")
except ET.ParseError as e:
    print("not ok - sample.svg is not well-formed XML:", e)

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad, self.svgs = [], 0, 0
    VOID = {"meta", "br", "img", "hr", "input", "link", "rect", "line", "circle", "path"}
    def handle_starttag(self, tag, attrs):
        if tag == "svg": self.svgs += 1
        if tag not in self.VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        pass
    def handle_endtag(self, tag):
        if tag in self.VOID: return
        if not self.stack or self.stack.pop() != tag: self.bad += 1
p = P()
p.feed(open(d + "/sample.html", encoding="utf-8").read())
ok = p.bad == 0 and not p.stack and p.svgs == 1
print(("ok" if ok else "not ok") + f" - sample.html: tags balance ({p.bad} mismatched, {len(p.stack)} open), {p.svgs} inline svg")
PY
# The Pareto figure (tests/test_pareto.c --write): well-formed XML with one
# line (a path) per kind and a legend entry for each.
pbin=${TEST_BIN_DIR:-build/tests}/test_pareto
if "$pbin" --write "$dir/pareto.svg"; then
py "the Pareto figure" "$dir/pareto.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
try:
    root = ET.parse(sys.argv[1]).getroot()
    paths = [p.get("stroke") for p in root.iter(ns + "path")]
    legend = [g for g in root.iter(ns + "g") if g.get("class") == "legend"]
    names = [t.text for g in legend for t in g.iter(ns + "text")]
    ok = len(paths) == 3 and len(set(paths)) == 3 and sorted(names) == ["bigram", "transformer", "wavenet"]
    print(("ok" if ok else "not ok") + f" - pareto.svg parses as XML: {len(paths)} series in {len(set(paths))} colours, legend {names}")
except ET.ParseError as e:
    print("not ok - pareto.svg is not well-formed XML:", e)
PY
else
    bad "test_pareto --write failed"
fi
finish
