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


def save_safetensors(tensors, path, dtypes=None):
    """Writes {name: tensor} as safetensors: F32 unless dtypes[name] says
    "F16" or "F64" (for tests of files makemore must refuse)."""
    dtypes = dtypes or {}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        kind = dtypes.get(name, "F32")
        dtype = {"F16": torch.float16, "F64": torch.float64}.get(kind, torch.float32)
        data = t.detach().to(dtype).contiguous().numpy().tobytes()
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
