#!/usr/bin/env python3
"""Merges benchmark JSON lines and prints a table with TensorKit's ratio to each peer.

A ratio above 1 means TensorKit is better (faster or higher throughput), whatever the unit.
"""
import json
import sys

rows = []
for path in sys.argv[1:]:
    with open(path) as f:
        rows += [json.loads(line) for line in f if line.strip().startswith("{")]

higher_is_better = {"GFLOP/s", "images/s", "fps"}  # every other unit (ms, us, s, clicks): lower is better
cases = []
for r in rows:
    key = (r["suite"], r["case"])
    if key not in cases:
        cases.append(key)
for suite, case in cases:
    here = [r for r in rows if r["suite"] == suite and r["case"] == case]
    ours = next((r for r in here if r["framework"].startswith(("TensorKit", "PixelPilot"))), None)
    print(f"{suite} {case}:")
    for r in here:
        ratio = ""
        if ours and r is not ours and r["value"] > 0:
            better = ours["value"] / r["value"] if r["unit"] in higher_is_better else r["value"] / ours["value"]
            ratio = f"   {ours['framework'].split()[0]} is {better:.2f}x {'faster' if better >= 1 else 'slower'}"
        print(f"  {r['framework']:<14} {r['value']:>10.3f} {r['unit']}{ratio}")
