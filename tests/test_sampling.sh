#!/usr/bin/env bash
# What --temperature and --top-k do to the drawn characters, measured: a
# small model's first-character distribution is computed here from its
# exported weights (pure Python), and 6000 one-character samples must follow
# softmax(logits / T) for T = 0.5, 1, 2 (each frequency within 4.5 standard
# errors), with entropy rising with T; --top-k k must draw only the k
# likeliest characters, in proportion. Then a checkpoint whose weights are
# finite but so large that the logits overflow: sampling (with and without
# --top-k, which once wrote outside its array; with --prefix and --json) and
# probs end with one line and exit status 2, and eval gives null losses in
# strict JSON.
#   MAKEMORE  the binary under test
source "$(dirname "$0")/lib.sh"
plan 13
cd "$tmp" || exit 1

awk 'BEGIN { srand(21); for (i = 0; i < 2000; i++) { n = 2 + int(rand() * 5); s = "";
    for (j = 0; j < n; j++) s = s substr("aaaeeiobbkmnrst", 1 + int(rand() * 15), 1); print s } }' >w.txt
"$M" train -i w.txt -o run --n-hidden 32 --max-steps 1500 -n 0 -t 1 --lr-find 0 >/dev/null 2>&1
check "a small model trains" test $? -eq 0
"$M" export -o run --safetensors run.st 2>/dev/null
check "its weights export" test $? -eq 0

py "temperature and top-k" "$M" run run.st w.txt <<'PY'
import json, math, struct, subprocess, sys
M, run, st, data = sys.argv[1:5]
raw = open(st, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
def tensor(name):
    a, b = head[name]["data_offsets"]
    vals = struct.unpack("<%df" % ((b - a) // 4), raw[8 + n + a:8 + n + b])
    shape = head[name]["shape"]
    return [list(vals[i * shape[1]:(i + 1) * shape[1]]) for i in range(shape[0])] if len(shape) == 2 else list(vals)
C, W1, b1, W2, b2 = (tensor(k) for k in ("C", "W1", "b1", "W2", "b2"))
V, E, H = len(C), len(C[0]), len(b1)
T = len(W1) // E
chars = ["."] + sorted(set(open(data, encoding="utf-8").read()) - {"\n"})
x = C[0] * T  # the start context: T stop tokens
h = [math.tanh(b1[j] + sum(x[i] * W1[i][j] for i in range(T * E))) for j in range(H)]
logits = [b2[v] + sum(h[j] * W2[j][v] for j in range(H)) for v in range(V)]

def softmax(l):
    m = max(l)
    e = [math.exp(a - m) for a in l]
    return [a / sum(e) for a in e]

N = 6000
def freqs(*flags):
    out = subprocess.run([M, "sample", "-o", run, "-n", str(N), "--max-len", "1", "--json", *flags],
                         capture_output=True, text=True, check=True).stdout
    count = [0] * V
    for s in json.loads(out)["samples"]:
        count[chars.index(s["text"]) if s["text"] else 0] += 1
    return [c / N for c in count]

def close(f, p):  # every frequency within 4.5 standard errors (and a hair for p = 0)
    return max(abs(a - b) / (math.sqrt(b * (1 - b) / N) + 1e-3) for a, b in zip(f, p))

ent = {}
for temp in (0.5, 1.0, 2.0):
    p = softmax([a / temp for a in logits])
    f = freqs("--temperature", str(temp), "--seed", "11")
    z = close(f, p)
    ent[temp] = -sum(a * math.log(a) for a in f if a > 0)
    print(("ok" if z < 4.5 else "not ok") + f" - --temperature {temp}: {N} first characters follow softmax(logits/{temp}), "
          f"worst {z:.2f} standard errors (largest p {max(p):.3f})")
print(("ok" if ent[0.5] < ent[1.0] - 0.05 < ent[2.0] - 0.1 else "not ok")
      + f" - entropy rises with the temperature: {ent[0.5]:.3f} < {ent[1.0]:.3f} < {ent[2.0]:.3f} nats")
order = sorted(range(V), key=lambda v: -logits[v])
for k in (1, 3):
    keep = set(order[:k])
    p = softmax([a if v in keep else -math.inf for v, a in enumerate(logits)])
    f = freqs("--top-k", str(k), "--seed", "12")
    drawn = {v for v in range(V) if f[v] > 0}
    z = close(f, p)
    print(("ok" if drawn == keep and z < 4.5 else "not ok") + f" - --top-k {k}: draws exactly the {k} likeliest "
          f"{sorted(chars[v] for v in keep)} (drew {sorted(chars[v] for v in drawn)}), in proportion ({z:.2f} s.e.)")
PY

# Finite weights whose logits overflow: W2 (the MLP's last H*V floats before
# b2, which end the parameters of an SGD run, before the CRC) set to 3e38.
mkdir -p huge
py "the overflowing checkpoint" run/model.bin huge/model.bin <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
V, T, E, H = struct.unpack_from("<4I", b, 20)
P = struct.unpack_from("<Q", b, 40)[0]
start = len(b) - 4 - 4 * P
w2 = start + 4 * (V * E + T * E * H + H)
for i in range(H * V):
    struct.pack_into("<f", b, w2 + 4 * i, 3e38)
struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], "wb").write(b)
PY
expect_error "overflowing logits: sample --top-k 3 refuses" "huge/model\.bin: the model's logits are NaN or infinite" \
    "$M" sample -o huge --top-k 3 -n 5
expect_error "overflowing logits: sample refuses" "huge/model\.bin: the model's logits are NaN or infinite" \
    "$M" sample -o huge -n 5
expect_error "overflowing logits: sample --prefix --json refuses" "huge/model\.bin: the model's logits are NaN or infinite" \
    "$M" sample -o huge -n 5 --prefix a --json
expect_error "overflowing logits: probs refuses" "huge/model\.bin: the model's logits are NaN or infinite" \
    "$M" probs -o huge --prefix a
"$M" eval -o huge -i w.txt --json -t 1 >huge.json 2>/dev/null
rc=$?
check "overflowing logits: eval gives null losses in strict JSON (exit $rc)" "$PY" -c "
import json, sys
d = json.loads(open('huge.json').read(), parse_constant=lambda c: 1 / 0)
sys.exit(0 if $rc == 0 and d['train_loss'] is None and d['dev_loss'] is None else 1)"
finish
