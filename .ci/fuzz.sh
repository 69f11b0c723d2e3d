#!/usr/bin/env bash
# The short fuzz run of CI: every cargo-fuzz target under fuzz/ for a few seconds over its
# committed corpus (see RELIABILITY.md, "Fuzzing", for the long runs).
#
#   bash .ci/fuzz.sh [SECONDS]       default 20 s per target; FUZZ_TARGET_DIR for the build
#
# Installs cargo-fuzz from crates.io when missing. The machine has only a stable toolchain;
# cargo-fuzz passes nightly-only flags (-Zsanitizer …), which stable rustc accepts with
# RUSTC_BOOTSTRAP=1. CI builds without AddressSanitizer (--sanitizer none): the code is safe
# Rust, so panics, overflow checks (debug assertions stay on), hangs and memory blow-ups are
# what a fuzzer finds here, and the build takes half the time. New inputs go to a scratch
# copy of each corpus, not into the repository. Exits non-zero if any target fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
SECS=${1:-20}
CARGO_FUZZ_VERSION=0.13.2
export RUSTC_BOOTSTRAP=1
TARGET_DIR=${FUZZ_TARGET_DIR:-$ROOT/target/fuzz}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "-- installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi
echo "-- $(cargo fuzz --version)"

t0=$(date +%s)
cargo fuzz build --sanitizer none --debug-assertions --target-dir "$TARGET_DIR" 2>&1 | tail -n 3
echo "-- fuzz targets built in $(($(date +%s) - t0)) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pass=0
fail=0
for target in $(cargo fuzz list); do
    mkdir -p "$scratch/$target/corpus" "$scratch/$target/artifacts"
    cp fuzz/corpus/"$target"/* "$scratch/$target/corpus/" 2>/dev/null || true
    log="$scratch/$target/log"
    if cargo fuzz run --sanitizer none --debug-assertions --target-dir "$TARGET_DIR" "$target" \
        "$scratch/$target/corpus" -- \
        -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$scratch/$target/artifacts/" -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "-- fuzz $target: ok, $runs runs in ${SECS} s"
        pass=$((pass + 1))
    else
        echo "-- fuzz $target: FAILED"
        grep -E -A 20 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | head -n 60 || tail -n 40 "$log"
        for f in "$scratch/$target"/artifacts/*; do
            [[ -e "$f" ]] && echo "   input ($(wc -c <"$f") bytes): $(base64 -w0 "$f")"
        done
        fail=$((fail + 1))
    fi
done
echo "fuzz: $pass passed, $fail failed"
((fail == 0))
