#!/usr/bin/env bash
# Proves that packaging/deps/install-deps.sh installs everything the README needs, on a pristine
# Debian 12 (debootstrap --variant=minbase, in a chroot), not on a machine with hand installs:
#   1. the tree (tracked and untracked, not ignored files) is copied into a fresh root;
#   2. install-deps.sh runs there;
#   3. every CMake preset (dev, asan, release) and the fuzz build (after install-deps.sh --fuzz)
#      is configured; a failed configure names the Debian package that was missing;
#   4. the README's first command runs there verbatim, under Xvfb: it builds the release preset
#      and launches the app; the main window must appear (screenshot: build/clean-root/window.png);
#      then the installed binary's --version;
#   5. the tools of the optional lists (--bench, --packaging, --windows) are on PATH after
#      install-deps.sh --all.
# With --tests it also runs the README's second command (build and run every test) in the root.
# .ci/run runs it on every submission. Needs root (or sudo) and the machine's apt sources.
#
# Environment:
#   COHORT_CLEAN_ROOT_DIR  work folder, wiped first (default build/clean-root)
#   COHORT_PKG_CACHE       pristine tarball and downloaded .debs, kept between runs (default
#                          ~/.cache/cohort-export/check-linux, shared with check-linux.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
run_tests=0
for arg in "$@"; do
    case $arg in
    --tests) run_tests=1 ;;
    *) echo "check-clean-root: unknown option $arg" >&2; exit 2 ;;
    esac
done
work=$(realpath -m "${COHORT_CLEAN_ROOT_DIR:-build/clean-root}")
cache=${COHORT_PKG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cohort-export/check-linux}
ROOT_TAG=check-clean-root
# shellcheck source=packaging/lib/debian-root.sh
. packaging/lib/debian-root.sh
fail() { root_fail "$@"; }

# shellcheck source=packaging/lib/steps.sh
. packaging/lib/steps.sh

# The README's two commands, as written there (the first two sh blocks of "Set up on a fresh
# Debian 12 machine"): the check runs what a newcomer would paste.
readme_command() { # N
    awk -v n="$1" '
        /^## Set up on a fresh Debian 12 machine/ { in_section = 1; next }
        in_section && /^## / { exit }
        in_section && /^```sh$/ { block++; in_block = 1; next }
        in_block && /^```$/ { in_block = 0; next }
        in_block && block == n { print }' README.md
}
readme1=$(readme_command 1)
readme2=$(readme_command 2)
[[ $readme1 == ./packaging/deps/install-deps.sh* ]] || fail "README's first command not found: '$readme1'"
[[ $readme2 == ./packaging/deps/install-deps.sh* ]] || fail "README's second command not found: '$readme2'"

# The Debian packages that a failed configure lacked: for each CMake package it could not find
# ("Could NOT find X", "... provided by "X"") and each missing build program, the package that
# holds it on this machine (where install-deps.sh ran and the build works), plus our own
# "(Debian: pkg)" hints; of those, the ones not installed in the root.
missing_packages() { # CONFIGURE_LOG
    local log=$1 name lower candidates="" p missing=""
    candidates+=" $(grep -o '(Debian: [^)]*)' "$log" | sed 's/(Debian: \(.*\))/\1/' | tr -d ',' || true)"
    for name in $(grep -oE 'Could NOT find [A-Za-z0-9_]+|provided by "[A-Za-z0-9_]+"' "$log" |
        sed -E 's/Could NOT find //; s/provided by "(.*)"/\1/' | sort -u); do
        lower=$(tr '[:upper:]' '[:lower:]' <<<"$name")
        candidates+=" $(dpkg -S "*/${name}Config.cmake" "*/${lower}-config.cmake" 2>/dev/null | cut -d: -f1 | tr ',' ' ')"
    done
    if grep -q 'unable to find a build program corresponding to "Ninja"' "$log"; then
        candidates+=" $(dpkg -S "$(realpath "$(command -v ninja)")" 2>/dev/null | cut -d: -f1)"
    fi
    if grep -qE 'No CMAKE_CXX_COMPILER could be found' "$log"; then
        candidates+=" g++"
    fi
    for p in $(printf '%s\n' $candidates | sort -u); do
        root_run "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=" $p"
    done
    echo "${missing# }"
}

step "Tools on this machine (install-deps.sh --packaging)"
./packaging/deps/install-deps.sh --packaging

step "Pristine Debian root"
root_init "$cache"
echo "apt sources (from this machine's apt configuration):"
sed 's/^/  /' <<<"$root_sources"
root="$work/root"
root_release "$work"
$ROOT_SUDO rm -rf "$work" && mkdir -p "$work"
root_make "$root"
trap 'root_umount_all' EXIT
root_mount "$root"

step "Copy the tree into the root"
tree=/src/cohort-export
$ROOT_SUDO mkdir -p "$root$tree"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$src" ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar -C "$src" --null -T - -cf - | $ROOT_SUDO tar -C "$root$tree" -xf -
else
    tar -C "$src" --exclude=./build -cf - . | $ROOT_SUDO tar -C "$root$tree" -xf -
fi
echo "$(find "$root$tree" -type f | wc -l) files in $tree"
in_tree() { root_run "$root" sh -c "cd $tree && $1"; }

step "install-deps.sh in the root"
in_tree ./packaging/deps/install-deps.sh >"$work/install-deps.log" 2>&1 ||
    { tail -n 30 "$work/install-deps.log"; fail "install-deps.sh in the pristine root"; }
grep -E '^[0-9]+ upgraded' "$work/install-deps.log" || true

configure() { # NAME CMAKE-ARGS...
    local name=$1 log="$work/configure-$1.log"
    shift
    if in_tree "cmake $*" >"$log" 2>&1; then
        echo "configure $name: ok"
    else
        sed -n '/CMake Error/,$p' "$log" | head -n 40
        local pkgs
        pkgs=$(missing_packages "$log")
        if [ -n "$pkgs" ]; then
            fail "configure $name failed: missing from packaging/deps/install-deps.sh: $pkgs"
        fi
        fail "configure $name failed (see $log); no missing package could be named"
    fi
}

step "Configure every preset"
for preset in dev asan release; do
    configure "$preset" --preset "$preset"
done

step "README command 1 (install, release build, app window) under Xvfb"
# A watcher waits for the main window, photographs it and closes the app; the command then
# ends. The window title and class are those check-linux.sh looks for.
cat >"$work/first-run.sh" <<'SH'
set -u
cd "$1"
readme1=$2
(
    for _ in $(seq 3600); do
        wid=$(xwininfo -root -tree 2>/dev/null |
            awk '/Cohort Export.*\("cohort-export" "cohort-export"\)/ { print $1; exit }')
        if [ -n "$wid" ]; then
            sleep 3 # let it finish painting
            import -window root /tmp/window.png
            echo "$wid" >/tmp/window.ok
            pid=$(xdotool getwindowpid "$wid" 2>/dev/null || true)
            if [ -n "$pid" ]; then kill "$pid"; else xkill -id "$wid" >/dev/null; fi
            exit 0
        fi
        sleep 0.5
    done
) &
watcher=$!
sh -c "$readme1"
rc=$?
[ -f /tmp/window.ok ] || kill "$watcher" 2>/dev/null
wait "$watcher"
[ -f /tmp/window.ok ] || { echo "the command exited ($rc) without showing the window"; exit 1; }
SH
$ROOT_SUDO cp "$work/first-run.sh" "$root/tmp/first-run.sh"
$ROOT_SUDO install -d -m 0700 "$root/run/user/0"
echo "\$ $readme1"
root_run "$root" env XDG_RUNTIME_DIR=/run/user/0 \
    xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" sh /tmp/first-run.sh "$tree" "$readme1" \
    >"$work/first-run.log" 2>&1 || { tail -n 40 "$work/first-run.log"; fail "the README's first command"; }
$ROOT_SUDO cp "$root/tmp/window.png" "$work/window.png"
colours=$(identify -format '%k' "$work/window.png")
[ "$colours" -gt 50 ] || fail "the window's screenshot is nearly blank ($colours colours)"
echo "window shown and photographed: $work/window.png ($colours colours)"
version=$(in_tree "./build/release/cohort-export --version")
expected="cohort-export $(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$root$tree/build/release/CMakeCache.txt")"
[ "$version" = "$expected" ] || fail "--version says '$version', expected '$expected'"
echo "$version"
# The crash-safety test's crash points are built into test builds only (COHORT_CRASH_POINTS).
if grep -q COHORT_CRASH_AT "$root$tree/build/release/cohort-export"; then
    fail "the release build carries the test crash points"
fi
echo "release build: no test crash points"

step "install-deps.sh --all; the fuzz build configures; the scripts' tools are there"
in_tree "./packaging/deps/install-deps.sh --all" >"$work/install-deps-all.log" 2>&1 ||
    { tail -n 30 "$work/install-deps-all.log"; fail "install-deps.sh --all in the pristine root"; }
configure fuzz -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCOHORT_FUZZ=ON -DCOHORT_BUILD_TESTS=OFF
# What tests/bench/*.sh, packaging/check-linux.sh, this script, packaging/render-icons.sh and
# packaging/windows/check-windows.sh run.
for tool in nginx curl openssl /usr/bin/time gzip debootstrap lintian rpmbuild desktop-file-validate \
    appstreamcli dpkg-deb man file rsvg-convert python3 Xvfb xwininfo xprop import identify \
    x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-objdump wine wineboot wixl msiexec zstd; do
    root_run "$root" sh -c "command -v $tool" >/dev/null || fail "$tool is not installed by install-deps.sh --all"
done
echo "every tool of the benches and the packaging checks is installed"

if [ "$run_tests" -eq 1 ]; then
    step "README command 2 (build and run every test)"
    echo "$ $readme2"
    in_tree "$readme2" >"$work/tests.log" 2>&1 || { tail -n 60 "$work/tests.log"; fail "the README's second command"; }
    grep -E 'tests passed|tests failed' "$work/tests.log" || true
fi

root_umount_all
trap - EXIT
root_release "$root"
$ROOT_SUDO rm -rf "$root"
step_timings
echo "check-clean-root: a pristine Debian $root_codename builds, configures every preset and runs the app with install-deps.sh alone"
