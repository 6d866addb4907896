#!/bin/sh
# Renders resources/icons/cohort-export.svg into every icon the packages use, and writes them
# into the source tree (they are committed, so that Windows and macOS builds need no SVG
# renderer):
#   resources/icons/hicolor/<N>x<N>/apps/cohort-export.png   Linux (hicolor theme)
#   packaging/windows/cohort-export.ico                      Windows (exe resource, installer)
#   packaging/macos/cohort-export.icns                       macOS (app bundle)
# Run it after changing the SVG. Needs rsvg-convert (Debian: librsvg2-bin) and python3.
set -eu
cd "$(dirname "$0")/.."
svg=resources/icons/cohort-export.svg
command -v rsvg-convert >/dev/null || { echo "render-icons: rsvg-convert missing (apt-get install librsvg2-bin)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 22 24 32 48 64 128 256 512 1024; do
    rsvg-convert --width "$size" --height "$size" --format png --output "$tmp/$size.png" "$svg"
done
for size in 16 22 24 32 48 64 128 256 512; do
    mkdir -p "resources/icons/hicolor/${size}x${size}/apps"
    cp "$tmp/$size.png" "resources/icons/hicolor/${size}x${size}/apps/cohort-export.png"
done
python3 packaging/icon-containers.py "$tmp" packaging/windows/cohort-export.ico packaging/macos/cohort-export.icns
echo "render-icons: hicolor PNGs, packaging/windows/cohort-export.ico and packaging/macos/cohort-export.icns written."
