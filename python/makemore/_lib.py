"""Finding libmakemore and declaring its functions for ctypes.

The library is, in this order: $MAKEMORE_LIB (a path to libmakemore.so.1,
for testing another build), the copy inside this package (a pip install
puts it there), the build folder of the source tree this package sits in
(after `make`), the system's (after `make install`)."""
import ctypes
import ctypes.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


class Error(ctypes.Structure):
    _fields_ = [("msg", ctypes.c_char * 512)]


class SampleOpts(ctypes.Structure):
    _fields_ = [("temperature", ctypes.c_double), ("top_k", ctypes.c_int), ("seed", ctypes.c_uint64),
                ("max_len", ctypes.c_int), ("prefix", ctypes.c_char_p)]


class TrainConfig(ctypes.Structure):
    _fields_ = [("model", ctypes.c_char_p), ("block_size", ctypes.c_int), ("n_embd", ctypes.c_int),
                ("n_hidden", ctypes.c_int), ("n_layers", ctypes.c_int), ("n_heads", ctypes.c_int),
                ("max_steps", ctypes.c_long), ("batch_size", ctypes.c_int), ("learning_rate", ctypes.c_double),
                ("optimizer", ctypes.c_char_p), ("schedule", ctypes.c_char_p), ("lr_decay", ctypes.c_double),
                ("lr_decay_step", ctypes.c_long), ("weight_decay", ctypes.c_double), ("init", ctypes.c_char_p),
                ("seed", ctypes.c_uint64), ("split_seed", ctypes.c_uint64), ("threads", ctypes.c_int)]


def candidates():
    env = os.environ.get("MAKEMORE_LIB")
    if env:
        yield env
        return
    yield os.path.join(HERE, "libmakemore.so.1")
    root = os.path.dirname(os.path.dirname(HERE))
    for build in ("build", "build-portable"):
        yield os.path.join(root, build, "libmakemore.so.1")
    found = ctypes.util.find_library("makemore")
    yield found or "libmakemore.so.1"


def open_library():
    tried = []
    for path in candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("makemore: libmakemore.so.1 not found (install the package with `python3 -m pip install .` "
                      "in the source folder, or build it with `make`, or set MAKEMORE_LIB); tried: " + "; ".join(tried))


lib, path = open_library()
P = ctypes.c_void_p
_ERR = ctypes.POINTER(Error)
_D = ctypes.POINTER(ctypes.c_double)
_SZ = ctypes.POINTER(ctypes.c_size_t)
_STRS = ctypes.POINTER(ctypes.c_char_p)
_I = ctypes.POINTER(ctypes.c_int)
_PROTOTYPES = [
    ("makemore_version", ctypes.c_char_p, []),
    ("makemore_load", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(P), _ERR]),
    ("makemore_free", None, [P]),
    ("makemore_vocab_size", ctypes.c_int, [P]),
    ("makemore_char", ctypes.c_char_p, [P, ctypes.c_int]),
    ("makemore_kind", ctypes.c_char_p, [P]),
    ("makemore_num_params", ctypes.c_size_t, [P]),
    ("makemore_sample_defaults", SampleOpts, []),
    ("makemore_sample", ctypes.c_int, [P, ctypes.POINTER(SampleOpts), ctypes.c_int, ctypes.c_char_p,
                                       ctypes.c_size_t, _ERR]),
    ("makemore_next_probs", ctypes.c_int, [P, ctypes.c_char_p, _D, _ERR]),
    ("makemore_eval", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p, _D, _ERR]),
    ("makemore_train_defaults", TrainConfig, []),
    ("makemore_train", ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(TrainConfig),
                                      ctypes.c_char_p, ctypes.c_size_t, _ERR]),
    ("makemore_train_with", ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(TrainConfig), _STRS,
                                           ctypes.c_char_p, ctypes.c_size_t, _ERR]),
    ("makemore_train_setting", ctypes.c_char_p, [ctypes.c_int]),
    # arrays (src/api/api_arrays.c)
    ("makemore_tensors", ctypes.c_int, [P, ctypes.c_void_p, ctypes.c_size_t, _SZ, _ERR]),
    ("makemore_embeddings", ctypes.c_int, [P, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t, _I, _I, _ERR]),
    ("makemore_next_probs_batch", ctypes.c_int, [P, _STRS, ctypes.c_int, _D, _ERR]),
    ("makemore_item_losses", ctypes.c_int, [P, _STRS, ctypes.c_int, _D, _I, _ERR]),
    ("makemore_embedding_svg", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_size_t, _SZ, _ERR]),
]
for _name, _res, _args in _PROTOTYPES:
    _f = getattr(lib, _name)
    _f.restype, _f.argtypes = _res, _args
# word models (train --tokens word), in libraries that have them
for _name, _res in (("makemore_is_words", ctypes.c_int), ("makemore_max_token_bytes", ctypes.c_size_t)):
    if hasattr(lib, _name):
        _f = getattr(lib, _name)
        _f.restype, _f.argtypes = _res, [P]


class Progress(ctypes.Structure):
    _fields_ = [("step", ctypes.c_long), ("max_steps", ctypes.c_long), ("lr", ctypes.c_double),
                ("loss", ctypes.c_double), ("evaluated", ctypes.c_int), ("train_loss", ctypes.c_double),
                ("dev_loss", ctypes.c_double), ("n", ctypes.c_int), ("losses", ctypes.POINTER(ctypes.c_double)),
                ("lrs", ctypes.POINTER(ctypes.c_double))]


PROGRESS_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Progress), ctypes.c_void_p)
lib.makemore_train_watch.restype = ctypes.c_int
lib.makemore_train_watch.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(TrainConfig), _STRS,
                                     PROGRESS_FN, ctypes.c_void_p, ctypes.c_long, ctypes.c_char_p, ctypes.c_size_t,
                                     _ERR]
