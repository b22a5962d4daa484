#!/usr/bin/env python3
"""Peer side of `make bench`: numpy, PyTorch, TensorFlow/Keras, ONNX Runtime and TFLite on the
seed's gem network, every framework held to the same number of threads.

Prints one JSON object per line: {"suite": ..., "case": ..., "framework": ..., "value": ..., "unit": ...}.
Benchmarks/run.sh merges these with TensorKit's figures and prints ratios.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np


def emit(suite, case, framework, value, unit):
    print(json.dumps({"suite": suite, "case": case, "framework": framework, "value": value, "unit": unit}), flush=True)


def timeit(fn, repeat, warmup=3):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def bench_sgemm(threads):
    for n in (512, 2048):
        a = np.random.rand(n, n).astype(np.float32)
        b = np.random.rand(n, n).astype(np.float32)
        t = timeit(lambda: a @ b, repeat=5 if n == 2048 else 20)
        emit("sgemm", f"{n}", "numpy", 2 * n ** 3 / t / 1e9, "GFLOP/s")


def make_data(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 52, 52, 3)).astype(np.float32)
    y = rng.integers(0, 4, size=(n,)).astype(np.int64)
    return x, y


# ---------------------------------------------------------------- PyTorch
def torch_model():
    import torch.nn as nn

    class Gem(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(3, 8, 3, padding=1)
            self.c2 = nn.Conv2d(8, 16, 3, padding=1)
            self.c3 = nn.Conv2d(16, 32, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.drop = nn.Dropout(0.3)
            self.fc1 = nn.Linear(1152, 128)
            self.fc2 = nn.Linear(128, 4)
            self.relu = nn.ReLU()

        def forward(self, x):  # x: NHWC 0..255, like the Keras model
            x = x.permute(0, 3, 1, 2) / 255.0
            for c in (self.c1, self.c2, self.c3):
                x = self.drop(self.pool(self.relu(c(x))))
            x = x.permute(0, 2, 3, 1).flatten(1)
            return self.fc2(self.relu(self.fc1(x)))

    return Gem()


def torch_augment(x, torch):
    import torch.nn.functional as F
    n = x.shape[0]
    shift = (torch.rand(n, 2) * 2 - 1) * 0.1 * 2  # normalised coordinates span 2
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = 1
    theta[:, 1, 1] = 1
    theta[:, :, 2] = shift
    xc = x.permute(0, 3, 1, 2)
    grid = F.affine_grid(theta, xc.shape, align_corners=False)
    xc = F.grid_sample(xc, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    return xc.permute(0, 2, 3, 1) + torch.randn_like(x) * 0.1


def bench_torch(threads, train_images):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch_model()
    x, y = make_data(train_images)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    for bs in (16, 64):
        def epoch():
            model.train()
            perm = torch.randperm(len(tx))
            for i in range(0, len(tx), bs):
                idx = perm[i:i + bs]
                xb = torch_augment(tx[idx], torch)
                opt.zero_grad()
                loss = loss_fn(model(xb), ty[idx])
                loss.backward()
                opt.step()
        epoch()
        t = timeit(epoch, repeat=3, warmup=0)
        emit("train", f"batch {bs}", "PyTorch", len(tx) / t, "images/s")
    model.eval()
    with torch.no_grad():
        for bs in (1, 144):
            xb = tx[:bs].clone()
            t = timeit(lambda: model(xb), repeat=200 if bs == 1 else 30, warmup=10)
            emit("infer", f"batch {bs}", "PyTorch", t * 1000, "ms")
    return model


def bench_onnx(threads, model):
    import torch
    import onnxruntime as ort
    path = os.path.join(tempfile.mkdtemp(), "gem.onnx")
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 52, 52, 3), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, dynamo=False)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    x, _ = make_data(144)
    for bs in (1, 144):
        xb = x[:bs].copy()
        t = timeit(lambda: sess.run(None, {"x": xb}), repeat=300 if bs == 1 else 50, warmup=10)
        emit("infer", f"batch {bs}", "ONNX Runtime", t * 1000, "ms")


# ---------------------------------------------------------------- TensorFlow / Keras / TFLite
def keras_model(tf):
    from tensorflow.keras import layers, Sequential
    return Sequential([
        layers.Input((52, 52, 3)),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(), layers.Dropout(0.3),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(), layers.Dropout(0.3),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dense(4),
    ])


def bench_tf(threads, train_images):
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(0)
    from tensorflow.keras import layers
    model = keras_model(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(epsilon=1e-7),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    aug = tf.keras.Sequential([layers.RandomTranslation(0.1, 0.1), layers.GaussianNoise(0.1)])
    x, y = make_data(train_images)
    for bs in (16, 64):
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(bs)
        ds = ds.map(lambda a, b: (aug(a, training=True), b), num_parallel_calls=1).prefetch(2)
        model.fit(ds, epochs=1, verbose=0)
        t = timeit(lambda: model.fit(ds, epochs=1, verbose=0), repeat=2, warmup=0)
        emit("train", f"batch {bs}", "Keras (TF)", len(x) / t, "images/s")
    for bs in (1, 144):
        xb = tf.constant(x[:bs])
        fn = tf.function(lambda a: model(a, training=False))
        t = timeit(lambda: fn(xb).numpy(), repeat=200 if bs == 1 else 30, warmup=10)
        emit("infer", f"batch {bs}", "Keras (TF)", t * 1000, "ms")
    # TFLite with its default XNNPACK delegate.
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    blob = conv.convert()
    for bs in (1, 144):
        interp = tf.lite.Interpreter(model_content=blob, num_threads=threads)
        inp = interp.get_input_details()[0]
        interp.resize_tensor_input(inp["index"], [bs, 52, 52, 3])
        interp.allocate_tensors()
        xb = x[:bs].copy()

        def run():
            interp.set_tensor(inp["index"], xb)
            interp.invoke()
        t = timeit(run, repeat=300 if bs == 1 else 50, warmup=10)
        emit("infer", f"batch {bs}", "TFLite", t * 1000, "ms")


# ---------------------------------------------------------------- screen capture (same X display)
CAPTURE_REGIONS = [
    ("1920x1080", (0, 0, 1920, 1080)),
    ("3840x2160", (0, 0, 3840, 2160)),
    ("256x256 region", (832, 412, 256, 256)),
    ("1080x1080 centre of 4K", (1380, 540, 1080, 1080)),
]


def import_pyautogui():
    """pyautogui, or None with the reason printed: its import connects to $DISPLAY and, through
    mouseinfo, ends the process (SystemExit) when tkinter is missing (Debian: python3-tk)."""
    try:
        import pyautogui
        return pyautogui
    except (Exception, SystemExit) as e:
        reason = str(e) or type(e).__name__
        print(f"pyautogui capture peer skipped: {type(e).__name__}: {reason}", file=sys.stderr)
        return None


def bench_capture():
    import mss
    from Xlib import X, display as xdisplay
    d = xdisplay.Display()
    root = d.screen().root
    pyautogui = import_pyautogui()
    with mss.MSS() if hasattr(mss, "MSS") else mss.mss() as sct:
        for name, (x, y, w, h) in CAPTURE_REGIONS:
            n = 20 if w * h > 4_000_000 else 100
            mon = {"left": x, "top": y, "width": w, "height": h}
            t = timeit(lambda: sct.grab(mon).raw, repeat=n)
            emit("capture", name, "python mss", 1 / t, "fps")
            t = timeit(lambda: root.get_image(x, y, w, h, X.ZPixmap, 0xFFFFFFFF).data, repeat=max(5, n // 4))
            emit("capture", name, "python-xlib", 1 / t, "fps")
            if pyautogui is None:
                continue
            try:
                t = timeit(lambda: pyautogui.screenshot(region=(x, y, w, h)), repeat=max(5, n // 4))
                emit("capture", name, "pyautogui", 1 / t, "fps")
            except Exception as e:  # report, do not hide
                print(f"pyautogui capture: {e}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-images", type=int, default=4096)
    ap.add_argument("--only", default="sgemm,torch,onnx,tf")  # also: capture (needs DISPLAY)
    a = ap.parse_args()
    only = set(a.only.split(","))
    if "sgemm" in only:
        bench_sgemm(a.threads)
    model = None
    if "torch" in only or "onnx" in only:
        model = bench_torch(a.threads, a.train_images)
    if "onnx" in only and model is not None:
        try:
            bench_onnx(a.threads, model)
        except Exception as e:  # report, do not hide
            print(f"onnx: {e}", file=sys.stderr)
    if "tf" in only:
        bench_tf(a.threads, a.train_images)
    if "capture" in only:
        bench_capture()


if __name__ == "__main__":
    main()
