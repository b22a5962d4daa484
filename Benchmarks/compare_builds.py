#!/usr/bin/env python3
"""Times two builds of pixelpilot on the same benchmarks, alternating, and prints medians and ratios.

    python3 Benchmarks/compare_builds.py OLD_BINARY NEW_BINARY [--rounds 3] [--work DIR]

Used to check that moving code (for example out of the CLI into a library) changes neither the
speed nor the results: every round runs each benchmark with the old build, then with the new one,
so both meet the same load on a busy machine. Figures printed as JSON lines (`pixelpilot bench`,
`bench policy`) are compared case by case; `layout bench` by its "all" line; `drive bench`, whose
figures are deterministic in simulated time, by its report table, which must be identical.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

JSON_RUNS = [
    ("bench", ["bench", "--only", "sgemm,train,infer", "--train-images", "1024"]),
    ("bench desktop", ["bench", "--only", "capture,inject,sort"]),
    ("bench policy", ["bench", "policy", "--repeats", "20"]),
]
STITCH = ["layout", "bench", "--frames", "150", "--classes", "0,4,8", "--size", "1920x1080"]
DRIVE = [
    "drive", "bench", "--train-tracks", "1-3", "--test-tracks", "101-102", "--record-seconds", "20",
    "--seconds", "20", "--epochs", "3",
]


def run(binary, args, cwd):
    env = dict(os.environ)
    env.pop("DISPLAY", None)  # the benchmarks start their own private displays
    p = subprocess.run([binary] + args, cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p.stdout


def json_figures(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and '"suite"' in line:
            r = json.loads(line)
            out[(r["suite"], r["case"], r["unit"])] = r["value"]
    return out


def stitch_figures(text):
    for line in text.splitlines():
        if line.startswith("all "):
            n = line.split()
            # all FRAMES PASTED MEAN MAX BAD UNDETECTED SKIPPED WRONG MS
            return {("stitch", "mean error", "px"): float(n[3]), ("stitch", "ms per frame", "ms"): float(n[-1])}
    sys.exit("layout bench printed no 'all' line:\n" + text)


def drive_table(text):
    rows = [l for l in text.splitlines() if l.startswith("| ")]
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default=None, help="Folder for the drive benchmark's files (default: a temporary one).")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="pixelpilot-compare-")
    os.makedirs(work, exist_ok=True)
    builds = {"old": a.old, "new": a.new}
    samples = {"old": {}, "new": {}}
    tables = {"old": set(), "new": set()}
    for r in range(a.rounds):
        for name, binary in builds.items():
            print(f"round {r + 1}/{a.rounds}: {name}", file=sys.stderr, flush=True)
            figures = {}
            for _, args in JSON_RUNS:
                figures.update(json_figures(run(binary, args, work)))
            figures.update(stitch_figures(run(binary, STITCH, work)))
            for k, v in figures.items():
                samples[name].setdefault(k, []).append(v)
            out = os.path.join(work, f"drive-{name}")
            tables[name].add(drive_table(run(binary, DRIVE + ["--out", out], work)))
    print(f"| suite | case | unit | old (median of {a.rounds}) | new | new / old |")
    print("|---|---|---|---|---|---|")
    for k in sorted(set(samples["old"]) & set(samples["new"])):
        o = statistics.median(samples["old"][k])
        n = statistics.median(samples["new"][k])
        print(f"| {k[0]} | {k[1]} | {k[2]} | {o:.4g} | {n:.4g} | {n / o if o else float('nan'):.3f} |")
    only = set(samples["old"]) ^ set(samples["new"])
    if only:
        print("\ncases in one build only: " + ", ".join(f"{k[0]}/{k[1]}" for k in sorted(only)))
    same = tables["old"] == tables["new"] and len(tables["old"]) == 1
    print("\ndrive bench (simulated time, deterministic): " + ("identical tables in every round" if same else "TABLES DIFFER"))
    for name in ("old", "new"):
        for t in tables[name]:
            print(f"\n{name}:\n{t}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
