#!/usr/bin/env python3
"""The layout classifier (the seed's ViT, reference §11) at batch 1 in PyTorch and ONNX Runtime.

Usage: vit_peers.py OUT.safetensors [--threads 2] [--iterations 200]

Makes the seed's network with random weights under the seed's key names and (in, out) layout,
and token inputs with 128 and 64 tokens (pixels, patch rows and columns); times PyTorch (eager,
inference mode) and ONNX Runtime (the same graph exported to ONNX) from tokens to logits; writes
weights, inputs and PyTorch's logits to OUT (read by `pixelpilot layout bench-vit`, which checks
its logits against them). Prints one JSON line per framework and case.
"""
import argparse
import json
import math
import os
import tempfile
import time
import warnings

import numpy as np
import torch
from safetensors.torch import save_file

W, DEPTH, HEADS, MLP, T, CLASSES = 256, 3, 4, 512, 128, 9


def seed_weights(gen):
    def u(*shape, scale=None):
        bound = scale if scale is not None else 1 / math.sqrt(np.prod(shape))
        return (torch.rand(*shape, generator=gen) * 2 - 1) * bound
    w = {"embedding.l1.weight": u(64, 1, 16, 16, scale=1 / 16), "embedding.l1.bias": u(64, scale=1 / 16),
         "cls_token": u(1, 1, W), "mask_token": u(1, W, scale=0.1), "encoder_norm.0": u(W),
         "encoder_norm.1": torch.zeros(W), "head.0": u(W, CLASSES), "head.1": torch.zeros(CLASSES)}
    for i in range(DEPTH):
        p = f"tbs.{i}."
        for n in ("query", "key", "value", "out"):
            w[p + n + ".0"], w[p + n + ".1"] = u(W, W), u(W, scale=0.02)
        w[p + "ff1.0"], w[p + "ff1.1"] = u(W, MLP), u(MLP, scale=0.02)
        w[p + "ff2.0"], w[p + "ff2.1"] = u(MLP, W), u(W, scale=0.02)
        for n in ("ln1", "ln2"):
            w[p + n + ".0"], w[p + n + ".1"] = 1 + u(W, scale=0.1), u(W, scale=0.02)
    return w


def position_embedding(rows, cols):
    k = torch.arange(W // 4, dtype=torch.float64)
    freqs = torch.exp(-(4 * k / W) * math.log(10000))
    r = torch.tensor(rows, dtype=torch.float64)[:, None] * freqs
    c = torch.tensor(cols, dtype=torch.float64)[:, None] * freqs
    e = torch.stack([torch.sin(r), torch.cos(r), torch.sin(c), torch.cos(c)], dim=-1).reshape(len(rows), W)
    return e.float()


class SeedViT(torch.nn.Module):
    """The seed's forward pass from tokens (pixels (N,1,32,32), positions (N,256)) to logits."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.nn.ParameterDict({k.replace(".", "_"): torch.nn.Parameter(v, requires_grad=False)
                                         for k, v in w.items()})

    def g(self, k):
        return self.w[k.replace(".", "_")]

    def forward(self, pixels, pos):
        n = pixels.shape[0]
        x = torch.nn.functional.conv2d(pixels, self.g("embedding.l1.weight"), self.g("embedding.l1.bias"), stride=16)
        x = torch.relu(x).flatten(1) + pos
        if n < T:
            x = torch.cat([x, self.g("mask_token").expand(T - n, W)])
        x = torch.cat([self.g("cls_token")[0], x[:T]])[None]  # (1, 129, W)
        dh = W // HEADS
        for i in range(DEPTH):
            p = f"tbs.{i}."
            h = torch.nn.functional.layer_norm(x, (W,), self.g(p + "ln1.0"), self.g(p + "ln1.1"), 1e-5)
            q = (h @ self.g(p + "query.0") + self.g(p + "query.1")).view(1, -1, HEADS, dh).transpose(1, 2)
            k = (h @ self.g(p + "key.0") + self.g(p + "key.1")).view(1, -1, HEADS, dh).transpose(1, 2)
            v = (h @ self.g(p + "value.0") + self.g(p + "value.1")).view(1, -1, HEADS, dh).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) * (1 / math.sqrt(dh)), dim=-1) @ v
            x = x + (a.transpose(1, 2).reshape(1, -1, W) @ self.g(p + "out.0") + self.g(p + "out.1"))
            h = torch.nn.functional.layer_norm(x, (W,), self.g(p + "ln2.0"), self.g(p + "ln2.1"), 1e-5)
            f = torch.nn.functional.gelu(h @ self.g(p + "ff1.0") + self.g(p + "ff1.1"), approximate="tanh")
            x = x + (f @ self.g(p + "ff2.0") + self.g(p + "ff2.1"))
        x = torch.nn.functional.layer_norm(x, (W,), self.g("encoder_norm.0"), self.g("encoder_norm.1"), 1e-5)
        return x[:, 0] @ self.g("head.0") + self.g("head.1")


def timed(fn, iterations, warmup=20):
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    q = lambda f: ms[min(len(ms) - 1, int((len(ms) - 1) * f))]
    return q(0.5), q(0.25), q(0.75)


def main():
    warnings.filterwarnings("ignore")
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=200)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    import onnxruntime as ort
    gen = torch.Generator().manual_seed(1)
    w = seed_weights(gen)
    model = SeedViT(w).eval()
    out = dict(w)
    for n in (128, 64):
        pixels = (torch.rand(n, 1, 32, 32, generator=gen) < 0.08).float()
        rows = torch.randint(-8, 9, (n,), generator=gen).tolist()
        cols = torch.randint(-8, 9, (n,), generator=gen).tolist()
        pos = position_embedding(rows, cols)
        with torch.inference_mode():
            logits = model(pixels, pos)
            med, p25, p75 = timed(lambda: model(pixels, pos), a.iterations)
        print(json.dumps({"framework": "PyTorch", "tokens": n, "padding": "full129", "median_ms": med,
                          "p25_ms": p25, "p75_ms": p75, "version": torch.__version__}))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "vit.onnx")
            torch.onnx.export(model, (pixels, pos), path, input_names=["pixels", "pos"], output_names=["logits"],
                              opset_version=17, dynamo=False)
            so = ort.SessionOptions()
            so.intra_op_num_threads = a.threads
            so.inter_op_num_threads = 1
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            feed = {"pixels": pixels.numpy(), "pos": pos.numpy()}
            got = sess.run(None, feed)[0]
            med, p25, p75 = timed(lambda: sess.run(None, feed), a.iterations)
        print(json.dumps({"framework": "ONNX Runtime", "tokens": n, "padding": "full129", "median_ms": med,
                          "p25_ms": p25, "p75_ms": p75, "version": ort.__version__,
                          "max_abs_logit_diff_vs_torch": float(np.abs(got - logits.numpy()).max())}))
        out[f"input{n}.pixels"] = pixels[:, 0]
        out[f"input{n}.rows"] = torch.tensor(rows, dtype=torch.float32)
        out[f"input{n}.cols"] = torch.tensor(cols, dtype=torch.float32)
        out[f"input{n}.logits"] = logits
    save_file({k: v.contiguous().float() for k, v in out.items()}, a.out)


if __name__ == "__main__":
    main()
