#!/usr/bin/env bash
# The stitching benchmark alone: `pixelpilot layout bench` (1000 autoplay frames per layout class at
# 3840x2160 with effects and hard cases) and the original layout reader's OpenCV SIFT method on the first 100 recorded
# frames of each class. Usage: Benchmarks/stitch.sh [PYTHON] (a Python with numpy and opencv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv-bench/bin/python}
FRAMES=${STITCH_FRAMES:-1000}
rec=$(mktemp -d)
trap 'rm -rf "$rec"' EXIT
echo "Stitching: PixelPilot layout reader ($FRAMES frames per class)..." >&2
.build/release/pixelpilot layout bench --frames "$FRAMES" --record "$rec" --record-frames 100
echo "Stitching: the original layout reader's method (OpenCV SIFT, frame to previous) on the first 100 frames of each class..." >&2
"$PY" Benchmarks/stitch_peer.py "$rec" --frames 100 --threads 2 2>/dev/null
