#!/usr/bin/env python3
"""PyTorch parity fixture for TensorKit's RMSprop (Sources/TensorKit/Optimizers/RMSprop.swift).

Usage:  tools/setup_venv.sh && .venv/bin/python tools/make_rmsprop_fixtures.py
        (or any Python with torch and safetensors, e.g. .venv-bench/bin/python)

Writes Tests/TensorKitTests/Fixtures/rmsprop.safetensors: a starting parameter p0 [5, 7] (35
values, so the 8-wide kernel and its remainder both run), 6 fixed gradients, and the parameter
after each torch.optim.RMSprop step for the plain, Keras-default, momentum, centred and
weight-decay variants, computed in float64 and stored as float32. Tests never run Python.
"""
import pathlib

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "TensorKitTests" / "Fixtures" / "rmsprop.safetensors"

VARIANTS = {
    "plain": dict(lr=0.01),
    "keras": dict(lr=0.001, alpha=0.9, eps=1e-7),
    "momentum": dict(lr=0.01, alpha=0.9, momentum=0.8),
    "centered": dict(lr=0.01, alpha=0.95, centered=True),
    "decay": dict(lr=0.01, weight_decay=0.1, momentum=0.5, centered=True),
}


def main():
    torch.manual_seed(7)
    p0 = torch.randn(5, 7, dtype=torch.float64)
    grads = [torch.randn(5, 7, dtype=torch.float64) * (0.1 + i) for i in range(6)]
    out = {"p0": p0}
    for i, g in enumerate(grads):
        out[f"grad{i}"] = g
    for name, kwargs in VARIANTS.items():
        p = p0.clone().requires_grad_(True)
        opt = torch.optim.RMSprop([p], **kwargs)
        for i, g in enumerate(grads):
            p.grad = g.clone()
            opt.step()
            out[f"{name}_step{i}"] = p.detach().clone()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.to(torch.float32).contiguous() for k, v in out.items()}, str(OUT))
    print(f"wrote {OUT} ({len(out)} tensors)")


if __name__ == "__main__":
    main()
