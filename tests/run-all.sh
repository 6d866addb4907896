#!/bin/sh
# Builds the dev preset and runs every test. The tests run inside a private D-Bus session with
# an unlocked gnome-keyring, so keychain tests talk to a real Secret Service even on a
# headless machine; Qt runs offscreen (set per test in CTest).
# Extra arguments go to ctest, e.g. tests/run-all.sh -R DemoServer
set -eu
cd "$(dirname "$0")/.."
preset=${COHORT_PRESET:-dev}

cmake --preset "$preset"
cmake --build --preset "$preset"

if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
    exec dbus-run-session -- sh -c '
        echo -n cohort-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
        preset=$1; shift
        exec ctest --preset "$preset" "$@"' sh "$preset" "$@"
fi
echo "run-all: dbus-run-session or gnome-keyring-daemon missing: keychain tests use the no-keychain path" >&2
exec ctest --preset "$preset" "$@"
