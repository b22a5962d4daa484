#!/usr/bin/env python3
"""Regenerates the PyTorch parity fixtures that TensorKit's tests read.

Usage:  tools/setup_venv.sh && .venv/bin/python tools/make_fixtures.py [AREA ...]

Every module tools/fixtures/<area>.py defines `generate(save)`. `save(name, tensors)` writes
Tests/TensorKitTests/Fixtures/<name>.safetensors with float32 tensors (inputs, parameters, outputs
and gradients, computed by PyTorch in float64 then rounded). The test command never runs this
script; it only reads the committed fixture files.
"""
import importlib.util
import pathlib
import sys

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "TensorKitTests" / "Fixtures"


def save(name, tensors):
    OUT.mkdir(parents=True, exist_ok=True)
    clean = {k: v.detach().to(torch.float32).contiguous() for k, v in tensors.items()}
    save_file(clean, str(OUT / f"{name}.safetensors"))
    size = (OUT / f"{name}.safetensors").stat().st_size
    print(f"  wrote {name}.safetensors ({len(clean)} tensors, {size} bytes)")


def main():
    torch.manual_seed(0)
    areas = sys.argv[1:] or sorted(p.stem for p in (ROOT / "tools" / "fixtures").glob("*.py") if not p.stem.startswith("_"))
    for area in areas:
        path = ROOT / "tools" / "fixtures" / f"{area}.py"
        spec = importlib.util.spec_from_file_location(area, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"{area}:")
        module.generate(save)


if __name__ == "__main__":
    main()
