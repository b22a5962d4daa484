#!/usr/bin/env python3
"""PyTorch parity fixtures for the seed's attention UNet pieces in TensorKit.

Usage:  .venv-bench/bin/python tools/make_unet_fixtures.py   (or tools/setup_venv.sh && .venv/bin/python ...)

Writes Tests/TensorKitTests/Fixtures/unet/<name>.safetensors: inputs (NHWC, as TensorKit takes
them), parameters under `param.<key>` with the seed's checkpoint key names and layouts, the output
`y`, a fixed random weight `w`, and the gradients of sum(y * w) (`grad_<input>`, `grad.<key>`),
computed in float64 and stored as float32. The tests never run this script; they only read the files.

The PyTorch modules below mirror reference §7.2-7.3: GroupNorm with c/16 groups (at least 1),
pre-activation residual blocks (blocks.0 GN, .2 conv, .3 GN, .5 conv, shortcut), attention gates
(W_g, W_x = conv 1x1 + GN; psi = conv 1x1 + a LayerNorm over the single channel + sigmoid),
channel dropout, transposed-conv upsampling, and the save_intermediates / middle /
consume_intermediates / attention_blocks object tree.
"""
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "TensorKitTests" / "Fixtures" / "unet"


def groups(c):
    return max(1, c // 16)


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.blocks = nn.Sequential(nn.GroupNorm(groups(cin), cin), nn.ReLU(), nn.Conv2d(cin, cout, 3, padding=1),
                                    nn.GroupNorm(groups(cout), cout), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1))
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        return (self.shortcut(x) if self.shortcut is not None else x) + self.blocks(x)


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of NCHW input (size 1 in the gate's psi)."""

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))

    def forward(self, x):
        c = x.shape[1]
        return F.layer_norm(x.permute(0, 2, 3, 1), (c,), self.weight, self.bias, 1e-5).permute(0, 3, 1, 2)


class AttentionBlock(nn.Module):
    def __init__(self, g_ch, x_ch, int_ch):
        super().__init__()
        self.W_g = nn.Sequential(nn.Conv2d(g_ch, int_ch, 1), nn.GroupNorm(groups(int_ch), int_ch))
        self.W_x = nn.Sequential(nn.Conv2d(x_ch, int_ch, 1), nn.GroupNorm(groups(int_ch), int_ch))
        self.psi = nn.Sequential(nn.Conv2d(int_ch, 1, 1), ChannelLayerNorm(1), nn.Sigmoid())

    def forward(self, g, x):
        return x * self.psi(F.relu(self.W_g(g) + self.W_x(x)))


class AttentionUNet(nn.Module):
    def __init__(self, depth, mid, cin=3, cout=2, p=0.5):
        super().__init__()
        self.depth = depth
        stages = [nn.Sequential(nn.Conv2d(cin, mid, 3, padding=1), ResBlock(mid, mid))]
        for i in range(1, depth):
            stages.append(nn.Sequential(nn.MaxPool2d(2), ResBlock(mid << (i - 1), mid << i)))
        self.save_intermediates = nn.ModuleList(stages)
        self.middle = nn.Sequential(nn.MaxPool2d(2), ResBlock(mid << (depth - 1), mid << depth), nn.Dropout2d(p),
                                    nn.ConvTranspose2d(mid << depth, mid << (depth - 1), 2, stride=2))
        consume, gates = [], []
        for k in range(depth):
            c = mid << (depth - 1 - k)
            gates.append(AttentionBlock(c, c, c // 2))
            if k < depth - 1:
                consume.append(nn.Sequential(ResBlock(2 * c, c), nn.ConvTranspose2d(c, c // 2, 2, stride=2)))
            else:
                consume.append(nn.Sequential(ResBlock(2 * c, c), nn.GroupNorm(groups(c), c), nn.ReLU(),
                                             nn.Conv2d(c, cout, 1)))
        self.consume_intermediates = nn.ModuleList(consume)
        self.attention_blocks = nn.ModuleList(gates)

    def forward(self, x):
        skips = []
        for stage in self.save_intermediates:
            x = stage(x)
            skips.append(x)
        x = self.middle(x)
        for k in range(self.depth):
            skip = self.attention_blocks[k](x, skips[-1 - k])
            x = self.consume_intermediates[k](torch.cat([skip, x], dim=1))
        return x


def nchw(t):
    return t.permute(0, 3, 1, 2)


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float64) * 2 - 1


def save(name, tensors):
    OUT.mkdir(parents=True, exist_ok=True)
    clean = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    save_file(clean, str(OUT / f"{name}.safetensors"))
    print(f"  wrote unet/{name}.safetensors ({len(clean)} tensors, {(OUT / f'{name}.safetensors').stat().st_size} bytes)")


def module_case(name, module, inputs, call):
    """inputs: NHWC float64 tensors by name; call(module, *nchw_inputs) -> NCHW output."""
    module = module.double()
    for p in module.parameters():  # non-trivial norms and biases, so every path is exercised
        with torch.no_grad():
            p.add_(rand(*p.shape) * 0.3)
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    y = nhwc(call(module, *[nchw(v) for v in leaves.values()]))
    w = rand(*y.shape)
    (y * w).sum().backward()
    out = {k: v for k, v in inputs.items()}
    out["y"] = y
    out["w"] = w
    for k, v in leaves.items():
        out["grad_" + k] = v.grad
    for k, p in module.named_parameters():
        out["param." + k] = p
        out["grad." + k] = p.grad if p.grad is not None else torch.zeros_like(p)
    save(name, out)


def main():
    torch.manual_seed(0)
    # Channel dropout: PyTorch's own Dropout2d mask, recorded as keep flags [N, C].
    x = rand(2, 3, 3, 4)
    leaf = x.clone().requires_grad_(True)
    y = nhwc(F.dropout2d(nchw(leaf), p=0.5, training=True))
    w = rand(*y.shape)
    (y * w).sum().backward()
    keep = (y.detach().abs().sum(dim=(1, 2)) != 0).to(torch.float64)
    save("channel_dropout", {"x": x, "keep": keep, "y": y, "w": w, "grad_x": leaf.grad})

    torch.manual_seed(1)
    x = rand(2, 3, 3, 6)
    wt = rand(6, 4, 2, 2)
    b = rand(4)
    leaves = [t.clone().requires_grad_(True) for t in (x, wt, b)]
    y = nhwc(F.conv_transpose2d(nchw(leaves[0]), leaves[1], leaves[2], stride=2))
    w = rand(*y.shape)
    (y * w).sum().backward()
    save("convt_k2s2", {"x": x, "weight": wt, "bias": b, "y": y, "w": w, "grad_x": leaves[0].grad,
                        "grad_weight": leaves[1].grad, "grad_bias": leaves[2].grad})

    torch.manual_seed(2)
    module_case("attention_gate", AttentionBlock(32, 16, 32), {"g": rand(2, 4, 4, 32), "x": rand(2, 4, 4, 16)},
                lambda m, g, x: m(g, x))
    torch.manual_seed(3)
    module_case("resblock", ResBlock(16, 32), {"x": rand(2, 5, 4, 16)}, lambda m, x: m(x))
    torch.manual_seed(4)
    module_case("resblock_identity", ResBlock(16, 16), {"x": rand(1, 4, 4, 16)}, lambda m, x: m(x))
    torch.manual_seed(5)
    net = AttentionUNet(depth=2, mid=8, p=0.0)
    module_case("tiny_unet", net, {"x": rand(2, 8, 8, 3)}, lambda m, x: m(x))
    full = AttentionUNet(depth=3, mid=64)
    print("  seed network: %d parameters in %d tensors" % (sum(p.numel() for p in full.parameters()),
                                                          len(list(full.parameters()))))


if __name__ == "__main__":
    main()
