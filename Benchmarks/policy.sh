#!/usr/bin/env bash
# The policy benchmark (issue 13, section 4): the seed's network (MobileNetV2 per frame, LSTM(128) x2,
# Dense(4)) on one 20-frame window at batch 1 in TensorKit (AVX-512 when the CPU has it, and AVX2
# forced with PIXELPILOT_NO_AVX512=1) against TFLite (XNNPACK), ONNX Runtime and Keras on the same
# random weights (batch-norm statistics from a fixed random batch), every framework on the same
# threads; the per-frame cost with cached features; depthwise and inverted-residual kernels against
# PyTorch and ONNX Runtime; then ROUNDS interleaved rounds of the whole network (TensorKit AVX-512, AVX2,
# TFLite one after the other) for ratios from alike minutes. Usage: Benchmarks/policy.sh [THREADS] [REPEATS] [ROUNDS]
# (default 2, 50, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${1:-2}
REPEATS=${2:-50}
PY=.venv-bench/bin/python
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS TF_NUM_INTRAOP_THREADS=$THREADS TF_NUM_INTEROP_THREADS=1
export TF_CPP_MIN_LOG_LEVEL=3 CUDA_VISIBLE_DEVICES=""
out=$(mktemp -d /tmp/pixelpilot-policy-bench.XXXX)
trap 'rm -rf "$out"' EXIT
echo "Policy: the seed's network in tf_keras (random weights, batch-norm statistics from a random batch)..." >&2
"$PY" Benchmarks/policy_peers.py --make-model "$out" 2>/dev/null
"$PY" tools/keras_to_pixelpilot.py "$out/seed.h5" --out "$out/seed.safetensors" 2>/dev/null >&2
echo "Policy: TensorKit..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench policy --model "$out/seed.safetensors" \
  --threads "$THREADS" --repeats "$REPEATS" > "$out/tensorkit.jsonl"
PIXELPILOT_NO_AVX512=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench policy \
  --model "$out/seed.safetensors" --threads "$THREADS" --repeats "$REPEATS" > "$out/tensorkit-avx2.jsonl"
echo "Policy: Keras, TFLite, ONNX Runtime, PyTorch..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/policy_peers.py --model "$out" --threads "$THREADS" \
  --repeats "$REPEATS" > "$out/peers.jsonl" 2> "$out/peers.err" || { cat "$out/peers.err" >&2; exit 1; }
grep -E "^(TFLite|ONNX)" "$out/peers.err" >&2 || true
echo "== policy, TensorKit with $(grep -o 'TensorKit [A-Z0-9-]*' "$out/tensorkit.jsonl" | head -1 | cut -d' ' -f2) kernels"
"$PY" Benchmarks/report.py "$out/tensorkit.jsonl" "$out/peers.jsonl"
echo "== policy, TensorKit with AVX2 kernels (PIXELPILOT_NO_AVX512=1)"
"$PY" Benchmarks/report.py "$out/tensorkit-avx2.jsonl" "$out/peers.jsonl"

# Interleaved rounds: the whole network only, TensorKit (AVX-512, AVX2) and TFLite one after the
# other, ROUNDS times, so each round's ratio compares minutes that were alike on a shared machine
# (the tables above time TensorKit first and the peers minutes later).
ROUNDS=${3:-3}
echo "Policy: $ROUNDS interleaved rounds of the whole network (TensorKit AVX-512, AVX2, TFLite)..." >&2
for r in $(seq 1 "$ROUNDS"); do
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench policy --model "$out/seed.safetensors" \
    --threads "$THREADS" --repeats "$REPEATS" --cases network | sed "s/^{/{\"round\": $r, \"path\": \"AVX-512\", /" \
    >> "$out/rounds.jsonl"
  PIXELPILOT_NO_AVX512=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench policy \
    --model "$out/seed.safetensors" --threads "$THREADS" --repeats "$REPEATS" --cases network \
    | sed "s/^{/{\"round\": $r, \"path\": \"AVX2\", /" >> "$out/rounds.jsonl"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/policy_peers.py --model "$out" --threads "$THREADS" \
    --repeats "$REPEATS" --only network 2>/dev/null | sed "s/^{/{\"round\": $r, \"path\": \"peer\", /" >> "$out/rounds.jsonl"
done
echo "== policy, whole network, interleaved rounds (median ms; ratio = TFLite / TensorKit, > 1: TensorKit faster)"
"$PY" - "$out/rounds.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
window = [r for r in rows if "(fastest run)" not in r["case"] and r["case"].startswith("seed network")]
rounds = sorted({r["round"] for r in window})
ratios = {"AVX-512": [], "AVX2": []}
for n in rounds:
    here = [r for r in window if r["round"] == n]
    tflite = next((r["value"] for r in here if r["framework"].startswith("TFLite")), None)
    line = []
    for path in ("AVX-512", "AVX2"):
        ours = next((r["value"] for r in here if r["path"] == path and r["framework"].startswith("TensorKit")), None)
        if ours and tflite:
            ratios[path].append(tflite / ours)
            line.append(f"TensorKit {path} {ours:.1f}")
    line.append(f"TFLite {tflite:.1f}" if tflite else "TFLite -")
    print(f"  round {n}: " + ", ".join(line))
for path, values in ratios.items():
    if values:
        print(f"  {path}: TFLite / TensorKit median {statistics.median(values):.2f}x over {len(values)} rounds "
              f"({', '.join(f'{v:.2f}' for v in values)})")
PY
