#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, in build/fuzz) and runs each for SECONDS
# (default 60) on its checked-in seed corpus, one after the other.
#
#   tests/fuzz/run-fuzzers.sh [SECONDS] [TARGET...]     e.g. tests/fuzz/run-fuzzers.sh 600
#
# New inputs go to build/fuzz/corpus/TARGET (kept between runs, so longer runs build on shorter
# ones); tests/fuzz/corpus/TARGET is only read. A crash leaves its input in
# build/fuzz/artifacts/TARGET/ and makes the script exit 1 after the other targets ran: fix the
# bug, turn the input into a unit test (tests/unit), and add it to the seed corpus.
# Reproduce one input: build/fuzz/TARGET build/fuzz/artifacts/TARGET/crash-...
#
# Environment: CXX (default clang++-14, else clang++), FUZZ_BUILD_DIR (default build/fuzz),
# CMAKE_BUILD_PARALLEL_LEVEL (build jobs), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
seconds=${1:-60}
shift || true
case $seconds in '' | *[!0-9]*) echo "run-fuzzers: SECONDS must be a number" >&2; exit 2 ;; esac

build=${FUZZ_BUILD_DIR:-$src/build/fuzz}
if [ -z "${CXX:-}" ]; then
    CXX=$(command -v clang++-14 || command -v clang++ || true)
fi
if [ -z "$CXX" ] || ! "$CXX" --version 2>/dev/null | grep -q clang; then
    echo "run-fuzzers: clang is needed (Debian: apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 2
fi

all_targets=(fuzz_manifest fuzz_fhir_error fuzz_retry_after fuzz_instant fuzz_x_progress
    fuzz_capability fuzz_group_bundle fuzz_jwk fuzz_ndjson_index fuzz_resource_scan
    fuzz_body_stream)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

dict_for() {
    case $1 in
    fuzz_retry_after | fuzz_instant | fuzz_x_progress) echo "$src/tests/fuzz/dict/headers.dict" ;;
    *) echo "$src/tests/fuzz/dict/json.dict" ;;
    esac
}

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$CXX" -DCOHORT_FUZZ=ON -DCOHORT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}"

# halt_on_error is the default for ASan; leaks are findings too. UBSan: stop with a stack.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export QT_QPA_PLATFORM=offscreen

summary=()
failed=0
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    artifacts=$build/artifacts/$t
    log=$build/logs/$t.log
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    seeds=("$src/tests/fuzz/corpus/$t")
    if [ "$t" = fuzz_jwk ]; then # private keys are generated, never checked in
        export COHORT_FUZZ_JWK_SEEDS=$build/generated/fuzz_jwk
        mkdir -p "$COHORT_FUZZ_JWK_SEEDS"
        seeds+=("$COHORT_FUZZ_JWK_SEEDS")
    fi
    echo "run-fuzzers: $t for ${seconds}s"
    start=$(date +%s)
    status=0
    # shellcheck disable=SC2086
    "$build/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
        -dict="$(dict_for "$t")" -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
        "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    unset COHORT_FUZZ_JWK_SEEDS
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    files=$(find "$corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        result=ok
    else
        result="FAILED (exit $status, see $log)"
        failed=1
        grep -E "ERROR: |FUZZ_CHECK|runtime error|Test unit written" "$log" | head -n 5 >&2 || true
    fi
    summary+=("$(printf '%-20s %6ss %12s execs %6s corpus files  %s' "$t" "$elapsed" \
        "${execs:-?}" "$files" "$result")")
done

echo
echo "run-fuzzers: summary"
printf '  %s\n' "${summary[@]}"
exit $failed
