#!/bin/sh
# Installs every build and test dependency of Cohort Export on Debian 12 / Ubuntu 22.04+.
# Idempotent and non-interactive; uses sudo when not run as root.
set -eu

packages="
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qt6-translations-l10n libqt6svg6 qt6-svg-dev
  qtkeychain-qt6-dev libssl-dev openssl zlib1g-dev libsimdjson-dev libcurl4-openssl-dev libgl-dev
  xvfb xauth x11-utils imagemagick xdotool
  dbus dbus-x11 gnome-keyring libsecret-tools
  curl ca-certificates python3
"

# --fuzz: also clang with libFuzzer and the sanitizer runtimes, for tests/fuzz/run-fuzzers.sh.
if [ "${1:-}" = "--fuzz" ]; then
    packages="$packages clang-14 libclang-rt-14-dev"
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
else
    SUDO="sudo"
fi

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all dependencies are installed."
    exit 0
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
