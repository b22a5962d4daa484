#!/usr/bin/env bash
# `make bench`: TensorKit and its peers on the same data and threads, in one run, with ratios.
# Usage: Benchmarks/run.sh [--threads N] [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2
TRAIN_IMAGES=4096
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --quick) TRAIN_IMAGES=512; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
Benchmarks/setup_peers.sh
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS TF_NUM_INTRAOP_THREADS=$THREADS TF_NUM_INTEROP_THREADS=1
export TF_CPP_MIN_LOG_LEVEL=3
out=$(mktemp -d)
# Some machines set OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE to work around old OpenBLAS builds; they
# slow current kernels. Every framework runs with both unset, so all use their best BLAS kernels.
echo "TensorKit..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench --threads "$THREADS" --train-images "$TRAIN_IMAGES" > "$out/tensorkit.jsonl"
echo "Peers (numpy, PyTorch, ONNX Runtime, Keras, TFLite)..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv-bench/bin/python Benchmarks/peers.py --threads "$THREADS" --train-images "$TRAIN_IMAGES" > "$out/peers.jsonl" 2> "$out/peers.err" || { cat "$out/peers.err" >&2; exit 1; }
.venv-bench/bin/python Benchmarks/report.py "$out/tensorkit.jsonl" "$out/peers.jsonl"
