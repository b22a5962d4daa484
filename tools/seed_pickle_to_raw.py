#!/usr/bin/env python3
"""Convert a recording pickle of the seed's recorder for `pixelpilot recording import-seed`.

The seed (AutonomousDrivingGamePlayer) pickles a dict {"screen_frames": (N, H, W, 3) uint8 in
B, G, R order, "key_frames": (N, 4) ints, columns [up, left, right, down]}. This helper writes to
standard output one JSON header line {"frames": N, "height": H, "width": W, "channels": 3,
"order": "BGR"} and then, per frame, H*W*3 bytes of the frame as stored (BGR) followed by 4 bytes
(0/1) of its keys. PixelPilot swaps the channels to RGB.

NumPy is used when installed; otherwise (or with PIXELPILOT_NO_NUMPY=1) a small unpickler of the
standard library rebuilds NumPy arrays from their pickled bytes (protocols 2 to 5).
Errors go to standard error with a non-zero exit.
"""
import json
import os
import pickle
import sys


class _Dtype:
    def __init__(self, name, align=False, copy=True):
        self.name = name
        self.order = "<"

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) > 1 and state[1] in "<>|=":
            self.order = state[1]


class _Array:
    def __init__(self, shape=(), dtype=None, data=b""):
        self.shape, self.dtype, self.data = tuple(shape), dtype, data

    def __setstate__(self, state):
        # (version, shape, dtype, is_fortran, raw bytes)
        _, self.shape, self.dtype, fortran, data = state
        if fortran and len(self.shape) > 1:
            raise ValueError("Fortran-ordered arrays are not supported")
        self.data = bytes(data) if not isinstance(data, list) else None


def _reconstruct(cls, shape, typecode):
    return _Array()


def _frombuffer(buf, dtype, shape, order):
    return _Array(shape, dtype, bytes(buf))


class _NoNumPyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.startswith("numpy"):
            if name == "_reconstruct":
                return _reconstruct
            if name == "_frombuffer":
                return _frombuffer
            if name == "dtype":
                return _Dtype
            if name == "ndarray":
                return _Array
        return super().find_class(module, name)


def _as_bytes_and_shape(a, what):
    """(bytes as uint8 row-major, shape, item size, kind) of an array from either loader."""
    if isinstance(a, _Array):
        name = a.dtype.name if a.dtype is not None else "u1"
        return a.data, a.shape, int(name[1:]), name[0], a.dtype.order
    try:
        import numpy as np
        a = np.ascontiguousarray(a)
        return a.tobytes(), a.shape, a.dtype.itemsize, a.dtype.kind, a.dtype.byteorder
    except ImportError:
        raise ValueError(f"{what} is not an array")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed_pickle_to_raw.py RECORDING.pickle")
    path = sys.argv[1]
    use_numpy = os.environ.get("PIXELPILOT_NO_NUMPY") != "1"
    if use_numpy:
        try:
            import numpy  # noqa: F401
        except ImportError:
            use_numpy = False
    try:
        with open(path, "rb") as f:
            data = pickle.load(f) if use_numpy else _NoNumPyUnpickler(f).load()
    except Exception as e:  # a truncated or foreign file
        sys.exit(f"{path}: not a readable pickle ({type(e).__name__}: {e})")
    if not isinstance(data, dict) or "screen_frames" not in data or "key_frames" not in data:
        sys.exit(f"{path}: not a seed recording (expected a dict with screen_frames and key_frames)")
    fb, fshape, fsize, fkind, _ = _as_bytes_and_shape(data["screen_frames"], "screen_frames")
    kb, kshape, ksize, kkind, korder = _as_bytes_and_shape(data["key_frames"], "key_frames")
    if len(fshape) != 4 or fshape[3] != 3 or fsize != 1 or fkind != "u":
        sys.exit(f"{path}: screen_frames must be (N, H, W, 3) uint8, got shape {fshape}, kind {fkind}{fsize}")
    n, h, w, _ = fshape
    if len(kshape) != 2 or kshape[0] != n or kshape[1] != 4:
        sys.exit(f"{path}: key_frames must be (N, 4) with N = {n}, got {kshape}")
    if kkind not in "iub":
        sys.exit(f"{path}: key_frames must hold integers, got kind {kkind}")
    big = korder == ">"
    out = sys.stdout.buffer
    out.write((json.dumps({"frames": n, "height": h, "width": w, "channels": 3, "order": "BGR"}) + "\n").encode())
    frame = h * w * 3
    for i in range(n):
        out.write(fb[i * frame:(i + 1) * frame])
        keys = bytearray(4)
        for j in range(4):
            off = (i * 4 + j) * ksize
            keys[j] = 1 if int.from_bytes(kb[off:off + ksize], "big" if big else "little") != 0 else 0
        out.write(bytes(keys))
    out.flush()


if __name__ == "__main__":
    main()
