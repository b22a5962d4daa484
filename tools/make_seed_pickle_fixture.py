#!/usr/bin/env python3
"""Writes the small seed-format pickles the import tests read (needs NumPy; run once, committed).

Frame k, pixel (x, y) is stored as the seed stores it, B, G, R = (10 x, 10 y, 40 k); the keys
[up, left, right, down] follow KEYS below.
"""
import pickle
import sys

import numpy as np

KEYS = [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 1, 0]]


def main(out_dir):
    n, h, w = len(KEYS), 12, 16
    frames = np.zeros((n, h, w, 3), dtype=np.uint8)
    for k in range(n):
        for y in range(h):
            for x in range(w):
                frames[k, y, x] = (10 * x, 10 * y, 40 * k)
    data = {"screen_frames": frames, "key_frames": np.array(KEYS)}
    for protocol in (2, 5):
        with open(f"{out_dir}/seed_recording_p{protocol}.pickle", "wb") as f:
            pickle.dump(data, f, protocol=protocol)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/AutopilotTests/Fixtures")
