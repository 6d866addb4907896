#!/bin/sh
# Screenshots of the main window (idle, browsing, preparing, exporting, finished, error) at
# 1280x800 and 1024x640, drawn by the real xcb platform under Xvfb.
# Usage: tests/gui/take-screenshots.sh BUILD_DIR OUT_DIR
set -eu
build=${1:-build/dev}
out=${2:-resources/screenshots}
mkdir -p "$out"
out=$(cd "$out" && pwd)
COHORT_SCREENSHOT_DIR="$out" QT_QPA_PLATFORM=xcb QT_LOGGING_RULES='cohort.*.info=false' \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$build/tst_MainWindow" screenshots
