"""Reads a safetensors file (F32 tensors only, as makemore exports) into
torch tensors, with nothing but the standard library and torch: Debian has
no python3-safetensors, and reading the format by hand also tests it."""
import json
import struct

import torch


def load_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError("%s: tensor %s is %s, expected F32" % (path, name, info["dtype"]))
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).clone()
    return out
