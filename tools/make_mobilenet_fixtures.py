#!/usr/bin/env python3
"""PyTorch parity fixtures for TensorKit's MobileNetV2 pieces and the seed's network.

Usage:  .venv-bench/bin/python tools/make_mobilenet_fixtures.py     (or .venv with torch)

Writes (float32, computed by PyTorch in float64):
  Tests/TensorKitTests/Fixtures/mnv2_depthwise_s2.safetensors  depthwise 3x3, stride 2, "same"
  Tests/TensorKitTests/Fixtures/mnv2_depthwise_s1.safetensors  depthwise 3x3, stride 1, 20 channels
  Tests/TensorKitTests/Fixtures/mnv2_block.safetensors         inverted residual blocks (ReLU6),
                                                               train-mode gradients, eval outputs
  Tests/AutopilotTests/Fixtures/seed_policy.safetensors        the whole seed network (MobileNetV2
                                                               -> LSTM(128) x2 -> Dense) on 3 frames
                                                               of 64x64, from fixed weights

Tensors are NHWC like TensorKit's; weights in PyTorch layout. Fixed weights are not stored: both
sides compute them from `formula_weight` (a sine of the element index, scaled per kind of
tensor), over the network's tensor names in sorted order, so the fixture stays small.
"""
import math
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
TK = ROOT / "Tests" / "TensorKitTests" / "Fixtures"
AP = ROOT / "Tests" / "AutopilotTests" / "Fixtures"
torch.set_default_dtype(torch.float64)
EPS = 1e-3  # Keras's batch-norm epsilon


def save(folder, name, tensors):
    folder.mkdir(parents=True, exist_ok=True)
    clean = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    save_file(clean, str(folder / f"{name}.safetensors"))
    print(f"  wrote {name}.safetensors ({len(clean)} tensors, {(folder / f'{name}.safetensors').stat().st_size} bytes)")


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def same_pad(x, stride):
    """TensorFlow "same" padding for a 3x3 kernel (odd total pad: the extra row/column bottom/right)."""
    h, w = x.shape[2], x.shape[3]
    pads = []
    for n in (w, h):
        out = -(-n // stride)
        total = max(0, (out - 1) * stride + 3 - n)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


def formula_weight(name, shape, k):
    """The fixed value of tensor number `k` (in sorted-name order) called `name`."""
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    s = np.sin(0.7 * i + 1.3 * k + 0.5)
    if name.endswith("num_batches_tracked"):
        v = np.zeros(n)
    elif name.endswith("running_var"):
        v = 0.75 + 0.25 * s
    elif name.endswith("running_mean") or name.endswith("bn.bias"):
        v = 0.1 * s
    elif name.endswith("bn.weight"):
        v = 1 + 0.2 * s
    elif name.endswith("conv.weight"):
        fan_in = shape[1] * shape[2] * shape[3]
        v = math.sqrt(6.0 / fan_in) * s
    elif name.startswith("lstm"):
        v = 0.1 * s
    else:  # the output layer
        v = 0.2 * s
    return torch.tensor(v.astype(np.float32).astype(np.float64)).reshape(shape)


def conv_bn(x, p, prefix, stride=1, groups=1, relu6=True, training=False):
    w = p[prefix + ".conv.weight"]
    if w.shape[2] == 3:
        x = same_pad(x, stride)
    y = F.conv2d(x, w, stride=stride, groups=groups)
    y = F.batch_norm(
        y, p[prefix + ".bn.running_mean"].clone(), p[prefix + ".bn.running_var"].clone(),
        p[prefix + ".bn.weight"], p[prefix + ".bn.bias"], training=training, eps=EPS)
    return y.clamp(0, 6) if relu6 else y


def block(x, p, prefix, stride, expand, adds, training=False):
    y = conv_bn(x, p, prefix + ".expand", training=training) if expand else x
    y = conv_bn(y, p, prefix + ".depthwise", stride=stride, groups=y.shape[1], training=training)
    y = conv_bn(y, p, prefix + ".project", relu6=False, training=training)
    return y + x if adds else y


STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenet_v2(x, p):
    y = conv_bn(x, p, "encoder.stem", stride=2)
    cin, b = 32, 0
    for t, c, n, s in STAGES:
        for r in range(n):
            stride = s if r == 0 else 1
            y = block(y, p, f"encoder.blocks.{b}", stride, t != 1, stride == 1 and cin == c)
            cin, b = c, b + 1
    y = conv_bn(y, p, "encoder.head")
    return y.mean(dim=(2, 3))


def seed_names():
    """The seed network's tensors, name -> shape, as TensorKit's SeedPolicy names them."""
    shapes = {}

    def unit(prefix, cin, cout, k, groups=1):
        shapes[prefix + ".conv.weight"] = (cout, cin // groups, k, k)
        for s in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{prefix}.bn.{s}"] = (cout,)
        shapes[prefix + ".bn.num_batches_tracked"] = ()

    unit("encoder.stem", 3, 32, 3)
    cin, b = 32, 0
    for t, c, n, s in STAGES:
        for r in range(n):
            hidden = cin * t
            if t != 1:
                unit(f"encoder.blocks.{b}.expand", cin, hidden, 1)
            unit(f"encoder.blocks.{b}.depthwise", hidden, hidden, 3, groups=hidden)
            unit(f"encoder.blocks.{b}.project", hidden, c, 1)
            cin, b = c, b + 1
    unit("encoder.head", 320, 1280, 1)
    for l, fin in (("lstm1", 1280), ("lstm2", 128)):
        shapes[f"{l}.weight_ih_l0"] = (512, fin)
        shapes[f"{l}.weight_hh_l0"] = (512, 128)
        shapes[f"{l}.bias_ih_l0"] = (512,)
        shapes[f"{l}.bias_hh_l0"] = (512,)
    shapes["output.weight"] = (4, 128)
    shapes["output.bias"] = (4,)
    return shapes


def depthwise(name, shape, stride, gen):
    x = torch.rand(shape, generator=gen) * 2 - 1
    c = shape[3]
    w = (torch.rand((c, 1, 3, 3), generator=gen) * 2 - 1).requires_grad_()
    b = (torch.rand((c,), generator=gen) * 2 - 1).requires_grad_()
    xl = x.clone().requires_grad_()
    y = nhwc(F.conv2d(same_pad(nchw(xl), stride), w, b, stride=stride, groups=c))
    g = torch.rand(y.shape, generator=gen) * 2 - 1
    (y * g).sum().backward()
    save(TK, name, {"x": x, "weight": w, "bias": b, "out": y, "upstream": g,
                    "grad_x": xl.grad, "grad_weight": w.grad, "grad_bias": b.grad})


def blocks(gen):
    # A residual block (16 -> 16, t = 6, stride 1) in training mode (batch statistics): output and
    # gradients; the same block and a stride-2 one (16 -> 24) in evaluation mode.
    p = {}
    for prefix, cin, cout in (("res", 16, 16), ("down", 16, 24)):
        hid = cin * 6
        for unit, a, bb, k, groups in (("expand", cin, hid, 1, 1), ("depthwise", hid, hid, 3, hid),
                                       ("project", hid, cout, 1, 1)):
            q = f"{prefix}.{unit}"
            fan = (a // groups) * k * k
            p[q + ".conv.weight"] = ((torch.rand((bb, a // groups, k, k), generator=gen) * 2 - 1)
                                     * math.sqrt(6 / fan)).requires_grad_()
            p[q + ".bn.weight"] = (1 + 0.2 * (torch.rand((bb,), generator=gen) * 2 - 1)).requires_grad_()
            p[q + ".bn.bias"] = (0.1 * (torch.rand((bb,), generator=gen) * 2 - 1)).requires_grad_()
            p[q + ".bn.running_mean"] = 0.1 * (torch.rand((bb,), generator=gen) * 2 - 1)
            p[q + ".bn.running_var"] = 0.5 + torch.rand((bb,), generator=gen)
    x = torch.rand((2, 6, 6, 16), generator=gen) * 4 - 2
    xl = x.clone().requires_grad_()
    y = nhwc(block(nchw(xl), p, "res", 1, True, True, training=True))
    g = torch.rand(y.shape, generator=gen) * 2 - 1
    (y * g).sum().backward()
    out = {"x": x, "upstream": g, "train_out": y, "grad_x": xl.grad}
    for k, v in p.items():
        out[k] = v
        if v.grad is not None:
            out["grad." + k] = v.grad
    with torch.no_grad():
        out["eval_out"] = nhwc(block(nchw(x), p, "res", 1, True, True))
        out["down_eval_out"] = nhwc(block(nchw(x), p, "down", 2, True, False))
    save(TK, "mnv2_block", out)


def seed_network(gen):
    shapes = seed_names()
    p = {name: formula_weight(name, shapes[name], k) for k, name in enumerate(sorted(shapes))}
    frames = torch.rand((1, 3, 64, 64, 3), generator=gen) * 2 - 1
    with torch.no_grad():
        feats = mobilenet_v2(nchw(frames.reshape(3, 64, 64, 3)), p)
        lstm1 = torch.nn.LSTM(1280, 128, batch_first=True)
        lstm2 = torch.nn.LSTM(128, 128, batch_first=True)
        for name, l in (("lstm1", lstm1), ("lstm2", lstm2)):
            for s in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
                getattr(l, s).copy_(p[f"{name}.{s}"])
        seq, _ = lstm1(feats.reshape(1, 3, 1280))
        _, (h, _) = lstm2(seq)
        logits = F.linear(h[0], p["output.weight"], p["output.bias"])
    save(AP, "seed_policy", {"frames": frames, "features": feats, "logits": logits})


def main():
    gen = torch.Generator().manual_seed(13)
    print("mobilenet fixtures:")
    depthwise("mnv2_depthwise_s2", (2, 9, 8, 24), 2, gen)
    depthwise("mnv2_depthwise_s1", (2, 7, 6, 20), 1, gen)
    blocks(gen)
    seed_network(gen)


if __name__ == "__main__":
    main()
