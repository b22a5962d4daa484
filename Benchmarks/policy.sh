#!/usr/bin/env bash
# The policy benchmark (issue 13, section 4): the original autopilot's network (MobileNetV2 per frame, LSTM(128) x2,
# Dense(4)) on one 20-frame window at batch 1 in TensorKit (AVX-512 when the CPU has it, and AVX2
# forced with PIXELPILOT_NO_AVX512=1) against TFLite (XNNPACK), ONNX Runtime and Keras on the same
# random weights (batch-norm statistics from a fixed random batch), every framework on the same
# threads; the per-frame cost with cached features; depthwise and inverted-residual kernels against
# PyTorch and ONNX Runtime; then ROUNDS interleaved rounds of the whole network (TensorKit and TFLite on this CPU,
# then both on an emulated AVX2 CPU through Benchmarks/avx2cpu.c,
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
echo "Policy: the original autopilot's network in tf_keras (random weights, batch-norm statistics from a random batch)..." >&2
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

# Interleaved rounds: the whole network only, each round TensorKit and TFLite one after the other on
# the CPU as it is (AVX-512 here when it has it), then both again on an emulated AVX2 CPU:
# Benchmarks/avx2cpu.c, preloaded, hides AVX-512 from CPUID (CPUID faulting), so XNNPACK, OpenBLAS
# and TensorKit all pick their AVX2 + FMA kernels, as on a player's AVX2-only PC. ROUNDS times, so
# each round's ratio compares minutes that were alike on a shared machine (the tables above time
# TensorKit first and the peers minutes later).
ROUNDS=${3:-3}
gcc -O2 -shared -fPIC -o "$out/avx2cpu.so" Benchmarks/avx2cpu.c
AVX2CPU="$out/avx2cpu.so"
if ! LD_PRELOAD="$AVX2CPU" true; then
  echo "Policy: this CPU or kernel has no CPUID faulting, so no AVX2 CPU can be emulated here; the AVX2 rounds are left out" >&2
  AVX2CPU=""
fi
tensorkit_round() { # $1 round, $2 path label, then the environment prefix
  local r=$1 label=$2; shift 2
  "$@" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot bench policy --model "$out/seed.safetensors" \
    --threads "$THREADS" --repeats "$REPEATS" --cases network | sed "s/^{/{\"round\": $r, \"path\": \"$label\", /" \
    >> "$out/rounds.jsonl"
}
tflite_round() {
  local r=$1 label=$2; shift 2
  "$@" env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/policy_peers.py --model "$out" --threads "$THREADS" \
    --repeats "$REPEATS" --only network 2>/dev/null | sed "s/^{/{\"round\": $r, \"path\": \"$label\", /" \
    >> "$out/rounds.jsonl"
}
echo "Policy: $ROUNDS interleaved rounds of the whole network (TensorKit and TFLite on this CPU${AVX2CPU:+, then on an emulated AVX2 CPU})..." >&2
for r in $(seq 1 "$ROUNDS"); do
  tensorkit_round "$r" native env
  tflite_round "$r" native env
  if [ -n "$AVX2CPU" ]; then
    tensorkit_round "$r" avx2cpu env LD_PRELOAD="$AVX2CPU"
    tflite_round "$r" avx2cpu env LD_PRELOAD="$AVX2CPU"
  fi
done
echo "== policy, whole network, interleaved rounds (median ms; ratio = TFLite / TensorKit, > 1: TensorKit faster)"
"$PY" - "$out/rounds.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
window = [r for r in rows if "(fastest run)" not in r["case"] and r["case"].startswith("seed network")]
rounds = sorted({r["round"] for r in window})
names = {"native": "this CPU", "avx2cpu": "emulated AVX2 CPU"}
ratios = {"native": [], "avx2cpu": []}
kernels = {}
for n in rounds:
    line = []
    for path in ("native", "avx2cpu"):
        here = [r for r in window if r["round"] == n and r["path"] == path]
        ours = next((r for r in here if r["framework"].startswith("TensorKit")), None)
        tflite = next((r["value"] for r in here if r["framework"].startswith("TFLite")), None)
        if ours and tflite:
            ratios[path].append(tflite / ours["value"])
            kernels[path] = ours["framework"]
            line.append(f"{names[path]}: {ours['framework']} {ours['value']:.1f}, TFLite {tflite:.1f}")
    print(f"  round {n}: " + "; ".join(line))
for path, values in ratios.items():
    if values:
        print(f"  {names[path]} ({kernels[path]}): TFLite / TensorKit median {statistics.median(values):.2f}x over "
              f"{len(values)} rounds ({', '.join(f'{v:.2f}' for v in values)})")
PY
