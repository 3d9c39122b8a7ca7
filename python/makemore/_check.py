"""Argument checks: a wrong type raises TypeError and a value out of range
ValueError, each naming the argument, before anything reaches the C
library; errors of the library itself raise MakemoreError."""
import ctypes
import numbers
import os

from . import _lib


class MakemoreError(Exception):
    """An error of libmakemore: its one-line message (the CLI's), and status,
    its code (makemore_status: 1 invalid argument, 2 input/output, 3
    malformed file, 4 out of memory, 5 numeric, 6 interrupted)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def check(status, err):
    if status != 0:
        raise MakemoreError(err.msg.decode("utf-8", "replace"), status)


def integer(v, name, lo=None, hi=None):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an int, not {type(v).__name__}")
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f">= {lo}" if hi is None else f"in {lo}..{hi}"
        raise ValueError(f"{name} must be {rng}, not {v}")
    return v


def real(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a number, not {type(v).__name__}")
    return float(v)


def text(s, name, optional=True):
    """UTF-8 bytes of a str (None passes when optional)."""
    if s is None and optional:
        return None
    if not isinstance(s, str):
        raise TypeError(f"{name} must be a str, not {type(s).__name__}")
    if "\0" in s:
        raise ValueError(f"{name} must not contain NUL characters")
    return s.encode("utf-8")


def path(p, name):
    if not isinstance(p, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), not {type(p).__name__}")
    b = os.fsencode(os.fspath(p))
    if b"\0" in b:
        raise ValueError(f"{name} must not contain NUL characters")
    return b


def strings(items, name):
    """A ctypes array of UTF-8 strings from a sequence of str (a single str
    is refused: it would be taken as its characters)."""
    if isinstance(items, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(items).__name__}")
    try:
        seq = list(items)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of str, not {type(items).__name__}") from None
    for i, s in enumerate(seq):
        if not isinstance(s, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(s).__name__}")
        if "\0" in s:
            raise ValueError(f"{name}[{i}] must not contain NUL characters")
    if len(seq) > 2**31 - 1:
        raise ValueError(f"{name}: at most {2**31 - 1} strings in one call")
    arr = (ctypes.c_char_p * max(len(seq), 1))()
    for i, s in enumerate(seq):
        arr[i] = s.encode("utf-8")
    return arr, len(seq)
