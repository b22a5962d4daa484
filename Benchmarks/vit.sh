#!/usr/bin/env bash
# `make bench-vit`: the layout classifier (the original layout reader's ViT, batch 1, tokens to logits) in TensorKit
# against PyTorch and ONNX Runtime on the same weights and tokens, same threads, with ratios.
# Usage: Benchmarks/vit.sh [PYTHON] [--threads N] [--iterations N]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv-bench/bin/python}; shift || true
THREADS=2; ITER=200
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --iterations) ITER="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
echo "ViT peers (PyTorch, ONNX Runtime), $THREADS threads..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" Benchmarks/vit_peers.py "$out/vit.safetensors" --threads "$THREADS" --iterations "$ITER" > "$out/peers.jsonl"
echo "ViT TensorKit..." >&2
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .build/release/pixelpilot layout bench-vit --model "$out/vit.safetensors" --iterations "$ITER" > "$out/tk.jsonl"
"$PY" - "$out/peers.jsonl" "$out/tk.jsonl" <<'PYEOF'
import json, sys
rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
print("ViT layout classifier, batch 1, tokens -> logits (median ms; ratio = peer / TensorKit, >1 means TensorKit is faster)")
for n in sorted({r["tokens"] for r in rows}, reverse=True):
    tk = {r["padding"]: r for r in rows if r["framework"] == "TensorKit" and r["tokens"] == n}
    for r in rows:
        if r["tokens"] != n: continue
        line = f"  {n:3d} tokens  {r['framework']:<13} {r['padding']:<8} {r['median_ms']:8.3f} ms (p25 {r['p25_ms']:.3f}, p75 {r['p75_ms']:.3f})"
        if r["framework"] == "TensorKit":
            d = r.get("max_abs_logit_diff")
            line += f"  |logits - PyTorch| max {d}"
        elif "full129" in tk:
            line += f"  ratio vs TensorKit full {r['median_ms'] / tk['full129']['median_ms']:.2f}x"
            if "compact" in tk:
                line += f", compact {r['median_ms'] / tk['compact']['median_ms']:.2f}x"
        print(line)
PYEOF
