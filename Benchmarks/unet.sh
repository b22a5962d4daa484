#!/usr/bin/env bash
# The UNet line-extraction benchmark: `pixelpilot layout unet-bench` (quality on held-out arena
# frames against the colour-threshold baseline, live incremental update time, the original layout
# reader's network per 64-tile batch) and the peers (PyTorch, ONNX Runtime) on the same weights and threads.
# Usage: Benchmarks/unet.sh [PYTHON] (a Python with torch, onnx, onnxruntime, safetensors).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv-bench/bin/python}
THREADS=${THREADS:-2}
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "UNet: quality, live updates and the original layout reader's network in TensorKit..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot layout unet-bench \
  --weights-out "$out/seed-unet.safetensors" --json "$out/tensorkit.json" --picture "${UNET_PICTURE:-$out/unet-lines.png}"
echo "UNet: the original layout reader's network in PyTorch and ONNX Runtime on the same weights..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/unet_peers.py "$out/seed-unet.safetensors" \
  --tensorkit "$out/tensorkit.json" --threads "$THREADS"
