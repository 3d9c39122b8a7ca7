"""numpy when it is importable, plain lists otherwise: the package never
needs numpy, and gives arrays wherever it can. Every array made here owns
its memory (a copy of what the library wrote into a buffer the package
allocated), so none can outlive the model it came from."""
import json
import struct

try:  # pragma: no branch
    import numpy as np
except ImportError:  # numpy is optional
    np = None


def have_numpy():
    return np is not None


def matrix(buf, rows, cols):
    """(rows, cols) from a flat ctypes array of rows * cols numbers."""
    if np is not None:
        return np.ctypeslib.as_array(buf).reshape(rows, cols).copy()
    flat = list(buf)
    return [flat[r * cols:(r + 1) * cols] for r in range(rows)]


def vector(buf):
    if np is not None:
        return np.ctypeslib.as_array(buf).copy()
    return list(buf)


def _nested(flat, shape):
    if len(shape) <= 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [_nested(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def safetensors(data):
    """{name: array} from the bytes of a safetensors file of float32 tensors,
    in the file's order (the order `makemore export` writes)."""
    (hlen,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(bytes(data[8:8 + hlen]).decode("utf-8"))
    header.pop("__metadata__", None)
    body = 8 + hlen
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        shape = tuple(t["shape"])
        raw = bytes(data[body + begin:body + end])
        if np is not None:
            out[name] = np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
        else:
            out[name] = _nested(list(struct.unpack(f"<{len(raw) // 4}f", raw)), shape)
    return out
