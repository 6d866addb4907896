#!/bin/sh
# Offline review throughput (NdjsonIndex, ResourceScan) on one ≥ 1 GiB NDJSON file from the
# page cache, against a read()+memchr baseline, and the GUI thread's longest stall while the
# review window opens it. Builds Release in build/bench; prints figures.
#   tests/bench/review-bench.sh [MB (default 1100)]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
size=${1:-1100}
build=${BENCH_BUILD:-$root/build/bench}
work=${BENCH_DIR:-/tmp/cohort-review-bench}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j1 --target bench_generate_ndjson bench_review bench_review_gui >/dev/null

if [ ! -f "$work/.done-$size" ]; then
    rm -rf "$work" && mkdir -p "$work/parts"
    "$build/bench_generate_ndjson" "$work/parts" "$size" --max-file-mb 1100 >/dev/null
    cat "$work/parts"/*.ndjson > "$work/all.ndjson"
    rm -rf "$work/parts"
    touch "$work/.done-$size"
fi
"$build/bench_review" "$work/all.ndjson"
# The GUI thread while the review window opens that file (offscreen, or the display set).
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$build/bench_review_gui" "$work/all.ndjson"
