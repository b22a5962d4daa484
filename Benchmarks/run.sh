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
# Screen capture and input injection on a private 3840x2160 Xvfb shared by every tool.
n=60; while [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ]; do n=$((n+1)); done
Xvfb :$n -screen 0 3840x2160x24 -nolisten tcp -noreset +extension MIT-SHM +extension XTEST >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null' EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.05; done
echo "Capture and injection on :$n (PixelPilot, mss, python-xlib, pyautogui, xdotool)..." >&2
# pyautogui connects to the display and needs tkinter when imported: without them only its rows are left out.
inject_python=(--python .venv-bench/bin/python)
if ! why=$(DISPLAY=:$n XDG_SESSION_TYPE=x11 .venv-bench/bin/python -c "import pyautogui" 2>&1); then
  echo "pyautogui inject peer skipped: $(printf '%s\n' "$why" | tail -n 1)" >&2
  inject_python=()
fi
.build/release/pixelpilot bench --only capture,inject --display :$n --peers "${inject_python[@]}" > "$out/desktop.jsonl"
echo "Sorting: planner and the arena against the original gem sorter's algorithm..." >&2
.build/release/pixelpilot bench --only sort >> "$out/desktop.jsonl"
DISPLAY=:$n XDG_SESSION_TYPE=x11 .venv-bench/bin/python Benchmarks/peers.py --only capture >> "$out/desktop.jsonl" 2> "$out/capture.err" \
  || { cat "$out/capture.err" >&2; exit 1; }
cat "$out/capture.err" >&2  # a skipped peer says why
.venv-bench/bin/python Benchmarks/report.py "$out/tensorkit.jsonl" "$out/peers.jsonl" "$out/desktop.jsonl"
# Stitching: the layout reader against the original layout reader's SIFT method on the same recorded frames.
Benchmarks/stitch.sh .venv-bench/bin/python
# The original autopilot's policy network against TFLite, ONNX Runtime, Keras and PyTorch (issue 13).
Benchmarks/policy.sh "$THREADS"
Benchmarks/unet.sh .venv-bench/bin/python  # UNet line extraction: quality, live updates, the original layout reader's network vs PyTorch/ORT
Benchmarks/vit.sh .venv-bench/bin/python --threads "$THREADS"
