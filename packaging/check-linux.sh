#!/usr/bin/env bash
# Builds the Linux packages from a clean build and checks them, in one command:
#   1. a clean Release build (warnings are errors), cpack -G DEB and -G RPM;
#   2. desktop-file-validate, appstreamcli validate, man page warnings, lintian (no errors;
#      every warning must be listed and justified in packaging/README.md), the RPM's metadata;
#   3. a clean Debian 12 system (debootstrap --variant=minbase, in a chroot): apt installs the
#      .deb, `cohort-export --version` runs from /usr/bin, a headless export from the demo
#      server completes and passes `inspect`, and the desktop app starts under Xvfb, shows its
#      window and is photographed (build/pkg-check/screenshot.png; look at it).
# Needs root (debootstrap, chroot, mounts; sudo is used otherwise) and the machine's apt sources
# (the Debian mirror is the one they name). Installs its tools with install-deps.sh --packaging.
#
# Environment:
#   COHORT_PKG_BUILD_DIR  build directory, wiped first (default build/pkg-check)
#   COHORT_PKG_CACHE      where the pristine debootstrap tarball and downloaded .debs are kept
#                         between runs (default ~/.cache/cohort-export/check-linux; the tarball
#                         is made afresh when older than 30 days or deleted)
#   CMAKE_BUILD_PARALLEL_LEVEL  compile jobs (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${COHORT_PKG_BUILD_DIR:-build/pkg-check}
cache=${COHORT_PKG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cohort-export/check-linux}
build=$(realpath -m "$build")
ROOT_TAG=check-linux
# shellcheck source=packaging/lib/debian-root.sh
. packaging/lib/debian-root.sh
SUDO=$ROOT_SUDO

# shellcheck source=packaging/lib/steps.sh
. packaging/lib/steps.sh
fail() { root_fail "$@"; }

# --- tools -----------------------------------------------------------------------------------
step "Build dependencies and packaging tools"
./packaging/deps/install-deps.sh --packaging

# --- build and package ---------------------------------------------------------------------
step "Clean Release build"
root_release "$build"
rm -rf "$build"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DCOHORT_BUILD_TESTS=OFF -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >"$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; fail "cmake configure"; }
mv "$build.configure.log" "$build/configure.log"
cmake --build "$build" --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

step "cpack -G DEB and -G RPM"
(cd "$build" && cpack -G DEB && cpack -G RPM)
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
if [ -z "$version" ] || [ "$version" != "$project_version" ]; then
    fail "package version '$version' is not project(VERSION) '$project_version'"
fi
deb="$build/packages/cohort-export_${version}_$(dpkg --print-architecture).deb"
rpm_file=$(find "$build/packages" -maxdepth 1 -name "cohort-export-$version-1.*.rpm" | head -n1)
[ -f "$deb" ] || fail "no $deb"
[ -n "$rpm_file" ] || fail "no cohort-export-$version-1.*.rpm"
echo "version $version: $(basename "$deb"), $(basename "$rpm_file")"

# --- static checks -----------------------------------------------------------------------------
step "desktop-file-validate, appstreamcli, man, lintian, rpm"
contents="$build/deb-contents"
rm -rf "$contents" && mkdir -p "$contents"
dpkg-deb -x "$deb" "$contents"
# The crash-safety test's crash points are built into test builds only.
if grep -q COHORT_CRASH_AT "$contents/usr/bin/cohort-export"; then
    fail "the packaged program carries the test crash points (COHORT_CRASH_POINTS)"
fi
echo "no test crash points in the packaged program"
dpkg-deb -f "$deb" Depends Recommends
desktop=$(ls "$contents"/usr/share/applications/*.desktop)
metainfo=$(ls "$contents"/usr/share/metainfo/*.metainfo.xml)
desktop-file-validate "$desktop" || fail "desktop-file-validate"
echo "desktop-file-validate: $(basename "$desktop") ok"
appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate"
man_warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$contents/usr/share/man/man1/cohort-export.1.gz" 2>&1 >/dev/null || true)
[ -z "$man_warnings" ] || fail "man page warnings: $man_warnings"
echo "man page: no warnings"

# (Here-strings, not pipes into grep -q: with pipefail, an early grep exit fails the pipe.)
lintian_out=$(lintian --display-info --pedantic "$deb" 2>&1 | grep -v '^running with root privileges' || true)
echo "$lintian_out"
if grep -q '^E: ' <<<"$lintian_out"; then fail "lintian reports errors"; fi
# shellcheck disable=SC2013 # tags are single words
for tag in $(sed -n 's/^W: [^:]*: \([a-z0-9+.-]*\).*/\1/p' <<<"$lintian_out" | sort -u); do
    grep -q "\`$tag\`" packaging/README.md \
        || fail "lintian warning '$tag' is not listed and justified in packaging/README.md"
done
echo "lintian: no errors; every warning is justified in packaging/README.md"

rpm -qpi "$rpm_file" | sed -n '1,4p;/^Summary/p'
requires=$(rpm -qpR "$rpm_file")
for soname in libQt6Core.so.6 libQt6Widgets.so.6 libQt6HttpServer.so.6 libqt6keychain.so.1 libcrypto.so.3 \
              libcurl.so.4; do
    grep -q "^$soname" <<<"$requires" || fail "the RPM does not require $soname"
done
rpm_files=$(rpm -qpl "$rpm_file")
grep -qx /usr/bin/cohort-export <<<"$rpm_files" || fail "the RPM lacks /usr/bin/cohort-export"
echo "rpm: requires Qt 6, QtKeychain, OpenSSL and libcurl by soname; holds /usr/bin/cohort-export"

# --- a clean Debian 12 -------------------------------------------------------------------------
step "Clean Debian 12 system (debootstrap)"
root_init "$cache"
root="$build/debian12"
root_make "$root"

app_pid=""
xvfb_pid=""
cleanup() {
    if [ -n "$app_pid" ]; then $SUDO kill "$app_pid" 2>/dev/null || true; fi
    if [ -n "$xvfb_pid" ]; then kill "$xvfb_pid" 2>/dev/null || true; fi
    root_umount_all
}
trap cleanup EXIT
root_mount "$root"
in_root() { root_run "$root" "$@"; }

step "apt install ./$(basename "$deb") on it"
$SUDO cp "$deb" "$root/tmp/"
in_root apt-get update -q
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "/tmp/$(basename "$deb")" >"$build/apt-install.log" 2>&1 \
    || { tail -n 30 "$build/apt-install.log"; fail "apt-get install of the .deb"; }
grep -E '^[0-9]+ upgraded' "$build/apt-install.log" || true
status=$(in_root dpkg-query -W -f='${Status} ${Version}' cohort-export)
[ "$status" = "install ok installed $version" ] || fail "cohort-export $version is not installed in the chroot"

step "Installed app: --version, headless export"
got=$(in_root /usr/bin/cohort-export --version)
echo "$got"
[ "$got" = "cohort-export $version" ] || fail "--version says '$got', expected 'cohort-export $version'"
in_root sh -c '
    set -e
    cohort-export demo-server --port 0 --patients 25 --export-seconds 1 >/tmp/demo.out 2>/tmp/demo.err &
    demo=$!
    for i in $(seq 50); do [ -s /tmp/demo.out ] && break; sleep 0.2; done
    base=$(head -n1 /tmp/demo.out)
    echo "demo server at $base"
    rc=0
    cohort-export export --server "$base" --all-patients --type Patient,Observation \
        --out /tmp/export --quiet || rc=$?
    kill $demo
    [ $rc -eq 0 ] || { echo "export exited $rc"; cat /tmp/demo.err; exit 1; }
    cohort-export inspect /tmp/export
' || fail "headless export with the installed app"

step "Installed app under Xvfb: window and screenshot"
# Xvfb picks a free display and writes its number to fd 3 once it accepts clients.
: >"$build/xvfb.display"
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$build/xvfb.display" 2>"$build/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$build/xvfb.display" ] && break; sleep 0.1; done
[ -s "$build/xvfb.display" ] || { cat "$build/xvfb.log"; fail "Xvfb did not start"; }
display=":$(tr -d '[:space:]' <"$build/xvfb.display")"
DISPLAY=$display xwininfo -root >/dev/null || fail "cannot talk to Xvfb on $display"
echo "Xvfb on $display"
$SUDO install -d -m 0700 "$root/run/user/0"
$SUDO chroot "$root" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 DISPLAY="$display" \
    XDG_RUNTIME_DIR=/run/user/0 /usr/bin/cohort-export >"$build/gui.log" 2>&1 &
app_pid=$!
window=""
for _ in $(seq 40); do
    # The main window: titled "...Cohort Export...", of class cohort-export (the desktop file's
    # StartupWMClass), not Qt's 1x1 client leader.
    tree=$(DISPLAY=$display xwininfo -root -tree 2>/dev/null || true)
    window=$(grep -m1 'Cohort Export.*("cohort-export" "cohort-export")' <<<"$tree" || true)
    [ -n "$window" ] && break
    sleep 0.5
done
[ -n "$window" ] || { cat "$build/gui.log"; fail "no 'Cohort Export' window appeared"; }
echo "window: ${window#"${window%%[! ]*}"}"
sleep 3 # let it finish painting
kill -0 "$app_pid" 2>/dev/null || { cat "$build/gui.log"; fail "the app exited"; }
# The window icon is the SVG (a Qt resource): drawn only if the SVG icon engine (libqt6svg6,
# declared in Depends) is installed.
window_id=$(awk '{ print $1 }' <<<"$window")
icon=$(DISPLAY=$display xprop -id "$window_id" _NET_WM_ICON 2>&1 | head -n1 || true)
[[ $icon == *"Icon ("* ]] || fail "the window has no icon (_NET_WM_ICON: $icon)"
echo "window icon: set (_NET_WM_ICON)"
import -display "$display" -window root "$build/screenshot.png"
colours=$(identify -format '%k' "$build/screenshot.png")
[ "$colours" -gt 50 ] || fail "the screenshot is nearly blank ($colours colours)"
echo "screenshot: $build/screenshot.png ($colours colours)"
$SUDO kill "$app_pid"
wait "$app_pid" 2>/dev/null || true
app_pid=""
if [ -s "$build/gui.log" ]; then echo "app output:"; sed 's/^/  /' "$build/gui.log"; fi

cleanup
trap - EXIT
root_release "$root"
$SUDO rm -rf "$root"
step_timings
echo "check-linux: all checks passed for cohort-export $version"
