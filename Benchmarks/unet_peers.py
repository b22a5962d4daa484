#!/usr/bin/env python3
"""The seed's attention UNet in PyTorch and ONNX Runtime on TensorKit's weights, same threads.

Usage: unet_peers.py WEIGHTS.safetensors --tensorkit TENSORKIT.json [--threads 2] [--runs 7]

WEIGHTS is written by `pixelpilot layout unet-bench --weights-out`: the network's tensors under the
seed's key names (PyTorch layouts), plus `__input` (64x32x32x3 NHWC) and `__logits` (TensorKit's
output). The PyTorch module is the one the parity fixtures use (tools/make_unet_fixtures.py). Prints
the median seconds per 64-tile batch of each framework, the ratios to TensorKit's figure from
TENSORKIT.json, and the largest difference between each framework's logits and TensorKit's.
"""
import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--tensorkit", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    import onnxruntime as ort
    from safetensors.torch import load_file
    from make_unet_fixtures import AttentionUNet

    torch.set_num_threads(args.threads)
    tensors = load_file(args.weights)
    x_nhwc = tensors.pop("__input")
    tk_logits = tensors.pop("__logits").numpy()
    net = AttentionUNet(depth=3, mid=64)
    net.load_state_dict(tensors, strict=True)
    net.eval()
    params = sum(p.numel() for p in net.parameters())
    x = x_nhwc.permute(0, 3, 1, 2).contiguous()

    def timed(f):
        f()
        f()
        out = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            f()
            out.append(time.perf_counter() - t0)
        return statistics.median(out)

    with torch.no_grad():
        torch_out = net(x).permute(0, 2, 3, 1).numpy()
        torch_s = timed(lambda: net(x))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "unet.onnx")
        torch.onnx.export(net, (x,), path, input_names=["x"], output_names=["logits"], opset_version=17,
                          dynamo=False)
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        xn = x.numpy()
        ort_out = sess.run(None, {"x": xn})[0].transpose(0, 2, 3, 1)
        ort_s = timed(lambda: sess.run(None, {"x": xn}))
    tk = json.load(open(args.tensorkit))
    tk_s = tk["seed_batch_seconds"]
    print(f"The original layout reader's UNet ({params:,} parameters), 64 tiles of 32x32x3, {args.threads} threads, median of {args.runs}:")
    print(f"  TensorKit     {tk_s:.3f} s   ({tk.get('kernels', '')})")
    print(f"  ONNX Runtime  {ort_s:.3f} s   TensorKit/ORT = {tk_s / ort_s:.2f}   max |logit diff| {np.abs(ort_out - tk_logits).max():.2e}")
    print(f"  PyTorch       {torch_s:.3f} s   TensorKit/PyTorch = {tk_s / torch_s:.2f}   max |logit diff| {np.abs(torch_out - tk_logits).max():.2e}")
    print(json.dumps({"bench": "unet_seed_batch64", "tensorkit_s": tk_s, "onnxruntime_s": ort_s, "pytorch_s": torch_s,
                      "threads": args.threads}))


if __name__ == "__main__":
    main()
