#!/usr/bin/env bash
# Creates .venv with PyTorch, NumPy and safetensors, for regenerating fixtures (tools/make_fixtures.py).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -c "import torch, safetensors, numpy" 2>/dev/null || .venv/bin/pip install -q torch numpy safetensors
