"""A trained model loaded from its folder (DIR/model.bin): sampling,
next-token distributions, losses, and its tensors as arrays. A token is a
character, or a word for a word model (`train(tokens="word")`): then
prefixes and items are words separated by white space, and a word the
vocabulary lacks raises MakemoreError naming it (write "<unk>" for the
unknown word)."""
import ctypes
import os

from . import _arrays, _check, _lib
from ._check import MakemoreError

MAX_LEN = 256  # tokens (characters or words) per item that these calls take
MAX_BUFFER = 1 << 30  # bytes one sample() call may ask for


def _err():
    return _lib.Error()


class Model:
    """A trained model, loaded from a folder holding model.bin.

    Arrays (tensors, embeddings, next_probs_batch, loss) are numpy arrays
    when numpy imports, else lists; either way they are copies that the
    caller owns, valid after the model is closed. A closed model refuses
    every call with MakemoreError."""

    def __init__(self, directory):
        self._h = _lib.P()
        self.directory = os.fspath(directory) if isinstance(directory, os.PathLike) else directory
        err = _err()
        _check.check(_lib.lib.makemore_load(_check.path(directory, "directory"), ctypes.byref(self._h),
                                            ctypes.byref(err)), err)
        V = _lib.lib.makemore_vocab_size(self._h)
        self.chars = [_lib.lib.makemore_char(self._h, i).decode("utf-8") for i in range(V)]  # or words
        words = getattr(_lib.lib, "makemore_is_words", None)
        self.words = bool(words(self._h)) if words else False
        token = getattr(_lib.lib, "makemore_max_token_bytes", None)
        self._token_bytes = token(self._h) if token else 4
        self.kind = _lib.lib.makemore_kind(self._h).decode()
        self.num_params = _lib.lib.makemore_num_params(self._h)
        self.summary = None  # train()'s summary, when the model came from it
        self._losses = None

    def close(self):
        """Frees the model; later calls raise MakemoreError. Arrays already
        returned stay valid (they are copies)."""
        h = getattr(self, "_h", None)
        if h:
            self._h = _lib.P()
            _lib.lib.makemore_free(h)

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def closed(self):
        return not self._h

    def __repr__(self):
        state = ", closed" if self.closed else ""
        unit = "words" if self.words else "characters"
        return f"<makemore.Model {self.kind}, {self.num_params} parameters, {len(self.chars)} {unit}{state}>"

    def _handle(self):
        if not self._h:
            raise MakemoreError("the model was closed", 1)
        return self._h

    def sample(self, n, temperature=1.0, top_k=None, seed=None, prefix=None, max_len=None):
        """n new items (list of str); the same seed gives the same items, those of
        `makemore sample --seed`. prefix: items that start with it."""
        n = _check.integer(n, "n", 0)
        o = _lib.lib.makemore_sample_defaults()
        o.temperature = _check.real(temperature, "temperature")
        o.top_k = 0 if top_k is None else _check.integer(top_k, "top_k", 0, 2**31 - 1)
        if seed is not None:
            o.seed = _check.integer(seed, "seed", 0, 2**64 - 1)
        o.max_len = 0 if max_len is None else _check.integer(max_len, "max_len", 1, MAX_LEN)
        o.prefix = _check.text(prefix, "prefix")
        per = (self._token_bytes + (1 if self.words else 0)) * (o.max_len or MAX_LEN) + 1
        cap = n * per + 1
        if cap > MAX_BUFFER or n > 2**31 - 1:
            raise ValueError(f"n must be at most {(MAX_BUFFER - 1) // per} in one "
                             f"call, not {n} (draw more with several calls and other seeds)")
        h = self._handle()
        buf = ctypes.create_string_buffer(cap)
        err = _err()
        _check.check(_lib.lib.makemore_sample(h, ctypes.byref(o), n, buf, cap, ctypes.byref(err)), err)
        return buf.value.decode("utf-8").split("\n")[:n]

    def next_probs(self, prefix=""):
        """{token: probability} of the next character (word) after prefix; "."
        ("</s>" for words) is the end."""
        V = len(self.chars)
        prefix = _check.text(prefix, "prefix")
        h = self._handle()
        probs = (ctypes.c_double * V)()
        err = _err()
        _check.check(_lib.lib.makemore_next_probs(h, prefix, probs, ctypes.byref(err)), err)
        return {c: probs[i] for i, c in enumerate(self.chars)}

    def next_probs_batch(self, prefixes):
        """(len(prefixes), vocab) array: row i is the next-token distribution
        after prefixes[i], columns in the order of self.chars (the words of a
        word model)."""
        arr, n = _check.strings(prefixes, "prefixes")
        h = self._handle()
        V = len(self.chars)
        probs = (ctypes.c_double * max(n * V, 1))()
        err = _err()
        _check.check(_lib.lib.makemore_next_probs_batch(h, arr, n, probs, ctypes.byref(err)), err)
        return _arrays.matrix(probs, n, V) if n else _arrays.matrix((ctypes.c_double * 0)(), 0, V)

    def loss(self, items):
        """Each item's loss: mean nats per token (character, or word of a word
        model), its end included, as eval counts them, so low means the model
        finds the item likely. eval's loss is the mean of these weighted by
        tokens + 1 (len(item.split()) + 1 for words)."""
        arr, n = _check.strings(items, "items")
        h = self._handle()
        loss = (ctypes.c_double * n)()
        err = _err()
        _check.check(_lib.lib.makemore_item_losses(h, arr, n, loss, None, ctypes.byref(err)), err)
        return _arrays.vector(loss)

    def eval(self, split="dev", input=None):
        """Mean loss (nats per token) on split train, dev or test of the
        training file (or input), split as in training."""
        split = _check.text(split, "split", optional=False)
        inp = None if input is None else _check.path(input, "input")
        h = self._handle()
        loss = ctypes.c_double()
        err = _err()
        _check.check(_lib.lib.makemore_eval(h, split, inp, ctypes.byref(loss), ctypes.byref(err)), err)
        return loss.value

    def tensors(self):
        """{name: array}: every tensor, under the names, in the shapes and order
        `makemore export` writes (float32; lists without numpy)."""
        h = self._handle()
        need = ctypes.c_size_t()
        err = _err()
        _check.check(_lib.lib.makemore_tensors(h, None, 0, ctypes.byref(need), ctypes.byref(err)), err)
        buf = (ctypes.c_ubyte * need.value)()
        _check.check(_lib.lib.makemore_tensors(h, buf, need.value, ctypes.byref(need), ctypes.byref(err)), err)
        return _arrays.safetensors(memoryview(buf).cast("B"))

    def embeddings(self):
        """(vocab, n_embd) array: row i is the embedding of self.chars[i] (a
        character, or a word of a word model)."""
        h = self._handle()
        rows, cols = ctypes.c_int(), ctypes.c_int()
        err = _err()
        _check.check(_lib.lib.makemore_embeddings(h, None, 0, ctypes.byref(rows), ctypes.byref(cols),
                                                  ctypes.byref(err)), err)
        buf = (ctypes.c_float * (rows.value * cols.value))()
        _check.check(_lib.lib.makemore_embeddings(h, buf, len(buf), ctypes.byref(rows), ctypes.byref(cols),
                                                  ctypes.byref(err)), err)
        return _arrays.matrix(buf, rows.value, cols.value)

    def embedding_svg(self):
        """The embedding figure of report.html, as an SVG document (str)."""
        h = self._handle()
        need = ctypes.c_size_t()
        err = _err()
        _check.check(_lib.lib.makemore_embedding_svg(h, None, 0, ctypes.byref(need), ctypes.byref(err)), err)
        buf = ctypes.create_string_buffer(need.value)
        _check.check(_lib.lib.makemore_embedding_svg(h, buf, need.value, ctypes.byref(need), ctypes.byref(err)), err)
        return buf.value.decode("utf-8")

    def losses(self):
        """{"train": ..., "dev": ...}: from train()'s summary when there is one,
        else evaluated once on the training file (None where it cannot be)."""
        if self._losses is None:
            if self.summary:
                self._losses = {"train": self.summary.get("train_loss"), "dev": self.summary.get("dev_loss")}
            else:
                self._losses = {}
                for split in ("train", "dev"):
                    try:
                        self._losses[split] = self.eval(split)
                    except MakemoreError:
                        self._losses[split] = None
        return dict(self._losses)

    def _repr_html_(self):
        from . import _html
        return _html.model_html(self)


def load(directory):
    """The model trained into directory (its model.bin)."""
    return Model(directory)
