"""makemore from Python: character-level language models trained and sampled
by libmakemore (the C library of makemore.c), through ctypes.

    import makemore
    summary = makemore.train("names.txt", "out", max_steps=20000)
    m = makemore.load("out")
    m.sample(5, temperature=0.8, seed=1)   # ['emma', ...]
    m.next_probs("jo")                     # {'s': 0.21, 'h': 0.17, ...}
    m.eval("dev")                          # mean loss in nats per character

The library is found through $MAKEMORE_LIB (a path to libmakemore.so.1),
then the build folder of the source tree this package sits in, then the
system's library path. Standard library only; numpy is not needed.
"""
import ctypes
import ctypes.util
import json
import os

__all__ = ["MakemoreError", "Model", "load", "train", "library_path"]

MAX_LEN = 256  # characters per item (the library's limit)


class MakemoreError(Exception):
    """An error from libmakemore; the message is the library's, status its code."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class _Error(ctypes.Structure):
    _fields_ = [("msg", ctypes.c_char * 512)]


class _SampleOpts(ctypes.Structure):
    _fields_ = [("temperature", ctypes.c_double), ("top_k", ctypes.c_int), ("seed", ctypes.c_uint64),
                ("max_len", ctypes.c_int), ("prefix", ctypes.c_char_p)]


class _TrainConfig(ctypes.Structure):
    _fields_ = [("model", ctypes.c_char_p), ("block_size", ctypes.c_int), ("n_embd", ctypes.c_int),
                ("n_hidden", ctypes.c_int), ("n_layers", ctypes.c_int), ("n_heads", ctypes.c_int),
                ("max_steps", ctypes.c_long), ("batch_size", ctypes.c_int), ("learning_rate", ctypes.c_double),
                ("optimizer", ctypes.c_char_p), ("schedule", ctypes.c_char_p), ("lr_decay", ctypes.c_double),
                ("lr_decay_step", ctypes.c_long), ("weight_decay", ctypes.c_double), ("init", ctypes.c_char_p),
                ("seed", ctypes.c_uint64), ("split_seed", ctypes.c_uint64), ("threads", ctypes.c_int)]


def _candidates():
    env = os.environ.get("MAKEMORE_LIB")
    if env:
        yield env
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for build in ("build", "build-portable"):
        yield os.path.join(root, build, "libmakemore.so.1")
    found = ctypes.util.find_library("makemore")
    yield found or "libmakemore.so.1"


def _open():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{path} ({e})")
    raise ImportError("makemore: libmakemore.so.1 not found (build it with `make`, install it with "
                      "`make install`, or set MAKEMORE_LIB); tried: " + "; ".join(tried))


_lib, library_path = _open()
_P = ctypes.c_void_p
_ERR = ctypes.POINTER(_Error)
for name, res, args in [
    ("makemore_load", ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(_P), _ERR]),
    ("makemore_free", None, [_P]),
    ("makemore_vocab_size", ctypes.c_int, [_P]),
    ("makemore_char", ctypes.c_char_p, [_P, ctypes.c_int]),
    ("makemore_is_words", ctypes.c_int, [_P]),
    ("makemore_max_token_bytes", ctypes.c_size_t, [_P]),
    ("makemore_kind", ctypes.c_char_p, [_P]),
    ("makemore_num_params", ctypes.c_size_t, [_P]),
    ("makemore_sample_defaults", _SampleOpts, []),
    ("makemore_sample", ctypes.c_int, [_P, ctypes.POINTER(_SampleOpts), ctypes.c_int, ctypes.c_char_p,
                                       ctypes.c_size_t, _ERR]),
    ("makemore_next_probs", ctypes.c_int, [_P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_double), _ERR]),
    ("makemore_eval", ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_double), _ERR]),
    ("makemore_train_defaults", _TrainConfig, []),
    ("makemore_train", ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_TrainConfig),
                                      ctypes.c_char_p, ctypes.c_size_t, _ERR]),
    ("makemore_train_with", ctypes.c_int, [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(_TrainConfig),
                                           ctypes.POINTER(ctypes.c_char_p), ctypes.c_char_p, ctypes.c_size_t,
                                           _ERR]),
    ("makemore_train_setting", ctypes.c_char_p, [ctypes.c_int]),
]:
    f = getattr(_lib, name)
    f.restype, f.argtypes = res, args


def _check(status, err):
    if status != 0:
        raise MakemoreError(err.msg.decode("utf-8", "replace"), status)


def _bytes(s, what):
    if s is None:
        return None
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, not {type(s).__name__}")
    return os.fsencode(s) if what in ("dir", "input", "out") else s.encode("utf-8")


class Model:
    """A trained model, loaded from a folder holding model.bin."""

    def __init__(self, directory):
        self._h = _P()
        err = _Error()
        _check(_lib.makemore_load(_bytes(os.fspath(directory), "dir"), ctypes.byref(self._h), ctypes.byref(err)), err)
        V = _lib.makemore_vocab_size(self._h)
        self.chars = [_lib.makemore_char(self._h, i).decode("utf-8") for i in range(V)]  # or words
        self.words = bool(_lib.makemore_is_words(self._h))
        self.kind = _lib.makemore_kind(self._h).decode()
        self.num_params = _lib.makemore_num_params(self._h)

    def close(self):
        if self._h:
            _lib.makemore_free(self._h)
            self._h = _P()

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        unit = "words" if self.words else "characters"
        return f"<makemore.Model {self.kind}, {self.num_params} parameters, {len(self.chars)} {unit}>"

    def _handle(self):
        if not self._h:
            raise MakemoreError("the model was closed", 1)
        return self._h

    def sample(self, n, temperature=1.0, top_k=None, seed=None, prefix=None, max_len=None):
        """n new items (list of str); the same seed gives the same items, those of
        `makemore sample --seed`. prefix: items that start with it."""
        if not isinstance(n, int) or n < 0:
            raise ValueError("n must be an int >= 0")
        o = _lib.makemore_sample_defaults()
        o.temperature = float(temperature)
        o.top_k = 0 if top_k is None else int(top_k)
        if seed is not None:
            o.seed = int(seed)
        o.max_len = 0 if max_len is None else int(max_len)
        o.prefix = _bytes(prefix, "prefix")
        cap = n * ((_lib.makemore_max_token_bytes(self._h) + 1) * (o.max_len or MAX_LEN) + 1) + 1
        buf = ctypes.create_string_buffer(cap)
        err = _Error()
        _check(_lib.makemore_sample(self._handle(), ctypes.byref(o), n, buf, cap, ctypes.byref(err)), err)
        return buf.value.decode("utf-8").split("\n")[:n]

    def next_probs(self, prefix=""):
        """{character: probability} of the next character after prefix; "." is the end.
        A word model: {word: probability} of the next word after the words of
        prefix; "</s>" is the end, "<unk>" any word the vocabulary lacks."""
        V = len(self.chars)
        probs = (ctypes.c_double * V)()
        err = _Error()
        _check(_lib.makemore_next_probs(self._handle(), _bytes(prefix, "prefix"), probs, ctypes.byref(err)), err)
        return {c: probs[i] for i, c in enumerate(self.chars)}

    def eval(self, split="dev", input=None):
        """Mean loss (nats per token, the ends counted; exp of it is the
        perplexity) on split train, dev or test of the training file (or
        input), split as in training."""
        loss = ctypes.c_double()
        err = _Error()
        _check(_lib.makemore_eval(self._handle(), _bytes(split, "split"), _bytes(input, "input"),
                                  ctypes.byref(loss), ctypes.byref(err)), err)
        return loss.value


def load(directory):
    """The model trained into directory (its model.bin)."""
    return Model(directory)


def _train_settings():
    """The names makemore_train_with takes: train's long flags without the dashes."""
    names, i = [], 0
    while (n := _lib.makemore_train_setting(i)) is not None:
        names.append(n.decode("ascii"))
        i += 1
    return names


# the names of makemore_train_config's fields, kept working
_ALIASES = {"schedule": "lr-schedule", "lr": "learning-rate", "n_heads": "n-head", "type": "model",
            "warmup": "warmup-steps"}


def train(input, out, **flags):
    """Trains on input (one item per line) into out/model.bin, as `makemore train`
    with flags named as its long options (max_steps=1000, model="wavenet",
    preset="best", dropout=0.2, ...). Returns the summary `makemore train --json`
    prints."""
    known = _train_settings()
    items = []
    for k, v in flags.items():
        name = _ALIASES.get(k, k.replace("_", "-"))
        if name not in known:
            raise TypeError(f"train: unknown flag {k!r}; known: {', '.join(n.replace('-', '_') for n in known)}")
        if isinstance(v, bool):
            v = int(v)
        items.append(_bytes(f"{name}={v}", name))
    settings = (ctypes.c_char_p * (len(items) + 1))(*items, None)
    buf = ctypes.create_string_buffer(1 << 16)
    err = _Error()
    _check(_lib.makemore_train_with(_bytes(os.fspath(input), "input"), _bytes(os.fspath(out), "out"), None,
                                    settings, buf, len(buf), ctypes.byref(err)), err)
    return json.loads(buf.value.decode("utf-8"))
