#!/usr/bin/env python3
"""The seed's stitching as the peer of `pixelpilot layout bench`: kweimann's find_translation
(SIFT, Lowe ratio 0.7, median shift of the best 15 matches), frame to previous, moves rounded to
integers as the seed's client does, on the frames the benchmark recorded (--record DIR). Each class runs twice: on the frames as
they are (the seed's method), and on frames passed first through the seed's own map-line colour
filter (rows marked "f"), to show what SIFT does once the moving ground is gone.

A failed match (no keypoints or no match left) ends the seed's stream; here it is counted and
the frame skipped (the previous frame stays the reference), so the run can go on.
Usage: stitch_peer.py DIR [--frames N] [--threads 2]
"""
import argparse, csv, glob, json, os, sys, time

import cv2
import numpy as np


def find_translation(a, b, ratio=0.7, max_matches=15):
    # The seed converts RGB frames with the BGR->GRAY formula (weights swapped), as here.
    ga = cv2.cvtColor(a, cv2.COLOR_BGR2GRAY)
    gb = cv2.cvtColor(b, cv2.COLOR_BGR2GRAY)
    sift = cv2.SIFT_create()
    kpa, da = sift.detectAndCompute(ga, None)
    kpb, db = sift.detectAndCompute(gb, None)
    if not kpa or not kpb or da is None or db is None:
        return None
    matches = cv2.BFMatcher(cv2.NORM_L2).knnMatch(da, db, k=2)
    good = [m[0] for m in matches if len(m) == 2 and m[0].distance < ratio * m[1].distance]
    if not good:
        return None
    good = sorted(good, key=lambda m: m.distance)[:max_matches]
    d = np.array([np.subtract(kpa[m.queryIdx].pt, kpb[m.trainIdx].pt) for m in good])
    return np.median(d, axis=0)  # (dx, dy): the player's movement in frame pixels


def line_filter(img):
    """The seed's own colour filter for map lines (its UNet masks): R 110-150, G 0-150, B 150-255."""
    m = cv2.inRange(img, (110, 0, 150), (150, 150, 255))
    return cv2.bitwise_and(img, img, mask=m)


def run_class(folder, limit, filtered=False):
    rows = list(csv.DictReader(open(os.path.join(folder, "truth.csv"))))[:limit]
    truth = {int(r["index"]): (float(r["x"]), float(r["y"]), r["bad"] == "1") for r in rows}
    files = sorted(glob.glob(os.path.join(folder, "*.png")))[:limit]
    load = (lambda f: line_filter(cv2.cvtColor(cv2.imread(f), cv2.COLOR_BGR2RGB))) if filtered else (lambda f: cv2.cvtColor(cv2.imread(f), cv2.COLOR_BGR2RGB))
    prev = load(files[0])
    x0, y0, _ = truth[0]
    pos = np.array([0.0, 0.0])
    errors, dist, ms, steps = [], [], [], []
    failures = undetected = bad = 0
    clean = True  # no bad frame pasted yet: the chain's error before the first one
    clean_errors = []
    prev_truth, prev_bad = (x0, y0), truth[0][2]
    travelled, last = 0.0, (x0, y0)
    for k, f in enumerate(files[1:], start=1):
        img = load(f)
        tx, ty, is_bad = truth[k]
        travelled += float(np.hypot(tx - last[0], ty - last[1])); last = (tx, ty)
        t = time.perf_counter()
        move = find_translation(prev, img)
        ms.append((time.perf_counter() - t) * 1000)
        if is_bad:
            bad += 1
        if move is None:
            failures += 1
            continue
        if is_bad:
            undetected += 1
            clean = False
        elif not prev_bad:
            # One step between two good frames: the method's own precision.
            steps.append(float(np.hypot(move[0] - (tx - prev_truth[0]), move[1] - (ty - prev_truth[1]))))
        pos = pos + np.round(move)
        prev, prev_truth, prev_bad = img, (tx, ty), is_bad
        if not is_bad:
            e = float(np.hypot(pos[0] - (tx - x0), pos[1] - (ty - y0)))
            errors.append(e)
            dist.append(travelled)
            if clean:
                clean_errors.append(e)
    e, d = np.array(errors), np.array(dist)
    drift = float(np.polyfit(d, e, 1)[0] * 1000) if len(e) > 2 and d.std() > 0 else float("nan")
    return dict(frames=len(files), pasted=len(errors), mean=float(e.mean()) if len(e) else float("nan"),
                max=float(e.max()) if len(e) else float("nan"), drift=drift, bad=bad, undetected=undetected,
                failures=failures, ms=float(np.mean(ms)),
                stepMean=float(np.mean(steps)) if steps else float("nan"), stepMax=float(np.max(steps)) if steps else float("nan"),
                cleanFrames=len(clean_errors), cleanMean=float(np.mean(clean_errors)) if clean_errors else float("nan"),
                cleanMax=float(np.max(clean_errors)) if clean_errors else float("nan"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    cv2.setNumThreads(a.threads)
    print("class   frames  mean px   max px  drift/1000px  bad  undetected  failures  ms/frame | step mean/max px | before 1st bad: frames mean max   (OpenCV %s SIFT peer)" % cv2.__version__)
    for folder in sorted(glob.glob(os.path.join(a.dir, "class-*"))):
        c = int(folder.rsplit("-", 1)[1])
        for filtered in (False, True):
          r = run_class(folder, a.frames, filtered)
          print("%-7s %6d %8.2f %8.2f %13.2f %4d %11d %9d %9.1f | %6.2f %6.2f | %5d %6.2f %6.2f" % (
            "%d%s" % (c, "f" if filtered else ""), r["frames"], r["mean"], r["max"], r["drift"], r["bad"], r["undetected"], r["failures"], r["ms"],
            r["stepMean"], r["stepMax"], r["cleanFrames"], r["cleanMean"], r["cleanMax"]), flush=True)
          print(json.dumps(dict(suite="stitch-peer", filtered=filtered, **{"class": c}, **r)), file=sys.stderr)


if __name__ == "__main__":
    main()
