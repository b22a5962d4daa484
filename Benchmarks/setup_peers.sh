#!/usr/bin/env bash
# Creates .venv-bench with the peers the benchmark compares against (from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-bench/bin/python ] || python3 -m venv .venv-bench
if ! .venv-bench/bin/python -c "import numpy, torch, tensorflow, tf_keras, tf2onnx, safetensors, h5py, onnxruntime, onnx, mss, Xlib, pyautogui, PIL, cv2" 2>/dev/null; then
  echo "Installing benchmark peers into .venv-bench (numpy, torch, tensorflow-cpu, onnxruntime, onnx, mss, python-xlib, pyautogui, pillow, opencv-python-headless)..."
  .venv-bench/bin/pip install -q numpy torch tensorflow-cpu tf_keras tf2onnx safetensors h5py onnxruntime onnx mss python-xlib pyautogui pillow opencv-python-headless
fi
