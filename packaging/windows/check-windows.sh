#!/usr/bin/env bash
# The Windows build, proven on Linux: cross-builds the app and every test with MinGW-w64
# (../shared/toolchains/mingw-qt6, unpacked at /opt/mingw-qt6), runs the unit, integration and
# GUI tests under Wine (offscreen; each test executable as it is, the demo server inside the
# tests as on Linux), builds the MSI with wixl from the WiX source the Windows release uses,
# installs it in a fresh Wine prefix with msiexec and runs the installed app: --version and a
# headless export from its own demo server on 127.0.0.1. Needs root (or sudo) for apt-get.
# The tests' summary is the line "N passed, N failed" (test executables); tests that cannot run
# under Wine skip themselves, saying why (Wine has no Credential Manager, ...).
#
# Environment:
#   COHORT_WINDOWS_BUILD   build folder (default build/windows; kept between runs)
#   COHORT_WINDOWS_OUT     where the MSI goes (default build/windows/packages)
#   COHORT_MINGW_TARBALL   the toolchain sysroot archive (default
#                          ../shared/toolchains/mingw-qt6/mingw-qt6-6.4.2-x86_64.tar.zst)
#   CTEST_ARGS             extra ctest arguments, e.g. "-R tst_Jwt"
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
build=$(realpath -m "${COHORT_WINDOWS_BUILD:-build/windows}")
out=$(realpath -m "${COHORT_WINDOWS_OUT:-$build/packages}")
tarball=${COHORT_MINGW_TARBALL:-$src/../shared/toolchains/mingw-qt6/mingw-qt6-6.4.2-x86_64.tar.zst}
sysroot=/opt/mingw-qt6
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
fail() { echo "check-windows: FAILED: $*" >&2; exit 1; }

# shellcheck source=packaging/lib/steps.sh
. packaging/lib/steps.sh

step "Cross toolchain, Wine, wixl (install-deps.sh --windows); the Qt sysroot"
./packaging/deps/install-deps.sh --windows
[ -f "$tarball" ] || fail "no toolchain archive at $tarball"
stamp=$(sha256sum "$tarball" | cut -c1-16)
if [ "$(cat "$sysroot/.cohort-stamp" 2>/dev/null)" != "$stamp" ]; then
    $SUDO rm -rf "$sysroot"
    $SUDO tar -C "$(dirname "$sysroot")" --zstd -xf "$tarball"
    echo "$stamp" | $SUDO tee "$sysroot/.cohort-stamp" >/dev/null
    echo "unpacked $(basename "$tarball") at $sysroot"
else
    echo "$sysroot is up to date"
fi

step "Cross-build the app and the tests (MinGW-w64, Release)"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$sysroot/toolchain.cmake" -DCMAKE_PREFIX_PATH="$sysroot" \
    -DCOHORT_BUILD_TESTS=ON >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; fail "configure"; }
mv "$build.configure.log" "$build/configure.log"
cmake --build "$build" || fail "build"

# One throw-away Wine prefix per run: QSettings writes to its registry.
wine_env() { # PREFIX
    export WINEPREFIX=$1 WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml=' WINEARCH=win64
    rm -rf "$WINEPREFIX"
    wineboot -i >/dev/null 2>&1 || fail "wineboot in $WINEPREFIX"
    # Let this prefix's wineserver end: the next one starts with the display of whoever runs
    # next (a wineserver started without one keeps a desktop that can make no windows).
    wineserver -w
}

step "Tests under Wine"
wine_env "$build/wine-tests"
# Wine hands WINE-prefixed variables to Windows processes without the prefix; QT_* set on
# the Linux side do not reach them. Qt test output goes to stderr only when forced.
export WINEPATH="Z:${sysroot//\//\\}\\bin" WINEQT_QPA_PLATFORM=offscreen \
       WINEQT_PLUGIN_PATH="Z:${sysroot//\//\\}\\plugins" WINEQT_FORCE_STDERR_LOGGING=1 \
       WINEQT_LOGGING_RULES='cohort.*.info=false'
set +e
# shellcheck disable=SC2086
# Under Xvfb: without an X display Wine creates no windows at all, and a command's hidden window
# is how QProcess::terminate() (WM_CLOSE) asks it to stop. Qt itself stays offscreen.
(cd "$build" && xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" ctest -V --timeout 900 ${CTEST_ARGS:-}) \
    >"$build/ctest.log" 2>&1
set -e
grep -E '^ *[0-9]+/[0-9]+ Test +#' "$build/ctest.log" | sed 's/^ */  /'
passed=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#.* Passed' "$build/ctest.log" || true)
total=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#' "$build/ctest.log" || true)
failed=$((total - passed))
echo "skipped under Wine, with the reasons the tests gave:"
grep -hE '^[0-9]+: SKIP *: ' "$build/ctest.log" | sed -E 's/^[0-9]+: SKIP *: /  /' | sort -u || true
tests_line="tests: $passed passed, $failed failed"
echo "$tests_line"
[ "$total" -gt 0 ] || fail "no test ran (see $build/ctest.log)"
if [ "$failed" -ne 0 ]; then
    grep -E '^ *[0-9]+/[0-9]+ Test +#' "$build/ctest.log" | grep -v ' Passed' || true
    grep -E "^[0-9]+: (FAIL!|   Loc:)" "$build/ctest.log" | head -n 60 || true
fi
unset WINEPATH WINEQT_QPA_PLATFORM WINEQT_PLUGIN_PATH WINEQT_FORCE_STDERR_LOGGING WINEQT_LOGGING_RULES

step "MSI with wixl"
cmake --build "$build" --target msi >"$build/msi.log" 2>&1 || { tail -n 40 "$build/msi.log"; fail "msi target"; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
msi="$build/packages/cohort-export-$version-windows-x64.msi"
[ -f "$msi" ] || fail "no $msi"
mkdir -p "$out"
[ "$(dirname "$msi")" = "$out" ] || cp "$msi" "$out/"
grep -E 'Staged|MSI:' "$build/msi.log" | sed 's/^-- /  /'
echo "  $(du -h "$msi" | cut -f1) $out/$(basename "$msi")"

step "Install the MSI in a fresh Wine prefix; run the installed app"
wine_env "$build/wine-install"
wine msiexec /i "$(winepath -w "$msi")" /qn >"$build/msiexec.log" 2>&1 || { cat "$build/msiexec.log"; fail "msiexec /i"; }
bin="$WINEPREFIX/drive_c/Program Files/Cohort Export/bin"
[ -f "$bin/cohort-export.exe" ] && [ -f "$bin/cohort-export-cli.exe" ] || fail "the MSI did not install bin/cohort-export.exe and bin/cohort-export-cli.exe"
echo "installed: $(find "$WINEPREFIX/drive_c/Program Files/Cohort Export" -type f | wc -l) files"
# The installed program alone: no WINEPATH, so every DLL must come from the MSI.
got=$(wine "$bin/cohort-export-cli.exe" --version | tr -d '\r')
[ "$got" = "cohort-export $version" ] || fail "installed --version says '$got'"
echo "$got"
demo_out="$build/demo.out"
: >"$demo_out"
wine "$bin/cohort-export-cli.exe" demo-server --port 0 --patients 20 --export-seconds 1 >"$demo_out" 2>"$build/demo.err" &
demo=$!
for _ in $(seq 100); do [ -s "$demo_out" ] && break; sleep 0.3; done
base=$(head -n1 "$demo_out")
[[ $base == http://127.0.0.1:* ]] || { kill $demo 2>/dev/null; cat "$build/demo.err"; fail "the installed demo server printed no URL ('$base')"; }
echo "installed demo server at $base"
rc=0
wine "$bin/cohort-export-cli.exe" export --server "$base" --all-patients --type Patient,Observation \
    --out 'C:\export' --quiet >"$build/export.log" 2>&1 || rc=$?
if [ $rc -eq 0 ]; then
    wine "$bin/cohort-export-cli.exe" inspect 'C:\export' >"$build/inspect.log" 2>&1 || rc=$?
fi
kill $demo 2>/dev/null || true
wait $demo 2>/dev/null || true
[ $rc -eq 0 ] || { cat "$build/export.log" "$build/inspect.log" 2>/dev/null; fail "headless export with the installed app (exit $rc)"; }
tr -d '\r' <"$build/inspect.log" | tail -n 4 | sed 's/^/  /'
files=$(find "$WINEPREFIX/drive_c/export" -name '*.ndjson' | wc -l)
[ "$files" -ge 2 ] || fail "the export wrote $files NDJSON files"
echo "headless export from the installed app: $files NDJSON files, inspect clean"
wineserver -k || true

step_timings
echo "$tests_line"
if [ "$failed" -ne 0 ]; then echo "check-windows: some tests failed under Wine"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
