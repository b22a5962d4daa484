#!/usr/bin/env bash
# Creates .venv-bench with the peers the benchmark compares against (from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-bench
# Module names the check looks for, and the PyPI packages that provide them.
MODULES="numpy torch tensorflow tf_keras tf2onnx safetensors h5py onnxruntime onnx mss Xlib pyautogui PIL cv2"
PACKAGES="numpy torch tensorflow-cpu tf_keras tf2onnx safetensors h5py onnxruntime onnx mss python-xlib pyautogui pillow opencv-python-headless"

has_tkinter() { "$1" -c "import tkinter" >/dev/null 2>&1; }

if [ ! -x "$VENV/bin/python" ]; then
  # pyautogui's import needs tkinter, which a venv takes from the Python it is made from: Debian's
  # python3 has it with python3-tk (`make bench` installs it), a pyenv Python only if built with Tk.
  system=""; [ -x /usr/bin/python3 ] && system=/usr/bin/python3
  base=""
  for py in $system "$(command -v python3 || true)"; do
    if [ -n "$py" ] && has_tkinter "$py"; then base=$py; break; fi
  done
  [ -n "$base" ] || base=${system:-python3}  # the note below says what is missing
  echo "Creating $VENV from $base..."
  "$base" -m venv "$VENV"
fi

# Looks the modules up without importing them: importing pyautogui needs a DISPLAY (it connects at
# import) and tkinter, and importing torch and tensorflow takes seconds.
missing=$("$VENV/bin/python" - $MODULES <<'PY'
import importlib.util, sys
def found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
print(" ".join(m for m in sys.argv[1:] if not found(m)))
PY
)
if [ -n "$missing" ]; then
  echo "Installing benchmark peers into $VENV (missing: $missing)..."
  "$VENV/bin/pip" install -q $PACKAGES
else
  echo "Benchmark peers already installed in $VENV."
fi
if ! has_tkinter "$VENV/bin/python"; then
  home=$(sed -n 's/^home = //p' "$VENV/pyvenv.cfg" 2>/dev/null)
  echo "Note: $VENV's Python (from ${home:-?}) has no tkinter, so the pyautogui peer will be skipped; with Debian's" \
    "python3 install python3-tk, otherwise remove $VENV to have it made again from a Python that has tkinter." >&2
fi
