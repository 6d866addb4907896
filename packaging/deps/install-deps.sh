#!/bin/sh
# Installs the dependencies of Cohort Export on Debian 12 with apt-get: idempotent,
# non-interactive, sudo when not run as root. packaging/check-clean-root.sh proves on a pristine
# Debian 12 (debootstrap minbase) that these lists are complete: nothing else is needed.
#
#   install-deps.sh               build (every CMake preset: dev, asan, release) and run every
#                                 test (tests/run-all.sh), the app, screenshots, translations
#   install-deps.sh --fuzz        also clang and libFuzzer (tests/fuzz/run-fuzzers.sh)
#   install-deps.sh --bench       also nginx, curl, openssl, time (tests/bench/*.sh)
#   install-deps.sh --packaging   also the installer tools (packaging/check-linux.sh,
#                                 packaging/check-clean-root.sh, packaging/render-icons.sh)
#   install-deps.sh --windows     also the MinGW-w64 cross compiler, Wine and msitools
#                                 (packaging/windows/check-windows.sh)
#   install-deps.sh --all         all of the above
#   install-deps.sh --list [...]  print the packages the options name, one a line; install nothing
set -eu

# Build: compilers, Qt 6.4 (Qt HTTP Server's CMake config needs Qt WebSockets' one, which
# Debian's qt6-httpserver-dev does not pull in), QtKeychain, OpenSSL, simdjson, libcurl, zlib.
build="
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n libqt6svg6 qt6-svg-dev
  qtkeychain-qt6-dev libssl-dev zlib1g-dev libsimdjson-dev libcurl4-openssl-dev libgl-dev
"
# Tests and looking at the app: Xvfb and screenshots, a real Secret Service on a private
# session bus, and the command-line peers some tests run (openssl, curl, gzip, python3).
test="
  xvfb xauth x11-utils imagemagick xdotool
  dbus dbus-x11 gnome-keyring libsecret-tools
  openssl curl gzip ca-certificates python3
"
fuzz="clang-14 libclang-rt-14-dev"
bench="nginx-light curl openssl time"
windows="g++-mingw-w64-x86-64-posix mingw-w64-tools wine wine64 msitools wixl zstd"
packaging="debootstrap debian-archive-keyring lintian rpm desktop-file-utils appstream dpkg-dev
           file man-db librsvg2-bin"

list_only=0
packages="$build $test"
for arg in "$@"; do
    case $arg in
    --fuzz) packages="$packages $fuzz" ;;
    --bench) packages="$packages $bench" ;;
    --packaging) packages="$packages $packaging" ;;
    --windows) packages="$packages $windows" ;;
    --all) packages="$packages $fuzz $bench $packaging $windows" ;;
    --list) list_only=1 ;;
    -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option $arg (see --help)" >&2; exit 2 ;;
    esac
done
packages=$(printf '%s\n' $packages | sort -u)

if [ "$list_only" -eq 1 ]; then
    printf '%s\n' "$packages"
    exit 0
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
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
