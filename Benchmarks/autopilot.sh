#!/usr/bin/env bash
# Recording and dataset benchmark (not a test): late frames and bytes per frame when recording the
# racer arena (driven by the expert, so the game draws and the keys change) at 10 and 30 fps, a
# 256x256 region and a full 1920x1080 window, PNG and raw; then windows per second streamed from
# the 256x256 10 fps recordings. Usage: Benchmarks/autopilot.sh [SECONDS]   (default 10 s per recording)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/pixelpilot
SECS=${1:-10}
OUT=$(mktemp -d /tmp/pixelpilot-autopilot-bench.XXXX)
DISPLAY_NUM=:$((200 + RANDOM % 100))
Xvfb $DISPLAY_NUM -screen 0 1920x1080x24 -nolisten tcp -ac >/dev/null 2>&1 &
XVFB=$!
trap 'kill $XVFB 2>/dev/null || true; kill $ARENA 2>/dev/null || true' EXIT
sleep 1
arena() {  # $1 = window size
  $BIN arena racer --display $DISPLAY_NUM --size "$1" --track 5 --autoplay --seconds 600 >/dev/null 2>&1 &
  ARENA=$!
  sleep 2
}
record() {  # $1 = name, rest = record options
  local name=$1; shift
  local line
  line=$($BIN record --display $DISPLAY_NUM --seconds "$SECS" --stop-key none --out "$OUT/$name.ppr" "$@" | tail -1)
  echo "$name: $line"
}
echo "== recording the racer arena (expert driving, game drawing at 30 fps), $SECS s each"
arena 640x480
for fps in 10 30; do
  for fmt in png raw; do record "r256-${fps}fps-$fmt" --region 256x256+192+112 --fps $fps --frame-format $fmt; done
done
kill $ARENA 2>/dev/null || true; wait $ARENA 2>/dev/null || true
arena 1920x1080
for fps in 10 30; do
  for fmt in png raw; do record "w1080-${fps}fps-$fmt" --window Rally --fps $fps --frame-format $fmt; done
done
kill $ARENA 2>/dev/null || true; wait $ARENA 2>/dev/null || true
echo "== dataset: windows of 20 frames (96x96) streamed from the 256x256 recordings"
# A data set mixes only recordings of one fps, size and key set: the two 10 fps ones (PNG, raw).
$BIN dataset windows "$OUT"/r256-10fps-*.ppr --validation-split 0 --test-split 0 | tail -1
$BIN dataset windows "$OUT"/r256-10fps-*.ppr --validation-split 0 --test-split 0 --balance --flip | tail -1
du -sh "$OUT"
rm -rf "$OUT"
